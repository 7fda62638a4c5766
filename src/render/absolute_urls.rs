//! Absolute URLs in HTML: rewrites relative `href`, `src`, `srcset` and `poster` values
//! against the page's own URL, for feeds, whose readers show content away from the site.
//!
//! References resolve as a browser on the page would resolve them (RFC 3986, section 5), so
//! a feed shows what the page shows: `img.png` is beside the page, `/about/` is at the root
//! of the host. It scans tags and attributes; it does not parse or reformat the rest of the
//! HTML, and it leaves comments, `<script>` and `<style>` alone. The same scan points a
//! summary's same-page links (`#setup`) at its page, for list pages.

use std::borrow::Cow;

/// Attributes that hold one URL.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "poster", "cite"];

/// Rewrites the relative URLs of `html` against `base`, an absolute URL such as a page's
/// permalink. HTML without any relative URL comes back borrowed.
pub fn absolutize<'a>(html: &'a str, base: &str) -> Cow<'a, str> {
    rewrite_urls(
        html,
        |value, is_srcset| if is_srcset { rewrite_srcset(value, base) } else { rewrite(value, base) },
    )
}

/// Points the links of `html` to a fragment of the same page (`href="#setup"`, a footnote
/// reference) at `permalink` (`https://example.com/blog/post/#setup`): for a summary shown
/// on a list page, where those ids are not. Other URLs are left as they are; HTML without
/// such a link comes back borrowed.
pub fn anchors_to<'a>(html: &'a str, permalink: &str) -> Cow<'a, str> {
    if !html.contains('#') {
        return Cow::Borrowed(html);
    }
    rewrite_urls(html, |value, is_srcset| {
        let value = value.trim();
        (!is_srcset && value.starts_with('#')).then(|| format!("{permalink}{value}"))
    })
}

/// `html` with each URL attribute value for which `rewrite` (given the value and whether it
/// is a `srcset` list) returns a new value replaced by it.
fn rewrite_urls<'a>(html: &'a str, rewrite: impl Fn(&str, bool) -> Option<String>) -> Cow<'a, str> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut at = 0;
    let bytes = html.as_bytes();
    while let Some(offset) = html[at..].find('<') {
        let start = at + offset;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            at = rest.find("-->").map_or(html.len(), |end| start + end + 3);
            continue;
        }
        if !bytes.get(start + 1).is_some_and(u8::is_ascii_alphabetic) {
            at = start + 1;
            continue;
        }
        let tag = parse_tag(html, start);
        for (value, is_srcset) in &tag.url_values {
            if let Some(rewritten) = rewrite(&html[value.clone()], *is_srcset) {
                let out = out.get_or_insert_with(|| String::with_capacity(html.len() + 256));
                out.push_str(&html[copied..value.start]);
                out.push_str(&rewritten);
                copied = value.end;
            }
        }
        at = tag.end;
        if tag.name.eq_ignore_ascii_case("script") || tag.name.eq_ignore_ascii_case("style") {
            let closing = format!("</{}", tag.name.to_ascii_lowercase());
            at = html[at..].to_ascii_lowercase().find(&closing).map_or(html.len(), |end| at + end);
        }
    }
    match out {
        Some(mut out) => {
            out.push_str(&html[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(html),
    }
}

/// Resolves `reference` against the absolute URL `base` (RFC 3986, section 5.2). A base
/// without scheme and host (`/` as `base_url`) resolves paths only.
pub fn resolve(base: &str, reference: &str) -> String {
    if scheme_of(reference).is_some() {
        return reference.to_string();
    }
    let (origin, base_rest) = split_origin(base);
    let base_path = &base_rest[..base_rest.find(['?', '#']).unwrap_or(base_rest.len())];
    if let Some(authority) = reference.strip_prefix("//") {
        return match scheme_of(base) {
            Some(scheme) => format!("{scheme}://{authority}"),
            None => reference.to_string(),
        };
    }
    if reference.is_empty() || reference.starts_with('#') {
        let without_fragment = &base[..base.find('#').unwrap_or(base.len())];
        return format!("{without_fragment}{reference}");
    }
    if reference.starts_with('?') {
        return format!("{origin}{base_path}{reference}");
    }
    let split = reference.find(['?', '#']).unwrap_or(reference.len());
    let (path, tail) = reference.split_at(split);
    let merged = if path.starts_with('/') {
        path.to_string()
    } else if base_path.is_empty() && !origin.is_empty() {
        format!("/{path}")
    } else {
        let directory = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{directory}{path}")
    };
    format!("{origin}{}{tail}", remove_dot_segments(&merged))
}

/// A tag's extent and the byte ranges of its URL attribute values (with whether the
/// attribute is a `srcset` list).
struct Tag<'a> {
    name: &'a str,
    end: usize,
    url_values: Vec<(std::ops::Range<usize>, bool)>,
}

/// Reads the tag opening at `start` (`<a href="x">`), attribute by attribute.
fn parse_tag(html: &str, start: usize) -> Tag<'_> {
    let bytes = html.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/' {
        i += 1;
    }
    let name = &html[start + 1..i];
    let mut url_values = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return Tag { name, end: bytes.len(), url_values };
        }
        if bytes[i] == b'>' {
            return Tag { name, end: i + 1, url_values };
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let attribute = &html[name_start..i];
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= bytes.len() || bytes[j] != b'=' {
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let value = match bytes.get(j) {
            Some(&quote @ (b'"' | b'\'')) => {
                let end = html[j + 1..].find(quote as char).map_or(bytes.len(), |e| j + 1 + e);
                i = (end + 1).min(bytes.len());
                j + 1..end
            }
            _ => {
                let mut end = j;
                while end < bytes.len() && !bytes[end].is_ascii_whitespace() && bytes[end] != b'>' {
                    end += 1;
                }
                i = end;
                j..end
            }
        };
        let is_srcset = attribute.eq_ignore_ascii_case("srcset");
        if is_srcset || URL_ATTRIBUTES.iter().any(|a| attribute.eq_ignore_ascii_case(a)) {
            url_values.push((value, is_srcset));
        }
    }
}

