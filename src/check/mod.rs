//! The link checker: after rendering, every internal link and anchor is checked against the
//! files the build produced (in memory, before anything is written).
//!
//! Links written in Markdown are checked from the page they are written in and reported at
//! their file and line. Links that templates and shortcodes write are found by scanning the
//! rendered HTML and reported once per target, naming the first page that has them. Links to
//! a fragment of the same page (`#top`) are checked only when written in Markdown: a summary
//! on a list page repeats its page's footnote references, which would otherwise be reported
//! on every list page. External links are only collected here; `external.rs` requests them.
//! Scanning the HTML is the costly part, so each file's scan is kept (`HtmlScans`) and reused
//! while its bytes are the same allocation: `quire serve` re-scans only what it re-rendered.
//! Only real attributes of real elements count: a page a fast scan of bytes cannot judge
//! (markup shown as text, in a comment or a script) is read by an HTML tokenizer, html5gum,
//! which no other module uses.

pub mod external;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{Error, Location};
use crate::parse::markdown::is_external;
use crate::render::RenderedFile;
use crate::site::{url, ContentLink, Site};

/// What the checker looks at.
pub struct CheckInput<'a> {
    /// The site model, with the links written in Markdown.
    pub site: &'a Site,
    /// The rendered files.
    pub rendered: &'a [RenderedFile],
    /// Every other output path: static files and files copied from `content/`.
    pub copied: Vec<String>,
}

/// The ids and links found in each rendered HTML file, by output path, with the bytes they
/// were found in; and the last report with a digest of everything it was made from.
#[derive(Debug, Default)]
pub struct HtmlScans {
    files: HashMap<String, Arc<Scan>, rustc_hash::FxBuildHasher>,
    report: Option<(u128, Arc<CheckReport>)>,
}

/// What one HTML file holds that the checker reads.
#[derive(Debug)]
struct Scan {
    /// The bytes scanned: the scan is valid while the file is this same allocation. `None`
    /// for a scan made as the file was rendered, whose bytes were then dropped.
    contents: Option<Arc<[u8]>>,
    /// `id` and `name` attribute values.
    ids: FxHashSet<String>,
    /// `href` and `src` attribute values.
    urls: Vec<String>,
    /// A digest of the file's path, `ids` and `urls`: all the checker reads of the file.
    /// Editing a page's text changes its bytes but seldom this.
    place_digest: u128,
}

impl Scan {
    fn new(output_path: &str, contents: &[u8], keep: Option<&Arc<[u8]>>) -> Scan {
        let mut ids = FxHashSet::default();
        let mut urls = Vec::new();
        for_each_attribute(contents, &["id", "name", "href", "src"], |name, value| match name {
            "id" | "name" => {
                ids.insert(value);
            }
            _ => urls.push(value),
        });
        let mut digest = Digest::default();
        let mut sorted: Vec<&String> = ids.iter().collect();
        sorted.sort_unstable();
        digest.count(sorted.len());
        sorted.into_iter().for_each(|id| digest.text(id));
        digest.count(urls.len());
        urls.iter().for_each(|url| digest.text(url));
        let place_digest = Scan::place_digest(output_path, Some(digest.finish()));
        Scan { contents: keep.map(Arc::clone), ids, urls, place_digest }
    }

    /// The digest of a file at `output_path` whose ids and links digest to `scanned` (`None`
    /// for a file that is not scanned).
    fn place_digest(output_path: &str, scanned: Option<u128>) -> u128 {
        let mut digest = Digest::default();
        digest.text(output_path);
        if let Some(scanned) = scanned {
            digest.bytes(&scanned.to_le_bytes());
        }
        digest.finish()
    }
}

/// A digest of texts and counts, each delimited, so that different inputs cannot run together.
#[derive(Default)]
struct Digest(crate::incremental::Digest);

impl Digest {
    fn text(&mut self, text: &str) {
        self.count(text.len());
        self.bytes(text.as_bytes());
    }

    fn count(&mut self, count: usize) {
        self.bytes(&(count as u64).to_le_bytes());
    }

    fn bytes(&mut self, bytes: &[u8]) {
        std::hash::Hasher::write(&mut self.0, bytes);
    }

    fn finish(&self) -> u128 {
        self.0.finish_128()
    }
}

