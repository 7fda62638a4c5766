//! Stage 4, render: the site model through Tera templates into files in memory.
//!
//! Every output is rendered before anything is written, so a template error anywhere leaves
//! the output folder untouched. Pages render in parallel; views are built once. Feeds, the
//! sitemap and the absolute URLs inside feeds have modules of their own. Each templated
//! output is rendered through the memos, as a function of what it is rendered from (`memo`),
//! so an output whose inputs are unchanged since the previous run is reused, not rendered.
//! Rendering reads the site and never changes it.

pub mod absolute_urls;
pub mod bodies;
pub mod cdn_files;
pub mod context;
pub mod fallbacks;
pub mod feeds;
pub mod fingerprint;
pub mod functions;
pub mod memo;
pub mod plan;
pub mod queries;
mod reads;
pub mod shortcodes;
pub mod sitemap;
pub mod views;
pub mod xml;

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashSet as HashSet;

use rayon::prelude::*;
use tera::{Tera, Value};

use crate::config::Config;
use crate::data_value::DataTable;
use crate::error::{Error, Result};
use crate::html;
use crate::incremental::{Digested, DigestedFunction, ImageJob, Memos, RecordedFunction, Reuse};
use crate::load::{DataFile, TemplateFile};
use crate::site::pagination::Pager;
use crate::site::{url, PageId, Redirect, Site};
use bodies::Bodies;
use functions::{ImageTable, IndexSource, Lookup, LookupIndex, SiteData};
pub use memo::RenderStats;
use memo::{Context, Paginator, RenderArgument, RenderEnvironment};
use plan::{Plan, PlanInput, Source};
use queries::{ImageQuery, Query};
use views::Views;

/// A file produced by rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Path under the output folder, with `/` separators: `blog/a/index.html`.
    pub output_path: String,
    /// The bytes to write, shared with the render cache.
    pub contents: Arc<[u8]>,
}

/// What rendering produced: the files, and what was reused.
#[derive(Debug)]
pub struct Rendered {
    /// Every rendered file.
    pub files: Vec<RenderedFile>,
    /// The processed images templates asked for (`resize_image`), each once, by output path.
    pub images: Vec<ImageJob>,
    /// How many outputs were rendered and how many reused.
    pub stats: RenderStats,
}

/// What the renderer needs besides the site.
pub struct RenderInput<'a> {
    /// The site model.
    pub site: &'a Site,
    /// Templates, theme first then the site's (later ones override earlier ones by name).
    pub templates: &'a [TemplateFile],
    /// Output paths of the static files, so `get_url` can check them.
    pub static_outputs: Vec<String>,
    /// The hashes of the static files whose bytes are known, for `get_url(cachebust=true)`
    /// and `get_hash`.
    pub fingerprints: &'a fingerprint::Fingerprints,
    /// `data`: the files under `data/`, parsed.
    pub data: &'a DataTable,
    /// Every data file, for `load_data`.
    pub data_files: &'a [DataFile],
    /// The images of `content/` and `static/` that image functions may name.
    pub images: Arc<ImageTable>,
    /// The memos the render's pure functions are called through: a templated output whose
    /// inputs are those of an output of the last run is that output.
    pub memos: &'a Memos,
    /// Given each templated output as soon as it is rendered, returns what rendering keeps of
    /// it: a one-shot build writes the bytes aside and keeps none (see `write::Staging`).
    pub settle: Option<&'a Settle<'a>>,
}

/// See [`RenderInput::settle`].
pub type Settle<'a> = dyn Fn(RenderedFile) -> Result<RenderedFile> + Sync + 'a;

