//! Bare URLs in text as links, as GitHub's autolink extension has them: `https://…`,
//! `http://…`, `www.…` (given `http://`) and e-mail addresses (given `mailto:`), found by the
//! `linkify` crate, which leaves trailing punctuation and unbalanced brackets out of a URL.
//!
//! This module only splits one text into pieces; `markdown` decides which texts are looked at
//! (never code, never inside a link) and writes the links.

use linkify::{LinkFinder, LinkKind};

/// A part of a text: plain, or a link to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'t> {
    /// Text as it is.
    Text(&'t str),
    /// A bare URL or address (`text`) and where it leads.
    Link {
        /// The URL as written in the text.
        text: &'t str,
        /// The destination: `text`, with `http://` before a `www.` and `mailto:` before an address.
        dest: String,
    },
}

/// The pieces of `text`, or `None` when it holds no bare link (most texts).
pub fn split(text: &str) -> Option<Vec<Piece<'_>>> {
    if !may_hold_link(text) {
        return None;
    }
    let mut finder = LinkFinder::new();
    finder.url_must_have_scheme(false);
    let mut pieces = Vec::new();
    let mut found = false;
    for span in finder.spans(text) {
        let written = span.as_str();
        let dest = match span.kind() {
            Some(LinkKind::Url) => url_dest(written),
            Some(LinkKind::Email) => Some(format!("mailto:{written}")),
            _ => None,
        };
        match dest {
            Some(dest) => {
                found = true;
                pieces.push(Piece::Link { text: written, dest });
            }
            None => match pieces.last_mut() {
                // A span linkify found but GitHub does not link (`example.com`) joins the text.
                Some(Piece::Text(previous)) => {
                    let start = previous.as_ptr() as usize - text.as_ptr() as usize;
                    *previous = &text[start..start + previous.len() + written.len()];
                }
                _ => pieces.push(Piece::Text(written)),
            },
        }
    }
    found.then_some(pieces)
}

/// A cheap look for what every bare link holds: `://`, `www.` or `@`.
fn may_hold_link(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"://").is_some()
        || memchr::memmem::find(text.as_bytes(), b"www.").is_some()
        || memchr::memchr(b'@', text.as_bytes()).is_some()
}

/// Where a URL linkify found leads, if GitHub links it: a web or FTP URL with its scheme, or
/// a `www.` name.
fn url_dest(written: &str) -> Option<String> {
    let lower = written.get(..8).unwrap_or(written).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("ftp://") {
        Some(written.to_string())
    } else if lower.starts_with("www.") {
        Some(format!("http://{written}"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<(String, String)> {
        split(text)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|piece| match piece {
                Piece::Link { text, dest } => Some((text.to_string(), dest)),
                Piece::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn bare_urls_addresses_and_www_names_are_links() {
        assert_eq!(
            links("See https://example.com/a_b?x=1. Or www.rust-lang.org, or write to me@example.org!"),
            [
                ("https://example.com/a_b?x=1".into(), "https://example.com/a_b?x=1".into()),
                ("www.rust-lang.org".into(), "http://www.rust-lang.org".into()),
                ("me@example.org".into(), "mailto:me@example.org".into()),
            ]
        );
        assert_eq!(
            links("(see https://en.wikipedia.org/wiki/Rust_(language))")[0].0,
            "https://en.wikipedia.org/wiki/Rust_(language)"
        );
    }

    #[test]
    fn names_without_www_and_other_schemes_stay_text() {
        assert_eq!(split("example.com and file:///etc/passwd and plain words"), None);
        let pieces = split("a example.com b https://x.org c").unwrap();
        assert_eq!(pieces[0], Piece::Text("a example.com b "));
        assert_eq!(pieces[2], Piece::Text(" c"));
    }
}
