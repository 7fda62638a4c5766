//! The render memo: what each output was rendered from, so an output whose inputs are
//! unchanged is reused from the previous run instead of rendered again.
//!
//! A render's key hashes the template set (every template text and the config), the template
//! name, the output path and the exact data in the render's context. Template functions that
//! reach outside the context record their queries while a render runs (`queries`); a
//! previous output is reused only when its key is the same *and* every query it made still
//! has the same answer. That is what keeps an incremental run equal to a clean one. This
//! module does not decide what to render, and it keeps nothing between runs itself: the
//! caller hands the previous `RenderCache` back in. Outputs built without templates (feeds,
//! the sitemap) are not here: they are memoized functions of what they are built from.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxBuildHasher;

use crate::incremental::RunOrderMap;
use crate::render::queries::Query;

/// The renders of one run, kept to be reused by the next.
#[derive(Debug, Clone, Default)]
pub struct RenderCache {
    /// By output path, in the order they were made: the next run makes its outputs in the
    /// same order while no page moved (see [`RunOrderMap`]).
    entries: RunOrderMap<CachedRender>,
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

/// One output as rendered: its key, the queries it made with the hashes of their answers, and
/// the bytes.
#[derive(Debug, Clone)]
pub(crate) struct CachedRender {
    key: u64,
    /// Shared, so that reusing a render (most of them, each run) copies no query.
    answers: Arc<[(Query, u64)]>,
    contents: Arc<[u8]>,
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
        RenderCache { entries: iter.into_iter().collect() }
    }
}