/// Renders every page, pager, taxonomy page, redirect, feed and sitemap of the site, reusing
/// the previous bytes of every templated output whose render key and lookups are unchanged.
///
/// # Errors
/// Template syntax errors, missing templates, and every render error, reported together.
pub fn render(input: RenderInput<'_>) -> Result<Rendered> {
    let RenderInput {
        site,
        templates,
        static_outputs,
        fingerprints,
        data,
        data_files,
        images,
        memos,
        settle,
    } = input;
    let started = std::time::Instant::now();
    let lap = |what: &str| {
        log::debug!("render: {what} at {:?}{}", started.elapsed(), crate::resident_memory::note())
    };
    // Digested once: the shortcode templates and every render are keyed by that digest.
    let templates = &Digested::new(with_builtins(&fallbacks::fit_to_site_base(templates)));
    // What templates and feeds show of each page and section: its HTML, shortcodes expanded.
    let bodies = Bodies::expand(site, templates, &static_outputs, fingerprints, memos)?;
    let template_names: HashSet<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    let copied: HashSet<&str> = static_outputs
        .iter()
        .map(String::as_str)
        .chain(site.assets.iter().map(|a| a.output_path.as_str()))
        .collect();
    // Each name's last template: the site's over the theme's.
    let mut output_templates: BTreeMap<&str, &Path> = BTreeMap::new();
    for template in templates.iter().filter(|t| t.name.starts_with(plan::OUTPUTS_FOLDER)) {
        output_templates.insert(&template.name, &template.display_path);
    }
    let plan = Plan::new(PlanInput {
        site,
        templates: &template_names,
        copied: &copied,
        output_templates: output_templates.into_iter().collect(),
    })?;
    for warning in &plan.warnings {
        log::warn!("{warning}");
    }
    let feeds = feeds::feeds(site);
    // A template output replaces the built-in feed file of its path.
    let replaced: HashSet<&str> = plan.outputs.iter().map(|o| o.output_path()).collect();
    // Every output besides pages and pagers, for `get_url`.
    let feed_paths: Vec<String> = feeds
        .iter()
        .flat_map(|feed| feed.output_paths(&site.config))
        .filter(|path| !replaced.contains(path.as_str()))
        .collect();
    let other_outputs: Vec<&str> = static_outputs
        .iter()
        .map(String::as_str)
        .chain(plan.html_url_paths(site).map(|(url_path, _)| url_path.trim_start_matches('/')))
        .chain(feed_paths.iter().map(String::as_str))
        .chain(plan.outputs.iter().map(|o| o.output_path()))
        .chain([plan::SITEMAP, plan::ROBOTS_TEMPLATE, plan::NOT_FOUND_TEMPLATE])
        .collect();
    lap("planned");
    let views = Arc::new(Views::build(site, &bodies, memos));
    lap("built views");
    let index = memos.call_digested(&IndexSource::of(site, &other_outputs, fingerprints), LookupIndex::new);
    let lookup =
        Arc::new(Lookup::new(site, Arc::clone(&views), index, SiteData::new(data, data_files), images));
    lap("built the lookup");
    let (tera, template_paths) = build_tera(templates, &site.config, &views.config, Arc::clone(&lookup))?;
    check_templates_exist(site, &tera)?;
    let environment = RenderEnvironment::new(
        &tera,
        &template_paths,
        templates,
        (views.config(), &site.config.base_url),
        &lookup,
    );
    lap("built tera");

    let jobs = jobs(site, &plan);
    lap("listed jobs");
    let renderer = Renderer {
        site,
        tera: &tera,
        views: &views,
        plan: &plan,
        environment: &environment,
        render: memos.recorded_function(memo::render_output),
        redirect: memos.digested_function(redirect_page),
        section_pages_read: reads::may_read_field(templates, "section", "pages"),
    };
    let results: Vec<Result<Produced>> = jobs
        .par_iter()
        .map(|job| {
            let output = renderer.render(job)?;
            let Some(settle) = settle else { return Ok(output) };
            Ok(Produced { file: settle(output.file)?, ..output })
        })
        .collect();
    lap("ran jobs");
    let mut files = Vec::with_capacity(results.len() + 2 * feeds.len() + 3);
    let mut stats = RenderStats::default();
    let mut errors = Vec::new();
    let mut image_queries: HashSet<&ImageQuery> = HashSet::default();
    for produced in results.iter().flatten() {
        image_queries.extend(produced.images.iter());
    }
    let mut image_jobs: BTreeMap<String, ImageJob> = BTreeMap::new();
    for query in image_queries {
        // A failed query failed its render, which is reported.
        if let Ok(job) = lookup.image_job(query) {
            image_jobs.insert(job.output_path.clone(), job);
        }
    }
    for result in results {
        match result {
            Ok(Produced { file, origin, .. }) => {
                match origin {
                    Origin::Rendered => {
                        if stats.rendered < 5 {
                            log::debug!("render: rendered `{}`", file.output_path);
                        }
                        stats.rendered += 1;
                    }
                    Origin::Reused => stats.reused += 1,
                    Origin::Built => {}
                }
                files.push(file);
            }
            Err(error) => errors.push(error),
        }
    }
    Error::fail_if_any(merge_repeated(errors))?;
    lap("rendered jobs");
    // Feeds are built without templates, from the model.
    let (feed_files, feed_stats) = feeds::render(site, &bodies, &feeds, memos);
    files.extend(feed_files.into_iter().filter(|file| !replaced.contains(file.output_path.as_str())));
    stats.rendered += feed_stats.rendered;
    stats.reused += feed_stats.reused;
    lap("rendered feeds");
    // Written again only when its entries changed (writing 14,000 URLs and dates each serve
    // run cost more than telling).
    if plan.sitemap {
        let sitemap = sitemap::files(&sitemap::SitemapSource::of(site, &plan), memos);
        files.extend(sitemap.iter().cloned());
    }
    lap("rendered the sitemap");
    drop(renderer);
    drop_in_background((views, lookup, tera, bodies));
    Ok(Rendered { files, images: image_jobs.into_values().collect(), stats })
}

