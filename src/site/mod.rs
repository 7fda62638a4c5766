//! Stage 3, model: `Site`, its pages, sections and taxonomies, as plain finished data.
//!
//! This stage decides URLs, membership, order, neighbours and pagination. It reads no file and
//! renders nothing; every value is complete when constructed.

pub mod archive;
pub mod links;
pub mod lists;
pub mod pagination;
pub mod permalinks;
pub mod responsive;
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
use crate::data_value::DataTable;
use crate::error::{Error, Location, Result, UrlOwner};
use crate::incremental::ImageJob;
use crate::incremental::{Digested, Memos, Same};
use crate::load::{AssetFile, ImageHeader};
use crate::parse::date::PageDate;
use crate::parse::front_matter::{Render, SortBy};
use crate::parse::markdown::{self, ImageMarkup, LinkKind, TocEntry};
use crate::parse::shortcodes::ShortcodeCall;
use crate::parse::Document;
use crate::project::Drafts;
use crate::shared_text::SharedText;
use archive::Archive;
use lists::{Lists, ListsInput, SectionPlace};
use pagination::Pager;
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
    /// The site's settings, digested once a run (the lists, the shortcode templates and the
    /// views are memoized on that digest).
    pub config: Digested<Config>,
    /// Every published page, in content path order.
    pub pages: Vec<Page>,
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
    /// The lists the sections, taxonomies, archive and redirects come from.
    pub lists: Arc<Lists>,
}

/// A page: a Markdown file that is not `_index.md`. What its own file says is shared
/// ([`PageFile`], read through `Deref`: `page.title`); what the model computes from other
/// pages (links written in, neighbours, assets, series) is its own.
#[derive(Debug, Clone)]
pub struct Page {
    /// What the page's file says, and where it sits.
    pub file: Arc<PageFile>,
    /// The body as HTML with link URLs written in; shortcode calls are still placeholders,
    /// expanded by the renderer.
    pub content: SharedText,
    /// The summary as HTML, if any (with placeholders, like `content`).
    pub summary: Option<SharedText>,
    /// The links and images written in the body, with where they point.
    pub links: Arc<[ContentLink]>,
    /// The shortcode calls whose placeholders are in `content` and `summary`.
    pub shortcodes: Arc<[ShortcodeCall]>,
    /// Files beside a bundle's `index.md`, relative to it.
    pub assets: Vec<String>,
    /// The previous page in the section's order (newer, for date order).
    pub newer: Option<PageId>,
    /// The next page in the section's order (older, for date order).
    pub older: Option<PageId>,
    /// The page's series, an index in `Site::series`.
    pub series: Option<usize>,
}

impl std::ops::Deref for Page {
    type Target = PageFile;
    fn deref(&self) -> &PageFile {
        &self.file
    }
}

/// What a page's own file says, as `build_page` makes it from the parsed document.
#[derive(Debug, Clone)]
pub struct PageFile {
    /// Where the page sits: what the lists read (`page.url_path` through `Deref`).
    pub place: Digested<PagePlace>,
    /// The digest of what links to the page resolve against ([`PageFile::link_target`]).
    link_target_digest: u128,
    /// `description`.
    pub description: Option<String>,
    /// `updated`.
    pub updated: Option<PageDate>,
    /// Only true in `--drafts` builds.
    pub draft: bool,
    /// The last URL segment.
    pub slug: String,
    /// Author names.
    pub authors: Vec<String>,
    /// Template from front matter.
    pub template: Option<String>,
    /// Jekyll's `layout`: `LAYOUT.html` is the template if the theme has one.
    pub layout: Option<String>,
    /// Unknown front matter keys.
    pub extra: DataTable,
    /// The body's headings, nested.
    pub toc: Vec<TocEntry>,
    /// Words in the body.
    pub word_count: usize,
    /// Minutes to read, at least 1.
    pub reading_time: usize,
}

impl std::ops::Deref for PageFile {
    type Target = PagePlace;
    fn deref(&self) -> &PagePlace {
        &self.place
    }
}

/// A page's file as built, its body as parsed (held apart from the page: only link filling
/// reads it) and the files placed beside it.
type BuiltFile = (Arc<PageFile>, Arc<ParsedBody>, Vec<String>);

