//! Stage 4, render: the site model through Tera templates into files in memory.
//!
//! Every output is rendered before anything is written, so a template error anywhere leaves
//! the output folder untouched. Pages render in parallel; views are built once.

pub mod functions;
pub mod shortcodes;
pub mod views;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Tera, Value};

use crate::error::{Error, Result};
use crate::load::TemplateFile;
use crate::site::{url, Redirect, Site};
use functions::Lookup;
use views::{map, Views};

/// A file produced by rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Path under the output folder, with `/` separators: `blog/a/index.html`.
    pub output_path: String,
    /// The bytes to write.
    pub contents: Vec<u8>,
}

/// What the renderer needs besides the site.
pub struct RenderInput<'a> {
    /// The site model.
    pub site: &'a Site,
    /// Templates, theme first then the site's (later ones override earlier ones by name).
    pub templates: &'a [TemplateFile],
    /// Output paths of the static files, so `get_url` can check them.
    pub static_outputs: Vec<String>,
}

/// Renders every page, pager and redirect of the site.
///
/// # Errors
/// Template syntax errors, missing templates, and every render error, reported together.
pub fn render(input: RenderInput<'_>) -> Result<Vec<RenderedFile>> {
    let RenderInput { site, templates, static_outputs } = input;
    let templates = with_builtins(templates);
    let expanded = expand_shortcodes(site, &templates, &static_outputs)?;
    let views = Views::build(site, &expanded);
    let lookup = Arc::new(Lookup::new(site, Some(&views), static_outputs));
    let (tera, template_paths) = build_tera(&templates, &views.config, lookup, site)?;
    check_templates_exist(site, &tera)?;

    let jobs = jobs(site);
    let renderer = Renderer { site, tera: &tera, views: &views, template_paths: &template_paths };
    let results: Vec<Result<RenderedFile>> = jobs.par_iter().map(|job| renderer.render(job)).collect();
    let mut files = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(error) => errors.push(error),
        }
    }
    match Error::from_list(errors) {
        Some(error) => Err(error),
        None => Ok(files),
    }
}

/// One output to render.
enum Job {
    Page(usize),
    Pager { section: usize, pager: usize },
    Redirect(usize),
}

fn jobs(site: &Site) -> Vec<Job> {
    let pages = (0..site.pages.len()).map(Job::Page);
    let pagers = site
        .sections
        .iter()
        .enumerate()
        .flat_map(|(section, s)| (0..s.pagers.len()).map(move |pager| Job::Pager { section, pager }));
    let redirects = (0..site.redirects.len()).map(Job::Redirect);
    pages.chain(pagers).chain(redirects).collect()
}

const BUILTIN_PREFIX: &str = "(built-in ";

fn is_builtin(template: &TemplateFile) -> bool {
    template.display_path.to_string_lossy().starts_with(BUILTIN_PREFIX)
}

/// The built-in templates (shortcodes, the heading anchor) first, so the theme's and the
/// site's templates of the same name replace them.
fn with_builtins(templates: &[TemplateFile]) -> Vec<TemplateFile> {
    let builtins = shortcodes::BUILTINS.iter().map(|(name, text, _)| TemplateFile {
        name: (*name).to_string(),
        display_path: PathBuf::from(format!("{BUILTIN_PREFIX}{name})")),
        text: (*text).to_string(),
    });
    builtins.chain(templates.iter().cloned()).collect()
}

