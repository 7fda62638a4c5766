//! Series: posts that belong together, in reading order. A page names its series with
//! `series: "Name"` in its front matter, or Hugo's `series: ["Name"]` (a list, of which the
//! first name counts), or through a `series` taxonomy when config.toml has one.
//!
//! This module only groups and orders; templates read the result as `page.series`.

use std::collections::{BTreeMap, HashMap};

use crate::data_value::{DataTable, DataValue};

use super::{PageId, PagePlace};
use crate::incremental::Digested;

/// One series: its name and its parts, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The name as the first part spells it.
    pub name: String,
    /// The pages in the series, oldest first; undated pages last, by content path.
    pub parts: Vec<PageId>,
}

/// Groups the pages by series, in order of first appearance; with each page's group (`None`
/// for a page in no series). A part of the lists: from the pages' places alone.
pub fn collect(pages: &[Digested<PagePlace>]) -> (Vec<Series>, Vec<Option<usize>>) {
    let mut series: Vec<Series> = Vec::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut series_of = vec![None; pages.len()];
    for (id, page) in pages.iter().enumerate() {
        let Some(name) = page.series.as_deref() else { continue };
        let index = *by_name.entry(name).or_insert_with(|| {
            series.push(Series { name: name.to_string(), parts: Vec::new() });
            series.len() - 1
        });
        series[index].parts.push(id);
        series_of[id] = Some(index);
    }
    for one in &mut series {
        one.parts.sort_by(|&a, &b| {
            let (a, b) = (&pages[a], &pages[b]);
            // Dated parts first, oldest first; then by path, which is how undated ones are read.
            (a.date.is_none(), a.date, &a.content_path).cmp(&(b.date.is_none(), b.date, &b.content_path))
        });
    }
    (series, series_of)
}

/// The series named by a page's terms or its other front matter keys.
pub(crate) fn series_name<'a>(
    taxonomies: &'a BTreeMap<String, Vec<String>>,
    extra: &'a DataTable,
) -> Option<&'a str> {
    let from_taxonomy = taxonomies.get("series").and_then(|names| names.first()).map(String::as_str);
    let from_extra = match extra.get("series") {
        Some(DataValue::String(name)) => Some(name.as_str()),
        Some(DataValue::Array(names)) => names.first().and_then(DataValue::as_str),
        _ => None,
    };
    from_taxonomy.or(from_extra).map(str::trim).filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_is_named_by_a_string_or_the_first_of_a_list() {
        let terms = BTreeMap::new();
        let extra = |value: DataValue| DataTable::from([("series".to_string(), value)]);
        let list =
            extra(DataValue::Array(vec![DataValue::String("intro".into()), DataValue::String("b".into())]));
        assert_eq!(series_name(&terms, &list), Some("intro"));
        assert_eq!(series_name(&terms, &extra(DataValue::String(" intro ".into()))), Some("intro"));
        assert_eq!(series_name(&terms, &extra(DataValue::Array(Vec::new()))), None);
        assert_eq!(series_name(&terms, &extra(DataValue::Integer(3))), None);
        assert_eq!(series_name(&terms, &extra(DataValue::String(String::new()))), None);
        let taxonomy = BTreeMap::from([("series".to_string(), vec!["From terms".to_string()])]);
        assert_eq!(series_name(&taxonomy, &DataTable::new()), Some("From terms"));
    }
}
