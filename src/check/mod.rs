//! The link checker: after rendering, every internal link and anchor is checked against the
//! files the build produced (in memory, before anything is written).
//!
//! Links written in Markdown are checked from the page they are written in and reported at
//! their file and line. Links that templates and shortcodes write are found by scanning the
//! rendered HTML and reported once per target, naming the first page that has them. Links to
//! a fragment of the same page (`#top`) are checked only when written in Markdown: a summary
//! on a list page repeats its page's footnote references, which would otherwise be reported
//! on every list page. External links are only collected here; `external.rs` requests them.
//!
//! Each part of the work is a function of what it reads, called through
//! `incremental::Memos`: a file's scan (of its bytes, by identity), the index of outputs, a
//! document's and a rendered page's links judged against that index, the set of Markdown
//! targets, the list of external links. `quire serve` then scans and judges again only the
//! files it rendered again. Links to an anchor of another output are judged against that
//! output's ids on every run, outside the memos: they are few, and any output's ids may
//! change. Only real attributes of real elements count: a page a fast scan of bytes cannot
//! judge (markup shown as text, in a comment or a script) is read by an HTML tokenizer,
//! html5gum, which no other module uses.

pub mod external;

use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{Error, Location};
use crate::incremental::{Digested, Memos, Same};
use crate::parse::markdown::is_external;
use crate::render::RenderedFile;
use crate::site::{url, ContentLink, PagePlace, Site};

/// What the checker looks at.
pub struct CheckInput<'a> {
    /// The site model, with the links written in Markdown.
    pub site: &'a Site,
    /// The rendered files.
    pub rendered: &'a [RenderedFile],
    /// Every other output path: static files and files copied from `content/`.
    pub copied: Vec<String>,
    /// The scans made as the files were rendered, for a build that then dropped their bytes
    /// ([`HtmlScans::scan_now`]); `None` to scan the bytes in `rendered`.
    pub scanned: Option<&'a HtmlScans>,
    /// The memos the check's steps are called through.
    pub memos: &'a Memos,
}

/// The scans of the HTML files a build rendered and wrote aside at once, by output path.
#[derive(Debug, Default)]
pub struct HtmlScans {
    files: FxHashMap<String, Arc<Scan>>,
}

impl HtmlScans {
    /// Scans `file` now, for a check that will not see its bytes: a build that writes each
    /// file aside as soon as it is rendered drops them. `None` for a file that is not HTML.
    pub fn scan_now(file: &RenderedFile) -> Option<FileScan> {
        is_scanned(file).then(|| FileScan(Arc::new(Scan::new(&file.contents))))
    }

    /// The scans made by [`HtmlScans::scan_now`], by output path, for [`CheckInput::scanned`].
    pub fn of_scanned(scans: impl IntoIterator<Item = (String, FileScan)>) -> HtmlScans {
        HtmlScans { files: scans.into_iter().map(|(path, scan)| (path, scan.0)).collect() }
    }
}

/// One file's scan, made by [`HtmlScans::scan_now`].
#[derive(Debug)]
pub struct FileScan(Arc<Scan>);

/// What one HTML file holds that the checker reads.
#[derive(Debug)]
struct Scan {
    /// `id` and `name` attribute values.
    ids: FxHashSet<String>,
    /// `href` and `src` attribute values.
    urls: Vec<String>,
}

impl Scan {
    fn new(contents: &[u8]) -> Scan {
        let mut ids = FxHashSet::default();
        let mut urls = Vec::new();
        for_each_attribute(contents, &["id", "name", "href", "src"], |name, value| match name {
            "id" | "name" => {
                ids.insert(value);
            }
            _ => urls.push(value),
        });
        Scan { ids, urls }
    }
}

/// Whether the checker reads a file's ids and links: HTML files.
fn is_scanned(file: &RenderedFile) -> bool {
    file.output_path.ends_with(".html")
}

/// A link to another site, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalLink {
    /// The URL.
    pub url: String,
    /// The file it is written in.
    pub file: PathBuf,
    /// Its 1-based line, when written in Markdown.
    pub line: usize,
}

/// A broken internal link or anchor: what `Error::BrokenLink` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// Where the link is written.
    pub location: Location,
    /// What is wrong.
    pub detail: String,
    /// What to do about it.
    pub hint: String,
}

impl BrokenLink {
    /// The error the user sees.
    pub fn to_error(&self) -> Error {
        Error::BrokenLink {
            location: self.location.clone(),
            detail: self.detail.clone(),
            hint: Some(self.hint.clone()),
        }
    }
}

