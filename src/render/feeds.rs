//! Feeds: Atom (`atom.xml`), RSS 2.0 (`rss.xml`) and JSON Feed 1.1 (`feed.json`), in the
//! formats of `feed_formats` under the names of `feed_filenames`, for the site, for sections
//! with `generate_feeds: true`, and for the terms of taxonomies with `feed = true`.
//!
//! Entries are the dated pages, newest first, at most `feed_limit` of them, with every
//! relative URL in their HTML made absolute against the page's permalink. The XML is
//! written here with `xml::escape` on everything that comes from the site, the JSON with
//! serde_json. Templates play no part: a feed's shape is fixed by its format (a template
//! under `templates/outputs/` can replace a feed's file).
//!
//! Writing is two pure steps, each called through the run's memos: each entry once per
//! format ([`write_entry`] of an [`Entry`]), then each feed's files from its settings and its
//! written entries ([`files`] of a [`FeedSource`]). A feed is written again only when one
//! of those changed, and then from the entries already written.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::config::{Config, FeedContent, FeedFormat};
use rayon::prelude::*;

use crate::incremental::{Memos, Same};
use crate::parse::date::PageDate;
use crate::parse::front_matter::SortBy;
use crate::render::absolute_urls::absolutize;
use crate::render::bodies::Bodies;
use crate::render::xml::{self, element, escape};
use crate::render::RenderStats;
use crate::render::RenderedFile;
use crate::site::{url, PageId, Site};

/// The `updated` of a feed without entries: a fixed moment, so that an empty feed's bytes
/// don't change from one build to the next.
const EPOCH: &str = "1970-01-01T00:00:00Z";

/// One feed, in every format of `feed_formats`.
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

/// The output path of the file named `file_name` of the feed at `url_path`: `blog/atom.xml`.
fn output_path(url_path: &str, file_name: &str) -> String {
    format!("{}{file_name}", url_path.trim_start_matches('/'))
}