/// Frees `value` on another thread. A site's views and its model are tens of thousands of
/// small allocations; freeing them took a tenth of a `serve` rebuild at 10,000 posts, time
/// the rebuild need not wait for.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new().name("quire-drop".into()).spawn(move || drop(value));
    // Without a thread, the value is dropped here, as it would have been.
    drop(spawned);
}

/// One rendered output and where its bytes came from.
struct Produced {
    file: RenderedFile,
    origin: Origin,
    /// The `resize_image` calls its templates made.
    images: Arc<[ImageQuery]>,
}

/// Where an output's bytes came from.
enum Origin {
    /// Rendered through a template now.
    Rendered,
    /// The previous run's render, still valid.
    Reused,
    /// Built without the memos (redirects, the 404 page and robots.txt): single or cheap.
    Built,
}

/// One output to render.
enum Job<'a> {
    Page(usize),
    Pager {
        section: usize,
        pager: usize,
    },
    TaxonomyList(usize),
    TermPager {
        taxonomy: usize,
        term: usize,
        pager: usize,
    },
    Archive(&'a str),
    /// A template under `templates/outputs/`.
    Output(&'a plan::TemplateOutput),
    Redirect(&'a Redirect),
    NotFound(Source),
    Robots(Source),
    RedirectsFile,
    HeadersFile,
}

/// Every templated output first, then the ones built without a template (redirects, the
/// 404 page, robots.txt).
fn jobs<'a>(site: &'a Site, plan: &'a Plan) -> Vec<Job<'a>> {
    let pages = (0..site.pages.len()).filter(|&id| site.pages[id].is_rendered()).map(Job::Page);
    let pagers = site
        .sections
        .iter()
        .enumerate()
        .flat_map(|(section, s)| (0..s.pagers.len()).map(move |pager| Job::Pager { section, pager }));
    let rendered_taxonomies =
        site.taxonomies.iter().enumerate().filter(|(index, _)| plan.taxonomies[*index].is_some());
    let taxonomy_pages = rendered_taxonomies.flat_map(|(taxonomy, t)| {
        let terms = t.terms.iter().enumerate().flat_map(move |(term, tm)| {
            (0..tm.pagers.len()).map(move |pager| Job::TermPager { taxonomy, term, pager })
        });
        std::iter::once(Job::TaxonomyList(taxonomy)).chain(terms)
    });
    let archive =
        plan.archive.as_deref().map(Job::Archive).into_iter().chain(plan.outputs.iter().map(Job::Output));
    let redirects = site.redirects.iter().chain(&plan.redirects).map(Job::Redirect);
    let special = plan.not_found.map(Job::NotFound).into_iter().chain(plan.robots.map(Job::Robots));
    let cdn_files = plan
        .redirects_file
        .then_some(Job::RedirectsFile)
        .into_iter()
        .chain(plan.headers_file.then_some(Job::HeadersFile));
    let special = special.chain(cdn_files);
    pages.chain(pagers).chain(taxonomy_pages).chain(archive).chain(redirects).chain(special).collect()
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

/// The templates, with Quire's functions answering from `lookup` and `config` (the `config`
/// value, made from `settings`) in every template's context; with each template's file.
fn build_tera(
    templates: &[TemplateFile],
    settings: &Config,
    config: &Value,
    lookup: Arc<Lookup>,
) -> Result<(Tera, BTreeMap<String, PathBuf>)> {
    let mut by_name: BTreeMap<&str, &TemplateFile> = BTreeMap::new();
    for template in templates {
        by_name.insert(&template.name, template);
    }
    let mut tera = Tera::new();
    functions::register(&mut tera, lookup, settings.markdown.clone());
    tera.global_context().insert_value("config", config.clone());
    tera.add_raw_templates(by_name.iter().map(|(name, t)| (*name, t.text.as_str())))
        .map_err(|error| template_error(&error, None, &by_name))?;
    let paths = by_name.iter().map(|(name, t)| (name.to_string(), t.display_path.clone())).collect();
    Ok((tera, paths))
}

/// The errors with each template error that many pages share (a broken link in the base
/// template's menu) reported once, from the first page, saying how many other pages have it.
fn merge_repeated(errors: Vec<Error>) -> Vec<Error> {
    let mut merged: Vec<(Error, usize)> = Vec::with_capacity(errors.len());
    let mut first: HashMap<(String, String), usize> = HashMap::new();
    for error in errors {
        if let Error::Template { template, detail, .. } = &error {
            match first.entry((template.clone(), detail.clone())) {
                Entry::Occupied(at) => {
                    merged[*at.get()].1 += 1;
                    continue;
                }
                Entry::Vacant(slot) => {
                    slot.insert(merged.len());
                }
            }
        }
        merged.push((error, 0));
    }
    merged
        .into_iter()
        .map(|(mut error, others)| {
            if let Error::Template { detail, .. } = &mut error {
                if others > 0 {
                    let pages = if others == 1 { "page" } else { "pages" };
                    detail.push_str(&format!("\n(the same error on {others} other {pages})"));
                }
            }
            error
        })
        .collect()
}

fn template_error(
    error: &tera::Error,
    page: Option<PathBuf>,
    paths: &BTreeMap<&str, &TemplateFile>,
) -> Error {
    let name = failing_template(error).or_else(|| template_named_in_report(error));
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

/// The template a report points at (` --> page.html:2:24`), for errors whose kind does not say.
fn template_named_in_report(error: &tera::Error) -> Option<String> {
    let mut cause: Option<&dyn std::error::Error> = Some(error);
    while let Some(current) = cause {
        let text = current.to_string();
        let named = text.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix("--> ")?;
            let name = rest.rsplitn(3, ':').nth(2)?;
            Some(name.to_string()).filter(|n| !n.is_empty())
        });
        if named.is_some() {
            return named;
        }
        cause = current.source();
    }
    None
}

fn template_hint(detail: &str) -> Option<String> {
    if detail.contains("get_url") && detail.contains("in config.toml)") {
        Some(
            "fix that value in config.toml: a page's or section's URL (`/blog/`), or a file in `static/`"
                .into(),
        )
    } else if detail.contains("`load_data`") {
        Some(
            "`load_data(path=…)` reads a file inside the site, by its path from the site's folder: `data/books.csv`, `static/api.json`, or `@/blog/table.csv` for `content/`"
                .into(),
        )
    } else if detail.contains("get_url") {
        Some(
            "`@/` paths are relative to `content/` (`@/blog/post.md`); other paths name files in `static/`"
                .into(),
        )
    } else if detail.contains("Circular include") || detail.contains("Circular extend") {
        Some("a template cannot include or extend itself, directly or through other templates: move the shared part into a partial".into())
    } else if detail.contains("Unknown filter")
        || detail.contains("Unknown function")
        || detail.contains("Unknown test")
    {
        Some("check the name: Tera's built-in filters, functions and tests are listed at https://keats.github.io/tera/docs/".into())
    } else if detail.contains("is not defined in any parent template") {
        Some("a template can only fill the blocks its parent template defines: add the block to the parent, or remove it from the child".into())
    } else if detail.contains("not defined")
        || detail.contains("not found in context")
        || detail.contains("on type `undefined`")
    {
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
    for page in site.pages.iter().filter(|p| p.is_rendered()) {
        need(&page_template(site, page, tera), &page.display_path);
    }
    Error::fail_if_any(errors)?;
    Ok(())
}

fn section_template<'a>(_site: &Site, section: &'a crate::site::Section) -> &'a str {
    match &section.template {
        Some(template) => template,
        None if section.url_path == "/" && !section.content_path.contains('/') => "index.html",
        None => "section.html",
    }
}

/// The page's `template`, else its Jekyll `layout` if the theme has `LAYOUT.html`, else its
/// section's `page_template`, else `page.html`.
fn page_template<'a>(site: &'a Site, page: &'a crate::site::Page, tera: &Tera) -> Cow<'a, str> {
    if let Some(template) = &page.template {
        return template.into();
    }
    if let Some(layout) = page.layout.as_deref().map(|l| format!("{l}.html")) {
        if tera.contains_template(&layout) {
            return layout.into();
        }
    }
    page.section.and_then(|id| site.sections[id].page_template.as_deref()).unwrap_or("page.html").into()
}

struct Renderer<'a, F, R> {
    site: &'a Site,
    tera: &'a Tera,
    views: &'a Views,
    plan: &'a Plan,
    environment: &'a RenderEnvironment<'a>,
    /// Each templated output's render, through the memos.
    render: RecordedFunction<memo::RenderedOutput, Query, F>,
    /// Each redirect page, through the memos.
    redirect: DigestedFunction<Arc<[u8]>, R>,
    /// Whether some template may reach `section.pages` (see `reads`). When none can, pagers
    /// are given their section without its pages, so that a pager's bytes, and its key,
    /// depend only on the pages it lists.
    section_pages_read: bool,
}

