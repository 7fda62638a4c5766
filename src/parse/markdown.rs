//! Markdown to HTML with pulldown-cmark: heading ids, the summary, the first heading and the
//! word count, all found in one pass over the events.
//!
//! It does not resolve links or highlight code; those are later stages of the same events.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::config::MarkdownConfig;
use crate::site::url::slugify;

/// A Markdown body rendered to HTML, with what templates need to know about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The whole body as HTML.
    pub html: String,
    /// The HTML before `<!-- more -->`, if the body has the marker.
    pub summary_before_marker: Option<String>,
    /// The HTML of the first top-level paragraph alone, if there is one.
    pub first_paragraph: Option<String>,
    /// The plain text of the first heading, used when the page has no title.
    pub first_heading: Option<String>,
    /// Bytes of `html` taken by a heading that opens the body, so a page that takes its
    /// title from that heading can leave it out of its content instead of showing it twice.
    pub leading_heading_len: usize,
    /// Words in the text (code included).
    pub word_count: usize,
}

/// Renders `markdown` with the site's options.
pub fn render(markdown: &str, options: &MarkdownConfig) -> Rendered {
    let parser = Parser::new_ext(markdown, parser_options(options));
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut heading_ids = HeadingIds::default();
    let mut first_heading = None;
    let mut word_count = 0;
    let mut depth = 0usize;
    let mut marker_seen = false;
    let mut marker_cut = None;
    let mut paragraph_cut = None;
    let mut heading_start = None;
    let mut top_level_start = 0;
    let mut leading_heading_end = None;

    for event in parser {
        match &event {
            Event::Start(tag) => {
                if matches!(tag, Tag::Heading { .. }) {
                    heading_start = Some(events.len());
                }
                if depth == 0 {
                    top_level_start = events.len();
                }
                depth += 1;
            }
            Event::End(tag_end) => {
                depth = depth.saturating_sub(1);
                if let (TagEnd::Heading(_), Some(start)) = (tag_end, heading_start.take()) {
                    let text = plain_text(&events[start + 1..]);
                    if options.heading_ids {
                        heading_ids.assign(&mut events[start], &text);
                    }
                    first_heading.get_or_insert(text);
                }
            }
            Event::Text(text) | Event::Code(text) => word_count += text.split_whitespace().count(),
            // A marker that is a block of its own is left out of the summary.
            Event::Html(html) if depth == 1 && is_more_marker(html) && marker_cut.is_none() => {
                marker_cut = Some(top_level_start);
            }
            Event::Html(html) | Event::InlineHtml(html) if is_more_marker(html) => marker_seen = true,
            _ => {}
        }
        let at_top_level_end = depth == 0 && matches!(event, Event::End(_));
        let is_paragraph_end = matches!(event, Event::End(TagEnd::Paragraph));
        let is_heading_end = matches!(event, Event::End(TagEnd::Heading(_)));
        events.push(event);
        if at_top_level_end && is_heading_end && top_level_start == 0 {
            leading_heading_end = Some(events.len());
        }
        if at_top_level_end {
            if marker_seen && marker_cut.is_none() {
                marker_cut = Some(events.len());
            }
            if is_paragraph_end && paragraph_cut.is_none() {
                paragraph_cut = Some(top_level_start..events.len());
            }
        }
    }

    let to_html = |events: &[Event<'_>]| {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.iter().cloned());
        html
    };
    Rendered {
        summary_before_marker: marker_cut.map(|cut| to_html(&events[..cut])),
        first_paragraph: paragraph_cut.map(|range| to_html(&events[range])),
        leading_heading_len: leading_heading_end.map_or(0, |end| to_html(&events[..end]).len()),
        html: to_html(&events),
        first_heading,
        word_count,
    }
}

fn parser_options(options: &MarkdownConfig) -> Options {
    let mut flags = Options::ENABLE_HEADING_ATTRIBUTES;
    let switches = [
        (options.tables, Options::ENABLE_TABLES),
        (options.footnotes, Options::ENABLE_FOOTNOTES),
        (options.strikethrough, Options::ENABLE_STRIKETHROUGH),
        (options.tasklists, Options::ENABLE_TASKLISTS),
        (options.smart_punctuation, Options::ENABLE_SMART_PUNCTUATION),
    ];
    for (enabled, flag) in switches {
        if enabled {
            flags |= flag;
        }
    }
    flags
}

