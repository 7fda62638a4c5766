//! Template views: the site's data as Tera values, built once and shared.
//!
//! Each page gets a full view (for its own page and `get_page`) and a light view (for lists).
//! Tera values share their arrays and maps through `Arc`, so putting a light view on every
//! pager and term costs a pointer copy, not a re-serialisation of the page.
//!
//! Each view is built by a function of exactly the values it is given (the page's file, its
//! summary and content, its neighbours' places, the site's links and terms), called through
//! the memos: `quire serve` gets the last run's view back for equal inputs, and with it the
//! view's hash for render keys. Nothing here lists what a view reads a second time.

use std::sync::Arc;

use rayon::prelude::*;
use tera::{Map, Value};

use crate::incremental::{address, Digested, Memos, Same, SameText, ValueHashes};
use crate::render::absolute_urls;
use crate::render::bodies::Bodies;
use crate::shared_text::SharedText;
use crate::site::archive::Archive;
use crate::site::lists::Lists;
use crate::site::{url, PageFile, PageId, PagePlace, Section, SectionId, Site, Taxonomy, Term};

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
    /// The hash of each page's full and light view, by `PageId`.
    page_hashes: Vec<u64>,
    light_hashes: Vec<u64>,
    /// The views built from lists of pages, with their hashes.
    aggregates: Arc<Aggregates>,
    /// The hash of `config`.
    config_hash: u64,
}

/// A view with the hash of its contents, made when the view was: a render's key holds the
/// hash, its context the view.
#[derive(Clone, Copy)]
pub struct Hashed<'a> {
    /// The view.
    pub value: &'a Value,
    /// The hash of its contents.
    pub hash: u64,
}

impl std::hash::Hash for Hashed<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.hash.hash(state);
    }
}

/// The views built from lists of pages: sections, taxonomies, terms and archives.
#[derive(Debug)]
struct Aggregates {
    sections: Vec<Value>,
    section_heads: Vec<Value>,
    taxonomies: Vec<Value>,
    taxonomy_lists: Vec<Value>,
    taxonomy_heads: Vec<Value>,
    terms: Vec<Vec<Value>>,
    archive: Value,
    section_archives: Vec<Value>,
    /// The hash of each of them, by address.
    hashes: rustc_hash::FxHashMap<usize, u64>,
}

/// What pages show of the site: the base URL and every term as a link.
#[derive(Debug)]
struct SiteLinks {
    base_url: String,
    /// By taxonomy then term index: the term's name, slug and URL path.
    terms: Vec<Vec<(String, String, String)>>,
    /// The same as template values, shared by every page that shows them.
    term_links: Vec<Vec<Value>>,
    /// The taxonomies' names, in config order.
    taxonomy_names: Vec<String>,
    /// By taxonomy: each spelling pages use, with its term's index.
    spellings: Vec<std::collections::BTreeMap<String, usize>>,
}

impl std::hash::Hash for SiteLinks {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // `term_links` is made from the rest.
        (&self.base_url, &self.terms, &self.taxonomy_names, &self.spellings).hash(state);
    }
}

impl SiteLinks {
    fn of(site: &Site) -> SiteLinks {
        let base_url = site.config.base_url.clone();
        let term_links = site
            .taxonomies
            .iter()
            .map(|t| t.terms.iter().map(|term| term_link(term, &base_url)).collect())
            .collect();
        SiteLinks {
            terms: site
                .taxonomies
                .iter()
                .map(|t| {
                    t.terms
                        .iter()
                        .map(|term| (term.name.clone(), term.slug.clone(), term.url_path.clone()))
                        .collect()
                })
                .collect(),
            taxonomy_names: site.taxonomies.iter().map(|t| t.name.clone()).collect(),
            spellings: site.taxonomies.iter().map(|t| t.spellings()).collect(),
            term_links,
            base_url,
        }
    }
}

/// What a page's light view is built from besides the site's links.
type LightInput = (Same<PageFile>, Option<SameText>);