impl<F, R> Renderer<'_, F, R>
where
    F: Fn(&RenderArgument<'_>, &RenderEnvironment<'_>) -> (Result<memo::RenderedOutput>, Vec<Query>)
        + Copy
        + Send
        + Sync
        + 'static,
    R: Fn(&RedirectPage<'_>) -> Arc<[u8]> + Copy + Send + Sync + 'static,
{
    /// Renders `job`.
    fn render(&self, job: &Job<'_>) -> Result<Produced> {
        let templated = |template: &str, url_path: &str, source: &Path, context: Context<'_>| {
            self.render_templated(&RenderArgument { template, url_path, source, context })
        };
        match *job {
            Job::Page(id) => {
                let page = &self.site.pages[id];
                let template = page_template(self.site, page, self.tera);
                let context = Context::Page { page: self.views.page(id) };
                templated(&template, &page.url_path, &page.display_path, context)
            }
            Job::Pager { section, pager } => {
                let s = &self.site.sections[section];
                let list = PageList { pages: &s.pages, pagers: &s.pagers, paginate_by: s.paginate_by };
                let section_view = match self.section_pages_read {
                    true => self.views.section(section),
                    false => self.views.section_head(section),
                };
                let context =
                    Context::Pager { section: section_view, paginator: self.paginator(&list, pager) };
                let template = section_template(self.site, s);
                templated(template, &s.pagers[pager].url_path, &s.display_path, context)
            }
            Job::TaxonomyList(index) => {
                let taxonomy = &self.site.taxonomies[index];
                let templates =
                    self.plan.taxonomies[index].as_ref().expect("only planned taxonomies get jobs");
                let context = Context::TaxonomyList { taxonomy: self.views.taxonomy_list(index) };
                let source = PathBuf::from(&taxonomy.url_path);
                templated(&templates.list, &taxonomy.url_path, &source, context)
            }
            Job::TermPager { taxonomy: index, term, pager } => {
                let taxonomy = &self.site.taxonomies[index];
                let templates =
                    self.plan.taxonomies[index].as_ref().expect("only planned taxonomies get jobs");
                let t = &taxonomy.terms[term];
                let list = PageList { pages: &t.pages, pagers: &t.pagers, paginate_by: taxonomy.paginate_by };
                let context = Context::TermPager {
                    taxonomy: self.views.taxonomy_head(index),
                    term: self.views.term(index, term),
                    paginator: self.paginator(&list, pager),
                };
                let source = PathBuf::from(&t.url_path);
                templated(&templates.single, &t.pagers[pager].url_path, &source, context)
            }
            Job::Archive(url_path) => {
                let context = Context::Archive { archive: self.views.archive() };
                templated(plan::ARCHIVE_TEMPLATE, url_path, Path::new(url_path), context)
            }
            Job::Output(output) => {
                templated(&output.template, &output.url_path, &output.source, Context::Plain)
            }
            Job::Redirect(redirect) => {
                Ok(Produced { file: self.redirect(redirect), origin: Origin::Built, images: Arc::default() })
            }
            Job::NotFound(source) => {
                let url_path = "/404.html";
                let html = match source {
                    Source::Template => {
                        memo::render_plain(self.environment, plan::NOT_FOUND_TEMPLATE, url_path)?
                    }
                    Source::BuiltIn => self.not_found(),
                };
                let file =
                    RenderedFile { output_path: "404.html".into(), contents: html.into_bytes().into() };
                Ok(Produced { file, origin: Origin::Built, images: Arc::default() })
            }
            Job::Robots(source) => {
                let url_path = "/robots.txt";
                let text = match source {
                    Source::Template => {
                        memo::render_plain(self.environment, plan::ROBOTS_TEMPLATE, url_path)?
                    }
                    Source::BuiltIn => sitemap::robots(&self.site.config.base_url),
                };
                let file =
                    RenderedFile { output_path: "robots.txt".into(), contents: text.into_bytes().into() };
                Ok(Produced { file, origin: Origin::Built, images: Arc::default() })
            }
            Job::RedirectsFile => {
                let redirects = self.site.redirects.iter().chain(&self.plan.redirects);
                let text = cdn_files::redirects(&self.site.config.base_url, redirects);
                let file =
                    RenderedFile { output_path: "_redirects".into(), contents: text.into_bytes().into() };
                Ok(Produced { file, origin: Origin::Built, images: Arc::default() })
            }
            Job::HeadersFile => {
                let text = cdn_files::headers(&self.site.config.base_url, &self.site.config.deploy.matchers);
                let file =
                    RenderedFile { output_path: "_headers".into(), contents: text.into_bytes().into() };
                Ok(Produced { file, origin: Origin::Built, images: Arc::default() })
            }
        }
    }

    /// Renders the output `argument` stands for through the memos: the last run's bytes when
    /// it had an equal argument and every lookup that render made gets the same answer.
    fn render_templated(&self, argument: &RenderArgument<'_>) -> Result<Produced> {
        let (output, reuse) = self.render.try_call(argument, self.environment);
        let memo::RenderedOutput { bytes, images } = output?;
        let file = RenderedFile { output_path: url::output_path(argument.url_path), contents: bytes };
        let origin = match reuse {
            Reuse::Computed => Origin::Rendered,
            Reuse::Reused => Origin::Reused,
        };
        Ok(Produced { file, origin, images })
    }

    fn paginator<'l>(&'l self, list: &PageList<'l>, pager_index: usize) -> Paginator<'l> {
        let pagers = list.pagers;
        let pager = &pagers[pager_index];
        let link = |index: Option<usize>| index.and_then(|i| pagers.get(i)).map(|p| p.url_path.as_str());
        Paginator {
            pages: &list.pages[pager.items.clone()],
            views: self.views,
            numbers: [
                ("current_index", pager.index),
                ("number_pagers", pagers.len()),
                ("paginate_by", list.paginate_by),
                ("total_pages", list.pages.len()),
            ],
            links: [
                ("first", link(Some(0))),
                ("last", link(Some(pagers.len() - 1))),
                ("previous", link(pager_index.checked_sub(1))),
                ("next", link(Some(pager_index + 1))),
            ],
        }
    }

    /// A plain page for sites whose theme has no `404.html`.
    fn not_found(&self) -> String {
        let config = &self.site.config;
        let home = html::escape(&config.base_url);
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>Page not found</title>\n</head>\n<body>\n<h1>Page not found</h1>\n\
             <p>There is nothing at this address. <a href=\"{home}\">Go to the home page of {title}</a>.</p>\n</body>\n</html>\n",
            lang = html::escape(&config.language),
            title = html::escape(if config.title.is_empty() { "this site" } else { &config.title }),
        )
    }

    fn redirect(&self, redirect: &Redirect) -> RenderedFile {
        let target = url::permalink(&self.site.config.base_url, &redirect.target);
        // Through the memos, so that an unchanged redirect is the very bytes of the last run,
        // which the link check knows by their identity and does not scan again.
        let page = RedirectPage { target: &target, language: &self.site.config.language };
        let contents = self.redirect.call(&page);
        // A file alias (`/old/post.html`) is written as that file, a folder one as its index.
        let output_path = if redirect.url_path.ends_with('/') {
            url::output_path(&redirect.url_path)
        } else {
            redirect.url_path.trim_start_matches('/').to_string()
        };
        RenderedFile { output_path, contents }
    }
}

/// What a redirect page is written from.
#[derive(Hash)]
struct RedirectPage<'a> {
    /// The permalink it sends to.
    target: &'a str,
    /// The site's language.
    language: &'a str,
}

/// A redirect page's bytes.
fn redirect_page(page: &RedirectPage<'_>) -> Arc<[u8]> {
    let escaped = html::escape(page.target);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Redirect</title>\n\
         <link rel=\"canonical\" href=\"{escaped}\">\n<meta http-equiv=\"refresh\" content=\"0; url={escaped}\">\n\
         </head>\n<body>\n<p>This page has moved to <a href=\"{escaped}\">{escaped}</a>.</p>\n</body>\n</html>\n",
        lang = html::escape(page.language),
    );
    html.into_bytes().into()
}

/// A paginated list of pages: a section's or a term's.
struct PageList<'a> {
    pages: &'a [PageId],
    pagers: &'a [Pager],
    paginate_by: usize,
}
