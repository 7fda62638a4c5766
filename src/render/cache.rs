//! Render keys: what each output was rendered from, so an output whose inputs are unchanged
//! is reused from the previous run instead of rendered again.
//!
//! A render's key hashes the template set (every template text and the config), the template
//! name, the output path and the exact data in the render's context. Template functions that
//! reach outside the context (`get_url`, `get_page`, `get_section`, `get_taxonomy`, `get_archive`) record
//! their queries while a render runs; a previous output is reused only when its key is the
//! same *and* every query it made still has the same answer. That is what keeps an
//! incremental run equal to a clean one. This module does not decide what to render, and it
//! keeps nothing between runs itself: the caller hands the previous `RenderCache` back in.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use tera::value::ValueKind;
use tera::{Context, Value};
use xxhash_rust::xxh3::{xxh3_64, Xxh3Default};

use crate::kept_list::KeptList;
use crate::load::TemplateFile;
use crate::render::views::{PageViews, Views};
use crate::shared_text::SharedText;
use crate::site::PageId;

/// The renders of one run, kept to be reused by the next.
#[derive(Debug, Clone, Default)]
pub struct RenderCache {
    /// By output path, in the order they were made: the next run makes its outputs in the
    /// same order while no page moved (see [`KeptList`]).
    entries: KeptList<CachedRender>,
    /// The page views the renders were given, reused by the next run where still valid.
    pub(crate) views: PageViews,
    /// What the feeds knew of their entries: HTML hashes and written XML.
    pub(crate) feed_entries: crate::render::feeds::KeptEntries,
    /// The sitemap's key and files.
    pub(crate) sitemap: Option<crate::render::sitemap::KeptSitemap>,
    /// Where template functions found pages, sections and outputs.
    pub(crate) lookup: Arc<crate::render::functions::LookupIndex>,
}

/// Hashes of pages' HTML, kept from run to run by the HTML's `Arc` (held here, so that no
/// other text can take its address): HTML that is the same `Arc` as last run is not hashed
/// again. Unchanged pages keep their `Arc` from run to run (the parse and the link filling
/// are reused), so a `serve` rebuild hashes only the HTML that changed.
#[derive(Debug, Clone, Default)]
pub struct HtmlHashes {
    by_address: HashMap<usize, (SharedText, u64), FxBuildHasher>,
}

impl HtmlHashes {
    /// The hash of `html`'s bytes.
    pub fn hash(&self, html: &SharedText) -> u64 {
        match self.by_address.get(&html.address()) {
            Some((kept, hash)) if kept.is_same(html) => *hash,
            _ => xxh3_64(html.as_bytes()),
        }
    }

    /// The hashes of `htmls`, taken from `previous` where it has them.
    pub fn of<'a>(htmls: impl Iterator<Item = &'a SharedText>, previous: &HtmlHashes) -> HtmlHashes {
        let by_address = htmls.map(|html| (html.address(), (html.clone(), previous.hash(html)))).collect();
        HtmlHashes { by_address }
    }
}

impl RenderCache {
    /// How many outputs it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing (a first run).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// How many outputs a run rendered and how many it reused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Outputs rendered through a template.
    pub rendered: usize,
    /// Outputs whose previous bytes were still valid.
    pub reused: usize,
}

/// What a template function was asked during a render.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Query {
    /// `get_url(path=…)`.
    Url(String),
    /// `get_page(path=…)`.
    Page(String),
    /// `get_section(path=…)`.
    Section(String),
    /// `get_taxonomy(kind=…)`.
    Taxonomy(String),
    /// `get_archive(section=…)`.
    Archive(String),
}

/// One output as rendered: its key, the queries it made with the hashes of their answers, and
/// the bytes.
#[derive(Debug, Clone)]
pub(crate) struct CachedRender {
    key: u64,
    /// Shared, so that reusing a render (most of them, each run) copies no query.
    answers: Arc<[(Query, u64)]>,
    contents: Arc<[u8]>,
}

/// The data a template is rendered with: a Tera context that can also be hashed.
///
/// It offers the same `insert`/`insert_value` calls as `tera::Context`, so render code reads
/// the same; it becomes a `tera::Context` only when the render really runs.
#[derive(Debug, Clone, Default)]
pub struct RenderContext {
    entries: BTreeMap<&'static str, Value>,
}

