//! `sitemap.xml` and the built-in `robots.txt` that points at it.
//!
//! The sitemap lists every HTML page the build renders (pages, every pager of sections and
//! terms, taxonomy lists, the archive) with a `lastmod` from the pages it shows. Above
//! `sitemap_max_urls` URLs it becomes a sitemap index over `sitemap1.xml`, `sitemap2.xml`,
//! ... (the protocol allows 50,000 URLs per file). Redirects and `404.html` are not pages
//! to index and are left out.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::incremental::{Memos, SameText};
use crate::parse::date::PageDate;
use crate::render::plan::Plan;
use crate::render::xml::{self, escape};
use crate::render::RenderedFile;
use crate::shared_text::SharedText;
use crate::site::pagination::Pager;
use crate::site::{url, PageId, Site};

/// One URL of the sitemap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Entry<'a> {
    /// `/blog/page/2/`.
    pub url_path: &'a str,
    /// When what it shows last changed, if anything on it is dated.
    pub lastmod: Option<PageDate>,
}

/// What the sitemap is written from, borrowed from the site: the base URL, the URLs per
/// file, and the URL path and `lastmod` of every HTML page the build renders.
#[derive(Hash)]
pub struct SitemapSource<'a> {
    base_url: &'a str,
    max_urls: usize,
    /// In the site's order (sorting them only to find the sitemap unchanged cost more).
    entries: Vec<Entry<'a>>,
}

impl<'a> SitemapSource<'a> {
    /// The sitemap of `site` as `plan` renders it.
    pub fn of(site: &'a Site, plan: &'a Plan) -> SitemapSource<'a> {
        let lists = site.sections.iter().map(|s| s.pagers.len());
        let terms = site.taxonomies.iter().flat_map(|t| t.terms.iter().map(|term| term.pagers.len() + 1));
        let mut entries = Vec::with_capacity(site.pages.len() + lists.chain(terms).sum::<usize>() + 1);
        each_entry(site, plan, |url_path, lastmod| entries.push(Entry { url_path, lastmod }));
        SitemapSource { base_url: &site.config.base_url, max_urls: site.config.sitemap_max_urls, entries }
    }
}

/// The sitemap's files: `sitemap.xml`, or a sitemap index and its parts.
///
/// The URLs are written in runs of [`CHUNK`], each a memoized function of its entries, and
/// the files are put together from the runs' texts (by identity): a date edit that changes
/// the `lastmod` of 500 pagers writes again only the runs they fall in, not 14,000 URLs.
pub fn files(source: &SitemapSource<'_>, memos: &Memos) -> Arc<[RenderedFile]> {
    let mut entries = source.entries.clone();
    entries.sort_unstable_by(|a, b| a.url_path.cmp(b.url_path));
    let write =
        memos.digested_function(|run: &Run<'_>| SharedText::from(url_lines(run.base_url, run.entries)));
    // One part per file: all of them in `sitemap.xml` up to `max_urls`, else one per file
    // of the index.
    let parts: Vec<Part> = entries
        .chunks(source.max_urls.max(1))
        .map(|entries| Part {
            lastmod: entries.iter().filter_map(|e| e.lastmod).max(),
            runs: entries
                .chunks(CHUNK)
                .map(|entries| SameText(write.call(&Run { base_url: source.base_url, entries })))
                .collect(),
        })
        .collect();
    memos.call((source.base_url.to_string(), parts), |(base_url, parts)| assemble(base_url, parts).into())
}

/// URLs written together; small enough that an edit rewrites few, large enough that
/// looking each up costs little.
const CHUNK: usize = 256;

/// A run of sorted entries, written as one text.
#[derive(Hash)]
struct Run<'a> {
    base_url: &'a str,
    entries: &'a [Entry<'a>],
}

/// One sitemap file's URLs: the texts of its runs, and its newest `lastmod`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Part {
    lastmod: Option<PageDate>,
    runs: Vec<SameText>,
}

