//! Markdown to HTML with pulldown-cmark, in one pass over the events: heading ids and the
//! table of contents, the summary, the first heading, the word count, highlighted code blocks,
//! footnotes (gathered at the end by `footnotes`), and every link and image destination,
//! recorded with its line.
//!
//! Link and image destinations are left as numbered markers in the HTML: where they point is
//! decided by the model (which knows every page's URL) with [`fill_links`]. Shortcode calls are
//! left as placeholders for the render stage. This module resolves no link and renders no
//! template.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::config::{ConversionErrors, MarkdownConfig};
use crate::data_value::DataValue;
use crate::error::{Error, Location, Result};
use crate::parse::alerts;
use crate::parse::autolinks::{self, Piece};
use crate::parse::block_attributes::BlockAttributes;
use crate::parse::diagrams;
use crate::parse::emoji;
use crate::parse::footnotes::{self, Footnotes};
use crate::parse::highlight::{self, HighlightOptions, Highlighter};
use crate::parse::math::{self, MathDisplay};
use crate::parse::shortcodes::{self, ShortcodeCall, PLACEHOLDER_START};
use crate::shared_text::SharedText;
use crate::site::url::slugify;

/// Markdown text and where it comes from, for line numbers in errors and links.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The file, as shown to the user.
    pub file: &'a Path,
    /// The Markdown.
    pub text: &'a str,
    /// The 1-based file line of the text's first line.
    pub first_line: usize,
    /// Whether `{{ name() }}` calls are shortcodes or plain text.
    pub shortcodes: Shortcodes,
}

/// Whether shortcode calls are looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcodes {
    /// Calls become placeholders for the render stage (page and section bodies).
    Extract,
    /// Calls stay text (the `markdown` filter, front matter summaries, shortcode bodies).
    Leave,
}

/// A Markdown body rendered to HTML, with what templates need to know about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HtmlBody {
    /// The whole body as HTML, with link markers and shortcode placeholders. Shared, so that
    /// the model and `quire serve`'s kept parses hold one copy of it.
    pub html: SharedText,
    /// The HTML before `<!-- more -->`, if the body has the marker.
    pub summary_before_marker: Option<String>,
    /// The HTML of the first top-level paragraph alone, if there is one.
    pub first_paragraph: Option<String>,
    /// The plain text of the first heading, used when the page has no title.
    pub first_heading: Option<String>,
    /// Bytes of `html` taken by a heading that opens the body, so a page that takes its
    /// title from that heading can leave it out of its content instead of showing it twice.
    pub leading_heading_len: usize,
    /// Words in the text (code included), each Chinese or Japanese character counted as one.
    pub word_count: usize,
    /// The Chinese and Japanese characters among `word_count`, which are read at a pace of
    /// their own.
    pub ideographic_count: usize,
    /// The headings, nested by level.
    pub toc: Vec<TocEntry>,
    /// Link and image destinations, by marker number.
    pub links: Vec<Link>,
    /// Shortcode calls, by placeholder number.
    pub shortcodes: Vec<ShortcodeCall>,
    /// Things to tell the user that don't stop the build (`file:line: …`): an image without
    /// alt text, a formula left as LaTeX with `math_errors = "warn"`.
    pub warnings: Vec<String>,
}

/// A heading in the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TocEntry {
    /// 1 for `#`, 2 for `##`, ...
    pub level: u8,
    /// The heading's `id` (empty when heading ids are off and it has none).
    pub id: String,
    /// The heading's plain text.
    pub title: String,
    /// The heading's text as HTML, with its emphasis, code and strikethrough but without
    /// links (a table of contents entry is a link itself) and images.
    pub html: String,
    /// Deeper headings under this one.
    pub children: Vec<TocEntry>,
}

/// A link or image destination as written in the Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination: `@/blog/post.md#setup`, `../other/`, `https://…`, `diagram.svg`.
    pub dest: String,
    /// The 1-based file line it is written on.
    pub line: usize,
    /// Whether it is a link or an image.
    pub kind: LinkKind,
}

/// What a destination is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// `[text](dest)`: an `href`.
    Link,
    /// `![alt](dest)`: a `src`.
    Image,
}

/// Marks link `n` in rendered HTML as `\0n\0`; the parser turns NUL in input into U+FFFD, so
/// the marker cannot come from the user.
const LINK_MARKER: char = '\0';
/// After a link's number in a marker, `s` marks where an image's size goes.
const SIZE_SUFFIX: char = 's';
/// After a link's number in a marker, `p` marks where a responsive image's `<picture>` opens.
const PICTURE_SUFFIX: char = 'p';
/// After a link's number in a marker, `q` marks where a responsive image's `</picture>` goes.
const PICTURE_END_SUFFIX: char = 'q';

/// What the model writes around and into a Markdown image's `<img>`, besides its URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ImageMarkup {
    /// Intrinsic width and height.
    pub size: Option<(u32, u32)>,
    /// For a responsive image: `srcset` of the original format, `<source>` `srcset` of the
    /// modern one, and `sizes`.
    pub responsive: Option<ResponsiveMarkup>,
}

/// The `srcset`s and `sizes` of a responsive image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponsiveMarkup {
    /// `url 480w, url 960w` in the original format (the `img`'s).
    pub fallback: String,
    /// The same in WebP (the `source`'s), when there is a modern copy.
    pub modern: Option<String>,
    /// The `sizes` attribute.
    pub sizes: String,
}

/// The template that renders the link beside a heading, when `heading_anchors` is on.
pub const ANCHOR_LINK_TEMPLATE: &str = "anchor-link.html";

/// Renders Markdown with the site's options, highlighting code with a highlighter of its own
/// (the `markdown` filter; the parse stage shares one with [`render_with`]).
///
/// # Errors
/// `Error::Markdown` for unreadable shortcode calls and code block options, all together.
pub fn render(source: &Source<'_>, options: &MarkdownConfig) -> Result<HtmlBody> {
    render_with(source, options, &Highlighter::default())
}

/// Renders Markdown with the site's options, highlighting code with `highlighter`.
///
/// # Errors
/// `Error::Markdown` for unreadable shortcode calls and code block options, all together.
pub fn render_with(
    source: &Source<'_>,
    options: &MarkdownConfig,
    highlighter: &Highlighter,
) -> Result<HtmlBody> {
    let text: Cow<'_, str> = if memchr::memchr(LINK_MARKER as u8, source.text.as_bytes()).is_some() {
        Cow::Owned(source.text.replace(LINK_MARKER, "\u{fffd}"))
    } else {
        Cow::Borrowed(source.text)
    };
    let mut errors = Vec::new();
    let (text, found) = match source.shortcodes {
        Shortcodes::Leave => (text, Vec::new()),
        Shortcodes::Extract if !shortcodes::may_hold_calls(&text) => (text, Vec::new()),
        Shortcodes::Extract => match shortcodes::extract(&text) {
            Ok(extracted) => (Cow::Owned(extracted.text), extracted.calls),
            Err(list) => {
                for error in list {
                    let location = location(source, error.line, error.column);
                    errors.push(Error::Markdown {
                        location,
                        detail: error.detail,
                        hint: Some(SHORTCODE_HINT.into()),
                    });
                }
                return Err(Error::from_list(errors).expect("extract reports at least one error"));
            }
        },
    };
    let mut renderer = BodyWriter::new(source, options, highlighter, &text);
    for call in found {
        renderer.add_call(call, &mut errors);
    }
    let rendered = renderer.run(&text, &mut errors);
    Error::fail_if_any(errors)?;
    Ok(rendered)
}

/// Replaces the link markers in `html` with `urls` (one per link, in order), escaped for an
/// attribute; images get no size.
pub fn fill_links(html: &str, urls: &[String]) -> String {
    fill_links_sized(html, urls, &[])
}

