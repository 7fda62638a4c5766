//! Template views: the site's data as Tera values, built once and shared.
//!
//! Each page gets a full view (for its own page and `get_page`) and a light view (for lists).
//! Tera values share their arrays and maps through `Arc`, so putting a light view on every
//! pager and term costs a pointer copy, not a re-serialisation of the page.
//!
//! A page's views are kept from run to run (`PageViews`), each with a key of what it was
//! built from, so that `quire serve` rebuilds (and the render keys re-hash) only the views of
//! pages that changed. The key functions sit beside the view functions: a field a view reads
//! must be in its key.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use tera::{Map, Value};
use xxhash_rust::xxh3::Xxh3Default;

use crate::incremental::{address, Digest, RunOrderMap, ValueHashes};
use crate::load::TemplateFile;
use crate::shared_text::SharedText;
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
    /// View per section without its `pages`, for pagers when no template reads them.
    pub section_heads: Vec<Value>,
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
    /// Per page, the keys its views were built from.
    pub page_keys: Vec<PageKeys>,
    /// The previous run's hashes of the page views reused from it, by `PageId`.
    pub page_hashes: Vec<KeptHashes>,
    /// The previous run's hashes of the aggregate views, by address, when they were reused.
    pub aggregate_hashes: Option<Vec<(usize, u64)>>,
    /// What every light key was computed with besides its page.
    pub config_key: u64,
    /// What the views of sections, taxonomies, terms and archives were built from; `None`
    /// when the run keeps nothing for the next.
    pub aggregate_key: Option<u64>,
}

/// The views built from lists of pages: sections, taxonomies, terms and archives. Each
/// holds the light views of its pages, so none can be kept unless all of those are.
#[derive(Debug, Clone)]
struct Aggregates {
    sections: Vec<Value>,
    section_heads: Vec<Value>,
    taxonomies: Vec<Value>,
    taxonomy_lists: Vec<Value>,
    taxonomy_heads: Vec<Value>,
    terms: Vec<Vec<Value>>,
    archive: Value,
    section_archives: Vec<Value>,
}

/// A run's aggregate views, the key they were built from and their hashes by address.
#[derive(Debug, Clone)]
struct KeptAggregates {
    key: u64,
    views: Aggregates,
    hashes: Vec<(usize, u64)>,
}

/// What a page's views were built from.
#[derive(Debug, Clone, Copy)]
pub struct PageKeys {
    /// What the light view reads ([`light_key`]).
    light: u64,
    /// What the full view reads of the document alone ([`document_key`]).
    document: u64,
    /// What the full view reads besides its HTML ([`full_key`]).
    full: u64,
}

/// The hashes of a page's views that were taken from the previous run with the views.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeptHashes {
    pub light: Option<u64>,
    pub full: Option<u64>,
}

/// The page views of a run, to be reused by the next one.
#[derive(Debug, Clone, Default)]
pub struct PageViews {
    /// By content path, in page id order: the next run has the same pages at the same ids
    /// while no page came or went (see [`RunOrderMap`]).
    pages: RunOrderMap<KeptViews>,
    aggregates: Option<KeptAggregates>,
}

/// One page's views, the keys they were built from and their hashes.
#[derive(Debug, Clone)]
struct KeptViews {
    /// What the light key was computed with besides the page ([`light_key`]).
    config_key: u64,
    light_key: u64,
    document_key: u64,
    light: Value,
    light_hash: u64,
    full_key: u64,
    /// The HTML the full view shows: not in `full_key`, compared by identity first, since
    /// hashing every page's HTML each run cost more than the rest of the keys.
    content: SharedText,
    full: Value,
    full_hash: u64,
}

impl KeptViews {
    /// Whether the full view was built from the same key and HTML as `page` has now.
    fn full_is_valid(&self, key: u64, page: &Page) -> bool {
        self.full_key == key && self.content == page.content
    }
}

