//! Stage 4, render: the site model through Tera templates into files in memory.
//!
//! Every output is rendered before anything is written, so a template error anywhere leaves
//! the output folder untouched. Pages render in parallel; views are built once. Feeds, the
//! sitemap and the absolute URLs inside feeds have modules of their own. An output whose
//! render key is unchanged since the previous run is reused, not rendered (`memo`).

pub mod absolute_urls;
pub mod context;
pub mod fallbacks;
pub mod feeds;
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

use crate::error::{Error, Result};
use crate::incremental::{Memos, ValueHashes};
use crate::load::TemplateFile;
use crate::shared_text::SharedText;
use crate::site::pagination::Pager;
use crate::site::{url, PageId, Redirect, Site};
use context::RenderContext;
use feeds::Feed;
use functions::{IndexSource, Lookup, LookupIndex};
use memo::{CachedRender, Interner, RenderCache, RenderStats, Reuse};
use plan::{Plan, PlanInput, Source};
use views::Views;

/// A file produced by rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Path under the output folder, with `/` separators: `blog/a/index.html`.
    pub output_path: String,
    /// The bytes to write, shared with the render cache.
    pub contents: Arc<[u8]>,
}

/// What rendering produced: the files, the cache for the next run, and what was reused.
#[derive(Debug)]
pub struct Rendered {
    /// Every rendered file.
    pub files: Vec<RenderedFile>,
    /// The renders of this run, to pass back as `RenderInput::previous` next time.
    pub cache: RenderCache,
    /// How many outputs were rendered and how many reused.
    pub stats: RenderStats,
}