/// Replaces the link markers in `html` with `urls` (one per link, in order), escaped for an
/// attribute, and an image's size marker with ` width="…" height="…"` from `sizes` (by link
/// number; nothing where there is none).
pub fn fill_links_sized(html: &str, urls: &[String], images: &[ImageMarkup]) -> String {
    if memchr::memchr(LINK_MARKER as u8, html.as_bytes()).is_none() {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + urls.iter().map(String::len).sum::<usize>());
    let mut parts = html.split(LINK_MARKER);
    out.push_str(parts.next().unwrap_or_default());
    while let (Some(number), Some(text)) = (parts.next(), parts.next()) {
        let markup = |digits: &str| digits.parse::<usize>().ok().and_then(|n| images.get(n));
        if let Some(image) = number.strip_suffix(SIZE_SUFFIX) {
            if let Some(markup) = markup(image) {
                if let Some((width, height)) = markup.size {
                    let _ = write!(out, " width=\"{width}\" height=\"{height}\"");
                }
                if let Some(responsive) = &markup.responsive {
                    out.push_str(" srcset=\"");
                    let _ = pulldown_cmark_escape::escape_html(&mut out, &responsive.fallback);
                    out.push_str("\" sizes=\"");
                    let _ = pulldown_cmark_escape::escape_html(&mut out, &responsive.sizes);
                    out.push('"');
                }
            }
        } else if let Some(image) = number.strip_suffix(PICTURE_SUFFIX) {
            let responsive = markup(image).and_then(|m| m.responsive.as_ref());
            if let Some((responsive, modern)) = responsive.and_then(|r| Some((r, r.modern.as_ref()?))) {
                out.push_str("<picture><source type=\"image/webp\" srcset=\"");
                let _ = pulldown_cmark_escape::escape_html(&mut out, modern);
                out.push_str("\" sizes=\"");
                let _ = pulldown_cmark_escape::escape_html(&mut out, &responsive.sizes);
                out.push_str("\">");
            }
        } else if let Some(image) = number.strip_suffix(PICTURE_END_SUFFIX) {
            if markup(image).is_some_and(|m| m.responsive.as_ref().is_some_and(|r| r.modern.is_some())) {
                out.push_str("</picture>");
            }
        } else if let Some(url) = number.parse::<usize>().ok().and_then(|n| urls.get(n)) {
            let _ = pulldown_cmark_escape::escape_href(&mut out, url);
        }
        out.push_str(text);
    }
    out
}

/// `text` with the smart punctuation the body gets (curly quotes and apostrophes, en and em
/// dashes, ellipses), from the same parser, and nothing else read as Markdown: for titles and
/// descriptions from front matter, so that they match the body (issue 22).
pub fn smart_punctuation(text: &str) -> Cow<'_, str> {
    let has_candidates = |line: &str| line.bytes().any(|b| matches!(b, b'\'' | b'"' | b'-' | b'.'));
    if !has_candidates(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        if !has_candidates(line) || line.trim().is_empty() {
            out.push_str(line);
            continue;
        }
        // Every other ASCII punctuation character is escaped, so that nothing becomes
        // emphasis, a link, code or HTML; the line follows `x `, inside a paragraph already, so
        // that no block starts on it (`- a`, `1. a`) and its first character still follows a
        // space, as at the start of a line.
        let mut source = String::with_capacity(line.len() + 16);
        source.push_str("x ");
        for c in line.chars() {
            if c.is_ascii_punctuation() && !matches!(c, '\'' | '"' | '-' | '.') {
                source.push('\\');
            }
            source.push(c);
        }
        let mut smart = String::with_capacity(source.len());
        for event in Parser::new_ext(&source, Options::ENABLE_SMART_PUNCTUATION) {
            if let Event::Text(text) = event {
                smart.push_str(&text);
            }
        }
        out.push_str(smart.strip_prefix("x ").unwrap_or(&smart));
        out.push_str(&line[line.trim_end().len()..]);
    }
    Cow::Owned(out)
}

impl HtmlBody {
    /// Every heading id, in document order.
    pub fn heading_ids(&self) -> Vec<&str> {
        toc_ids(&self.toc)
    }

    /// The destinations as written, for HTML that no model resolves (the `markdown` filter).
    pub fn links_as_written(&self) -> Vec<String> {
        self.links.iter().map(|link| link.dest.clone()).collect()
    }
}

/// Every heading id of a table of contents, in document order.
pub fn toc_ids(toc: &[TocEntry]) -> Vec<&str> {
    fn walk<'a>(entries: &'a [TocEntry], ids: &mut Vec<&'a str>) {
        for entry in entries {
            if !entry.id.is_empty() {
                ids.push(&entry.id);
            }
            walk(&entry.children, ids);
        }
    }
    let mut ids = Vec::new();
    walk(toc, &mut ids);
    ids
}

/// Whether a table of contents has a heading with the id `id`.
pub fn toc_has_id(toc: &[TocEntry], id: &str) -> bool {
    toc.iter().any(|entry| entry.id == id || toc_has_id(&entry.children, id))
}

const DIAGRAM_HINT: &str = "check the diagram at https://mermaid.live, or set `diagram_errors = \"warn\"` in `[markdown]` to show it as code (`diagrams = false` shows every mermaid fence as code)";

/// Whether a fence's info string names a Mermaid diagram (`mermaid`, as GitHub reads it).
fn is_diagram(info: &str) -> bool {
    info.split([' ', ',', '{']).next() == Some(diagrams::DIAGRAM_LANGUAGE)
}

const MATH_HINT: &str = "write the formula as KaTeX and MathJax read it, or set `math_errors = \"warn\"` in `[markdown]` to show it as LaTeX";

const SHORTCODE_HINT: &str =
    "shortcodes are written `{{ name(key=\"text\", n=3) }}`, or `{% name() %}` … `{% end %}` on lines of their own";

fn location(source: &Source<'_>, line_in_text: usize, column: usize) -> Location {
    let mut location = Location::in_text(source.file, source.text, line_in_text + 1, column);
    location.line = line_in_text + source.first_line;
    location
}

/// Where the summary, the first paragraph and a leading heading end, in events.
#[derive(Default)]
struct Cuts {
    marker_seen: bool,
    marker: Option<usize>,
    paragraph: Option<Range<usize>>,
    leading_heading_end: Option<usize>,
}

impl Cuts {
    /// Notes the cuts an event just pushed ends, when it closes a top-level block.
    fn after_push(&mut self, events: &[Event<'_>], depth: usize, top_level_start: usize) {
        if depth != 0 {
            return;
        }
        match events.last() {
            Some(Event::End(TagEnd::Paragraph)) if self.paragraph.is_none() => {
                self.paragraph = Some(top_level_start..events.len());
            }
            Some(Event::End(TagEnd::Heading(_))) if top_level_start == 0 => {
                self.leading_heading_end = Some(events.len());
            }
            Some(Event::End(_)) => {}
            _ => return,
        }
        if self.marker_seen && self.marker.is_none() {
            self.marker = Some(events.len());
        }
    }
}

/// A code block being collected: its fence options when highlighting, else its info string.
struct CodeBlock {
    fence: highlight::FenceInfo,
    info: String,
    code: String,
    /// The 1-based file line of its opening fence.
    line: usize,
}

/// An image being collected: its marker number, title and alt text.
struct Image {
    number: usize,
    title: String,
    alt: String,
    depth: usize,
    line: usize,
}

struct BodyWriter<'a> {
    source: &'a Source<'a>,
    options: &'a MarkdownConfig,
    highlighter: &'a Highlighter,
    highlight: Option<HighlightOptions>,
    line_starts: Vec<usize>,
    links: Vec<Link>,
    calls: Vec<ShortcodeCall>,
    warnings: Vec<String>,
    images: usize,
    diagrams: usize,
}