fn is_more_marker(html: &str) -> bool {
    let html = html.trim();
    html.strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim() == "more")
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(t);
        }
    }
    text.trim().to_string()
}

/// Gives headings ids that are unique within one page: `intro`, `intro-1`, `intro-2`.
#[derive(Default)]
struct HeadingIds {
    seen: HashMap<String, usize>,
}

impl HeadingIds {
    fn assign(&mut self, start: &mut Event<'_>, text: &str) {
        let Event::Start(Tag::Heading { id, level, .. }) = start else {
            return;
        };
        let base = match id.take() {
            Some(explicit) => explicit.to_string(),
            None => {
                let slug = slugify(text);
                if slug.is_empty() {
                    heading_fallback(*level)
                } else {
                    slug
                }
            }
        };
        let unique = self.unique(base);
        *id = Some(CowStr::from(unique));
    }

    fn unique(&mut self, base: String) -> String {
        let count = self.seen.entry(base.clone()).or_insert(0);
        let id = if *count == 0 { base.clone() } else { format!("{base}-{count}") };
        *count += 1;
        if id != base {
            self.seen.entry(id.clone()).or_insert(1);
        }
        id
    }
}

fn heading_fallback(level: HeadingLevel) -> String {
    format!("section-{}", level as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> Rendered {
        render(text, &MarkdownConfig::default())
    }

    #[test]
    fn headings_get_unique_ids() {
        let html = md("# Intro\n\n## Intro\n\n## Intro\n").html;
        assert!(html.contains(r#"<h1 id="intro">"#), "{html}");
        assert!(html.contains(r#"<h2 id="intro-1">"#), "{html}");
        assert!(html.contains(r#"<h2 id="intro-2">"#), "{html}");
    }

    #[test]
    fn explicit_heading_id_wins() {
        assert!(md("## Setup {#install}\n").html.contains(r#"<h2 id="install">"#));
    }

    #[test]
    fn summary_stops_at_more_marker() {
        let r = md("First.\n\nSecond.\n\n<!-- more -->\n\nThird.\n");
        let summary = r.summary_before_marker.unwrap();
        assert!(summary.contains("Second.") && !summary.contains("Third."), "{summary}");
        assert!(!summary.contains("more"), "the marker itself is not in the summary: {summary}");
        assert_eq!(r.first_paragraph.unwrap(), "<p>First.</p>\n");
    }

    #[test]
    fn marker_inside_a_paragraph_ends_the_summary_after_it() {
        let r = md("One <!--more--> two.\n\nThree.\n");
        assert_eq!(r.summary_before_marker.unwrap(), "<p>One <!--more--> two.</p>\n");
    }

    #[test]
    fn marker_inside_code_is_not_a_marker() {
        let r = md("Text.\n\n```html\n<!-- more -->\n```\n\nMore.\n");
        assert!(r.summary_before_marker.is_none());
    }

    #[test]
    fn extensions_render() {
        let html =
            md("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ and [^1]\n\n[^1]: note\n\n- [x] done\n").html;
        assert!(html.contains("<table>"));
        assert!(html.contains("<del>old</del>"));
        assert!(html.contains("footnote"));
        assert!(html.contains("checkbox"));
    }

    #[test]
    fn smart_punctuation_and_raw_html() {
        let html = md("\"Quoted\" -- yes\n\n<div class=\"x\">raw</div>\n").html;
        assert!(html.contains("“Quoted”"), "{html}");
        assert!(html.contains("<div class=\"x\">raw</div>"));
    }

    #[test]
    fn word_count_and_first_heading() {
        let r = md("# My Title\n\none two three `four`\n");
        assert_eq!(r.first_heading.as_deref(), Some("My Title"));
        assert_eq!(r.word_count, 6);
    }

    #[test]
    fn first_paragraph_summary_is_only_the_paragraph() {
        assert_eq!(md("## Intro\n\nFirst.\n\nSecond.\n").first_paragraph.unwrap(), "<p>First.</p>\n");
    }

    #[test]
    fn a_leading_heading_is_measured() {
        let r = md("# Title\n\nText.\n");
        assert_eq!(&r.html[r.leading_heading_len..], "<p>Text.</p>\n");
        assert_eq!(md("Text.\n\n# Later\n").leading_heading_len, 0);
    }

    #[test]
    fn unicode_heading_ids() {
        assert!(md("## Café olé\n").html.contains(r#"id="café-olé""#));
    }
}
