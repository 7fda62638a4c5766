//! Shortcodes: renders each call the parser left as a placeholder with its template
//! (`templates/shortcodes/NAME.html`, the site's over the theme's over the built-in one) and
//! puts the result in its place. The link beside headings (`anchor-link.html`) is rendered
//! the same way.
//!
//! Built-ins: `figure`, `youtube` and `note`; their arguments are checked here, so a typo is
//! an error at the call's line rather than a silently missing attribute. This module does not
//! find calls in Markdown: the parse stage does.

use std::path::Path;

use tera::{Context, Tera, Value};

use crate::error::{Error, Location};
use crate::parse::markdown::ANCHOR_LINK_TEMPLATE;
use crate::parse::shortcodes::{ShortcodeCall, PLACEHOLDER_START};

/// The built-in templates, by template name, with the arguments each accepts (the first
/// ones listed until the `|` are required).
pub const BUILTINS: &[(&str, &str, &[&str])] = &[
    ("shortcodes/figure.html", FIGURE, &["src", "|", "alt", "caption", "width", "height", "class", "link"]),
    // `class`, `autoplay` and `playlist` are the arguments of Zola's built-in `youtube`, so a
    // Zola site's calls build; the player always autoplays once clicked and shows no playlist.
    ("shortcodes/youtube.html", YOUTUBE, &["id", "|", "title", "start", "class", "autoplay", "playlist"]),
    ("shortcodes/note.html", NOTE, &["|", "kind", "title"]),
    (ANCHOR_LINK_TEMPLATE, ANCHOR_LINK, &["id", "title", "level"]),
];

const FIGURE: &str = r#"<figure{% if class is defined %} class="{{ class }}"{% endif %}>
{%- if link is defined %}<a href="{{ link }}">{% endif -%}
<img src="{{ src }}" alt="{{ alt | default(value="") }}"{% if width is defined %} width="{{ width }}"{% endif %}{% if height is defined %} height="{{ height }}"{% endif %} loading="lazy" decoding="async">
{%- if link is defined %}</a>{% endif %}
{%- if caption is defined %}
<figcaption>{{ caption }}</figcaption>
{%- endif %}
</figure>
"#;

// The player is an iframe whose `srcdoc` shows a play link: nothing is requested from YouTube
// (no cookie, no request at all) until the reader clicks, and then only from the
// privacy-enhanced youtube-nocookie.com domain. No JavaScript.
const YOUTUBE: &str = r#"{%- set url = "https://www.youtube-nocookie.com/embed/" ~ id ~ "?autoplay=1" ~ (("&start=" ~ start) if start is defined else "") -%}
{%- set label = title if title is defined else "YouTube video" -%}
<div class="video-embed{% if class is defined %} {{ class }}{% endif %}" style="position:relative;aspect-ratio:16/9">
<iframe src="{{ url }}" srcdoc="<style>*{margin:0;height:100%}a{display:flex;align-items:center;justify-content:center;gap:.5em;background:#111;color:#fff;font:1.2em/1.4 system-ui,sans-serif;text-decoration:none}span{font-size:2.5em}</style><a href='{{ url }}'><span>▶</span> {{ label }}</a>" title="{{ label }}" loading="lazy" allow="autoplay; encrypted-media; picture-in-picture; fullscreen" allowfullscreen style="position:absolute;inset:0;width:100%;height:100%;border:0"></iframe>
</div>
"#;

const NOTE: &str = r#"<aside class="note note-{{ kind | default(value="note") }}" role="note">
{%- if title is defined %}
<p class="note-title">{{ title }}</p>
{%- endif %}
{{ body | default(value="") | safe }}
</aside>
"#;

const ANCHOR_LINK: &str =
    r##" <a class="heading-anchor" href="#{{ id }}" aria-label="Link to the heading “{{ title }}”">#</a>"##;

/// Renders shortcode calls with a Tera instance that holds the shortcode templates.
pub struct Expander<'a> {
    /// Templates, the built-ins added where the site and theme have none.
    pub tera: &'a Tera,
    /// The built-in templates not overridden (their arguments are checked).
    pub builtins_in_use: &'a [&'static str],
    /// Names of every shortcode, for the hint on an unknown one.
    pub names: &'a [String],
}