/// A page's light view, compared by its hash: a view built again with the same contents is
/// the same input to the views built from it (early cut-off).
#[derive(Clone)]
struct LightView {
    view: Value,
    hash: u64,
}

impl PartialEq for LightView {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
    }
}

impl Eq for LightView {}

impl std::hash::Hash for LightView {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.hash.hash(state);
    }
}

/// A neighbour or a series part, as a full view shows it.
type PlaceInput = Option<Digested<PagePlace>>;

/// What a page's full view is built from besides its light view and the site's links.
#[derive(PartialEq, Eq, Hash)]
struct FullInput {
    light: LightView,
    file: Same<PageFile>,
    content: SameText,
    assets: Vec<String>,
    newer: PlaceInput,
    older: PlaceInput,
    /// The series' name, and its parts in order.
    series: Option<(String, Vec<Digested<PagePlace>>)>,
}

/// What a section's view reads of it.
#[derive(PartialEq, Eq, Hash)]
struct SectionInput {
    title: String,
    description: Option<String>,
    content: SameText,
    toc: Vec<crate::parse::markdown::TocEntry>,
    url_path: String,
    extra: Digested<crate::data_value::DataTable>,
    content_path: String,
    generate_feeds: bool,
    pages: Vec<usize>,
    subsections: Vec<SectionId>,
}

/// What the views built from lists of pages are built from.
#[derive(PartialEq, Eq, Hash)]
struct AggregateInput {
    /// Each page's light view.
    lights: Vec<LightView>,
    places: Vec<Digested<PagePlace>>,
    lists: Same<Lists>,
    sections: Vec<SectionInput>,
    links: Digested<SiteLinks>,
}

impl Views {
    /// Builds every view of `site`, showing the `bodies` of its pages and sections, through
    /// `memos`.
    pub fn build(site: &Site, bodies: &Bodies, memos: &Memos) -> Views {
        let started = std::time::Instant::now();
        let links = Digested::new(SiteLinks::of(site));
        let light = memos.shared_function(|(file, summary): &LightInput, links: &SiteLinks| {
            let view = light_page(file, summary.as_ref().map(|summary| summary.0.as_str()), links);
            let hash = ValueHashes::default().hash(&view);
            (view, hash)
        });
        let (light_pages, light_hashes): (Vec<Value>, Vec<u64>) = site
            .pages
            .par_iter()
            .zip(&bodies.pages)
            .map(|(page, body)| {
                light.call((Same::of(&page.file), body.summary.clone().map(SameText)), &links)
            })
            .unzip();
        log::debug!("views: built light page views at {:?}", started.elapsed());
        let full = memos.shared_function(|input: &FullInput, links: &SiteLinks| {
            let view = full_page(input, links);
            let hash = ValueHashes::default().hash(&view);
            (view, hash)
        });
        let (pages, page_hashes): (Vec<Value>, Vec<u64>) = site
            .pages
            .par_iter()
            .zip(&light_pages)
            .zip(&bodies.pages)
            .enumerate()
            .map(|(id, ((page, light), body))| {
                let place = |id: Option<usize>| id.map(|id| site.pages[id].file.place.clone());
                full.call(
                    FullInput {
                        light: LightView { view: light.clone(), hash: light_hashes[id] },
                        file: Same::of(&page.file),
                        content: SameText(body.content.clone()),
                        assets: page.assets.clone(),
                        newer: place(page.newer),
                        older: place(page.older),
                        series: page.series.map(|index| {
                            let series = &site.series[index];
                            let parts =
                                series.parts.iter().map(|&id| site.pages[id].file.place.clone()).collect();
                            (series.name.clone(), parts)
                        }),
                    },
                    &links,
                )
            })
            .unzip();
        log::debug!("views: built page views at {:?}", started.elapsed());
        let input = AggregateInput {
            lights: light_pages
                .iter()
                .zip(&light_hashes)
                .map(|(view, &hash)| LightView { view: view.clone(), hash })
                .collect(),
            places: site.pages.iter().map(|page| page.file.place.clone()).collect(),
            lists: Same::of(&site.lists),
            sections: site.sections.iter().zip(&bodies.sections).map(SectionInput::of).collect(),
            links,
        };
        let aggregates = memos.call(input, |input| Arc::new(Aggregates::build(input)));
        // Made again only when the config's digest changes.
        let (config, config_hash) = memos.call(site.config.clone(), |config| {
            let value = Value::from_serializable(&**config);
            let hash = ValueHashes::default().hash(&value);
            (value, hash)
        });
        Views {
            config_hash,
            config,
            pages,
            light_pages,
            sections: aggregates.sections.clone(),
            section_heads: aggregates.section_heads.clone(),
            taxonomies: aggregates.taxonomies.clone(),
            taxonomy_lists: aggregates.taxonomy_lists.clone(),
            taxonomy_heads: aggregates.taxonomy_heads.clone(),
            terms: aggregates.terms.clone(),
            archive: aggregates.archive.clone(),
            section_archives: aggregates.section_archives.clone(),
            page_hashes,
            light_hashes,
            aggregates,
        }
    }

