//! Stage 3, model: `Site`, its pages, sections and taxonomies, as plain finished data.
//!
//! This stage decides URLs, membership, order, neighbours and pagination. It reads no file and
//! renders nothing; every value is complete when constructed.

pub mod archive;
pub mod layout;
pub mod links;
pub mod pagination;
pub mod permalinks;
pub mod reuse;
pub mod schedule;
pub mod series;
pub mod taxonomy;
pub mod url;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use jiff::Timestamp;
use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Error, Location, Result, UrlOwner};
use crate::load::AssetFile;
use crate::parse::date::PageDate;
use crate::parse::front_matter::{Render, SortBy};
use crate::parse::markdown::{self, LinkKind, TocEntry};
use crate::parse::shortcodes::ShortcodeCall;
use crate::parse::Document;
use crate::project::Drafts;
use crate::shared_text::SharedText;
use crate::value::Table;
use archive::Archive;
use layout::Layout;
use pagination::Pager;
use reuse::{FilledPage, Kept};
use schedule::{HeldBack, PageDates, Schedule, Status};
pub use taxonomy::{Taxonomy, Term};

/// Index of a page in `Site::pages`.
pub type PageId = usize;
/// Index of a section in `Site::sections`.
pub type SectionId = usize;

/// Words read per minute, for `reading_time`.
const WORDS_PER_MINUTE: usize = 200;

/// Chinese and Japanese characters read per minute, for `reading_time`: silent reading is
/// measured at roughly 250 to 500 characters a minute in those languages; this takes a
/// middle, unhurried figure, as 200 words a minute is for English.
const IDEOGRAPHS_PER_MINUTE: usize = 300;

/// Minutes to read `words`, of which `ideographic` are Chinese or Japanese characters, at
/// least 1.
fn reading_time(words: usize, ideographic: usize) -> usize {
    let spaced = words.saturating_sub(ideographic);
    // In 1/(WORDS_PER_MINUTE × IDEOGRAPHS_PER_MINUTE) minutes, to stay in whole numbers.
    let units = spaced * IDEOGRAPHS_PER_MINUTE + ideographic * WORDS_PER_MINUTE;
    units.div_ceil(WORDS_PER_MINUTE * IDEOGRAPHS_PER_MINUTE).max(1)
}

/// The whole site, ready to render.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site's settings.
    pub config: Config,
    /// Every published page, in content path order. Boxed: a page is about 650 bytes, and
    /// `serve` moves every page from run to run (ten thousand moves were megabytes copied).
    pub pages: Vec<Box<Page>>,
    /// Every section; the home section first.
    pub sections: Vec<Section>,
    /// The configured taxonomies with their terms.
    pub taxonomies: Vec<Taxonomy>,
    /// Every dated page by year and month, for the archive page.
    pub archive: Archive,
    /// Posts that belong together, each with its parts in order.
    pub series: Vec<series::Series>,
    /// Files from `content/` to copy, with where they go.
    pub assets: Vec<Asset>,
    /// Redirect pages: old URL → new URL.
    pub redirects: Vec<Redirect>,
    /// Pages left out because of their dates.
    pub held_back: HeldBack,
    /// Things worth telling the user that don't stop the build (merged term spellings).
    pub warnings: Vec<String>,
    /// The digest of what the sections' page lists, the terms and the archive were computed
    /// from; `None` for a run that keeps nothing for the next.
    pub layout_digest: Option<u64>,
}