impl RenderContext {
    /// An empty context.
    pub fn new() -> RenderContext {
        RenderContext::default()
    }

    /// Adds a value that Tera can serialize.
    pub fn insert<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.entries.insert(key, Value::from_serializable(value));
    }

    /// Adds a value that is already a Tera value.
    pub fn insert_value(&mut self, key: &'static str, value: Value) {
        self.entries.insert(key, value);
    }

    /// Its entries' names and hashes, for its render key.
    pub fn key_entries(&self, hashes: &ValueHashes<'_>) -> KeyEntries {
        KeyEntries::new(self.entries.iter().map(|(name, value)| (*name, hashes.hash(value))))
    }

    /// The Tera context for rendering.
    pub fn to_tera(&self) -> Context {
        let mut context = Context::new();
        for (key, value) in &self.entries {
            context.insert_value(*key, value.clone());
        }
        context
    }
}

/// Hashes of the values shared by many renders (page, section and taxonomy views, the config),
/// remembered by the address of their shared map or array, so that hashing a context that
/// holds a view costs one lookup instead of a walk over the view.
///
/// Only values owned by the `Views` it was built from are remembered, and it must not outlive
/// them: their addresses cannot be reused while they are alive.
pub struct ValueHashes<'v> {
    known: HashMap<usize, u64, FxBuildHasher>,
    /// Each page's full and light view hash, by `PageId`: every page render and pager reads
    /// them, in page order, where a lookup by address reads the map at random.
    pages: Vec<u64>,
    light_pages: Vec<u64>,
    template_set: u64,
    _views: std::marker::PhantomData<&'v Views>,
}