    /// Page `id`'s full view.
    pub fn page(&self, id: PageId) -> Hashed<'_> {
        Hashed { value: &self.pages[id], hash: self.page_hashes[id] }
    }

    /// Page `id`'s light view.
    pub fn light_page(&self, id: PageId) -> Hashed<'_> {
        Hashed { value: &self.light_pages[id], hash: self.light_hashes[id] }
    }

    /// Section `id`'s view.
    pub fn section(&self, id: SectionId) -> Hashed<'_> {
        self.aggregate(&self.sections[id])
    }

    /// Section `id`'s view without its pages.
    pub fn section_head(&self, id: SectionId) -> Hashed<'_> {
        self.aggregate(&self.section_heads[id])
    }

    /// The view of the taxonomy at `index` with its terms and their pages.
    pub fn taxonomy(&self, index: usize) -> Hashed<'_> {
        self.aggregate(&self.taxonomies[index])
    }

    /// The view of the taxonomy at `index` with its terms and their counts.
    pub fn taxonomy_list(&self, index: usize) -> Hashed<'_> {
        self.aggregate(&self.taxonomy_lists[index])
    }

    /// The view of the taxonomy at `index` without its terms.
    pub fn taxonomy_head(&self, index: usize) -> Hashed<'_> {
        self.aggregate(&self.taxonomy_heads[index])
    }

    /// The view of term `term` of the taxonomy at `taxonomy`, with its count.
    pub fn term(&self, taxonomy: usize, term: usize) -> Hashed<'_> {
        self.aggregate(&self.terms[taxonomy][term])
    }

    /// The whole site's archive.
    pub fn archive(&self) -> Hashed<'_> {
        self.aggregate(&self.archive)
    }

    /// Section `id`'s archive.
    pub fn section_archive(&self, id: SectionId) -> Hashed<'_> {
        self.aggregate(&self.section_archives[id])
    }

    /// `config`.
    pub fn config(&self) -> Hashed<'_> {
        Hashed { value: &self.config, hash: self.config_hash }
    }

    /// One of the views built from lists of pages, with the hash `Aggregates::build` made.
    fn aggregate<'v>(&self, value: &'v Value) -> Hashed<'v> {
        let hash = address(value).and_then(|at| self.aggregates.hashes.get(&at).copied());
        // Every aggregate is a map, hashed when built; hashing again would give the same.
        Hashed { value, hash: hash.unwrap_or_else(|| ValueHashes::default().hash(value)) }
    }
}

impl SectionInput {
    fn of((section, content): (&Section, &SharedText)) -> SectionInput {
        SectionInput {
            title: section.title.clone(),
            description: section.description.clone(),
            content: SameText(content.clone()),
            toc: section.toc.clone(),
            url_path: section.url_path.clone(),
            extra: Digested::serialized(section.extra.clone()),
            content_path: section.content_path.clone(),
            generate_feeds: section.generate_feeds,
            pages: section.pages.clone(),
            subsections: section.subsections.clone(),
        }
    }
}