/// The outcome of a check.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// How many internal links were checked.
    pub checked: usize,
    /// Every broken internal link or anchor.
    pub broken: Vec<BrokenLink>,
    /// Every external link, once per URL (the first place it appears), sorted by URL.
    pub external: Arc<[ExternalLink]>,
}

/// Checks every internal link and anchor of the built site.
pub fn check(input: &CheckInput<'_>) -> CheckReport {
    let (site, rendered, scanned, memos) = (input.site, input.rendered, input.scanned, input.memos);
    let started = std::time::Instant::now();
    let lap = |what: &str| log::debug!("check: {what} at {:?}", started.elapsed());

    let scan = memos.function(|bytes: &Same<[u8]>| Arc::new(Scan::new(bytes)));
    let scans: Vec<Option<Arc<Scan>>> = rendered
        .par_iter()
        .map(|file| match scanned {
            _ if !is_scanned(file) => None,
            Some(scanned) => scanned.files.get(&file.output_path).cloned(),
            None => Some(scan.call(Same::of(&file.contents))),
        })
        .collect();
    lap("scanned");
    let outputs = OutputsSource {
        base_url: &site.config.base_url,
        rendered: rendered.iter().map(|file| file.output_path.as_str()).collect(),
        copied: &input.copied,
    };
    let built = memos.call_digested(&outputs, |outputs| Arc::new(Built::index(outputs)));

    // Links written in Markdown, document by document: pages, then sections.
    let pages = site.pages.iter().map(|page| DocumentInput::Page {
        links: Same::of(&page.links),
        place: page.file.place.clone(),
        built: Same::of(&built),
    });
    let sections = site.sections.iter().map(|section| DocumentInput::Section {
        links: section.links.clone(),
        url_path: section.url_path.clone(),
        display_path: section.display_path.clone(),
        built: Same::of(&built),
    });
    let judge_document = memos.function(|input: &DocumentInput| Arc::new(DocumentLinks::judge(input)));
    let inputs: Vec<DocumentInput> = pages.chain(sections).collect();
    let documents: Vec<Arc<DocumentLinks>> =
        inputs.into_par_iter().map(|input| judge_document.call(input)).collect();
    let display_paths =
        site.pages.iter().map(|p| &p.display_path).chain(site.sections.iter().map(|s| &s.display_path));
    let documents: Vec<(&PathBuf, Arc<DocumentLinks>)> = display_paths.zip(documents).collect();
    lap("judged Markdown links");
    let targets = documents.iter().map(|(_, links)| links.targets.clone()).collect();
    let markdown = memos.call(targets, |targets: &Vec<Digested<Vec<String>>>| {
        Arc::new(targets.iter().flat_map(|targets| targets.iter().cloned()).collect::<MarkdownTargets>())
    });

    // Links written by templates and shortcodes, from the HTML of pages and pagers.
    let owners = memos.call_digested(&OwnersSource::of(site), |source| Arc::new(source.owners()));
    let judge_file = memos.function(|input: &FileInput| Arc::new(FileLinks::judge(input)));
    let files: Vec<(&str, &Path, Arc<FileLinks>)> = rendered
        .par_iter()
        .zip(&scans)
        .filter_map(|(file, scan)| {
            let (owner, scan) = (owners.get(file.output_path.as_str())?, scan.as_ref()?);
            let input = FileInput {
                scan: Same::of(scan),
                page: Same::of(owner),
                built: Same::of(&built),
                markdown: Same::of(&markdown),
            };
            Some((file.output_path.as_str(), owner.file.as_path(), judge_file.call(input)))
        })
        .collect();
    lap("judged template links");

    let lists = documents
        .iter()
        .map(|(_, links)| links.external.clone())
        .chain(files.iter().map(|(_, _, links)| links.external.clone()))
        .collect();
    let external = memos.call(lists, |lists: &Vec<Digested<Vec<ExternalLink>>>| first_places(lists));

    // What is left is cheap: counting, and the few broken links and anchors.
    let anchors = Anchors::new(rendered, &scans);
    let mut report = CheckReport { external, ..CheckReport::default() };
    for (display_path, links) in &documents {
        report.checked += links.checked;
        for finding in &links.findings {
            let (link, detail) = match finding {
                DocumentFinding::Broken(link, detail) => (link, Cow::Borrowed(detail)),
                DocumentFinding::Anchor(link, anchor) => match anchors.judge(anchor) {
                    Ok(()) => continue,
                    Err(detail) => (link, Cow::Owned(detail)),
                },
            };
            report.broken.push(broken(display_path, link, detail.into_owned()));
        }
    }
    let mut reported: FxHashSet<&str> = FxHashSet::default();
    for (output_path, owner, links) in &files {
        report.checked += links.checked;
        for (target, finding) in &links.findings {
            // Reported once per target, from the first page that has it.
            if reported.contains(target.as_str()) {
                continue;
            }
            let detail = match finding {
                FileFinding::Broken(detail) => Cow::Borrowed(detail),
                FileFinding::Anchor(anchor) => match anchors.judge(anchor) {
                    Ok(()) => continue,
                    Err(detail) => Cow::Owned(detail),
                },
            };
            reported.insert(target);
            let url_path = page_url_path(output_path);
            report.broken.push(BrokenLink {
                location: Location::file(owner),
                detail: format!("the page at `{url_path}` links to `{target}`: {detail}"),
                hint: "this link is written by a template or a shortcode; fix it there".into(),
            });
        }
    }
    lap("reported");
    report
}