/// A page: a Markdown file that is not `_index.md`.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to `content/`: `blog/first.md`.
    pub content_path: String,
    /// The path shown to the user: `content/blog/first.md`.
    pub display_path: PathBuf,
    /// Title from front matter, first heading, or file name.
    pub title: String,
    /// `description`.
    pub description: Option<String>,
    /// From front matter, else from a `YYYY-MM-DD-` file name.
    pub date: Option<PageDate>,
    /// `updated`.
    pub updated: Option<PageDate>,
    /// Only true in `--drafts` builds.
    pub draft: bool,
    /// The last URL segment.
    pub slug: String,
    /// `/blog/first/`.
    pub url_path: String,
    /// The front matter line that set the URL (`path`, `url`, `permalink`, `slug`), if any.
    pub url_line: Option<usize>,
    /// Old URLs redirecting here.
    pub aliases: Vec<String>,
    /// Terms by taxonomy name.
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// Author names.
    pub authors: Vec<String>,
    /// Template from front matter.
    pub template: Option<String>,
    /// Jekyll's `layout`: `LAYOUT.html` is the template if the theme has one.
    pub layout: Option<String>,
    /// `weight`.
    pub weight: Option<i64>,
    /// Whether the page gets an output file and appears in lists (Zola's `render = false`).
    pub render: Render,
    /// Unknown front matter keys.
    pub extra: Table,
    /// The body as HTML; shortcode calls are still placeholders, expanded by the renderer.
    /// Shared with the parsed document until links are written into it.
    pub content: SharedText,
    /// The summary as HTML, if any (with placeholders, like `content`).
    pub summary: Option<String>,
    /// The body's headings, nested.
    pub toc: Vec<TocEntry>,
    /// The links and images written in the body, with where they point.
    pub links: Vec<ContentLink>,
    /// A digest of `links` (as written, resolved, lines), set when they are resolved: the
    /// link check's input digest reads it instead of every link of every page each run.
    pub links_digest: u64,
    /// The shortcode calls whose placeholders are in `content` and `summary`.
    pub shortcodes: Vec<ShortcodeCall>,
    /// Words in the body.
    pub word_count: usize,
    /// Minutes to read, at least 1.
    pub reading_time: usize,
    /// Files beside a bundle's `index.md`, relative to it.
    pub assets: Vec<String>,
    /// The section listing this page, if its folder has an `_index.md`.
    pub section: Option<SectionId>,
    /// The previous page in the section's order (newer, for date order).
    pub newer: Option<PageId>,
    /// The next page in the section's order (older, for date order).
    pub older: Option<PageId>,
    /// The page's series, an index in `Site::series`.
    pub series: Option<usize>,
    /// Digests of what `build_page` set, for `serve`'s reuse checks.
    pub digests: BuiltDigests,
}

/// A section: a folder with an `_index.md` (the home page is the root section).
#[derive(Debug, Clone)]
pub struct Section {
    /// `blog/_index.md`; `_index.md` for home, also when the file does not exist.
    pub content_path: String,
    /// The path shown to the user.
    pub display_path: PathBuf,
    /// Title from front matter (the site title for an implicit home).
    pub title: String,
    /// `description`.
    pub description: Option<String>,
    /// The body as HTML, with shortcode placeholders.
    pub content: SharedText,
    /// The body's headings, nested.
    pub toc: Vec<TocEntry>,
    /// The links and images written in the body, with where they point.
    pub links: Vec<ContentLink>,
    /// A digest of `links` (as written, resolved, lines), set when they are resolved: the
    /// link check's input digest reads it instead of every link of every page each run.
    pub links_digest: u64,
    /// The shortcode calls whose placeholders are in `content`.
    pub shortcodes: Vec<ShortcodeCall>,
    /// `/blog/`.
    pub url_path: String,
    /// Unknown front matter keys.
    pub extra: Table,
    /// Template for the section (default `section.html`, `index.html` for home).
    pub template: Option<String>,
    /// Template for its pages.
    pub page_template: Option<String>,
    /// Its pages, in order.
    pub pages: Vec<PageId>,
    /// Sections in its subfolders.
    pub subsections: Vec<SectionId>,
    /// How its pages are ordered.
    pub sort_by: SortBy,
    /// Pages per pager.
    pub paginate_by: usize,
    /// The pagers of its page list.
    pub pagers: Vec<Pager>,
    /// Whether it has its own `atom.xml` and `rss.xml`.
    pub generate_feeds: bool,
    /// Whether its list pages are written (Zola's `render = false`).
    pub render: Render,
    /// Whether its pages are also listed in its parent section (Zola's `transparent`).
    pub transparent: bool,
}

/// A link or image written in Markdown, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentLink {
    /// As written: `../other/`, `@/blog/post.md#setup`.
    pub written: String,
    /// Where it points in the HTML: a permalink, or as written.
    pub resolved: String,
    /// The 1-based file line.
    pub line: usize,
    /// Link or image.
    pub kind: LinkKind,
}

/// A file copied from `content/` into the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Path relative to `content/`: `blog/bundle/photo.jpg`.
    pub content_path: String,
    /// The file on disk.
    pub source_path: PathBuf,
    /// Where it goes under the output folder.
    pub output_path: String,
}

/// A page that sends the browser elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The old URL path.
    pub url_path: String,
    /// The URL path it points to.
    pub target: String,
    /// The file that asked for it.
    pub display_path: PathBuf,
}

