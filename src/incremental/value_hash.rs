//! Hashes of template values by their contents, for render keys: a view's hash, made once
//! when the view is built, stands for the view in the key of every render that shows it.
//!
//! Views built from other views (a section's view holds its pages' light views) are hashed
//! with the inner views' hashes remembered by the address of their shared map or array, so
//! an inner view costs one lookup instead of a walk. Maps hash the same whatever their
//! order. This module does not decide what is reused.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;
use tera::value::ValueKind;
use tera::Value;
use xxhash_rust::xxh3::xxh3_64;

/// Hashes of the values shared by many renders (page, section and taxonomy views, the config),
/// remembered by the address of their shared map or array, so that hashing a context that
/// holds a view costs one lookup instead of a walk over the view.
///
/// Only values that outlive it (`'v`) may be remembered: their addresses cannot be reused
/// while they are alive.
pub struct ValueHashes<'v> {
    known: HashMap<usize, u64, FxBuildHasher>,
    _values: std::marker::PhantomData<&'v Value>,
}

impl Default for ValueHashes<'_> {
    fn default() -> Self {
        ValueHashes { known: HashMap::with_hasher(FxBuildHasher), _values: std::marker::PhantomData }
    }
}

impl<'v> ValueHashes<'v> {
    /// Remembers the hash of each value at these addresses (hashes computed before, of values
    /// alive for `'v`).
    pub fn remember(&mut self, known: impl IntoIterator<Item = (usize, u64)>) {
        self.known.extend(known);
    }

    /// The hash of `value`: its contents, whatever map or array shares them.
    pub fn hash(&self, value: &Value) -> u64 {
        if let Some(known) = address(value).and_then(|a| self.known.get(&a)) {
            return *known;
        }
        match value.kind() {
            ValueKind::String => text_hash(value.as_str().unwrap_or_default(), value.is_safe()),
            ValueKind::Array => {
                let items = value.as_array().unwrap_or_default();
                array_hash(items.iter().map(|item| self.hash(item)))
            }
            ValueKind::Map => {
                let map = value.as_map().expect("a value of kind Map is a map");
                map_hash(map.iter().map(|(key, item)| (key_hash(key), self.hash(item))))
            }
            kind => {
                let contents = match kind {
                    ValueKind::Bool => u64::from(value.as_bool() == Some(true)),
                    ValueKind::U64 | ValueKind::U128 => {
                        xxh3_64(&value.as_u128().unwrap_or_default().to_le_bytes())
                    }
                    ValueKind::I64 | ValueKind::I128 => {
                        xxh3_64(&value.as_i128().unwrap_or_default().to_le_bytes())
                    }
                    ValueKind::F64 => value.as_f64().unwrap_or_default().to_bits(),
                    ValueKind::Bytes => xxh3_64(value.as_bytes().unwrap_or_default()),
                    // Undefined, None, and kinds Tera may add later: their text tells them apart.
                    _ => xxh3_64(value.to_string().as_bytes()),
                };
                // Each kind gets its own tag, so values of different kinds never share a hash.
                combine(kind as u64, contents)
            }
        }
    }
}

/// The hash of a text value: what [`ValueHashes::hash`] gives `Value::from(text)` (or
/// `Value::safe_string(text)` when `safe`).
fn text_hash(text: &str, safe: bool) -> u64 {
    combine(ValueKind::String as u64, combine(u64::from(safe), xxh3_64(text.as_bytes())))
}

/// The hash of an array value whose items hash to `items`.
fn array_hash(items: impl ExactSizeIterator<Item = u64>) -> u64 {
    let contents = items.len() as u64;
    combine(ValueKind::Array as u64, items.fold(contents, combine))
}

/// The hash of a map value whose keys and values hash to `entries` (keys by [`key_hash`]).
/// Tera's maps have no stable order: the entries are added up, which does not depend on it.
fn map_hash(entries: impl ExactSizeIterator<Item = (u64, u64)>) -> u64 {
    let len = entries.len() as u64;
    let sum = entries.fold(0u64, |sum, (key, item)| sum.wrapping_add(combine(key, item)));
    combine(ValueKind::Map as u64, combine(len, sum))
}

/// The hash of a map's key.
fn key_hash(key: &tera::value::Key<'_>) -> u64 {
    match key.as_str() {
        Some(text) => name_hash(text),
        None => xxh3_64(key.to_string().as_bytes()).rotate_left(1),
    }
}

/// The hash of a map key that is `name`.
fn name_hash(name: &str) -> u64 {
    xxh3_64(name.as_bytes())
}

/// Mixes two hashes into one; the order matters.
fn combine(first: u64, second: u64) -> u64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&first.to_le_bytes());
    bytes[8..].copy_from_slice(&second.to_le_bytes());
    xxh3_64(&bytes)
}

/// The address of the shared allocation behind a map or a non-empty array.
pub fn address(value: &Value) -> Option<usize> {
    if let Some(map) = value.as_map() {
        return Some(std::ptr::from_ref(map) as usize);
    }
    value.as_array().filter(|items| !items.is_empty()).map(|items| items.as_ptr() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
        let mut map = tera::Map::new();
        for (key, value) in entries {
            map.insert(key.into(), value);
        }
        Value::from(map)
    }

    fn hashes_of(values: &[Value]) -> Vec<u64> {
        let hashes = ValueHashes::default();
        values.iter().map(|v| hashes.hash(v)).collect()
    }

    #[test]
    fn equal_values_hash_equal_and_different_values_differ() {
        let a = map([("title", Value::from("A")), ("n", Value::from(1))]);
        let same = map([("n", Value::from(1)), ("title", Value::from("A"))]);
        let other_text = map([("title", Value::from("B")), ("n", Value::from(1))]);
        let other_key = map([("name", Value::from("A")), ("n", Value::from(1))]);
        let safe = map([("title", Value::safe_string("A")), ("n", Value::from(1))]);
        let h = hashes_of(&[a, same, other_text, other_key, safe]);
        assert_eq!(h[0], h[1]);
        assert!(h[0] != h[2] && h[0] != h[3] && h[0] != h[4]);
    }

    #[test]
    fn list_order_matters() {
        let ab = Value::from(vec![Value::from("a"), Value::from("b")]);
        let ba = Value::from(vec![Value::from("b"), Value::from("a")]);
        let h = hashes_of(&[ab, ba, Value::none(), Value::from(false)]);
        assert_ne!(h[0], h[1]);
        assert_ne!(h[2], h[3]);
    }

    #[test]
    fn a_remembered_value_is_hashed_once_and_by_contents() {
        let page = map([("title", Value::from("A"))]);
        let mut hashes = ValueHashes::default();
        let hash = hashes.hash(&page);
        hashes.remember([(address(&page).unwrap(), hash)]);
        let copy = map([("title", Value::from("A"))]);
        assert_eq!(hashes.hash(&page), hashes.hash(&copy), "a remembered hash is the contents' hash");
        let list = Value::from(vec![page.clone()]);
        let copied_list = Value::from(vec![copy]);
        assert_eq!(hashes.hash(&list), hashes.hash(&copied_list));
    }
}