/// What the index of outputs is made from.
#[derive(Hash)]
struct OutputsSource<'a> {
    base_url: &'a str,
    /// The rendered files' output paths.
    rendered: Vec<&'a str>,
    copied: &'a [String],
}

/// A document's Markdown links, as judged from where it is: the document's URL path, which
/// relative links and same-page anchors start from, and its file, where broken and external
/// links are reported.
#[derive(PartialEq, Eq, Hash)]
enum DocumentInput {
    /// A page's links, shared from run to run (the very links the model resolved), and its
    /// place.
    Page {
        links: Same<[ContentLink]>,
        place: Digested<PagePlace>,
        built: Same<Built>,
    },
    Section {
        links: Vec<ContentLink>,
        url_path: String,
        display_path: PathBuf,
        built: Same<Built>,
    },
}

impl DocumentInput {
    fn links(&self) -> &[ContentLink] {
        match self {
            DocumentInput::Page { links, .. } => links,
            DocumentInput::Section { links, .. } => links,
        }
    }

    fn url_path(&self) -> &str {
        match self {
            DocumentInput::Page { place, .. } => &place.url_path,
            DocumentInput::Section { url_path, .. } => url_path,
        }
    }

    fn display_path(&self) -> &Path {
        match self {
            DocumentInput::Page { place, .. } => &place.display_path,
            DocumentInput::Section { display_path, .. } => display_path,
        }
    }

    fn built(&self) -> &Built {
        match self {
            DocumentInput::Page { built, .. } | DocumentInput::Section { built, .. } => built,
        }
    }
}

/// What became of a document's links.
struct DocumentLinks {
    /// How many were checked against the built site.
    checked: usize,
    /// The broken ones, and the ones to an anchor, in order.
    findings: Vec<DocumentFinding>,
    /// The external ones, once per URL, in order.
    external: Digested<Vec<ExternalLink>>,
    /// Every link's target, for [`MarkdownTargets`].
    targets: Digested<Vec<String>>,
}

enum DocumentFinding {
    Broken(ContentLink, String),
    /// A link to an anchor of an output, whose ids decide.
    Anchor(ContentLink, Anchor),
}

impl DocumentLinks {
    fn judge(input: &DocumentInput) -> DocumentLinks {
        let built = input.built();
        let mut checked = 0;
        let mut findings = Vec::new();
        let mut external: Vec<ExternalLink> = Vec::new();
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        for link in input.links() {
            if built.is_elsewhere(&link.resolved) {
                if seen.insert(&link.resolved) {
                    external.push(ExternalLink {
                        url: link.resolved.clone(),
                        file: input.display_path().to_path_buf(),
                        line: link.line,
                    });
                }
                continue;
            }
            checked += 1;
            match built.check(&link.resolved, input.url_path(), true) {
                Ok(None) => {}
                Ok(Some(anchor)) => findings.push(DocumentFinding::Anchor(link.clone(), anchor)),
                Err(detail) => findings.push(DocumentFinding::Broken(link.clone(), detail)),
            }
        }
        let targets = input.links().iter().map(|link| link.resolved.clone()).collect();
        DocumentLinks {
            checked,
            findings,
            external: Digested::new(external),
            targets: Digested::new(targets),
        }
    }
}

/// The target of every link written in Markdown: a template link to one of them is checked
/// where it is written in Markdown, not again in the HTML.
type MarkdownTargets = FxHashSet<String>;

