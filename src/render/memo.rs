//! The render of one templated output as a memoized function: what it is rendered from
//! ([`RenderArgument`]: the template, the URL path and the views its context holds) and what
//! it may ask while it runs ([`RenderEnvironment`]: the templates, and the lookups of
//! `get_page`, `get_section`, `get_taxonomy`, `get_archive` and `get_url`).
//!
//! [`render_output`] is called through `incremental::Memos`: the argument is the key (each
//! view by the hash made when it was built, so an output whose views are those of the last
//! run is known without building its context), the environment's digest (every template and
//! the config) joins it, and a last run's output is reused only while every lookup its
//! templates made still gets the same answer. This module keeps nothing between runs and
//! does not decide what to render.

use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tera::{Tera, Value};

use crate::error::Result;
use crate::incremental::{Digest, Digested, Environment};
use crate::load::TemplateFile;
use crate::render::context::RenderContext;
use crate::render::functions::Lookup;
use crate::render::queries::{self, ImageQuery, Query};
use crate::render::views::{Hashed, Views};
use crate::site::{url, PageId};

/// How many outputs a run rendered and how many it reused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Outputs rendered through a template.
    pub rendered: usize,
    /// Outputs whose previous bytes were still valid.
    pub reused: usize,
}

/// What one templated output is rendered from.
pub(crate) struct RenderArgument<'a> {
    /// The template's name.
    pub template: &'a str,
    /// The output's URL path: `current_path`, and `current_url` with the base URL.
    pub url_path: &'a str,
    /// The file a failed render is reported in.
    pub source: &'a Path,
    /// The rest of the context.
    pub context: Context<'a>,
}

impl Hash for RenderArgument<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.template.hash(state);
        self.url_path.hash(state);
        // The bytes, not `Path`'s own hash, which walks its components.
        self.source.as_os_str().as_encoded_bytes().hash(state);
        self.context.hash(state);
    }
}

/// The views a template is given besides `current_path` and `current_url`, by the name it
/// reads them by.
#[derive(Hash)]
pub(crate) enum Context<'a> {
    /// A page: `page`.
    Page { page: Hashed<'a> },
    /// A section's pager: `section`, `paginator`.
    Pager { section: Hashed<'a>, paginator: Paginator<'a> },
    /// A taxonomy's list of terms: `taxonomy`.
    TaxonomyList { taxonomy: Hashed<'a> },
    /// A term's pager: `taxonomy` (without terms), `term`, `paginator`.
    TermPager { taxonomy: Hashed<'a>, term: Hashed<'a>, paginator: Paginator<'a> },
    /// The archive: `archive`.
    Archive { archive: Hashed<'a> },
    /// Nothing else (`404.html`, `robots.txt`).
    Plain,
}

/// What a template's `paginator` holds: the light views of its pages, the counts, and the
/// URL paths of the other pagers it links to.
pub(crate) struct Paginator<'a> {
    /// The pages on this pager.
    pub pages: &'a [PageId],
    /// Where their light views are.
    pub views: &'a Views,
    /// `current_index`, `number_pagers`, `paginate_by`, `total_pages`.
    pub numbers: [(&'static str, usize); 4],
    /// `first`, `last`, `previous`, `next`: each a pager's URL path, if there is one.
    pub links: [(&'static str, Option<&'a str>); 4],
}

impl Hash for Paginator<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.pages.len().hash(state);
        for &id in self.pages {
            self.views.light_page(id).hash(state);
        }
        (self.numbers, self.links).hash(state);
    }
}

impl Paginator<'_> {
    /// `paginator` as a template value, its links made permalinks with `base_url`.
    fn to_value(&self, base_url: &str) -> Value {
        let pages: Vec<Value> =
            self.pages.iter().map(|&id| self.views.light_page(id).value.clone()).collect();
        let numbers = self.numbers.iter().map(|&(name, n)| (name, Value::from(n)));
        let links = self.links.iter().map(|&(name, link)| {
            (name, link.map_or_else(Value::none, |url_path| Value::from(url::permalink(base_url, url_path))))
        });
        // Made for every pager rendered: sized once rather than grown.
        let mut map = tera::Map::with_capacity(1 + self.numbers.len() + self.links.len());
        for (key, value) in std::iter::once(("pages", Value::from(pages))).chain(numbers).chain(links) {
            map.insert(key.into(), value);
        }
        Value::from(map)
    }
}

/// What a render runs in: the templates (and the config they see), and the lookups template
/// functions make.
pub(crate) struct RenderEnvironment<'a> {
    tera: &'a Tera,
    lookup: &'a Lookup,
    /// Each template's file, for errors.
    template_paths: &'a BTreeMap<String, PathBuf>,
    base_url: &'a str,
    /// The digest of every template's name and text and of the config.
    digest: u128,
    /// The templates whose renders can read `data` (see [`data_readers`]).
    data_readers: HashSet<String>,
}

