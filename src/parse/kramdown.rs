//! Kramdown attribute lists (`{: .class}`, `{:#id}`, `{#id}`, `{:toc}`), as Jekyll posts
//! write them: removed before Markdown sees them, so they are never printed as text.
//!
//! It drops them rather than applying them (issue 9 allows either); heading `{#id}` written on
//! the heading line itself is left for the Markdown parser, which applies it. Code blocks are
//! left alone.

use std::borrow::Cow;

/// The body without kramdown attribute lists: whole lines of them are emptied (so later lines
/// keep their numbers), and one at the
/// end of a line (`![x](a.png){: .wide}`) is cut off.
pub fn strip_attributes(body: &str) -> Cow<'_, str> {
    if !body.contains("{:") && !body.contains("{#") {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<(char, usize)> = None;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(open) = fence {
            if closes_fence(trimmed, open) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if let Some(open) = opens_fence(trimmed) {
            fence = Some(open);
            out.push_str(line);
            continue;
        }
        if line.starts_with("    ") || line.starts_with('\t') {
            out.push_str(line);
            continue;
        }
        if is_attribute_list(trimmed) {
            // Keep the line, empty, so later lines keep their numbers (links and shortcodes
            // are reported at file lines).
            if line.ends_with('\n') {
                out.push('\n');
            }
            continue;
        }
        match trailing_attribute_list(line) {
            Some(kept) if !is_heading(kept) => {
                out.push_str(kept.trim_end());
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => out.push_str(line),
        }
    }
    Cow::Owned(out)
}

/// Whether a trimmed line is a fence opener (three or more backticks or tildes), with its
/// character and length.
pub(crate) fn opens_fence(trimmed: &str) -> Option<(char, usize)> {
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = trimmed.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

/// Whether a trimmed line closes a fence opened with `open`.
pub(crate) fn closes_fence(trimmed: &str, (c, n): (char, usize)) -> bool {
    trimmed.chars().take_while(|x| *x == c).count() >= n && trimmed.chars().all(|x| x == c)
}

/// `{: .class}`, `{:.a #b key="v"}`, `{#id}`, `{:toc}` — and nothing else on the line.
fn is_attribute_list(trimmed: &str) -> bool {
    let Some(inner) = trimmed.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
        return false;
    };
    if inner.contains(['{', '}']) {
        return false;
    }
    match inner.strip_prefix(':') {
        Some(rest) => {
            rest.starts_with(|c: char| c == ' ' || c == '.' || c == '#' || c.is_ascii_alphabetic())
                || rest.starts_with(":options")
                || rest.starts_with(":comment")
        }
        // `{#id}` and `{.class}` alone; `{x}` stays text.
        None => inner.starts_with('#') || inner.starts_with('.'),
    }
}

/// The line before a `{: ...}` at its end, if it has one.
fn trailing_attribute_list(line: &str) -> Option<&str> {
    let trimmed = line.trim_end();
    if !trimmed.ends_with('}') {
        return None;
    }
    let start = trimmed.rfind("{:")?;
    is_attribute_list(&trimmed[start..]).then_some(&trimmed[..start])
}

fn is_heading(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_lines_are_dropped_keeping_line_numbers() {
        let body = "Para.\n{: .note}\n\n* TOC\n{:toc}\n\n{#top}\nText {: .x}\n";
        assert_eq!(strip_attributes(body), "Para.\n\n\n* TOC\n\n\n\nText\n");
    }

    #[test]
    fn trailing_span_attributes_are_cut() {
        assert_eq!(strip_attributes("![a](b.png){: .wide width=\"3\"}\n"), "![a](b.png)\n");
    }

    #[test]
    fn code_blocks_and_plain_braces_are_kept() {
        let body = "```\n{: .kept}\n```\n~~~~\n{#kept}\n~~~~\n    {: .indented}\n{x}\nfn f() {:?}\n";
        assert_eq!(strip_attributes(body), body);
    }

    #[test]
    fn heading_ids_on_the_heading_line_are_left_for_markdown() {
        assert_eq!(strip_attributes("## Title {#custom}\n"), "## Title {#custom}\n");
    }

    #[test]
    fn bodies_without_attributes_are_borrowed() {
        assert!(matches!(strip_attributes("plain\n"), Cow::Borrowed(_)));
    }
}