impl Feed {
    /// The output paths of its files, one per format of `config`: `blog/atom.xml`, ...
    pub fn output_paths<'a>(&'a self, config: &'a Config) -> impl Iterator<Item = String> + 'a {
        let names = &config.feed_filenames;
        config.feed_formats.iter().map(move |&format| output_path(&self.url_path, names.of(format)))
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

/// The files of `feeds`, each entry written once whichever feeds hold it, with how many
/// were written and how many were the same as last run's: entries and files are written
/// through `memos` from what they are written from ([`Entry`], [`FeedSource`]).
pub fn render(
    site: &Site,
    bodies: &Bodies,
    feeds: &[Feed],
    memos: &Memos,
) -> (Vec<RenderedFile>, RenderStats) {
    let mut held: Vec<PageId> = feeds.iter().flat_map(|feed| feed.pages.iter().copied()).collect();
    held.sort_unstable();
    held.dedup();
    let formats = Formats::of(&site.config);
    let write_entry = memos.digested_function(write_entry);
    let written: Vec<Arc<WrittenEntry>> =
        held.par_iter().map(|&id| write_entry.call(&Entry::of(site, bodies, id, formats))).collect();
    let mut entries: Vec<Option<Arc<WrittenEntry>>> = vec![None; site.pages.len()];
    for (id, entry) in held.into_iter().zip(written) {
        entries[id] = Some(entry);
    }
    let write_files = memos.function(files);
    let written: Vec<Arc<[RenderedFile]>> =
        feeds.par_iter().map(|feed| write_files.call(FeedSource::new(site, feed, &entries))).collect();
    let files: Vec<RenderedFile> = written.iter().flat_map(|files| files.iter().cloned()).collect();
    let per_feed = site.config.feed_formats.len();
    let rendered = write_files.computed() * per_feed;
    (files, RenderStats { rendered, reused: feeds.len() * per_feed - rendered })
}

/// Which formats an entry is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Formats {
    atom: bool,
    rss: bool,
    json: bool,
}

impl Formats {
    /// The formats of `feed_formats`.
    fn of(config: &Config) -> Formats {
        let has = |format| config.feed_formats.contains(&format);
        Formats { atom: has(FeedFormat::Atom), rss: has(FeedFormat::Rss), json: has(FeedFormat::Json) }
    }
}

/// What a feed's files are written from: its own text, the site's settings it reads, and
/// its entries as written (the very values [`write_entry`] gave).
#[derive(PartialEq, Eq, Hash)]
pub struct FeedSource {
    url_path: String,
    title: String,
    description: String,
    base_url: String,
    language: String,
    /// The site's `author`, or the feed's title when it has none.
    author: String,
    /// Each format written, with its file name, in the order of `feed_formats`.
    formats: Vec<(FeedFormat, String)>,
    entries: Vec<Same<WrittenEntry>>,
}

impl FeedSource {
    /// The source of `feed`, with each page's written entry from `entries` (by page id).
    pub fn new(site: &Site, feed: &Feed, entries: &[Option<Arc<WrittenEntry>>]) -> FeedSource {
        let config = &site.config;
        let entry =
            |id: PageId| Same(Arc::clone(entries[id].as_ref().expect("each entry of a feed is written")));
        FeedSource {
            url_path: feed.url_path.clone(),
            title: feed.title.clone(),
            description: feed.description.clone(),
            base_url: config.base_url.clone(),
            language: config.language.clone(),
            author: if config.author.is_empty() { feed.title.clone() } else { config.author.clone() },
            formats: config
                .feed_formats
                .iter()
                .map(|&format| (format, config.feed_filenames.of(format).to_string()))
                .collect(),
            entries: feed.pages.iter().map(|&id| entry(id)).collect(),
        }
    }
}

/// The feed's files, one per format of `feed_formats`.
pub fn files(source: &FeedSource) -> Arc<[RenderedFile]> {
    let file = |(format, file_name): &(FeedFormat, String)| {
        let text = match format {
            FeedFormat::Atom => source.atom(),
            FeedFormat::Rss => source.rss(),
            FeedFormat::Json => source.json(),
        };
        RenderedFile {
            output_path: output_path(&source.url_path, file_name),
            contents: text.into_bytes().into(),
        }
    };
    source.formats.iter().map(file).collect()
}

/// One entry as written into each format (empty for a format the site does not write).
#[derive(Debug)]
pub struct WrittenEntry {
    atom: String,
    rss: String,
    /// A JSON Feed item: one JSON object.
    json: String,
    /// The entry's `updated` (its date, or its later update), which the feed's own reads.
    updated: PageDate,
}

/// `entry` as an Atom `<entry>` and an RSS `<item>`, with the URLs in its HTML made
/// absolute (a millisecond per feed and format at full content: written once per entry).
pub fn write_entry(entry: &Entry<'_>) -> Arc<WrittenEntry> {
    let absolute = |html: &str| absolutize(html, &entry.permalink).into_owned();
    let html = Html { summary: entry.summary.map(absolute), content: entry.content.map(absolute) };
    let formats = entry.formats;
    Arc::new(WrittenEntry {
        atom: if formats.atom { atom_entry(entry, &html) } else { String::new() },
        rss: if formats.rss { rss_item(entry, &html) } else { String::new() },
        json: if formats.json { json_item(entry, &html) } else { String::new() },
        updated: entry.updated,
    })
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

/// What a feed says about one page: everything its entry is written from, borrowed from
/// the site.
#[derive(Hash)]
pub struct Entry<'a> {
    title: &'a str,
    permalink: String,
    published: PageDate,
    updated: PageDate,
    authors: &'a [String],
    /// Names of the page's terms, all taxonomies together.
    categories: Vec<&'a str>,
    /// The summary HTML, if the page has one.
    summary: Option<&'a str>,
    /// The full HTML, when the feed carries full content.
    content: Option<&'a str>,
    /// The formats it is written in.
    formats: Formats,
}

impl<'a> Entry<'a> {
    /// The entry of page `id`, a dated page, showing its `bodies`.
    pub fn of(site: &'a Site, bodies: &'a Bodies, id: PageId, formats: Formats) -> Entry<'a> {
        let page = &site.pages[id];
        let body = &bodies.pages[id];
        let published = page.date.expect("feeds hold dated pages only");
        let categories = site.taxonomies.iter().flat_map(|t| t.terms_of(page)).map(|(_, t)| t.name.as_str());
        Entry {
            title: &page.title,
            permalink: url::permalink(&site.config.base_url, &page.url_path),
            published,
            updated: page.updated.unwrap_or(published).max(published),
            authors: &page.authors,
            categories: categories.collect(),
            summary: body.summary.as_deref(),
            content: match site.config.feed_content {
                FeedContent::Full => Some(&body.content),
                FeedContent::Summary => None,
            },
            formats,
        }
    }
}

/// An entry's HTML with absolute URLs.
struct Html {
    summary: Option<String>,
    content: Option<String>,
}

fn atom_entry(entry: &Entry<'_>, html: &Html) -> String {
    let mut out = String::with_capacity(1024 + html.content.as_ref().map_or(0, String::len) * 11 / 10);
    out.push_str("  <entry>\n");
    element(&mut out, 4, "title", entry.title);
    let _ = writeln!(
        out,
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&entry.permalink)
    );
    element(&mut out, 4, "id", &entry.permalink);
    element(&mut out, 4, "published", &entry.published.to_rfc3339());
    element(&mut out, 4, "updated", &entry.updated.to_rfc3339());
    for name in entry.authors {
        let _ = writeln!(out, "    <author>\n      <name>{}</name>\n    </author>", escape(name));
    }
    for name in &entry.categories {
        let _ = writeln!(out, "    <category term=\"{}\"/>", escape(name));
    }
    if let Some(summary) = &html.summary {
        let _ = writeln!(out, "    <summary type=\"html\">{}</summary>", escape(summary));
    }
    if let Some(content) = &html.content {
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

/// A JSON Feed 1.1 item (<https://www.jsonfeed.org/version/1.1/>): `id` and `url` the
/// permalink, `content_html` the content (or the summary, in a summary feed).
fn json_item(entry: &Entry<'_>, html: &Html) -> String {
    let item = JsonItem {
        id: &entry.permalink,
        url: &entry.permalink,
        title: entry.title,
        content_html: html.content.as_ref().or(html.summary.as_ref()).map_or("", String::as_str),
        date_published: entry.published.to_rfc3339(),
        date_modified: entry.updated.to_rfc3339(),
        authors: entry.authors.iter().map(|name| JsonAuthor { name }).collect(),
        tags: &entry.categories,
    };
    serde_json::to_string(&item).expect("strings are written as JSON")
}

/// A JSON Feed item, its fields in the spec's order.
#[derive(serde::Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [&'a str],
}

