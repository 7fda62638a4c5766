//! Mermaid diagrams to SVG, at build time, with merman (a Rust port of Mermaid checked
//! against Mermaid's own output): a ```` ```mermaid ```` fence becomes an inline `<svg>`, so a
//! page with a diagram loads no script for it and a page without one pays nothing.
//!
//! This module draws one diagram; it does not find fences or decide what an error does to the
//! build (`markdown` does both).

/// Why a diagram could not be drawn, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawDiagramError {
    /// What merman reported (`Diagram parse error (sequence): Unexpected character at 41`).
    pub reason: String,
}

/// The language of a fence that holds a diagram.
pub const DIAGRAM_LANGUAGE: &str = "mermaid";

/// The SVG of a Mermaid diagram. `id` prefixes the ids inside it (its arrow markers and
/// styles refer to them), so two diagrams on one page, or two posts' diagrams on one list
/// page, must be given different ids.
///
/// # Errors
/// [`DrawDiagramError`] for source merman cannot read or that names no diagram type.
#[cfg(feature = "diagrams")]
pub fn to_svg(source: &str, id: &str) -> Result<String, DrawDiagramError> {
    use merman::{OperationControl, RenderOutput, RenderRequest, Renderer, SvgRequest};
    let request = SvgRequest {
        options: merman::svg::SvgRenderOptions {
            diagram_id: Some(merman::svg::sanitize_svg_id(id)),
            ..Default::default()
        },
        ..Default::default()
    };
    let rendered = Renderer::new().render(RenderRequest::svg(source, OperationControl::new(), request));
    match rendered {
        Ok(RenderOutput::Svg(Some(svg))) => Ok(valid_attributes(&phrasing_labels(&scope_ids(svg.svg(), id)))),
        Ok(_) => Err(DrawDiagramError { reason: "no Mermaid diagram type at its start".into() }),
        Err(error) => Err(DrawDiagramError { reason: first_line(&error.to_string()) }),
    }
}

/// Without the `diagrams` feature, no diagram can be drawn; the fence is shown as code.
#[cfg(not(feature = "diagrams"))]
pub fn to_svg(_source: &str, _id: &str) -> Result<String, DrawDiagramError> {
    Err(DrawDiagramError { reason: "this quire was built without the `diagrams` feature".into() })
}

/// `svg` with every element id that merman left unprefixed (a sequence diagram's `actor0`,
/// `root-0`) prefixed with the diagram's `id`, and the `#…` references to them with it: two
/// diagrams on one page must not share an id, and an id must not clash with a heading's.
#[cfg_attr(not(feature = "diagrams"), allow(dead_code))]
fn scope_ids(svg: &str, id: &str) -> String {
    const ATTRIBUTE: &str = " id=\"";
    let mut unscoped = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find(ATTRIBUTE) {
        let value_start = at + ATTRIBUTE.len();
        let Some(length) = rest[value_start..].find('"') else { break };
        let value = &rest[value_start..value_start + length];
        if !value.starts_with(id) {
            unscoped.push(value.to_string());
        }
        rest = &rest[value_start + length..];
    }
    let mut scoped = svg.to_string();
    for value in unscoped {
        for (from, to) in [(" id=\"", "\""), ("href=\"#", "\""), ("url(#", ")")] {
            scoped = scoped.replace(&format!("{from}{value}{to}"), &format!("{from}{id}-{value}{to}"));
        }
    }
    scoped
}

/// `svg` with the `<p>` of Mermaid's HTML labels written as block `<span>`s: the labels sit in
/// `<span>`s, where HTML allows no `<p>`, and the page must stay valid. Merman sized the
/// labels itself, so the browser's layout of them is unchanged.
#[cfg_attr(not(feature = "diagrams"), allow(dead_code))]
fn phrasing_labels(svg: &str) -> String {
    svg.replace("<p>", "<span class=\"diagram-line\">").replace("</p>", "</span>")
}

/// Attributes merman writes where SVG has none (a sequence actor's `name`, a class diagram's
/// `x1` on a `path`, a state's `width` on a `circle`): browsers ignore them, the HTML checker
/// rejects them. Nothing refers to them.
const STRAY_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("circle", &["width", "height", "overflow", "name"]),
    ("g", &["x", "y", "dy", "title", "name"]),
    ("line", &["name"]),
    ("path", &["x1", "y1", "x2", "y2", "viewBox", "name"]),
    ("rect", &["name"]),
    ("text", &["name"]),
];

