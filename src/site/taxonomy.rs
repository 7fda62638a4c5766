//! Taxonomies: the terms pages are filed under (tags, categories, ...), with their URLs,
//! pages and pagers.
//!
//! Spellings that differ only by case or trailing punctuation (`perf`, `Perf`, `perf,`) are
//! one term, with a warning; distinct terms always get distinct URLs (`C++` is not `C`).
//! This module renders nothing and reads no file.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use crate::config::{Config, TaxonomyConfig, TermOrder};
use crate::incremental::Digested;
use crate::parse::front_matter::SortBy;
use crate::site::pagination::{self, Pager};
use crate::site::{sort_pages, url, PageId, PagePlace};

/// A taxonomy, such as tags, with its terms.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// The name in `config.toml` and front matter: `tags`.
    pub name: String,
    /// `/tags/`.
    pub url_path: String,
    /// Whether each term gets `atom.xml` and `rss.xml`.
    pub feed: bool,
    /// Pages per pager of a term.
    pub paginate_by: usize,
    /// The terms, in the configured order (by name, or by count).
    pub terms: Vec<Term>,
    /// Term index by merge key, to find the term of a name as a page wrote it.
    by_key: HashMap<String, usize>,
    /// Term index by every spelling the pages use, so that looking a page's terms up
    /// (views, feeds) does not work out merge keys again.
    by_spelling: HashMap<String, usize>,
}

/// One term of a taxonomy.
#[derive(Debug, Clone)]
pub struct Term {
    /// The name as most pages write it.
    pub name: String,
    /// The URL segment, unique in its taxonomy.
    pub slug: String,
    /// `/tags/rust/`.
    pub url_path: String,
    /// Pages with this term, newest first.
    pub pages: Vec<PageId>,
    /// The pagers of the term's page list.
    pub pagers: Vec<Pager>,
}

impl Taxonomy {
    /// The term a page means by `name` (`Perf` finds `perf`), if any page uses it.
    pub fn term(&self, name: &str) -> Option<&Term> {
        self.index_of(name).map(|index| &self.terms[index])
    }

    /// Every spelling pages use, with its term's index: what [`Taxonomy::terms_of`] looks a
    /// page's terms up in.
    pub fn spellings(&self) -> BTreeMap<String, usize> {
        self.by_spelling.iter().map(|(spelling, &index)| (spelling.clone(), index)).collect()
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        match self.by_spelling.get(name) {
            Some(&index) => Some(index),
            None => self.by_key.get(&merge_key(name)).copied(),
        }
    }

    /// The terms of `page` in this taxonomy with their indexes in `terms`, each once, in the
    /// order the page lists them.
    pub fn terms_of<'a>(&'a self, page: &'a PagePlace) -> impl Iterator<Item = (usize, &'a Term)> + 'a {
        let mut seen = Vec::new();
        page.taxonomies.get(&self.name).into_iter().flatten().filter_map(move |name| {
            let index = self.index_of(name)?;
            if seen.contains(&index) {
                return None;
            }
            seen.push(index);
            Some((index, &self.terms[index]))
        })
    }
}

/// Builds every configured taxonomy from the pages' terms; warnings (merged spellings,
/// disambiguated slugs) go to `warnings`. Terms with an empty merge key are left out (parsing
/// warns about them).
pub fn build(config: &Config, pages: &[Digested<PagePlace>], warnings: &mut Vec<String>) -> Vec<Taxonomy> {
    config.taxonomies.iter().map(|taxonomy| build_one(taxonomy, config, pages, warnings)).collect()
}

/// The key that decides which spellings are one term: the URL segment they would get, after
/// dropping surrounding whitespace and trailing punctuation (`Perf,` → `perf`). Spellings that
/// would share a URL are one term (`Machine Learning`, `machine-learning`), never two pages
/// for one URL; `C++` and `C` stay apart because their slugs do.
pub fn merge_key(name: &str) -> String {
    let trimmed = merge_key_trim(name);
    if trimmed.is_empty() {
        return String::new();
    }
    term_slug(&trimmed.to_lowercase())
}

/// A term name without the spaces around it and the punctuation that ends it by accident.
fn merge_key_trim(name: &str) -> &str {
    name.trim().trim_end_matches(|c: char| TRAILING_PUNCTUATION.contains(&c) || c.is_whitespace())
}

/// Punctuation that ends a term by accident (a stray comma in a YAML list), not by meaning.
/// `+` and `#` are not here: `C++` and `C#` are names of their own.
const TRAILING_PUNCTUATION: &[char] = &[',', '.', ';', ':', '!', '?', '…', '、', '。', '，', '；', '：'];