/// A JSON Feed author: `{ "name": … }`.
#[derive(serde::Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
}

/// The top of a JSON Feed, before its items.
#[derive(serde::Serialize)]
struct JsonHead<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    language: &'a str,
    authors: [JsonAuthor<'a>; 1],
}

fn rss_item(entry: &Entry<'_>, html: &Html) -> String {
    let mut out = String::with_capacity(1024 + html.content.as_ref().map_or(0, String::len) * 11 / 10);
    out.push_str("    <item>\n");
    element(&mut out, 6, "title", entry.title);
    element(&mut out, 6, "link", &entry.permalink);
    let _ = writeln!(out, "      <guid isPermaLink=\"true\">{}</guid>", escape(&entry.permalink));
    element(&mut out, 6, "pubDate", &entry.published.to_rfc2822());
    for name in entry.authors {
        element(&mut out, 6, "dc:creator", name);
    }
    for name in &entry.categories {
        element(&mut out, 6, "category", name);
    }
    if let Some(html) = html.content.as_ref().or(html.summary.as_ref()) {
        element(&mut out, 6, "description", html);
    }
    out.push_str("    </item>\n");
    out
}

impl FeedSource {
    fn permalink(&self, file: &str) -> String {
        url::permalink(&self.base_url, &format!("{}{file}", self.url_path))
    }

    /// The file name of `format`, one of the feed's formats.
    fn file_name(&self, format: FeedFormat) -> &str {
        let written = self.formats.iter().find(|(f, _)| *f == format);
        written.map(|(_, name)| name.as_str()).expect("a feed is written only in its formats")
    }

    /// The feed as JSON Feed 1.1, its items one a line.
    fn json(&self) -> String {
        let head = JsonHead {
            version: "https://jsonfeed.org/version/1.1",
            title: &self.title,
            home_page_url: self.permalink(""),
            feed_url: self.permalink(self.file_name(FeedFormat::Json)),
            description: &self.description,
            language: &self.language,
            authors: [JsonAuthor { name: &self.author }],
        };
        let head = serde_json::to_string(&head).expect("strings are written as JSON");
        let mut out = String::with_capacity(
            head.len() + 16 + self.entries.iter().map(|e| e.json.len() + 2).sum::<usize>(),
        );
        // The head without its closing brace, then the items.
        out.push_str(&head[..head.len() - 1]);
        out.push_str(",\"items\":[");
        for (index, entry) in self.entries.iter().enumerate() {
            out.push_str(if index == 0 { "\n" } else { ",\n" });
            out.push_str(&entry.json);
        }
        out.push_str("\n]}\n");
        out
    }

    fn updated(&self) -> Option<PageDate> {
        self.entries.iter().map(|e| e.updated).max()
    }

    fn atom(&self) -> String {
        let mut out = String::with_capacity(4096 + self.entries.iter().map(|e| e.atom.len()).sum::<usize>());
        out.push_str(xml::DECLARATION);
        let _ = writeln!(
            out,
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
            escape(&self.language)
        );
        element(&mut out, 2, "title", &self.title);
        if !self.description.is_empty() {
            element(&mut out, 2, "subtitle", &self.description);
        }
        let self_link = self.permalink(self.file_name(FeedFormat::Atom));
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
        let _ = writeln!(out, "  <author>\n    <name>{}</name>\n  </author>", escape(&self.author));
        element(&mut out, 2, "generator", "Quire");
        for entry in &self.entries {
            out.push_str(&entry.atom);
        }
        out.push_str("</feed>\n");
        out
    }

    fn rss(&self) -> String {
        let mut out = String::with_capacity(4096 + self.entries.iter().map(|e| e.rss.len()).sum::<usize>());
        out.push_str(xml::DECLARATION);
        out.push_str(
            "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n  <channel>\n",
        );
        element(&mut out, 4, "title", &self.title);
        element(&mut out, 4, "link", &self.permalink(""));
        let description = if self.description.is_empty() { &self.title } else { &self.description };
        element(&mut out, 4, "description", description);
        element(&mut out, 4, "language", &self.language);
        element(&mut out, 4, "generator", "Quire");
        if let Some(updated) = self.updated() {
            element(&mut out, 4, "lastBuildDate", &updated.to_rfc2822());
        }
        let _ = writeln!(
            out,
            "    <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
            escape(&self.permalink(self.file_name(FeedFormat::Rss)))
        );
        for entry in &self.entries {
            out.push_str(&entry.rss);
        }
        out.push_str("  </channel>\n</rss>\n");
        out
    }
}