/// Everything the model needs besides the parsed documents.
#[derive(Debug)]
pub struct ModelInput<'a> {
    /// The site's settings.
    pub config: Config,
    /// Parsed content files, shared with the parse stage's cache in `quire serve`.
    pub documents: Vec<Arc<Document>>,
    /// Non-Markdown files from `content/`.
    pub content_assets: Vec<AssetFile>,
    /// Whether drafts are kept.
    pub drafts: Drafts,
    /// The build's moment, and whether scheduled and expired pages are kept.
    pub schedule: Schedule,
    /// What the previous run of the model kept (`quire serve`), updated to this run's;
    /// `None` keeps nothing (`quire build`).
    pub kept: Option<&'a mut Kept>,
}

impl Page {
    /// Whether the page gets an output file (Zola's `render = false` says no).
    pub fn is_rendered(&self) -> bool {
        self.render == Render::Yes
    }
}

impl Site {
    /// Builds the site model.
    ///
    /// # Errors
    /// Invalid `slug`/`path` values and URLs claimed by two sources, all reported together.
    pub fn build(input: ModelInput<'_>) -> Result<Site> {
        let ModelInput { config, documents, content_assets, drafts, schedule, mut kept } = input;
        let started = std::time::Instant::now();
        let lap = |what: &str| log::debug!("model: {what} at {:?}", started.elapsed());
        let mut errors = Vec::new();
        let (section_docs, page_docs): (Vec<Arc<Document>>, Vec<Arc<Document>>) =
            documents.into_iter().partition(|doc| doc.is_section());

        let warnings: Vec<String> =
            section_docs.iter().chain(&page_docs).flat_map(|doc| doc.warnings.iter().cloned()).collect();
        let mut sections =
            build_sections(section_docs.into_iter().map(Arc::unwrap_or_clone), &config, &mut errors);
        let section_by_dir: HashMap<String, SectionId> =
            sections.iter().enumerate().map(|(id, s)| (dir_of(&s.content_path).to_string(), id)).collect();

        let mut held_back = HeldBack::default();
        // Each document's front matter read in parallel: they lie scattered in memory.
        let statuses: Vec<Option<(Status, Option<Timestamp>)>> = page_docs
            .par_iter()
            .map(|doc| {
                let fm = &doc.front_matter;
                if drafts == Drafts::Exclude && fm.draft {
                    return None;
                }
                let dates =
                    PageDates { date: doc.publication_date(), updated: fm.updated, expires: fm.expires };
                Some((schedule.status(dates), schedule.next_change(dates)))
            })
            .collect();
        let published: Vec<Arc<Document>> = page_docs
            .into_iter()
            .zip(statuses)
            .filter_map(|(doc, status)| {
                let Some((status, next_change)) = status else {
                    held_back.drafts += 1;
                    return None;
                };
                held_back.count(status);
                held_back.note_change(next_change);
                (status == Status::Published).then_some(doc)
            })
            .collect();
        let reuse::BuiltPages { mut pages, sources, mut carried } =
            reuse::build_pages(published, kept.as_deref_mut(), &section_by_dir, &config, &mut errors);
        lap("built pages");
        let assets = place_assets(content_assets, &mut pages);
        if let Some(kept) = kept.as_deref_mut() {
            // A taken page keeps its link URLs only if every link target is where it was.
            let targets = reuse::targets_digest(&config.base_url, &pages, &sections, &assets);
            if !kept.same_targets(targets) {
                for ((page, carried), doc) in pages.iter_mut().zip(&mut carried).zip(&sources) {
                    if std::mem::take(carried) {
                        reuse::as_parsed(page, doc);
                    }
                }
            }
            kept.set_sources(sources, targets);
        }
        resolve_links(
            &config.base_url,
            &mut pages,
            &mut sections,
            &assets,
            &carried,
            kept.as_deref_mut(),
            &mut errors,
        );
        lap("resolved links");
        let keeps = kept.is_some();
        let layout = match kept {
            // A watched run gets the last layout back while no page moved in it.
            Some(kept) => {
                let digest = layout::digest(&config, &sections, &pages);
                match kept.layout(digest).cloned() {
                    Some(layout) => {
                        layout.apply(&mut sections, &mut pages);
                        kept.set_layout(None);
                        layout
                    }
                    None => {
                        let layout = Layout::compute(digest, &config, &mut sections, &mut pages, &mut errors);
                        kept.set_layout(Some(layout.clone()));
                        layout
                    }
                }
            }
            None => Layout::compute(0, &config, &mut sections, &mut pages, &mut errors),
        };
        lap("laid out sections and taxonomies");
        // Grouped on every run, carried pages too: a part added or retitled changes the others.
        let series = series::collect(&mut pages);

        match Error::from_list(errors) {
            Some(error) => Err(error),
            None => Ok(Site {
                config,
                pages,
                sections,
                layout_digest: keeps.then(|| layout.digest()),
                taxonomies: layout.taxonomies,
                archive: layout.archive,
                series,
                assets,
                redirects: layout.redirects,
                held_back,
                warnings: warnings.into_iter().chain(layout.warnings).collect(),
            }),
        }
    }