/// The URL segment of a term: a slug in which symbols that carry meaning in names are
/// spelled out (`C++` → `c-plus-plus`, `C#` → `c-sharp`), so they don't collapse onto
/// another term's slug. A name without letters or digits gets its code points (`🦀` →
/// `u1f980`).
pub fn term_slug(name: &str) -> String {
    let mut spelled = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        match c {
            '+' => spelled.push_str(" plus "),
            '#' => spelled.push_str(" sharp "),
            '&' => spelled.push_str(" and "),
            '@' => spelled.push_str(" at "),
            _ => spelled.push(c),
        }
    }
    let slug = url::slugify(&spelled);
    if !slug.is_empty() {
        return slug;
    }
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| format!("u{:x}", c as u32))
        .collect::<Vec<_>>()
        .join("-")
}

/// One spelling of a term and where it was first seen.
struct Spelling {
    text: String,
    pages: usize,
    first_page: PageId,
    last_page: PageId,
}

/// A term while it is being collected: its spellings and pages.
struct Collected {
    spellings: Vec<Spelling>,
    pages: Vec<PageId>,
}

fn build_one(
    taxonomy: &TaxonomyConfig,
    config: &Config,
    pages: &[Digested<PagePlace>],
    warnings: &mut Vec<String>,
) -> Taxonomy {
    let name = &taxonomy.name;
    let url_path = format!("/{}/", url::slugify(name));
    // Collected in order of first use, then ordered by key below.
    let mut collected: Vec<(String, Collected)> = Vec::new();
    // The merge key of each spelling, worked out once (thousands of pages share a few
    // terms), and its term: one lookup for each term of each page.
    let mut keys: HashMap<&str, String> = HashMap::default();
    let mut terms_by_spelling: HashMap<&str, Option<usize>> = HashMap::default();
    let mut terms_by_key: HashMap<String, usize> = HashMap::default();
    for (id, page) in pages.iter().enumerate() {
        for text in page.taxonomies.get(name).into_iter().flatten() {
            let index = *terms_by_spelling.entry(text.as_str()).or_insert_with(|| {
                let key = keys.entry(text.as_str()).or_insert_with(|| merge_key(text));
                // Parsing warned about an empty one, with its line.
                (!key.is_empty()).then(|| {
                    *terms_by_key.entry(key.clone()).or_insert_with(|| {
                        collected.push((key.clone(), Collected { spellings: Vec::new(), pages: Vec::new() }));
                        collected.len() - 1
                    })
                })
            });
            let Some(index) = index else { continue };
            let term = &mut collected[index].1;
            if term.pages.last() != Some(&id) {
                term.pages.push(id);
            }
            match term.spellings.iter_mut().find(|s| s.text == *text) {
                Some(spelling) if spelling.last_page != id => {
                    spelling.pages += 1;
                    spelling.last_page = id;
                }
                Some(_) => {}
                None => term.spellings.push(Spelling {
                    text: text.clone(),
                    pages: 1,
                    first_page: id,
                    last_page: id,
                }),
            }
        }
    }
    let collected: BTreeMap<String, Collected> = collected.into_iter().collect();

    let slugs = unique_slugs(name, &collected, warnings);
    let paginate_by = taxonomy.paginate_by.unwrap_or(config.paginate_by);
    let mut terms: Vec<(String, Term)> = collected
        .into_iter()
        .map(|(key, mut term)| {
            let display = display_name(name, &term.spellings, pages, warnings);
            let slug = slugs[&key].clone();
            let term_url = url::join(&url_path, &slug);
            sort_pages(&mut term.pages, pages, SortBy::Date);
            let pagers = pagination::paginate(&term_url, term.pages.len(), paginate_by);
            (key, Term { name: display, slug, url_path: term_url, pages: term.pages, pagers })
        })
        .collect();
    terms.sort_by(|(_, a), (_, b)| {
        let by_name = || a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.slug.cmp(&b.slug));
        match taxonomy.sort_by {
            TermOrder::Name => by_name(),
            TermOrder::Count => b.pages.len().cmp(&a.pages.len()).then_with(by_name),
        }
    });
    let by_key: HashMap<String, usize> =
        terms.iter().enumerate().map(|(index, (key, _))| (key.clone(), index)).collect();
    let by_spelling = keys
        .into_iter()
        .filter_map(|(spelling, key)| Some((spelling.to_string(), *by_key.get(&key)?)))
        .collect();
    Taxonomy {
        name: name.clone(),
        url_path,
        feed: taxonomy.feed,
        paginate_by,
        terms: terms.into_iter().map(|(_, term)| term).collect(),
        by_key,
        by_spelling,
    }
}

/// Gives every merge key a slug no other key of the taxonomy has. Keys that would share a
/// slug keep it in key order: the first as is, the others with `-2`, `-3`, ... and a warning.
fn unique_slugs(
    taxonomy: &str,
    collected: &BTreeMap<String, Collected>,
    warnings: &mut Vec<String>,
) -> HashMap<String, String> {
    let mut by_slug: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for key in collected.keys() {
        by_slug.entry(term_slug(key)).or_default().push(key);
    }
    let mut taken: std::collections::HashSet<String> = by_slug.keys().cloned().collect();
    let mut slugs = HashMap::default();
    for (slug, keys) in &by_slug {
        slugs.insert(keys[0].to_string(), slug.clone());
        for key in &keys[1..] {
            let unique = (2..)
                .map(|n| format!("{slug}-{n}"))
                .find(|candidate| !taken.contains(candidate))
                .expect("an unbounded range always yields an unused suffix");
            taken.insert(unique.clone());
            let first = &collected[keys[0]].spellings[0].text;
            let this = &collected[*key].spellings[0].text;
            warnings.push(format!(
                "{taxonomy} `{this}` and `{first}` would share the URL segment `{slug}`; `{this}` gets `{unique}`"
            ));
            slugs.insert(key.to_string(), unique);
        }
    }
    slugs
}