impl<'a> RenderEnvironment<'a> {
    /// The environment of renders through `tera`, which was built from `templates` (known
    /// by their digest) and the `config` view, with its functions answering from `lookup`.
    pub(crate) fn new(
        tera: &'a Tera,
        template_paths: &'a BTreeMap<String, PathBuf>,
        templates: &Digested<Vec<TemplateFile>>,
        config: (Hashed<'_>, &'a str),
        lookup: &'a Lookup,
    ) -> RenderEnvironment<'a> {
        let (config, base_url) = config;
        let mut digest = Digest::new();
        "template set".hash(&mut digest);
        templates.digest().hash(&mut digest);
        config.hash(&mut digest);
        // Later templates (the site's) override earlier ones (the theme's) of the same name.
        let by_name: BTreeMap<&str, &str> =
            templates.iter().map(|template| (template.name.as_str(), template.text.as_str())).collect();
        let data_readers = data_readers(tera, &by_name);
        RenderEnvironment {
            tera,
            lookup,
            template_paths,
            base_url,
            digest: digest.finish_128(),
            data_readers,
        }
    }
}

/// The templates whose renders can read the variable `data`: those in which Tera finds it
/// among the variables of the template, its parents and includes; every template when one
/// dumps the whole context (`__tera_context`) or a component may take `data` from its caller.
/// A render of any other template is not given `data`, so it cannot read it: its output
/// does not depend on the data files (and a data file's edit does not render it again).
fn data_readers(tera: &Tera, templates: &BTreeMap<&str, &str>) -> HashSet<String> {
    let everything = templates
        .values()
        .any(|text| text.contains("__tera_context") || (text.contains("component") && text.contains("data")));
    let reads = |name: &str| {
        everything || tera.get_template_variables(name).map_or(true, |variables| variables.contains("data"))
    };
    templates.keys().filter(|name| reads(name)).map(|name| name.to_string()).collect()
}

impl Environment<Query> for RenderEnvironment<'_> {
    fn digest(&self) -> u128 {
        self.digest
    }

    fn answer_digest(&self, query: &Query) -> u64 {
        self.lookup.answer_hash(query)
    }
}

/// A rendered output: its bytes, and the processed images its templates asked for (kept
/// with the bytes, so a reused output still has its images made).
#[derive(Debug, Clone)]
pub(crate) struct RenderedOutput {
    pub bytes: Arc<[u8]>,
    pub images: Arc<[ImageQuery]>,
}

/// Renders one output: its template with its context, in `environment`; returns the bytes
/// and the lookups its templates made.
pub(crate) fn render_output(
    argument: &RenderArgument<'_>,
    environment: &RenderEnvironment<'_>,
) -> (Result<RenderedOutput>, Vec<Query>) {
    let (html, queries) = queries::recording(|| {
        let context = context(argument, environment);
        render_named(environment, argument.template, &context, argument.source)
    });
    let images = queries
        .iter()
        .filter_map(|query| match query {
            Query::Image(image) if image.resize.is_some() => Some(image.clone()),
            _ => None,
        })
        .collect();
    (html.map(|html| RenderedOutput { bytes: html.into_bytes().into(), images }), queries)
}

/// Renders `template` with `context` (an output rendered every run: `404.html`).
pub(crate) fn render_plain(
    environment: &RenderEnvironment<'_>,
    template: &str,
    url_path: &str,
) -> Result<String> {
    let argument =
        RenderArgument { template, url_path, source: Path::new(url_path), context: Context::Plain };
    render_named(environment, template, &context(&argument, environment), argument.source)
}

/// The context `argument` stands for in `environment`, with `data` if its template can read it
/// (which is then a query of the render).
fn context(argument: &RenderArgument<'_>, environment: &RenderEnvironment<'_>) -> RenderContext {
    let base_url = environment.base_url;
    let mut context = RenderContext::new();
    if environment.data_readers.contains(argument.template) {
        queries::record(Query::Data);
        let data = environment.lookup.answer(&Query::Data).expect("`data` is answered for every render");
        context.insert_value("data", data);
    }
    context.insert_value("current_path", Value::from(argument.url_path));
    context.insert_value("current_url", Value::from(url::permalink(base_url, argument.url_path)));
    let view = |view: &Hashed<'_>| view.value.clone();
    match &argument.context {
        Context::Page { page } => context.insert_value("page", view(page)),
        Context::Pager { section, paginator } => {
            context.insert_value("section", view(section));
            context.insert_value("paginator", paginator.to_value(base_url));
        }
        Context::TaxonomyList { taxonomy } => context.insert_value("taxonomy", view(taxonomy)),
        Context::TermPager { taxonomy, term, paginator } => {
            context.insert_value("taxonomy", view(taxonomy));
            context.insert_value("term", view(term));
            context.insert_value("paginator", paginator.to_value(base_url));
        }
        Context::Archive { archive } => context.insert_value("archive", view(archive)),
        Context::Plain => {}
    }
    context
}

fn render_named(
    environment: &RenderEnvironment<'_>,
    template: &str,
    context: &RenderContext,
    source: &Path,
) -> Result<String> {
    environment.tera.render(template, &context.to_tera()).map_err(|error| {
        let name = super::failing_template(&error).unwrap_or_else(|| template.to_string());
        let shown = environment.template_paths.get(&name).map(|p| p.display().to_string()).unwrap_or(name);
        super::template_error_named(&error, shown, Some(source.to_path_buf()))
    })
}
