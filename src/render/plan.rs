//! What a build renders besides pages and sections: taxonomy pages, the archive, `404.html`
//! and `robots.txt`, decided from the site model and the templates that exist.
//!
//! Taxonomy pages need `taxonomy_list.html` and `taxonomy_single.html` (or the per-taxonomy
//! `NAME/list.html` and `NAME/single.html`). A site with terms but neither template is
//! built without taxonomy pages and a warning, so a theme without tag pages still builds;
//! a site with only one of the two is an error, since that is a theme half written. A
//! taxonomy no page uses gets no pages at all.
//! The archive is rendered when `archive.html` exists and `archive_path` is not `false`.
//! `404.html` and `robots.txt` come from a template when there is one, else a built-in
//! version; a static file of that name wins over both. Each template under
//! `templates/outputs/` writes one file at its own path (`outputs/search.json` writes
//! `search.json`), in place of a built-in file of that path (`sitemap.xml`, a feed).
//! This module renders nothing.

use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::error::{Error, Result, UrlOwner};
use crate::site::{url, Redirect, Site};

/// The name of the archive template.
pub const ARCHIVE_TEMPLATE: &str = "archive.html";
/// The name of the not-found template.
pub const NOT_FOUND_TEMPLATE: &str = "404.html";
/// The name of the robots template.
pub const ROBOTS_TEMPLATE: &str = "robots.txt";
/// The folder, among the templates, of templates that each write the file of their name.
pub const OUTPUTS_FOLDER: &str = "outputs/";
/// The output path of the built-in sitemap.
pub const SITEMAP: &str = "sitemap.xml";

/// The generated outputs of a build.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Per taxonomy, in config order: its templates, or `None` when its pages are not built
    /// (no templates, or no page uses it).
    pub taxonomies: Vec<Option<TaxonomyTemplates>>,
    /// The archive's URL path (`/archive/`), when the archive is built.
    pub archive: Option<String>,
    /// Where `404.html` comes from, unless a static file provides it.
    pub not_found: Option<Source>,
    /// Where `robots.txt` comes from, unless a static file provides it.
    pub robots: Option<Source>,
    /// `/tags/rust/page/1/` → `/tags/rust/`, for the terms with more than one pager.
    pub redirects: Vec<Redirect>,
    /// The files templates under `templates/outputs/` write, one each, sorted by path.
    pub outputs: Vec<TemplateOutput>,
    /// Whether the built-in `sitemap.xml` is written (no template output replaces it).
    pub sitemap: bool,
    /// Whether the build writes `_redirects` (`[deploy] redirects_file`, no static file of that name).
    pub redirects_file: bool,
    /// Whether the build writes `_headers` (`[deploy] headers_file`, no static file of that name).
    pub headers_file: bool,
    /// Things to tell the user that don't stop the build.
    pub warnings: Vec<String>,
}

/// The templates of one taxonomy's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyTemplates {
    /// Renders `/tags/`.
    pub list: String,
    /// Renders each pager of `/tags/TERM/`.
    pub single: String,
}

/// A file written by a template of its own (`templates/outputs/search.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateOutput {
    /// The template's name: `outputs/search.json`.
    pub template: String,
    /// The template's file, as shown to the user.
    pub source: PathBuf,
    /// The URL path of the file it writes: `/search.json`.
    pub url_path: String,
}

impl TemplateOutput {
    /// The path of the file under the output folder: `search.json`.
    pub fn output_path(&self) -> &str {
        self.url_path.trim_start_matches('/')
    }
}

/// Where a special file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The site's or theme's template of that name.
    Template,
    /// Quire's own plain version.
    BuiltIn,
}

/// What the plan needs to know besides the site.
pub struct PlanInput<'a> {
    /// The site model.
    pub site: &'a Site,
    /// Names of every template of the site and its theme.
    pub templates: &'a HashSet<&'a str>,
    /// Output paths of files copied as they are (static files, content assets).
    pub copied: &'a HashSet<&'a str>,
    /// The templates under `templates/outputs/`, by name, with their files.
    pub output_templates: Vec<(&'a str, &'a Path)>,
}