/// A page's file and its body as parsed.
type FileAndBody = (Arc<PageFile>, Arc<ParsedBody>);

/// What a page's links are resolved and written in from, besides the link targets.
type LinkInput = (Same<PageFile>, Same<ParsedBody>);

/// A page's body as the parse stage left it, links not yet resolved.
#[derive(Debug, Clone)]
pub struct ParsedBody {
    pub html: SharedText,
    pub summary: Option<SharedText>,
    /// The links as written (`resolved` empty).
    pub links: Arc<[ContentLink]>,
    pub shortcodes: Arc<[ShortcodeCall]>,
}

/// Where a page sits in the site: everything the lists (neighbours, terms,
/// archive, redirects, the URL check) reads of it, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PagePlace {
    /// Path relative to `content/`: `blog/first.md`.
    pub content_path: String,
    /// The path shown to the user: `content/blog/first.md`.
    pub display_path: PathBuf,
    /// Title from front matter, first heading, or file name.
    pub title: String,
    /// From front matter, else from a `YYYY-MM-DD-` file name.
    pub date: Option<PageDate>,
    /// `/blog/first/`.
    pub url_path: String,
    /// The front matter line that set the URL (`path`, `url`, `permalink`, `slug`), if any.
    pub url_line: Option<usize>,
    /// Old URLs redirecting here.
    pub aliases: Vec<String>,
    /// Terms by taxonomy name.
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// `weight`.
    pub weight: Option<i64>,
    /// Whether the page gets an output file and appears in lists (Zola's `render = false`).
    pub render: Render,
    /// The section listing this page, if its folder has an `_index.md`.
    pub section: Option<SectionId>,
    /// The series the page belongs to (front matter `series` or a `series` term), if any.
    pub series: Option<String>,
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
    /// The shortcode calls whose placeholders are in `content`.
    pub shortcodes: Vec<ShortcodeCall>,
    /// `/blog/`.
    pub url_path: String,
    /// Unknown front matter keys.
    pub extra: DataTable,
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentLink {
    /// As written: `../other/`, `@/blog/post.md#setup`.
    pub written: String,
    /// Where it points in the HTML: a permalink, or as written.
    pub resolved: String,
    /// The 1-based file line.
    pub line: usize,
    /// Link or image.
    pub kind: LinkKind,
    /// What an image's `<img>` gets besides its URL: its size, when it is a local image
    /// whose header was read, and its responsive copies.
    pub image: ImageMarkup,
    /// The processed copies a responsive image shows (made after rendering).
    pub image_jobs: Arc<[ImageJob]>,
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
    /// Its size in pixels and stamp, when it is a raster image whose header could be read.
    pub image: Option<ImageHeader>,
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
    /// The site's settings, digested once for the run.
    pub config: Digested<Config>,
    /// Parsed content files, shared with the parse stage's cache in `quire serve`.
    pub documents: Vec<Arc<Document>>,
    /// Non-Markdown files from `content/`.
    pub content_assets: Vec<AssetFile>,
    /// The images among the static files, by output path (`img/photo.jpg`), with their
    /// files: a Markdown image of one gets its size.
    pub static_images: BTreeMap<String, (PathBuf, ImageHeader)>,
    /// Whether drafts are kept.
    pub drafts: Drafts,
    /// The build's moment, and whether scheduled and expired pages are kept.
    pub schedule: Schedule,
    /// The memos the model's pure steps are called through.
    pub memos: &'a Memos,
}

impl AsRef<PagePlace> for Page {
    fn as_ref(&self) -> &PagePlace {
        &self.file.place
    }
}

