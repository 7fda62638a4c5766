//! Bodies: each page's and section's HTML as templates and feeds show it, with its shortcode
//! calls rendered in place of the placeholders the parse stage left.
//!
//! Expanding is two memoized steps: the shortcode templates (a Tera of their own, in which
//! only `get_url` works) from the templates, the config and where outputs are; then each
//! body from those templates and its HTML and calls. An unchanged page of a `serve` run gets
//! its last expansion back, the very text, so the views built from it are reused too. This
//! module does not touch the site: the model's pages keep their placeholders.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Tera, Value};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::incremental::{Digested, Memos, Same, SameText};
use crate::load::TemplateFile;
use crate::parse::shortcodes::ShortcodeCall;
use crate::render::fingerprint::Fingerprints;
use crate::render::functions::{IndexSource, Lookup, LookupIndex};
use crate::render::shortcodes::{self, Expander};
use crate::shared_text::SharedText;
use crate::site::Site;

/// The HTML of every page and section, shortcodes expanded.
#[derive(Debug)]
pub struct Bodies {
    /// By `PageId`.
    pub pages: Vec<Body>,
    /// By `SectionId`: the section's content.
    pub sections: Vec<SharedText>,
}

/// A page's HTML, shortcodes expanded.
#[derive(Debug, Clone)]
pub struct Body {
    /// The content.
    pub content: SharedText,
    /// The summary, if any.
    pub summary: Option<SharedText>,
}

/// What the shortcode templates are made from.
#[derive(Clone, PartialEq, Eq, Hash)]
struct TemplatesInput {
    /// Every template, built-ins first (later ones override earlier ones by name), known by
    /// the digest made once a run.
    templates: Digested<Vec<TemplateFile>>,
    /// The site's settings: templates read `config`, `get_url` the base URL.
    config: Digested<Config>,
    /// Where pages, sections and other outputs are, for `get_url`.
    index: Same<LookupIndex>,
}

/// The shortcode templates, ready to render calls.
struct ShortcodeTemplates {
    tera: Tera,
    /// The built-in templates the site and theme do not override (their arguments are
    /// checked).
    builtins_in_use: Vec<&'static str>,
    /// Every shortcode's name, for the hint on an unknown one.
    names: Vec<String>,
}

/// What one body is expanded from: the templates (by identity: the same while what they are
/// made from is), the HTML and its summary (by identity), the calls, and the file they are
/// reported in.
type BodyInput = (Same<ShortcodeTemplates>, SameText, Option<SameText>, Same<[ShortcodeCall]>, PathBuf);

impl Bodies {
    /// Expands the shortcode calls of every page and section of `site` with `templates`;
    /// `static_outputs` are the files `get_url` may also name, and `fingerprints` the
    /// hashes `get_url(cachebust=true)` and `get_hash` give.
    ///
    /// # Errors
    /// Template syntax errors, and every call that fails (an unknown shortcode, a bad
    /// argument to a built-in, a template error), together.
    pub fn expand(
        site: &Site,
        templates: &Digested<Vec<TemplateFile>>,
        static_outputs: &[String],
        fingerprints: &Fingerprints,
        memos: &Memos,
    ) -> Result<Bodies> {
        let has_calls = site.pages.iter().any(|p| !p.shortcodes.is_empty())
            || site.sections.iter().any(|s| !s.shortcodes.is_empty());
        if !has_calls {
            return Ok(Bodies {
                pages: site
                    .pages
                    .iter()
                    .map(|page| Body { content: page.content.clone(), summary: page.summary.clone() })
                    .collect(),
                sections: site.sections.iter().map(|section| section.content.clone()).collect(),
            });
        }
        let static_outputs: Vec<&str> = static_outputs.iter().map(String::as_str).collect();
        let index =
            memos.call_digested(&IndexSource::of(site, &static_outputs, fingerprints), LookupIndex::new);
        let input =
            TemplatesInput { templates: templates.clone(), config: site.config.clone(), index: Same(index) };
        let shortcode_templates = memos.try_call(input, build)?;
        let expand = memos.function(expand_body);
        let call = |content: &SharedText,
                    summary: Option<&SharedText>,
                    calls: &Arc<[ShortcodeCall]>,
                    file: &PathBuf| {
            if calls.is_empty() {
                return Ok(Body { content: content.clone(), summary: summary.cloned() });
            }
            let input: BodyInput = (
                Same::of(&shortcode_templates),
                SameText(content.clone()),
                summary.cloned().map(SameText),
                Same(Arc::clone(calls)),
                file.clone(),
            );
            expand.try_call(input)
        };
        let pages: Vec<std::result::Result<Body, Vec<Error>>> = site
            .pages
            .par_iter()
            .map(|page| call(&page.content, page.summary.as_ref(), &page.shortcodes, &page.display_path))
            .collect();
        let sections: Vec<std::result::Result<Body, Vec<Error>>> = site
            .sections
            .iter()
            .map(|section| {
                let calls: Arc<[ShortcodeCall]> = section.shortcodes.clone().into();
                call(&section.content, None, &calls, &section.display_path)
            })
            .collect();
        let mut errors = Vec::new();
        let mut keep = |result: std::result::Result<Body, Vec<Error>>| match result {
            Ok(body) => Some(body),
            Err(list) => {
                errors.extend(list);
                None
            }
        };
        let pages: Vec<Option<Body>> = pages.into_iter().map(&mut keep).collect();
        let sections: Vec<Option<Body>> = sections.into_iter().map(&mut keep).collect();
        Error::fail_if_any(errors)?;
        Ok(Bodies {
            pages: pages.into_iter().map(|body| body.expect("every failure was reported")).collect(),
            sections: sections
                .into_iter()
                .map(|body| body.expect("every failure was reported").content)
                .collect(),
        })
    }
}

/// The shortcode templates: every template, with a lookup in which only `get_url` works
/// (shortcodes are expanded before the views the other functions answer from exist).
fn build(input: &TemplatesInput) -> Result<Arc<ShortcodeTemplates>> {
    let TemplatesInput { templates, config, index } = input;
    let lookup = Arc::new(Lookup::for_shortcodes(config, Arc::clone(&index.0)));
    let (tera, _) = super::build_tera(templates, config, &Value::from_serializable(&**config), lookup)?;
    let overridden: Vec<&str> =
        templates.iter().filter(|t| !super::is_builtin(t)).map(|t| t.name.as_str()).collect();
    let names: BTreeSet<String> = templates
        .iter()
        .filter_map(|t| t.name.strip_prefix("shortcodes/").and_then(|n| n.strip_suffix(".html")))
        .map(str::to_string)
        .collect();
    Ok(Arc::new(ShortcodeTemplates {
        tera,
        builtins_in_use: shortcodes::BUILTINS
            .iter()
            .map(|(name, _, _)| *name)
            .filter(|name| !overridden.contains(name))
            .collect(),
        names: names.into_iter().collect(),
    }))
}

/// A body with its calls rendered; the summary repeats the calls at the content's start, so
/// its errors are reported once, from the content.
fn expand_body(input: &BodyInput) -> std::result::Result<Body, Vec<Error>> {
    let (templates, content, summary, calls, file) = input;
    let expander = Expander {
        tera: &templates.tera,
        builtins_in_use: &templates.builtins_in_use,
        names: &templates.names,
    };
    let expanded = expander.expand(&content.0, calls, file)?;
    let summary =
        summary.as_ref().map(|summary| expander.expand(&summary.0, calls, file).unwrap_or_default().into());
    Ok(Body { content: SharedText::from(expanded), summary })
}
