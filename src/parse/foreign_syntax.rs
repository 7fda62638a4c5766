//! Finds template syntax from other generators left in Markdown — Liquid (`{% include x %}`,
//! `{{ page.title }}`) and Hugo shortcodes (`{{< x >}}`, `{{% x %}}`) — so the build can warn
//! with file and line. It runs after `liquid`, which converts the Liquid Quire understands.
//!
//! It never runs them (nothing user-written is executed) and does not change the text: they
//! stay visible in the page. Code blocks and inline code are skipped, since there the syntax is
//! the subject of the text.

use crate::parse::kramdown::{closes_fence, opens_fence};

/// A piece of foreign template syntax and the body line (1-based) it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignTag {
    /// The body line, counting from the body's first line as 1.
    pub line: usize,
    /// The tag as written, up to its closing delimiter (shortened if very long).
    pub text: String,
    /// Which generator writes it.
    pub origin: Origin,
}

/// Which generator's syntax a tag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `{% ... %}` and `{{ ... }}`.
    Liquid,
    /// `{{< ... >}}` and `{{% ... %}}`.
    HugoShortcode,
}

/// Every foreign tag in `body`, in order.
pub fn find(body: &str) -> Vec<ForeignTag> {
    if !super::has_brace_pair(body, b"{%") {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut fence = None;
    for (index, line) in body.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(open) = fence {
            if closes_fence(trimmed, open) {
                fence = None;
            }
            continue;
        }
        if let Some(open) = opens_fence(trimmed) {
            fence = Some(open);
            continue;
        }
        if line.starts_with("    ") || line.starts_with('\t') {
            continue;
        }
        for text in tags_in_line(&without_inline_code(line)) {
            let origin = if text.starts_with("{{<") || text.starts_with("{{%") {
                Origin::HugoShortcode
            } else {
                Origin::Liquid
            };
            found.push(ForeignTag { line: index + 1, text, origin });
        }
    }
    found
}

/// The line with inline code spans (`` `...` ``) blanked out.
fn without_inline_code(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let delimiter = &rest[start..start + ticks];
        let after = &rest[start + ticks..];
        match after.find(delimiter) {
            Some(end) => {
                out.push_str(&rest[..start]);
                out.push(' ');
                rest = &after[end + ticks..];
            }
            None => {
                out.push_str(&rest[..start + ticks]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn tags_in_line(line: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(['{']) {
        let candidate = &rest[start..];
        let close = if candidate.starts_with("{{<") {
            Some(">}}")
        } else if candidate.starts_with("{{%") {
            Some("%}}")
        } else if candidate.starts_with("{%") {
            Some("%}")
        } else if candidate.starts_with("{{") {
            Some("}}")
        } else {
            None
        };
        let Some(close) = close else {
            rest = &candidate[1..];
            continue;
        };
        match candidate[2..].find(close) {
            Some(end) => {
                let tag = &candidate[..2 + end + close.len()];
                tags.push(shorten(tag));
                rest = &candidate[tag.len()..];
            }
            None => {
                // An opener without its closer on this line: still foreign, name what is there.
                tags.push(shorten(candidate.trim_end()));
                break;
            }
        }
    }
    tags
}

fn shorten(tag: &str) -> String {
    const MAX: usize = 60;
    if tag.chars().count() <= MAX {
        tag.to_string()
    } else {
        format!("{}…", tag.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(body: &str) -> Vec<(usize, String)> {
        find(body).into_iter().map(|t| (t.line, t.text)).collect()
    }

    #[test]
    fn liquid_and_shortcodes_are_found_with_lines() {
        let body =
            "Intro\n{% include note.html %}\nSee {{ site.url }}/x and {{< youtube abc >}}.\n{{% notice %}}\n";
        assert_eq!(
            texts(body),
            vec![
                (2, "{% include note.html %}".into()),
                (3, "{{ site.url }}".into()),
                (3, "{{< youtube abc >}}".into()),
                (4, "{{% notice %}}".into()),
            ]
        );
        assert_eq!(find(body)[2].origin, Origin::HugoShortcode);
    }

    #[test]
    fn code_is_skipped() {
        let body = "```liquid\n{% if x %}\n```\n~~~\n{{< x >}}\n~~~\n    {% indented %}\nUse `{{ page.title }}` here.\n";
        assert!(find(body).is_empty(), "{:?}", find(body));
    }

    #[test]
    fn plain_braces_are_not_tags() {
        assert!(find("a {b} and { c }\n").is_empty());
    }
}