impl PagePlace {
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
        let ModelInput { config, documents, content_assets, static_images, drafts, schedule, memos } = input;
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
        let settings = Digested::new(PageSettings {
            section_by_dir: section_by_dir.iter().map(|(dir, &id)| (dir.clone(), id)).collect(),
            permalinks: config.permalinks.clone(),
        });
        let mut files = build_files(published, &settings, memos, &mut errors);
        lap("built pages");
        let assets = place_assets(content_assets, &mut files);
        let targets = Digested::new(LinkTargetsInput {
            base_url: config.base_url.clone(),
            pages: Arc::from(files.iter().map(|(file, _, _)| Arc::clone(file)).collect::<Vec<_>>()),
            sections: sections
                .iter()
                .map(|s| links::SectionTarget {
                    content_path: s.content_path.clone(),
                    url_path: s.url_path.clone(),
                    toc: s.toc.clone(),
                })
                .collect(),
            assets: assets.iter().map(|a| (a.content_path.clone(), a.output_path.clone())).collect(),
            images: static_images
                .iter()
                .map(|(output_path, (source_path, image))| {
                    (output_path.clone(), output_path.clone(), source_path.clone(), *image)
                })
                .chain(assets.iter().filter_map(|a| {
                    Some((a.output_path.clone(), a.content_path.clone(), a.source_path.clone(), a.image?))
                }))
                .map(|(output_path, path, source_path, image)| {
                    let size = (image.width, image.height);
                    (output_path, links::ImageTarget { size, path, source_path, stamp: image.stamp })
                })
                .collect(),
            responsive: config.markdown.responsive_images.then(|| responsive::ResponsiveSettings {
                widths: config.markdown.responsive_widths.clone(),
                sizes: config.markdown.responsive_sizes.clone(),
            }),
            index: std::sync::OnceLock::new(),
        });
        lap("digested link targets");
        let mut pages = link_pages(&mut files, &targets, memos, &mut errors);
        resolve_section_links(&targets, &mut sections, &mut errors);
        lap("resolved links");
        let lists_input = ListsInput {
            config: config.clone(),
            sections: sections.iter().map(SectionPlace::of).collect(),
            pages: pages.iter().map(|page| page.file.place.clone()).collect(),
        };
        let lists = memos.try_call(lists_input, |input| {
            let lists = Lists::compute(input);
            match lists.is_valid() {
                true => Ok(Arc::new(lists)),
                false => Err(lists),
            }
        });
        let lists = lists.unwrap_or_else(|mut invalid| {
            errors.append(&mut invalid.errors);
            Arc::new(invalid)
        });
        lists.apply(&mut sections, &mut pages);
        lap("laid out sections and taxonomies");

