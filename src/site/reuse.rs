//! What the model keeps from one run to the next, for `quire serve`: the pages it built and
//! their HTML with links written in. A page built from the very same parsed document (the
//! parse stage shares unchanged documents between runs) is taken back instead of built
//! again, and HTML whose link URLs are unchanged is not filled again: at 10,000 posts,
//! copying every document and every body each run was a third of a one-post rebuild.
//!
//! Everything a run computes from other pages (section, neighbours, assets) is reset on a
//! taken page and computed again; its link URLs are kept only while every link target (each
//! document's URL and headings, each asset's output) is where it was, so a run with reuse
//! builds the same site as one without.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use xxhash_rust::xxh3::Xxh3Default;

use crate::parse::Document;
use crate::site::{Asset, Page, Section};

/// What the model's previous run left for the next.
#[derive(Debug, Default)]
pub struct Kept {
    /// Pages by the address of the document they were built from.
    pages: HashMap<usize, (Arc<Document>, Page)>,
    /// Each page's document, by page id, as this run builds them; paired with the pages by
    /// [`Kept::keep_pages`].
    sources: Vec<Arc<Document>>,
    /// The link targets the kept pages' URLs were resolved against, and this run's.
    targets: Option<u64>,
    pending_targets: Option<u64>,
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

    /// Whether the kept pages' link URLs were resolved against link targets with this digest.
    pub(crate) fn same_targets(&self, digest: u64) -> bool {
        self.targets == Some(digest)
    }

    /// Notes the documents of this run's pages, in page order, and the digest of its link
    /// targets.
    pub(crate) fn set_sources(&mut self, sources: Vec<Arc<Document>>, targets: u64) {
        self.sources = sources;
        self.pending_targets = Some(targets);
    }

    /// Keeps this run's pages for the next, dropping the previous run's leftovers. Called
    /// only after a whole run succeeded: the pages of a failed one may never be kept.
    pub fn keep_pages(&mut self, pages: Vec<Page>) {
        self.targets = self.pending_targets.take();
        let sources = std::mem::take(&mut self.sources);
        debug_assert_eq!(sources.len(), pages.len(), "one source per page");
        self.pages =
            sources.into_iter().zip(pages).map(|(source, page)| (address(&source), (source, page))).collect();
    }

    /// The filled HTML of `parsed` with `urls`, if the previous run made it.
    pub(crate) fn filled(&self, parsed: &Arc<String>, urls: &[String]) -> Option<Arc<String>> {
        let kept = self.filled.get(&address_of(parsed))?;
        (Arc::ptr_eq(&kept.parsed, parsed) && kept.urls == urls).then(|| Arc::clone(&kept.filled))
    }

    /// Keeps this run's filled HTML for the next: `filled`, and the previous run's entries
    /// of the pages carried over with their links (`carried`, by page id, as in
    /// `set_sources`).
    pub(crate) fn keep_filled(&mut self, filled: Vec<FilledPage>, carried: &[bool]) {
        let mut previous = std::mem::take(&mut self.filled);
        let mut kept: HashMap<usize, FilledPage> =
            filled.into_iter().map(|page| (address_of(&page.parsed), page)).collect();
        for (source, _) in self.sources.iter().zip(carried).filter(|(_, carried)| **carried) {
            let at = address_of(&source.body.html);
            if let Some(entry) = previous.remove(&at) {
                kept.insert(at, entry);
            }
        }
        self.filled = kept;
    }
}

/// A digest of everything links resolve against: the base URL, each page's and section's
/// URL and headings, and each asset's output path.
pub(crate) fn targets_digest(base_url: &str, pages: &[Page], sections: &[Section], assets: &[Asset]) -> u64 {
    let mut hasher = Xxh3Default::new();
    base_url.hash(&mut hasher);
    pages.len().hash(&mut hasher);
    for page in pages {
        (&page.content_path, &page.url_path, &page.toc).hash(&mut hasher);
    }
    sections.len().hash(&mut hasher);
    for section in sections {
        (&section.content_path, &section.url_path, &section.toc).hash(&mut hasher);
    }
    assets.len().hash(&mut hasher);
    for asset in assets {
        (&asset.content_path, &asset.output_path).hash(&mut hasher);
    }
    hasher.finish()
}

fn address_of(html: &Arc<String>) -> usize {
    Arc::as_ptr(html) as usize
}

fn address(document: &Arc<Document>) -> usize {
    Arc::as_ptr(document) as usize
}