impl Plan {
    /// Decides what to generate.
    ///
    /// # Errors
    /// A taxonomy with only one of its two templates, and generated pages whose URL a page,
    /// section or alias already has; all reported together.
    pub fn new(input: PlanInput<'_>) -> Result<Plan> {
        let PlanInput { site, templates, copied, output_templates } = input;
        let mut plan = Plan { sitemap: true, ..Plan::default() };
        let mut errors = Vec::new();
        for (template, source) in output_templates {
            let Some(path) = template.strip_prefix(OUTPUTS_FOLDER) else { continue };
            if url::file_extension(path).is_none() {
                errors.push(Error::Template {
                    template: source.display().to_string(),
                    page: None,
                    detail: format!("`{path}` has no file extension: a template under `templates/outputs/` writes the file of its name"),
                    hint: Some(format!("name it after the file it writes: `templates/outputs/{path}.json` writes `{path}.json`")),
                });
                continue;
            }
            let url_path = format!("/{path}");
            plan.outputs.push(TemplateOutput {
                template: template.to_string(),
                source: source.to_path_buf(),
                url_path,
            });
        }
        plan.outputs.sort_by(|a, b| a.url_path.cmp(&b.url_path));
        for taxonomy in &site.taxonomies {
            let find = |own: String, shared: &str| {
                if templates.contains(own.as_str()) {
                    Some(own)
                } else {
                    templates.contains(shared).then(|| shared.to_string())
                }
            };
            let list = find(format!("{}/list.html", taxonomy.name), "taxonomy_list.html");
            let single = find(format!("{}/single.html", taxonomy.name), "taxonomy_single.html");
            let chosen = match (list, single) {
                (Some(list), Some(single)) => Some(TaxonomyTemplates { list, single }),
                (None, None) => {
                    if !taxonomy.terms.is_empty() {
                        plan.warnings.push(format!(
                            "`{}` has {} term{} but there is no `taxonomy_list.html` or `taxonomy_single.html`, \
                             so `{}` pages are not built",
                            taxonomy.name,
                            taxonomy.terms.len(),
                            if taxonomy.terms.len() == 1 { "" } else { "s" },
                            taxonomy.url_path
                        ));
                    }
                    None
                }
                (Some(found), None) | (None, Some(found)) => {
                    let missing = if found.ends_with("list.html") { "single" } else { "list" };
                    errors.push(Error::MissingTaxonomyTemplate {
                        taxonomy: taxonomy.name.clone(),
                        found,
                        missing: format!("taxonomy_{missing}.html"),
                    });
                    None
                }
            };
            // A taxonomy no page uses gets no pages: an empty `/categories/` in a new site
            // (and in its sitemap) is a page with nothing on it.
            let chosen = chosen.filter(|_| !taxonomy.terms.is_empty());
            if chosen.is_some() {
                for term in taxonomy.terms.iter().filter(|t| t.pagers.len() > 1) {
                    plan.redirects.push(Redirect {
                        url_path: format!("{}page/1/", term.url_path),
                        target: term.url_path.clone(),
                        display_path: PathBuf::from("config.toml"),
                    });
                }
            }
            plan.taxonomies.push(chosen);
        }
        if let Some(path) = &site.config.archive_path {
            if templates.contains(ARCHIVE_TEMPLATE) {
                let url_path = url::url_path_from_user_path(path).expect("config.rs checked `archive_path`");
                plan.archive = Some(url_path);
            }
        }
        let source = |name: &str| {
            if copied.contains(name) {
                None
            } else if templates.contains(name) {
                Some(Source::Template)
            } else {
                Some(Source::BuiltIn)
            }
        };
        plan.not_found = source(NOT_FOUND_TEMPLATE);
        plan.robots = source(ROBOTS_TEMPLATE);
        // A template output replaces the built-in file of its path.
        for output in &plan.outputs {
            match output.output_path() {
                NOT_FOUND_TEMPLATE => plan.not_found = None,
                ROBOTS_TEMPLATE => plan.robots = None,
                SITEMAP => plan.sitemap = false,
                _ => {}
            }
        }
        plan.redirects_file = site.config.deploy.redirects_file && !copied.contains("_redirects");
        plan.headers_file = site.config.deploy.headers_file && !copied.contains("_headers");
        plan.check_unique_urls(site, &mut errors);
        for output in &plan.outputs {
            if copied.contains(output.output_path()) {
                // A content asset, else a static file (the site's or the theme's).
                let asset = site.assets.iter().find(|asset| asset.output_path == output.output_path());
                let first = match asset {
                    Some(asset) => PathBuf::from("content").join(&asset.content_path),
                    None => PathBuf::from("static").join(output.output_path()),
                };
                errors.push(Error::DuplicateUrl {
                    url_path: output.url_path.clone(),
                    first: UrlOwner::file(first),
                    second: UrlOwner::file(&output.source),
                });
            }
        }
        Error::fail_if_any(errors)?;
        Ok(plan)
    }