impl<'a> BodyWriter<'a> {
    fn new(
        source: &'a Source<'a>,
        options: &'a MarkdownConfig,
        highlighter: &'a Highlighter,
        text: &str,
    ) -> Self {
        let highlight = options.highlight_code.then(|| HighlightOptions {
            style: options.highlight_style,
            theme: options.highlight_theme.clone(),
        });
        let line_starts =
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)).collect();
        BodyWriter {
            source,
            options,
            highlighter,
            highlight,
            line_starts,
            links: Vec::new(),
            calls: Vec::new(),
            warnings: Vec::new(),
            images: 0,
            diagrams: 0,
        }
    }

    /// The 1-based file line of a byte offset in the text.
    fn line(&self, offset: usize) -> usize {
        let index = self.line_starts.partition_point(|&start| start <= offset);
        index.max(1) - 1 + self.source.first_line
    }

    /// Adds a shortcode call, rendering its body as Markdown of the same page.
    fn add_call(&mut self, call: shortcodes::FoundCall, errors: &mut Vec<Error>) {
        let line = call.line + self.source.first_line;
        let body = call.body.and_then(|(body, body_line)| {
            let body_source = Source {
                file: self.source.file,
                text: &body,
                first_line: body_line + self.source.first_line,
                shortcodes: Shortcodes::Leave,
            };
            // Headings in a body get no anchor link: their calls would belong to the body's
            // own numbering, not to the page's.
            let options = MarkdownConfig { heading_anchors: false, ..self.options.clone() };
            match render_with(&body_source, &options, self.highlighter) {
                Ok(rendered) => Some(self.adopt_links(rendered)),
                Err(error) => {
                    errors.push(error);
                    None
                }
            }
        });
        let mut args = call.args;
        for (key, kind) in LINK_ARGUMENTS {
            if let Some(DataValue::String(dest)) = args.get_mut(*key) {
                self.links.push(Link { dest: std::mem::take(dest), line, kind: *kind });
                *dest = format!("{LINK_MARKER}{}{LINK_MARKER}", self.links.len() - 1);
            }
        }
        let nth = 1 + self.calls.iter().filter(|c| c.name == call.name).count();
        self.calls.push(ShortcodeCall {
            template: format!("shortcodes/{}.html", call.name),
            nth,
            name: call.name,
            args,
            body,
            line,
        });
    }

    /// Takes over the links of a nested render, renumbering its markers after ours.
    fn adopt_links(&mut self, rendered: HtmlBody) -> String {
        let offset = self.links.len();
        let urls: Vec<String> =
            (0..rendered.links.len()).map(|n| format!("{LINK_MARKER}{}{LINK_MARKER}", n + offset)).collect();
        self.links.extend(rendered.links);
        self.warnings.extend(rendered.warnings);
        // Markers are replaced by markers: `fill_links` escapes, and NUL and digits pass as is.
        fill_links_raw(&rendered.html, &urls)
    }

    fn run(mut self, text: &str, errors: &mut Vec<Error>) -> HtmlBody {
        let parser = Parser::new_ext(text, parser_options(self.options)).into_offset_iter();
        // A URL or shortcode can come in several texts (`a_b` is two); read whole.
        let reads_text = self.options.autolinks || self.options.emoji;
        let parser = MergedText { events: parser.peekable(), merge: reads_text };
        // Links open now (Markdown's, then raw HTML `<a>`): their text is never linked again.
        let (mut open_links, mut in_html_link) = (0usize, false);
        // Sized from the text's length up front, rather than doubled a dozen times.
        let mut events: Vec<Event<'_>> = Vec::with_capacity(text.len() / 24);
        let mut heading_ids = HeadingIds::default();
        let mut headings: Vec<TocEntry> = Vec::new();
        let mut first_heading = None;
        let mut word_count = WordCount::default();
        let mut depth = 0usize;
        let mut cuts = Cuts::default();
        let mut heading_start = None;
        // A trailing `{…}` that pulldown-cmark took for attributes but is text (issue 22).
        let mut heading_suffix: Option<String> = None;
        let mut top_level_start = 0;
        let mut code: Option<CodeBlock> = None;
        let mut image: Option<Image> = None;
        let mut attributes = BlockAttributes::default();
        let mut notes = Footnotes::default();

        for (event, range) in parser {
            if let Some(block) = &mut code {
                match event {
                    Event::Text(text) => {
                        word_count += count_words(&text);
                        block.code.push_str(&text);
                        continue;
                    }
                    Event::End(TagEnd::CodeBlock) => {
                        let block = code.take().expect("inside a code block");
                        let diagram = self.options.diagrams && is_diagram(&block.info);
                        let html = match &self.highlight {
                            _ if diagram => self.diagram(&block, errors),
                            Some(options) => {
                                self.highlighter.highlight(&block.code, &block.fence, options).to_string()
                            }
                            None => highlight::unhighlighted(&block.code, &block.info),
                        };
                        events.push(Event::Start(Tag::HtmlBlock));
                        events.push(Event::Html(CowStr::from(html)));
                        depth = depth.saturating_sub(1);
                        attributes.ended(events.len(), TagEnd::HtmlBlock);
                        events.push(Event::End(TagEnd::HtmlBlock));
                        cuts.after_push(&events, depth, top_level_start);
                        continue;
                    }
                    _ => continue,
                }
            }
            if let Some(img) = &mut image {
                match &event {
                    Event::Start(_) => img.depth += 1,
                    Event::End(_) if img.depth > 0 => img.depth -= 1,
                    Event::End(_) => {
                        let img = image.take().expect("inside an image");
                        let html = self.image_html(&img);
                        events.push(Event::InlineHtml(html.into()));
                        continue;
                    }
                    Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => {
                        word_count += count_words(t);
                        img.alt.push_str(t);
                    }
                    Event::SoftBreak | Event::HardBreak => img.alt.push(' '),
                    _ => {}
                }
                continue;
            }
            match &event {
                Event::Start(Tag::Link { .. }) => open_links += 1,
                Event::End(TagEnd::Link) => open_links = open_links.saturating_sub(1),
                Event::InlineHtml(html) if reads_text => {
                    let tag = html.trim_start().get(..3).unwrap_or_default().to_ascii_lowercase();
                    if tag.starts_with("<a ") || tag.starts_with("<a>") {
                        in_html_link = true;
                    } else if tag == "</a" {
                        in_html_link = false;
                    }
                }
                Event::Text(written) if reads_text && open_links == 0 && !in_html_link => {
                    if let Some(pieces) = self.text_pieces(written, &range) {
                        word_count += count_words(written);
                        events.extend(pieces);
                        continue;
                    }
                }
                _ => {}
            }
            let event = match event {
                // Collected whole and written as an HTML block, highlighted or not (every `pre`
                // gets a tabindex, which pulldown-cmark's writer cannot add).
                Event::Start(Tag::CodeBlock(kind)) => {
                    let info = match &kind {
                        CodeBlockKind::Fenced(info) => info.as_ref(),
                        CodeBlockKind::Indented => "",
                    };
                    let fence = if self.highlight.is_none() {
                        // Unhighlighted blocks take no options, so none can be wrong.
                        highlight::FenceInfo::default()
                    } else {
                        highlight::parse_info(info).unwrap_or_else(|detail| {
                            let line = self.line(range.start) - self.source.first_line;
                            errors.push(Error::Markdown {
                                location: location(self.source, line, 1),
                                detail,
                                hint: Some(
                                    "write the language first, then options: ```rust,linenos,hl_lines=2 4-6"
                                        .into(),
                                ),
                            });
                            highlight::FenceInfo::default()
                        })
                    };
                    if depth == 0 {
                        top_level_start = events.len();
                    }
                    depth += 1;
                    // Its events are pushed at its end: an HTML block starting here.
                    attributes.started(events.len(), &Tag::HtmlBlock);
                    let line = self.line(range.start);
                    code = Some(CodeBlock { fence, info: info.to_string(), code: String::new(), line });
                    continue;
                }
                Event::Start(Tag::Link { link_type, dest_url, title, .. })
                    if link_type != LinkType::Email =>
                {
                    let number = self.record_link(&dest_url, &range, LinkKind::Link);
                    let mut html = format!("<a href=\"{LINK_MARKER}{number}{LINK_MARKER}\"");
                    if !title.is_empty() {
                        html.push_str(" title=\"");
                        let _ = pulldown_cmark_escape::escape_html(&mut html, &title);
                        html.push('"');
                    }
                    if is_external(&dest_url) {
                        html.push_str(&self.external_attributes());
                    }
                    html.push('>');
                    Event::InlineHtml(html.into())
                }
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    let line = heading_content_line(&text[range.clone()]);
                    match trailing_braces(line) {
                        Some((spaces, inner)) if !is_attribute_list(inner) => {
                            heading_suffix = Some(format!("{spaces}{{{inner}}}"));
                            Event::Start(Tag::Heading {
                                level,
                                id: None,
                                classes: Vec::new(),
                                attrs: Vec::new(),
                            })
                        }
                        _ => Event::Start(Tag::Heading { level, id, classes, attrs }),
                    }
                }
                Event::FootnoteReference(label) => Event::InlineHtml(notes.reference(&label).into()),
                Event::Start(Tag::Image { dest_url, title, .. }) => {
                    let number = self.record_link(&dest_url, &range, LinkKind::Image);
                    let line = self.line(range.start);
                    image =
                        Some(Image { number, title: title.to_string(), alt: String::new(), depth: 0, line });
                    continue;
                }
                // Pandoc's rule besides GitHub's: a closing `$` right before a digit closes
                // nothing, so that `$5-$10` is a price range, not the formula `5-`.
                Event::InlineMath(_) if text[range.end..].starts_with(|c: char| c.is_ascii_digit()) => {
                    Event::Text(CowStr::Borrowed(&text[range.clone()]))
                }
                Event::InlineMath(latex) => {
                    let at = (self.line(range.start), column(text, range.start));
                    self.math(&latex, MathDisplay::Inline, at, errors)
                }
                Event::DisplayMath(latex) => {
                    let at = (self.line(range.start), column(text, range.start));
                    self.math(&latex, MathDisplay::Block, at, errors)
                }
                other => other,
            };
            match &event {
                Event::Html(html) if attributes.take_marker(html, &mut events) => {
                    depth = depth.saturating_sub(1);
                    continue;
                }
                Event::End(TagEnd::HtmlBlock) if attributes.skips_end() => continue,
                _ => {}
            }
            match &event {
                Event::Start(tag) => {
                    attributes.started(events.len(), tag);
                    if let Tag::FootnoteDefinition(label) = tag {
                        notes.definition_started(events.len(), label);
                    }
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
                    if *tag_end == TagEnd::FootnoteDefinition {
                        notes.definition_ended(events.len());
                    }
                    // Only the heading's own end closes it, not the end of emphasis or a link
                    // inside it (issue 22).
                    let heading = match tag_end {
                        TagEnd::Heading(level) => heading_start.take().map(|start| (level, start)),
                        _ => None,
                    };
                    if let Some((level, start)) = heading {
                        if let Some(suffix) = heading_suffix.take() {
                            word_count += count_words(&suffix);
                            events.push(Event::Text(suffix.into()));
                        }
                        let title = plain_text(&events[start + 1..]);
                        let html = toc_html(&events[start + 1..]);
                        if self.options.heading_ids {
                            heading_ids.assign(&mut events[start], &title);
                        }
                        let id = match &events[start] {
                            Event::Start(Tag::Heading { id: Some(id), .. }) => id.to_string(),
                            _ => String::new(),
                        };
                        if self.options.heading_anchors && !id.is_empty() {
                            let placeholder =
                                self.anchor_call(&id, &title, *level as u8, self.line(range.start));
                            events.push(Event::InlineHtml(placeholder.into()));
                        }
                        headings.push(TocEntry {
                            level: *level as u8,
                            id,
                            title: title.clone(),
                            html,
                            children: Vec::new(),
                        });
                        first_heading.get_or_insert(title);
                    }
                }
                Event::Text(text) | Event::Code(text) => word_count += count_words(text),
                // A marker that is a block of its own is left out of the summary.
                Event::Html(html) if depth == 1 && is_more_marker(html) && cuts.marker.is_none() => {
                    cuts.marker = Some(top_level_start);
                }
                Event::Html(html) | Event::InlineHtml(html) if is_more_marker(html) => {
                    cuts.marker_seen = true
                }
                _ => {}
            }
            if let Event::End(tag_end) = &event {
                attributes.ended(events.len(), *tag_end);
            }
            events.push(event);
            cuts.after_push(&events, depth, top_level_start);
        }

        // Everything in `range`, footnote definitions included.
        let range_html = |range: Range<usize>| {
            let mut html = String::new();
            pulldown_cmark::html::push_html(
                &mut html,
                attributes.apply(&events[range.clone()], range.start).into_iter().map(alerts::write),
            );
            html
        };
        // The body in `range`: footnote definitions are written after it (issue 22).
        let to_html = |range: Range<usize>| {
            if !notes.has_definitions() {
                return range_html(range);
            }
            let start = range.start;
            let applied = attributes.apply(&events[range], start);
            let kept = applied
                .into_iter()
                .enumerate()
                .filter(|(index, _)| !notes.is_in_definition(start + index))
                .map(|(_, event)| alerts::write(event));
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, kept);
            html
        };
        // Summaries are shown several to a page: their references keep no ids.
        let summary_html =
            |range: Range<usize>| footnotes::without_reference_ids(&to_html(range)).into_owned();
        let mut html = to_html(0..events.len());
        html.push_str(&notes.section(range_html));
        HtmlBody {
            summary_before_marker: cuts.marker.map(|cut| summary_html(0..cut)),
            first_paragraph: cuts.paragraph.map(summary_html),
            leading_heading_len: cuts.leading_heading_end.map_or(0, |end| to_html(0..end).len()),
            html: SharedText::from(html),
            first_heading,
            word_count: word_count.words,
            ideographic_count: word_count.ideographic,
            toc: nest_headings(headings),
            links: self.links,
            shortcodes: self.calls,
            warnings: self.warnings,
        }
    }

    /// A text with its emoji shortcodes and bare links written, when it has some: text,
    /// and each link as its opening tag (a marker, as Markdown links have), text and end.
    fn text_pieces(&mut self, text: &str, range: &Range<usize>) -> Option<Vec<Event<'static>>> {
        let links = if self.options.autolinks { autolinks::split(text) } else { None };
        let emoji = self.options.emoji;
        fn with_emoji(text: &str, emoji: bool) -> Cow<'_, str> {
            if emoji {
                emoji::replace(text)
            } else {
                Cow::Borrowed(text)
            }
        }
        let Some(pieces) = links else {
            return match with_emoji(text, emoji) {
                Cow::Owned(replaced) => Some(vec![Event::Text(replaced.into())]),
                Cow::Borrowed(_) => None,
            };
        };
        let mut events = Vec::with_capacity(pieces.len() * 3);
        for piece in pieces {
            match piece {
                Piece::Text(text) => events.push(Event::Text(with_emoji(text, emoji).into_owned().into())),
                Piece::Link { text, dest } => {
                    let mut html = String::from("<a href=\"");
                    if dest.starts_with("mailto:") {
                        let _ = pulldown_cmark_escape::escape_href(&mut html, &dest);
                        html.push('"');
                    } else {
                        let number = self.record_link(&dest, range, LinkKind::Link);
                        let _ = write!(html, "{LINK_MARKER}{number}{LINK_MARKER}\"");
                        html.push_str(&self.external_attributes());
                    }
                    html.push('>');
                    events.push(Event::InlineHtml(html.into()));
                    events.push(Event::Text(text.to_string().into()));
                    events.push(Event::End(TagEnd::Link));
                }
            }
        }
        Some(events)
    }

    /// A formula as MathML; one that cannot be converted is an error at its line, or with
    /// `math_errors = "warn"` a warning and its LaTeX shown as code.
    fn math(
        &mut self,
        latex: &str,
        display: MathDisplay,
        (line, column): (usize, usize),
        errors: &mut Vec<Error>,
    ) -> Event<'static> {
        let error = match math::to_mathml(latex, display) {
            Ok(mathml) => return Event::InlineHtml(mathml.into()),
            Err(error) => error,
        };
        let formula = latex.trim().replace('\n', " ");
        match self.options.math_errors {
            ConversionErrors::Error => {
                let line_in_text = line - self.source.first_line;
                errors.push(Error::Markdown {
                    location: location(self.source, line_in_text, column),
                    detail: format!("cannot convert the formula `{formula}` to MathML: {}", error.reason),
                    hint: Some(MATH_HINT.into()),
                });
            }
            ConversionErrors::Warn => self.warnings.push(format!(
                "{}:{line}: the formula `{formula}` is shown as LaTeX: {}",
                self.source.file.display(),
                error.reason
            )),
        }
        let mut html = String::from("<code class=\"math-error\">");
        let _ = pulldown_cmark_escape::escape_html_body_text(&mut html, latex.trim());
        html.push_str("</code>");
        Event::InlineHtml(html.into())
    }

    /// A ```` ```mermaid ```` fence as a figure holding its SVG; one that cannot be drawn is an
    /// error at its line, or with `diagram_errors = "warn"` a warning and its source shown as
    /// code. The SVG's ids come from the file, the source and its place on the page, so they
    /// differ between diagrams a list page shows together.
    fn diagram(&mut self, block: &CodeBlock, errors: &mut Vec<Error>) -> String {
        self.diagrams += 1;
        let seed = format!("{}\0{}\0{}", self.source.file.display(), self.diagrams, block.code);
        let id = format!("mermaid-{:016x}", xxhash_rust::xxh3::xxh3_64(seed.as_bytes()));
        let error = match diagrams::to_svg(&block.code, &id) {
            Ok(svg) => return format!("<figure class=\"diagram\">{svg}</figure>\n"),
            Err(error) => error,
        };
        match self.options.diagram_errors {
            ConversionErrors::Error => errors.push(Error::Markdown {
                location: location(self.source, block.line - self.source.first_line, 1),
                detail: format!("cannot draw the Mermaid diagram: {}", error.reason),
                hint: Some(DIAGRAM_HINT.into()),
            }),
            ConversionErrors::Warn => self.warnings.push(format!(
                "{}:{}: the Mermaid diagram is shown as code: {}",
                self.source.file.display(),
                block.line,
                error.reason
            )),
        }
        highlight::unhighlighted(&block.code, &block.info)
    }

    /// An image's `img` element: its marker for `src`, alt text and title, and after the
    /// page's first image `loading="lazy" decoding="async"` (the first is likely in view).
    /// An image without alt text is a warning: a screen reader has nothing to say for it.
    fn image_html(&mut self, img: &Image) -> String {
        let mut html = String::new();
        if self.options.responsive_images {
            // Where a `<picture>` and its sources open, if the model makes the image one.
            let _ = write!(html, "{LINK_MARKER}{}{PICTURE_SUFFIX}{LINK_MARKER}", img.number);
        }
        let _ = write!(html, "<img src=\"{LINK_MARKER}{}{LINK_MARKER}\" alt=\"", img.number);
        let _ = pulldown_cmark_escape::escape_html(&mut html, &img.alt);
        if !img.title.is_empty() {
            html.push_str("\" title=\"");
            let _ = pulldown_cmark_escape::escape_html(&mut html, &img.title);
        }
        html.push('"');
        // The image's size, written by the model once it knows which file the image is.
        let _ = write!(html, "{LINK_MARKER}{}{SIZE_SUFFIX}{LINK_MARKER}", img.number);
        if self.options.lazy_images && self.images > 0 {
            html.push_str(" loading=\"lazy\" decoding=\"async\"");
        }
        html.push_str(" />");
        if self.options.responsive_images {
            let _ = write!(html, "{LINK_MARKER}{}{PICTURE_END_SUFFIX}{LINK_MARKER}", img.number);
        }
        self.images += 1;
        if img.alt.trim().is_empty() {
            self.warnings.push(format!(
                "{}:{}: the image `{}` has no alt text; write what it shows in `![…](…)`, or mark it decorative with HTML `alt=\"\"`",
                self.source.file.display(),
                img.line,
                self.links[img.number].dest
            ));
        }
        html
    }

    fn record_link(&mut self, dest: &str, range: &Range<usize>, kind: LinkKind) -> usize {
        self.links.push(Link { dest: dest.to_string(), line: self.line(range.start), kind });
        self.links.len() - 1
    }

    fn external_attributes(&self) -> String {
        let mut rel = Vec::new();
        let mut attributes = String::new();
        if self.options.external_links_target_blank {
            attributes.push_str(" target=\"_blank\"");
            rel.push("noopener");
        }
        if self.options.external_links_no_follow {
            rel.push("nofollow");
        }
        if self.options.external_links_no_referrer {
            rel.push("noreferrer");
        }
        if !rel.is_empty() {
            let _ = write!(attributes, " rel=\"{}\"", rel.join(" "));
        }
        attributes
    }

    /// Adds the call that renders the link beside a heading and returns its placeholder.
    fn anchor_call(&mut self, id: &str, title: &str, level: u8, line: usize) -> String {
        let args = [
            ("id".to_string(), DataValue::String(id.to_string())),
            ("title".to_string(), DataValue::String(title.to_string())),
            ("level".to_string(), DataValue::Integer(i64::from(level))),
        ];
        self.calls.push(ShortcodeCall {
            name: "anchor-link".into(),
            template: ANCHOR_LINK_TEMPLATE.into(),
            args: args.into_iter().collect(),
            body: None,
            nth: 1 + self.calls.iter().filter(|c| c.name == "anchor-link").count(),
            line,
        });
        format!("{PLACEHOLDER_START}{}-->", self.calls.len() - 1)
    }
}