/// What the pages and pagers are rendered from, for naming the file behind a template link.
/// Files are hashed as their text (hashing a `Path` walks its components).
#[derive(Hash)]
struct OwnersSource<'a> {
    /// Each page's URL path and file.
    pages: Vec<(&'a str, &'a OsStr)>,
    /// Each pager's URL path and its section's file.
    pagers: Vec<(&'a str, &'a OsStr)>,
}

impl<'a> OwnersSource<'a> {
    fn of(site: &'a Site) -> OwnersSource<'a> {
        let pages = site.pages.iter().map(|p| (p.url_path.as_str(), p.display_path.as_os_str())).collect();
        let pagers = site
            .sections
            .iter()
            .flat_map(|s| s.pagers.iter().map(move |p| (p.url_path.as_str(), s.display_path.as_os_str())))
            .collect();
        OwnersSource { pages, pagers }
    }

    /// Each rendered page, by output path. Shared, so that a page's links are judged by its
    /// identity: the same while no page or pager is added, removed or moved.
    fn owners(&self) -> FxHashMap<String, Arc<RenderedPage>> {
        let all = self.pages.iter().chain(&self.pagers);
        all.map(|&(url_path, file)| {
            let output_path = url::output_path(url_path);
            let page = RenderedPage { output_path: output_path.clone(), file: PathBuf::from(file) };
            (output_path, Arc::new(page))
        })
        .collect()
    }
}

/// A page or pager rendered from a file.
struct RenderedPage {
    output_path: String,
    /// The file it is rendered from, where its broken and external links are reported.
    file: PathBuf,
}

/// A rendered page's links, as judged from where it is.
#[derive(PartialEq, Eq, Hash)]
struct FileInput {
    scan: Same<Scan>,
    page: Same<RenderedPage>,
    built: Same<Built>,
    markdown: Same<MarkdownTargets>,
}

/// What became of the links of a rendered page that are not written in Markdown too.
struct FileLinks {
    /// How many were checked against the built site.
    checked: usize,
    /// The broken ones, and the ones to an anchor, by target, in order.
    findings: Vec<(String, FileFinding)>,
    /// The external ones, once per URL, in order.
    external: Digested<Vec<ExternalLink>>,
}

enum FileFinding {
    Broken(String),
    /// A link to an anchor of an output, whose ids decide.
    Anchor(Anchor),
}

impl FileLinks {
    fn judge(input: &FileInput) -> FileLinks {
        let built = &input.built;
        let url_path = page_url_path(&input.page.output_path);
        let mut checked = 0;
        let mut findings = Vec::new();
        let mut external: Vec<ExternalLink> = Vec::new();
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        for target in &input.scan.urls {
            if input.markdown.contains(target.as_str()) || target.starts_with('#') || target.is_empty() {
                continue;
            }
            if built.is_elsewhere(target) {
                if seen.insert(target) {
                    external.push(ExternalLink {
                        url: target.clone(),
                        file: input.page.file.clone(),
                        line: 0,
                    });
                }
                continue;
            }
            checked += 1;
            match built.check(target, &url_path, false) {
                Ok(None) => {}
                Ok(Some(anchor)) => findings.push((target.clone(), FileFinding::Anchor(anchor))),
                Err(detail) => findings.push((target.clone(), FileFinding::Broken(detail))),
            }
        }
        FileLinks { checked, findings, external: Digested::new(external) }
    }
}

/// Every external link once, at the first place it is written, sorted by URL.
fn first_places(lists: &[Digested<Vec<ExternalLink>>]) -> Arc<[ExternalLink]> {
    let mut first: FxHashMap<&str, &ExternalLink> = FxHashMap::default();
    for link in lists.iter().flat_map(|list| list.iter()) {
        first.entry(&link.url).or_insert(link);
    }
    let mut external: Vec<ExternalLink> = first.into_values().cloned().collect();
    external.sort_unstable_by(|a, b| a.url.cmp(&b.url));
    external.into()
}

/// The URL path of the page rendered at `output_path`: `/blog/a/`.
fn page_url_path(output_path: &str) -> String {
    format!("/{}", output_path.trim_end_matches("index.html"))
}

fn broken(display_path: &Path, link: &ContentLink, detail: String) -> BrokenLink {
    let written = if link.written == link.resolved {
        format!("`{}`", link.written)
    } else {
        format!("`{}` (`{}`)", link.written, link.resolved)
    };
    BrokenLink {
        location: Location { line: link.line, ..Location::file(display_path) },
        detail: format!("{written}: {detail}"),
        hint: "relative links are resolved from the page's URL (`../other-post/`), or from its folder for files beside it; `@/blog/post.md` names a page by its file"
            .into(),
    }
}

/// A link to an anchor of a built output: good when the output is not HTML or has an
/// element with that id.
#[derive(Debug, Clone)]
struct Anchor {
    /// The output linked to.
    output_path: String,
    fragment: String,
    /// The path as linked, for the message.
    site_path: String,
}

/// The ids of each rendered HTML file, for judging anchors; made only when some link has one.
struct Anchors<'a> {
    rendered: &'a [RenderedFile],
    scans: &'a [Option<Arc<Scan>>],
    by_path: std::cell::OnceCell<FxHashMap<&'a str, &'a Scan>>,
}

