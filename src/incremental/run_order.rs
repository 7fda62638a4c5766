//! `RunOrderMap`: items of one run by key, in the run's order, for the next run to look up by
//! position first.
//!
//! A run makes its pages and outputs in the same order as the last run while no page came
//! or went, so the item for the `n`th one is usually the `n`th kept: comparing its key there
//! reads the list in order, where hashing 10,000 paths into a map reads it at random. A map
//! by key is built only when an item is not at its position.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// Items by key (an output or content path), in the order the last run made them.
#[derive(Debug, Clone)]
pub struct RunOrderMap<T> {
    items: Vec<(String, T)>,
    /// Positions by key, for items looked for elsewhere than where they are; built on first
    /// need.
    by_key: OnceLock<FxHashMap<String, usize>>,
}

impl<T> Default for RunOrderMap<T> {
    fn default() -> RunOrderMap<T> {
        RunOrderMap { items: Vec::new(), by_key: OnceLock::new() }
    }
}

impl<T> RunOrderMap<T> {
    /// The item under `key`, looked for at `position` first.
    pub fn get(&self, position: usize, key: &str) -> Option<&T> {
        match self.items.get(position) {
            Some((at, item)) if at == key => Some(item),
            _ => {
                let by_key = self.by_key.get_or_init(|| {
                    self.items
                        .iter()
                        .enumerate()
                        .map(|(position, (key, _))| (key.clone(), position))
                        .collect()
                });
                by_key.get(key).map(|&position| &self.items[position].1)
            }
        }
    }

    /// Every item with its key, in order.
    pub fn iter(&self) -> impl Iterator<Item = &(String, T)> {
        self.items.iter()
    }

    /// How many items it holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T> From<Vec<(String, T)>> for RunOrderMap<T> {
    fn from(items: Vec<(String, T)>) -> RunOrderMap<T> {
        RunOrderMap { items, by_key: OnceLock::new() }
    }
}

impl<T> FromIterator<(String, T)> for RunOrderMap<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(iter: I) -> RunOrderMap<T> {
        RunOrderMap::from(iter.into_iter().collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_is_found_at_its_position_or_by_its_key_elsewhere() {
        let list: RunOrderMap<u32> = [("a".to_string(), 1), ("b".to_string(), 2)].into_iter().collect();
        assert_eq!(list.get(1, "b"), Some(&2));
        assert_eq!(list.get(0, "b"), Some(&2));
        assert_eq!(list.get(7, "a"), Some(&1));
        assert_eq!(list.get(0, "c"), None);
    }
}
