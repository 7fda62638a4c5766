//! The site's lists: what the model computes from every page's place in the site rather
//! than from one page — section lists and their pagers, neighbours, subsections, taxonomy
//! terms, the archive and redirects — and the check that no two of them claim one URL.
//!
//! It is computed from the places alone ([`ListsInput`]: the pages' [`PagePlace`]s, the
//! sections' places and the config), never from bodies, so an edit to a post's text gives
//! back the last run's lists through the memo instead of sorting and grouping 10,000 pages
//! again.

use std::path::PathBuf;

use crate::config::Config;
use crate::error::Error;
use crate::incremental::Digested;
use crate::parse::front_matter::{Render, SortBy};
use crate::site::archive::Archive;
use crate::site::pagination::{self, Pager};
use crate::site::series::{self, Series};
use crate::site::{
    check_unique_urls, collect_redirects, parent_sections, sort_pages, taxonomy, Page, PageId, PagePlace,
    Redirect, Section, SectionId, Taxonomy,
};

/// What the lists are computed from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ListsInput {
    pub(crate) config: Digested<Config>,
    pub(crate) sections: Vec<SectionPlace>,
    /// By page id.
    pub(crate) pages: Vec<Digested<PagePlace>>,
}

/// What the lists read of a section.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SectionPlace {
    pub(crate) content_path: String,
    pub(crate) display_path: PathBuf,
    pub(crate) url_path: String,
    pub(crate) sort_by: SortBy,
    pub(crate) paginate_by: usize,
    pub(crate) render: Render,
    pub(crate) transparent: bool,
}

impl SectionPlace {
    pub(crate) fn of(section: &Section) -> SectionPlace {
        SectionPlace {
            content_path: section.content_path.clone(),
            display_path: section.display_path.clone(),
            url_path: section.url_path.clone(),
            sort_by: section.sort_by,
            paginate_by: section.paginate_by,
            render: section.render,
            transparent: section.transparent,
        }
    }
}

/// The lists of one run: each section's pages and pagers, subsections, neighbours, taxonomy terms, the archive, redirects.
#[derive(Debug)]
pub struct Lists {
    /// By section id: its pages in order, its pagers, its subsections.
    pub(crate) section_pages: Vec<Vec<PageId>>,
    pub(crate) section_pagers: Vec<Vec<Pager>>,
    pub(crate) subsections: Vec<Vec<SectionId>>,
    /// By page id: the newer and the older page in its section.
    neighbours: Vec<(Option<PageId>, Option<PageId>)>,
    pub(crate) taxonomies: Vec<Taxonomy>,
    /// What grouping terms had to tell the user (merged spellings).
    pub(crate) warnings: Vec<String>,
    pub(crate) archive: Archive,
    pub(crate) redirects: Vec<Redirect>,
    /// The series, and by page id the one each page is part of.
    pub(crate) series: Vec<Series>,
    series_of: Vec<Option<usize>>,
    /// Two claims on one URL, a bad alias: the run fails.
    pub(crate) errors: Vec<Error>,
}

impl Lists {
    /// Computes the lists of the places in `input`.
    pub(crate) fn compute(input: &ListsInput) -> Lists {
        let ListsInput { config, sections, pages } = input;
        let (section_pages, section_pagers, neighbours) = order_sections(sections, pages);
        let mut subsections = vec![Vec::new(); sections.len()];
        for (id, parent) in
            parent_sections(sections.iter().map(|s| s.content_path.as_str())).into_iter().enumerate()
        {
            if let Some(parent) = parent {
                subsections[parent].push(id);
            }
        }
        let mut warnings = Vec::new();
        let mut errors = Vec::new();
        let taxonomies = taxonomy::build(config, pages, &mut warnings);
        let archive = Archive::of((0..pages.len()).filter(|&id| pages[id].is_rendered()), pages);
        let redirects = collect_redirects(sections, &section_pagers, pages, &mut errors);
        check_unique_urls(sections, &section_pagers, pages, &redirects, &mut errors);
        let (series, series_of) = series::collect(pages);
        Lists {
            series,
            series_of,
            section_pages,
            section_pagers,
            subsections,
            neighbours,
            taxonomies,
            warnings,
            archive,
            redirects,
            errors,
        }
    }

    /// Whether no two things claim one URL and every alias is valid.
    pub(crate) fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Writes the lists into this run's sections and pages.
    pub(crate) fn apply(&self, sections: &mut [Section], pages: &mut [Page]) {
        for (id, section) in sections.iter_mut().enumerate() {
            section.pages.clone_from(&self.section_pages[id]);
            section.pagers.clone_from(&self.section_pagers[id]);
            section.subsections.clone_from(&self.subsections[id]);
        }
        for ((page, &(newer, older)), &series) in pages.iter_mut().zip(&self.neighbours).zip(&self.series_of)
        {
            page.newer = newer;
            page.older = older;
            page.series = series;
        }
    }
}

/// Each section's pages in order and its pagers, and each page's neighbours.
#[allow(clippy::type_complexity)]
fn order_sections(
    sections: &[SectionPlace],
    pages: &[Digested<PagePlace>],
) -> (Vec<Vec<PageId>>, Vec<Vec<Pager>>, Vec<(Option<PageId>, Option<PageId>)>) {
    let parents = parent_sections(sections.iter().map(|s| s.content_path.as_str()));
    let mut lists: Vec<Vec<PageId>> = vec![Vec::new(); sections.len()];
    for (page_id, page) in pages.iter().enumerate() {
        // A transparent section's pages are also listed by its parent (and so on upwards).
        let mut current = page.section;
        while let Some(section_id) = current {
            lists[section_id].push(page_id);
            current = if sections[section_id].transparent { parents[section_id] } else { None };
        }
    }
    let mut neighbours = vec![(None, None); pages.len()];
    let mut pagers = Vec::with_capacity(sections.len());
    for (section_id, (section, list)) in sections.iter().zip(&mut lists).enumerate() {
        sort_pages(list, pages, section.sort_by);
        for (position, &id) in list.iter().enumerate() {
            // Neighbours come from the page's own section, not a parent listing it too.
            if pages[id].section != Some(section_id) {
                continue;
            }
            neighbours[id] = (position.checked_sub(1).map(|p| list[p]), list.get(position + 1).copied());
        }
        // A section with `render = false` writes no list pages; its data stays readable.
        pagers.push(if section.render == Render::Yes {
            pagination::paginate(&section.url_path, list.len(), section.paginate_by)
        } else {
            Vec::new()
        });
    }
    (lists, pagers, neighbours)
}
