//! What template functions were asked during a render: `get_url`, `get_hash`, `get_page`, `get_section`,
//! `get_taxonomy`, `get_archive` and `load_data` (and the `data` variable) reach outside the
//! render's context, so each call is noted as a [`Query`] of the render running on the
//! thread, and the render's result can name what else it was made from. This module only records; it keeps nothing.

use std::cell::RefCell;

/// What a template function was asked during a render.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Query {
    /// `get_url(path=…)`.
    Url(String),
    /// `get_url(path=…, cachebust=true)`.
    CachebustUrl(String),
    /// `get_hash(path=…, sha_type=…, base64=…)`.
    Hash { path: String, sha_type: crate::render::fingerprint::ShaType, base64: bool },
    /// `get_page(path=…)`.
    Page(String),
    /// `get_section(path=…)`.
    Section(String),
    /// `get_taxonomy(kind=…)`.
    Taxonomy(String),
    /// `get_archive(section=…)`.
    Archive(String),
    /// `data`, the files under `data/`: asked by every render whose templates can read it.
    Data,
    /// `load_data(path=…, format=…)`: the path as written, and the format if one was given.
    LoadData(String, Option<String>),
    /// `resize_image(…)` or `image_metadata(path=…)` (with no operation).
    Image(ImageQuery),
}

/// A `resize_image` call's arguments, as written (`image_metadata` has only the path).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageQuery {
    /// The image: a path under `content/` or `static/`.
    pub path: String,
    /// `None` for `image_metadata`.
    pub resize: Option<ResizeArguments>,
}

/// The arguments of `resize_image` besides the path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResizeArguments {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub op: String,
    pub format: String,
    pub quality: u8,
}

thread_local! {
    /// The queries of the render running on this thread. A render runs on one thread from
    /// start to end (Tera calls functions inline), so this scopes them to that render.
    static QUERIES: RefCell<Option<Vec<Query>>> = const { RefCell::new(None) };
}

/// Runs `render` and returns its result with the queries template functions made meanwhile.
pub(crate) fn recording<T>(render: impl FnOnce() -> T) -> (T, Vec<Query>) {
    let outer = QUERIES.with(|q| q.borrow_mut().replace(Vec::new()));
    let result = render();
    let mut queries = QUERIES.with(|q| std::mem::replace(&mut *q.borrow_mut(), outer)).unwrap_or_default();
    queries.sort();
    queries.dedup();
    (result, queries)
}

/// Notes that the render running on this thread asked `query` (outside a render: nothing).
pub(crate) fn record(query: Query) {
    QUERIES.with(|q| {
        if let Some(queries) = q.borrow_mut().as_mut() {
            queries.push(query);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_recorded_only_inside_a_render() {
        record(Query::Page("outside.md".into()));
        let ((), queries) = recording(|| {
            record(Query::Page("b.md".into()));
            record(Query::Page("a.md".into()));
            record(Query::Page("b.md".into()));
        });
        assert_eq!(queries, [Query::Page("a.md".into()), Query::Page("b.md".into())]);
    }
}