    /// URL paths of the generated HTML pages: taxonomy lists, term pagers, the archive.
    pub fn html_url_paths<'a>(
        &'a self,
        site: &'a Site,
    ) -> impl Iterator<Item = (&'a str, Generated<'a>)> + 'a {
        let taxonomies = site.taxonomies.iter().zip(&self.taxonomies).filter(|(_, t)| t.is_some()).flat_map(
            |(taxonomy, _)| {
                let owner = Generated::Taxonomy(&taxonomy.name);
                let terms = taxonomy.terms.iter().flat_map(|t| &t.pagers).map(|p| p.url_path.as_str());
                std::iter::once(taxonomy.url_path.as_str()).chain(terms).map(move |u| (u, owner))
            },
        );
        let archive = self.archive.iter().map(|u| (u.as_str(), Generated::Archive));
        taxonomies.chain(archive)
    }

    fn check_unique_urls(&self, site: &Site, errors: &mut Vec<Error>) {
        let pagers: usize = site.sections.iter().map(|s| s.pagers.len()).sum();
        let mut owners: HashMap<&str, &PathBuf> = HashMap::with_capacity_and_hasher(
            pagers + site.pages.len() + site.redirects.len(),
            Default::default(),
        );
        for section in &site.sections {
            for pager in &section.pagers {
                owners.insert(&pager.url_path, &section.display_path);
            }
        }
        for page in &site.pages {
            owners.insert(&page.url_path, &page.display_path);
        }
        for redirect in &site.redirects {
            owners.insert(&redirect.url_path, &redirect.display_path);
        }
        for (url_path, owner) in self.html_url_paths(site) {
            if let Some(first) = owners.get(url_path) {
                errors.push(Error::DuplicateUrl {
                    url_path: url_path.to_string(),
                    first: UrlOwner::file(*first),
                    second: UrlOwner::file(owner.config_entry()),
                });
            }
        }
        for output in &self.outputs {
            if let Some(first) = owners.get(output.url_path.as_str()) {
                errors.push(Error::DuplicateUrl {
                    url_path: output.url_path.clone(),
                    first: UrlOwner::file(*first),
                    second: UrlOwner::file(&output.source),
                });
            }
        }
    }
}

/// What a page the plan adds comes from, for errors: an entry of `config.toml`.
#[derive(Debug, Clone, Copy)]
pub enum Generated<'a> {
    /// The taxonomy of this name.
    Taxonomy(&'a str),
    /// `archive_path`.
    Archive,
}

impl Generated<'_> {
    /// The entry, as errors name a page's owner.
    fn config_entry(self) -> PathBuf {
        match self {
            Generated::Taxonomy(name) => PathBuf::from(format!("config.toml (taxonomy {name})")),
            Generated::Archive => PathBuf::from("config.toml (archive_path)"),
        }
    }
}