        match Error::from_list(errors) {
            Some(error) => Err(error),
            None => Ok(Site {
                config,
                pages,
                sections,
                lists: Arc::clone(&lists),
                taxonomies: lists.taxonomies.clone(),
                archive: lists.archive.clone(),
                series: lists.series.clone(),
                assets,
                redirects: lists.redirects.clone(),
                held_back,
                warnings: warnings.into_iter().chain(lists.warnings.iter().cloned()).collect(),
            }),
        }
    }

    /// The page at `content_path` (`blog/first.md`), if published.
    pub fn page_by_content_path(&self, content_path: &str) -> Option<&Page> {
        self.pages
            .binary_search_by(|p| p.content_path.as_str().cmp(content_path))
            .ok()
            .map(|id| &self.pages[id])
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
            shortcodes: Vec::new(),
            url_path: "/".into(),
            extra: DataTable::new(),
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

/// The summary: the part before `<!-- more -->`, else front matter `summary`, else the first
/// paragraph.
fn chosen_summary(
    before_marker: Option<String>,
    front_matter: Option<String>,
    first_paragraph: Option<String>,
) -> Option<String> {
    before_marker.or(front_matter).or(first_paragraph)
}

/// Builds what a page's file says, from its parsed document and the settings below: pure,
/// so that `serve` calls it again only for a changed document.
fn build_page(doc: Document, settings: &PageSettings) -> Result<(PageFile, ParsedBody)> {
    let parent_dir = parent_dir(&doc).to_string();
    let section_by_dir = &settings.section_by_dir;
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
        Some(path) => {
            Some(url::page_url_path_from_user_path(path).map_err(|d| invalid_url(&doc, "path", d))?)
        }
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
        settings
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
    let taxonomies = if listed { fm.taxonomies } else { BTreeMap::new() };
    let series = series::series_name(&taxonomies, &fm.extra).map(str::to_string);
    let place = PagePlace {
        section: section_by_dir.get(&parent_dir).copied().filter(|_| listed),
        title,
        date,
        url_path,
        url_line: explicit_url_line,
        aliases: if listed { aliases } else { Vec::new() },
        taxonomies,
        series,
        weight: fm.weight,
        render: fm.render,
        content_path,
        display_path,
    };
    let link_target_digest = {
        let mut digest = crate::incremental::Digest::new();
        std::hash::Hash::hash(&(&place.content_path, (&place.url_path, &body.toc)), &mut digest);
        digest.finish_128()
    };
    let parsed = ParsedBody {
        html: body.html,
        summary: summary.map(SharedText::from),
        links: unresolved(body.links).into(),
        shortcodes: body.shortcodes.into(),
    };
    let file = PageFile {
        place: Digested::new(place),
        link_target_digest,
        description: fm.description,
        updated: fm.updated,
        draft: fm.draft,
        slug,
        authors: fm.authors,
        template: fm.template,
        layout: fm.layout,
        extra: fm.extra,
        toc: body.toc,
        word_count: body.word_count,
        reading_time: reading_time(body.word_count, body.ideographic_count),
    };
    Ok((file, parsed))
}

/// What `build_page` reads besides the document.
#[derive(Debug, Hash)]
struct PageSettings {
    /// The folder of each section.
    section_by_dir: BTreeMap<String, SectionId>,
    /// `[permalinks]`.
    permalinks: BTreeMap<String, String>,
}

impl PageFile {
    /// What a link to the page resolves against: its URL and headings (`build_page` keeps
    /// a digest of its content path and these).
    pub fn link_target(&self) -> (&str, &[TocEntry]) {
        (self.url_path.as_str(), self.toc.as_slice())
    }
}

/// Builds the file part of each published page (each a memoized call: an unchanged document
/// gives back the last run's), with room for its assets, sorted by content path.
fn build_files(
    published: Vec<Arc<Document>>,
    settings: &Digested<PageSettings>,
    memos: &Memos,
    errors: &mut Vec<Error>,
) -> Vec<BuiltFile> {
    let build = memos.try_shared_function(|doc: &Same<Document>, settings: &PageSettings| {
        build_page((*doc.0).clone(), settings)
            .map(|(file, parsed)| (Arc::new(file), Arc::new(parsed)))
            .map_err(Box::new)
    });
    let built: Vec<std::result::Result<FileAndBody, Box<Error>>> = published
        .into_par_iter()
        .map(|doc| {
            // With nothing kept for a next run, the document is moved into its page, not
            // copied: a build holds each page's text once.
            if !memos.keeps() {
                return build_page(Arc::unwrap_or_clone(doc), settings)
                    .map(|(file, parsed)| (Arc::new(file), Arc::new(parsed)))
                    .map_err(Box::new);
            }
            build.try_call(Same::of(&doc), settings)
        })
        .collect();
    let mut files = Vec::with_capacity(built.len());
    for file in built {
        match file {
            Ok((file, parsed)) => files.push((file, parsed, Vec::new())),
            Err(error) => errors.push(*error),
        }
    }
    // Not sorted again when already sorted, as they come each run.
    if !files.is_sorted_by(|a, b| a.0.content_path <= b.0.content_path) {
        files.sort_by(|a, b| a.0.content_path.cmp(&b.0.content_path));
    }
    files
}

/// Everything links resolve against: the base URL, each page's and section's URL and
/// headings, each asset's output path.
struct LinkTargetsInput {
    base_url: String,
    /// Sorted by content path.
    pages: Arc<[Arc<PageFile>]>,
    sections: Vec<links::SectionTarget>,
    assets: BTreeMap<String, String>,
    /// Each image by output path.
    images: BTreeMap<String, links::ImageTarget>,
    /// With `responsive_images`, the widths and `sizes`.
    responsive: Option<responsive::ResponsiveSettings>,
    /// Page index by content path, made from `pages` the first time links are resolved.
    index: std::sync::OnceLock<HashMap<Box<str>, usize>>,
}

impl std::hash::Hash for LinkTargetsInput {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.base_url.hash(state);
        self.pages.len().hash(state);
        for page in self.pages.iter() {
            page.link_target_digest.hash(state);
        }
        (&self.sections, &self.assets, &self.images, &self.responsive).hash(state);
    }
}