/// The absolute form of one URL value, or `None` when it is already absolute.
fn rewrite(value: &str, base: &str) -> Option<String> {
    let trimmed = value.trim();
    if scheme_of(trimmed).is_some() {
        return None;
    }
    Some(resolve(base, trimmed))
}

/// `srcset="a.png 1x, b.png 2x"`: each candidate's URL rewritten, descriptors kept.
fn rewrite_srcset(value: &str, base: &str) -> Option<String> {
    let candidates: Vec<String> = value
        .split(',')
        .map(|candidate| {
            let candidate = candidate.trim();
            let (url, descriptor) = candidate.split_once(char::is_whitespace).unwrap_or((candidate, ""));
            let url = rewrite(url, base).unwrap_or_else(|| url.to_string());
            if descriptor.is_empty() {
                url
            } else {
                format!("{url} {}", descriptor.trim())
            }
        })
        .collect();
    let joined = candidates.join(", ");
    (joined != value).then_some(joined)
}

/// The scheme of an absolute URL (`https` of `https://...`, `mailto` of `mailto:...`).
fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))).then_some(scheme)
}

/// Splits `https://host:8080/a/b?q` into (`https://host:8080`, `/a/b?q`); a base without
/// scheme has no origin.
fn split_origin(base: &str) -> (&str, &str) {
    let Some(scheme) = scheme_of(base) else {
        return ("", base);
    };
    let after_scheme = scheme.len() + 1;
    if !base[after_scheme..].starts_with("//") {
        return (&base[..after_scheme], &base[after_scheme..]);
    }
    let authority_start = after_scheme + 2;
    let authority_end =
        base[authority_start..].find(['/', '?', '#']).map_or(base.len(), |i| authority_start + i);
    (&base[..authority_end], &base[authority_end..])
}

