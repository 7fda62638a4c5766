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
    // Feeds carry whole posts, so this runs over megabytes: copy the runs between special
    // bytes in one go. Every special character is ASCII except U+FFFE and U+FFFF, whose
    // UTF-8 forms (EF BF BE, EF BF BF) are found by their bytes; no other character's UTF-8
    // contains those ASCII bytes or that sequence, so a byte scan is exact.
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (replacement, width) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&apos;", 1),
            b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            0..=0x1f => ("", 1),
            0xef if bytes.get(i + 1) == Some(&0xbf) && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)) => {
                ("", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[run..i]);
        out.push_str(replacement);
        i += width;
        run = i;
    }
    out.push_str(&text[run..]);
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
    fn the_byte_scan_matches_a_character_by_character_escape() {
        fn reference(text: &str) -> String {
            text.chars()
                .filter_map(|c| match c {
                    '&' => Some("&amp;".to_string()),
                    '<' => Some("&lt;".to_string()),
                    '>' => Some("&gt;".to_string()),
                    '"' => Some("&quot;".to_string()),
                    '\'' => Some("&apos;".to_string()),
                    '\t' | '\n' | '\r' => Some(c.to_string()),
                    c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => None,
                    c => Some(c.to_string()),
                })
                .collect()
        }
        let pieces = [
            "a", "&", "<>", "\"'", "\u{0}", "\u{1f}", "\t\n\r", "\u{fffe}", "\u{ffff}", "\u{fffd}", "\u{ef}",
            "\u{bf}", "\u{efbf}", "日本", "🦀", "\u{7f}", "\u{80}", "\u{fefe}",
        ];
        // Every sequence of up to three pieces, so special characters meet at every boundary.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    assert_eq!(escape(&text), reference(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn elements_are_escaped_and_indented() {
        let mut out = String::new();
        element(&mut out, 2, "title", "a < b");
        assert_eq!(out, "  <title>a &lt; b</title>\n");
    }
}
