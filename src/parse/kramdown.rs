//! Kramdown attribute lists (`{: .class}`, `{:#id}`, `{#id}`, `{:toc}`), as Jekyll posts
//! write them, rewritten so that they are applied and never printed (issue 9):
//!
//! - on an ATX heading (`## Title {: #id .x}`, or on the line just before or after it), they
//!   become pulldown-cmark's heading attributes (`## Title {#id .x}`), so the id also reaches
//!   the table of contents;
//! - a line of its own after (or just before) another block becomes a [`BLOCK_MARKER`] comment
//!   naming the id and classes, which `markdown` applies to that block (`<p class="note">`);
//! - one at the end of a line (`![x](a.png){: .wide}`, a span attribute list) is dropped.
//!
//! Only ids and classes are kept: other `key="value"` pairs are dropped rather than trusted
//! into the HTML. Line numbers are kept, and code blocks are left alone.

use std::borrow::Cow;

/// The start of the comment that carries a block attribute list to `markdown`:
/// `<!--quire-attributes:prev #id .class-->`, where `prev` or `next` says which block.
pub const BLOCK_MARKER: &str = "<!--quire-attributes:";

/// The id and classes of an attribute list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// `#id`: the last one wins, as in kramdown.
    pub id: Option<String>,
    /// `.class`, in order.
    pub classes: Vec<String>,
}

/// Which block a block attribute list belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The block just before it (no blank line between).
    Previous,
    /// The block just after it.
    Next,
}

/// The body with kramdown attribute lists rewritten as described above; borrowed when it has
/// none.
pub fn rewrite_attributes(body: &str) -> Cow<'_, str> {
    if !super::has_brace_pair(body, b":#") {
        return Cow::Borrowed(body);
    }
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut fence: Option<(char, usize)> = None;
    // The line to give the attributes of a `next` list to, once it is known to be a heading.
    let mut pending_heading: Option<Attributes> = None;
    for (index, &line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let newline = if line.ends_with('\n') { "\n" } else { "" };
        if let Some(open) = fence {
            if closes_fence(trimmed, open) {
                fence = None;
            }
            out.push(line.to_string());
            continue;
        }
        if let Some(open) = opens_fence(trimmed) {
            fence = Some(open);
            out.push(line.to_string());
            continue;
        }
        if line.starts_with("    ") || line.starts_with('\t') {
            out.push(line.to_string());
            continue;
        }
        if is_attribute_list(trimmed) {
            let attributes = parse_attributes(trimmed);
            let previous = index.checked_sub(1).map(|i| lines[i]).filter(|l| !l.trim().is_empty());
            let next = lines.get(index + 1).copied().filter(|l| !l.trim().is_empty());
            if is_toc_request(trimmed) && previous.is_some_and(is_list_item) {
                // kramdown replaces `* TOC` with the table of contents; Quire's templates
                // show `page.toc` instead, so the placeholder list goes too.
                let item = out.last_mut().expect("a previous line exists");
                *item = if item.ends_with('\n') { "\n".to_string() } else { String::new() };
                out.push(newline.to_string());
            } else if previous.is_some_and(is_heading) && !attributes.is_empty() {
                let heading = out.last_mut().expect("a previous line exists");
                *heading = with_heading_attributes(heading, &attributes);
                out.push(newline.to_string());
            } else if previous.is_none() && next.is_some_and(is_heading) && !attributes.is_empty() {
                pending_heading = Some(attributes);
                out.push(newline.to_string());
            } else if attributes.is_empty() || (previous.is_none() && next.is_none()) {
                // `{:toc}`, `{::options}`, key-value pairs only, or nothing to attach to.
                out.push(newline.to_string());
            } else {
                let placement = if previous.is_some() { "prev" } else { "next" };
                let indent = &line[..line.len() - line.trim_start().len()];
                out.push(format!(
                    "{indent}{BLOCK_MARKER}{placement}{}-->{newline}",
                    attributes.to_marker_text()
                ));
            }
            continue;
        }
        if is_heading(line) {
            let heading = match trailing_attribute_list(line) {
                Some(kept) => {
                    let attributes = parse_attributes(&line.trim_end()[kept.len()..]);
                    with_heading_attributes(&format!("{}{newline}", kept.trim_end()), &attributes)
                }
                None => line.to_string(),
            };
            out.push(match pending_heading.take() {
                Some(attributes) => with_heading_attributes(&heading, &attributes),
                None => heading,
            });
            continue;
        }
        pending_heading = None;
        match trailing_attribute_list(line) {
            Some(kept) => out.push(format!("{}{newline}", kept.trim_end())),
            None => out.push(line.to_string()),
        }
    }
    Cow::Owned(out.concat())
}

/// Reads a [`BLOCK_MARKER`] comment back: its placement and attributes.
pub fn parse_marker(html: &str) -> Option<(Placement, Attributes)> {
    let inner = html.trim().strip_prefix(BLOCK_MARKER)?.strip_suffix("-->")?;
    let (placement, rest) = inner.split_once(' ').unwrap_or((inner, ""));
    let placement = match placement {
        "prev" => Placement::Previous,
        "next" => Placement::Next,
        _ => return None,
    };
    Some((placement, parse_attributes(&format!("{{:{rest}}}"))))
}

impl Attributes {
    /// Whether there is neither an id nor a class.
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.classes.is_empty()
    }

    /// ` id="x" class="a b"`, escaped, for an HTML start tag.
    pub fn to_html(&self) -> String {
        let mut html = String::new();
        if let Some(id) = &self.id {
            html.push_str(" id=\"");
            let _ = pulldown_cmark_escape::escape_html(&mut html, id);
            html.push('"');
        }
        if !self.classes.is_empty() {
            html.push_str(" class=\"");
            let _ = pulldown_cmark_escape::escape_html(&mut html, &self.classes.join(" "));
            html.push('"');
        }
        html
    }

    fn to_marker_text(&self) -> String {
        let id = self.id.iter().map(|id| format!(" #{id}"));
        let classes = self.classes.iter().map(|class| format!(" .{class}"));
        id.chain(classes).collect()
    }
}