/// A digest of everything `check` reads: the base URL, each page's and section's URL, file
/// and Markdown links, the pagers' URLs, every output path in order with its HTML's ids and
/// links, and the copied files. The same digest means the same report.
/// `per_file` holds each rendered file's path and scan digest, in order.
fn inputs_digest(input: &CheckInput<'_>, per_file: &[u128]) -> u128 {
    let site = input.site;
    let mut digest = Digest::default();
    digest.text(&site.config.base_url);
    let documents: Vec<_> = site
        .pages
        .iter()
        .map(|p| (&p.url_path, &p.display_path, p.links_digest))
        .chain(site.sections.iter().map(|s| (&s.url_path, &s.display_path, s.links_digest)))
        .collect();
    // Each document digested on its own, in parallel, then the digests in document order.
    // Its links come as the digest the model made when it resolved them (200,000 links at
    // 10,000 posts, mostly unchanged from run to run).
    let per_document: Vec<u128> = documents
        .par_iter()
        .map(|(url_path, display_path, links)| {
            let mut digest = Digest::default();
            digest.text(url_path);
            digest.text(&display_path.to_string_lossy());
            digest.bytes(&links.to_le_bytes());
            digest.finish()
        })
        .collect();
    digest.count(per_document.len());
    for document in per_document {
        digest.bytes(&document.to_le_bytes());
    }
    for section in &site.sections {
        digest.count(section.pagers.len());
        section.pagers.iter().for_each(|pager| digest.text(&pager.url_path));
    }
    digest.count(per_file.len());
    for file in per_file {
        digest.bytes(&file.to_le_bytes());
    }
    digest.count(input.copied.len());
    input.copied.iter().for_each(|path| digest.text(path));
    digest.finish()
}

impl HtmlScans {
    /// Scans `file` now, for a check that will not see its bytes: a build that writes each
    /// file aside as soon as it is rendered drops them. `None` for a file that is not HTML.
    pub fn scan_now(file: &RenderedFile) -> Option<FileScan> {
        is_scanned(file).then(|| FileScan(Arc::new(Scan::new(&file.output_path, &file.contents, None))))
    }

    /// The scans made by [`HtmlScans::scan_now`], by output path, to pass to [`check`].
    pub fn of_scanned(scans: impl IntoIterator<Item = (String, FileScan)>) -> HtmlScans {
        HtmlScans { files: scans.into_iter().map(|(path, scan)| (path, scan.0)).collect(), report: None }
    }

    /// Brings the scans up to date with `rendered`, in place: a scan is kept while its file
    /// is the same allocation (unchanged renders are shared from run to run) or was scanned
    /// as it was rendered. Returns the digest of each rendered file's path and scan, in
    /// order, for [`inputs_digest`].
    fn update(&mut self, rendered: &[RenderedFile]) -> Vec<u128> {
        let looked_up: Vec<(Option<Arc<Scan>>, u128)> = rendered
            .par_iter()
            .map(|file| {
                if !is_scanned(file) {
                    return (None, Scan::place_digest(&file.output_path, None));
                }
                match self.files.get(&file.output_path) {
                    Some(scan)
                        if scan.contents.as_ref().is_none_or(|bytes| Arc::ptr_eq(bytes, &file.contents)) =>
                    {
                        (None, scan.place_digest)
                    }
                    _ => {
                        let scan = Scan::new(&file.output_path, &file.contents, Some(&file.contents));
                        let digest = scan.place_digest;
                        (Some(Arc::new(scan)), digest)
                    }
                }
            })
            .collect();
        let mut per_file = Vec::with_capacity(looked_up.len());
        for (file, (scan, digest)) in rendered.iter().zip(looked_up) {
            if let Some(scan) = scan {
                self.files.insert(file.output_path.clone(), scan);
            }
            per_file.push(digest);
        }
        // Files no longer rendered (rare: a page moved or went) lose their scans.
        let scanned = rendered.iter().filter(|file| is_scanned(file)).count();
        if self.files.len() != scanned {
            let current: HashSet<&str> = rendered.iter().map(|f| f.output_path.as_str()).collect();
            self.files.retain(|path, _| current.contains(path.as_str()));
        }
        per_file
    }
}

/// Whether the checker reads a file's ids and links: HTML files.
fn is_scanned(file: &RenderedFile) -> bool {
    file.output_path.ends_with(".html")
}

/// One file's scan, made by [`HtmlScans::scan_now`].
#[derive(Debug)]
pub struct FileScan(Arc<Scan>);