impl Expander<'_> {
    /// Replaces the placeholders in `html`, written in `file`, with the rendered `calls`.
    ///
    /// # Errors
    /// `Error::Shortcode` for an unknown shortcode, a bad argument to a built-in, or a
    /// template that fails; every call's error, together.
    pub fn expand(&self, html: &str, calls: &[ShortcodeCall], file: &Path) -> Result<String, Vec<Error>> {
        expand(html, calls, file, self)
    }
}

fn expand(
    html: &str,
    calls: &[ShortcodeCall],
    file: &Path,
    expander: &Expander<'_>,
) -> Result<String, Vec<Error>> {
    if calls.is_empty() || !html.contains(PLACEHOLDER_START) {
        return Ok(html.to_string());
    }
    let mut out = String::with_capacity(html.len());
    let mut errors = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(PLACEHOLDER_START) {
        out.push_str(&rest[..start]);
        let after = &rest[start + PLACEHOLDER_START.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let tail = after[digits..].trim_start_matches('\n');
        let call = after[..digits].parse::<usize>().ok().and_then(|n| calls.get(n));
        match (call, tail.strip_prefix("-->")) {
            (Some(call), Some(tail)) => {
                match render_call(call, file, expander) {
                    // A template file's final newline would split an inline call's line.
                    Ok(rendered) => out.push_str(rendered.trim_end()),
                    Err(error) => errors.push(error),
                }
                // Keep the call's line breaks, so the HTML has as many lines as the Markdown.
                let newlines = after[digits..].len() - tail.len() - 3;
                out.push_str(&"\n".repeat(newlines));
                rest = tail;
            }
            _ => {
                out.push_str(PLACEHOLDER_START);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn render_call(call: &ShortcodeCall, file: &Path, expander: &Expander<'_>) -> Result<String, Error> {
    let tera = expander.tera;
    let error = |detail: String, hint: Option<String>| Error::Shortcode {
        location: Location { line: call.line, ..Location::file(file) },
        detail,
        hint,
    };
    if !tera.contains_template(&call.template) {
        let known = expander.names.join(", ");
        return Err(error(
            format!("unknown shortcode `{}`", call.name),
            Some(format!("add `templates/shortcodes/{}.html`, or use one of: {}", call.name, known)),
        ));
    }
    if expander.builtins_in_use.contains(&call.template.as_str()) {
        check_builtin_args(call).map_err(|detail| error(detail, None))?;
    }
    let mut context = Context::new();
    for (key, value) in &call.args {
        context.insert_value(key.clone(), Value::from_serializable(value));
    }
    if let Some(body) = &call.body {
        context.insert_value("body", Value::safe_string(body));
    }
    // Zola's templates number their calls with `nth`; an argument of that name wins.
    if !call.args.contains_key("nth") {
        context.insert("nth", &call.nth);
    }
    tera.render(&call.template, &context).map_err(|tera_error| {
        let mut detail = tera_error.to_string();
        let mut source = std::error::Error::source(&tera_error);
        while let Some(cause) = source {
            detail.push_str(&format!("\ncaused by: {cause}"));
            source = cause.source();
        }
        error(
            format!("shortcode `{}` failed: {detail}", call.name),
            Some(format!("check the arguments against `templates/{}`", call.template)),
        )
    })
}

fn check_builtin_args(call: &ShortcodeCall) -> Result<(), String> {
    let Some((_, _, accepted)) = BUILTINS.iter().find(|(name, _, _)| *name == call.template) else {
        return Ok(());
    };
    let known: Vec<&str> = accepted.iter().copied().filter(|a| *a != "|").collect();
    for key in call.args.keys() {
        if !known.contains(&key.as_str()) {
            return Err(format!(
                "shortcode `{}` has no argument `{key}`; it takes {}",
                call.name,
                known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let required = accepted.iter().take_while(|a| **a != "|");
    for name in required {
        if !call.args.contains_key(*name) {
            return Err(format!("shortcode `{}` needs the argument `{name}`", call.name));
        }
    }
    if call.name == "youtube" {
        let id = call.args.get("id").and_then(|v| v.as_str()).unwrap_or_default();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(format!(
                "shortcode `youtube`: `id` must be a video id such as \"dQw4w9WgXcQ\", not `{id}`"
            ));
        }
    }
    Ok(())
}