/// What the renderer needs besides the site.
pub struct RenderInput<'a> {
    /// The site model. Rendering expands the shortcodes in it, in place: a copy of the site
    /// for that held every page's HTML twice.
    pub site: &'a mut Site,
    /// Templates, theme first then the site's (later ones override earlier ones by name).
    pub templates: &'a [TemplateFile],
    /// Output paths of the static files, so `get_url` can check them.
    pub static_outputs: Vec<String>,
    /// The previous run's renders (empty for a clean build); valid ones are reused.
    pub previous: &'a RenderCache,
    /// The memos the render's pure functions are called through.
    pub memos: &'a Memos,
    /// Given each templated output as soon as it is rendered, returns what rendering keeps of
    /// it: a one-shot build writes the bytes aside and keeps none (see `write::Staging`).
    /// Such outputs are not cached: there is no next run.
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
    let RenderInput { site, templates, static_outputs, previous, memos, settle } = input;
    let started = std::time::Instant::now();
    let lap = |what: &str| {
        log::debug!("render: {what} at {:?}{}", started.elapsed(), crate::resident_memory::note())
    };
    let templates = &with_builtins(&fallbacks::fit_to_site_base(templates));
    // From here on, pages and sections hold their shortcodes' output, for templates and feeds
    // (and so for the render keys, which hash the views built from them).
    expand_shortcodes(site, templates, &static_outputs, memos)?;
    let site: &Site = site;
    let template_names: HashSet<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    let copied: HashSet<&str> = static_outputs
        .iter()
        .map(String::as_str)
        .chain(site.assets.iter().map(|a| a.output_path.as_str()))
        .collect();
    let plan = Plan::new(PlanInput { site, templates: &template_names, copied: &copied })?;
    for warning in &plan.warnings {
        log::warn!("{warning}");
    }
    let feeds = feeds::feeds(site);
    // Every output besides pages and pagers, for `get_url`.
    let feed_paths: Vec<String> = feeds.iter().flat_map(Feed::output_paths).collect();
    let other_outputs: Vec<&str> = static_outputs
        .iter()
        .map(String::as_str)
        .chain(plan.html_url_paths(site).map(|(url_path, _)| url_path.trim_start_matches('/')))
        .chain(feed_paths.iter().map(String::as_str))
        .chain(["sitemap.xml", "robots.txt", "404.html"])
        .collect();
    lap("planned");
    let views = Views::build(site, memos);
    lap("built views");
    let index = memos.call_digested(&IndexSource::of(site, &other_outputs), LookupIndex::new);
    let lookup = Arc::new(Lookup::new(site, Some(&views), index));
    lap("built the lookup");
    let (tera, template_paths) = build_tera(templates, &views.config, Arc::clone(&lookup), site)?;
    check_templates_exist(site, &tera)?;
    lap("built tera");
    let hashes = views.value_hashes(templates);
    lap("hashed views");

    let jobs = jobs(site, &plan);
    lap("listed jobs");
    let renderer = Renderer {
        site,
        tera: &tera,
        views: &views,
        template_paths: &template_paths,
        plan: &plan,
        hashes: &hashes,
        lookup: &lookup,
        reuse: Reuse::new(previous, |query| lookup.answer_hash(query, &hashes)),
        section_pages_read: reads::may_read_field(templates, "section", "pages"),
    };
    let results: Vec<Result<Output>> = jobs
        .par_iter()
        .enumerate()
        .map(|(position, job)| {
            let output = renderer.render(job, position)?;
            let Some(settle) = settle else { return Ok(output) };
            let origin = match output.origin {
                Origin::Rendered(..) => Origin::Settled,
                origin => origin,
            };
            Ok(Output { file: settle(output.file)?, origin })
        })
        .collect();
    lap("ran jobs");
    let mut files = Vec::with_capacity(results.len() + 2 * feeds.len() + 3);
    let mut cache = Vec::with_capacity(results.len());
    let mut stats = RenderStats::default();
    let mut errors = Vec::new();
    let mut interner = Interner::default();
    for result in results {
        match result {
            Ok(Output { file, origin }) => {
                match origin {
                    Origin::Rendered(path, render) => {
                        if stats.rendered < 5 {
                            log::debug!("render: rendered `{}`", file.output_path);
                        }
                        stats.rendered += 1;
                        cache.push((path, interner.intern(render)));
                    }
                    Origin::Reused(path, render) => {
                        stats.reused += 1;
                        cache.push((path, interner.intern(render)));
                    }
                    Origin::Settled => stats.rendered += 1,
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
    let (feed_files, feed_stats) = feeds::render(site, &feeds, memos);
    files.extend(feed_files);
    stats.rendered += feed_stats.rendered;
    stats.reused += feed_stats.reused;
    lap("rendered feeds");
    // Written again only when its entries changed (writing 14,000 URLs and dates each serve
    // run cost more than telling).
    let sitemap = memos.call_digested(&sitemap::SitemapSource::of(site, &plan), sitemap::files);
    files.extend(sitemap.iter().cloned());
    lap("rendered the sitemap");
    let cache: RenderCache = cache.into_iter().collect();
    lap("collected the cache");
    lap("kept views");
    drop(hashes);
    drop_in_background((views, lookup, tera));
    Ok(Rendered { files, cache, stats })
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
struct Output {
    file: RenderedFile,
    origin: Origin,
}

/// Where an output's bytes came from. A cached output comes with the cache's copy of its
/// path, made on the thread that rendered it rather than in the sequential collecting.
enum Origin {
    /// Rendered through a template now; cached for the next run.
    Rendered(String, CachedRender),
    /// The previous run's render, still valid.
    Reused(String, CachedRender),
    /// Built without the cache (redirects, the 404 page and robots.txt): single or cheap.
    Built,
    /// Rendered now and given to [`RenderInput::settle`]; not cached.
    Settled,
}

/// One output to render.
enum Job<'a> {
    Page(usize),
    Pager { section: usize, pager: usize },
    TaxonomyList(usize),
    TermPager { taxonomy: usize, term: usize, pager: usize },
    Archive(&'a str),
    Redirect(&'a Redirect),
    NotFound(Source),
    Robots(Source),
}

/// Every templated output first, then the ones built without a template (redirects, the
/// 404 page, robots.txt): the render memo holds the templated ones in this order.
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
    let archive = plan.archive.as_deref().map(Job::Archive);
    let redirects = site.redirects.iter().chain(&plan.redirects).map(Job::Redirect);
    let special = plan.not_found.map(Job::NotFound).into_iter().chain(plan.robots.map(Job::Robots));
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

/// Renders the shortcodes of every page and section, with a Tera of their own: they render
/// before the views that the full template functions read exist, so only `get_url` works.
/// The placeholders in pages and sections are replaced in place.
fn expand_shortcodes(
    site: &mut Site,
    templates: &[TemplateFile],
    static_outputs: &[String],
    memos: &Memos,
) -> Result<()> {
    let has_calls = site.pages.iter().any(|p| !p.shortcodes.is_empty())
        || site.sections.iter().any(|s| !s.shortcodes.is_empty());
    if !has_calls {
        return Ok(());
    }
    let static_outputs: Vec<&str> = static_outputs.iter().map(String::as_str).collect();
    let index = memos.call_digested(&IndexSource::of(site, &static_outputs), LookupIndex::new);
    let lookup = Arc::new(Lookup::new(site, None, index));
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
    let errors: Vec<Error> = site
        .pages
        .par_iter_mut()
        .filter(|page| !page.shortcodes.is_empty())
        .flat_map_iter(|page| {
            let content = expander.expand(&page.content, &page.shortcodes, &page.display_path);
            // The summary repeats the calls at the content's start: their errors are reported
            // once, from the content.
            page.summary = page.summary.as_ref().map(|summary| {
                expander.expand(summary, &page.shortcodes, &page.display_path).unwrap_or_default().into()
            });
            match content {
                Ok(content) => {
                    page.content = SharedText::from(content);
                    Vec::new()
                }
                Err(errors) => errors,
            }
        })
        .collect();
    let mut errors = errors;
    for section in site.sections.iter_mut().filter(|s| !s.shortcodes.is_empty()) {
        match expander.expand(&section.content, &section.shortcodes, &section.display_path) {
            Ok(content) => section.content = SharedText::from(content),
            Err(list) => errors.extend(list),
        }
    }
    Error::fail_if_any(errors)
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

struct Renderer<'a> {
    site: &'a Site,
    tera: &'a Tera,
    views: &'a Views,
    template_paths: &'a BTreeMap<String, PathBuf>,
    plan: &'a Plan,
    hashes: &'a ValueHashes<'a>,
    lookup: &'a Lookup,
    reuse: Reuse<'a>,
    /// Whether some template may reach `section.pages` (see `reads`). When none can, pagers
    /// are given their section without its pages, so that a pager's bytes, and its key,
    /// depend only on the pages it lists.
    section_pages_read: bool,
}

impl Renderer<'_> {
    /// Renders `job`, the `position`th of the run (where its previous render is looked for
    /// first).
    fn render(&self, job: &Job<'_>, position: usize) -> Result<Output> {
        match *job {
            Job::Page(id) => {
                let page = &self.site.pages[id];
                let view = &self.views.pages[id];
                let template = page_template(self.site, page, self.tera);
                let mut context = self.context(&page.url_path);
                context.insert_value("page", view.clone());
                self.render_context(position, &template, &page.url_path, &page.display_path, context)
            }
            Job::Pager { section, pager } => {
                let s = &self.site.sections[section];
                let list = PageList { pages: &s.pages, pagers: &s.pagers, paginate_by: s.paginate_by };
                let paginator = self.paginator(&list, pager);
                let url_path = &s.pagers[pager].url_path;
                let view = match self.section_pages_read {
                    true => &self.views.sections[section],
                    false => &self.views.section_heads[section],
                };
                let template = section_template(self.site, s);
                let mut context = self.context(url_path);
                context.insert_value("section", view.clone());
                context.insert_value("paginator", paginator.to_value(self.views));
                self.render_context(position, template, url_path, &s.display_path, context)
            }
            Job::TaxonomyList(index) => {
                let taxonomy = &self.site.taxonomies[index];
                let templates =
                    self.plan.taxonomies[index].as_ref().expect("only planned taxonomies get jobs");
                let mut context = self.context(&taxonomy.url_path);
                context.insert_value("taxonomy", self.views.taxonomy_lists[index].clone());
                let source = PathBuf::from(&taxonomy.url_path);
                self.render_context(position, &templates.list, &taxonomy.url_path, &source, context)
            }
            Job::TermPager { taxonomy: index, term, pager } => {
                let taxonomy = &self.site.taxonomies[index];
                let templates =
                    self.plan.taxonomies[index].as_ref().expect("only planned taxonomies get jobs");
                let t = &taxonomy.terms[term];
                let url_path = &t.pagers[pager].url_path;
                let list = PageList { pages: &t.pages, pagers: &t.pagers, paginate_by: taxonomy.paginate_by };
                let paginator = self.paginator(&list, pager);
                let head = &self.views.taxonomy_heads[index];
                let source = PathBuf::from(&t.url_path);
                let mut context = self.context(url_path);
                context.insert_value("taxonomy", head.clone());
                context.insert_value("term", self.views.terms[index][term].clone());
                context.insert_value("paginator", paginator.to_value(self.views));
                self.render_context(position, &templates.single, url_path, &source, context)
            }
            Job::Archive(url_path) => {
                let mut context = self.context(url_path);
                context.insert_value("archive", self.views.archive.clone());
                let source = PathBuf::from(url_path);
                self.render_context(position, plan::ARCHIVE_TEMPLATE, url_path, &source, context)
            }
            Job::Redirect(redirect) => Ok(Output { file: self.redirect(redirect), origin: Origin::Built }),
            Job::NotFound(source) => {
                let url_path = "/404.html";
                let html = match source {
                    Source::Template => {
                        let context = self.context(url_path);
                        self.render_named(plan::NOT_FOUND_TEMPLATE, &context, Path::new(url_path))?
                    }
                    Source::BuiltIn => self.not_found(),
                };
                let file =
                    RenderedFile { output_path: "404.html".into(), contents: html.into_bytes().into() };
                Ok(Output { file, origin: Origin::Built })
            }
            Job::Robots(source) => {
                let url_path = "/robots.txt";
                let text = match source {
                    Source::Template => {
                        let context = self.context(url_path);
                        self.render_named(plan::ROBOTS_TEMPLATE, &context, Path::new(url_path))?
                    }
                    Source::BuiltIn => sitemap::robots(&self.site.config.base_url),
                };
                let file =
                    RenderedFile { output_path: "robots.txt".into(), contents: text.into_bytes().into() };
                Ok(Output { file, origin: Origin::Built })
            }
        }
    }

    fn context(&self, url_path: &str) -> RenderContext {
        let mut context = RenderContext::new();
        // Made for every output of every run, rendered or reused: no detour through serde.
        context.insert_value("current_path", Value::from(url_path));
        context
            .insert_value("current_url", Value::from(url::permalink(&self.site.config.base_url, url_path)));
        context
    }

    fn paginator<'l>(&self, list: &PageList<'l>, pager_index: usize) -> Paginator<'l> {
        let pagers = list.pagers;
        let pager = &pagers[pager_index];
        let base_url = &self.site.config.base_url;
        let link = |index: Option<usize>| {
            index.and_then(|i| pagers.get(i)).map(|p| url::permalink(base_url, &p.url_path))
        };
        Paginator {
            pages: &list.pages[pager.items.clone()],
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

    /// Renders `template` with `context`, or reuses the previous bytes when the render's key
    /// (the template set, the template, the output path and the hash of `context`) is the
    /// same as last run's and every lookup the last render made gets the same answer.
    fn render_context(
        &self,
        position: usize,
        template: &str,
        url_path: &str,
        source: &Path,
        context: RenderContext,
    ) -> Result<Output> {
        let output_path = url::output_path(url_path);
        let key = self.hashes.render_key(template, &output_path, &context.key_entries(self.hashes));
        if let Some(previous) = self.reuse.get(position, &output_path, key) {
            let contents = Arc::clone(previous.contents());
            let origin = Origin::Reused(output_path.clone(), previous);
            return Ok(Output { file: RenderedFile { output_path, contents }, origin });
        }
        let answer = |query: &queries::Query| self.lookup.answer_hash(query, self.hashes);
        let (html, queries) = queries::recording(|| self.render_named(template, &context, source));
        let answers = queries.into_iter().map(|q| (q.clone(), answer(&q))).collect();
        let contents: Arc<[u8]> = html?.into_bytes().into();
        let render = CachedRender::new(key, answers, Arc::clone(&contents));
        let origin = Origin::Rendered(output_path.clone(), render);
        Ok(Output { file: RenderedFile { output_path, contents }, origin })
    }

    fn render_named(&self, template: &str, context: &RenderContext, source: &Path) -> Result<String> {
        self.tera.render(template, &context.to_tera()).map_err(|error| {
            let name = failing_template(&error).unwrap_or_else(|| template.to_string());
            let shown = self.template_paths.get(&name).map(|p| p.display().to_string()).unwrap_or(name);
            template_error_named(&error, shown, Some(source.to_path_buf()))
        })
    }

    /// A plain page for sites whose theme has no `404.html`.
    fn not_found(&self) -> String {
        let config = &self.site.config;
        let home = escape_html(&config.base_url);
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>Page not found</title>\n</head>\n<body>\n<h1>Page not found</h1>\n\
             <p>There is nothing at this address. <a href=\"{home}\">Go to the home page of {title}</a>.</p>\n</body>\n</html>\n",
            lang = escape_html(&config.language),
            title = escape_html(if config.title.is_empty() { "this site" } else { &config.title }),
        )
    }

    fn redirect(&self, redirect: &Redirect) -> RenderedFile {
        let target = url::permalink(&self.site.config.base_url, &redirect.target);
        let escaped = escape_html(&target);
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Redirect</title>\n\
             <link rel=\"canonical\" href=\"{escaped}\">\n<meta http-equiv=\"refresh\" content=\"0; url={escaped}\">\n\
             </head>\n<body>\n<p>This page has moved to <a href=\"{escaped}\">{escaped}</a>.</p>\n</body>\n</html>\n",
            lang = escape_html(&self.site.config.language),
        );
        // A file alias (`/old/post.html`) is written as that file, a folder one as its index.
        let output_path = if redirect.url_path.ends_with('/') {
            url::output_path(&redirect.url_path)
        } else {
            redirect.url_path.trim_start_matches('/').to_string()
        };
        RenderedFile { output_path, contents: html.into_bytes().into() }
    }
}

/// What a template's `paginator` holds, before it is a value.
struct Paginator<'a> {
    pages: &'a [PageId],
    numbers: [(&'static str, usize); 4],
    links: [(&'static str, Option<String>); 4],
}

impl Paginator<'_> {
    /// `paginator`: `pages` (light views), the counts and the links to other pagers.
    fn to_value(&self, views: &Views) -> Value {
        let pages: Vec<Value> = self.pages.iter().map(|&id| views.light_pages[id].clone()).collect();
        let numbers = self.numbers.iter().map(|&(name, n)| (name, Value::from(n)));
        let links = self
            .links
            .iter()
            .map(|(name, link)| (*name, link.as_deref().map_or_else(Value::none, Value::from)));
        // Made for every pager of every run: sized once rather than grown.
        let mut map = tera::Map::with_capacity(1 + self.numbers.len() + self.links.len());
        for (key, value) in std::iter::once(("pages", Value::from(pages))).chain(numbers).chain(links) {
            map.insert(key.into(), value);
        }
        Value::from(map)
    }
}

/// A paginated list of pages: a section's or a term's.
struct PageList<'a> {
    pages: &'a [PageId],
    pagers: &'a [Pager],
    paginate_by: usize,
}

/// Escapes text for an HTML element or a double-quoted attribute.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing to a `String` cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}