/// RFC 3986, section 5.2.4: `/a/b/../c/./d` → `/a/c/d`.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len() - 1;
    for (index, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if index == last {
                    output.push("");
                }
            }
            ".." => {
                if output.len() > usize::from(absolute) {
                    output.pop();
                }
                if index == last {
                    output.push("");
                }
            }
            _ => output.push(segment),
        }
    }
    let joined = output.join("/");
    if absolute && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_page_links_point_at_the_page_and_nothing_else_changes() {
        let page = "https://example.com/blog/post/";
        let html = r##"<p>See <a href="#setup">setup</a><sup class="footnote-reference"><a href="#1">1</a></sup> <a href="/about/">a</a> <img src="#x" srcset="a.png 1x"><!-- <a href="#c"> --></p>"##;
        assert_eq!(
            anchors_to(html, page),
            r##"<p>See <a href="https://example.com/blog/post/#setup">setup</a><sup class="footnote-reference"><a href="https://example.com/blog/post/#1">1</a></sup> <a href="/about/">a</a> <img src="https://example.com/blog/post/#x" srcset="a.png 1x"><!-- <a href="#c"> --></p>"##
        );
        let plain = "<p>No anchors, only <code>#</code> text.</p>";
        assert!(matches!(anchors_to(plain, page), Cow::Borrowed(_)));
    }

    /// The examples of RFC 3986, section 5.4.1 and 5.4.2 (those without empty path tricks).
    #[test]
    fn references_resolve_as_rfc_3986_says() {
        let base = "http://a/b/c/d;p?q";
        let cases = [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("g?y#s", "http://a/b/c/g?y#s"),
            (";x", "http://a/b/c/;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g#s/../x", "http://a/b/c/g#s/../x"),
        ];
        for (reference, expected) in cases {
            assert_eq!(resolve(base, reference), expected, "resolving {reference:?}");
        }
    }

    #[test]
    fn page_urls_resolve_beside_the_page_and_keep_a_sub_path_base() {
        let page = "https://example.com/blog/posts/hello/";
        assert_eq!(resolve(page, "photo.jpg"), "https://example.com/blog/posts/hello/photo.jpg");
        assert_eq!(resolve(page, "../other/"), "https://example.com/blog/posts/other/");
        assert_eq!(resolve(page, "/about/"), "https://example.com/about/");
        assert_eq!(resolve("https://example.com", "a"), "https://example.com/a");
        assert_eq!(resolve("/blog/post/", "img.png"), "/blog/post/img.png");
    }

    #[test]
    fn relative_links_and_images_are_rewritten_and_absolute_ones_kept() {
        let base = "https://example.com/blog/post/";
        let html = r##"<p><a href="../other/">x</a> <img src='pic.png' alt="a > b"> <a href="#top">t</a> <a href="https://x.org/">y</a> <a href="mailto:a@b.c">m</a> <a href=/abs/>z</a></p>"##;
        assert_eq!(
            absolutize(html, base),
            r##"<p><a href="https://example.com/blog/other/">x</a> <img src='https://example.com/blog/post/pic.png' alt="a > b"> <a href="https://example.com/blog/post/#top">t</a> <a href="https://x.org/">y</a> <a href="mailto:a@b.c">m</a> <a href=https://example.com/abs/>z</a></p>"##
        );
    }

    #[test]
    fn text_code_comments_and_scripts_are_left_alone() {
        let base = "https://example.com/p/";
        let html = "<pre><code>&lt;a href=\"x\"&gt;</code></pre><!-- <a href=\"c\"> --><script>var s = '<a href=\"s\">';</script><p>href=\"t\"</p>";
        assert!(matches!(absolutize(html, base), Cow::Borrowed(_)));
    }

    #[test]
    fn srcset_candidates_are_each_rewritten() {
        let html = r#"<img srcset="a.png 1x, /b.png 2x" src="a.png">"#;
        assert_eq!(
            absolutize(html, "https://e.com/p/"),
            r#"<img srcset="https://e.com/p/a.png 1x, https://e.com/b.png 2x" src="https://e.com/p/a.png">"#
        );
    }

    #[test]
    fn attribute_names_that_only_end_like_url_attributes_are_not_rewritten() {
        let html = r#"<div data-href="x" hreflang="en"><a data-src=y>q</a></div>"#;
        assert!(matches!(absolutize(html, "https://e.com/p/"), Cow::Borrowed(_)));
    }
}
