//! Whether any template can reach a field of a context entry, told from the templates' raw
//! text without parsing it, so that a pager can be given its `section` without `pages`.
//!
//! Why: a pager's `section` would hold every page of the section; rendered with them, a
//! pager's bytes depend on every post, and editing one summary re-renders every pager. When
//! no template can reach `section.pages`, pagers get the section without it, and their key
//! (the hash of the context they are given) no longer holds every post.
//!
//! Sound by construction, not by lexing: every occurrence of the variable's name as a word,
//! anywhere in the text (in tags, strings, comments or HTML alike), counts as reaching the
//! field, except the few shapes that cannot: `name.other_field`, `name is [not] defined`
//! (or `undefined`) and an HTML tag `<name>`/`</name>`. A template that hides a read from a
//! lexer (an apostrophe in a comment, an escaped quote, `{% raw %}`) still shows the name to
//! a plain substring search. A misjudged shape costs reuse, never correctness.

use crate::load::TemplateFile;

/// Whether some template that is rendered may reach `variable.field` (or `variable` whole,
/// which reaches every field). A template that a later one of the same name replaces (a
/// theme's, overridden by the site's) is never rendered and does not count.
pub fn may_read_field(templates: &[TemplateFile], variable: &str, field: &str) -> bool {
    let by_name: std::collections::HashMap<&str, &TemplateFile> =
        templates.iter().map(|t| (t.name.as_str(), t)).collect();
    by_name.values().any(|t| text_may_read(&t.text, variable, field))
}

/// Whether `text` may reach `variable.field`: see the module's rules.
fn text_may_read(text: &str, variable: &str, field: &str) -> bool {
    // Tera prints the whole context for this name.
    if text.contains("__tera_context") {
        return true;
    }
    let bytes = text.as_bytes();
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&bytes[from..], variable.as_bytes()) {
        let start = from + found;
        let end = start + variable.len();
        from = end;
        let before = start.checked_sub(1).map(|at| bytes[at]);
        let after = bytes.get(end).copied();
        // Part of a longer word (`sections`, `get_section`, `subsection_x`): another name.
        if before.is_some_and(is_name) || after.is_some_and(is_name) {
            continue;
        }
        if is_html_tag(bytes, start, after) || definedness_test(&text[end..]) {
            continue;
        }
        if after != Some(b'.') {
            return true;
        }
        let name_end =
            bytes[end + 1..].iter().position(|&b| !is_name(b)).map_or(bytes.len(), |n| end + 1 + n);
        let name = &text[end + 1..name_end];
        if name.is_empty() || name == field {
            return true;
        }
    }
    false
}