impl LinkTargetsInput {
    fn targets(&self) -> links::LinkTargets<'_> {
        links::LinkTargets {
            base_url: &self.base_url,
            documents: links::Documents::Sorted {
                pages: &self.pages,
                index: Some(self.index.get_or_init(|| {
                    self.pages
                        .iter()
                        .enumerate()
                        .map(|(id, page)| (page.content_path.as_str().into(), id))
                        .collect()
                })),
                sections: &self.sections,
            },
            assets: &self.assets,
            images: &self.images,
        }
    }
}

/// Resolves each page's links and writes them into its HTML, and makes the pages.
fn link_pages(
    files: &mut Vec<BuiltFile>,
    targets: &Digested<LinkTargetsInput>,
    memos: &Memos,
    errors: &mut Vec<Error>,
) -> Vec<Page> {
    let link = memos.try_shared_function(|(file, parsed): &LinkInput, targets: &LinkTargetsInput| {
        let links = resolve_all(file, parsed, targets)?;
        let urls: Vec<String> = links.iter().map(|link| link.resolved.clone()).collect();
        let sizes: Vec<ImageMarkup> = links.iter().map(|link| link.image.clone()).collect();
        let mut shortcodes = parsed.shortcodes.to_vec();
        fill_calls(&mut shortcodes, &urls, &sizes);
        Ok(Arc::new(LinkedBody {
            content: SharedText::from(markdown::fill_links_sized(&parsed.html, &urls, &sizes)),
            summary: parsed
                .summary
                .as_deref()
                .map(|summary| markdown::fill_links_sized(summary, &urls, &sizes).into()),
            shortcodes: shortcodes.into(),
            links,
        }))
    });
    let linked: Vec<(Page, Vec<Error>)> = std::mem::take(files)
        .into_par_iter()
        .map(|(file, parsed, assets)| {
            let page = |content: &SharedText, summary: &Option<SharedText>, links, shortcodes| Page {
                content: content.clone(),
                summary: summary.clone(),
                links,
                shortcodes,
                assets,
                newer: None,
                older: None,
                series: None,
                file: Arc::clone(&file),
            };
            if parsed.links.is_empty() {
                let (links, shortcodes) = (Arc::clone(&parsed.links), Arc::clone(&parsed.shortcodes));
                return (page(&parsed.html, &parsed.summary, links, shortcodes), Vec::new());
            }
            match link.try_call((Same::of(&file), Same::of(&parsed)), targets) {
                Ok(linked) => {
                    let LinkedBody { links, content, summary, shortcodes } = &*linked;
                    (page(content, summary, Arc::clone(links), Arc::clone(shortcodes)), Vec::new())
                }
                // The run fails: the page keeps its links as written, for the other checks.
                Err(failed) => {
                    let (links, shortcodes) = (Arc::clone(&parsed.links), Arc::clone(&parsed.shortcodes));
                    (page(&parsed.html, &parsed.summary, links, shortcodes), failed)
                }
            }
        })
        .collect();
    let mut pages = Vec::with_capacity(linked.len());
    for (page, failed) in linked {
        errors.extend(failed);
        pages.push(page);
    }
    pages
}

/// A page's HTML with the URLs of its links written in.
#[derive(Debug)]
struct LinkedBody {
    /// Each link, resolved.
    links: Arc<[ContentLink]>,
    content: SharedText,
    summary: Option<SharedText>,
    shortcodes: Arc<[ShortcodeCall]>,
}

/// Resolves a page's links, each to its URL; or the errors of those that cannot be.
fn resolve_all(
    file: &PageFile,
    parsed: &ParsedBody,
    targets: &LinkTargetsInput,
) -> std::result::Result<Arc<[ContentLink]>, Vec<Error>> {
    let source = links::LinkSource {
        content_path: &file.content_path,
        url_path: &file.url_path,
        display_path: &file.display_path,
    };
    let (links, errors) = settle(&parsed.links, &source, &targets.targets(), targets.responsive.as_ref());
    match errors.is_empty() {
        true => Ok(links.into()),
        false => Err(errors),
    }
}

