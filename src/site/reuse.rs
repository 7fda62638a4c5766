//! What the model keeps from one run to the next, for `quire serve`: the pages it built and
//! their HTML with links written in. A page built from the very same parsed document (the
//! parse stage shares unchanged documents between runs) is taken back instead of built
//! again, and HTML whose link URLs are unchanged is not filled again: at 10,000 posts,
//! copying every document and every body each run was a third of a one-post rebuild.
//!
//! Everything a run computes from other pages (section, neighbours, assets, resolved links)
//! is reset on a taken page and computed again, so a run with reuse builds the same site as
//! one without.

use std::collections::HashMap;
use std::sync::Arc;

use crate::parse::Document;
use crate::site::Page;

/// What the model's previous run left for the next.
#[derive(Debug, Default)]
pub struct Kept {
    /// Pages by the address of the document they were built from.
    pages: HashMap<usize, (Arc<Document>, Page)>,
    /// Each page's document, by page id, as this run builds them; paired with the pages by
    /// [`Kept::keep_pages`].
    sources: Vec<Arc<Document>>,
    /// Pages' HTML with links written in.
    filled: HashMap<usize, FilledPage>,
}

/// One page's HTML as parsed, the URLs written into it, and the result.
#[derive(Debug)]
pub(crate) struct FilledPage {
    /// Held so that no other HTML can take its address, the key it is kept under.
    pub(crate) parsed: Arc<String>,
    pub(crate) urls: Vec<String>,
    pub(crate) filled: Arc<String>,
}

impl Kept {
    /// The page the previous run built from `document`, if it was this very document (and
    /// not merely an equal one: that is the parse stage's call). Its per-run fields are the
    /// caller's to reset.
    pub(crate) fn take_page(&mut self, document: &Arc<Document>) -> Option<Page> {
        let (source, _) = self.pages.get(&address(document))?;
        if !Arc::ptr_eq(source, document) {
            return None;
        }
        self.pages.remove(&address(document)).map(|(_, page)| page)
    }

    /// Notes the documents of this run's pages, in page order.
    pub(crate) fn set_sources(&mut self, sources: Vec<Arc<Document>>) {
        self.sources = sources;
    }

    /// Keeps this run's pages for the next, dropping the previous run's leftovers.
    pub fn keep_pages(&mut self, pages: Vec<Page>) {
        let sources = std::mem::take(&mut self.sources);
        debug_assert_eq!(sources.len(), pages.len(), "one source per page");
        self.pages =
            sources.into_iter().zip(pages).map(|(source, page)| (address(&source), (source, page))).collect();
    }

    /// The filled HTML of `parsed` with `urls`, if the previous run made it.
    pub(crate) fn filled(&self, parsed: &Arc<String>, urls: &[String]) -> Option<Arc<String>> {
        let kept = self.filled.get(&(Arc::as_ptr(parsed) as usize))?;
        (Arc::ptr_eq(&kept.parsed, parsed) && kept.urls == urls).then(|| Arc::clone(&kept.filled))
    }

    /// Keeps this run's filled HTML for the next.
    pub(crate) fn keep_filled(&mut self, filled: impl IntoIterator<Item = FilledPage>) {
        self.filled = filled.into_iter().map(|page| (Arc::as_ptr(&page.parsed) as usize, page)).collect();
    }
}

fn address(document: &Arc<Document>) -> usize {
    Arc::as_ptr(document) as usize
}