/// Renders the shortcodes of every page and section, with a Tera of their own: they render
/// before the views that the full template functions read exist, so only `get_url` works.
fn expand_shortcodes(
    site: &Site,
    templates: &[TemplateFile],
    static_outputs: &[String],
) -> Result<shortcodes::ExpandedContent> {
    let has_calls = site.pages.iter().any(|p| !p.shortcodes.is_empty())
        || site.sections.iter().any(|s| !s.shortcodes.is_empty());
    if !has_calls {
        return Ok(shortcodes::ExpandedContent {
            pages: vec![None; site.pages.len()],
            sections: vec![None; site.sections.len()],
        });
    }
    let lookup = Arc::new(Lookup::new(site, None, static_outputs.iter().cloned()));
    let config = Value::from_serializable(&site.config);
    let (tera, _) = build_tera(templates, &config, lookup, site)?;
    let overridden: Vec<&str> =
        templates.iter().filter(|t| !is_builtin(t)).map(|t| t.name.as_str()).collect();
    let expander = shortcodes::Expander {
        tera: &tera,
        builtins_in_use: shortcodes::BUILTINS
            .iter()
            .map(|(name, _, _)| *name)
            .filter(|name| !overridden.contains(name))
            .collect(),
        names: templates
            .iter()
            .filter_map(|t| t.name.strip_prefix("shortcodes/").and_then(|n| n.strip_suffix(".html")))
            .map(str::to_string)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    let pages: Vec<std::result::Result<Option<shortcodes::ExpandedPage>, Vec<Error>>> = site
        .pages
        .par_iter()
        .map(|page| {
            if page.shortcodes.is_empty() {
                return Ok(None);
            }
            let content = expander.expand(&page.content, &page.shortcodes, &page.display_path)?;
            // The summary repeats the calls at the content's start: their errors are reported
            // once, from the content.
            let summary = page.summary.as_ref().map(|summary| {
                expander.expand(summary, &page.shortcodes, &page.display_path).unwrap_or_default()
            });
            Ok(Some((content, summary)))
        })
        .collect();
    let sections: Vec<std::result::Result<Option<String>, Vec<Error>>> = site
        .sections
        .iter()
        .map(|section| {
            if section.shortcodes.is_empty() {
                return Ok(None);
            }
            expander.expand(&section.content, &section.shortcodes, &section.display_path).map(Some)
        })
        .collect();
    let mut errors = Vec::new();
    let mut expanded = shortcodes::ExpandedContent::default();
    for result in pages {
        match result {
            Ok(page) => expanded.pages.push(page),
            Err(list) => {
                errors.extend(list);
                expanded.pages.push(None);
            }
        }
    }
    for result in sections {
        match result {
            Ok(section) => expanded.sections.push(section),
            Err(list) => {
                errors.extend(list);
                expanded.sections.push(None);
            }
        }
    }
    match Error::from_list(errors) {
        Some(error) => Err(error),
        None => Ok(expanded),
    }
}

fn build_tera(
    templates: &[TemplateFile],
    config: &Value,
    lookup: Arc<Lookup>,
    site: &Site,
) -> Result<(Tera, BTreeMap<String, PathBuf>)> {
    let mut by_name: BTreeMap<&str, &TemplateFile> = BTreeMap::new();
    for template in templates {
        by_name.insert(&template.name, template);
    }
    let mut tera = Tera::new();
    functions::register(&mut tera, lookup, site.config.markdown.clone());
    tera.global_context().insert_value("config", config.clone());
    tera.add_raw_templates(by_name.iter().map(|(name, t)| (*name, t.text.as_str())))
        .map_err(|error| template_error(&error, None, &by_name))?;
    let paths = by_name.iter().map(|(name, t)| (name.to_string(), t.display_path.clone())).collect();
    Ok((tera, paths))
}

fn template_error(
    error: &tera::Error,
    page: Option<PathBuf>,
    paths: &BTreeMap<&str, &TemplateFile>,
) -> Error {
    let name = failing_template(error);
    let template = name
        .as_deref()
        .and_then(|n| paths.get(n))
        .map(|t| t.display_path.display().to_string())
        .or(name)
        .unwrap_or_else(|| "templates".to_string());
    template_error_named(error, template, page)
}

fn template_error_named(error: &tera::Error, template: String, page: Option<PathBuf>) -> Error {
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        detail.push_str(&format!("\ncaused by: {cause}"));
        source = cause.source();
    }
    let hint = template_hint(&detail);
    Error::Template { template, page, detail, hint }
}

fn failing_template(error: &tera::Error) -> Option<String> {
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            Some(report.filename().to_string()).filter(|f| !f.is_empty())
        }
        tera::ErrorKind::MissingParent { current, .. } => Some(current.clone()),
        tera::ErrorKind::CircularExtend { tpl, .. } | tera::ErrorKind::CircularInclude { tpl, .. } => {
            Some(tpl.clone())
        }
        _ => None,
    }
}

fn template_hint(detail: &str) -> Option<String> {
    if detail.contains("get_url") {
        Some(
            "`@/` paths are relative to `content/` (`@/blog/post.md`); other paths name files in `static/`"
                .into(),
        )
    } else if detail.contains("not defined") || detail.contains("not found in context") {
        Some("check the variable's name; use `{% if x is defined %}` or `| default(value=...)` for optional values".into())
    } else {
        Some("Tera syntax: `{{ value }}`, `{% if %}…{% endif %}`, `{% for x in list %}…{% endfor %}`".into())
    }
}