impl Aggregates {
    fn build(input: &AggregateInput) -> Aggregates {
        let AggregateInput { lights, places, lists, sections: section_inputs, links } = input;
        let light_pages: Vec<Value> = lights.iter().map(|light| light.view.clone()).collect();
        let base_url = links.base_url.as_str();
        let sections: Vec<Value> =
            section_inputs.iter().map(|s| section(s, section_inputs, base_url, &light_pages)).collect();
        let section_heads = sections.iter().map(|s| without_entry(s, "pages")).collect();
        let taxonomy_heads: Vec<Value> =
            lists.taxonomies.iter().map(|t| taxonomy_head(t, base_url)).collect();
        let terms: Vec<Vec<Value>> = links
            .term_links
            .iter()
            .zip(&lists.taxonomies)
            .map(|(links, t)| links.iter().zip(&t.terms).map(|(link, term)| with_count(link, term)).collect())
            .collect();
        let taxonomy_lists = taxonomy_heads
            .iter()
            .zip(&terms)
            .map(|(head, terms)| with_entry(head, "terms", Value::from(terms.clone())))
            .collect();
        let taxonomies = lists
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
        let archive = archive(&lists.archive, &light_pages);
        let section_archives = section_inputs
            .iter()
            .map(|s| self::archive(&Archive::of(s.pages.iter().copied(), places), &light_pages))
            .collect();
        let mut aggregates = Aggregates {
            sections,
            section_heads,
            taxonomies,
            taxonomy_lists,
            taxonomy_heads,
            terms,
            archive,
            section_archives,
            hashes: rustc_hash::FxHashMap::default(),
        };
        // Hashed with the light views' hashes known, so no page view is walked again.
        let mut hashes = ValueHashes::default();
        hashes.remember(lights.iter().filter_map(|light| Some((address(&light.view)?, light.hash))));
        let mut known = rustc_hash::FxHashMap::default();
        for group in aggregates.groups() {
            for view in group {
                if let Some(at) = address(view) {
                    let hash = hashes.hash(view);
                    hashes.remember([(at, hash)]);
                    known.insert(at, hash);
                }
            }
        }
        aggregates.hashes = known;
        aggregates
    }