impl<'a> Anchors<'a> {
    fn new(rendered: &'a [RenderedFile], scans: &'a [Option<Arc<Scan>>]) -> Anchors<'a> {
        Anchors { rendered, scans, by_path: std::cell::OnceCell::new() }
    }

    fn judge(&self, anchor: &Anchor) -> Result<(), String> {
        let by_path = self.by_path.get_or_init(|| {
            let scanned = self.rendered.iter().zip(self.scans);
            scanned.filter_map(|(file, scan)| Some((file.output_path.as_str(), &**scan.as_ref()?))).collect()
        });
        match by_path.get(anchor.output_path.as_str()) {
            Some(scan) if !scan.ids.contains(&anchor.fragment) => {
                Err(format!("`/{}` has no element with the id `{}`", anchor.site_path, anchor.fragment))
            }
            _ => Ok(()),
        }
    }
}

/// What the build produced: its output paths, under its base URL.
struct Built {
    base_url: String,
    /// The path part of `base_url`: `/` or `/sub/`.
    base_path: String,
    outputs: FxHashSet<String>,
    /// What comes before `index.html` in each output that ends so (`blog/a/`, or `` for the
    /// home page): `{prefix}index.html` is built.
    index_prefixes: FxHashSet<String>,
}

impl Built {
    fn index(source: &OutputsSource<'_>) -> Built {
        let base_url = source.base_url.to_string();
        let base_path = url::base_path(&base_url).to_string();
        let outputs: FxHashSet<String> = source
            .rendered
            .iter()
            .copied()
            .chain(source.copied.iter().map(String::as_str))
            .map(String::from)
            .collect();
        let index_prefixes =
            outputs.iter().filter_map(|path| path.strip_suffix("index.html")).map(String::from).collect();
        Built { base_url, base_path, outputs, index_prefixes }
    }

    /// Whether `target` is on another site (an absolute URL not under `base_url`).
    fn is_elsewhere(&self, target: &str) -> bool {
        is_external(target) && !target.starts_with(self.base_url.as_str())
    }

    /// Checks `target`, linked from the page at `from` (a URL path): `Ok(Some(..))` for a
    /// found output whose anchor is still to be judged.
    ///
    /// Called for every link of the site (over 100,000 at 10,000 posts) on a clean build, so a
    /// link that is found allocates nothing: the path is borrowed from `target` where it can
    /// be, and the folder candidates are looked up among `index_prefixes` instead of being
    /// written out.
    fn check(
        &self,
        target: &str,
        from: &str,
        check_same_page_fragment: bool,
    ) -> Result<Option<Anchor>, String> {
        let (path, fragment) = match target.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (target, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        let site_path: Cow<'_, str> = if path.is_empty() {
            if !check_same_page_fragment {
                return Ok(None);
            }
            Cow::Borrowed(from.trim_start_matches('/'))
        } else if let Some(rest) = path.strip_prefix(self.base_url.as_str()) {
            Cow::Borrowed(rest)
        } else if path.starts_with('/') {
            match path.strip_prefix(self.base_path.as_str()) {
                Some(rest) => Cow::Borrowed(rest),
                None if path == self.base_path.trim_end_matches('/') => Cow::Borrowed(""),
                // Judged as the deployed site resolves it: outside the base path, it leaves
                // the site (another site on the host is linked by its full URL).
                None => {
                    let origin = &self.base_url[..self.base_url.len() - self.base_path.len()];
                    return Err(format!(
                        "it leaves the site, whose pages are under `{}`: deployed, it leads to `{origin}{path}`",
                        self.base_path
                    ));
                }
            }
        } else if path.contains(':') {
            // `mailto:`, `tel:`, `data:`: not a page.
            return Ok(None);
        } else {
            match resolve_relative(from, path) {
                Some(resolved) => Cow::Owned(resolved),
                None => return Err("it climbs above the site's root".into()),
            }
        };
        let site_path = match site_path.contains('%') {
            true => Cow::Owned(url::percent_decode_lossy(&site_path)),
            false => site_path,
        };
        let Some(found) = self.find(&site_path) else {
            return Err(format!("nothing is built at `/{site_path}`"));
        };
        let Some(fragment) = fragment.filter(|fragment| !fragment.is_empty()) else { return Ok(None) };
        let output_path = match found {
            Found::Itself => site_path.to_string(),
            Found::Index(prefix) => format!("{prefix}index.html"),
        };
        Ok(Some(Anchor { output_path, fragment: fragment.to_string(), site_path: site_path.into_owned() }))
    }

