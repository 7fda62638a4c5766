//! Where each link written in Markdown points, decided once every URL is known.
//!
//! `@/blog/post.md#setup` becomes the page's permalink (a missing page or heading is an error
//! at its file and line). A relative link becomes a permalink too, so it still works in a
//! summary shown on a list page or in a feed: it is resolved against the file's folder when it
//! names a file from `content/` (an image beside a non-bundle post, another `.md` file), and
//! against the page's URL otherwise. A root-relative path (`/blog/`) is rebased under the
//! path of a sub-path `base_url` (`/sub/blog/`). Fragments and external links are kept as
//! written. This module does not check that relative targets exist: the link checker does
//! that after rendering, against the files actually built.

use std::path::Path;

use rustc_hash::FxHashMap as HashMap;

use crate::error::{Error, Location};
use crate::parse::markdown::{is_external, toc_has_id, toc_ids, Link, TocEntry};
use crate::site::{url, PageFile};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What links can point at: every page and section, and every file copied from `content/`.
pub struct LinkTargets<'a> {
    /// `base_url`, ending in `/`.
    pub base_url: &'a str,
    /// Content path (`blog/post.md`) → URL path and headings (looked through only for the
    /// few links with an anchor: indexing every page's ids cost more than all the lookups).
    pub documents: Documents<'a>,
    /// Content path of a copied file (`blog/img.png`) → its output path (`blog/img.png`).
    pub assets: &'a BTreeMap<String, String>,
    /// Output path of an image (`blog/img.png`, `img/logo.png` from `static/`) → its size
    /// and where it comes from.
    pub images: &'a BTreeMap<String, ImageTarget>,
}

/// A local image a Markdown image may show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageTarget {
    /// Width and height, upright.
    pub size: (u32, u32),
    /// Its path under `content/` or `static/`, which processed copies are named from.
    pub path: String,
    /// The file on disk.
    pub source_path: std::path::PathBuf,
    /// Its stamp when loaded.
    pub stamp: crate::load::Stamp,
}

impl std::hash::Hash for ImageTarget {
    /// Not the stamp: touching an image links no page again. Processed copies are made with
    /// the stamp of the run's load (the pipeline gives it to each job).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.size, &self.path, &self.source_path).hash(state);
    }
}

/// Pages and sections by content path, with their URL and headings.
pub enum Documents<'a> {
    /// A map over every page and section: for a run that resolves many links.
    Indexed(HashMap<&'a str, (&'a str, &'a [TocEntry])>),
    /// The pages as they are (sorted by content path) and the sections, searched: a
    /// `serve` run after one edit resolves a few dozen links, fewer than indexing 10,000
    /// pages costs.
    Sorted {
        pages: &'a [Arc<PageFile>],
        /// Page index by content path, when one was built: a run resolving many links looks
        /// each up here, not by a search through pages scattered in memory.
        index: Option<&'a HashMap<Box<str>, usize>>,
        sections: &'a [SectionTarget],
    },
}

impl<'a> Documents<'a> {
    /// The URL and headings of the page or section at `content_path`.
    pub fn get(&self, content_path: &str) -> Option<(&'a str, &'a [TocEntry])> {
        match self {
            Documents::Indexed(map) => map.get(content_path).copied(),
            Documents::Sorted { pages, index, sections } => {
                let page = match index {
                    Some(index) => index.get(content_path).copied(),
                    None => pages.binary_search_by(|p| p.content_path.as_str().cmp(content_path)).ok(),
                };
                match page {
                    Some(id) => Some(pages[id].link_target()),
                    None => sections.iter().find(|s| s.content_path == content_path).map(SectionTarget::get),
                }
            }
        }
    }
}

/// What links to a section resolve against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SectionTarget {
    pub content_path: String,
    pub url_path: String,
    pub toc: Vec<TocEntry>,
}

impl SectionTarget {
    fn get(&self) -> (&str, &[TocEntry]) {
        (self.url_path.as_str(), self.toc.as_slice())
    }
}

/// The document a link is written in.
pub struct LinkSource<'a> {
    /// `blog/post.md`.
    pub content_path: &'a str,
    /// `/blog/post/`.
    pub url_path: &'a str,
    /// `content/blog/post.md`, for errors.
    pub display_path: &'a Path,
}