fn check_templates_exist(site: &Site, tera: &Tera) -> Result<()> {
    let mut errors = Vec::new();
    let mut need = |template: &str, source_path: &PathBuf| {
        if !tera.contains_template(template) {
            errors.push(Error::MissingTemplate {
                template: template.to_string(),
                source_path: source_path.clone(),
            });
        }
    };
    for section in &site.sections {
        need(section_template(site, section), &section.display_path);
    }
    for page in &site.pages {
        need(page_template(site, page), &page.display_path);
    }
    match Error::from_list(errors) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

fn section_template<'a>(_site: &Site, section: &'a crate::site::Section) -> &'a str {
    match &section.template {
        Some(template) => template,
        None if section.url_path == "/" && section.content_path == "_index.md" => "index.html",
        None => "section.html",
    }
}

fn page_template<'a>(site: &'a Site, page: &'a crate::site::Page) -> &'a str {
    page.template
        .as_deref()
        .or_else(|| page.section.and_then(|id| site.sections[id].page_template.as_deref()))
        .unwrap_or("page.html")
}

struct Renderer<'a> {
    site: &'a Site,
    tera: &'a Tera,
    views: &'a Views,
    template_paths: &'a BTreeMap<String, PathBuf>,
}

impl Renderer<'_> {
    fn render(&self, job: &Job) -> Result<RenderedFile> {
        match *job {
            Job::Page(id) => {
                let page = &self.site.pages[id];
                let mut context = self.context(&page.url_path);
                context.insert_value("page", self.views.pages[id].clone());
                let template = page_template(self.site, page);
                self.render_template(template, &context, &page.url_path, &page.display_path)
            }
            Job::Pager { section, pager } => {
                let s = &self.site.sections[section];
                let pager = &s.pagers[pager];
                let mut context = self.context(&pager.url_path);
                context.insert_value("section", self.views.sections[section].clone());
                context.insert_value("paginator", self.paginator(section, pager.index - 1));
                let template = section_template(self.site, s);
                self.render_template(template, &context, &pager.url_path, &s.display_path)
            }
            Job::Redirect(id) => Ok(self.redirect(&self.site.redirects[id])),
        }
    }

    fn context(&self, url_path: &str) -> Context {
        let mut context = Context::new();
        context.insert("current_path", url_path);
        context.insert("current_url", &url::permalink(&self.site.config.base_url, url_path));
        context
    }

    fn paginator(&self, section_id: usize, pager_index: usize) -> Value {
        let section = &self.site.sections[section_id];
        let pagers = &section.pagers;
        let pager = &pagers[pager_index];
        let base_url = &self.site.config.base_url;
        let link = |index: Option<usize>| {
            index
                .and_then(|i| pagers.get(i))
                .map_or_else(Value::none, |p| Value::from(url::permalink(base_url, &p.url_path)))
        };
        let pages: Vec<Value> =
            section.pages[pager.items.clone()].iter().map(|&id| self.views.light_pages[id].clone()).collect();
        map([
            ("pages", Value::from(pages)),
            ("current_index", Value::from(pager.index)),
            ("number_pagers", Value::from(pagers.len())),
            ("paginate_by", Value::from(section.paginate_by)),
            ("total_pages", Value::from(section.pages.len())),
            ("first", link(Some(0))),
            ("last", link(Some(pagers.len() - 1))),
            ("previous", link(pager_index.checked_sub(1))),
            ("next", link(Some(pager_index + 1))),
        ])
    }

    fn render_template(
        &self,
        template: &str,
        context: &Context,
        url_path: &str,
        source: &std::path::Path,
    ) -> Result<RenderedFile> {
        let html = self.tera.render(template, context).map_err(|error| {
            let name = failing_template(&error).unwrap_or_else(|| template.to_string());
            let shown = self.template_paths.get(&name).map(|p| p.display().to_string()).unwrap_or(name);
            template_error_named(&error, shown, Some(source.to_path_buf()))
        })?;
        Ok(RenderedFile { output_path: url::output_path(url_path), contents: html.into_bytes() })
    }

    fn redirect(&self, redirect: &Redirect) -> RenderedFile {
        let target = url::permalink(&self.site.config.base_url, &redirect.target);
        let escaped = escape_html(&target);
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirect</title>\n\
             <link rel=\"canonical\" href=\"{escaped}\">\n<meta http-equiv=\"refresh\" content=\"0; url={escaped}\">\n\
             </head>\n<body>\n<p>This page has moved to <a href=\"{escaped}\">{escaped}</a>.</p>\n</body>\n</html>\n",
            lang = escape_html(&self.site.config.language),
        );
        RenderedFile { output_path: url::output_path(&redirect.url_path), contents: html.into_bytes() }
    }
}

/// Escapes text for an HTML attribute or element.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}
