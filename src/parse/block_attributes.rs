//! Applies the block attribute lists that `kramdown` leaves as marker comments
//! (`Para.\n{: .note}` → `<p class="note">`) to the pulldown-cmark events of the block they
//! belong to, while `markdown` walks the events.
//!
//! pulldown-cmark's paragraphs, lists and quotes carry no attributes, so the start event of a
//! block that has some is written as HTML when the events become HTML. Blocks that cannot take
//! them this way (a setext heading, a list item) lose them: dropped, never printed.

use std::collections::HashMap;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};

use crate::parse::kramdown::{self, Attributes, Placement};

/// Which block start events get which attributes, recorded as the events are collected.
#[derive(Default)]
pub struct BlockAttributes {
    /// Attributes by the index of the block's start event.
    by_event: HashMap<usize, Attributes>,
    /// Attributes waiting for the next block to start at this block depth.
    pending: Option<(usize, Attributes)>,
    /// The last block closed: its depth, start index and end index.
    last_closed: Option<(usize, usize, usize)>,
    /// Start indices of the blocks open now.
    open: Vec<usize>,
    /// Whether the end of a marker's HTML block is still to come (and to skip).
    skip_end: bool,
}

impl BlockAttributes {
    /// Takes a marker's HTML: when `html` is one and is the whole of the HTML block just
    /// started (the last event), removes that start event, records the attributes, and
    /// returns true; the caller then skips the event, and the block's end (see
    /// [`Self::skips_end`]), and undoes the depth it counted for the start.
    pub fn take_marker(&mut self, html: &str, events: &mut Vec<Event<'_>>) -> bool {
        if !html.starts_with(kramdown::BLOCK_MARKER)
            || !matches!(events.last(), Some(Event::Start(Tag::HtmlBlock)))
        {
            return false;
        }
        let Some((placement, attributes)) = kramdown::parse_marker(html) else {
            return false;
        };
        events.pop();
        self.open.pop();
        self.skip_end = true;
        let depth = self.open.len();
        match placement {
            Placement::Previous => {
                if let Some((closed_depth, start, end)) = self.last_closed {
                    if closed_depth == depth && end + 1 == events.len() {
                        self.by_event.insert(start, attributes);
                    }
                }
            }
            Placement::Next => self.pending = Some((depth, attributes)),
        }
        true
    }

    /// Whether this block end belongs to a marker taken by [`Self::take_marker`].
    pub fn skips_end(&mut self) -> bool {
        std::mem::take(&mut self.skip_end)
    }

    /// Notes a tag starting at event `index` (only blocks count).
    pub fn started(&mut self, index: usize, tag: &Tag<'_>) {
        if !is_block(tag) {
            return;
        }
        if self.pending.as_ref().is_some_and(|(depth, _)| *depth == self.open.len()) {
            let (_, attributes) = self.pending.take().expect("checked above");
            self.by_event.insert(index, attributes);
        }
        self.open.push(index);
    }

    /// Notes a tag ending at event `index` (only blocks count).
    pub fn ended(&mut self, index: usize, tag: TagEnd) {
        if !is_block_end(tag) {
            return;
        }
        if let Some(start) = self.open.pop() {
            self.last_closed = Some((self.open.len(), start, index));
        }
    }

    /// The events `offset..` of a document, with the start of each block that has attributes
    /// written as HTML that carries them.
    pub fn apply<'e>(&self, events: &[Event<'e>], offset: usize) -> Vec<Event<'e>> {
        let stray_marker = |event: &Event<'_>| match event {
            Event::Html(html) | Event::InlineHtml(html) => html.contains(kramdown::BLOCK_MARKER),
            _ => false,
        };
        if self.by_event.is_empty() && !events.iter().any(stray_marker) {
            return events.to_vec();
        }
        let mut out = Vec::with_capacity(events.len());
        // An HTML block (a highlighted code block) takes them in its first tag.
        let mut carried: Option<&Attributes> = None;
        for (index, event) in events.iter().enumerate() {
            let attributes = self.by_event.get(&(offset + index)).or(carried.take());
            let Some(attributes) = attributes else {
                out.push(without_markers(event));
                continue;
            };
            match start_tag(event, attributes) {
                Some(html) => out.push(Event::Html(html.into())),
                None if matches!(event, Event::Start(Tag::HtmlBlock)) => {
                    carried = Some(attributes);
                    out.push(event.clone());
                }
                None => match event {
                    Event::Html(html) => out.push(Event::Html(CowStr::from(in_first_tag(html, attributes)))),
                    _ => out.push(event.clone()),
                },
            }
        }
        out
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_)
    )
}

fn is_block_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_)
    )
}

