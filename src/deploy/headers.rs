//! The headers a deployed file gets: Content-Type, Cache-Control, Content-Encoding, and
//! whether it is gzipped on upload. The first `[[deploy.matchers]]` entry whose pattern
//! matches wins; what it leaves out comes from the defaults below.

use crate::config::DeployMatcher;
use crate::deploy::pattern::Pattern;

/// Cache-Control of a fingerprinted asset (a content hash in its name): it never changes.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache-Control of everything else: caches keep it but ask (cheaply, by ETag) before reuse,
/// so a deploy is seen at once.
pub const REVALIDATE: &str = "public, max-age=0, must-revalidate";

/// What one file is uploaded with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHeaders {
    /// `Content-Type`.
    pub content_type: String,
    /// `Cache-Control`.
    pub cache_control: String,
    /// `Content-Encoding`, when the stored bytes are encoded.
    pub content_encoding: Option<String>,
    /// Whether the file is gzipped before upload.
    pub gzip: Gzip,
}

/// Whether a file is compressed on upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gzip {
    /// Sent as it is.
    No,
    /// Gzipped, with `Content-Encoding: gzip`.
    Yes,
}

/// The config's matchers, compiled.
#[derive(Debug, Clone, Default)]
pub struct Matchers {
    list: Vec<(Pattern, DeployMatcher)>,
}

impl Matchers {
    /// Compiles the matchers of `[[deploy.matchers]]`.
    ///
    /// # Errors
    /// The first pattern that is not a glob (the config has checked them already).
    pub fn new(matchers: &[DeployMatcher]) -> Result<Matchers, String> {
        let list = matchers
            .iter()
            .map(|m| Pattern::parse(&m.pattern).map(|p| (p, m.clone())))
            .collect::<Result<_, _>>()?;
        Ok(Matchers { list })
    }

    /// The headers of `path` (relative to `public/`, with `/`).
    pub fn headers(&self, path: &str) -> FileHeaders {
        let matched = self.list.iter().find(|(pattern, _)| pattern.matches(path)).map(|(_, m)| m);
        let gzip = if matched.is_some_and(|m| m.gzip) { Gzip::Yes } else { Gzip::No };
        let content_encoding = match gzip {
            Gzip::Yes => Some("gzip".to_string()),
            Gzip::No => matched.and_then(|m| m.content_encoding.clone()),
        };
        FileHeaders {
            content_type: matched.and_then(|m| m.content_type.clone()).unwrap_or_else(|| content_type(path)),
            cache_control: matched
                .and_then(|m| m.cache_control.clone())
                .unwrap_or_else(|| default_cache_control(path).to_string()),
            content_encoding,
            gzip,
        }
    }
}

/// Whether `path` is a page: uploaded after every other file, so that a page never links to
/// an asset the bucket does not have yet.
pub fn is_page(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".htm")
}

/// The Cache-Control of a file no matcher sets it for.
pub fn default_cache_control(path: &str) -> &'static str {
    if is_fingerprinted(path) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// Whether the file's name carries a content hash, as asset pipelines write them:
/// `style.3f2a9c1b.css`, `app-3f2a9c1b5d.js` (8 or more hex digits, with a digit and a letter).
pub fn is_fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    stem.split(['.', '-', '_']).skip(1).any(|part| {
        part.len() >= 8
            && part.bytes().all(|b| b.is_ascii_hexdigit())
            && part.bytes().any(|b| b.is_ascii_digit())
            && part.bytes().any(|b| b.is_ascii_alphabetic())
    })
}

/// The Content-Type for `path`'s extension; text types say they are UTF-8.
pub fn content_type(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    if !name.contains('.') || name.ends_with(".html") || name.ends_with(".htm") {
        // Quire writes pages as `index.html`; a file without an extension is most often one too
        // (`_redirects` and `_headers` are plain text, read by the host, never served).
        if name.starts_with('_') {
            return "text/plain; charset=utf-8".into();
        }
        return "text/html; charset=utf-8".into();
    }
    let guessed = mime_guess::from_path(name).first_raw().unwrap_or("application/octet-stream");
    let textual = guessed.starts_with("text/")
        || matches!(
            guessed,
            "application/javascript" | "application/json" | "application/xml" | "image/svg+xml"
        )
        || guessed.ends_with("+xml");
    if textual {
        format!("{guessed}; charset=utf-8")
    } else {
        guessed.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(pattern: &str) -> DeployMatcher {
        DeployMatcher {
            pattern: pattern.into(),
            cache_control: None,
            content_type: None,
            content_encoding: None,
            gzip: false,
        }
    }

    #[test]
    fn pages_revalidate_and_fingerprinted_assets_are_immutable() {
        let none = Matchers::default();
        assert_eq!(none.headers("posts/a/index.html").cache_control, REVALIDATE);
        assert_eq!(none.headers("css/style.3f2a9c1b.css").cache_control, IMMUTABLE);
        assert_eq!(none.headers("js/app-0123abcd45.js").cache_control, IMMUTABLE);
        assert_eq!(none.headers("images/deadbeef.png").cache_control, REVALIDATE);
        assert_eq!(none.headers("css/style.css").cache_control, REVALIDATE);
    }

    #[test]
    fn content_types_are_guessed_and_text_is_utf8() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a/b.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("atom.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("logo.png"), "image/png");
        assert_eq!(content_type("data.bin.unknownext"), "application/octet-stream");
        assert_eq!(content_type("_redirects"), "text/plain; charset=utf-8");
    }

    #[test]
    fn the_first_matching_matcher_wins_and_gzip_sets_the_encoding() {
        let first = DeployMatcher {
            cache_control: Some("public, max-age=600".into()),
            gzip: true,
            ..matcher("**/*.css")
        };
        let second = DeployMatcher { cache_control: Some("no-store".into()), ..matcher("**") };
        let matchers = Matchers::new(&[first, second]).unwrap();
        let css = matchers.headers("css/site.css");
        assert_eq!(css.cache_control, "public, max-age=600");
        assert_eq!(css.gzip, Gzip::Yes);
        assert_eq!(css.content_encoding.as_deref(), Some("gzip"));
        assert_eq!(css.content_type, "text/css; charset=utf-8");
        let page = matchers.headers("index.html");
        assert_eq!(page.cache_control, "no-store");
        assert_eq!(page.gzip, Gzip::No);
    }
}