impl<'v> ValueHashes<'v> {
    /// Hashes every view of `views` and the template texts.
    pub fn new(views: &'v Views, templates: &[TemplateFile]) -> ValueHashes<'v> {
        let mut hashes = ValueHashes {
            known: HashMap::with_hasher(FxBuildHasher),
            pages: Vec::new(),
            light_pages: Vec::new(),
            template_set: 0,
            _views: std::marker::PhantomData,
        };
        // Innermost first: full page views hold neighbours, sections, taxonomies and
        // archives hold light page views, so those are known by the time the bigger ones are
        // hashed. A view left out here is still hashed right, only walked every time.
        // Views reused from the previous run come with their hashes.
        let kept = &views.page_hashes;
        hashes.light_pages = hashes.each(&views.light_pages, |id| kept.get(id).and_then(|k| k.light));
        match &views.aggregate_hashes {
            Some(aggregates) => hashes.known.extend(aggregates.iter().copied()),
            // The lists of light views are to be hashed: each light view is looked up, not
            // walked again. (Reused lists need no such map: a full view to hash walks its
            // two neighbours.)
            None => {
                let addresses = views.light_pages.iter().zip(&hashes.light_pages);
                let known = addresses.filter_map(|(value, &hash)| Some((address(value)?, hash)));
                hashes.known.extend(known.collect::<Vec<_>>());
            }
        }
        hashes.pages = hashes.each(&views.pages, |id| kept.get(id).and_then(|k| k.full));
        let terms: Vec<&Value> = views.terms.iter().flatten().collect();
        let groups: [Vec<&Value>; 6] = [
            terms,
            views.sections.iter().chain(&views.section_heads).collect(),
            views.taxonomies.iter().collect(),
            views.taxonomy_lists.iter().chain(&views.taxonomy_heads).collect(),
            views.section_archives.iter().collect(),
            vec![&views.archive, &views.config],
        ];
        for group in groups {
            let computed: Vec<(usize, u64)> = group
                .par_iter()
                .filter_map(|value| {
                    let at = address(value)?;
                    (!hashes.known.contains_key(&at)).then(|| (at, hashes.hash(value)))
                })
                .collect();
            hashes.known.extend(computed);
        }
        let mut by_name: BTreeMap<&str, &str> = BTreeMap::new();
        for template in templates {
            by_name.insert(&template.name, &template.text);
        }
        let mut hasher = Xxh3Default::new();
        "template set".hash(&mut hasher);
        by_name.hash(&mut hasher);
        hashes.hash(&views.config).hash(&mut hasher);
        hashes.template_set = hasher.finish();
        hashes
    }

    /// The hashes of `values` (by page id), `kept` where it has one.
    fn each(&self, values: &[Value], kept: impl Fn(PageId) -> Option<u64> + Sync) -> Vec<u64> {
        values
            .par_iter()
            .enumerate()
            .map(|(id, value)| kept(id).unwrap_or_else(|| self.hash(value)))
            .collect()
    }

    /// The hash of page `id`'s full view.
    pub fn page(&self, id: PageId) -> u64 {
        self.pages[id]
    }

    /// The hash of page `id`'s light view.
    pub fn light_page(&self, id: PageId) -> u64 {
        self.light_pages[id]
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

    /// The key of rendering `template` into `output_path` with a context whose entries hash
    /// to `entries` (see [`KeyEntries`]).
    pub fn render_key(&self, template: &str, output_path: &str, entries: &KeyEntries) -> u64 {
        let mut hasher = crate::digest::Digest::new();
        self.template_set.hash(&mut hasher);
        template.hash(&mut hasher);
        output_path.hash(&mut hasher);
        for (key, value) in &entries.0 {
            key.hash(&mut hasher);
            value.hash(&mut hasher);
        }
        hasher.finish()
    }
}

/// A render context as its entries' names and hashes, in name order: all a render key reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntries(Vec<(&'static str, u64)>);

impl KeyEntries {
    /// The entries of `pairs`, which may come in any order.
    pub fn new(pairs: impl IntoIterator<Item = (&'static str, u64)>) -> KeyEntries {
        let mut entries: Vec<_> = pairs.into_iter().collect();
        entries.sort_unstable_by_key(|(name, _)| *name);
        KeyEntries(entries)
    }
}

/// The hash of a text value: what [`ValueHashes::hash`] gives `Value::from(text)` (or
/// `Value::safe_string(text)` when `safe`).
pub fn text_hash(text: &str, safe: bool) -> u64 {
    combine(ValueKind::String as u64, combine(u64::from(safe), xxh3_64(text.as_bytes())))
}

/// The hash of an array value whose items hash to `items`.
pub fn array_hash(items: impl ExactSizeIterator<Item = u64>) -> u64 {
    let contents = items.len() as u64;
    combine(ValueKind::Array as u64, items.fold(contents, combine))
}

/// The hash of a map value whose keys and values hash to `entries` (keys by [`key_hash`]).
/// Tera's maps have no stable order: the entries are added up, which does not depend on it.
pub fn map_hash(entries: impl ExactSizeIterator<Item = (u64, u64)>) -> u64 {
    let len = entries.len() as u64;
    let sum = entries.fold(0u64, |sum, (key, item)| sum.wrapping_add(combine(key, item)));
    combine(ValueKind::Map as u64, combine(len, sum))
}

/// The hash of a map's key.
pub fn key_hash(key: &tera::value::Key<'_>) -> u64 {
    match key.as_str() {
        Some(text) => name_hash(text),
        None => xxh3_64(key.to_string().as_bytes()).rotate_left(1),
    }
}

/// The hash of a map key that is `name`.
pub fn name_hash(name: &str) -> u64 {
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
pub(crate) fn address(value: &Value) -> Option<usize> {
    if let Some(map) = value.as_map() {
        return Some(std::ptr::from_ref(map) as usize);
    }
    value.as_array().filter(|items| !items.is_empty()).map(|items| items.as_ptr() as usize)
}

/// Looks in the previous cache for an output that is still valid.
pub(crate) struct Reuse<'a> {
    previous: &'a RenderCache,
    /// Whether each distinct list of queries in `previous` (by address: lists are interned,
    /// so thousands of renders share a few) still gets the answers it got.
    still_answered: HashMap<usize, bool, FxBuildHasher>,
}

impl<'a> Reuse<'a> {
    /// Reuses from `previous`, checking each of its query lists once with `answer` (the
    /// hash of a query's answer now).
    pub(crate) fn new(previous: &'a RenderCache, answer: impl Fn(&Query) -> u64) -> Reuse<'a> {
        let mut answers: HashMap<&Query, u64, FxBuildHasher> = HashMap::default();
        let mut still_answered: HashMap<usize, bool, FxBuildHasher> = HashMap::default();
        for (_, cached) in previous.entries.iter().filter(|(_, cached)| !cached.answers.is_empty()) {
            still_answered.entry(address_of_answers(&cached.answers)).or_insert_with(|| {
                cached
                    .answers
                    .iter()
                    .all(|(query, hash)| *answers.entry(query).or_insert_with(|| answer(query)) == *hash)
            });
        }
        Reuse { previous, still_answered }
    }

    /// The previous bytes of `output_path`, when they were rendered with `key` and every
    /// query they made still gets the answer it got then.
    ///
    /// `position` is where the output would be in the previous run's order: looked at first.
    pub(crate) fn get(&self, position: usize, output_path: &str, key: u64) -> Option<CachedRender> {
        let cached = self.previous.entries.get(position, output_path)?;
        let answered = cached.answers.is_empty()
            || self.still_answered.get(&address_of_answers(&cached.answers)).copied().unwrap_or(false);
        (cached.key == key && answered).then(|| cached.clone())
    }
}

fn address_of_answers(answers: &Arc<[(Query, u64)]>) -> usize {
    answers.as_ptr() as usize
}

/// Makes renders with equal query lists share one list, so that [`Reuse`] checks each list
/// once per run, not once per output.
#[derive(Default)]
pub(crate) struct Interner {
    lists: std::collections::HashSet<Arc<[(Query, u64)]>, FxBuildHasher>,
    /// Addresses of the lists in `lists`: a render holding one of them (most reused
    /// renders) is settled without hashing its list.
    shared: std::collections::HashSet<usize, FxBuildHasher>,
}

impl Interner {
    /// `render` with its query list shared with every equal one seen before.
    pub(crate) fn intern(&mut self, mut render: CachedRender) -> CachedRender {
        if render.answers.is_empty() || self.shared.contains(&address_of_answers(&render.answers)) {
            return render;
        }
        match self.lists.get(&render.answers) {
            Some(shared) => render.answers = Arc::clone(shared),
            None => {
                self.shared.insert(address_of_answers(&render.answers));
                self.lists.insert(Arc::clone(&render.answers));
            }
        }
        render
    }
}

impl CachedRender {
    /// A fresh render.
    pub(crate) fn new(key: u64, answers: Vec<(Query, u64)>, contents: Arc<[u8]>) -> CachedRender {
        CachedRender { key, answers: answers.into(), contents }
    }

    /// The rendered bytes.
    pub(crate) fn contents(&self) -> &Arc<[u8]> {
        &self.contents
    }
}

impl FromIterator<(String, CachedRender)> for RenderCache {
    fn from_iter<I: IntoIterator<Item = (String, CachedRender)>>(iter: I) -> Self {
        RenderCache {
            entries: iter.into_iter().collect(),
            views: PageViews::default(),
            feed_entries: crate::render::feeds::KeptEntries::default(),
            sitemap: None,
            lookup: Arc::default(),
        }
    }
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
    use crate::render::views::map;

    fn empty_views(light_pages: Vec<Value>) -> Views {
        Views {
            config: Value::none(),
            pages: Vec::new(),
            light_pages,
            sections: Vec::new(),
            section_heads: Vec::new(),
            taxonomies: Vec::new(),
            taxonomy_lists: Vec::new(),
            taxonomy_heads: Vec::new(),
            terms: Vec::new(),
            archive: Value::none(),
            section_archives: Vec::new(),
            page_keys: Vec::new(),
            page_hashes: Vec::new(),
            aggregate_hashes: None,
            config_key: 0,
            aggregate_key: None,
        }
    }

    fn hashes_of(values: &[Value]) -> Vec<u64> {
        let views = empty_views(Vec::new());
        let hashes = ValueHashes::new(&views, &[]);
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
    fn a_shared_view_is_hashed_once_and_by_contents() {
        let page = map([("title", Value::from("A"))]);
        let views = empty_views(vec![page.clone()]);
        let hashes = ValueHashes::new(&views, &[]);
        let copy = map([("title", Value::from("A"))]);
        assert_eq!(hashes.hash(&page), hashes.hash(&copy), "a remembered hash is the contents' hash");
        let list = Value::from(vec![page]);
        let copied_list = Value::from(vec![copy]);
        assert_eq!(hashes.hash(&list), hashes.hash(&copied_list));
    }

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