    /// Every view it holds, innermost first: terms are inside taxonomies.
    fn groups(&self) -> [Vec<&Value>; 7] {
        [
            self.terms.iter().flatten().collect(),
            self.sections.iter().chain(&self.section_heads).collect(),
            self.taxonomy_heads.iter().collect(),
            self.taxonomy_lists.iter().collect(),
            self.taxonomies.iter().collect(),
            self.section_archives.iter().collect(),
            vec![&self.archive],
        ]
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

fn taxonomy_terms(page: &PageFile, name: &str) -> Value {
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

/// `page.terms`: for each taxonomy, the page's terms as links (the same values for every
/// page), each once, in the order the page lists them.
fn terms_of(page: &PageFile, links: &SiteLinks) -> Value {
    let mut map = Map::new();
    for ((name, term_links), spellings) in
        links.taxonomy_names.iter().zip(&links.term_links).zip(&links.spellings)
    {
        let mut seen = Vec::new();
        let terms: Vec<Value> = page
            .taxonomies
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|spelling| {
                let index = *spellings.get(spelling)?;
                (!seen.contains(&index)).then(|| {
                    seen.push(index);
                    term_links[index].clone()
                })
            })
            .collect();
        map.insert(name.clone().into(), Value::from(terms));
    }
    Value::from(map)
}

/// What a list shows of a page: no content.
fn light_page(page: &PageFile, summary: Option<&str>, links: &SiteLinks) -> Value {
    let base_url = links.base_url.as_str();
    let permalink = url::permalink(base_url, &page.url_path);
    // Shown away from its page, a summary's same-page links (`#setup`, footnote references)
    // point at the page.
    let summary = summary.map(|summary| absolute_urls::anchors_to(summary, &permalink));
    map([
        ("title", Value::from(page.title.as_str())),
        ("description", opt_string(page.description.as_deref())),
        ("date", opt_date(page.date)),
        ("updated", opt_date(page.updated)),
        ("draft", Value::from(page.draft)),
        ("slug", Value::from(page.slug.as_str())),
        ("url_path", Value::from(page.url_path.as_str())),
        ("permalink", Value::from(permalink.as_str())),
        ("summary", opt_string(summary.as_deref())),
        ("tags", taxonomy_terms(page, "tags")),
        ("categories", taxonomy_terms(page, "categories")),
        ("taxonomies", taxonomies_of(page)),
        ("terms", terms_of(page, links)),
        ("authors", strings(&page.authors)),
        ("reading_time", Value::from(page.reading_time)),
        ("word_count", Value::from(page.word_count)),
        ("weight", page.weight.map_or_else(Value::none, Value::from)),
        ("extra", Value::from_serializable(&page.extra)),
        ("source_path", Value::from(page.content_path.as_str())),
    ])
}

fn taxonomies_of(page: &PageFile) -> Value {
    let mut map = Map::new();
    for (name, terms) in &page.taxonomies {
        map.insert(name.clone().into(), strings(terms));
    }
    Value::from(map)
}

/// Everything about a page, for its own template and `get_page`.
fn full_page(input: &FullInput, links: &SiteLinks) -> Value {
    let FullInput { light, file, content, assets, newer, older, series } = input;
    let base_url = links.base_url.as_str();
    let neighbour = |place: &PlaceInput| {
        place.as_ref().map_or_else(Value::none, |other| {
            map([
                ("title", Value::from(other.title.as_str())),
                ("url_path", Value::from(other.url_path.as_str())),
                ("permalink", Value::from(url::permalink(base_url, &other.url_path))),
            ])
        })
    };
    let mut view = light.view.clone().into_map().expect("light_page always builds a map");
    let extra = [
        ("content", content.0.to_value()),
        ("toc", Value::from_serializable(&file.toc)),
        ("assets", strings(assets)),
        ("newer", neighbour(newer)),
        ("older", neighbour(older)),
        ("aliases", strings(&file.aliases)),
        ("series", series_of(file, series.as_ref(), base_url)),
    ];
    for (key, value) in extra {
        view.insert(key.into(), value);
    }
    Value::from(view)
}

/// The page's series: `{ name, number, parts: [{ title, url_path, permalink, current }] }`,
/// the parts in reading order and `number` this page's place among them (from 1); none when
/// the page is in no series.
fn series_of(page: &PageFile, series: Option<&(String, Vec<Digested<PagePlace>>)>, base_url: &str) -> Value {
    let Some((name, parts)) = series else {
        return Value::none();
    };
    let mut number = 0;
    let parts: Vec<Value> = parts
        .iter()
        .enumerate()
        .map(|(position, part)| {
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
        ("name", Value::from(name.as_str())),
        ("number", Value::from(number)),
        ("parts", Value::from(parts)),
    ])
}

fn section(
    section: &SectionInput,
    sections: &[SectionInput],
    base_url: &str,
    light_pages: &[Value],
) -> Value {
    let subsections = section
        .subsections
        .iter()
        .map(|&id| {
            let sub = &sections[id];
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
        ("content", section.content.0.to_value()),
        ("toc", Value::from_serializable(&section.toc)),
        ("url_path", Value::from(section.url_path.as_str())),
        ("permalink", Value::from(url::permalink(base_url, &section.url_path))),
        ("extra", Value::from_serializable(&*section.extra)),
        ("source_path", Value::from(section.content_path.as_str())),
        ("pages", Value::from(section.pages.iter().map(|&id| light_pages[id].clone()).collect::<Vec<_>>())),
        ("subsections", Value::from(subsections)),
        ("generate_feeds", Value::from(section.generate_feeds)),
    ])
}
