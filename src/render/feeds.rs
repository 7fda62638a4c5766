//! Feeds: Atom (`atom.xml`) and RSS 2.0 (`rss.xml`) for the site, for sections with
//! `generate_feeds: true`, and for the terms of taxonomies with `feed = true`.
//!
//! Entries are the dated pages, newest first, at most `feed_limit` of them, with every
//! relative URL in their HTML made absolute against the page's permalink. The XML is
//! written here with `xml::escape` on everything that comes from the site. Templates play
//! no part: a feed's shape is fixed by its format.

use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashMap;

use crate::config::FeedContent;
use crate::incremental::Digest;
use crate::parse::date::PageDate;
use crate::parse::front_matter::SortBy;
use crate::render::absolute_urls::absolutize;
use crate::render::memo::HtmlHashes;
use crate::render::xml::{self, element, escape};
use crate::render::RenderedFile;
use crate::site::{url, Page, PageId, Site};

/// The `updated` of a feed without entries: a fixed moment, so that an empty feed's bytes
/// don't change from one build to the next.
const EPOCH: &str = "1970-01-01T00:00:00Z";

/// One feed, in both formats.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Feed {
    /// The URL path of the page the feed follows (`/`, `/blog/`, `/tags/rust/`); the feed
    /// files sit in it.
    pub url_path: String,
    /// The feed's title.
    pub title: String,
    /// A line about the feed.
    pub description: String,
    /// Its entries, newest first.
    pub pages: Vec<PageId>,
}

impl Feed {
    /// The output paths of its two files: `blog/atom.xml`, `blog/rss.xml`.
    pub fn output_paths(&self) -> [String; 2] {
        let dir = self.url_path.trim_start_matches('/');
        [format!("{dir}atom.xml"), format!("{dir}rss.xml")]
    }
}

/// Every feed the site asks for.
pub fn feeds(site: &Site) -> Vec<Feed> {
    let config = &site.config;
    let site_title = if config.title.is_empty() { config.base_url.as_str() } else { config.title.as_str() };
    let mut feeds = Vec::new();
    if config.generate_feeds {
        feeds.push(Feed {
            url_path: "/".into(),
            title: site_title.to_string(),
            description: config.description.clone(),
            pages: entries(site, (0..site.pages.len()).filter(|&id| site.pages[id].is_rendered())),
        });
    }
    // The home section's feed is the site's: `generate_feeds` in config.toml decides it.
    for section in site.sections.iter().filter(|s| s.generate_feeds && s.url_path != "/") {
        feeds.push(Feed {
            url_path: section.url_path.clone(),
            title: format!("{} · {site_title}", section.title),
            description: section.description.clone().unwrap_or_else(|| config.description.clone()),
            pages: match section.sort_by {
                SortBy::Date => newest_of_sorted(site, &section.pages),
                SortBy::Title | SortBy::Weight => entries(site, section.pages.iter().copied()),
            },
        });
    }
    for taxonomy in site.taxonomies.iter().filter(|t| t.feed) {
        for term in &taxonomy.terms {
            feeds.push(Feed {
                url_path: term.url_path.clone(),
                title: format!("{} · {site_title}", term.name),
                description: format!("Pages filed under {} `{}`", taxonomy.name, term.name),
                // A term's pages are in date order.
                pages: newest_of_sorted(site, &term.pages),
            });
        }
    }
    feeds
}

/// Renders `feed` as Atom and as RSS, with each entry's XML from `keys`.
pub fn render(site: &Site, feed: &Feed, keys: &FeedKeys<'_>) -> [RenderedFile; 2] {
    let entries: Vec<Arc<EntryXml>> = feed.pages.iter().map(|&id| keys.xml(id)).collect();
    let [atom_path, rss_path] = feed.output_paths();
    let context = FeedContext { site, feed, entries: &entries };
    [
        RenderedFile { output_path: atom_path, contents: context.atom().into_bytes().into() },
        RenderedFile { output_path: rss_path, contents: context.rss().into_bytes().into() },
    ]
}

