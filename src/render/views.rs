//! Template views: the site's data as Tera values, built once and shared.
//!
//! Each page gets a full view (for its own page and `get_page`) and a light view (for lists).
//! Tera values share their arrays and maps through `Arc`, so putting a light view on every
//! pager and term costs a pointer copy, not a re-serialisation of the page.

use tera::{Map, Value};

use crate::render::shortcodes::ExpandedContent;
use crate::site::{url, Page, Section, Site, Taxonomy};

/// The views of a whole site.
pub struct Views {
    /// `config`.
    pub config: Value,
    /// Full view per page, by `PageId`.
    pub pages: Vec<Value>,
    /// Light view per page, by `PageId`.
    pub light_pages: Vec<Value>,
    /// View per section, by `SectionId`.
    pub sections: Vec<Value>,
    /// View per taxonomy, in config order.
    pub taxonomies: Vec<Value>,
}

impl Views {
    /// Builds every view of `site`, with the content its shortcodes expanded to.
    pub fn build(site: &Site, expanded: &ExpandedContent) -> Views {
        let base_url = site.config.base_url.as_str();
        let page_html = |id: usize| {
            let page = &site.pages[id];
            match expanded.pages.get(id).and_then(Option::as_ref) {
                Some((content, summary)) => (content.as_str(), summary.as_deref()),
                None => (page.content.as_str(), page.summary.as_deref()),
            }
        };
        let light_pages: Vec<Value> =
            site.pages.iter().enumerate().map(|(id, p)| light_page(p, base_url, page_html(id).1)).collect();
        let pages = site.pages.iter().enumerate().map(|(id, p)| full_page(p, site, page_html(id))).collect();
        let sections = site
            .sections
            .iter()
            .enumerate()
            .map(|(id, s)| {
                let content = expanded.sections.get(id).and_then(Option::as_deref).unwrap_or(&s.content);
                section(s, site, content, &light_pages)
            })
            .collect();
        let taxonomies = site.taxonomies.iter().map(|t| taxonomy(t, base_url, &light_pages)).collect();
        Views { config: Value::from_serializable(&site.config), pages, light_pages, sections, taxonomies }
    }
}

/// Builds a map value from (key, value) pairs.
pub fn map(entries: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut map = Map::new();
    for (key, value) in entries {
        map.insert(key.into(), value);
    }
    Value::from(map)
}

fn strings(items: &[String]) -> Value {
    Value::from(items.iter().map(|s| Value::from(s.as_str())).collect::<Vec<_>>())
}

fn opt_date(date: Option<crate::parse::date::PageDate>) -> Value {
    date.map_or_else(Value::none, |d| Value::from(d.to_string()))
}

fn opt_string(text: Option<&str>) -> Value {
    text.map_or_else(Value::none, Value::from)
}

fn taxonomy_terms(page: &Page, name: &str) -> Value {
    strings(page.taxonomies.get(name).map(Vec::as_slice).unwrap_or(&[]))
}

/// What a list shows of a page: no content.
fn light_page(page: &Page, base_url: &str, summary: Option<&str>) -> Value {
    map([
        ("title", Value::from(page.title.as_str())),
        ("description", opt_string(page.description.as_deref())),
        ("date", opt_date(page.date)),
        ("updated", opt_date(page.updated)),
        ("draft", Value::from(page.draft)),
        ("slug", Value::from(page.slug.as_str())),
        ("url_path", Value::from(page.url_path.as_str())),
        ("permalink", Value::from(url::permalink(base_url, &page.url_path))),
        ("summary", opt_string(summary)),
        ("tags", taxonomy_terms(page, "tags")),
        ("categories", taxonomy_terms(page, "categories")),
        ("taxonomies", taxonomies_of(page)),
        ("authors", strings(&page.authors)),
        ("reading_time", Value::from(page.reading_time)),
        ("word_count", Value::from(page.word_count)),
        ("weight", page.weight.map_or_else(Value::none, Value::from)),
        ("extra", Value::from_serializable(&page.extra)),
        ("source_path", Value::from(page.content_path.as_str())),
    ])
}

fn taxonomies_of(page: &Page) -> Value {
    let mut map = Map::new();
    for (name, terms) in &page.taxonomies {
        map.insert(name.clone().into(), strings(terms));
    }
    Value::from(map)
}

/// Everything about a page, for its own template and `get_page`.
fn full_page(page: &Page, site: &Site, (content, summary): (&str, Option<&str>)) -> Value {
    let base_url = site.config.base_url.as_str();
    let neighbour = |id: Option<usize>| {
        id.map_or_else(Value::none, |id| {
            let other = &site.pages[id];
            map([
                ("title", Value::from(other.title.as_str())),
                ("url_path", Value::from(other.url_path.as_str())),
                ("permalink", Value::from(url::permalink(base_url, &other.url_path))),
            ])
        })
    };
    let mut view = light_page(page, base_url, summary).into_map().expect("light_page always builds a map");
    let extra = [
        ("content", Value::from(content)),
        ("toc", Value::from_serializable(&page.toc)),
        ("assets", strings(&page.assets)),
        ("newer", neighbour(page.newer)),
        ("older", neighbour(page.older)),
        ("aliases", strings(&page.aliases)),
    ];
    for (key, value) in extra {
        view.insert(key.into(), value);
    }
    Value::from(view)
}

fn section(section: &Section, site: &Site, content: &str, light_pages: &[Value]) -> Value {
    let base_url = site.config.base_url.as_str();
    let subsections = section
        .subsections
        .iter()
        .map(|&id| {
            let sub = &site.sections[id];
            map([
                ("title", Value::from(sub.title.as_str())),
                ("url_path", Value::from(sub.url_path.as_str())),
                ("permalink", Value::from(url::permalink(base_url, &sub.url_path))),
            ])
        })
        .collect::<Vec<_>>();
    map([
        ("title", Value::from(section.title.as_str())),
        ("description", opt_string(section.description.as_deref())),
        ("content", Value::from(content)),
        ("toc", Value::from_serializable(&section.toc)),
        ("url_path", Value::from(section.url_path.as_str())),
        ("permalink", Value::from(url::permalink(base_url, &section.url_path))),
        ("extra", Value::from_serializable(&section.extra)),
        ("source_path", Value::from(section.content_path.as_str())),
        ("pages", Value::from(section.pages.iter().map(|&id| light_pages[id].clone()).collect::<Vec<_>>())),
        ("subsections", Value::from(subsections)),
    ])
}

fn taxonomy(taxonomy: &Taxonomy, base_url: &str, light_pages: &[Value]) -> Value {
    let terms = taxonomy
        .terms
        .iter()
        .map(|term| {
            map([
                ("name", Value::from(term.name.as_str())),
                ("slug", Value::from(term.slug.as_str())),
                ("url_path", Value::from(term.url_path.as_str())),
                ("permalink", Value::from(url::permalink(base_url, &term.url_path))),
                (
                    "pages",
                    Value::from(term.pages.iter().map(|&id| light_pages[id].clone()).collect::<Vec<_>>()),
                ),
            ])
        })
        .collect::<Vec<_>>();
    map([("name", Value::from(taxonomy.name.as_str())), ("terms", Value::from(terms))])
}