    /// The output a link to `site_path` leads to, tried in this order: the file itself,
    /// `{site_path}index.html`, then `{site_path without trailing slashes}/index.html`.
    fn find<'p>(&self, site_path: &'p str) -> Option<Found<'p>> {
        // A file's path never ends in a slash: most links name a folder.
        if !site_path.is_empty() && !site_path.ends_with('/') && self.outputs.contains(site_path) {
            return Some(Found::Itself);
        }
        if self.index_prefixes.contains(site_path) {
            return Some(Found::Index(Cow::Borrowed(site_path)));
        }
        let trimmed = site_path.trim_end_matches('/');
        // `{trimmed}/`: a prefix of `site_path` when it ends in a slash.
        let folder = match site_path.len() > trimmed.len() {
            true => Cow::Borrowed(&site_path[..=trimmed.len()]),
            false => Cow::Owned(format!("{trimmed}/")),
        };
        self.index_prefixes.contains(folder.as_ref()).then_some(Found::Index(folder))
    }
}

/// Which output a link leads to (see [`Built::find`]).
enum Found<'p> {
    /// The file the link names.
    Itself,
    /// The `index.html` under this prefix.
    Index(Cow<'p, str>),
}

/// Resolves a relative URL path against the page URL `from` (`/blog/a/`) into a path under
/// the site root without the leading `/`; `None` when it climbs above the root.
fn resolve_relative(from: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let trailing = relative.ends_with('/') || relative.ends_with("/.") || relative.ends_with("..");
    let joined = parts.join("/");
    Some(if trailing && !joined.is_empty() { format!("{joined}/") } else { joined })
}

/// Calls `each` with the name and the value (entities decoded) of every attribute of `html`
/// named in `names`, in document order: only real attributes of real elements, never text
/// that looks like one (`<code>&lt;a href="/x/"&gt;</code>`, a comment, a script).
///
/// A real HTML tokenizer (html5gum) reads every page in 20 to 40 times the time of a scan of
/// bytes, so the bytes are scanned first, in one pass over the `=` signs: when every value
/// found sits plainly inside a start tag (after a `<` and a letter, no `>` and no open quote
/// between), outside comments, and the page has no script or other raw text element, the
/// scan is the answer. Any other page is read by the tokenizer. A page whose attributes are
/// all quoted, as our templates and pulldown-cmark write them, takes the fast way.
fn for_each_attribute<'n>(html: &[u8], names: &[&'n str], mut each: impl FnMut(&'n str, String)) {
    let (found, unsure) = scan_attributes(html, names);
    if !unsure
        && found.iter().all(|attribute| is_plainly_in_a_tag(html, attribute.name_start))
        && !has_raw_text_element(html)
        && outside_comments(html, &found)
    {
        for attribute in found {
            each(attribute.name, decode_entities(&String::from_utf8_lossy(&html[attribute.value])));
        }
    } else {
        tokenize_attributes(html, names, each);
    }
}

/// One attribute found by [`scan_attributes`].
struct ScannedAttribute<'n> {
    name: &'n str,
    /// Where its name starts.
    name_start: usize,
    /// Its value, without the quotes.
    value: std::ops::Range<usize>,
}