/// The parser's events with each run of texts joined into one text, when `merge` is on.
struct MergedText<'t, I: Iterator<Item = (Event<'t>, Range<usize>)>> {
    events: std::iter::Peekable<I>,
    merge: bool,
}

impl<'t, I: Iterator<Item = (Event<'t>, Range<usize>)>> Iterator for MergedText<'t, I> {
    type Item = (Event<'t>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        let (event, range) = self.events.next()?;
        let Event::Text(first) = event else { return Some((event, range)) };
        if !self.merge || !matches!(self.events.peek(), Some((Event::Text(_), _))) {
            return Some((Event::Text(first), range));
        }
        let (mut text, mut end) = (first.into_string(), range.end);
        while let Some((Event::Text(next), next_range)) =
            self.events.next_if(|(event, _)| matches!(event, Event::Text(_)))
        {
            text.push_str(&next);
            end = next_range.end;
        }
        Some((Event::Text(text.into()), range.start..end))
    }
}

/// The 1-based column of a byte offset in `text`, in characters.
fn column(text: &str, offset: usize) -> usize {
    let line_start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
    text[line_start..offset].chars().count() + 1
}

/// Shortcode arguments that are link destinations: they resolve and are checked like
/// Markdown links (`figure(src="diagram.svg")` beside a non-bundle post, `@/` paths).
const LINK_ARGUMENTS: &[(&str, LinkKind)] =
    &[("src", LinkKind::Image), ("href", LinkKind::Link), ("link", LinkKind::Link)];