/// What the feeds of a run knew of their entries, for the next run: the hashes of the
/// entries' HTML, so that HTML which is the same allocation is not hashed again, and each
/// entry's XML by entry key, so that a feed written again because one of its entries
/// changed writes only that entry anew (making a page's URLs absolute and escaping its HTML
/// cost a millisecond per feed and format).
#[derive(Debug, Clone, Default)]
pub struct KeptEntries {
    html: HtmlHashes,
    xml: FxHashMap<u64, Arc<EntryXml>>,
}

/// One entry as written into each format.
#[derive(Debug)]
pub struct EntryXml {
    atom: String,
    rss: String,
    /// The entry's `updated` (its date, or its later update), which the feed's own reads.
    updated: PageDate,
}

/// Render keys of feeds: a feed whose key is unchanged since the previous run has the same
/// bytes, so `quire serve` reuses them instead of making every entry's URLs absolute again
/// (at 10,000 posts with tag feeds, that was most of a one-post rebuild).
pub struct FeedKeys<'a> {
    site: &'a Site,
    /// The settings a feed reads, hashed once.
    config: u64,
    /// Each page's entry key (with `config`), computed the first time a feed holds the page.
    entries: Vec<OnceLock<u64>>,
    /// Each page's entry XML, written (or taken from `previous`) the first time a feed
    /// that holds the page is written.
    xml: Vec<OnceLock<Arc<EntryXml>>>,
    /// What the previous run's feeds knew of their entries.
    previous: &'a KeptEntries,
    /// Each page's light view key ([`crate::render::views::Views::light_keys`]).
    light_keys: Vec<u64>,
}

impl<'a> FeedKeys<'a> {
    /// Keys for the feeds of `site`, taking HTML hashes from `previous` where it still holds.
    pub fn new(site: &'a Site, previous: &'a KeptEntries, light_keys: Vec<u64>) -> FeedKeys<'a> {
        // The whole config: it is small, and hashing all of it cannot miss a setting a feed
        // reads.
        let config = xxhash_rust::xxh3::xxh3_64(format!("{:?}", site.config).as_bytes());
        let pages = site.pages.len();
        FeedKeys {
            site,
            config,
            entries: (0..pages).map(|_| OnceLock::new()).collect(),
            xml: (0..pages).map(|_| OnceLock::new()).collect(),
            previous,
            light_keys,
        }
    }

    /// The key of `feed`: everything its two files are written from.
    pub fn key(&self, feed: &Feed) -> u64 {
        let mut hasher = Digest::new();
        self.config.hash(&mut hasher);
        feed.hash(&mut hasher);
        for &id in &feed.pages {
            self.entry_key(id).hash(&mut hasher);
        }
        hasher.finish()
    }

    /// What this run's feeds knew of their entries, for the next run.
    pub fn keep(&self) -> KeptEntries {
        let held = self.entries.iter().enumerate().filter(|(_, key)| key.get().is_some());
        let html = HtmlHashes::of(held.map(|(id, _)| &self.site.pages[id].content), &self.previous.html);
        let written = self.xml.iter().zip(&self.entries);
        let xml = written.filter_map(|(xml, key)| Some((*key.get()?, Arc::clone(xml.get()?)))).collect();
        KeptEntries { html, xml }
    }

    /// The XML of page `id`'s entry: the previous run's if its entry key is the same.
    fn xml(&self, id: PageId) -> Arc<EntryXml> {
        let xml = self.xml[id].get_or_init(|| match self.previous.xml.get(&self.entry_key(id)) {
            Some(kept) => Arc::clone(kept),
            None => Arc::new(EntryXml::new(&Entry::new(self.site, &self.site.pages[id]))),
        });
        Arc::clone(xml)
    }

    /// Page `id`'s entry hash with the config: what its XML is written from.
    fn entry_key(&self, id: PageId) -> u64 {
        *self.entries[id].get_or_init(|| {
            let mut hasher = Digest::new();
            (self.config, self.entry_hash(id)).hash(&mut hasher);
            hasher.finish()
        })
    }

    /// Hashes what `Entry::new` and the writers read of page `id`: its HTML, and the rest,
    /// which its light view reads too (URL, title, dates, authors, summary, terms and their
    /// names), so the light view's key stands for it.
    fn entry_hash(&self, id: PageId) -> u64 {
        let page = &self.site.pages[id];
        let mut hasher = Digest::new();
        (self.light_keys[id], self.previous.html.hash(&page.content)).hash(&mut hasher);
        hasher.finish()
    }
}