/// Resolves one link written in `source`.
///
/// # Errors
/// `Error::BrokenLink` for an `@/` link to a missing page or heading.
pub fn resolve(link: &Link, source: &LinkSource<'_>, targets: &LinkTargets<'_>) -> Result<String, Error> {
    let dest = link.dest.as_str();
    if let Some(internal) = dest.strip_prefix("@/") {
        return resolve_internal(internal, link, source, targets);
    }
    let is_relative = !(dest.is_empty()
        || is_external(dest)
        || dest.starts_with(['/', '#', '?'])
        || dest.split_once(':').is_some_and(|(scheme, _)| !scheme.contains('/')));
    if dest.starts_with('/') && !dest.starts_with("//") {
        // Written for the site's root: under a sub-path `base_url`, `/blog/` is `/sub/blog/`.
        return Ok(url::rebase(targets.base_url, dest));
    }
    if !is_relative {
        return Ok(dest.to_string());
    }
    let (path, suffix) = split_suffix(dest);
    let decoded = percent_decode(path);
    let folder = source.content_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    if let Some(file) = normalize(&format!("{folder}/{decoded}")) {
        let file = file.trim_start_matches('/');
        if let Some(output_path) = targets.assets.get(file) {
            return Ok(format!("{}{suffix}", url::permalink(targets.base_url, output_path)));
        }
        if let Some((url_path, _)) = targets.documents.get(file) {
            return Ok(format!("{}{suffix}", url::permalink(targets.base_url, url_path)));
        }
    }
    match normalize(&format!("{}{path}", source.url_path)) {
        Some(url_path) => Ok(format!("{}{suffix}", url::permalink(targets.base_url, &url_path))),
        // A link that climbs out of the site is kept; the link checker reports it.
        None => Ok(dest.to_string()),
    }
}

fn resolve_internal(
    internal: &str,
    link: &Link,
    source: &LinkSource<'_>,
    targets: &LinkTargets<'_>,
) -> Result<String, Error> {
    let (file, anchor) = match internal.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (internal, None),
    };
    let broken = |detail: String, hint: String| Error::BrokenLink {
        location: Location { line: link.line, ..Location::file(source.display_path) },
        detail,
        hint: Some(hint),
    };
    let Some((url_path, toc)) = targets.documents.get(percent_decode(file).as_str()) else {
        return Err(broken(
            format!("`@/{internal}`: there is no page or section at `content/{file}`"),
            "`@/` paths name a Markdown file under `content/`, such as `@/blog/first-post.md`".into(),
        ));
    };
    let permalink = url::permalink(targets.base_url, url_path);
    match anchor {
        None => Ok(permalink),
        Some(anchor) if toc_has_id(toc, anchor) => Ok(format!("{permalink}#{anchor}")),
        Some(anchor) => {
            let mut known: Vec<&str> = toc_ids(toc);
            known.sort_unstable();
            known.dedup();
            let hint = if known.is_empty() {
                format!("`content/{file}` has no headings to link to")
            } else {
                format!("the heading ids of `content/{file}` are: {}", known.join(", "))
            };
            Err(broken(
                format!("`@/{internal}`: `content/{file}` has no heading with the id `{anchor}`"),
                hint,
            ))
        }
    }
}

/// The width and height of the local image a Markdown image points at: a file from
/// `content/` beside the page (or named from the content root), or a root-relative path
/// (`/img/photo.jpg`) of a static file. `None` for anything else: an external image, a file
/// that is not there (the link check reports it), one whose header could not be read.
pub fn image_size(link: &Link, source: &LinkSource<'_>, targets: &LinkTargets<'_>) -> Option<(u32, u32)> {
    image_target(link, source, targets).map(|target| target.size)
}

/// The local image a Markdown image points at (see [`image_size`]).
pub fn image_target<'a>(
    link: &Link,
    source: &LinkSource<'_>,
    targets: &LinkTargets<'a>,
) -> Option<&'a ImageTarget> {
    let dest = link.dest.as_str();
    if dest.is_empty() || is_external(dest) || dest.starts_with("//") || dest.starts_with("@/") {
        return None;
    }
    let (path, _) = split_suffix(dest);
    let decoded = percent_decode(path);
    let output_path = if let Some(rooted) = decoded.strip_prefix('/') {
        normalize(rooted)?.trim_start_matches('/').to_string()
    } else {
        if decoded.split_once(':').is_some_and(|(scheme, _)| !scheme.contains('/')) {
            return None;
        }
        let folder = source.content_path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let asset = normalize(&format!("{folder}/{decoded}"))
            .and_then(|file| targets.assets.get(file.trim_start_matches('/')));
        match asset {
            Some(output_path) => output_path.clone(),
            // Relative to the page's URL: a static file beside where the page is served.
            None => normalize(&format!("{}{decoded}", source.url_path))?.trim_start_matches('/').to_string(),
        }
    };
    targets.images.get(&output_path)
}

/// `img.png?v=2#x` → (`img.png`, `?v=2#x`).
fn split_suffix(dest: &str) -> (&str, &str) {
    let at = dest.find(['?', '#']).unwrap_or(dest.len());
    dest.split_at(at)
}

/// Resolves `.` and `..` in a `/`-separated path; `None` when it climbs above the root. A
/// trailing `/` is kept.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let trailing = if path.ends_with('/') && !parts.is_empty() { "/" } else { "" };
    Some(format!("/{}{trailing}", parts.join("/")))
}

