//! URL rules: slugs, URL paths and the output files they map to.
//!
//! Every URL in the model comes from here, so no input can produce a path that escapes the
//! output folder: segments are slugs, or checked user paths without `.`/`..`/encoded dots.

/// Makes a URL-safe slug: lowercase letters and digits (any script) joined by single dashes.
///
/// The result never contains `/`, `.`, `%` or whitespace, so it is always one safe path segment.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    slug
}

/// Turns a user-written `path` (`hello/world`, `/hello/world/`) into a URL path `/hello/world/`.
///
/// # Errors
/// A message when a segment is `.`/`..` (also percent-encoded), contains a backslash or a
/// control character, or the path is empty.
pub fn url_path_from_user_path(path: &str) -> Result<String, String> {
    let mut segments = Vec::new();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let decoded = percent_decode_lossy(segment);
        if decoded == "." || decoded == ".." || decoded.contains(['/', '\\']) {
            return Err(format!("`{path}` leaves the site: the segment `{segment}` is not allowed"));
        }
        if segment.chars().any(|c| c.is_control() || c == '\\' || c == '?' || c == '#') {
            return Err(format!("`{path}` contains a character that cannot be in a URL path"));
        }
        segments.push(segment);
    }
    if segments.is_empty() {
        return Err(format!("`{path}` is empty; use `/` only through `content/_index.md`"));
    }
    Ok(format!("/{}/", segments.join("/")))
}

/// A page's user-written `path` as a URL path: as [`url_path_from_user_path`], except that a
/// path whose last segment has a file extension other than `.html` (`search.json`,
/// `feeds/talks.ics`) and no `/` after it names that very file: `/search.json`. (An `.html`
/// path keeps its Jekyll meaning: the folder URL, with the `.html` file a redirect.)
///
/// # Errors
/// As [`url_path_from_user_path`].
pub fn page_url_path_from_user_path(path: &str) -> Result<String, String> {
    let url_path = url_path_from_user_path(path)?;
    let file = url_path.trim_end_matches('/');
    let html = |ext: &str| ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm");
    match file_extension(file) {
        Some(extension) if !path.ends_with('/') && !html(extension) => Ok(file.to_string()),
        _ => Ok(url_path),
    }
}

/// The extension of the last segment of `path` (`json` for `/api/search.json`): one to ten
/// letters and digits, at least one a letter, after a name (`.env` and `v1.2` have none).
pub fn file_extension(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next()?;
    let (stem, extension) = name.rsplit_once('.')?;
    let letters = extension.bytes().all(|b| b.is_ascii_alphanumeric())
        && extension.bytes().any(|b| b.is_ascii_alphabetic());
    (!stem.is_empty() && (1..=10).contains(&extension.len()) && letters).then_some(extension)
}

/// Whether a URL path names a file (`/search.json`) rather than a folder's `index.html`.
pub fn is_file(url_path: &str) -> bool {
    !url_path.ends_with('/')
}

/// Checks that a user-written `slug` is meant as one URL segment before it is slugified:
/// slugifying `../../etc` to `etc` would hide an attempt to leave the folder.
///
/// # Errors
/// A message when the slug holds a `/` or `\\` (also percent-encoded) or is `.`/`..`.
pub fn check_user_slug(slug: &str) -> Result<(), String> {
    let decoded = percent_decode_lossy(slug);
    let trimmed = decoded.trim();
    if decoded.contains(['/', '\\']) || trimmed == "." || trimmed == ".." {
        return Err(format!("`{slug}` is not one URL segment: a slug cannot hold `/`, `\\` or be `..`"));
    }
    Ok(())
}

/// Joins a parent URL path (`/blog/`) and a slug into `/blog/slug/`.
pub fn join(parent: &str, slug: &str) -> String {
    concat(&[parent, slug, "/"])
}

/// The file under the output folder for a URL path: `/blog/a/` → `blog/a/index.html`, and a
/// file's path as it is (`/search.json` → `search.json`).
pub fn output_path(url_path: &str) -> String {
    if is_file(url_path) {
        return url_path.trim_start_matches('/').to_string();
    }
    concat(&[url_path.trim_start_matches('/'), "index.html"])
}

/// The absolute URL of a URL path: `base_url` (ending in `/`) + the path without its `/`.
pub fn permalink(base_url: &str, url_path: &str) -> String {
    concat(&[base_url, url_path.trim_start_matches('/')])
}