/// A link to another site, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Every external link, once per URL (the first place it appears).
    pub external: Vec<ExternalLink>,
}

/// Checks every internal link and anchor of the built site. `scans` holds the previous
/// check's scans (empty for a clean build), or for a build that drops each file's bytes once
/// written aside, the scans made then ([`HtmlScans::scan_now`]); it is brought up to date
/// for the next check. When nothing the check reads changed since the previous check
/// (`quire serve` after an edit that keeps every link and id), its report is the answer
/// again.
pub fn check(input: &CheckInput<'_>, scans: &mut HtmlScans) -> Arc<CheckReport> {
    let started = std::time::Instant::now();
    let per_file = scans.update(input.rendered);
    log::debug!("check: scanned at {:?}", started.elapsed());
    let digest = inputs_digest(input, &per_file);
    log::debug!("check: digested inputs at {:?}", started.elapsed());
    let report = match &scans.report {
        Some((previous, report)) if *previous == digest => Arc::clone(report),
        _ => Arc::new(check_all(input, scans)),
    };
    scans.report = Some((digest, Arc::clone(&report)));
    log::debug!("check: reported at {:?}", started.elapsed());
    report
}

/// [`check`] without a previous report.
fn check_all(input: &CheckInput<'_>, scans: &HtmlScans) -> CheckReport {
    let site = input.site;
    let built = Built::index(input, scans);
    let mut report = CheckReport::default();
    // The first place each external URL is written, sorted by URL at the end.
    let mut external: FxHashMap<&str, ExternalLink> = FxHashMap::default();
    let mut from_markdown: FxHashSet<&str> = FxHashSet::default();

    // Each link is checked on its own, in parallel; the results are merged in document order
    // so that the report is the same as one made link by link.
    let documents: Vec<_> = site
        .pages
        .iter()
        .map(|p| (&p.url_path, &p.display_path, &p.links[..]))
        .chain(site.sections.iter().map(|s| (&s.url_path, &s.display_path, &s.links[..])))
        .collect();
    let outcomes: Vec<Vec<Option<Result<(), String>>>> = documents
        .par_iter()
        .map(|(url_path, _, links)| {
            links
                .iter()
                .map(|link| {
                    (!built.is_elsewhere(&link.resolved)).then(|| built.check(&link.resolved, url_path, true))
                })
                .collect()
        })
        .collect();
    for ((_, display_path, links), outcomes) in documents.iter().zip(outcomes) {
        for (link, outcome) in links.iter().zip(outcomes) {
            from_markdown.insert(&link.resolved);
            match outcome {
                None => {
                    external.entry(&link.resolved).or_insert_with(|| ExternalLink {
                        url: link.resolved.clone(),
                        file: (*display_path).clone(),
                        line: link.line,
                    });
                }
                Some(result) => {
                    report.checked += 1;
                    if let Err(detail) = result {
                        report.broken.push(broken(display_path, link, detail));
                    }
                }
            }
        }
    }

    // Links written by templates and shortcodes, from the HTML itself.
    let owners = owners(site);
    let found: Vec<(&RenderedFile, &Vec<String>)> = input
        .rendered
        .iter()
        .filter(|file| owners.contains_key(file.output_path.as_str()))
        .filter_map(|file| Some((file, &scans.files.get(&file.output_path)?.urls)))
        .collect();
    let outcomes: Vec<Vec<TemplateLink>> = found
        .par_iter()
        .map(|(file, urls)| {
            let url_path = page_url_path(file);
            urls.iter()
                .map(|target| {
                    if from_markdown.contains(target.as_str()) || target.starts_with('#') || target.is_empty()
                    {
                        TemplateLink::Skipped
                    } else if built.is_elsewhere(target) {
                        TemplateLink::External
                    } else {
                        TemplateLink::Checked(built.check(target, &url_path, false))
                    }
                })
                .collect()
        })
        .collect();
    let mut reported: FxHashSet<&str> = FxHashSet::default();
    for ((file, urls), outcomes) in found.iter().zip(outcomes) {
        for (target, outcome) in urls.iter().zip(outcomes) {
            match outcome {
                TemplateLink::Skipped => {}
                TemplateLink::External => {
                    external.entry(target).or_insert_with(|| ExternalLink {
                        url: target.clone(),
                        file: owners[file.output_path.as_str()].to_path_buf(),
                        line: 0,
                    });
                }
                TemplateLink::Checked(result) => {
                    report.checked += 1;
                    // Reported once per target, from the first page that has it.
                    if reported.contains(target.as_str()) {
                        continue;
                    }
                    if let Err(detail) = result {
                        reported.insert(target);
                        let url_path = page_url_path(file);
                        report.broken.push(BrokenLink {
                            location: Location::file(owners[file.output_path.as_str()]),
                            detail: format!("the page at `{url_path}` links to `{target}`: {detail}"),
                            hint: "this link is written by a template or a shortcode; fix it there".into(),
                        });
                    }
                }
            }
        }
    }
    report.external = external.into_values().collect();
    report.external.sort_unstable_by(|a, b| a.url.cmp(&b.url));
    report
}