    /// The page at `content_path` (`blog/first.md`), if published.
    pub fn page_by_content_path(&self, content_path: &str) -> Option<&Page> {
        self.pages
            .binary_search_by(|p| p.content_path.as_str().cmp(content_path))
            .ok()
            .map(|id| &*self.pages[id])
    }

    /// The section at `content_path` (`blog/_index.md`).
    pub fn section_by_content_path(&self, content_path: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.content_path == content_path)
    }
}

/// The folder of a content path: `blog/_index.md` → `blog`, `_index.md` → ``.
fn dir_of(content_path: &str) -> &str {
    content_path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The URL path of a content folder: `Blog/Old Posts` → `/blog/old-posts/`.
fn dir_url_path(dir: &str) -> String {
    let mut url = String::from("/");
    for segment in dir.split('/').filter(|s| !s.is_empty()) {
        url.push_str(&url::slugify(segment));
        url.push('/');
    }
    url
}

fn build_sections(
    docs: impl Iterator<Item = Document>,
    config: &Config,
    errors: &mut Vec<Error>,
) -> Vec<Section> {
    let mut sections: Vec<Section> = docs
        .filter_map(|doc| {
            let url_path = match &doc.front_matter.path {
                Some(path) => match url::url_path_from_user_path(path) {
                    Ok(url_path) => url_path,
                    Err(detail) => {
                        errors.push(invalid_url(&doc, "path", detail));
                        return None;
                    }
                },
                None => dir_url_path(dir_of(&doc.content_path)),
            };
            let fm = doc.front_matter;
            Some(Section {
                title: fm.title.unwrap_or_else(|| {
                    doc.body.first_heading.clone().unwrap_or_else(|| config.title.clone())
                }),
                description: fm.description,
                content: doc.body.html,
                toc: doc.body.toc,
                links: unresolved(doc.body.links),
                links_digest: 0,
                shortcodes: doc.body.shortcodes,
                url_path,
                extra: fm.extra,
                template: fm.template,
                page_template: fm.page_template,
                pages: Vec::new(),
                subsections: Vec::new(),
                sort_by: fm.sort_by.unwrap_or(SortBy::Date),
                paginate_by: fm.paginate_by.unwrap_or(config.paginate_by),
                pagers: Vec::new(),
                generate_feeds: fm.generate_feeds && fm.render == Render::Yes,
                render: fm.render,
                transparent: fm.transparent,
                content_path: doc.content_path,
                display_path: doc.display_path,
            })
        })
        .collect();
    if !sections.iter().any(|s| dir_of(&s.content_path).is_empty()) {
        sections.push(Section {
            content_path: "_index.md".into(),
            display_path: PathBuf::from("content/_index.md"),
            title: config.title.clone(),
            description: None,
            content: SharedText::default(),
            toc: Vec::new(),
            links: Vec::new(),
            links_digest: links_digest(&[]),
            shortcodes: Vec::new(),
            url_path: "/".into(),
            extra: Table::new(),
            template: None,
            page_template: None,
            pages: Vec::new(),
            subsections: Vec::new(),
            sort_by: SortBy::Date,
            paginate_by: config.paginate_by,
            pagers: Vec::new(),
            generate_feeds: false,
            render: Render::Yes,
            transparent: false,
        });
    }
    sections.sort_by(|a, b| {
        (!dir_of(&a.content_path).is_empty(), &a.content_path)
            .cmp(&(!dir_of(&b.content_path).is_empty(), &b.content_path))
    });
    sections
}

fn invalid_url(doc: &Document, key: &str, detail: String) -> Error {
    Error::InvalidUrl { location: Location::file(&doc.display_path), detail: format!("`{key}`: {detail}") }
}

/// The folder whose section lists the page: a bundle (`blog/trip/index.md`) belongs to the
/// folder above its own.
fn parent_dir(doc: &Document) -> &str {
    let own_dir = dir_of(&doc.content_path);
    if doc.is_bundle() {
        dir_of(own_dir)
    } else {
        own_dir
    }
}

/// The section listing the page, if it is listed at all.
fn section_of(
    doc: &Document,
    section_by_dir: &HashMap<String, SectionId>,
    listed: bool,
) -> Option<SectionId> {
    section_by_dir.get(parent_dir(doc)).copied().filter(|_| listed)
}

/// The summary: the part before `<!-- more -->`, else front matter `summary`, else the first
/// paragraph.
fn chosen_summary(
    before_marker: Option<String>,
    front_matter: Option<String>,
    first_paragraph: Option<String>,
) -> Option<String> {
    before_marker.or(front_matter).or(first_paragraph)
}

fn build_page(doc: Document, section_by_dir: &HashMap<String, SectionId>, config: &Config) -> Result<Page> {
    let parent_dir = parent_dir(&doc).to_string();
    let fm = &doc.front_matter;
    let slug = match &fm.slug {
        // The parse stage refused a slug that is not one segment, at its line.
        Some(slug) => url::slugify(slug),
        None => doc.file_slug.clone(),
    };
    if fm.path.is_none() && slug.is_empty() {
        return Err(invalid_url(
            &doc,
            "slug",
            "the slug is empty: the file name or `slug` needs a letter or digit".into(),
        ));
    }
    let explicit_path = match &fm.path {
        Some(path) => Some(url::url_path_from_user_path(path).map_err(|d| invalid_url(&doc, "path", d))?),
        None => None,
    };
    let date = doc.date();
    let explicit_url_line = fm.url_line;
    let Document {
        front_matter: fm,
        mut body,
        summary_from_front_matter,
        display_path,
        content_path,
        file_slug,
        ..
    } = doc;
    // With no title in front matter, an opening heading is the title: shown once, not twice.
    let title = match (fm.title, body.first_heading.take()) {
        (Some(title), _) => title,
        (None, Some(heading)) if body.leading_heading_len > 0 => {
            let leading = body.html[..body.leading_heading_len].to_string();
            body.html = SharedText::new(&body.html[body.leading_heading_len..]);
            if let Some(summary) = &mut body.summary_before_marker {
                if summary.starts_with(&leading) {
                    summary.drain(..leading.len());
                }
            }
            heading
        }
        (None, Some(heading)) => heading,
        (None, None) => title_from_slug(&file_slug),
    };
    let default_url = || url::join(&dir_url_path(&parent_dir), &slug);
    let url_path = explicit_path.unwrap_or_else(|| {
        let top_section = parent_dir.split('/').next().unwrap_or("");
        let section_url = dir_url_path(&parent_dir);
        config
            .permalinks
            .get(top_section)
            .and_then(|pattern| {
                let fields = permalinks::PermalinkFields {
                    date,
                    title: &title,
                    slug: &slug,
                    section: section_url.trim_matches('/'),
                };
                permalinks::expand(pattern, &fields)
            })
            .unwrap_or_else(default_url)
    });
    // An old-style `/about.html` URL (Jekyll `permalink`) becomes `/about/`, and the `.html`
    // file a redirect, so links to either keep working.
    let mut aliases = fm.aliases;
    let url_path = match url_path.strip_suffix(".html/") {
        Some(stem) if !stem.is_empty() && !stem.ends_with('/') => {
            aliases.push(url_path.trim_end_matches('/').to_string());
            format!("{stem}/")
        }
        _ => url_path,
    };
    let summary = chosen_summary(body.summary_before_marker, summary_from_front_matter, body.first_paragraph);
    let listed = fm.render == Render::Yes;
    let mut page = Page {
        section: section_by_dir.get(&parent_dir).copied().filter(|_| listed),
        title,
        description: fm.description,
        date,
        updated: fm.updated,
        draft: fm.draft,
        slug,
        url_path,
        url_line: explicit_url_line,
        aliases: if listed { aliases } else { Vec::new() },
        taxonomies: if listed { fm.taxonomies } else { BTreeMap::new() },
        authors: fm.authors,
        template: fm.template,
        layout: fm.layout,
        weight: fm.weight,
        render: fm.render,
        extra: fm.extra,
        content: body.html,
        summary,
        toc: body.toc,
        links: unresolved(body.links),
        links_digest: 0,
        shortcodes: body.shortcodes,
        word_count: body.word_count,
        reading_time: reading_time(body.word_count, body.ideographic_count),
        assets: Vec::new(),
        newer: None,
        older: None,
        series: None,
        content_path,
        display_path,
        digests: BuiltDigests::default(),
    };
    page.digests = BuiltDigests { targets: reuse::page_targets(&page), place: layout::page_place(&page) };
    Ok(page)
}

/// Digests of fields that `build_page` sets and no later step changes. A page taken back
/// from the last run keeps them, so the digests of the whole site's link targets and
/// layout read one number per page instead of hashing its URL, headings and terms again.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltDigests {
    /// What links to the page resolve against (`reuse::page_targets`).
    pub targets: u64,
    /// The page's place, but for its section (`layout::page_place`).
    pub place: u64,
}

