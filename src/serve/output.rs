//! The site as the server sees it: every output file in memory, with its content type, ETag
//! and (for HTML) the live-reload script, built from a pipeline `Output`.
//!
//! A `ServedSite` is immutable; each good rebuild makes a new one, sharing the files that did
//! not change, and the server swaps it in whole. It also says what changed, so the browser
//! reloads only when something did. It does not render anything and never writes to disk.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{read_bytes, Error, Result};
use crate::load::{self, Stamp};
use crate::pipeline::Output;
use crate::write::Contents;

/// The tag that loads the live-reload script; put into served HTML only, never into `build`.
/// It names the server that served the page, so that the page can tell when it talks to
/// another one (the server restarted) even if it never heard from the first.
pub fn script_tag(server_id: &str) -> String {
    format!("<script src=\"/__quire/livereload.js\" data-server=\"{server_id}\"></script>")
}

/// One file, ready to send.
#[derive(Debug, Clone)]
pub struct ServedFile {
    /// The bytes sent (HTML with the live-reload script).
    pub body: Arc<[u8]>,
    /// `Content-Type`.
    pub content_type: String,
    /// `ETag`, quoted.
    pub etag: String,
    /// The bytes the pipeline produced, to tell whether the next build changed them.
    produced: Arc<[u8]>,
}

/// Every output file of one build, by output path (`blog/a/index.html`).
#[derive(Debug, Default)]
pub struct ServedSite {
    /// Shared with the next site while unchanged, so publishing copies pointers, not headers.
    files: HashMap<String, Arc<ServedFile>, rustc_hash::FxBuildHasher>,
}

/// What a new build changed compared with the one served before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Output paths added, changed or removed, sorted.
    pub paths: Vec<String>,
    /// Whether every change is to a stylesheet that still exists.
    pub css_only: bool,
}

impl ServedSite {
    /// A site with no files, served until the first build succeeds.
    pub fn empty() -> ServedSite {
        ServedSite::default()
    }

    /// The file at `output_path`, if the site has one.
    pub fn get(&self, output_path: &str) -> Option<&ServedFile> {
        self.files.get(output_path).map(|file| &**file)
    }

    /// How many files the site has.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the site has no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Makes `ServedSite`s from pipeline outputs: reads copied files (again only when they
/// change) and puts the live-reload script into HTML.
#[derive(Debug)]
pub struct Publisher {
    copies: CopiedFiles,
    script_tag: String,
}

impl Publisher {
    /// A publisher for the server `server_id`.
    pub fn new(server_id: &str) -> Publisher {
        Publisher { copies: CopiedFiles::default(), script_tag: script_tag(server_id) }
    }

    /// Reads `path` again next time, whatever its stamp says; for a folder, every file in
    /// it: a folder swapped in whole (`mv static.new static`) holds other files under the
    /// same names.
    pub fn forget(&mut self, path: &std::path::Path) {
        if self.copies.files.remove(path).is_none() && !path.is_file() {
            self.copies.files.retain(|copied, _| !copied.starts_with(path));
        }
    }

    /// The site of a new build, sharing `previous`'s unchanged files, with what changed.
    ///
    /// # Errors
    /// `Error::Read` when a static file or a file beside a post cannot be read.
    pub fn publish(&mut self, output: &Output, previous: &ServedSite) -> Result<(ServedSite, Change)> {
        let copies = &mut self.copies;
        let mut files = HashMap::with_capacity_and_hasher(output.files.len(), Default::default());
        let mut changed = Vec::new();
        for file in &output.files {
            let produced = match &file.contents {
                Contents::Bytes(bytes) => Arc::clone(bytes),
                Contents::Copy(source_path)
                | Contents::Staged { path: source_path, .. }
                | Contents::InPlace { path: source_path, .. } => copies.read(source_path)?,
            };
            let served = match previous.files.get(&file.output_path) {
                Some(old) if Arc::ptr_eq(&old.produced, &produced) || old.produced == produced => {
                    Arc::clone(old)
                }
                _ => {
                    changed.push(file.output_path.clone());
                    Arc::new(ServedFile::new(&file.output_path, produced, &self.script_tag))
                }
            };
            files.insert(file.output_path.clone(), served);
        }
        let mut removed: Vec<String> =
            previous.files.keys().filter(|path| !files.contains_key(*path)).cloned().collect();
        let css_only =
            removed.is_empty() && !changed.is_empty() && changed.iter().all(|path| path.ends_with(".css"));
        changed.append(&mut removed);
        changed.sort();
        copies.keep_only(output);
        Ok((ServedSite { files }, Change { paths: changed, css_only }))
    }
}

impl ServedFile {
    /// The file at `output_path` with `produced` bytes, as it is sent.
    pub fn new(output_path: &str, produced: Arc<[u8]>, script_tag: &str) -> ServedFile {
        let content_type = content_type(output_path);
        let body = if content_type.starts_with("text/html") {
            with_script(&produced, script_tag)
        } else {
            Arc::clone(&produced)
        };
        let etag = etag(&body);
        ServedFile { body, content_type, etag, produced }
    }
}

/// Files copied as they are (static files, images beside posts), read once and again only
/// when their stamp changes or the watcher saw them change.
#[derive(Debug, Default)]
struct CopiedFiles {
    files: HashMap<PathBuf, Copied>,
}

/// A copied file's bytes and its stamp when they were read.
#[derive(Debug)]
struct Copied {
    stamp: Stamp,
    bytes: Arc<[u8]>,
}

impl CopiedFiles {
    fn read(&mut self, source_path: &PathBuf) -> Result<Arc<[u8]>> {
        let meta = std::fs::metadata(source_path)
            .map_err(|source| Error::Read { path: source_path.clone(), source })?;
        let stamp = load::stamp(&meta);
        if let Some(copied) = self.files.get(source_path).filter(|copied| copied.stamp == stamp) {
            return Ok(Arc::clone(&copied.bytes));
        }
        let bytes: Arc<[u8]> = read_bytes(source_path)?.into();
        self.files.insert(source_path.clone(), Copied { stamp, bytes: Arc::clone(&bytes) });
        Ok(bytes)
    }

