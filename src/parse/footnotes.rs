//! Footnotes at the end of the article, as GitHub, kramdown and Zola's `bottom_footnotes`
//! place them (issue 22): each reference becomes a numbered link to its note, with an id to
//! come back to (`fnref-1`, and `fnref-1-2` for a second reference to the same note); each
//! note (`fn-1`) is moved to a list after the body and ends with links back (↩).
//!
//! pulldown-cmark renders a definition where it is written, with the label as its id (`#1`,
//! which a heading or another page's note can take too) and no way back. This module only
//! numbers and writes; `markdown` tells it which events are references and definitions.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;

/// The footnotes of one document, collected while its events are.
#[derive(Debug, Default)]
pub struct Footnotes {
    /// Note number and references made so far, by normalised label.
    referenced: HashMap<String, (usize, usize)>,
    /// Definitions in document order: normalised label and the range of their events,
    /// start and end tags included.
    definitions: Vec<(String, Range<usize>)>,
    /// The label and start index of the definition open now.
    open: Option<(String, usize)>,
    /// Depth of definitions open (a definition inside one is part of it).
    depth: usize,
}

impl Footnotes {
    /// The HTML for a reference to `label`: the note's number, linked to the note.
    pub fn reference(&mut self, label: &str) -> String {
        let next = self.referenced.len() + 1;
        let (number, count) = self.referenced.entry(normalise(label)).or_insert((next, 0));
        *count += 1;
        let id = reference_id(*number, *count);
        format!("<sup class=\"footnote-reference\" id=\"{id}\"><a href=\"#fn-{number}\">{number}</a></sup>")
    }

    /// Notes that a definition of `label` starts at event `index`.
    pub fn definition_started(&mut self, index: usize, label: &str) {
        if self.depth == 0 {
            self.open = Some((normalise(label), index));
        }
        self.depth += 1;
    }

    /// Notes that a definition ends at event `index` (its end tag).
    pub fn definition_ended(&mut self, index: usize) {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 {
            if let Some((label, start)) = self.open.take() {
                self.definitions.push((label, start..index + 1));
            }
        }
    }

    /// Whether the document has any definition, which the body must then leave out.
    pub fn has_definitions(&self) -> bool {
        !self.definitions.is_empty()
    }

    /// Whether event `index` belongs to a definition, written at the end instead.
    pub fn is_in_definition(&self, index: usize) -> bool {
        self.definitions.iter().any(|(_, range)| range.contains(&index))
    }

    /// The notes as HTML, to follow the body: referenced ones by number, then any never
    /// referenced, in document order. `render` gives the HTML of a range of events.
    pub fn section(&self, render: impl Fn(Range<usize>) -> String) -> String {
        if self.definitions.is_empty() {
            return String::new();
        }
        let mut notes: Vec<(usize, usize, &Range<usize>)> = Vec::new();
        let mut unreferenced = self.referenced.len();
        let mut seen = std::collections::HashSet::new();
        for (label, range) in &self.definitions {
            // A label defined twice: the first definition is the note, as pulldown-cmark has it.
            if !seen.insert(label) {
                continue;
            }
            match self.referenced.get(label) {
                Some(&(number, count)) => notes.push((number, count, range)),
                None => {
                    unreferenced += 1;
                    notes.push((unreferenced, 0, range));
                }
            }
        }
        notes.sort_by_key(|(number, ..)| *number);
        let mut html = String::from("<footer class=\"footnotes\">\n<ol>\n");
        for (number, count, range) in notes {
            let inner = render(range.start + 1..range.end - 1);
            let backlinks = backlinks(number, count);
            let _ = writeln!(html, "<li id=\"fn-{number}\">");
            match inner.trim_end().strip_suffix("</p>") {
                Some(before) if !backlinks.is_empty() => {
                    let _ = writeln!(html, "{before}{backlinks}</p>");
                }
                _ => {
                    html.push_str(&inner);
                    html.push_str(&backlinks);
                }
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ol>\n</footer>\n");
        html
    }
}

/// Labels match whatever their case, as in link reference definitions.
fn normalise(label: &str) -> String {
    label.to_lowercase()
}

fn reference_id(number: usize, nth: usize) -> String {
    if nth == 1 {
        format!("fnref-{number}")
    } else {
        format!("fnref-{number}-{nth}")
    }
}

/// The links back to each of a note's `count` references: ↩, then ↩², ↩³ for later ones.
fn backlinks(number: usize, count: usize) -> String {
    let mut html = String::new();
    for nth in 1..=count {
        let id = reference_id(number, nth);
        let _ = write!(
            html,
            " <a href=\"#{id}\" class=\"footnote-backref\" aria-label=\"Back to reference {number}"
        );
        if nth > 1 {
            let _ = write!(html, "-{nth}");
        }
        // U+FE0E asks for the text arrow, not an emoji (iOS draws ↩ alone as one).
        html.push_str("\">↩\u{fe0e}");
        if nth > 1 {
            let _ = write!(html, "<sup>{nth}</sup>");
        }
        html.push_str("</a>");
    }
    html
}

/// The reference HTML without its id, for a summary: several summaries on one list page
/// would repeat the same ids.
pub fn without_reference_ids(html: &str) -> std::borrow::Cow<'_, str> {
    const START: &str = "<sup class=\"footnote-reference\" id=\"";
    if !html.contains(START) {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(START) {
        out.push_str(&rest[..at]);
        out.push_str("<sup class=\"footnote-reference\"");
        let after = &rest[at + START.len()..];
        let close = after.find('"').map_or(after.len(), |i| i + 1);
        rest = &after[close..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_numbered_in_order_of_first_use() {
        let mut notes = Footnotes::default();
        assert!(notes.reference("b").contains("id=\"fnref-1\"><a href=\"#fn-1\">1</a>"));
        assert!(notes.reference("a").contains("id=\"fnref-2\"><a href=\"#fn-2\">2</a>"));
        assert!(notes.reference("B").contains("id=\"fnref-1-2\"><a href=\"#fn-1\">1</a>"));
    }

    #[test]
    fn summaries_lose_the_reference_ids() {
        let html = "a<sup class=\"footnote-reference\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup> b";
        assert_eq!(
            without_reference_ids(html),
            "a<sup class=\"footnote-reference\"><a href=\"#fn-1\">1</a></sup> b"
        );
    }
}