/// Each link of `list` resolved from `source`, and the errors of those that could not be.
fn settle(
    list: &[ContentLink],
    source: &links::LinkSource<'_>,
    targets: &links::LinkTargets<'_>,
    responsive: Option<&responsive::ResponsiveSettings>,
) -> (Vec<ContentLink>, Vec<Error>) {
    let mut failed = Vec::new();
    let links = list
        .iter()
        .map(|link| {
            let parsed = markdown::Link { dest: link.written.clone(), line: link.line, kind: link.kind };
            let resolved = links::resolve(&parsed, source, targets).unwrap_or_else(|error| {
                failed.push(error);
                link.written.clone()
            });
            let (image, image_jobs) = match link.kind {
                LinkKind::Image => image_markup(&parsed, &resolved, source, targets, responsive),
                LinkKind::Link => (ImageMarkup::default(), Arc::default()),
            };
            ContentLink { resolved, image, image_jobs, ..link.clone() }
        })
        .collect();
    (links, failed)
}

/// What a Markdown image's `<img>` gets: the size of the local image it shows, and with
/// `responsive` its copies' `srcset`s and the jobs that make them.
fn image_markup(
    link: &markdown::Link,
    resolved: &str,
    source: &links::LinkSource<'_>,
    targets: &links::LinkTargets<'_>,
    responsive: Option<&responsive::ResponsiveSettings>,
) -> (ImageMarkup, Arc<[ImageJob]>) {
    let Some(target) = links::image_target(link, source, targets) else {
        return (ImageMarkup::default(), Arc::default());
    };
    let made =
        responsive.and_then(|settings| responsive::responsive(target, resolved, targets.base_url, settings));
    match made {
        Some((markup, jobs)) => {
            (ImageMarkup { size: Some(target.size), responsive: Some(markup) }, jobs.into())
        }
        None => (ImageMarkup { size: Some(target.size), responsive: None }, Arc::default()),
    }
}

/// Resolves the sections' links and writes them into their HTML (a few sections: no memo).
fn resolve_section_links(input: &LinkTargetsInput, sections: &mut [Section], errors: &mut Vec<Error>) {
    let targets = input.targets();
    for section in sections.iter_mut() {
        if section.links.is_empty() {
            continue;
        }
        let source = links::LinkSource {
            content_path: &section.content_path,
            url_path: &section.url_path,
            display_path: &section.display_path,
        };
        let (links, failed) = settle(&section.links, &source, &targets, input.responsive.as_ref());
        section.links = links;
        errors.extend(failed);
        let urls: Vec<String> = section.links.iter().map(|link| link.resolved.clone()).collect();
        let sizes: Vec<ImageMarkup> = section.links.iter().map(|link| link.image.clone()).collect();
        section.content = SharedText::from(markdown::fill_links_sized(&section.content, &urls, &sizes));
        fill_calls(&mut section.shortcodes, &urls, &sizes);
    }
}

/// Links as parsed, before `link_pages` decides where they point.
fn unresolved(links: Vec<markdown::Link>) -> Vec<ContentLink> {
    links
        .into_iter()
        .map(|link| ContentLink {
            resolved: String::new(),
            image: ImageMarkup::default(),
            image_jobs: Arc::default(),
            written: link.dest,
            line: link.line,
            kind: link.kind,
        })
        .collect()
}

