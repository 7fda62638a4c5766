//! What the templates can read of a context entry, told from their text, so that a render's
//! key can leave out what no template reads: a pager's `section` holds every page of the
//! section, and keyed with them, editing one post's summary re-rendered every pager.
//!
//! Conservative: a use the scan cannot follow (the entry printed, passed on, indexed,
//! filtered, looped over or reassigned) counts as reading everything.

use crate::load::TemplateFile;

/// Whether some template may read `variable.field`, or `variable` whole. Only the insides of
/// `{{ }}` and `{% %}` are looked at: HTML such as `<section>`, and comments, are not reads.
/// A template that a later one of the same name replaces (a theme's, overridden by the
/// site's) is not rendered, so not read.
pub fn may_read_field(templates: &[TemplateFile], variable: &str, field: &str) -> bool {
    let by_name: std::collections::HashMap<&str, &TemplateFile> =
        templates.iter().map(|t| (t.name.as_str(), t)).collect();
    by_name.values().any(|t| tags(&t.text).any(|tag| tag_may_read(tag, variable, field)))
}

/// The insides of the template tags of `text` but comments; an unclosed tag runs to the end.
fn tags(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(found) = memchr::memchr(b'{', &bytes[from..]) {
            let start = from + found;
            let close = match bytes.get(start + 1) {
                Some(b'{') => b'}',
                Some(b'%') => b'%',
                Some(b'#') => b'#',
                _ => {
                    from = start + 1;
                    continue;
                }
            };
            let inside = start + 2;
            let end = tag_end(&bytes[inside..], close).map_or(bytes.len(), |end| inside + end);
            from = (end + 2).min(bytes.len());
            // A comment reads nothing.
            if close != b'#' {
                return Some(&text[inside..end]);
            }
        }
        None
    })
}

/// Where the tag whose inside starts `rest` closes with `close` and `}`, skipping quoted text.
fn tag_end(rest: &[u8], close: u8) -> Option<usize> {
    let mut quote = None;
    for (at, &byte) in rest.iter().enumerate() {
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None if matches!(byte, b'"' | b'\'' | b'`') => quote = Some(byte),
            None if byte == close && rest.get(at + 1) == Some(&b'}') => return Some(at),
            None => {}
        }
    }
    None
}

/// Whether the tag's inside may read `variable.field` or `variable` whole.
fn tag_may_read(tag: &str, variable: &str, field: &str) -> bool {
    let bytes = tag.as_bytes();
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let skip_spaces = |mut at: usize| {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        at
    };
    let mut at = 0;
    let mut quote = None;
    let mut after_dot = false;
    while at < bytes.len() {
        let byte = bytes[at];
        if let Some(open) = quote {
            quote = (byte != open).then_some(open);
            at += 1;
            continue;
        }
        if matches!(byte, b'"' | b'\'' | b'`') {
            quote = Some(byte);
            after_dot = false;
            at += 1;
            continue;
        }
        if !is_name(byte) {
            if !byte.is_ascii_whitespace() {
                after_dot = byte == b'.';
            }
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && is_name(bytes[at]) {
            at += 1;
        }
        let name = &tag[start..at];
        let field_of_another = std::mem::replace(&mut after_dot, false);
        if name.starts_with("__tera") {
            return true;
        }
        if name != variable || field_of_another {
            continue;
        }
        let next = skip_spaces(at);
        if let Some(end) = definedness_test(tag, next) {
            at = end;
            continue;
        }
        if bytes.get(next) != Some(&b'.') {
            return true;
        }
        let field_start = skip_spaces(next + 1);
        let mut field_end = field_start;
        while field_end < bytes.len() && is_name(bytes[field_end]) {
            field_end += 1;
        }
        if field_start == field_end || &tag[field_start..field_end] == field {
            return true;
        }
        at = field_end;
    }
    false
}

/// The end of `is [not] defined` or `is [not] undefined` when `tag` has it at `at`: a test
/// that reads whether the variable is there, not what it holds.
fn definedness_test(tag: &str, at: usize) -> Option<usize> {
    let rest = &tag[at..];
    let parts: Vec<&str> = rest.split_ascii_whitespace().take(3).collect();
    let test = match parts.as_slice() {
        ["is", "not", test, ..] | ["is", test, ..] => *test,
        _ => return None,
    };
    let name = test.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("");
    if name != "defined" && name != "undefined" {
        return None;
    }
    // `is` comes first and cannot hold the name, so its first match is the test's.
    let offset = rest.find(name).expect("the name was split from this text") + name.len();
    Some(at + offset)
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
    fn other_fields_and_html_are_not_reads_of_the_pages() {
        assert!(!reads("<section><h1>{{ section.title }}</h1>{% for p in paginator.pages %}{{ p.title }}{% endfor %}</section>"));
        assert!(!reads(
            "{{ page.section.pages }}{{ section . title | upper }}{# section #}{{ \"section.pages\" }}"
        ));
        assert!(!reads("{% if section.extra.pages %}{{ section.subsections | length }}{% endif %}"));
        assert!(!reads(
            "{%- elif section is defined -%}{% if section is not undefined %}{{ section.title }}{% endif %}"
        ));
    }

    #[test]
    fn the_field_or_the_whole_variable_is_a_read() {
        for text in [
            "{% for p in section.pages %}{% endfor %}",
            "{{ section.pages | length }}",
            "{{ section . pages }}",
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
        ] {
            assert!(reads(text), "{text}");
        }
    }
}