/// Links as parsed, before `resolve_links` decides where they point.
fn unresolved(links: Vec<markdown::Link>) -> Vec<ContentLink> {
    links
        .into_iter()
        .map(|link| ContentLink {
            resolved: String::new(),
            written: link.dest,
            line: link.line,
            kind: link.kind,
        })
        .collect()
}

/// Decides where every Markdown link points and writes it into the HTML.
///
/// Links are resolved against every document's URL and heading ids, then written into each
/// page: both per page, in parallel. Errors keep document and link order.
fn resolve_links(
    base_url: &str,
    pages: &mut [Box<Page>],
    sections: &mut [Section],
    assets: &[Asset],
    carried: &[bool],
    kept: Option<&mut Kept>,
    errors: &mut Vec<Error>,
) {
    let (page_urls, section_urls) = {
        let to_resolve: usize = pages
            .iter()
            .zip(carried)
            .filter(|(_, carried)| !**carried)
            .map(|(p, _)| p.links.len())
            .sum::<usize>()
            + sections.iter().map(|s| s.links.len()).sum::<usize>();
        let documents = if to_resolve * 16 < pages.len() {
            debug_assert!(pages.is_sorted_by(|a, b| a.content_path < b.content_path));
            links::Documents::Sorted { pages, sections }
        } else {
            links::Documents::Indexed(
                pages
                    .iter()
                    .map(|p| (p.content_path.as_str(), (p.url_path.as_str(), p.toc.as_slice())))
                    .chain(
                        sections
                            .iter()
                            .map(|s| (s.content_path.as_str(), (s.url_path.as_str(), s.toc.as_slice()))),
                    )
                    .collect(),
            )
        };
        let targets = links::LinkTargets {
            base_url,
            documents,
            assets: assets.iter().map(|a| (a.content_path.as_str(), a.output_path.as_str())).collect(),
        };
        let resolve = |content_path: &str,
                       url_path: &str,
                       display_path: &std::path::Path,
                       list: &[ContentLink]|
         -> Vec<Result<String, Error>> {
            let source = links::LinkSource { content_path, url_path, display_path };
            list.iter()
                .map(|link| {
                    let parsed =
                        markdown::Link { dest: link.written.clone(), line: link.line, kind: link.kind };
                    links::resolve(&parsed, &source, &targets)
                })
                .collect()
        };
        let page_urls: Vec<Vec<Result<String, Error>>> = pages
            .par_iter()
            .zip(carried)
            .map(|(p, &carried)| {
                if carried {
                    return Vec::new();
                }
                resolve(&p.content_path, &p.url_path, &p.display_path, &p.links)
            })
            .collect();
        let section_urls: Vec<Vec<Result<String, Error>>> = sections
            .iter()
            .map(|s| resolve(&s.content_path, &s.url_path, &s.display_path, &s.links))
            .collect();
        (page_urls, section_urls)
    };
    // Each link's URL, or its text as written when it could not be resolved (the error is
    // reported; the build fails).
    let settle = |list: &mut [ContentLink], results: Vec<Result<String, Error>>| {
        let mut failed = Vec::new();
        for (link, result) in list.iter_mut().zip(results) {
            link.resolved = result.unwrap_or_else(|error| {
                failed.push(error);
                link.written.clone()
            });
        }
        let urls: Vec<String> = list.iter().map(|link| link.resolved.clone()).collect();
        (urls, failed)
    };
    let previous = kept.as_deref();
    let page_results: Vec<(Vec<Error>, Option<FilledPage>)> = pages
        .par_iter_mut()
        .zip(page_urls)
        .zip(carried)
        .map(|((page, results), &carried)| {
            if carried {
                return (Vec::new(), None);
            }
            if page.links.is_empty() {
                page.links_digest = links_digest(&[]);
                return (Vec::new(), None);
            }
            let (urls, failed) = settle(&mut page.links, results);
            page.links_digest = links_digest(&page.links);
            let parsed = page.content.clone();
            page.content = match previous.and_then(|kept| kept.filled(&parsed, &urls)) {
                Some(filled) => filled,
                None => SharedText::from(markdown::fill_links(&parsed, &urls)),
            };
            page.summary = page.summary.as_deref().map(|summary| markdown::fill_links(summary, &urls));
            fill_calls(&mut page.shortcodes, &urls);
            let kept = previous.is_some().then(|| FilledPage { parsed, urls, filled: page.content.clone() });
            (failed, kept)
        })
        .collect();
    let mut filled = Vec::with_capacity(if kept.is_some() { page_results.len() } else { 0 });
    for (failed, page) in page_results {
        errors.extend(failed);
        filled.extend(page);
    }
    if let Some(kept) = kept {
        kept.keep_filled(filled, carried);
    }
    for (section, results) in sections.iter_mut().zip(section_urls) {
        if section.links.is_empty() {
            section.links_digest = links_digest(&[]);
            continue;
        }
        let (urls, failed) = settle(&mut section.links, results);
        section.links_digest = links_digest(&section.links);
        errors.extend(failed);
        section.content = SharedText::from(markdown::fill_links(&section.content, &urls));
        fill_calls(&mut section.shortcodes, &urls);
    }
}

