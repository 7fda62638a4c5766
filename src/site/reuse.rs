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

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::config::Config;
use crate::error::Error;
use crate::incremental::Digest;
use crate::parse::front_matter::Render;
use crate::parse::Document;
use crate::shared_text::SharedText;
use crate::site::layout::Layout;
use crate::site::{build_page, chosen_summary, section_of, Asset, Page, Section, SectionId};

/// What the model's previous run left for the next.
#[derive(Debug, Default)]
pub struct Kept {
    /// Pages by the address of the document they were built from.
    pages: HashMap<usize, (Arc<Document>, Box<Page>)>,
    /// Each page's document, by page id, as this run builds them; paired with the pages by
    /// [`Kept::keep_pages`].
    sources: Vec<Arc<Document>>,
    /// The link targets the kept pages' URLs were resolved against, and this run's.
    targets: Option<u64>,
    pending_targets: Option<u64>,
    /// Pages' HTML with links written in.
    filled: HashMap<usize, FilledPage>,
    /// The layout of the kept pages, and the one this run computed (none if it took the
    /// kept one back).
    layout: Option<Layout>,
    pending_layout: Option<Layout>,
}

/// One page's HTML as parsed, the URLs written into it, and the result.
#[derive(Debug)]
pub(crate) struct FilledPage {
    /// Held so that no other HTML can take its address, the key it is kept under.
    pub(crate) parsed: SharedText,
    pub(crate) urls: Vec<String>,
    pub(crate) filled: SharedText,
}