/// Like [`fill_links`], without escaping: for shortcode arguments, which their template
/// escapes, and for markers that replace markers.
pub fn fill_links_raw(html: &str, urls: &[String]) -> String {
    let mut out = String::with_capacity(html.len());
    let mut parts = html.split(LINK_MARKER);
    out.push_str(parts.next().unwrap_or_default());
    while let (Some(number), Some(text)) = (parts.next(), parts.next()) {
        let suffix =
            number.chars().last().filter(|c| [SIZE_SUFFIX, PICTURE_SUFFIX, PICTURE_END_SUFFIX].contains(c));
        if let Some(suffix) = suffix {
            // An image's marker renumbered with its link: `\0{n}\0` becomes `\0{n}s\0`.
            let image = &number[..number.len() - 1];
            if let Some(url) = image.parse::<usize>().ok().and_then(|n| urls.get(n)) {
                out.push_str(url.strip_suffix(LINK_MARKER).unwrap_or(url));
                out.push(suffix);
                out.push(LINK_MARKER);
            }
        } else if let Some(url) = number.parse::<usize>().ok().and_then(|n| urls.get(n)) {
            out.push_str(url);
        }
        out.push_str(text);
    }
    out
}

/// Whether a destination leaves the site: `https://…`, `//host/…`.
pub fn is_external(dest: &str) -> bool {
    dest.starts_with("//") || dest.split_once("://").is_some_and(|(scheme, _)| is_scheme(scheme))
}