/// Writes resolved links into shortcode bodies (HTML) and link arguments (plain text).
fn fill_calls(calls: &mut [ShortcodeCall], urls: &[String], sizes: &[ImageMarkup]) {
    for call in calls {
        call.body = call.body.as_deref().map(|body| markdown::fill_links_sized(body, urls, sizes));
        for value in call.args.values_mut() {
            if let crate::data_value::DataValue::String(text) = value {
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
fn place_assets(content_assets: Vec<AssetFile>, pages: &mut [BuiltFile]) -> Vec<Asset> {
    let bundles: HashMap<&str, PageId> = pages
        .iter()
        .enumerate()
        .filter(|(_, (p, _, _))| crate::parse::is_bundle_file(&p.content_path))
        .map(|(id, (p, _, _))| (dir_of(&p.content_path), id))
        .collect();
    let mut placed = Vec::with_capacity(content_assets.len());
    let mut page_assets: Vec<(PageId, String)> = Vec::new();
    for asset in content_assets {
        let bundle = ancestors(&asset.relative_path).find_map(|dir| bundles.get(dir).map(|id| (dir, *id)));
        let output_path = match bundle {
            Some((dir, id)) => {
                let inside = asset.relative_path[dir.len()..].trim_start_matches('/').to_string();
                page_assets.push((id, inside.clone()));
                format!("{}{inside}", pages[id].0.url_path.trim_start_matches('/'))
            }
            None => asset.relative_path.clone(),
        };
        placed.push(Asset {
            content_path: asset.relative_path,
            source_path: asset.source_path,
            output_path,
            image: asset.image,
        });
    }
    for (id, inside) in page_assets {
        pages[id].2.push(inside);
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

/// Orders page ids; ties (and pages missing the sort key, which go last) fall back to the path.
///
/// Each page's key is read once, not in every comparison: reaching 10,000 places through
/// their `Arc`s (and lowercasing titles) each time cost more than the sort.
fn sort_pages(ids: &mut [PageId], pages: &[Digested<PagePlace>], sort_by: SortBy) {
    use std::cmp::Reverse;
    let path = |id: PageId| pages[id].content_path.as_str();
    match sort_by {
        // Newest first; `None` sorts below every date, so undated pages go last.
        SortBy::Date => ids.sort_by_cached_key(|&id| (Reverse(pages[id].date), path(id))),
        SortBy::Title => ids.sort_by_cached_key(|&id| (pages[id].title.to_lowercase(), path(id))),
        SortBy::Weight => {
            ids.sort_by_cached_key(|&id| (pages[id].weight.is_none(), pages[id].weight, path(id)))
        }
    }
}

/// The parent section of each section (none for the home section).
fn parent_sections<'a>(content_paths: impl Iterator<Item = &'a str> + Clone) -> Vec<Option<SectionId>> {
    let dirs: HashMap<&str, SectionId> =
        content_paths.clone().enumerate().map(|(id, s)| (dir_of(s), id)).collect();
    content_paths
        .map(|content_path| {
            let dir = dir_of(content_path);
            if dir.is_empty() {
                return None;
            }
            ancestors(dir).chain([""]).find_map(|d| dirs.get(d).copied())
        })
        .collect()
}

fn collect_redirects(
    sections: &[SectionPlace],
    pagers: &[Vec<Pager>],
    pages: &[Digested<PagePlace>],
    errors: &mut Vec<Error>,
) -> Vec<Redirect> {
    let mut redirects = Vec::new();
    // `/blog/page/1/` is the same list as `/blog/`; keep the URL working where pages exist.
    for (section, _) in sections.iter().zip(pagers).filter(|(_, pagers)| pagers.len() > 1) {
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
    sections: &[SectionPlace],
    pagers: &[Vec<Pager>],
    pages: &[Digested<PagePlace>],
    redirects: &[Redirect],
    errors: &mut Vec<Error>,
) {
    use std::collections::hash_map::Entry;
    // Per URL: its first claim (named in full only when another comes) and its last one.
    let mut owners: HashMap<&str, ((&PathBuf, Option<usize>), &PathBuf)> = HashMap::default();
    let claims = sections
        .iter()
        .zip(pagers)
        .flat_map(|(s, pagers)| pagers.iter().map(move |p| (p.url_path.as_str(), &s.display_path, None)))
        .chain(pages.iter().map(|p| (p.url_path.as_str(), &p.display_path, p.url_line)));
    for (url_path, display_path, line) in claims {
        match owners.entry(url_path) {
            Entry::Occupied(mut taken) => {
                let ((first, first_line), last) = taken.get_mut();
                *last = display_path;
                errors.push(Error::DuplicateUrl {
                    url_path: url_path.to_string(),
                    first: UrlOwner { file: (*first).clone(), line: *first_line },
                    second: UrlOwner { file: display_path.clone(), line },
                });
            }
            Entry::Vacant(free) => {
                free.insert(((display_path, line), display_path));
            }
        }
    }
    // Redirects come last, so that an alias clashing with a real page is reported as the alias.
    for redirect in redirects {
        let claim = ((&redirect.display_path, None), &redirect.display_path);
        if let Some((_, taken_by)) = owners.insert(&redirect.url_path, claim) {
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