/// The path part of `base_url`, from its first `/` after the host: `/sub/` for
/// `https://example.org/sub/`, `/` for `https://example.org/` or a bare `/`.
pub fn base_path(base_url: &str) -> &str {
    match base_url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |slash| &rest[slash..]),
        None if base_url.starts_with('/') => base_url,
        None => "/",
    }
}

/// A root-relative URL written for a site served at `base_url`, as it must be written on
/// the deployed site: `/blog/` becomes `/sub/blog/` under `https://example.org/sub/`. A path
/// that already starts with the base path is taken as written for the deployed site.
pub fn rebase(base_url: &str, root_relative: &str) -> String {
    let base_path = base_path(base_url);
    if base_path == "/" || root_relative.starts_with(base_path) {
        return root_relative.to_string();
    }
    concat(&[base_path, root_relative.trim_start_matches('/')])
}

/// `parts` joined, in one allocation of the exact size: `format!` grows its string as it
/// goes, and a `serve` run makes these paths by the ten thousand.
fn concat(parts: &[&str]) -> String {
    let mut joined = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        joined.push_str(part);
    }
    joined
}

/// Decodes `%XX` escapes; invalid UTF-8 becomes U+FFFD.
pub fn percent_decode_lossy(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_relative_paths_are_rebased_under_a_sub_path() {
        assert_eq!(base_path("https://example.org/sub/"), "/sub/");
        assert_eq!(base_path("https://example.org/"), "/");
        assert_eq!(base_path("https://example.org"), "/");
        assert_eq!(base_path("/"), "/");
        assert_eq!(rebase("https://example.org/sub/", "/blog/#x"), "/sub/blog/#x");
        assert_eq!(rebase("https://example.org/sub/", "/"), "/sub/");
        assert_eq!(rebase("https://example.org/sub/", "/sub/blog/"), "/sub/blog/");
        assert_eq!(rebase("https://example.org/", "/blog/"), "/blog/");
    }

    #[test]
    fn slugs_are_lowercase_dashed_and_unicode_aware() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(slugify("  C++ & Rust  "), "c-rust");
        assert_eq!(slugify("Ünïcode Straße"), "ünïcode-straße");
        assert_eq!(slugify("日本語 テキスト"), "日本語-テキスト");
        assert_eq!(slugify("my_file.name--x"), "my-file-name-x");
        assert_eq!(slugify("../../etc"), "etc");
        assert_eq!(slugify("---"), "");
    }

    #[test]
    fn user_slugs_are_one_segment() {
        assert!(check_user_slug("Hello, World!").is_ok());
        assert!(check_user_slug("c++").is_ok());
        for slug in ["../../etc", "/etc/passwd", "a/b", "a\\b", "..", "%2e%2e", "%2F"] {
            assert!(check_user_slug(slug).is_err(), "{slug}");
        }
    }

    #[test]
    fn user_paths_stay_inside_the_site() {
        assert_eq!(url_path_from_user_path("hello/world").unwrap(), "/hello/world/");
        assert_eq!(url_path_from_user_path("/hello/").unwrap(), "/hello/");
        assert!(url_path_from_user_path("../../etc").is_err());
        assert!(url_path_from_user_path("a/%2e%2e/b").is_err());
        assert!(url_path_from_user_path("a/%2E%2E").is_err());
        assert!(url_path_from_user_path("a\\..\\b").is_err());
        assert!(url_path_from_user_path("/").is_err());
    }

    #[test]
    fn a_page_path_with_an_extension_is_that_file() {
        assert_eq!(page_url_path_from_user_path("search.json").unwrap(), "/search.json");
        assert_eq!(page_url_path_from_user_path("/feeds/talks.ics").unwrap(), "/feeds/talks.ics");
        assert_eq!(page_url_path_from_user_path("search.json/").unwrap(), "/search.json/");
        assert_eq!(page_url_path_from_user_path("about.html").unwrap(), "/about.html/");
        assert_eq!(page_url_path_from_user_path("notes/v1.2").unwrap(), "/notes/v1.2/");
        assert_eq!(page_url_path_from_user_path(".env").unwrap(), "/.env/");
        assert!(page_url_path_from_user_path("../x.json").is_err());
    }

    #[test]
    fn output_paths_are_pretty() {
        assert_eq!(output_path("/blog/a/"), "blog/a/index.html");
        assert_eq!(output_path("/"), "index.html");
        assert_eq!(output_path("/api/search.json"), "api/search.json");
        assert_eq!(permalink("https://x.org/sub/", "/blog/a/"), "https://x.org/sub/blog/a/");
    }
}
