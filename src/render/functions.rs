//! Template functions (`get_url`, `get_page`, `get_section`, `get_taxonomy`, `get_archive`) and filters
//! (`date`, `truncate_words`, `slugify`, `markdown`).
//!
//! Functions read a `Lookup` built once from the views; they never touch the disk.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::config::MarkdownConfig;
use crate::parse::date::PageDate;
use crate::parse::markdown;
use crate::render::views::Views;
use crate::site::{url, Site};

/// What template functions can look up.
pub struct Lookup {
    base_url: String,
    pages: HashMap<String, (String, Value)>,
    sections: HashMap<String, (String, Value)>,
    taxonomies: HashMap<String, Value>,
    /// Archive per section content path; the whole site's under `""`.
    archives: HashMap<String, Value>,
    /// Output paths that exist (`css/site.css`, `blog/`), without a leading `/`.
    outputs: HashSet<String>,
    /// False for the lookup of shortcodes, which render before the views exist.
    has_views: bool,
}

impl Lookup {
    /// Indexes the views of `site`; `copied_files` are the output paths of static files.
    /// Without views (for shortcodes) only `get_url` works.
    pub fn new(site: &Site, views: Option<&Views>, copied_files: impl IntoIterator<Item = String>) -> Lookup {
        let base_url = site.config.base_url.clone();
        let view = |list: Option<&Vec<Value>>, index: usize| {
            list.and_then(|l| l.get(index)).cloned().unwrap_or_else(Value::none)
        };
        let pages = site
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.content_path.clone(), (p.url_path.clone(), view(views.map(|v| &v.pages), i))))
            .collect();
        let sections = site
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.content_path.clone(), (s.url_path.clone(), view(views.map(|v| &v.sections), i))))
            .collect();
        let taxonomies = site
            .taxonomies
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), view(views.map(|v| &v.taxonomies), i)))
            .collect();
        let mut archives: HashMap<String, Value> = site
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.content_path.clone(), view(views.map(|v| &v.section_archives), i)))
            .collect();
        archives.insert(String::new(), views.map_or_else(Value::none, |v| v.archive.clone()));
        let mut outputs: HashSet<String> = copied_files.into_iter().collect();
        outputs.extend(site.assets.iter().map(|a| a.output_path.clone()));
        outputs.extend(
            site.pages
                .iter()
                .filter(|p| p.is_rendered())
                .map(|p| p.url_path.trim_start_matches('/').to_string()),
        );
        for section in &site.sections {
            outputs.extend(section.pagers.iter().map(|p| p.url_path.trim_start_matches('/').to_string()));
        }
        Lookup { base_url, pages, sections, taxonomies, archives, outputs, has_views: views.is_some() }
    }

    fn need_views(&self, function: &str) -> TeraResult<()> {
        if self.has_views {
            Ok(())
        } else {
            Err(tera::Error::message(format!("`{function}` cannot be used in shortcodes, only `get_url`")))
        }
    }

    fn url(&self, path: &str) -> Result<String, String> {
        if let Some(internal) = path.strip_prefix("@/") {
            let (file, anchor) = match internal.split_once('#') {
                Some((file, anchor)) => (file, format!("#{anchor}")),
                None => (internal, String::new()),
            };
            let url_path = self
                .pages
                .get(file)
                .or_else(|| self.sections.get(file))
                .map(|(url_path, _)| url_path)
                .ok_or_else(|| {
                    format!("`get_url`: no page or section at `@/{file}` (looked in content/{file})")
                })?;
            return Ok(format!("{}{anchor}", url::permalink(&self.base_url, url_path)));
        }
        let relative = path.trim_start_matches('/');
        let without_fragment = relative.split(['#', '?']).next().unwrap_or(relative);
        if self.outputs.contains(without_fragment) || without_fragment.is_empty() {
            Ok(url::permalink(&self.base_url, relative))
        } else {
            Err(format!(
                "`get_url`: nothing is built at `{path}`: no static file, page or section has that path"
            ))
        }
    }
}

/// Registers Quire's functions and filters on `tera`.
pub fn register(tera: &mut Tera, lookup: Arc<Lookup>, markdown_options: MarkdownConfig) {
    let l = Arc::clone(&lookup);
    tera.register_function("get_url", move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
        let path = kwargs.must_get::<&str>("path")?;
        l.url(path).map_err(tera::Error::message)
    });
    let l = Arc::clone(&lookup);
    tera.register_function("get_page", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        l.need_views("get_page")?;
        let path = kwargs.must_get::<&str>("path")?;
        let path = path.trim_start_matches("@/");
        l.pages
            .get(path)
            .map(|(_, view)| view.clone())
            .ok_or_else(|| tera::Error::message(format!("`get_page`: no page at `content/{path}`")))
    });
    let l = Arc::clone(&lookup);
    tera.register_function("get_section", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        l.need_views("get_section")?;
        let path = kwargs.must_get::<&str>("path")?;
        let path = path.trim_start_matches("@/");
        l.sections
            .get(path)
            .map(|(_, view)| view.clone())
            .ok_or_else(|| tera::Error::message(format!("`get_section`: no section at `content/{path}`")))
    });
    let l = Arc::clone(&lookup);
    tera.register_function("get_archive", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        l.need_views("get_archive")?;
        let section = kwargs.get::<&str>("section")?.unwrap_or("");
        let section = section.trim_start_matches("@/");
        l.archives
            .get(section)
            .cloned()
            .ok_or_else(|| tera::Error::message(format!("`get_archive`: no section at `content/{section}`")))
    });
    let l = lookup;
    tera.register_function("get_taxonomy", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        l.need_views("get_taxonomy")?;
        let kind = kwargs.must_get::<&str>("kind")?;
        l.taxonomies.get(kind).cloned().ok_or_else(|| {
            tera::Error::message(format!("`get_taxonomy`: no taxonomy `{kind}` in config.toml"))
        })
    });

    tera.register_filter("date", date_filter);
    tera.register_filter("truncate_words", truncate_words_filter);
    tera.register_filter("slugify", |text: &str, _: Kwargs, _: &State| url::slugify(text));
    tera.register_filter("markdown", move |text: &str, _: Kwargs, _: &State| -> TeraResult<Value> {
        let source = markdown::Source {
            file: std::path::Path::new("the `markdown` filter"),
            text,
            first_line: 1,
            shortcodes: markdown::Shortcodes::Leave,
        };
        let rendered = markdown::render(&source, &markdown_options)
            .map_err(|error| tera::Error::message(error.report()))?;
        Ok(Value::safe_string(&markdown::fill_links(&rendered.html, &rendered.links_as_written())))
    });
}

fn date_filter(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let format = kwargs.get::<&str>("format")?.unwrap_or("%Y-%m-%d");
    let text = value.as_str().ok_or_else(|| {
        tera::Error::message(format!("`date` filter needs a date string, found {}", value.name()))
    })?;
    let date = PageDate::parse(text).map_err(tera::Error::message)?;
    date.format(format).map_err(tera::Error::message)
}

fn truncate_words_filter(text: &str, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let count = kwargs.get::<usize>("n")?.unwrap_or(30);
    let end = kwargs.get::<&str>("end")?.unwrap_or("…");
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= count {
        return Ok(words.join(" "));
    }
    Ok(format!("{}{end}", words[..count].join(" ")))
}