/// The chosen spelling of a term ([`chosen_spelling`]); warns when there is more than one.
fn display_name(
    taxonomy: &str,
    spellings: &[Spelling],
    pages: &[Digested<PagePlace>],
    warnings: &mut Vec<String>,
) -> String {
    let chosen = chosen_spelling(spellings);
    let others: Vec<String> = spellings
        .iter()
        .filter(|s| s.text != chosen.text)
        .map(|s| format!("`{}` in `{}`", s.text, pages[s.first_page].display_path.display()))
        .collect();
    if !others.is_empty() {
        warnings.push(format!(
            "{taxonomy}: {} are merged into the term `{}`; spell them the same way to silence this warning",
            others.join(", "),
            chosen.text
        ));
    }
    chosen.text.clone()
}

/// The spelling most pages use (the first seen on a tie), preferring one without a stray comma
/// or space at its end: `perf` over `perf,`, however many pages made the slip.
fn chosen_spelling(spellings: &[Spelling]) -> &Spelling {
    let tidy = |s: &Spelling| merge_key_trim(&s.text) == s.text;
    spellings
        .iter()
        .enumerate()
        .max_by(|(ia, a), (ib, b)| tidy(a).cmp(&tidy(b)).then(a.pages.cmp(&b.pages)).then(ib.cmp(ia)))
        .map(|(_, spelling)| spelling)
        .expect("a collected term has at least one spelling")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_that_share_a_url_share_a_merge_key() {
        assert_eq!(merge_key("perf"), "perf");
        assert_eq!(merge_key(" Perf, "), "perf");
        assert_eq!(merge_key("perf!?"), "perf");
        assert_eq!(merge_key("C++"), "c-plus-plus");
        assert_eq!(merge_key("C#"), "c-sharp");
        assert_eq!(merge_key("Machine Learning"), merge_key("machine-learning"));
        assert_ne!(merge_key("C++"), merge_key("C"));
        assert_eq!(merge_key("Ünïcode"), "ünïcode");
        assert_eq!(merge_key(",,"), "");
    }

    #[test]
    fn terms_whose_slugs_clash_get_numbered_slugs_and_a_warning() {
        let term = |text: &str| Collected {
            spellings: vec![Spelling { text: text.into(), pages: 1, first_page: 0, last_page: 0 }],
            pages: vec![0],
        };
        let mut collected = BTreeMap::new();
        for text in ["ruby on rails", "ruby-on-rails", "ruby_on_rails", "ruby-on-rails-2"] {
            collected.insert(text.to_string(), term(text));
        }
        let mut warnings = Vec::new();
        let slugs = unique_slugs("tags", &collected, &mut warnings);
        assert_eq!(slugs["ruby on rails"], "ruby-on-rails");
        assert_eq!(slugs["ruby-on-rails"], "ruby-on-rails-3");
        assert_eq!(slugs["ruby_on_rails"], "ruby-on-rails-4");
        assert_eq!(slugs["ruby-on-rails-2"], "ruby-on-rails-2");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("`ruby-on-rails` and `ruby on rails` would share"), "{warnings:?}");
    }

    #[test]
    fn term_slugs_keep_symbol_names_apart() {
        assert_eq!(term_slug("c"), "c");
        assert_eq!(term_slug("c++"), "c-plus-plus");
        assert_eq!(term_slug("c#"), "c-sharp");
        assert_eq!(term_slug("r&d"), "r-and-d");
        assert_eq!(term_slug("straße"), "straße");
        assert_eq!(term_slug("日本語"), "日本語");
        assert_eq!(term_slug("🦀"), "u1f980");
        assert_eq!(term_slug("🦀 ✨"), "u1f980-u2728");
    }

    #[test]
    fn the_display_name_is_a_tidy_spelling_even_when_fewer_pages_use_it() {
        let spelling =
            |text: &str, pages: usize| Spelling { text: text.into(), pages, first_page: 0, last_page: 0 };
        let spellings = [spelling("perf,", 3), spelling("Perf", 1), spelling("perf", 2)];
        assert_eq!(chosen_spelling(&spellings).text, "perf");
        let spellings = [spelling("Perf", 1), spelling("perf,", 3), spelling("perf", 1)];
        assert_eq!(chosen_spelling(&spellings).text, "Perf", "first tidy one on a tie");
    }
}
