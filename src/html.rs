//! Escaping text for HTML, with pulldown-cmark's escaper: the one the Markdown output uses, so
//! every stage escapes alike.

/// Escapes `text` for an HTML element or a double- or single-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing to a `String` cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}