/// The digest of a document's links for [`Page::links_digest`].
fn links_digest(links: &[ContentLink]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = crate::incremental::Digest::new();
    links.len().hash(&mut hasher);
    for link in links {
        (&link.written, &link.resolved, link.line).hash(&mut hasher);
    }
    hasher.finish()
}

/// Writes resolved links into shortcode bodies (HTML) and link arguments (plain text).
fn fill_calls(calls: &mut [ShortcodeCall], urls: &[String]) {
    for call in calls {
        call.body = call.body.as_deref().map(|body| markdown::fill_links(body, urls));
        for value in call.args.values_mut() {
            if let crate::value::Value::String(text) = value {
                *text = markdown::fill_links_raw(text, urls);
            }
        }
    }
}

/// `my-first-post` → `My first post`, for pages with no title and no heading.
fn title_from_slug(slug: &str) -> String {
    let text = slug.replace('-', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Puts each content asset beside its bundle's output, or at its own path otherwise.
fn place_assets(content_assets: Vec<AssetFile>, pages: &mut [Box<Page>]) -> Vec<Asset> {
    let bundles: HashMap<&str, PageId> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| crate::parse::is_bundle_file(&p.content_path))
        .map(|(id, p)| (dir_of(&p.content_path), id))
        .collect();
    let mut placed = Vec::with_capacity(content_assets.len());
    let mut page_assets: Vec<(PageId, String)> = Vec::new();
    for asset in content_assets {
        let bundle = ancestors(&asset.relative_path).find_map(|dir| bundles.get(dir).map(|id| (dir, *id)));
        let output_path = match bundle {
            Some((dir, id)) => {
                let inside = asset.relative_path[dir.len()..].trim_start_matches('/').to_string();
                page_assets.push((id, inside.clone()));
                format!("{}{inside}", pages[id].url_path.trim_start_matches('/'))
            }
            None => asset.relative_path.clone(),
        };
        placed.push(Asset { content_path: asset.relative_path, source_path: asset.source_path, output_path });
    }
    for (id, inside) in page_assets {
        pages[id].assets.push(inside);
    }
    placed
}

/// The folders containing `path`, innermost first: `a/b/c.png` → `a/b`, `a`.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut current = path;
    std::iter::from_fn(move || {
        let (dir, _) = current.rsplit_once('/')?;
        current = dir;
        Some(dir)
    })
}