/// The event without marker comments that did not stand alone (a marker line swallowed by
/// an unclosed raw HTML block, such as `<pre>` with no `</pre>`): never printed.
fn without_markers<'e>(event: &Event<'e>) -> Event<'e> {
    let strip = |html: &str| {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(start) = rest.find(kramdown::BLOCK_MARKER) {
            out.push_str(&rest[..start]);
            match rest[start..].find("-->") {
                Some(end) => rest = &rest[start + end + 3..],
                None => {
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        CowStr::from(out)
    };
    match event {
        Event::Html(html) if html.contains(kramdown::BLOCK_MARKER) => Event::Html(strip(html)),
        Event::InlineHtml(html) if html.contains(kramdown::BLOCK_MARKER) => Event::InlineHtml(strip(html)),
        other => other.clone(),
    }
}

/// The HTML pulldown-cmark writes for a block start, with the attributes added.
fn start_tag(event: &Event<'_>, attributes: &Attributes) -> Option<String> {
    let attributes = attributes.to_html();
    let Event::Start(tag) = event else {
        return None;
    };
    Some(match tag {
        Tag::Paragraph => format!("<p{attributes}>"),
        Tag::BlockQuote(None) => format!("<blockquote{attributes}>\n"),
        Tag::List(None) => format!("<ul{attributes}>\n"),
        Tag::List(Some(1)) => format!("<ol{attributes}>\n"),
        Tag::List(Some(start)) => format!("<ol start=\"{start}\"{attributes}>\n"),
        Tag::Table(_) => format!("<table{attributes}>"),
        Tag::CodeBlock(kind) => {
            let language = match kind {
                CodeBlockKind::Fenced(info) => info.split([',', ' ']).next().unwrap_or_default(),
                CodeBlockKind::Indented => "",
            };
            if language.is_empty() {
                format!("<pre{attributes}><code>")
            } else {
                let mut class = String::new();
                let _ = pulldown_cmark_escape::escape_html(&mut class, language);
                format!("<pre{attributes}><code class=\"language-{class}\">")
            }
        }
        _ => return None,
    })
}

/// `html` with the attributes added to its first start tag (its classes joining the tag's).
fn in_first_tag(html: &str, attributes: &Attributes) -> String {
    let starts_with_tag =
        html.strip_prefix('<').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic()));
    let Some(tag_end) = html.find('>').filter(|_| starts_with_tag) else {
        return html.to_string();
    };
    let tag = &html[..tag_end];
    let name_end = tag.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(tag.len());
    let mut out = String::with_capacity(html.len() + 40);
    let mut extra = Attributes { id: attributes.id.clone(), classes: Vec::new() };
    match tag.find(" class=\"") {
        Some(class_start) if !attributes.classes.is_empty() => {
            let value_start = class_start + " class=\"".len();
            let value_end = value_start + tag[value_start..].find('"').unwrap_or(0);
            out.push_str(&tag[..name_end]);
            out.push_str(&extra.to_html());
            out.push_str(&tag[name_end..value_end]);
            let mut classes = String::new();
            let _ = pulldown_cmark_escape::escape_html(&mut classes, &attributes.classes.join(" "));
            out.push(' ');
            out.push_str(&classes);
            out.push_str(&html[value_end..]);
            return out;
        }
        _ => extra.classes.clone_from(&attributes.classes),
    }
    out.push_str(&tag[..name_end]);
    out.push_str(&extra.to_html());
    out.push_str(&html[name_end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes(id: Option<&str>, classes: &[&str]) -> Attributes {
        Attributes { id: id.map(str::to_string), classes: classes.iter().map(|c| c.to_string()).collect() }
    }

    #[test]
    fn attributes_join_the_first_tag() {
        let a = attributes(Some("x"), &["wide"]);
        assert_eq!(
            in_first_tag("<pre class=\"hl-code\" data-lang=\"rust\"><code>", &a),
            "<pre id=\"x\" class=\"hl-code wide\" data-lang=\"rust\"><code>"
        );
        assert_eq!(in_first_tag("<div>\n", &a), "<div id=\"x\" class=\"wide\">\n");
        assert_eq!(in_first_tag("text <b>", &a), "text <b>");
    }

    #[test]
    fn markers_inside_other_html_are_removed() {
        let swallowed = Event::Html("<pre>x\n<!--quire-attributes:prev .n-->\ny".into());
        let applied = BlockAttributes::default().apply(&[swallowed], 0);
        assert_eq!(applied, [Event::Html("<pre>x\n\ny".into())]);
    }

    #[test]
    fn block_starts_are_written_with_attributes() {
        let a = attributes(None, &["note"]);
        assert_eq!(start_tag(&Event::Start(Tag::Paragraph), &a).unwrap(), "<p class=\"note\">");
        assert_eq!(
            start_tag(&Event::Start(Tag::List(Some(3))), &a).unwrap(),
            "<ol start=\"3\" class=\"note\">\n"
        );
        assert_eq!(start_tag(&Event::Start(Tag::Item), &a), None);
    }
}