/// Every ` name="value"` (or `'value'`) of `html` whose name is in `names`, wherever it is:
/// in a tag, or in text that only looks like one; and whether some attribute of those names
/// may have been missed (written unquoted, in capitals or with spaces around `=`). No UTF-8
/// check of the whole file: every page is scanned on every build.
fn scan_attributes<'n>(html: &[u8], names: &[&'n str]) -> (Vec<ScannedAttribute<'n>>, bool) {
    let mut found = Vec::new();
    let mut unsure = false;
    let mut from = 0;
    while let Some(offset) = memchr::memchr(b'=', &html[from..]) {
        let equals = from + offset;
        from = equals + 1;
        let name_end = html[..equals].iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
        let name_start = html[..name_end]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'-'))
            .map_or(0, |i| i + 1);
        let boundary = name_start > 0 && html[name_start - 1].is_ascii_whitespace();
        let written = &html[name_start..name_end];
        let Some(name) =
            names.iter().find(|name| name.as_bytes().eq_ignore_ascii_case(written)).filter(|_| boundary)
        else {
            continue;
        };
        let quote = match html.get(from) {
            Some(&quote @ (b'"' | b'\'')) if name_end == equals && name.as_bytes() == written => quote,
            _ => {
                unsure = true;
                continue;
            }
        };
        let Some(end) = memchr::memchr(quote, &html[from + 1..]) else { break };
        found.push(ScannedAttribute { name, name_start, value: from + 1..from + 1 + end });
        from += 1 + end;
    }
    (found, unsure)
}

/// Whether the attribute whose name starts at `name_start` is plainly inside a start tag:
/// the last `<` before it opens a tag (a letter follows), no `>` comes between, and every
/// quote opened between is closed. Anything else (text, a quoted value holding `href="`)
/// is for the tokenizer to judge.
fn is_plainly_in_a_tag(html: &[u8], name_start: usize) -> bool {
    let before = &html[..name_start];
    let Some(open) = memchr::memrchr(b'<', before) else { return false };
    if !html.get(open + 1).is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    let inside = &before[open..];
    memchr::memchr(b'>', inside).is_none()
        && memchr::memchr_iter(b'"', inside).count().is_multiple_of(2)
        && memchr::memchr_iter(b'\'', inside).count().is_multiple_of(2)
}

/// Whether `html` has an element whose content is not markup (`<script>`, `<style>`...):
/// text there can look like a tag. `<title>` is in every page's head; the templates escape
/// its text, so it counts only when it holds an `=`.
fn has_raw_text_element(html: &[u8]) -> bool {
    // Tried on each `<` by its first letter: a page has thousands of `<span`, and comparing
    // each with every name cost three times the scan itself.
    memchr::memchr_iter(b'<', html).any(|at| {
        let rest = &html[at + 1..];
        let is = |name: &[u8]| {
            rest.len() > name.len()
                && rest[..name.len()].eq_ignore_ascii_case(name)
                && !rest[name.len()].is_ascii_alphanumeric()
        };
        match rest.first().map(u8::to_ascii_lowercase) {
            Some(b's') => is(b"script") || is(b"style"),
            Some(b't') => is(b"textarea") || (is(b"title") && title_holds_an_equals_sign(rest)),
            Some(b'x') => is(b"xmp"),
            Some(b'i') => is(b"iframe"),
            Some(b'n') => is(b"noembed") || is(b"noframes"),
            _ => false,
        }
    })
}

fn title_holds_an_equals_sign(from_title: &[u8]) -> bool {
    let end = memchr::memmem::find(from_title, b"</").unwrap_or(from_title.len());
    memchr::memchr(b'=', &from_title[..end]).is_some()
}