/// `sitemap.xml` from one part (or none: a site without pages), or a sitemap index over
/// `sitemap1.xml`, `sitemap2.xml`, ...
fn assemble(base_url: &str, parts: &[Part]) -> Vec<RenderedFile> {
    let url_set = |part: Option<&Part>| {
        let runs = part.map_or(&[][..], |part| &part.runs[..]);
        let mut out = String::with_capacity(128 + runs.iter().map(|run| run.0.len()).sum::<usize>());
        out.push_str(xml::DECLARATION);
        out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        runs.iter().for_each(|run| out.push_str(run.0.as_str()));
        out.push_str("</urlset>\n");
        out
    };
    if parts.len() <= 1 {
        return vec![file("sitemap.xml", url_set(parts.first()))];
    }
    let mut files = Vec::new();
    let mut index = String::from(xml::DECLARATION);
    index.push_str("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (number, part) in parts.iter().enumerate() {
        let name = format!("sitemap{}.xml", number + 1);
        let _ = writeln!(
            index,
            "  <sitemap>\n    <loc>{}</loc>",
            escape(&location(base_url, &format!("/{name}")))
        );
        if let Some(lastmod) = part.lastmod {
            let _ = writeln!(index, "    <lastmod>{lastmod}</lastmod>");
        }
        index.push_str("  </sitemap>\n");
        files.push(file(&name, url_set(Some(part))));
    }
    index.push_str("</sitemapindex>\n");
    files.push(file("sitemap.xml", index));
    files
}

/// Calls `entry` with the URL path and `lastmod` of every HTML page the build renders, in
/// the site's order.
fn each_entry<'a>(site: &'a Site, plan: &'a Plan, mut entry: impl FnMut(&'a str, Option<PageDate>)) {
    let pages = &site.pages;
    // Read once, in order: lists reach pages in any order, each a jump in memory.
    let lastmods: Vec<Option<PageDate>> = pages.iter().map(|page| page.updated.max(page.date)).collect();
    let lastmod = |id: PageId| lastmods[id];
    let newest = |ids: &[PageId]| ids.iter().filter_map(|&id| lastmod(id)).max();
    let mut pagers = |list: &[PageId], pagers: &'a [Pager]| {
        for pager in pagers {
            entry(&pager.url_path, newest(&list[pager.items.clone()]));
        }
    };
    for section in &site.sections {
        pagers(&section.pages, &section.pagers);
    }
    for (taxonomy, planned) in site.taxonomies.iter().zip(&plan.taxonomies) {
        if planned.is_some() {
            for term in &taxonomy.terms {
                pagers(&term.pages, &term.pagers);
            }
        }
    }
    // A page written as a file (`path: search.json`) is no HTML page.
    let listed = |page: &crate::site::Page| page.is_rendered() && !url::is_file(&page.url_path);
    for (id, page) in pages.iter().enumerate().filter(|(_, page)| listed(page)) {
        entry(&page.url_path, lastmod(id));
    }
    for (taxonomy, planned) in site.taxonomies.iter().zip(&plan.taxonomies) {
        if planned.is_some() {
            entry(&taxonomy.url_path, taxonomy.terms.iter().filter_map(|t| newest(&t.pages)).max());
        }
    }
    if let Some(url_path) = &plan.archive {
        entry(url_path, lastmods.iter().copied().max().flatten());
    }
}

/// The built-in `robots.txt`: everything may be crawled, and the sitemap is there.
pub fn robots(base_url: &str) -> String {
    format!("User-agent: *\nDisallow:\n\nSitemap: {}\n", location(base_url, "/sitemap.xml"))
}

fn file(output_path: &str, text: String) -> RenderedFile {
    RenderedFile { output_path: output_path.to_string(), contents: text.into_bytes().into() }
}

/// The `<url>` elements of `entries`.
fn url_lines(base_url: &str, entries: &[Entry<'_>]) -> String {
    let mut out = String::with_capacity(entries.len() * 120);
    for entry in entries {
        let _ = writeln!(out, "  <url>\n    <loc>{}</loc>", escape(&location(base_url, entry.url_path)));
        if let Some(lastmod) = entry.lastmod {
            let _ = writeln!(out, "    <lastmod>{lastmod}</lastmod>");
        }
        out.push_str("  </url>\n");
    }
    out
}

/// The absolute URL of `url_path`, with non-ASCII characters (`/tags/日本語/`) percent-encoded
/// as the sitemap protocol asks.
fn location(base_url: &str, url_path: &str) -> String {
    let permalink = url::permalink(base_url, url_path);
    let mut out = String::with_capacity(permalink.len());
    for c in permalink.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_absolute_and_ascii() {
        assert_eq!(
            location("https://e.com/blog/", "/tags/c-plus-plus/"),
            "https://e.com/blog/tags/c-plus-plus/"
        );
        assert_eq!(location("https://e.com/", "/tags/日本/"), "https://e.com/tags/%E6%97%A5%E6%9C%AC/");
    }

    #[test]
    fn robots_points_at_the_sitemap() {
        assert_eq!(
            robots("https://e.com/sub/"),
            "User-agent: *\nDisallow:\n\nSitemap: https://e.com/sub/sitemap.xml\n"
        );
    }
}