impl Views {
    /// Builds every view of `site`, taking from `previous` the page views whose inputs are
    /// unchanged.
    pub fn build(site: &Site, previous: &PageViews) -> Views {
        let started = std::time::Instant::now();
        let base_url = site.config.base_url.as_str();
        let term_links: Vec<Vec<Value>> = site
            .taxonomies
            .iter()
            .map(|t| t.terms.iter().map(|term| term_link(term, base_url)).collect())
            .collect();
        // What every light view reads of the site: the config, and each term's name and URL
        // (`page.terms`: a term's name is the spelling most pages use, so it can change with
        // an edit to another page).
        let config_key = {
            let mut hasher = Xxh3Default::new();
            format!("{:?}", site.config).hash(&mut hasher);
            for taxonomy in &site.taxonomies {
                for term in &taxonomy.terms {
                    (&term.name, &term.slug, &term.url_path).hash(&mut hasher);
                }
            }
            hasher.finish()
        };
        // Each page's kept views, looked up once.
        let kept: Vec<Option<&KeptViews>> = site
            .pages
            .par_iter()
            .enumerate()
            .map(|(id, page)| previous.pages.get(id, &page.content_path))
            .collect();
        log::debug!("views: looked up kept views at {:?}", started.elapsed());
        let page_keys: Vec<PageKeys> = site
            .pages
            .par_iter()
            .zip(&kept)
            .map(|(p, kept)| {
                // The very HTML of the last run means the very document, with the same links
                // written in: every field the light view reads is as it was, and so are the
                // document's own parts of the full view. Hashing them again for 10,000 pages
                // was a tenth of a rebuild.
                let (light, document) = match kept {
                    Some(kept) if !p.content.is_empty() && kept.content.is_same(&p.content) => {
                        let light = if kept.config_key == config_key {
                            kept.light_key
                        } else {
                            light_key(p, config_key)
                        };
                        (light, kept.document_key)
                    }
                    _ => (light_key(p, config_key), document_key(p)),
                };
                PageKeys { light, document, full: full_key(p, light, document, site) }
            })
            .collect();
        // Each view with its hash when it is the kept one, whose hash comes with it.
        let (light_pages, light_hashes): (Vec<Value>, Vec<Option<u64>>) = site
            .pages
            .par_iter()
            .zip(&page_keys)
            .zip(&kept)
            .map(|((p, keys), kept)| match kept {
                Some(kept) if kept.light_key == keys.light => (kept.light.clone(), Some(kept.light_hash)),
                _ => (light_page(p, site, &term_links), None),
            })
            .unzip();
        let (pages, full_hashes): (Vec<Value>, Vec<Option<u64>>) = site
            .pages
            .par_iter()
            .zip(&light_pages)
            .zip(&page_keys)
            .zip(&kept)
            .map(|(((p, light), keys), kept)| match kept {
                Some(kept) if kept.full_is_valid(keys.full, p) => (kept.full.clone(), Some(kept.full_hash)),
                _ => (full_page(p, light, site), None),
            })
            .unzip();
        let page_hashes: Vec<KeptHashes> = light_hashes
            .into_iter()
            .zip(full_hashes)
            .map(|(light, full)| KeptHashes { light, full })
            .collect();
        log::debug!("views: built page views at {:?}", started.elapsed());
        // With the same layout and the same light views as the last run, every list of pages
        // is as it was: the last run's views of them are taken back, hashes and all.
        let aggregate_key =
            site.layout_digest.map(|layout| aggregate_key(site, layout, config_key, &page_keys));
        let (aggregates, aggregate_hashes) = match &previous.aggregates {
            Some(kept) if Some(kept.key) == aggregate_key => (kept.views.clone(), Some(kept.hashes.clone())),
            _ => (Aggregates::build(site, &light_pages, &term_links), None),
        };
        let Aggregates {
            sections,
            section_heads,
            taxonomies,
            taxonomy_lists,
            taxonomy_heads,
            terms,
            archive,
            section_archives,
        } = aggregates;
        Views {
            config_key,
            aggregate_key,
            page_keys,
            page_hashes,
            aggregate_hashes,
            archive,
            section_archives,
            config: Value::from_serializable(&site.config),
            pages,
            light_pages,
            sections,
            section_heads,
            taxonomies,
            taxonomy_lists,
            taxonomy_heads,
            terms,
        }
    }
}

