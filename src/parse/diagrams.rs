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
        Ok(RenderOutput::Svg(Some(svg))) => Ok(scope_ids(svg.svg(), id)),
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
    fn source_that_is_no_diagram_is_an_error_with_a_reason() {
        let error = to_svg("this is not mermaid", "d1").unwrap_err();
        assert!(!error.reason.is_empty());
        assert!(!error.reason.contains('\n'));
    }
}
