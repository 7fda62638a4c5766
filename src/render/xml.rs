//! XML text for feeds and sitemaps: escaping that is right for any input.
//!
//! Feeds and sitemaps are small fixed shapes, so they are written by hand with these
//! helpers rather than through an XML library; everything that comes from a user passes
//! through [`escape`]. This module does not know feed or sitemap formats.

use std::fmt::Write as _;

/// Escapes `text` for XML element text and (double- or single-quoted) attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become entities; characters XML 1.0 does not allow at all
/// (control characters other than tab, newline and carriage return, U+FFFE, U+FFFF) are
/// dropped, since no escape can carry them and one would make the whole file unreadable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `<name>text</name>` with `text` escaped, on its own indented line.
pub fn element(out: &mut String, indent: usize, name: &str, text: &str) {
    let _ = writeln!(out, "{:indent$}<{name}>{}</{name}>", "", escape(text));
}

/// The XML declaration every file starts with.
pub const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_become_entities() {
        assert_eq!(
            escape(r#"Tom & Jerry <3 "quotes" 'n'"#),
            "Tom &amp; Jerry &lt;3 &quot;quotes&quot; &apos;n&apos;"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("]]>"), "]]&gt;");
    }

    #[test]
    fn characters_xml_forbids_are_dropped_and_the_rest_kept() {
        assert_eq!(escape("a\u{0}b\u{1b}c\u{fffe}"), "abc");
        assert_eq!(escape("tab\tnew\nline\r"), "tab\tnew\nline\r");
        assert_eq!(escape("Ünïcode 日本 🦀"), "Ünïcode 日本 🦀");
    }

    #[test]
    fn elements_are_escaped_and_indented() {
        let mut out = String::new();
        element(&mut out, 2, "title", "a < b");
        assert_eq!(out, "  <title>a &lt; b</title>\n");
    }
}