/// The dated pages among `ids`, newest first (ties by path), cut to `feed_limit`.
fn entries(site: &Site, ids: impl IntoIterator<Item = PageId>) -> Vec<PageId> {
    let pages = &site.pages;
    // Each date read once; ties by id are ties by path, the order pages have. Only the
    // newest `feed_limit` are sorted: the site's feed picks 20 of every page.
    let mut dated: Vec<(PageDate, PageId)> =
        ids.into_iter().filter_map(|id| Some((pages[id].date?, id))).collect();
    let newest_first = |a: &(PageDate, PageId), b: &(PageDate, PageId)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    let limit = site.config.feed_limit;
    if limit > 0 && dated.len() > limit {
        dated.select_nth_unstable_by(limit - 1, newest_first);
        dated.truncate(limit);
    }
    dated.sort_unstable_by(newest_first);
    dated.into_iter().map(|(_, id)| id).collect()
}

/// [`entries`] of `ids`, a list in date order (the newest first, the undated last, ties by
/// path, as sections sorted by date and terms have it): its head, without reading the date
/// of every page. Tag feeds read 30,000 page dates at 10,000 posts.
fn newest_of_sorted(site: &Site, ids: &[PageId]) -> Vec<PageId> {
    let limit = if site.config.feed_limit == 0 { usize::MAX } else { site.config.feed_limit };
    let newest: Vec<PageId> =
        ids.iter().copied().take_while(|&id| site.pages[id].date.is_some()).take(limit).collect();
    debug_assert_eq!(newest, entries(site, ids.iter().copied()), "a list in date order");
    newest
}

/// What a feed says about one page.
struct Entry<'a> {
    page: &'a Page,
    permalink: String,
    published: PageDate,
    updated: PageDate,
    /// The summary HTML with absolute URLs, if the page has one.
    summary: Option<String>,
    /// The full HTML with absolute URLs, when the feed carries full content.
    content: Option<String>,
    /// Names of the page's terms, all taxonomies together.
    categories: Vec<&'a str>,
}

impl<'a> Entry<'a> {
    fn new(site: &'a Site, page: &'a Page) -> Entry<'a> {
        let permalink = url::permalink(&site.config.base_url, &page.url_path);
        let published = page.date.expect("feeds hold dated pages only");
        let summary = page.summary.as_deref().map(|html| absolutize(html, &permalink).into_owned());
        let content = match site.config.feed_content {
            FeedContent::Full => Some(absolutize(&page.content, &permalink).into_owned()),
            FeedContent::Summary => None,
        };
        let categories = site.taxonomies.iter().flat_map(|t| t.terms_of(page)).map(|(_, t)| t.name.as_str());
        Entry {
            page,
            permalink,
            published,
            updated: page.updated.unwrap_or(published).max(published),
            summary,
            content,
            categories: categories.collect(),
        }
    }
}

impl EntryXml {
    /// `entry` as an Atom `<entry>` and an RSS `<item>`.
    fn new(entry: &Entry<'_>) -> EntryXml {
        EntryXml { atom: atom_entry(entry), rss: rss_item(entry), updated: entry.updated }
    }
}

fn atom_entry(entry: &Entry<'_>) -> String {
    let mut out = String::with_capacity(1024 + entry.content.as_ref().map_or(0, String::len) * 11 / 10);
    out.push_str("  <entry>\n");
    element(&mut out, 4, "title", &entry.page.title);
    let _ = writeln!(
        out,
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&entry.permalink)
    );
    element(&mut out, 4, "id", &entry.permalink);
    element(&mut out, 4, "published", &entry.published.to_rfc3339());
    element(&mut out, 4, "updated", &entry.updated.to_rfc3339());
    for name in &entry.page.authors {
        let _ = writeln!(out, "    <author>\n      <name>{}</name>\n    </author>", escape(name));
    }
    for name in &entry.categories {
        let _ = writeln!(out, "    <category term=\"{}\"/>", escape(name));
    }
    if let Some(summary) = &entry.summary {
        let _ = writeln!(out, "    <summary type=\"html\">{}</summary>", escape(summary));
    }
    if let Some(content) = &entry.content {
        let _ = writeln!(
            out,
            "    <content type=\"html\" xml:base=\"{}\">{}</content>",
            escape(&entry.permalink),
            escape(content)
        );
    }
    out.push_str("  </entry>\n");
    out
}