fn order_sections(sections: &mut [Section], pages: &mut [Box<Page>]) {
    let parents = parent_sections(sections);
    for (page_id, page) in pages.iter().enumerate() {
        // A transparent section's pages are also listed by its parent (and so on upwards).
        let mut current = page.section;
        while let Some(section_id) = current {
            sections[section_id].pages.push(page_id);
            current = if sections[section_id].transparent { parents[section_id] } else { None };
        }
    }
    for (section_id, section) in sections.iter_mut().enumerate() {
        sort_pages(&mut section.pages, pages, section.sort_by);
        for (position, &id) in section.pages.iter().enumerate() {
            // Neighbours come from the page's own section, not a parent listing it too.
            if pages[id].section != Some(section_id) {
                continue;
            }
            pages[id].newer = position.checked_sub(1).map(|p| section.pages[p]);
            pages[id].older = section.pages.get(position + 1).copied();
        }
        // A section with `render = false` writes no list pages; its data stays readable.
        if section.render == Render::Yes {
            section.pagers =
                pagination::paginate(&section.url_path, section.pages.len(), section.paginate_by);
        }
    }
}

/// Orders page ids; ties (and pages missing the sort key, which go last) fall back to the path.
fn sort_pages(ids: &mut [PageId], pages: &[Box<Page>], sort_by: SortBy) {
    match sort_by {
        SortBy::Date => ids.sort_by(|&a, &b| {
            let (a, b) = (&pages[a], &pages[b]);
            b.date
                .is_some()
                .cmp(&a.date.is_some())
                .then(b.date.cmp(&a.date))
                .then_with(|| a.content_path.cmp(&b.content_path))
        }),
        SortBy::Title => ids.sort_by(|&a, &b| {
            let (a, b) = (&pages[a], &pages[b]);
            a.title
                .to_lowercase()
                .cmp(&b.title.to_lowercase())
                .then_with(|| a.content_path.cmp(&b.content_path))
        }),
        SortBy::Weight => ids.sort_by(|&a, &b| {
            let (a, b) = (&pages[a], &pages[b]);
            a.weight
                .is_none()
                .cmp(&b.weight.is_none())
                .then(a.weight.cmp(&b.weight))
                .then_with(|| a.content_path.cmp(&b.content_path))
        }),
    }
}