impl Views {
    /// The hashes of every view, and of the template set, for the render keys of this run.
    pub fn value_hashes<'v>(&'v self, templates: &[TemplateFile]) -> ValueHashes<'v> {
        let mut hashes = ValueHashes::default();
        // Innermost first: full page views hold neighbours, sections, taxonomies and
        // archives hold light page views, so those are known by the time the bigger ones are
        // hashed. A view left out here is still hashed right, only walked every time.
        // Views reused from the previous run come with their hashes.
        let kept = &self.page_hashes;
        let light_pages = hashes.each(&self.light_pages, |id| kept.get(id).and_then(|k| k.light));
        let pages = hashes.each(&self.pages, |id| kept.get(id).and_then(|k| k.full));
        // Every render's context holds page views (its own, or a pager's list): each is
        // looked up by address, not walked again.
        let addresses = self.light_pages.iter().zip(&light_pages).chain(self.pages.iter().zip(&pages));
        hashes.remember(addresses.filter_map(|(value, &hash)| Some((address(value)?, hash))));
        if let Some(aggregates) = &self.aggregate_hashes {
            hashes.remember(aggregates.iter().copied());
        }
        hashes.set_pages(pages, light_pages);
        let terms: Vec<&Value> = self.terms.iter().flatten().collect();
        let groups: [Vec<&Value>; 6] = [
            terms,
            self.sections.iter().chain(&self.section_heads).collect(),
            self.taxonomies.iter().collect(),
            self.taxonomy_lists.iter().chain(&self.taxonomy_heads).collect(),
            self.section_archives.iter().collect(),
            vec![&self.archive, &self.config],
        ];
        for group in groups {
            hashes.remember_all(&group);
        }
        hashes.set_template_set(templates, &self.config);
        hashes
    }

    /// Each page's light view key, by page id: what its light view reads.
    pub fn light_keys(&self) -> Vec<u64> {
        self.page_keys.iter().map(|keys| keys.light).collect()
    }

    /// The page views of this run with their keys and hashes, for the next run.
    pub fn keep(&self, site: &Site, hashes: &ValueHashes<'_>) -> PageViews {
        let pages = site
            .pages
            .par_iter()
            .zip(&self.page_keys)
            .zip(self.light_pages.par_iter().zip(&self.pages))
            .enumerate()
            .map(|(id, ((p, keys), (light, full)))| {
                let kept = KeptViews {
                    config_key: self.config_key,
                    light_key: keys.light,
                    document_key: keys.document,
                    light: light.clone(),
                    light_hash: hashes.light_page(id),
                    full_key: keys.full,
                    content: p.content.clone(),
                    full: full.clone(),
                    full_hash: hashes.page(id),
                };
                (p.content_path.clone(), kept)
            })
            .collect::<Vec<_>>()
            .into();
        let aggregates = self.aggregate_key.map(|key| {
            let views = Aggregates {
                sections: self.sections.clone(),
                section_heads: self.section_heads.clone(),
                taxonomies: self.taxonomies.clone(),
                taxonomy_lists: self.taxonomy_lists.clone(),
                taxonomy_heads: self.taxonomy_heads.clone(),
                terms: self.terms.clone(),
                archive: self.archive.clone(),
                section_archives: self.section_archives.clone(),
            };
            let hashes =
                views.values().filter_map(|view| Some((address(view)?, hashes.hash(view)))).collect();
            KeptAggregates { key, views, hashes }
        });
        PageViews { pages, aggregates }
    }
}

impl Aggregates {
    fn build(site: &Site, light_pages: &[Value], term_links: &[Vec<Value>]) -> Aggregates {
        let base_url = site.config.base_url.as_str();
        let sections: Vec<Value> = site.sections.iter().map(|s| section(s, site, light_pages)).collect();
        let section_heads = sections.iter().map(|s| without_entry(s, "pages")).collect();
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
        let archive = archive(&site.archive, light_pages);
        let section_archives = site
            .sections
            .iter()
            .map(|s| self::archive(&Archive::of(s.pages.iter().copied(), &site.pages), light_pages))
            .collect();
        Aggregates {
            sections,
            section_heads,
            taxonomies,
            taxonomy_lists,
            taxonomy_heads,
            terms,
            archive,
            section_archives,
        }
    }

    /// Every view it holds.
    fn values(&self) -> impl Iterator<Item = &Value> {
        self.sections
            .iter()
            .chain(&self.section_heads)
            .chain(&self.taxonomies)
            .chain(&self.taxonomy_lists)
            .chain(&self.taxonomy_heads)
            .chain(self.terms.iter().flatten())
            .chain(std::iter::once(&self.archive))
            .chain(&self.section_archives)
    }
}

/// What the aggregate views read: the layout (each section's and term's pages, the
/// archive, the taxonomies), the config and terms (`config_key`), every page's light view
/// (by its key) and each section's own fields.
fn aggregate_key(site: &Site, layout: u64, config_key: u64, page_keys: &[PageKeys]) -> u64 {
    let mut hasher = Digest::new();
    (layout, config_key, page_keys.len()).hash(&mut hasher);
    for keys in page_keys {
        keys.light.hash(&mut hasher);
    }
    for section in &site.sections {
        (&section.title, &section.description, &section.toc, &section.url_path).hash(&mut hasher);
        (&section.content_path, section.generate_feeds, &section.subsections).hash(&mut hasher);
        xxhash_rust::xxh3::xxh3_64(section.content.as_bytes()).hash(&mut hasher);
        format!("{:?}", section.extra).hash(&mut hasher);
    }
    hasher.finish()
}