/// The id and classes of `{: #id .a .b key="v"}` (also `{#id}`, `{:.a}`).
fn parse_attributes(list: &str) -> Attributes {
    let inner = list.trim().trim_start_matches('{').trim_end_matches('}').trim_start_matches(':');
    let mut attributes = Attributes::default();
    for word in inner.split_whitespace() {
        // `-->` could end the marker comment early: such names are dropped.
        let valid = |name: &str| {
            !name.is_empty() && !name.contains(['<', '>', '"', '\'', '&']) && !name.contains("--")
        };
        if let Some(id) = word.strip_prefix('#').filter(|id| valid(id)) {
            attributes.id = Some(id.to_string());
        } else if let Some(class) = word.strip_prefix('.').filter(|class| valid(class)) {
            attributes.classes.push(class.to_string());
        }
    }
    attributes
}

/// The heading line with pulldown-cmark's `{#id .class}` at its end, merged with one it has.
fn with_heading_attributes(line: &str, attributes: &Attributes) -> String {
    let newline = if line.ends_with('\n') { "\n" } else { "" };
    let text = line.trim_end();
    let (text, mut merged) = match text.strip_suffix('}').and_then(|t| t.rfind('{').map(|i| (i, t))) {
        Some((start, t)) if t[start..].starts_with("{#") || t[start..].starts_with("{.") => {
            (text[..start].trim_end(), parse_attributes(&text[start..]))
        }
        _ => (text, Attributes::default()),
    };
    if attributes.id.is_some() {
        merged.id.clone_from(&attributes.id);
    }
    merged.classes.extend(attributes.classes.iter().cloned());
    format!("{text} {{{}}}{newline}", merged.to_marker_text().trim_start())
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

/// `{:toc}`: kramdown's table of contents request.
fn is_toc_request(trimmed: &str) -> bool {
    trimmed.strip_prefix("{:").and_then(|t| t.strip_suffix('}')).is_some_and(|t| t.trim() == "toc")
}

/// Whether a line is a list item: `* TOC`, `- x`, `1. x`.
fn is_list_item(line: &str) -> bool {
    let trimmed = line.trim_start();
    let marker_len = match trimmed.chars().next() {
        Some('*' | '-' | '+') => 1,
        _ => trimmed
            .find(|c: char| !c.is_ascii_digit())
            .filter(|&n| n > 0 && trimmed[n..].starts_with(['.', ')']))
            .map_or(0, |n| n + 1),
    };
    marker_len > 0 && trimmed[marker_len..].starts_with(' ')
}

/// Whether a line is an ATX heading: up to three spaces, one to six `#`, then a space or
/// nothing (`#hashtag` is a paragraph).
fn is_heading(line: &str) -> bool {
    let trimmed = line.trim_start_matches(' ');
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    line.len() - trimmed.len() <= 3
        && (1..=6).contains(&hashes)
        && trimmed[hashes..].chars().next().is_none_or(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_lists_become_markers_keeping_line_numbers() {
        let body = "Para.\n{: .note #n}\n\n{:.lead}\nNext.\n\n* TOC\n{:toc}\n\nText {: .x}\n";
        assert_eq!(
            rewrite_attributes(body),
            "Para.\n<!--quire-attributes:prev #n .note-->\n\n<!--quire-attributes:next .lead-->\nNext.\n\n\n\n\nText\n"
        );
    }

    #[test]
    fn markers_read_back() {
        let (placement, attributes) = parse_marker("<!--quire-attributes:prev #n .a .b-->").unwrap();
        assert_eq!(placement, Placement::Previous);
        assert_eq!(attributes, Attributes { id: Some("n".into()), classes: vec!["a".into(), "b".into()] });
        assert_eq!(attributes.to_html(), r#" id="n" class="a b""#);
        assert_eq!(parse_marker("<!-- more -->"), None);
    }

    #[test]
    fn heading_lists_become_heading_attributes() {
        assert_eq!(rewrite_attributes("## Title {: #custom .x}\n"), "## Title {#custom .x}\n");
        assert_eq!(
            rewrite_attributes("## Title {#keep}\n{: .wide}\nText\n"),
            "## Title {#keep .wide}\n\nText\n"
        );
        assert_eq!(rewrite_attributes("{:#first}\n# One\n"), "\n# One {#first}\n");
        assert_eq!(rewrite_attributes("## Title {#custom}\n"), "## Title {#custom}\n");
    }

    #[test]
    fn trailing_span_lists_and_unsafe_names_are_dropped() {
        assert_eq!(rewrite_attributes("![a](b.png){: .wide width=\"3\"}\n"), "![a](b.png)\n");
        assert_eq!(rewrite_attributes("Para.\n{: #a--> .\"x}\n"), "Para.\n\n");
        assert_eq!(rewrite_attributes("{: .alone}\n"), "\n");
    }

    #[test]
    fn code_blocks_and_plain_braces_are_kept() {
        let body =
            "```\n{: .kept}\n```\n~~~~\n{#kept}\n~~~~\n    {: .indented}\n{x}\nfn f() {:?}\n#tag {: .x}\n";
        assert_eq!(rewrite_attributes(body), body.replace("#tag {: .x}", "#tag"));
    }

    #[test]
    fn bodies_without_attributes_are_borrowed() {
        assert!(matches!(rewrite_attributes("plain\n"), Cow::Borrowed(_)));
    }
}