    /// Forgets files the site no longer copies.
    fn keep_only(&mut self, output: &Output) {
        let used: std::collections::HashSet<&PathBuf> = output
            .files
            .iter()
            .filter_map(|file| match &file.contents {
                Contents::Copy(path) | Contents::Staged { path, .. } | Contents::InPlace { path, .. } => {
                    Some(path)
                }
                Contents::Bytes(_) => None,
            })
            .collect();
        self.files.retain(|path, _| used.contains(path));
    }
}

/// The `Content-Type` of an output path, from its extension; text types say UTF-8.
pub fn content_type(output_path: &str) -> String {
    let mime = mime_guess::from_path(output_path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml" | "svg" | "manifest+json")
        || mime
            .suffix()
            .is_some_and(|suffix| suffix == mime_guess::mime::XML || suffix == mime_guess::mime::JSON);
    if textual {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    }
}

/// `html` with the live-reload `script_tag` before its last `</body>` (or at its end).
pub fn with_script(html: &[u8], script_tag: &str) -> Arc<[u8]> {
    let at = find_last_ignore_case(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script_tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script_tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out.into()
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&start| haystack[start..start + needle.len()].eq_ignore_ascii_case(needle))
}

/// A strong ETag of `bytes`.
pub fn etag(bytes: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_closing_body_tag() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let tag = script_tag("1");
        let injected = with_script(html, &tag);
        assert_eq!(
            std::str::from_utf8(&injected).unwrap(),
            format!("<html><body><p>x</p>{tag}</BODY></html>")
        );
        let fragment = with_script(b"<p>no body</p>", &tag);
        assert!(std::str::from_utf8(&fragment).unwrap().ends_with(&tag));
    }

    #[test]
    fn content_types_name_utf8_for_text() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("css/site.css"), "text/css; charset=utf-8");
        assert!(content_type("app.js").contains("javascript"));
        assert_eq!(content_type("img/logo.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("feed.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("data.json"), "application/json; charset=utf-8");
        assert_eq!(content_type("photo.png"), "image/png");
        assert_eq!(content_type("photo.JPG"), "image/jpeg");
        assert_eq!(content_type("font.woff2"), "font/woff2");
        assert_eq!(content_type("module.wasm"), "application/wasm");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    fn output(files: &[(&str, &str)]) -> Output {
        Output {
            files: files
                .iter()
                .map(|(path, text)| crate::write::OutputFile {
                    output_path: path.to_string(),
                    contents: Contents::Bytes(text.as_bytes().into()),
                })
                .collect(),
            warnings: Vec::new(),
            stats: Default::default(),
            links: Default::default(),
        }
    }

    #[test]
    fn publishing_reports_what_changed_and_whether_it_is_only_css() {
        let mut publisher = Publisher::new("1");
        let first = output(&[("index.html", "<body>a</body>"), ("site.css", "a{}")]);
        let (site, change) = publisher.publish(&first, &ServedSite::empty()).unwrap();
        assert_eq!(change.paths, ["index.html", "site.css"]);
        assert!(!change.css_only);

        let (site, change) = publisher.publish(&first, &site).unwrap();
        assert_eq!(change, Change::default(), "same bytes, no change");

        let css = output(&[("index.html", "<body>a</body>"), ("site.css", "b{}")]);
        let (site, change) = publisher.publish(&css, &site).unwrap();
        assert_eq!(change.paths, ["site.css"]);
        assert!(change.css_only);

        let removed = output(&[("index.html", "<body>a</body>")]);
        let (_, change) = publisher.publish(&removed, &site).unwrap();
        assert_eq!(change.paths, ["site.css"]);
        assert!(!change.css_only, "a removed stylesheet needs a reload");
    }
}