fn percent_decode(text: &str) -> String {
    if text.contains('%') {
        url::percent_decode_lossy(text)
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::markdown::LinkKind;

    fn targets() -> LinkTargets<'static> {
        let heading = |id: &str| TocEntry {
            level: 2,
            id: id.into(),
            title: id.into(),
            html: id.into(),
            children: Vec::new(),
        };
        let toc: &'static [TocEntry] = Box::leak(Box::new([heading("usage"), heading("setup")]));
        LinkTargets {
            base_url: "https://example.com/",
            documents: Documents::Indexed(HashMap::from_iter([
                ("blog/post.md", ("/blog/post/", toc)),
                ("about.md", ("/about/", &[][..])),
            ])),
            assets: Box::leak(Box::new(BTreeMap::from_iter([
                ("blog/img.png".to_string(), "blog/img.png".to_string()),
                ("blog/bundle/d.svg".to_string(), "blog/bundle/d.svg".to_string()),
            ]))),
            images: Box::leak(Box::new(BTreeMap::from_iter([
                ("blog/img.png".to_string(), image((640, 480))),
                ("img/logo.png".to_string(), image((32, 16))),
            ]))),
        }
    }

    #[test]
    fn issue_23_local_images_have_their_header_size_and_others_none() {
        let size = |content_path: &str, url_path: &str, dest: &str| {
            let link = Link { dest: dest.into(), line: 7, kind: LinkKind::Image };
            let source = LinkSource { content_path, url_path, display_path: Path::new("content/x.md") };
            image_size(&link, &source, &targets())
        };
        assert_eq!(size("blog/other.md", "/blog/other/", "img.png"), Some((640, 480)));
        assert_eq!(size("blog/other.md", "/blog/other/", "./img.png?v=1"), Some((640, 480)));
        assert_eq!(size("about.md", "/about/", "blog/img.png"), Some((640, 480)));
        assert_eq!(size("blog/other.md", "/blog/other/", "/img/logo.png"), Some((32, 16)));
        assert_eq!(size("blog/other.md", "/blog/other/", "../../img/logo.png"), Some((32, 16)));
        assert_eq!(size("blog/other.md", "/blog/other/", "https://example.com/img/logo.png"), None);
        assert_eq!(size("blog/other.md", "/blog/other/", "missing.png"), None);
        assert_eq!(size("blog/other.md", "/blog/other/", "data:image/png;base64,AAAA"), None);
    }

    fn image(size: (u32, u32)) -> ImageTarget {
        let file = std::env::current_exe().unwrap();
        let stamp = crate::load::stamp(&std::fs::metadata(&file).unwrap());
        ImageTarget { size, path: String::new(), source_path: file, stamp }
    }

    fn resolve_from(content_path: &str, url_path: &str, dest: &str) -> Result<String, Error> {
        let link = Link { dest: dest.into(), line: 7, kind: LinkKind::Link };
        let source = LinkSource { content_path, url_path, display_path: Path::new("content/x.md") };
        resolve(&link, &source, &targets())
    }

    fn ok(dest: &str) -> String {
        resolve_from("blog/other.md", "/blog/other/", dest).unwrap()
    }

    #[test]
    fn at_links_resolve_to_permalinks_with_anchors() {
        assert_eq!(ok("@/blog/post.md"), "https://example.com/blog/post/");
        assert_eq!(ok("@/blog/post.md#usage"), "https://example.com/blog/post/#usage");
    }

    #[test]
    fn at_links_to_missing_pages_or_headings_fail_at_their_line() {
        let error = resolve_from("blog/other.md", "/blog/other/", "@/blog/nope.md").unwrap_err();
        assert!(error.report().contains("content/x.md:7"), "{}", error.report());
        let error = resolve_from("blog/other.md", "/blog/other/", "@/blog/post.md#nope").unwrap_err();
        let report = error.report();
        assert!(report.contains("`nope`") && report.contains("setup, usage"), "{report}");
    }

    #[test]
    fn relative_links_resolve_against_the_url() {
        assert_eq!(ok("../post/"), "https://example.com/blog/post/");
        assert_eq!(ok("../post/#setup"), "https://example.com/blog/post/#setup");
        assert_eq!(ok("../../about/"), "https://example.com/about/");
    }

    #[test]
    fn files_beside_a_non_bundle_page_resolve_against_its_folder() {
        assert_eq!(ok("img.png"), "https://example.com/blog/img.png");
        assert_eq!(ok("./post.md#setup"), "https://example.com/blog/post/#setup");
        let bundle = resolve_from("blog/bundle/index.md", "/blog/bundle/", "d.svg").unwrap();
        assert_eq!(bundle, "https://example.com/blog/bundle/d.svg");
    }

    #[test]
    fn absolute_external_and_fragment_links_are_kept() {
        for dest in ["/about/", "#top", "https://rust-lang.org/", "mailto:a@b.c", "//cdn.example/x.js"] {
            assert_eq!(ok(dest), dest);
        }
    }
}