/// Whether the name at `start` is an HTML element's: `<name` or `</name`, followed by a
/// space, `>` or `/`. In a Tera expression `a <name>` would compare a map, which Tera
/// refuses with an error rather than rendering stale.
fn is_html_tag(bytes: &[u8], start: usize, after: Option<u8>) -> bool {
    let opened = match start.checked_sub(1).map(|at| bytes[at]) {
        Some(b'<') => true,
        Some(b'/') => start >= 2 && bytes[start - 2] == b'<',
        _ => false,
    };
    opened && after.is_some_and(|b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
}

/// Whether `rest` (the text right after the name) starts with ` is [not] defined` or
/// ` is [not] undefined` as a whole word: a test of whether the variable is there, not of
/// what it holds.
fn definedness_test(rest: &str) -> bool {
    let rest = rest.trim_start();
    let Some(rest) = rest.strip_prefix("is").filter(|r| r.starts_with(char::is_whitespace)) else {
        return false;
    };
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix("not").filter(|r| r.starts_with(char::is_whitespace)) {
        Some(after_not) => after_not.trim_start(),
        None => rest,
    };
    ["defined", "undefined"].iter().any(|test| {
        rest.strip_prefix(test)
            .is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(text: &str) -> bool {
        let template =
            TemplateFile { name: "t.html".into(), display_path: "t.html".into(), text: text.into() };
        may_read_field(&[template], "section", "pages")
    }

    #[test]
    fn other_fields_and_html_elements_do_not_reach_the_pages() {
        assert!(!reads("<section><h1>{{ section.title }}</h1>{% for p in paginator.pages %}{{ p.title }}{% endfor %}</section>"));
        assert!(!reads("{% if section.extra.pages %}{{ section.subsections | length }}{% endif %}"));
        assert!(!reads(
            "{%- elif section is defined -%}{% if section is not undefined %}{{ section.title }}{% endif %}"
        ));
        assert!(!reads(
            "{{ get_section(path=\"blog/_index.md\").title }}{% for s in subsections %}{% endfor %}"
        ));
        assert!(!reads("<section class=\"x\">a</section>\n<section>b</section >"));
    }

    #[test]
    fn any_other_use_of_the_name_reaches_them() {
        for text in [
            "{% for p in section.pages %}{% endfor %}",
            "{{ section.pages | length }}",
            "{{ section . pages }}",
            "{{ section .pages }}",
            "{{ section.\npages }}",
            "{% set s = section %}{{ s.pages }}",
            "{{ section }}",
            "{% if section is iterable %}{% endif %}",
            "{% if section is defined %}{{ section.pages }}{% endif %}",
            "{{ section[\"pages\"] }}",
            "{{ section | get(key=\"pages\") }}",
            "{{ macros::list(s=section) }}",
            "{% for section in sections %}{% endfor %}",
            "{{ __tera_context }}",
            "{{ \"}}\" ~ section.pages }}",
            "{{ section.title }} {{ section.pages",
            "{{ 1 <section.pages | length }}",
            // Prose is read as a possible use: it costs reuse, not correctness.
            "{# the section's list #}",
        ] {
            assert!(reads(text), "{text}");
        }
    }

    /// The shapes that hid `section.pages` from the lexing scan this replaced (issue 21).
    #[test]
    fn issue_21_comments_escapes_spreads_and_raw_blocks_cannot_hide_a_read() {
        for text in [
            "{# the blog's list #}{% for p in section.pages %}{{ p.title }}{% endfor %}",
            "{{ 'Don\\'t miss a post' }}{% for p in section.pages %}{{ p.title }}{% endfor %}",
            "{% set all = [...section.pages] %}{{ all | length }}",
            "{% set s = {...section} %}{{ s.pages | length }}",
            "{% raw %}{#{% endraw %}{% for p in section.pages %}{{ p.title }}{% endfor %}",
        ] {
            assert!(reads(text), "{text}");
        }
    }

    #[test]
    fn a_template_replaced_by_another_of_its_name_is_not_rendered() {
        let theme = TemplateFile {
            name: "section.html".into(),
            display_path: "themes/t/section.html".into(),
            text: "{{ section.pages | length }}".into(),
        };
        let site = TemplateFile {
            name: "section.html".into(),
            display_path: "templates/section.html".into(),
            text: "{{ section.title }}".into(),
        };
        assert!(!may_read_field(&[theme.clone(), site.clone()], "section", "pages"));
        assert!(may_read_field(&[site, theme], "section", "pages"));
    }

    #[test]
    fn the_built_in_theme_and_the_bench_templates_leave_pagers_without_the_pages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for folder in ["themes/quire/templates", "bench/quire/templates"] {
            let templates: Vec<TemplateFile> = walkdir::WalkDir::new(root.join(folder))
                .into_iter()
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_file())
                .map(|entry| TemplateFile {
                    name: entry.path().strip_prefix(root.join(folder)).unwrap().to_string_lossy().into(),
                    display_path: entry.path().to_path_buf(),
                    text: std::fs::read_to_string(entry.path()).unwrap(),
                })
                .collect();
            assert!(!templates.is_empty(), "{folder}");
            let builtins = crate::render::shortcodes::BUILTINS.iter().map(|(name, text, _)| TemplateFile {
                name: (*name).into(),
                display_path: (*name).into(),
                text: (*text).into(),
            });
            let templates: Vec<TemplateFile> = templates.into_iter().chain(builtins).collect();
            assert!(!may_read_field(&templates, "section", "pages"), "{folder}");
        }
    }
}
