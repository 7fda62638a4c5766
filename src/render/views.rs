//! Template views: the site's data as Tera values, built once and shared.
//!
//! Each page gets a full view (for its own page and `get_page`) and a light view (for lists).
//! Tera values share their arrays and maps through `Arc`, so putting a light view on every
//! pager and term costs a pointer copy, not a re-serialisation of the page.

use rayon::prelude::*;
use tera::{Map, Value};

use crate::site::archive::Archive;
use crate::site::{url, Page, Section, Site, Taxonomy, Term};

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
    /// View per taxonomy with its terms and their pages (`get_taxonomy`), in config order.
    pub taxonomies: Vec<Value>,
    /// View per taxonomy with its terms and their counts (`taxonomy_list.html`).
    pub taxonomy_lists: Vec<Value>,
    /// View per taxonomy without terms (`taxonomy_single.html`).
    pub taxonomy_heads: Vec<Value>,
    /// View per term with its count, by taxonomy then term index (`term`).
    pub terms: Vec<Vec<Value>>,
    /// The whole site's archive (`archive`).
    pub archive: Value,
    /// Each section's archive, by `SectionId` (`get_archive`).
    pub section_archives: Vec<Value>,
}

impl Views {
    /// Builds every view of `site`.
    pub fn build(site: &Site) -> Views {
        let base_url = site.config.base_url.as_str();
        let term_links: Vec<Vec<Value>> = site
            .taxonomies
            .iter()
            .map(|t| t.terms.iter().map(|term| term_link(term, base_url)).collect())
            .collect();
        let light_pages: Vec<Value> =
            site.pages.par_iter().map(|p| light_page(p, site, &term_links)).collect();
        let pages =
            site.pages.par_iter().zip(&light_pages).map(|(p, light)| full_page(p, light, site)).collect();
        let sections = site.sections.iter().map(|s| section(s, site, &light_pages)).collect();
        let taxonomy_heads: Vec<Value> = site.taxonomies.iter().map(|t| taxonomy_head(t, base_url)).collect();
        let terms: Vec<Vec<Value>> = term_links
            .iter()
            .zip(&site.taxonomies)
            .map(|(links, t)| links.iter().zip(&t.terms).map(|(link, term)| with_count(link, term)).collect())
            .collect();
        let taxonomy_lists = taxonomy_heads
            .iter()
            .zip(&terms)
            .map(|(head, terms)| with_entry(head, "terms", Value::from(terms.clone())))
            .collect();
        let taxonomies = site
            .taxonomies
            .iter()
            .zip(&taxonomy_heads)
            .zip(&terms)
            .map(|((t, head), terms)| {
                let terms: Vec<Value> = terms
                    .iter()
                    .zip(&t.terms)
                    .map(|(view, term)| {
                        let pages = term.pages.iter().map(|&id| light_pages[id].clone()).collect::<Vec<_>>();
                        with_entry(view, "pages", Value::from(pages))
                    })
                    .collect();
                with_entry(head, "terms", Value::from(terms))
            })
            .collect();
        let archive = archive(&site.archive, &light_pages);
        let section_archives = site
            .sections
            .iter()
            .map(|s| self::archive(&Archive::of(s.pages.iter().copied(), &site.pages), &light_pages))
            .collect();
        Views {
            archive,
            section_archives,
            config: Value::from_serializable(&site.config),
            pages,
            light_pages,
            sections,
            taxonomies,
            taxonomy_lists,
            taxonomy_heads,
            terms,
        }
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

/// `[{year, months: [{month, name, pages}]}]`, newest first, with light page views.
pub fn archive(archive: &Archive, light_pages: &[Value]) -> Value {
    let years = archive.years.iter().map(|year| {
        let months = year.months.iter().map(|month| {
            map([
                ("month", Value::from(month.month)),
                ("name", Value::from(month.name())),
                (
                    "pages",
                    Value::from(month.pages.iter().map(|&id| light_pages[id].clone()).collect::<Vec<_>>()),
                ),
            ])
        });
        map([
            ("year", Value::from(i64::from(year.year))),
            ("months", Value::from(months.collect::<Vec<_>>())),
        ])
    });
    Value::from(years.collect::<Vec<_>>())
}

/// A copy of the map `base` with `key` set to `value`.
fn with_entry(base: &Value, key: &'static str, value: Value) -> Value {
    let mut map = base.clone().into_map().expect("views are maps");
    map.insert(key.into(), value);
    Value::from(map)
}

/// What a page shows of one of its terms: `name`, `slug`, `url_path`, `permalink`.
fn term_link(term: &Term, base_url: &str) -> Value {
    map([
        ("name", Value::from(term.name.as_str())),
        ("slug", Value::from(term.slug.as_str())),
        ("url_path", Value::from(term.url_path.as_str())),
        ("permalink", Value::from(url::permalink(base_url, &term.url_path))),
    ])
}

fn with_count(link: &Value, term: &Term) -> Value {
    with_entry(link, "count", Value::from(term.pages.len()))
}

/// A taxonomy without its terms: `name`, `url_path`, `permalink`, `feed`, `paginate_by`.
fn taxonomy_head(taxonomy: &Taxonomy, base_url: &str) -> Value {
    map([
        ("name", Value::from(taxonomy.name.as_str())),
        ("url_path", Value::from(taxonomy.url_path.as_str())),
        ("permalink", Value::from(url::permalink(base_url, &taxonomy.url_path))),
        ("feed", Value::from(taxonomy.feed)),
        ("paginate_by", Value::from(taxonomy.paginate_by)),
    ])
}

/// `page.terms`: for each taxonomy, the page's terms as links (the same values for every page).
fn terms_of(page: &Page, site: &Site, term_links: &[Vec<Value>]) -> Value {
    let mut map = Map::new();
    for (taxonomy, links) in site.taxonomies.iter().zip(term_links) {
        let terms: Vec<Value> = taxonomy.terms_of(page).map(|(index, _)| links[index].clone()).collect();
        map.insert(taxonomy.name.clone().into(), Value::from(terms));
    }
    Value::from(map)
}

/// What a list shows of a page: no content.
fn light_page(page: &Page, site: &Site, term_links: &[Vec<Value>]) -> Value {
    let base_url = site.config.base_url.as_str();
    map([
        ("title", Value::from(page.title.as_str())),
        ("description", opt_string(page.description.as_deref())),
        ("date", opt_date(page.date)),
        ("updated", opt_date(page.updated)),
        ("draft", Value::from(page.draft)),
        ("slug", Value::from(page.slug.as_str())),
        ("url_path", Value::from(page.url_path.as_str())),
        ("permalink", Value::from(url::permalink(base_url, &page.url_path))),
        ("summary", opt_string(page.summary.as_deref())),
        ("tags", taxonomy_terms(page, "tags")),
        ("categories", taxonomy_terms(page, "categories")),
        ("taxonomies", taxonomies_of(page)),
        ("terms", terms_of(page, site, term_links)),
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
fn full_page(page: &Page, light: &Value, site: &Site) -> Value {
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
    let mut view = light.clone().into_map().expect("light_page always builds a map");
    let extra = [
        ("content", Value::from(page.content.as_str())),
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

fn section(section: &Section, site: &Site, light_pages: &[Value]) -> Value {
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
        ("content", Value::from(section.content.as_str())),
        ("toc", Value::from_serializable(&section.toc)),
        ("url_path", Value::from(section.url_path.as_str())),
        ("permalink", Value::from(url::permalink(base_url, &section.url_path))),
        ("extra", Value::from_serializable(&section.extra)),
        ("source_path", Value::from(section.content_path.as_str())),
        ("pages", Value::from(section.pages.iter().map(|&id| light_pages[id].clone()).collect::<Vec<_>>())),
        ("subsections", Value::from(subsections)),
        ("generate_feeds", Value::from(section.generate_feeds)),
    ])
}