/// What became of one link found in a template's HTML.
enum TemplateLink {
    /// Written in Markdown too (checked there), same-page or empty.
    Skipped,
    /// On another site.
    External,
    /// Checked against the built site.
    Checked(Result<(), String>),
}

/// The URL path of the page rendered into `file`: `/blog/a/`.
fn page_url_path(file: &RenderedFile) -> String {
    format!("/{}", file.output_path.trim_end_matches("index.html"))
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

/// The source file behind each rendered page, by output path.
fn owners(site: &Site) -> FxHashMap<String, &Path> {
    let pages = site.pages.iter().map(|p| (url::output_path(&p.url_path), p.display_path.as_path()));
    let pagers = site.sections.iter().flat_map(|s| {
        s.pagers.iter().map(move |p| (url::output_path(&p.url_path), s.display_path.as_path()))
    });
    pages.chain(pagers).collect()
}

/// What the build produced: output paths, and the ids in each HTML file.
struct Built<'a> {
    base_url: &'a str,
    /// The path part of `base_url`: `/` or `/sub/`.
    base_path: String,
    outputs: FxHashSet<&'a str>,
    /// What comes before `index.html` in each output that ends so (`blog/a/`, or `` for the
    /// home page): `{prefix}index.html` is built.
    index_prefixes: FxHashSet<&'a str>,
    /// Each HTML file's scan, for its ids.
    scans: &'a HashMap<String, Arc<Scan>, rustc_hash::FxBuildHasher>,
}

impl<'a> Built<'a> {
    fn index(input: &'a CheckInput<'a>, scans: &'a HtmlScans) -> Built<'a> {
        let base_url = input.site.config.base_url.as_str();
        let base_path = url::base_path(base_url).to_string();
        let mut outputs: FxHashSet<&str> = input.rendered.iter().map(|f| f.output_path.as_str()).collect();
        outputs.extend(input.copied.iter().map(String::as_str));
        let index_prefixes = outputs.iter().filter_map(|path| path.strip_suffix("index.html")).collect();
        Built { base_url, base_path, outputs, index_prefixes, scans: &scans.files }
    }

    /// Whether `target` is on another site (an absolute URL not under `base_url`).
    fn is_elsewhere(&self, target: &str) -> bool {
        is_external(target) && !target.starts_with(self.base_url)
    }

    /// Checks `target`, linked from the page at `from` (a URL path).
    ///
    /// Called for every link of the site (over 100,000 at 10,000 posts), so a link that is
    /// found allocates nothing: the path is borrowed from `target` where it can be, and the
    /// folder candidates are looked up among `index_prefixes` instead of being written out.
    fn check(&self, target: &str, from: &str, check_same_page_fragment: bool) -> Result<(), String> {
        let (path, fragment) = match target.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (target, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        let site_path: Cow<'_, str> = if path.is_empty() {
            if !check_same_page_fragment {
                return Ok(());
            }
            Cow::Borrowed(from.trim_start_matches('/'))
        } else if let Some(rest) = path.strip_prefix(self.base_url) {
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
            return Ok(());
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
        let Some(fragment) = fragment.filter(|fragment| !fragment.is_empty()) else { return Ok(()) };
        let found = match found {
            Found::Itself => Cow::Borrowed(site_path.as_ref()),
            Found::Index(prefix) => Cow::Owned(format!("{prefix}index.html")),
        };
        match self.scans.get(found.as_ref()) {
            Some(scan) if !scan.ids.contains(fragment) => {
                Err(format!("`/{site_path}` has no element with the id `{fragment}`"))
            }
            _ => Ok(()),
        }
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