/// Whether no attribute in `found` lies inside a comment (`<!-- <a href="/draft/"> -->`).
fn outside_comments(html: &[u8], found: &[ScannedAttribute<'_>]) -> bool {
    let mut from = 0;
    while let Some(offset) = memchr::memmem::find(&html[from..], b"<!--") {
        let start = from + offset;
        let end = memchr::memmem::find(&html[start + 4..], b"-->").map_or(html.len(), |e| start + 4 + e + 3);
        if found.iter().any(|attribute| (start..end).contains(&attribute.name_start)) {
            return false;
        }
        from = end;
    }
    true
}

/// [`for_each_attribute`] by the HTML tokenizer: attributes of start tags only, values with
/// their character references decoded, script and style content read as text (html5gum's
/// `naive_next_state`, right for the body of a page).
fn tokenize_attributes<'n>(html: &[u8], names: &[&'n str], mut each: impl FnMut(&'n str, String)) {
    use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
    use html5gum::{Span, Tokenizer};

    let text = String::from_utf8_lossy(html);
    let mut current: Option<&'n str> = None;
    let mut in_start_tag = false;
    let mut emitter =
        CallbackEmitter::new(|event: CallbackEvent<'_>, _: Span<()>| -> Option<std::convert::Infallible> {
            match event {
                CallbackEvent::OpenStartTag { .. } => in_start_tag = true,
                CallbackEvent::AttributeName { name } => {
                    current = names
                        .iter()
                        .copied()
                        .find(|wanted| wanted.as_bytes() == name)
                        .filter(|_| in_start_tag);
                }
                CallbackEvent::AttributeValue { value } => {
                    if let Some(name) = current.take() {
                        each(name, String::from_utf8_lossy(value).into_owned());
                    }
                }
                CallbackEvent::CloseStartTag { .. } | CallbackEvent::EndTag { .. } => {
                    in_start_tag = false;
                    current = None;
                }
                _ => {}
            }
            None
        });
    emitter.naively_switch_states(true);
    for _ in Tokenizer::new_with_emitter(text.as_ref(), emitter) {}
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_from_the_page_url() {
        assert_eq!(resolve_relative("/blog/a/", "../b/").as_deref(), Some("blog/b/"));
        assert_eq!(resolve_relative("/blog/a/", "img.png").as_deref(), Some("blog/a/img.png"));
        assert_eq!(resolve_relative("/", "../x"), None);
    }

    fn attribute_values(html: &str, names: &[&str]) -> Vec<String> {
        let mut values = Vec::new();
        for_each_attribute(html.as_bytes(), names, |_, value| values.push(value));
        values
    }

    #[test]
    fn attributes_are_found_and_decoded() {
        let html = r#"<a href="/a/?x=1&amp;y=2">a</a><h2 id="intro">x</h2><a data-href="no" href='/b/'>"#;
        assert_eq!(attribute_values(html, &["href"]), ["/a/?x=1&y=2", "/b/"]);
        assert_eq!(attribute_values(html, &["id"]), ["intro"]);
        assert_eq!(attribute_values(html, &["id", "href"]), ["/a/?x=1&y=2", "intro", "/b/"]);
        let mixed = r#"<img src="/1.png" alt="a=b"><a title='x' href="/2/"><p>x = y</p><img src=/3.png>"#;
        // `src=/3.png` unquoted is an attribute too (the tokenizer reads it; issue 22).
        assert_eq!(attribute_values(mixed, &["href", "src"]), ["/1.png", "/2/", "/3.png"]);
        let unicode = "<h2 id=\"café\">é</h2><a href=\"/ü/\">";
        assert_eq!(attribute_values(unicode, &["id", "href"]), ["café", "/ü/"]);
    }

    #[test]
    fn issue_22_text_comments_and_scripts_that_look_like_links_are_not_links() {
        let names = &["id", "href"];
        let code = r#"<p>Write <code>&lt;a href="/about-me/"&gt;</code>.</p><a href="/real/">r</a>"#;
        assert_eq!(attribute_values(code, names), ["/real/"]);
        let comment = r#"<!-- <a href="/draft/"> --><h2 id="x">x</h2><!-- more -->"#;
        assert_eq!(attribute_values(comment, names), ["x"]);
        let script = r#"<script>let a = '<a href="/js/">';</script><a href='/real/'>"#;
        assert_eq!(attribute_values(script, names), ["/real/"]);
        let in_a_value = r#"<img alt='see href="/no/"' src="/i.png"><a title="it's" href="/yes/">"#;
        assert_eq!(attribute_values(in_a_value, &["href", "src"]), ["/i.png", "/yes/"]);
        // Unquoted and upper-case attributes are attributes too.
        let unquoted = r#"<p>&lt;</p><a href=/plain/ ID=top>x</a><a href="/a?x=1&amp;y=2">"#;
        assert_eq!(attribute_values(unquoted, names), ["/plain/", "top", "/a?x=1&y=2"]);
    }

    #[test]
    fn plain_pages_take_the_byte_scan_and_others_the_tokenizer() {
        let plain = br#"<a class="x" href="/a/">a</a><!-- more --><h2 id="b">b</h2>"#;
        let (found, unsure) = scan_attributes(plain, &["href", "id"]);
        assert!(!unsure);
        assert!(found.iter().all(|a| is_plainly_in_a_tag(plain, a.name_start)));
        assert!(outside_comments(plain, &found) && !has_raw_text_element(plain));
        let text = br#"<p>say href="/x/"</p>"#;
        let (found, _) = scan_attributes(text, &["href"]);
        assert!(scan_attributes(b"<a href = \"/x/\">", &["href"]).1, "spaces around `=`");
        assert!(!is_plainly_in_a_tag(text, found[0].name_start));
        assert!(has_raw_text_element(b"<style>a{}</style>"));
        assert!(!has_raw_text_element(b"<title>Hi</title><scripts>"));
    }
}