/// `svg` with its start tags cleaned for an HTML page: the [`STRAY_ATTRIBUTES`] dropped, and
/// an id already used earlier in the diagram dropped from the later element (merman repeats a
/// few, such as an actor figure's parts; a reference finds the first either way).
#[cfg_attr(not(feature = "diagrams"), allow(dead_code))]
fn valid_attributes(svg: &str) -> String {
    let mut cleaned = String::with_capacity(svg.len());
    let mut ids = std::collections::HashSet::new();
    let mut rest = svg;
    while let Some(at) = rest.find('<') {
        cleaned.push_str(&rest[..at]);
        rest = &rest[at..];
        let name_length = rest[1..].find(|c: char| !c.is_ascii_alphanumeric()).map_or(0, |n| n);
        let Some(tag_length) = start_tag_length(rest).filter(|_| name_length > 0) else {
            cleaned.push('<');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..1 + name_length];
        let stray = STRAY_ATTRIBUTES.iter().find(|(element, _)| *element == name).map_or(&[][..], |(_, a)| a);
        cleaned.push('<');
        cleaned.push_str(name);
        for (attribute, value) in attributes(&rest[1 + name_length..tag_length]) {
            // A node's id carries its label (`classId-Animal Class!-0`): an id must be an
            // XML name in SVG.
            let value = if attribute == "id" { xml_name(value) } else { value.into() };
            let duplicate_id = attribute == "id" && !ids.insert(value.to_string());
            // `start` is no value of dominant-baseline (architecture diagrams write it).
            let bad_value = attribute == "dominant-baseline" && value == "start";
            if !stray.contains(&attribute) && !duplicate_id && !bad_value {
                cleaned.push(' ');
                cleaned.push_str(attribute);
                cleaned.push_str("=\"");
                cleaned.push_str(&value);
                cleaned.push('"');
            }
        }
        cleaned.push_str(if rest[..tag_length].ends_with("/>") { "/>" } else { ">" });
        rest = &rest[tag_length..];
    }
    cleaned.push_str(rest);
    cleaned
}

/// `id` with each character an XML name cannot hold (a space, `*`, `!`, an emoji) as `_`.
fn xml_name(id: &str) -> std::borrow::Cow<'_, str> {
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
    if id.chars().all(allowed) {
        return id.into();
    }
    id.chars().map(|c| if allowed(c) { c } else { '_' }).collect::<String>().into()
}

/// The length of the start tag `text` begins with, up to and including its `>`, reading
/// quoted values whole; `None` for an end tag, a comment or a tag that does not close.
fn start_tag_length(text: &str) -> Option<usize> {
    if !text[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut quote = None;
    for (at, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(at + 1),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// The `name="value"` pairs of a start tag's attribute text (merman quotes every value with
/// `"`; an attribute without one is dropped).
fn attributes(text: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(equals) = rest.find("=\"") {
        // A valueless attribute before it (`<x hidden y="1">`) is not part of the name.
        let name = rest[..equals].split_whitespace().last().unwrap_or_default().trim_start_matches('/');
        let value_start = equals + 2;
        let Some(length) = rest[value_start..].find('"') else { break };
        if !name.is_empty() {
            found.push((name, &rest[value_start..value_start + length]));
        }
        rest = &rest[value_start + length + 1..];
    }
    found
}

/// The first line of a message.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().trim().to_string()
}

#[cfg(all(test, feature = "diagrams"))]
mod tests {
    use super::*;

    #[test]
    fn a_flowchart_is_svg_with_its_labels_and_ids_prefixed() {
        let svg = to_svg("flowchart LR\n  Write --> Publish\n", "d1").unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("Write") && svg.contains("Publish"), "{svg}");
        assert!(svg.contains("d1"), "ids carry the prefix: {svg}");
        let other = to_svg("flowchart LR\n  Write --> Publish\n", "d2").unwrap();
        assert_ne!(svg, other);
    }

    #[test]
    fn ids_merman_leaves_bare_get_the_diagram_prefix() {
        let svg = "<svg id=\"d1\"><line id=\"actor0\" data-id=\"Site\"/><use href=\"#actor0\"/></svg>";
        let scoped = scope_ids(svg, "d1");
        assert_eq!(
            scoped,
            "<svg id=\"d1\"><line id=\"d1-actor0\" data-id=\"Site\"/><use href=\"#d1-actor0\"/></svg>"
        );
        let drawn = to_svg("sequenceDiagram\n  A->>B: hi\n", "d7").unwrap();
        for (at, _) in drawn.match_indices(" id=\"") {
            assert!(drawn[at + 5..].starts_with("d7"), "{}", &drawn[at..at + 30]);
        }
    }

    #[test]
    fn shapes_carry_no_name_attribute() {
        assert_eq!(
            valid_attributes(
                "<rect name=\"A B\" x=\"1\"/><path x1=\"2\" d=\"M0 0\"></path><text>a &lt; b</text>"
            ),
            "<rect x=\"1\"/><path d=\"M0 0\"></path><text>a &lt; b</text>"
        );
        assert_eq!(valid_attributes("<g id=\"a\"><g id=\"a\" class=\"c\">"), "<g id=\"a\"><g class=\"c\">");
        assert_eq!(valid_attributes("<g id=\"d-Car Class!\">"), "<g id=\"d-Car_Class_\">");
        let drawn = to_svg("sequenceDiagram\n  participant Author\n  Author->>Site: build\n", "d4").unwrap();
        assert!(!drawn.contains(" name=\""), "{drawn}");
    }

    #[test]
    fn labels_hold_no_paragraphs() {
        let drawn = to_svg("flowchart LR\n  A[One] -->|yes| B[Two]\n", "d3").unwrap();
        assert!(
            !drawn.contains("<p>") && drawn.contains("<span class=\"diagram-line\">One</span>"),
            "{drawn}"
        );
    }

    #[test]
    fn source_that_is_no_diagram_is_an_error_with_a_reason() {
        let error = to_svg("this is not mermaid", "d1").unwrap_err();
        assert!(!error.reason.is_empty());
        assert!(!error.reason.contains('\n'));
    }
}