fn is_scheme(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// Nests flat headings: each takes the deeper ones after it as children.
fn nest_headings(headings: Vec<TocEntry>) -> Vec<TocEntry> {
    let mut root: Vec<TocEntry> = Vec::new();
    for entry in headings {
        let level = entry.level;
        let mut siblings = &mut root;
        while siblings.last().is_some_and(|last| last.level < level) {
            siblings = &mut siblings.last_mut().expect("checked above").children;
        }
        siblings.push(entry);
    }
    root
}

fn parser_options(options: &MarkdownConfig) -> Options {
    let mut flags = Options::ENABLE_HEADING_ATTRIBUTES;
    let switches = [
        (options.tables, Options::ENABLE_TABLES),
        (options.footnotes, Options::ENABLE_FOOTNOTES),
        (options.strikethrough, Options::ENABLE_STRIKETHROUGH),
        (options.tasklists, Options::ENABLE_TASKLISTS),
        (options.smart_punctuation, Options::ENABLE_SMART_PUNCTUATION),
        (options.math, Options::ENABLE_MATH),
        (options.alerts, Options::ENABLE_GFM),
        (options.definition_lists, Options::ENABLE_DEFINITION_LIST),
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

/// The HTML of a heading's inner events for a table of contents: inline formatting kept,
/// links unwrapped (a link inside the entry's link is not allowed), images and shortcode
/// placeholders left out.
fn toc_html(events: &[Event<'_>]) -> String {
    let kept = events.iter().filter(|event| match event {
        Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => false,
        Event::InlineHtml(html) => {
            let link_or_image = html.contains(LINK_MARKER);
            !(link_or_image || html.starts_with(PLACEHOLDER_START))
        }
        _ => true,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, kept.cloned());
    html.trim().to_string()
}

/// The line of a heading's source that holds its text: an ATX heading's only line, or a
/// setext heading's last line before its underline.
fn heading_content_line(source: &str) -> &str {
    let lines: Vec<&str> = source.trim_end().lines().collect();
    match lines.as_slice() {
        [.., text, _underline] if !lines[0].trim_start().starts_with('#') => text,
        [first, ..] => first,
        [] => "",
    }
}

/// The `{…}` that ends a heading line as pulldown-cmark finds it (no `{}<>\\` inside), with
/// the whitespace before it: the candidate attribute list.
fn trailing_braces(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_end();
    let inside = line.strip_suffix('}')?;
    let open = inside.rfind(['{', '}', '<', '>', '\\'])?;
    if !inside[open..].starts_with('{') {
        return None;
    }
    let before = &inside[..open];
    Some((&before[before.trim_end().len()..], &inside[open + 1..]))
}

/// Whether the inside of a heading's trailing braces is an attribute list: `#id`, `.class`
/// and `key=value` words, at least one. `std{in,out,err}` is not one, and stays text.
fn is_attribute_list(inner: &str) -> bool {
    let name = |text: &str| {
        !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
    };
    let key = |text: &str| {
        text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
    };
    let mut words = inner.split_ascii_whitespace().peekable();
    words.peek().is_some()
        && words.all(|word| {
            if let Some(id) = word.strip_prefix('#') {
                name(id)
            } else if let Some(class) = word.strip_prefix('.') {
                name(class) && !class.contains('.')
            } else if let Some((k, value)) = word.split_once('=') {
                key(k) && !value.is_empty()
            } else {
                false
            }
        })
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

/// Words in a text, and how many of them are Chinese or Japanese characters (see
/// [`count_words`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct WordCount {
    /// All words, each Chinese or Japanese character counted as one.
    words: usize,
    /// The Chinese and Japanese characters among them.
    ideographic: usize,
}

impl std::ops::AddAssign for WordCount {
    fn add_assign(&mut self, other: WordCount) {
        self.words += other.words;
        self.ideographic += other.ideographic;
    }
}

/// The words in `text`, as `text.split_whitespace().count()` counts them, except that each
/// Chinese or Japanese character (Han, kana) is a word of its own (issue 22): those languages
/// put no spaces between words, so a page of Chinese was one "word"; readers read them
/// character by character, and their reading time is counted so (`site::reading_time`).
/// Thai, Lao, Myanmar and Khmer, alphabets without spaces between words, count a word for
/// every [`LETTERS_PER_UNSPACED_WORD`] letters.
/// CJK punctuation (`。`, `、`, `「`) separates words, and punctuation right after such a
/// character is not a word.
///
/// Decoding every character was a twentieth of a clean build: ASCII text, nearly all of a
/// blog, is counted by bytes instead, a word starting at each non-space byte that follows a
/// space (or the start). Each pair of bytes is looked at on its own, which the compiler
/// vectorizes.
fn count_words(text: &str) -> WordCount {
    if !text.is_ascii() {
        // Chinese and Japanese are written at U+3000 and above, in three- and four-byte
        // characters whose first byte is 0xE3 or more; Thai, Lao, Myanmar and Khmer between
        // U+0800 and U+1FFF (first byte 0xE0 or 0xE1). Text without such a byte (accented
        // Latin, Cyrillic, Greek, curly quotes and dashes) is counted as split by whitespace.
        // Looked for in blocks, each folded whole, which the compiler vectorizes.
        let unspaced = |byte: &u8| u8::from(*byte >= 0xe3 || *byte & 0xfe == 0xe0);
        let mut blocks = text.as_bytes().chunks(256);
        if !blocks.any(|block| block.iter().map(unspaced).fold(0, |a, b| a | b) != 0) {
            return WordCount { words: text.split_whitespace().count(), ideographic: 0 };
        }
        return count_words_in_unicode(text);
    }
    // ASCII whitespace as `char::is_whitespace` has it: tab, line feed, vertical tab, form
    // feed, carriage return and space (`u8::is_ascii_whitespace` leaves out vertical tab).
    let is_space = |byte: u8| byte == b' ' || (b'\t'..=b'\r').contains(&byte);
    let bytes = text.as_bytes();
    let first = bytes.first().map_or(0, |&byte| usize::from(!is_space(byte)));
    let (before, after) = (bytes, &bytes[1.min(bytes.len())..]);
    // Summed in bytes, 128 pairs at a time so that a sum cannot overflow.
    let after_space = before.chunks(128).zip(after.chunks(128)).map(|(before, after)| {
        let starts = before.iter().zip(after).map(|(&a, &b)| u8::from(is_space(a) & !is_space(b)));
        usize::from(starts.fold(0u8, u8::wrapping_add))
    });
    WordCount { words: first + after_space.sum::<usize>(), ideographic: 0 }
}

/// [`count_words`] for text that is not all ASCII.
fn count_words_in_unicode(text: &str) -> WordCount {
    let mut count = WordCount::default();
    // Inside a word of spaced text; just after a CJK character or punctuation mark.
    let (mut in_word, mut after_cjk) = (false, false);
    // Letters of a script written without spaces between words, not yet counted.
    let mut unspaced_run: usize = 0;
    for c in text.chars() {
        if !c.is_ascii() && is_unspaced_alphabetic(c) {
            unspaced_run += 1;
            (in_word, after_cjk) = (false, false);
            continue;
        }
        count.words += unspaced_run.div_ceil(LETTERS_PER_UNSPACED_WORD);
        unspaced_run = 0;
        if c.is_ascii() {
            if c.is_ascii_whitespace() || c == '\x0b' {
                (in_word, after_cjk) = (false, false);
            } else if !in_word && (!after_cjk || c.is_ascii_alphanumeric()) {
                count.words += 1;
                (in_word, after_cjk) = (true, false);
            }
        } else if is_ideographic(c) {
            count.words += 1;
            count.ideographic += 1;
            (in_word, after_cjk) = (false, true);
        } else if c.is_whitespace() {
            (in_word, after_cjk) = (false, false);
        } else if is_cjk_punctuation(c) {
            (in_word, after_cjk) = (false, true);
        } else if !in_word && (!after_cjk || c.is_alphanumeric()) {
            count.words += 1;
            (in_word, after_cjk) = (true, false);
        }
    }
    count.words += unspaced_run.div_ceil(LETTERS_PER_UNSPACED_WORD);
    count
}

/// Letters to a word in Thai, Lao, Myanmar and Khmer, which are alphabets written without
/// spaces between words (a space ends a phrase or a sentence): Thai words average three to
/// four characters. Telling the words apart needs a dictionary; this estimate is enough for a
/// word count and a reading time.
const LETTERS_PER_UNSPACED_WORD: usize = 4;

/// Whether `c` is a letter (or mark) of Thai, Lao, Myanmar or Khmer.
fn is_unspaced_alphabetic(c: char) -> bool {
    matches!(c, '\u{0e00}'..='\u{0eff}' | '\u{1000}'..='\u{109f}' | '\u{1780}'..='\u{17ff}')
}

/// Whether `c` is read as a word of its own: a Han character (Chinese, Japanese kanji) or
/// Japanese kana. Korean is written with spaces between words, so Hangul is not.
fn is_ideographic(c: char) -> bool {
    matches!(c,
        '\u{3005}'..='\u{3007}' // 々 〆 〇
        | '\u{3040}'..='\u{30ff}' // hiragana, katakana
        | '\u{31f0}'..='\u{31ff}' // katakana phonetic extensions
        | '\u{3400}'..='\u{4dbf}' // CJK extension A
        | '\u{4e00}'..='\u{9fff}' // CJK unified ideographs
        | '\u{f900}'..='\u{faff}' // CJK compatibility ideographs
        | '\u{ff66}'..='\u{ff9d}' // halfwidth katakana
        | '\u{20000}'..='\u{3134f}' // CJK extensions B to G
    ) && !matches!(c, '\u{30fb}') // ・, a separator
}

/// Whether `c` is CJK punctuation (`。`, `、`, `「`, `・`, fullwidth `！`), which separates words.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303f}'
        | '\u{30fb}'
        | '\u{fe30}'..='\u{fe4f}'
        | '\u{ff01}'..='\u{ff0f}'
        | '\u{ff1a}'..='\u{ff20}'
        | '\u{ff3b}'..='\u{ff40}'
        | '\u{ff5b}'..='\u{ff65}'
    )
}

fn heading_fallback(level: HeadingLevel) -> String {
    format!("section-{}", level as usize)
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        let texts = [
            "",
            " ",
            "one",
            " one ",
            "one two  three",
            "a\tb\nc\x0bd\x0ce\rf",
            "\x0b\x0b",
            "tail ",
            "caf\u{e9} au lait",
            "no\u{a0}break",
            "em\u{2003}space",
            "\u{3000}ideographic\u{3000}",
        ];
        // Long enough to be summed in several parts, with words across their borders.
        let long: String = (0..400)
            .map(|n| {
                if n % 7 == 0 {
                    "ab\t"
                } else if n % 3 == 0 {
                    " "
                } else {
                    "xyz"
                }
            })
            .collect();
        for text in texts.iter().copied().chain([long.as_str(), &long[1..], &long[..255]]) {
            assert_eq!(count_words(text).words, text.split_whitespace().count(), "{text:?}");
        }
    }

    #[test]
    fn issue_22_chinese_and_japanese_characters_are_words_of_their_own() {
        let count = |text: &str| {
            let c = count_words(text);
            (c.words, c.ideographic)
        };
        assert_eq!(count(&"中文字符".repeat(1500)), (6000, 6000));
        assert_eq!(count("Rust是由 Mozilla 主導開發的通用、編譯型程式語言。"), (18, 16));
        assert_eq!(count("日本語の文章です。「引用」も、カタカナ・ひらがなも。"), (20, 20));
        assert_eq!(count("中文“引号”和…省略"), (7, 7), "punctuation after a character is no word");
        assert_eq!(count("한국어는 띄어쓰기를 합니다"), (3, 0), "Korean has spaces");
        assert_eq!(count("café au lait — vraiment"), (5, 0));
        // 41 Thai letters in two phrases: 8 + 3 words by the estimate, not 2 (a dictionary
        // finds 11 too: ภาษา ไทย เขียน ติด กัน โดย ไม่ เว้น วรรค, ระหว่าง คำ).
        assert_eq!(count("ภาษาไทยเขียนติดกันโดยไม่เว้นวรรค ระหว่างคำ"), (11, 0));
        assert_eq!(count("Tiếng Việt có dấu cách"), (5, 0), "Vietnamese is spaced");
    }

    use super::*;

    fn md(text: &str) -> HtmlBody {
        md_with(text, &MarkdownConfig::default())
    }

    fn md_with(text: &str, options: &MarkdownConfig) -> HtmlBody {
        let source = Source { file: Path::new("a.md"), text, first_line: 1, shortcodes: Shortcodes::Extract };
        render(&source, options).unwrap()
    }

    #[test]
    fn headings_get_unique_ids() {
        let html = md("# Intro\n\n## Intro\n\n## Intro\n").html;
        assert!(html.contains(r#"<h1 id="intro">"#), "{html}");
        assert!(html.contains(r#"<h2 id="intro-1">"#), "{html}");
        assert!(html.contains(r#"<h2 id="intro-2">"#), "{html}");
    }

    #[test]
    fn issue_22_headings_with_inline_formatting_get_ids() {
        let r = md("## What is *address space*?\n\n### [Build-std](https://x)\n\n### `code` here\n\n\
                    ### ~~gone~~ now\n\n### Emoji 🎉 party\n\n## **Bold** and _em_\n");
        assert_eq!(
            r.heading_ids(),
            ["what-is-address-space", "build-std", "code-here", "gone-now", "emoji-party", "bold-and-em"]
        );
        assert!(
            r.html.contains("<h2 id=\"what-is-address-space\">What is <em>address space</em>?</h2>"),
            "{}",
            r.html
        );
        let titles: Vec<&str> = r
            .toc
            .iter()
            .flat_map(|e| [&e.title].into_iter().chain(e.children.iter().map(|c| &c.title)))
            .map(String::as_str)
            .collect();
        assert_eq!(titles[..2], ["What is address space?", "Build-std"]);
    }

    #[test]
    fn issue_22_toc_entries_keep_inline_formatting_without_links() {
        let r = md("## What is *address space*?\n\n## [Build-std](https://x) `-Z` ~~old~~ ![i](i.png)\n");
        let html: Vec<&str> = r.toc.iter().map(|e| e.html.as_str()).collect();
        assert_eq!(html, ["What is <em>address space</em>?", "Build-std <code>-Z</code> <del>old</del>"]);
    }

    #[test]
    fn issue_22_braces_that_are_not_attributes_stay_in_the_heading() {
        let r = md("### std{in,out,err}\n\n## Sets {a, b}\n\n## Empty {}\n\nSetext {x y}\n---\n");
        assert!(r.html.contains("<h3 id=\"std-in-out-err\">std{in,out,err}</h3>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"sets-a-b\">Sets {a, b}</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"empty\">Empty {}</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"setext-x-y\">Setext {x y}</h2>"), "{}", r.html);
        assert_eq!(r.toc[0].title, "std{in,out,err}");
    }

    #[test]
    fn issue_22_valid_attribute_lists_still_apply_to_headings() {
        let r = md("## Real {#real .cls data-x=1}\n\n## Class only {.wide}\n\nSetext {#s}\n===\n");
        assert!(r.html.contains("<h2 id=\"real\" class=\"cls\" data-x=\"1\">Real</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"class-only\" class=\"wide\">Class only</h2>"), "{}", r.html);
        assert!(r.html.contains("<h1 id=\"s\">Setext</h1>"), "{}", r.html);
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
    fn issue_22_footnotes_go_to_the_end_with_links_back() {
        let r = md("One[^a] and two[^b] and one again[^a].\n\n[^b]: Bee.\n\n## Later\n\nText.\n\n\
                    [^a]: Ay, a longer note\n    that wraps.\n");
        let html = r.html.to_string();
        assert!(
            html.starts_with(
                "<p>One<sup class=\"footnote-reference\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup> and two\
                 <sup class=\"footnote-reference\" id=\"fnref-2\"><a href=\"#fn-2\">2</a></sup> and one again\
                 <sup class=\"footnote-reference\" id=\"fnref-1-2\"><a href=\"#fn-1\">1</a></sup>.</p>\n\
                 <h2 id=\"later\">Later</h2>\n<p>Text.</p>\n<footer class=\"footnotes\">\n<ol>\n<li id=\"fn-1\">\n"
            ),
            "{html}"
        );
        assert!(
            html.contains(
                "<p>Ay, a longer note\nthat wraps. <a href=\"#fnref-1\" class=\"footnote-backref\""
            ),
            "{html}"
        );
        assert!(html.contains("↩\u{fe0e}<sup>2</sup></a></p>\n</li>\n<li id=\"fn-2\">\n<p>Bee."), "{html}");
        assert!(html.ends_with("</li>\n</ol>\n</footer>\n"), "{html}");
        assert!(!html.contains("footnote-definition"), "{html}");
        assert_eq!(r.first_paragraph.as_deref().map(|p| p.contains("id=\"fnref")), Some(false));
    }

    #[test]
    fn issue_22_unreferenced_notes_follow_and_undefined_references_stay_text() {
        let html = md("See[^x] and [^missing].\n\n[^lonely]: Alone.\n\n[^x]: Ex.\n").html.to_string();
        assert!(html.contains("[^missing]"), "{html}");
        let ex = html.find("<li id=\"fn-1\">\n<p>Ex.").expect("the referenced note first");
        let alone = html.find("<li id=\"fn-2\">\n<p>Alone.</p>").expect("then the other");
        assert!(ex < alone, "{html}");
    }

    #[test]
    fn smart_punctuation_and_raw_html() {
        let html = md("\"Quoted\" -- yes\n\n<div class=\"x\">raw</div>\n").html;
        assert!(html.contains("“Quoted”"), "{html}");
        assert!(html.contains("<div class=\"x\">raw</div>"));
    }

    #[test]
    fn issue_22_smart_punctuation_of_plain_text_matches_the_body() {
        for text in [
            "Robin's Notebook",
            "\"Quoted\" -- and --- more...",
            "'Tis the season",
            "It's 'single' and \"double\"",
            "- a list? no",
            "1. not a list",
            "# not a heading",
            "rock 'n' roll",
        ] {
            let body = md(text).html;
            let expected = body.strip_prefix("<p>").and_then(|b| b.strip_suffix("</p>\n"));
            let expected = match expected {
                Some(paragraph) => paragraph.to_string(),
                None => md(&format!("x {text}"))
                    .html
                    .trim_start_matches("<p>x ")
                    .trim_end_matches("</p>\n")
                    .to_string(),
            };
            assert_eq!(smart_punctuation(text), expected, "{text}");
        }
        assert_eq!(smart_punctuation("Robin's Notebook"), "Robin’s Notebook");
    }

    #[test]
    fn issue_22_smart_punctuation_reads_nothing_else_as_markdown() {
        for text in ["*not em* `code` [x](y) <b>&amp;\\", "  spaced  ", "", "a\n\nb", "no candidates"] {
            assert_eq!(smart_punctuation(text), text, "{text}");
        }
        let markdown = "*not em* `code` [x](y) <b>&amp;\\ \\* _a_ ~~b~~ {c} it's";
        assert_eq!(smart_punctuation(markdown), markdown.replace('\'', "’"));
        assert_eq!(smart_punctuation("A folded \"title\"\n"), "A folded “title”\n");
        assert_eq!(smart_punctuation("- dash -- start"), "- dash – start");
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

    #[test]
    fn links_are_markers_recorded_with_their_file_line() {
        let source = Source {
            file: Path::new("a.md"),
            text: "Text.\n\nSee [b](@/b.md#x) and ![i](i.png \"T\").\n",
            first_line: 4,
            shortcodes: Shortcodes::Extract,
        };
        let r = render(&source, &MarkdownConfig::default()).unwrap();
        assert_eq!(r.links.len(), 2);
        assert_eq!((r.links[0].dest.as_str(), r.links[0].line), ("@/b.md#x", 6));
        assert_eq!(r.links[1].kind, LinkKind::Image);
        let html = fill_links(&r.html, &["/b/#x".into(), "/i.png".into()]);
        assert!(
            html.contains(r#"<a href="/b/#x">b</a> and <img src="/i.png" alt="i" title="T" />"#),
            "{html}"
        );
    }

    #[test]
    fn toc_nests_by_level_and_skips_levels_gracefully() {
        let r = md("# A\n\n### B\n\n## C\n\n# D\n");
        let shape: Vec<(u8, usize)> = r.toc.iter().map(|e| (e.level, e.children.len())).collect();
        assert_eq!(shape, [(1, 2), (1, 0)]);
        assert_eq!(r.heading_ids(), ["a", "b", "c", "d"]);
    }

    #[test]
    fn code_blocks_are_highlighted_and_counted() {
        let r = md("```rust\nfn main() {}\n```\n");
        assert!(
            r.html.starts_with("<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"rust\">"),
            "{}",
            r.html
        );
        assert_eq!(r.word_count, 3);
        let off = MarkdownConfig { highlight_code: false, ..MarkdownConfig::default() };
        assert!(md_with("```rust\nfn main() {}\n```\n", &off)
            .html
            .starts_with("<pre tabindex=\"0\"><code class=\"language-rust\">"));
    }

    /// axe's `scrollable-region-focusable`: a code block that scrolls sideways must be
    /// reachable by keyboard, and whether it scrolls depends on the reader's screen.
    #[test]
    fn issue_22_code_blocks_are_reachable_by_keyboard() {
        let on = md("```rust\nfn main() {}\n```\n\n    indented\n\n```\nplain\n```\n");
        assert_eq!(on.html.matches("<pre ").count(), 3, "{}", on.html);
        assert_eq!(on.html.matches(" tabindex=\"0\"").count(), 3, "{}", on.html);
        let off = MarkdownConfig { highlight_code: false, ..MarkdownConfig::default() };
        let text = "```rust,linenos\nlet a = 1 < 2;\n```\n\n    indented\n\n```\nplain\n```\n";
        let html = md_with(text, &off).html;
        assert!(
            html.starts_with(
                "<pre tabindex=\"0\"><code class=\"language-rust,linenos\">let a = 1 &lt; 2;\n</code></pre>\n"
            ),
            "{html}"
        );
        assert!(html.contains("<pre tabindex=\"0\"><code>indented\n</code></pre>\n"), "{html}");
        assert!(html.contains("<pre tabindex=\"0\"><code>plain\n</code></pre>\n"), "{html}");
        let attributes =
            crate::parse::kramdown::rewrite_attributes("```\nx\n```\n{: .wide #w}\n").into_owned();
        let html = md_with(&attributes, &off).html;
        assert!(html.starts_with("<pre id=\"w\" class=\"wide\" tabindex=\"0\"><code>x\n"), "{html}");
    }

    #[test]
    fn a_bad_code_block_option_names_the_fence_line() {
        let source = Source {
            file: Path::new("a.md"),
            text: "x\n\n```rust,hl_lines=a\nx\n```\n",
            first_line: 5,
            shortcodes: Shortcodes::Extract,
        };
        let error = render(&source, &MarkdownConfig::default()).unwrap_err();
        assert!(error.report().contains("a.md:7"), "{}", error.report());
    }

    #[test]
    fn headings_in_a_shortcode_body_get_no_anchor_call() {
        let options = MarkdownConfig { heading_anchors: true, ..MarkdownConfig::default() };
        let r = md_with("## Top\n\n{% note() %}\n## Inside\n{% end %}\n", &options);
        let names: Vec<&str> = r.shortcodes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["note", "anchor-link"]);
        let body = r.shortcodes[0].body.as_deref().unwrap();
        assert!(!body.contains(PLACEHOLDER_START), "{body}");
    }

    fn with_math() -> MarkdownConfig {
        MarkdownConfig { math: true, definition_lists: true, ..MarkdownConfig::default() }
    }

    #[test]
    fn issue_23_dollars_as_currency_stay_text() {
        for text in
            ["It costs $5 and $10.", "From $5 to $ 10$.", "Prices: $5-$10.", "Between $5 and $6.", "$ x $"]
        {
            let html = md_with(text, &with_math()).html;
            assert!(!html.contains("<math"), "{text}: {html}");
        }
        let html = md_with("Unbalanced $x and more", &with_math()).html;
        assert_eq!(&*html, "<p>Unbalanced $x and more</p>\n");
    }

    #[test]
    fn issue_23_math_is_mathml_and_never_inside_code() {
        let r = md_with("Inline $x^2$.\n\n$$\n\\{a\\}\n$$\n\n`$y$`\n\n```\n$z$\n```\n", &with_math());
        assert!(r.html.contains("<p>Inline <math display=\"inline\">"), "{}", r.html);
        assert!(r.html.contains("<math display=\"block\">"), "{}", r.html);
        assert!(r.html.contains("<code>$y$</code>"), "{}", r.html);
        assert!(r.html.contains("$z$"), "{}", r.html);
        assert!(!md("Inline $x^2$.").html.contains("<math"), "math is off by default");
    }

    #[test]
    fn issue_23_a_bad_formula_is_an_error_at_its_line_and_column() {
        let source = Source {
            file: Path::new("a.md"),
            text: "x\n\nSee $\\nocommand{a}$ here.\n",
            first_line: 4,
            shortcodes: Shortcodes::Extract,
        };
        let report = render(&source, &with_math()).unwrap_err().report();
        assert!(report.contains("a.md:6:5"), "{report}");
        assert!(report.contains("`\\nocommand{a}`"), "{report}");
        let warn = MarkdownConfig { math_errors: ConversionErrors::Warn, ..with_math() };
        let r = render(&source, &warn).unwrap();
        assert!(r.html.contains("<code class=\"math-error\">\\nocommand{a}</code>"), "{}", r.html);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].starts_with("a.md:6: the formula `\\nocommand{a}`"), "{:?}", r.warnings);
    }

    #[test]
    fn issue_23_alerts_are_titled_notes_and_unknown_kinds_plain_quotes() {
        let html = md("> [!TIP]\n> Try *this*.\n\n> [!NOPE]\n> Plain.\n").html;
        assert_eq!(
            &*html,
            "<div class=\"markdown-alert markdown-alert-tip\" role=\"note\">\n<p class=\"markdown-alert-title\">Tip</p>\n\
             <p>Try <em>this</em>.</p>\n</div>\n<blockquote>\n<p>[!NOPE]\nPlain.</p>\n</blockquote>\n"
        );
        let off = MarkdownConfig { alerts: false, ..MarkdownConfig::default() };
        assert!(md_with("> [!TIP]\n> x\n", &off).html.starts_with("<blockquote>"));
    }

    #[test]
    fn issue_23_definition_lists_when_on() {
        let text = "Term\n: Definition.\n";
        assert_eq!(&*md_with(text, &with_math()).html, "<dl>\n<dt>Term</dt>\n<dd>Definition.</dd>\n</dl>\n");
        assert_eq!(&*md(text).html, "<p>Term\n: Definition.</p>\n");
    }

    #[test]
    fn issue_23_images_after_the_first_are_lazy_and_missing_alt_text_is_a_warning() {
        let r = md("![A cat](a.png)\n\n![](b.png)\n");
        let html = fill_links(&r.html, &["a.png".into(), "b.png".into()]);
        assert!(html.contains("<img src=\"a.png\" alt=\"A cat\" />"), "{html}");
        assert!(
            html.contains("<img src=\"b.png\" alt=\"\" loading=\"lazy\" decoding=\"async\" />"),
            "{html}"
        );
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].starts_with("a.md:3: the image `b.png` has no alt text"), "{:?}", r.warnings);
    }

    #[test]
    fn issue_23_bare_urls_are_links_outside_code_and_links() {
        let on =
            MarkdownConfig { autolinks: true, external_links_no_follow: true, ..MarkdownConfig::default() };
        let text = "See https://example.com/a_b_c. And `https://in.code` or [https://x.org](https://y.org) \
                    or <a href=\"/z\">www.z.org</a>.\n\n```\nhttps://in.block\n```\n\nMail me@example.org\n";
        let r = md_with(text, &on);
        assert_eq!(r.links.len(), 2, "{:?}", r.links);
        assert_eq!(r.links[0].dest, "https://example.com/a_b_c");
        let html = fill_links(&r.html, &r.links_as_written());
        assert!(
            html.contains("<p>See <a href=\"https://example.com/a_b_c\" rel=\"nofollow\">https://example.com/a_b_c</a>. And"),
            "{html}"
        );
        assert!(html.contains("<code>https://in.code</code>"), "{html}");
        assert!(html.contains("<a href=\"https://y.org\" rel=\"nofollow\">https://x.org</a>"), "{html}");
        assert!(html.contains("<a href=\"/z\">www.z.org</a>"), "{html}");
        assert!(html.contains("https://in.block\n</code>"), "{html}");
        assert!(html.contains("Mail <a href=\"mailto:me@example.org\">me@example.org</a>"), "{html}");
        assert!(!md(text).html.contains("a_b_c\" "), "off by default");
    }

    #[test]
    fn issue_23_emoji_shortcodes_outside_code() {
        let on = MarkdownConfig { emoji: true, ..MarkdownConfig::default() };
        let r = md_with("# Launch :rocket:\n\nShip it :tada: at 12:30:00, not `:tada:`.\n", &on);
        assert!(r.html.contains("<p>Ship it 🎉 at 12:30:00, not <code>:tada:</code>.</p>"), "{}", r.html);
        assert_eq!(r.toc[0].title, "Launch 🚀");
        assert!(md("Ship it :tada:").html.contains(":tada:"), "off by default");
    }

    #[test]
    fn kramdown_block_attributes_apply_to_their_block() {
        let text = crate::parse::kramdown::rewrite_attributes(
            "Para.\n{: .note #n}\n\n* a\n* b\n{: .list}\n\n> quote\n{: .q}\n\n```rust\nfn x() {}\n```\n{: .wide}\n\n{: .lead}\nLead [link](/x/).\n\n## Title\n{: #t}\n\n1. one\n   {: .item}\n",
        )
        .into_owned();
        let r = md(&text);
        for expected in [
            "<p id=\"n\" class=\"note\">Para.</p>",
            "<ul class=\"list\">\n<li>a</li>",
            "<blockquote class=\"q\">\n<p>quote</p>",
            "<pre class=\"hl-code wide\" tabindex=\"0\" data-lang=\"rust\">",
            "<p class=\"lead\">Lead <a href=",
            "<h2 id=\"t\">Title</h2>",
            "<li>one</li>",
        ] {
            assert!(r.html.contains(expected), "{expected} missing:\n{}", r.html);
        }
        assert!(!r.html.contains("quire-attributes") && !r.html.contains("{:"), "{}", r.html);
        assert_eq!(r.first_paragraph.as_deref(), Some("<p id=\"n\" class=\"note\">Para.</p>\n"));
        assert_eq!(r.heading_ids(), ["t"]);
    }
}