/// What `light_page` reads of a page (and of the site: the config, for the base URL and the
/// taxonomies that `page.terms` lists).
fn light_key(page: &Page, config_key: u64) -> u64 {
    let mut hasher = Digest::new();
    config_key.hash(&mut hasher);
    page.title.hash(&mut hasher);
    page.description.hash(&mut hasher);
    (page.date, page.updated).hash(&mut hasher);
    // Values have no `Hash` (floats); most pages have no extra, which costs nothing here.
    if !page.extra.is_empty() {
        format!("{:?}", page.extra).hash(&mut hasher);
    }
    page.draft.hash(&mut hasher);
    page.slug.hash(&mut hasher);
    page.url_path.hash(&mut hasher);
    page.summary.hash(&mut hasher);
    page.taxonomies.hash(&mut hasher);
    page.authors.hash(&mut hasher);
    page.reading_time.hash(&mut hasher);
    page.word_count.hash(&mut hasher);
    page.weight.hash(&mut hasher);
    page.content_path.hash(&mut hasher);
    hasher.finish()
}

/// What `full_page` reads of the page's document alone: its toc and aliases. The same HTML
/// as the last run means the same document, so a kept page reuses this key.
fn document_key(page: &Page) -> u64 {
    let mut hasher = Digest::new();
    page.toc.hash(&mut hasher);
    page.aliases.hash(&mut hasher);
    hasher.finish()
}

/// What `full_page` reads besides the light view and the content (which `KeptViews` compares
/// itself): the document's part ([`document_key`]), the assets placed beside the page and
/// the neighbours' titles and URLs.
fn full_key(page: &Page, light_key: u64, document_key: u64, site: &Site) -> u64 {
    let mut hasher = Digest::new();
    (light_key, document_key).hash(&mut hasher);
    page.assets.hash(&mut hasher);
    // A neighbour's view reads its title and URL path; its place digest covers both (and
    // more, which only makes the key change more often) and is read without following
    // two strings per neighbour.
    for neighbour in [page.newer, page.older] {
        neighbour.map(|id| &site.pages[id].file.place).hash(&mut hasher);
    }
    // The series' parts are read the same way, and their order.
    if let Some(series) = page.series.map(|index| &site.series[index]) {
        series.name.hash(&mut hasher);
        series.parts.iter().for_each(|&id| site.pages[id].file.place.hash(&mut hasher));
    }
    hasher.finish()
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

/// A copy of the map `base` without `key`.
fn without_entry(base: &Value, key: &'static str) -> Value {
    let mut map = base.clone().into_map().expect("views are maps");
    map.shift_remove(&tera::value::Key::from(key));
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
        ("content", page.content.to_value()),
        ("toc", Value::from_serializable(&page.toc)),
        ("assets", strings(&page.assets)),
        ("newer", neighbour(page.newer)),
        ("older", neighbour(page.older)),
        ("aliases", strings(&page.aliases)),
        ("series", series_of(page, site)),
    ];
    for (key, value) in extra {
        view.insert(key.into(), value);
    }
    Value::from(view)
}

/// The page's series: `{ name, number, parts: [{ title, url_path, permalink, current }] }`,
/// the parts in reading order and `number` this page's place among them (from 1); none when
/// the page is in no series.
fn series_of(page: &Page, site: &Site) -> Value {
    let Some(series) = page.series.map(|index| &site.series[index]) else {
        return Value::none();
    };
    let base_url = site.config.base_url.as_str();
    let mut number = 0;
    let parts: Vec<Value> = series
        .parts
        .iter()
        .enumerate()
        .map(|(position, &id)| {
            let part = &site.pages[id];
            let current = part.content_path == page.content_path;
            if current {
                number = position + 1;
            }
            map([
                ("title", Value::from(part.title.as_str())),
                ("url_path", Value::from(part.url_path.as_str())),
                ("permalink", Value::from(url::permalink(base_url, &part.url_path))),
                ("current", Value::from(current)),
            ])
        })
        .collect();
    map([
        ("name", Value::from(series.name.as_str())),
        ("number", Value::from(number)),
        ("parts", Value::from(parts)),
    ])
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
        ("content", section.content.to_value()),
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
