//! The site's layout: what the model computes from every page's place in the site rather
//! than from one page — section lists and their pagers, neighbours, subsections, taxonomy
//! terms, the archive and redirects — and the check that no two of them claim one URL.
//!
//! It reads only the pages' and sections' places (paths, URLs, dates, titles, weights,
//! terms, aliases), never their bodies. So `quire serve` keeps it from one run to the next
//! under a digest of exactly those fields: an edit to a post's text gets the layout back
//! instead of sorting and grouping 10,000 pages again (a tenth of a one-post rebuild).

use std::hash::{Hash, Hasher};

use crate::config::Config;
use crate::error::Error;
use crate::incremental::Digest;
use crate::site::archive::Archive;
use crate::site::pagination::Pager;
use crate::site::{
    check_unique_urls, collect_redirects, link_subsections, order_sections, taxonomy, Page, PageId, Redirect,
    Section, SectionId, Taxonomy,
};

/// The layout of one run, as the model's steps computed it.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The digest of everything it was computed from ([`digest`]).
    digest: u64,
    /// By section id: its pages in order, its pagers, its subsections.
    section_pages: Vec<Vec<PageId>>,
    section_pagers: Vec<Vec<Pager>>,
    subsections: Vec<Vec<SectionId>>,
    /// By page id: the newer and the older page in its section.
    neighbours: Vec<(Option<PageId>, Option<PageId>)>,
    pub(crate) taxonomies: Vec<Taxonomy>,
    /// What grouping terms had to tell the user (merged spellings).
    pub(crate) warnings: Vec<String>,
    pub(crate) archive: Archive,
    pub(crate) redirects: Vec<Redirect>,
}

impl Layout {
    /// The digest of everything it was computed from.
    pub(crate) fn digest(&self) -> u64 {
        self.digest
    }

    /// Computes the layout of `pages` in `sections` and writes it into them. An invalid one
    /// (two claims on one URL, a bad alias) pushes its errors: the run then fails, and a
    /// failed run's layout is never kept.
    pub(crate) fn compute(
        digest: u64,
        config: &Config,
        sections: &mut [Section],
        pages: &mut [Box<Page>],
        errors: &mut Vec<Error>,
    ) -> Layout {
        order_sections(sections, pages);
        link_subsections(sections);
        let mut warnings = Vec::new();
        let taxonomies = taxonomy::build(config, pages, &mut warnings);
        let archive = Archive::of((0..pages.len()).filter(|&id| pages[id].is_rendered()), pages);
        let redirects = collect_redirects(sections, pages, errors);
        check_unique_urls(sections, pages, &redirects, errors);
        Layout {
            digest,
            section_pages: sections.iter().map(|s| s.pages.clone()).collect(),
            section_pagers: sections.iter().map(|s| s.pagers.clone()).collect(),
            subsections: sections.iter().map(|s| s.subsections.clone()).collect(),
            neighbours: pages.iter().map(|p| (p.newer, p.older)).collect(),
            taxonomies,
            warnings,
            archive,
            redirects,
        }
    }

    /// Whether this layout was computed from places with this digest.
    pub(crate) fn is_of(&self, digest: u64) -> bool {
        self.digest == digest
    }

    /// Writes the kept layout into this run's sections and pages, whose places have the
    /// digest it was computed from.
    pub(crate) fn apply(&self, sections: &mut [Section], pages: &mut [Box<Page>]) {
        debug_assert_eq!((sections.len(), pages.len()), (self.section_pages.len(), self.neighbours.len()));
        for (id, section) in sections.iter_mut().enumerate() {
            section.pages.clone_from(&self.section_pages[id]);
            section.pagers.clone_from(&self.section_pagers[id]);
            section.subsections.clone_from(&self.subsections[id]);
        }
        for (page, &(newer, older)) in pages.iter_mut().zip(&self.neighbours) {
            page.newer = newer;
            page.older = older;
        }
    }
}

/// A digest of everything the layout is computed from: the config, each section's place
/// and listing settings, each page's place. Fields are named one by one, so that a new
/// field of `Page` or `Section` must be placed here or explicitly left out.
pub(crate) fn digest(config: &Config, sections: &[Section], pages: &[Box<Page>]) -> u64 {
    let mut hasher = Digest::new();
    format!("{config:?}").hash(&mut hasher);
    sections.len().hash(&mut hasher);
    for section in sections {
        section_place(section).hash(&mut hasher);
    }
    pages.len().hash(&mut hasher);
    for page in pages {
        (page.digests.place, page.section).hash(&mut hasher);
    }
    hasher.finish()
}

fn section_place(section: &Section) -> u64 {
    let Section {
        content_path,
        display_path,
        url_path,
        sort_by,
        paginate_by,
        render,
        transparent,
        // Computed by the layout itself.
        pages: _,
        pagers: _,
        subsections: _,
        // Read by templates and feeds only.
        title: _,
        description: _,
        content: _,
        toc: _,
        links: _,
        links_digest: _,
        shortcodes: _,
        extra: _,
        template: _,
        page_template: _,
        generate_feeds: _,
    } = section;
    let mut hasher = Digest::new();
    (content_path, display_path, url_path, sort_by, paginate_by, render, transparent).hash(&mut hasher);
    hasher.finish()
}

/// What the layout reads of a page that `build_page` sets: all but its section, which
/// each run sets anew.
pub(crate) fn page_place(page: &Page) -> u64 {
    let Page {
        content_path,
        display_path,
        title,
        date,
        url_path,
        url_line,
        aliases,
        taxonomies,
        weight,
        render,
        // Set each run, and hashed beside this digest.
        section: _,
        // The digests themselves.
        digests: _,
        // Computed by the layout itself.
        newer: _,
        older: _,
        // Grouped after the layout, each run (`series::collect`).
        series: _,
        // Read by templates, feeds and the link check only.
        description: _,
        updated: _,
        draft: _,
        slug: _,
        authors: _,
        template: _,
        layout: _,
        extra: _,
        content: _,
        summary: _,
        toc: _,
        links: _,
        links_digest: _,
        shortcodes: _,
        word_count: _,
        reading_time: _,
        assets: _,
    } = page;
    let mut hasher = Digest::new();
    (content_path, display_path, title, date, url_path, url_line, aliases).hash(&mut hasher);
    (taxonomies, weight, render).hash(&mut hasher);
    hasher.finish()
}
