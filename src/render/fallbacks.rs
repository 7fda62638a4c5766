//! Keeps the built-in theme's fallback templates (`404.html`, `archive.html`, the taxonomy
//! pages…) working beside a site's own `base.html`.
//!
//! A site with its own `templates/` and no `theme` key still gets the built-in templates it
//! lacks, and they `{% extends "base.html" %}`, which is the site's layout. That is wanted when
//! the site's layout has the blocks they fill (they then look like the rest of the site), but a
//! migrated site's `base.html` often has only `content`, and Tera refuses a child that fills a
//! block its parent lacks (issue 9). Such a fallback extends the built-in layout instead, under
//! [`BUILT_IN_BASE`], so Quire's own templates never break a site's build. Templates the site
//! or a named theme wrote are never changed.

use std::collections::BTreeSet;

use crate::load::TemplateFile;
use crate::theme;

/// The internal name of the built-in `base.html`, for the fallbacks that cannot use the site's.
pub const BUILT_IN_BASE: &str = "quire-built-in/base.html";

/// The templates, with each built-in fallback that fills a block the site's `base.html` lacks
/// pointed at the built-in layout (added under [`BUILT_IN_BASE`] when needed).
pub fn fit_to_site_base(templates: &[TemplateFile]) -> Vec<TemplateFile> {
    let mut out = templates.to_vec();
    let Some(base) = effective(templates, "base.html") else {
        return out;
    };
    if is_built_in(base) {
        return out;
    }
    let Some(built_in_base) = templates.iter().find(|t| t.name == "base.html" && is_built_in(t)) else {
        return out;
    };
    let site_blocks = block_names(&base.text);
    let mut redirected = false;
    for (index, template) in out.iter_mut().enumerate() {
        // A later template of the same name replaces this one.
        let in_effect = !templates[index + 1..].iter().any(|t| t.name == template.name);
        if !is_built_in(template) || !in_effect || template.name == "base.html" {
            continue;
        }
        let Some(extends) = extends_base(&template.text) else {
            continue;
        };
        if block_names(&template.text).is_subset(&site_blocks) {
            continue;
        }
        template.text.replace_range(extends, &format!("{{% extends \"{BUILT_IN_BASE}\" %}}"));
        redirected = true;
    }
    if redirected {
        out.push(TemplateFile { name: BUILT_IN_BASE.to_string(), ..built_in_base.clone() });
    }
    out
}

/// The template that a name resolves to: the last one loaded under it.
fn effective<'a>(templates: &'a [TemplateFile], name: &str) -> Option<&'a TemplateFile> {
    templates.iter().rev().find(|t| t.name == name)
}

fn is_built_in(template: &TemplateFile) -> bool {
    template.display_path.starts_with(theme::display_path("templates", ""))
}

/// The byte range of a `{% extends "base.html" %}` tag, if the template has one.
fn extends_base(text: &str) -> Option<std::ops::Range<usize>> {
    tags(text).find_map(|(range, inner)| {
        let target = inner.strip_prefix("extends")?.trim();
        matches!(target, "\"base.html\"" | "'base.html'").then_some(range)
    })
}

/// The names of the `{% block NAME %}` tags in a template.
fn block_names(text: &str) -> BTreeSet<&str> {
    tags(text)
        .filter_map(|(_, inner)| {
            let rest = inner.strip_prefix("block")?;
            rest.starts_with(char::is_whitespace).then(|| rest.split_whitespace().next()).flatten()
        })
        .collect()
}

/// Every `{% … %}` tag: its byte range and its inside, trimmed of `-` and spaces.
fn tags(text: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let mut offset = 0;
    std::iter::from_fn(move || {
        let start = offset + text[offset..].find("{%")?;
        let end = start + 2 + text[start + 2..].find("%}")? + 2;
        offset = end;
        let inner = text[start + 2..end - 2].trim_matches('-').trim();
        Some((start..end, inner))
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn built_in(name: &str, text: &str) -> TemplateFile {
        TemplateFile {
            name: name.into(),
            display_path: theme::display_path("templates", name),
            text: text.into(),
        }
    }

    fn site(name: &str, text: &str) -> TemplateFile {
        TemplateFile {
            name: name.into(),
            display_path: PathBuf::from(format!("templates/{name}")),
            text: text.into(),
        }
    }

    const NOT_FOUND: &str = "{% extends \"base.html\" %}\n{%- block title %}x{% endblock title %}{% block content %}y{% endblock %}";

    #[test]
    fn a_fallback_needing_a_missing_block_extends_the_built_in_base() {
        let templates = [
            built_in("base.html", "{% block title %}{% endblock %}{% block content %}{% endblock %}"),
            built_in("404.html", NOT_FOUND),
            site("base.html", "<body>{% block content %}{% endblock content %}</body>"),
        ];
        let out = fit_to_site_base(&templates);
        assert!(
            out[1].text.starts_with(&format!("{{% extends \"{BUILT_IN_BASE}\" %}}\n{{%- block title")),
            "{}",
            out[1].text
        );
        let added = out.iter().find(|t| t.name == BUILT_IN_BASE).expect("the built-in base is added");
        assert_eq!(added.text, templates[0].text);
    }

    #[test]
    fn a_fallback_the_site_base_can_hold_keeps_extending_it() {
        let templates = [
            built_in("base.html", "{% block title %}{% endblock %}{% block content %}{% endblock %}"),
            built_in("404.html", NOT_FOUND),
            site("base.html", "{%- block title -%}{% endblock %}{% block content %}{% endblock %}"),
        ];
        assert_eq!(fit_to_site_base(&templates), templates.to_vec());
    }

    #[test]
    fn site_templates_and_the_whole_built_in_theme_are_unchanged() {
        let whole =
            [built_in("base.html", "{% block content %}{% endblock %}"), built_in("404.html", NOT_FOUND)];
        assert_eq!(fit_to_site_base(&whole), whole.to_vec());
        let own = [
            built_in("base.html", "{% block title %}{% endblock %}"),
            built_in("404.html", NOT_FOUND),
            site("404.html", NOT_FOUND),
            site("base.html", "{% block content %}{% endblock %}"),
        ];
        let out = fit_to_site_base(&own);
        assert_eq!(out[2], own[2], "the site's own template is the user's to fix");
        assert_eq!(out[1], own[1], "an overridden fallback is not in effect");
        assert!(!out.iter().any(|t| t.name == BUILT_IN_BASE));
    }
}