fn rss_item(entry: &Entry<'_>) -> String {
    let mut out = String::with_capacity(1024 + entry.content.as_ref().map_or(0, String::len) * 11 / 10);
    out.push_str("    <item>\n");
    element(&mut out, 6, "title", &entry.page.title);
    element(&mut out, 6, "link", &entry.permalink);
    let _ = writeln!(out, "      <guid isPermaLink=\"true\">{}</guid>", escape(&entry.permalink));
    element(&mut out, 6, "pubDate", &entry.published.to_rfc2822());
    for name in &entry.page.authors {
        element(&mut out, 6, "dc:creator", name);
    }
    for name in &entry.categories {
        element(&mut out, 6, "category", name);
    }
    if let Some(html) = entry.content.as_ref().or(entry.summary.as_ref()) {
        element(&mut out, 6, "description", html);
    }
    out.push_str("    </item>\n");
    out
}

struct FeedContext<'a> {
    site: &'a Site,
    feed: &'a Feed,
    entries: &'a [Arc<EntryXml>],
}

impl FeedContext<'_> {
    fn permalink(&self, file: &str) -> String {
        url::permalink(&self.site.config.base_url, &format!("{}{file}", self.feed.url_path))
    }

    fn updated(&self) -> Option<PageDate> {
        self.entries.iter().map(|e| e.updated).max()
    }

    fn atom(&self) -> String {
        let config = &self.site.config;
        let mut out = String::with_capacity(4096 + self.entries.iter().map(|e| e.atom.len()).sum::<usize>());
        out.push_str(xml::DECLARATION);
        let _ = writeln!(
            out,
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
            escape(&config.language)
        );
        element(&mut out, 2, "title", &self.feed.title);
        if !self.feed.description.is_empty() {
            element(&mut out, 2, "subtitle", &self.feed.description);
        }
        let self_link = self.permalink("atom.xml");
        let _ = writeln!(
            out,
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
            escape(&self_link)
        );
        let _ = writeln!(
            out,
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&self.permalink(""))
        );
        element(&mut out, 2, "id", &self_link);
        element(
            &mut out,
            2,
            "updated",
            &self.updated().map_or_else(|| EPOCH.to_string(), |d| d.to_rfc3339()),
        );
        let author = if config.author.is_empty() { &self.feed.title } else { &config.author };
        let _ = writeln!(out, "  <author>\n    <name>{}</name>\n  </author>", escape(author));
        element(&mut out, 2, "generator", "Quire");
        for entry in self.entries {
            out.push_str(&entry.atom);
        }
        out.push_str("</feed>\n");
        out
    }

    fn rss(&self) -> String {
        let config = &self.site.config;
        let mut out = String::with_capacity(4096 + self.entries.iter().map(|e| e.rss.len()).sum::<usize>());
        out.push_str(xml::DECLARATION);
        out.push_str(
            "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n  <channel>\n",
        );
        element(&mut out, 4, "title", &self.feed.title);
        element(&mut out, 4, "link", &self.permalink(""));
        let description =
            if self.feed.description.is_empty() { &self.feed.title } else { &self.feed.description };
        element(&mut out, 4, "description", description);
        element(&mut out, 4, "language", &config.language);
        element(&mut out, 4, "generator", "Quire");
        if let Some(updated) = self.updated() {
            element(&mut out, 4, "lastBuildDate", &updated.to_rfc2822());
        }
        let _ = writeln!(
            out,
            "    <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
            escape(&self.permalink("rss.xml"))
        );
        for entry in self.entries {
            out.push_str(&entry.rss);
        }
        out.push_str("  </channel>\n</rss>\n");
        out
    }
}