fn link_subsections(sections: &mut [Section]) {
    for (id, parent) in parent_sections(sections).into_iter().enumerate() {
        if let Some(parent) = parent {
            sections[parent].subsections.push(id);
        }
    }
}

/// The parent section of each section (none for the home section).
fn parent_sections(sections: &[Section]) -> Vec<Option<SectionId>> {
    let dirs: HashMap<&str, SectionId> =
        sections.iter().enumerate().map(|(id, s)| (dir_of(&s.content_path), id)).collect();
    sections
        .iter()
        .map(|section| {
            let dir = dir_of(&section.content_path);
            if dir.is_empty() {
                return None;
            }
            ancestors(dir).chain([""]).find_map(|d| dirs.get(d).copied())
        })
        .collect()
}

fn collect_redirects(sections: &[Section], pages: &[Box<Page>], errors: &mut Vec<Error>) -> Vec<Redirect> {
    let mut redirects = Vec::new();
    // `/blog/page/1/` is the same list as `/blog/`; keep the URL working where pages exist.
    for section in sections.iter().filter(|s| s.pagers.len() > 1) {
        redirects.push(Redirect {
            url_path: pagination::pager_url_path(&section.url_path, 2).replace("/page/2/", "/page/1/"),
            target: section.url_path.clone(),
            display_path: section.display_path.clone(),
        });
    }
    for page in pages {
        for alias in &page.aliases {
            match url::url_path_from_user_path(alias) {
                Ok(url_path) => redirects.push(Redirect {
                    url_path: file_alias(url_path),
                    target: page.url_path.clone(),
                    display_path: page.display_path.clone(),
                }),
                Err(detail) => errors.push(Error::InvalidUrl {
                    location: Location::file(&page.display_path),
                    detail: format!("`aliases`: {detail}"),
                }),
            }
        }
    }
    redirects
}

/// An alias naming an HTML file (`/2019/05/post.html`, the old URL of a Jekyll or WordPress
/// post) is that file, not a folder: its URL path keeps no trailing slash.
fn file_alias(url_path: String) -> String {
    let file = url_path.trim_end_matches('/');
    if file.ends_with(".html") || file.ends_with(".htm") {
        file.to_string()
    } else {
        url_path
    }
}

fn check_unique_urls(
    sections: &[Section],
    pages: &[Box<Page>],
    redirects: &[Redirect],
    errors: &mut Vec<Error>,
) {
    let mut owners: HashMap<&str, &PathBuf> = HashMap::default();
    let mut first_owners: HashMap<&str, UrlOwner> = HashMap::default();
    let claims = sections
        .iter()
        .flat_map(|s| s.pagers.iter().map(move |p| (p.url_path.as_str(), &s.display_path, None)))
        .chain(pages.iter().map(|p| (p.url_path.as_str(), &p.display_path, p.url_line)));
    for (url_path, display_path, line) in claims {
        let owner = UrlOwner { file: display_path.clone(), line };
        if owners.insert(url_path, display_path).is_some() {
            errors.push(Error::DuplicateUrl {
                url_path: url_path.to_string(),
                first: first_owners[url_path].clone(),
                second: owner,
            });
        } else {
            first_owners.insert(url_path, owner);
        }
    }
    // Redirects come last, so that an alias clashing with a real page is reported as the alias.
    for redirect in redirects {
        if let Some(taken_by) = owners.insert(&redirect.url_path, &redirect.display_path) {
            errors.push(Error::AliasTaken {
                url_path: redirect.url_path.clone(),
                alias_of: redirect.display_path.clone(),
                taken_by: taken_by.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_22_reading_time_counts_chinese_and_japanese_by_character() {
        assert_eq!(reading_time(0, 0), 1);
        assert_eq!(reading_time(200, 0), 1);
        assert_eq!(reading_time(201, 0), 2);
        assert_eq!(reading_time(6000, 6000), 20);
        assert_eq!(reading_time(6400, 6000), 22);
    }
}