impl Kept {
    /// The page the previous run built from `document`, if it was this very document (and
    /// not merely an equal one: that is the parse stage's call). Its per-run fields are the
    /// caller's to reset.
    pub(crate) fn take_page(&mut self, document: &Arc<Document>) -> Option<Box<Page>> {
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

    /// The layout kept from the last successful run, if it was computed from places with
    /// this digest.
    pub(crate) fn layout(&self, digest: u64) -> Option<&Layout> {
        self.layout.as_ref().filter(|layout| layout.is_of(digest))
    }

    /// Notes the layout this run computed, kept with its pages; `None` when the run took the
    /// kept one back.
    pub(crate) fn set_layout(&mut self, layout: Option<Layout>) {
        self.pending_layout = layout;
    }

    /// Keeps this run's pages for the next, dropping the previous run's leftovers. Called
    /// only after a whole run succeeded: the pages of a failed one may never be kept.
    pub fn keep_pages(&mut self, pages: Vec<Box<Page>>) {
        self.targets = self.pending_targets.take();
        if let Some(layout) = self.pending_layout.take() {
            self.layout = Some(layout);
        }
        let sources = std::mem::take(&mut self.sources);
        debug_assert_eq!(sources.len(), pages.len(), "one source per page");
        let mut kept = HashMap::with_capacity_and_hasher(pages.len(), Default::default());
        kept.extend(sources.into_iter().zip(pages).map(|(source, page)| (address(&source), (source, page))));
        self.pages = kept;
    }

    /// The filled HTML of `parsed` with `urls`, if the previous run made it.
    pub(crate) fn filled(&self, parsed: &SharedText, urls: &[String]) -> Option<SharedText> {
        let kept = self.filled.get(&parsed.address())?;
        (kept.parsed.is_same(parsed) && kept.urls == urls).then(|| kept.filled.clone())
    }

    /// Keeps this run's filled HTML for the next: `filled`, and the previous run's entries
    /// of the pages carried over with their links (`carried`, by page id, as in
    /// `set_sources`).
    pub(crate) fn keep_filled(&mut self, filled: Vec<FilledPage>, carried: &[bool]) {
        let mut previous = std::mem::take(&mut self.filled);
        let mut kept: HashMap<usize, FilledPage> =
            filled.into_iter().map(|page| (page.parsed.address(), page)).collect();
        for (source, _) in self.sources.iter().zip(carried).filter(|(_, carried)| **carried) {
            let at = source.body.html.address();
            if let Some(entry) = previous.remove(&at) {
                kept.insert(at, entry);
            }
        }
        self.filled = kept;
    }
}

/// A digest of everything links resolve against: the base URL, each page's and section's
/// URL and headings, and each asset's output path.
pub(crate) fn targets_digest(
    base_url: &str,
    pages: &[Box<Page>],
    sections: &[Section],
    assets: &[Asset],
) -> u64 {
    let mut hasher = Digest::new();
    base_url.hash(&mut hasher);
    pages.len().hash(&mut hasher);
    for page in pages {
        page.digests.targets.hash(&mut hasher);
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

/// What links to `page` resolve against: its content path, URL and headings.
pub(crate) fn page_targets(page: &Page) -> u64 {
    let mut hasher = Digest::new();
    (&page.content_path, &page.url_path, &page.toc).hash(&mut hasher);
    hasher.finish()
}

/// A run's pages, sorted by content path, with (when the model keeps its pages) the
/// document each was built from and whether it was taken back from the last run.
pub(crate) struct BuiltPages {
    // Boxed as in `Site::pages`: the pages move from run to run.
    #[allow(clippy::vec_box)]
    pub(crate) pages: Vec<Box<Page>>,
    pub(crate) sources: Vec<Arc<Document>>,
    pub(crate) carried: Vec<bool>,
}

/// Builds a page from each published document, or takes back the page the last run built
/// from the very same document.
///
/// Only taking pages out of the kept map runs in order; reading the documents (scattered in
/// memory, 10,000 each run) and building or resetting the pages run in parallel.
pub(crate) fn build_pages(
    published: Vec<Arc<Document>>,
    kept: Option<&mut Kept>,
    section_by_dir: &HashMap<String, SectionId>,
    config: &Config,
    errors: &mut Vec<Error>,
) -> BuiltPages {
    let keeps = kept.is_some();
    let taken: Vec<(Arc<Document>, Option<Box<Page>>)> = match kept {
        Some(kept) => {
            let reusable: Vec<bool> = published.par_iter().map(|doc| is_reusable(doc)).collect();
            published
                .into_iter()
                .zip(reusable)
                .map(|(doc, reusable)| {
                    let page = if reusable { kept.take_page(&doc) } else { None };
                    (doc, page)
                })
                .collect()
        }
        None => published.into_iter().map(|doc| (doc, None)).collect(),
    };
    // Errors are boxed here: an `Error` is 128 bytes, a list of 10,000 of them a megabyte
    // to write.
    let built: Vec<(BuiltPage, Option<Arc<Document>>, bool)> = taken
        .into_par_iter()
        .map(|(doc, taken)| match taken {
            Some(page) => (Ok(reset(page, &doc, section_by_dir)), Some(doc), true),
            // Without a next run to keep it for, the document is moved, not copied.
            None if !keeps => {
                let page = build_page(Arc::unwrap_or_clone(doc), section_by_dir, config);
                (page.map(Box::new).map_err(Box::new), None, false)
            }
            None => {
                let page = build_page((*doc).clone(), section_by_dir, config);
                (page.map(Box::new).map_err(Box::new), Some(doc), false)
            }
        })
        .collect();
    let mut pages = BuiltPages {
        pages: Vec::with_capacity(built.len()),
        sources: Vec::with_capacity(built.len()),
        carried: Vec::with_capacity(built.len()),
    };
    let mut ok = Vec::with_capacity(built.len());
    for (page, source, carried) in built {
        match page {
            Ok(page) => ok.push((page, source, carried)),
            Err(error) => errors.push(*error),
        }
    }
    // Not sorted again when already sorted, as they come each run.
    if !ok.is_sorted_by(|a, b| a.0.content_path <= b.0.content_path) {
        ok.sort_by(|a, b| a.0.content_path.cmp(&b.0.content_path));
    }
    for (page, source, carried) in ok {
        pages.pages.push(page);
        pages.sources.extend(source);
        pages.carried.push(carried);
    }
    pages
}

/// A page built or taken back, or why it could not be built.
type BuiltPage = Result<Box<Page>, Box<Error>>;

/// Whether a page built from `doc` can be taken back from the previous run by [`reset`]:
/// not when `build_page` cut a leading heading out of its HTML (the HTML is then not the
/// parse's), nor when shortcodes are expanded into it (the renderer does that in place).
fn is_reusable(doc: &Document) -> bool {
    let cuts_heading = doc.front_matter.title.is_none()
        && doc.body.first_heading.is_some()
        && doc.body.leading_heading_len > 0;
    !cuts_heading && doc.body.shortcodes.is_empty()
}

/// A page the previous run built from this very `doc`, with what later steps of a run
/// compute from other pages (section, neighbours, assets) reset as `build_page` leaves it.
/// Its link URLs and the HTML they are written into stay: [`as_parsed`] resets them when
/// link targets moved.
fn reset(mut page: Box<Page>, doc: &Document, section_by_dir: &HashMap<String, SectionId>) -> Box<Page> {
    page.section = section_of(doc, section_by_dir, page.render == Render::Yes);
    page.newer = None;
    page.older = None;
    page.assets.clear();
    page
}

/// Puts a page's HTML, summary and links back as parsed, before link URLs are written in.
pub(crate) fn as_parsed(page: &mut Page, doc: &Document) {
    page.content = doc.body.html.clone();
    page.summary = chosen_summary(
        doc.body.summary_before_marker.clone(),
        doc.summary_from_front_matter.clone(),
        doc.body.first_paragraph.clone(),
    );
    for link in &mut page.links {
        link.resolved.clear();
    }
}

/// The address of a shared value: what the kept maps are keyed by, each entry holding the
/// `Arc` so that no other value can take the address while it is kept.
fn address<T>(shared: &Arc<T>) -> usize {
    Arc::as_ptr(shared) as usize
}
