//! `quire import --from jekyll|hugo|zola SRC [DEST]`: another generator's site config turned
//! into a Quire `config.toml` — title, description, base URL, language, author, time zone,
//! pagination, permalinks, taxonomies and free-form params (issue 9).
//!
//! The content is not converted (Quire reads Jekyll, Hugo and Zola content as it is) and
//! nothing is moved: this writes `DEST/config.toml` only, and never replaces one. Keys with no
//! Quire meaning are listed back to the user rather than copied.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::data_value::{DataTable, DataValue};
use crate::error::{Error, Result};
use crate::parse::front_matter::{self, Format};
use crate::site::permalinks;

/// The generator a site comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `_config.yml`.
    Jekyll,
    /// `hugo.toml`, `hugo.yaml`, `config.toml` or `config.yaml`.
    Hugo,
    /// `config.toml`.
    Zola,
}

/// What to import, and where to.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The generator the site comes from.
    pub origin: Origin,
    /// The site's folder.
    pub source: PathBuf,
    /// The folder to write `config.toml` in.
    pub dest: PathBuf,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The config file read.
    pub read_from: PathBuf,
    /// The `config.toml` written.
    pub written: PathBuf,
    /// Settings that were not carried over, each with why.
    pub left_out: Vec<String>,
}

/// Reads the site's config and writes the Quire one.
///
/// # Errors
/// `Error::Read` when the site has no config file of that generator, `Error::Config` when it
/// cannot be parsed, `Error::FileExists` when `DEST/config.toml` exists, `Error::Write`.
pub fn import(options: &ImportOptions) -> Result<Imported> {
    let (read_from, format) = find_config(options.origin, &options.source)?;
    let text =
        fs::read_to_string(&read_from).map_err(|source| Error::Read { path: read_from.clone(), source })?;
    let table = front_matter::parse_data_file(&read_from, &text, format)?;
    let (config, left_out) = match options.origin {
        Origin::Jekyll => from_jekyll(table),
        Origin::Hugo => from_hugo(table),
        Origin::Zola => from_zola(table),
    };
    let written = options.dest.join("config.toml");
    if written == read_from {
        return Err(Error::Config {
            location: crate::error::Location::file(&read_from),
            detail: "the site's own config is `config.toml`, the file an import writes".into(),
            hint: Some(
                "name a DEST folder to write the Quire config in: `quire import --from zola SRC DEST`".into(),
            ),
        });
    }
    let header = format!(
        "# Imported by `quire import` from `{}`; the content is read as it is.\n\n",
        read_from.file_name().unwrap_or_default().to_string_lossy()
    );
    let toml = crate::config::to_toml(&config).map_err(|detail| Error::Config {
        location: crate::error::Location::file(&read_from),
        detail,
        hint: None,
    })?;
    super::write_file(&written, &format!("{header}{toml}"), super::Existing::Keep)?;
    Ok(Imported { read_from, written, left_out })
}

/// The Quire config an import writes, in the order a reader expects it.
#[derive(Debug, Default, Serialize)]
struct QuireConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paginate_by: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    taxonomies: Vec<Taxonomy>,
    #[serde(skip_serializing_if = "DataTable::is_empty")]
    permalinks: DataTable,
    #[serde(skip_serializing_if = "DataTable::is_empty")]
    extra: DataTable,
}

/// A `[[taxonomies]]` entry, with only what differs from Quire's defaults.
#[derive(Debug, Serialize)]
struct Taxonomy {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    paginate_by: Option<i64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    feed: bool,
}

fn find_config(origin: Origin, source: &Path) -> Result<(PathBuf, Format)> {
    let candidates: &[(&str, Format)] = match origin {
        Origin::Jekyll => {
            &[("_config.yml", Format::Yaml), ("_config.yaml", Format::Yaml), ("_config.toml", Format::Toml)]
        }
        Origin::Hugo => &[
            ("hugo.toml", Format::Toml),
            ("hugo.yaml", Format::Yaml),
            ("hugo.yml", Format::Yaml),
            ("config.toml", Format::Toml),
            ("config.yaml", Format::Yaml),
            ("config.yml", Format::Yaml),
        ],
        Origin::Zola => &[("config.toml", Format::Toml)],
    };
    for (name, format) in candidates {
        let path = source.join(name);
        if path.is_file() {
            return Ok((path, *format));
        }
    }
    let first = source.join(candidates[0].0);
    Err(Error::Read { path: first, source: std::io::Error::from(std::io::ErrorKind::NotFound) })
}

fn from_jekyll(mut table: DataTable) -> (QuireConfig, Vec<String>) {
    let mut left_out = Vec::new();
    let mut config = QuireConfig {
        title: take_string(&mut table, "title"),
        description: take_string(&mut table, "description"),
        language: take_string(&mut table, "lang"),
        author: take_author(&mut table, "author"),
        timezone: take_string(&mut table, "timezone"),
        paginate_by: take_integer(&mut table, "paginate"),
        ..QuireConfig::default()
    };
    let url = take_string(&mut table, "url").unwrap_or_default();
    let baseurl = take_string(&mut table, "baseurl").unwrap_or_default();
    if !url.is_empty() || !baseurl.is_empty() {
        let (origin, path) = (url.trim_end_matches('/'), baseurl.trim_matches('/'));
        config.base_url =
            Some(if path.is_empty() { format!("{origin}/") } else { format!("{origin}/{path}/") });
    }
    // Jekyll posts live in `_posts`; Quire reads them from `content/blog`.
    if let Some(pattern) = take_string(&mut table, "permalink") {
        match jekyll_pattern(&pattern) {
            Ok(quire) => {
                config.permalinks.insert("blog".into(), DataValue::String(quire));
            }
            Err(why) => left_out.push(format!("`permalink = \"{pattern}\"`: {why}")),
        }
    }
    config.taxonomies = ["tags", "categories"].map(taxonomy).into();
    left_out.extend(leftovers(table));
    (config, left_out)
}

fn from_hugo(mut table: DataTable) -> (QuireConfig, Vec<String>) {
    let mut left_out = Vec::new();
    let language =
        take_string(&mut table, "languageCode").or_else(|| take_string(&mut table, "defaultContentLanguage"));
    let mut params = match table.remove("params") {
        Some(DataValue::Table(params)) => params,
        _ => DataTable::new(),
    };
    let mut config = QuireConfig {
        title: take_string(&mut table, "title"),
        base_url: take_string(&mut table, "baseURL").or_else(|| take_string(&mut table, "baseurl")),
        language: language.map(|l| l.split(['-', '_']).next().unwrap_or_default().to_string()),
        timezone: take_string(&mut table, "timeZone"),
        description: take_string(&mut params, "description"),
        author: take_author(&mut table, "author").or_else(|| take_author(&mut params, "author")),
        ..QuireConfig::default()
    };
    config.paginate_by = take_integer(&mut table, "paginate").or_else(|| match table.get_mut("pagination") {
        Some(DataValue::Table(pagination)) => take_integer(pagination, "pagerSize"),
        _ => None,
    });
    table.remove("pagination");
    if let Some(DataValue::Table(patterns)) = table.remove("permalinks") {
        // Hugo 0.120+ nests them by kind: `[permalinks.page]`.
        let patterns = match patterns.get("page") {
            Some(DataValue::Table(pages)) => pages.clone(),
            _ => patterns,
        };
        for (section, pattern) in patterns {
            let DataValue::String(pattern) = pattern else { continue };
            match hugo_pattern(&pattern) {
                Ok(quire) => {
                    config.permalinks.insert(section, DataValue::String(quire));
                }
                Err(why) => left_out.push(format!("permalink `{section} = \"{pattern}\"`: {why}")),
            }
        }
    }
    config.taxonomies = match table.remove("taxonomies") {
        // `tag = "tags"`: the plural is the front matter key and the URL.
        Some(DataValue::Table(taxonomies)) => {
            taxonomies.into_values().filter_map(|plural| plural.as_str().map(taxonomy)).collect()
        }
        _ => ["tags", "categories"].map(taxonomy).into(),
    };
    config.extra = without_nulls(params);
    left_out.extend(leftovers(table));
    (config, left_out)
}

fn from_zola(mut table: DataTable) -> (QuireConfig, Vec<String>) {
    let mut config = QuireConfig {
        title: take_string(&mut table, "title"),
        description: take_string(&mut table, "description"),
        base_url: take_string(&mut table, "base_url"),
        language: take_string(&mut table, "default_language"),
        author: take_author(&mut table, "author"),
        ..QuireConfig::default()
    };
    if let Some(DataValue::Array(taxonomies)) = table.remove("taxonomies") {
        for entry in taxonomies {
            let DataValue::Table(mut entry) = entry else { continue };
            let Some(name) = take_string(&mut entry, "name") else { continue };
            let mut quire = taxonomy(&name);
            quire.paginate_by = take_integer(&mut entry, "paginate_by");
            quire.feed = matches!(entry.get("feed").or(entry.get("rss")), Some(DataValue::Bool(true)));
            config.taxonomies.push(quire);
        }
    }
    if let Some(DataValue::Table(extra)) = table.remove("extra") {
        config.extra = without_nulls(extra);
    }
    let left_out = leftovers(table);
    (config, left_out)
}

/// A Jekyll `permalink` (a pattern or a style name) as a Quire pattern.
fn jekyll_pattern(pattern: &str) -> std::result::Result<String, String> {
    let pattern = match pattern {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        other => other,
    };
    // Quire has no category segment in URLs: the rest of the pattern is kept.
    let pattern = pattern.replace("/:categories", "").replace(":output_ext", "/").replace(".html", "/");
    // Jekyll's `:title` is the file name's slug, which is Quire's `:slug`.
    let pattern = pattern.replace(":title", ":slug").replace("//", "/");
    permalinks::check(&pattern)?;
    Ok(pattern)
}

/// A Hugo permalink pattern as a Quire pattern.
fn hugo_pattern(pattern: &str) -> std::result::Result<String, String> {
    let pattern = pattern.replace(":filename", ":slug").replace(":contentbasename", ":slug");
    permalinks::check(&pattern)?;
    Ok(pattern)
}

fn taxonomy(name: &str) -> Taxonomy {
    Taxonomy { name: name.to_string(), paginate_by: None, feed: false }
}

fn take_string(table: &mut DataTable, key: &str) -> Option<String> {
    match table.remove(key) {
        Some(DataValue::String(text)) if !text.trim().is_empty() => Some(text),
        Some(DataValue::String(_)) | None => None,
        Some(other) => {
            table.insert(key.to_string(), other);
            None
        }
    }
}

fn take_integer(table: &mut DataTable, key: &str) -> Option<i64> {
    match table.remove(key) {
        Some(DataValue::Integer(n)) if n > 0 => Some(n),
        Some(other) => {
            table.insert(key.to_string(), other);
            None
        }
        None => None,
    }
}

/// `author: Ada` or `author: { name: Ada, email: … }`.
fn take_author(table: &mut DataTable, key: &str) -> Option<String> {
    match table.remove(key) {
        Some(DataValue::String(name)) => Some(name),
        Some(DataValue::Table(mut author)) => take_string(&mut author, "name"),
        Some(other) => {
            table.insert(key.to_string(), other);
            None
        }
        None => None,
    }
}

/// The keys nothing took, for the user to look at.
fn leftovers(table: DataTable) -> Vec<String> {
    table.into_keys().map(|key| format!("`{key}`: no Quire setting")).collect()
}

/// TOML has no null: `~` values are left out.
fn without_nulls(table: DataTable) -> DataTable {
    fn clean(value: DataValue) -> Option<DataValue> {
        match value {
            DataValue::Null => None,
            DataValue::Array(items) => Some(DataValue::Array(items.into_iter().filter_map(clean).collect())),
            DataValue::Table(table) => Some(DataValue::Table(without_nulls(table))),
            other => Some(other),
        }
    }
    table.into_iter().filter_map(|(key, value)| clean(value).map(|value| (key, value))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(yaml: &str) -> DataTable {
        front_matter::parse_data_file(Path::new("_config.yml"), yaml, Format::Yaml).unwrap()
    }

    #[test]
    fn jekyll_settings_map_onto_quire_ones() {
        let (config, left_out) = from_jekyll(table(
            "title: My blog\nurl: https://example.com\nbaseurl: /blog\npermalink: pretty\npaginate: 5\ntimezone: Europe/Berlin\nauthor:\n  name: Ada\ntheme: minima\n",
        ));
        assert_eq!(config.title.as_deref(), Some("My blog"));
        assert_eq!(config.base_url.as_deref(), Some("https://example.com/blog/"));
        assert_eq!(
            config.permalinks.get("blog"),
            Some(&DataValue::String("/:year/:month/:day/:slug/".into()))
        );
        assert_eq!((config.paginate_by, config.author.as_deref()), (Some(5), Some("Ada")));
        assert_eq!(left_out, ["`theme`: no Quire setting"]);
    }

    #[test]
    fn jekyll_root_urls_and_odd_permalinks() {
        let (config, left_out) =
            from_jekyll(table("url: https://example.com/\npermalink: /:year/:week/:title.html\n"));
        assert_eq!(config.base_url.as_deref(), Some("https://example.com/"));
        assert!(config.permalinks.is_empty());
        assert!(left_out[0].contains(":week"), "{left_out:?}");
    }

    #[test]
    fn hugo_settings_map_onto_quire_ones() {
        let text = "baseURL = 'https://hugo.example/'\ntitle = 'H'\nlanguageCode = 'en-us'\n[pagination]\npagerSize = 8\n[permalinks.page]\nposts = '/:year/:month/:filename/'\n[taxonomies]\ntag = 'tags'\nseries = 'series'\n[params]\ndescription = 'D'\nmood = 'ok'\n";
        let table = front_matter::parse_data_file(Path::new("hugo.toml"), text, Format::Toml).unwrap();
        let (config, left_out) = from_hugo(table);
        assert_eq!(config.base_url.as_deref(), Some("https://hugo.example/"));
        assert_eq!((config.language.as_deref(), config.paginate_by), (Some("en"), Some(8)));
        assert_eq!(config.permalinks.get("posts"), Some(&DataValue::String("/:year/:month/:slug/".into())));
        let names: Vec<&str> = config.taxonomies.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["series", "tags"]);
        assert_eq!(config.description.as_deref(), Some("D"));
        assert_eq!(config.extra.keys().collect::<Vec<_>>(), ["mood"]);
        assert!(left_out.is_empty(), "{left_out:?}");
    }

    #[test]
    fn zola_settings_map_onto_quire_ones() {
        let text = "base_url = 'https://z.example'\ntitle = 'Z'\ncompile_sass = true\ntaxonomies = [{ name = 'tags', feed = true, paginate_by = 4 }]\n[extra]\nmenu = ['a']\n";
        let table = front_matter::parse_data_file(Path::new("config.toml"), text, Format::Toml).unwrap();
        let (config, left_out) = from_zola(table);
        assert_eq!(config.taxonomies[0].name, "tags");
        assert!(config.taxonomies[0].feed);
        assert_eq!(config.taxonomies[0].paginate_by, Some(4));
        assert_eq!(left_out, ["`compile_sass`: no Quire setting"]);
        let toml = crate::config::to_toml(&config).unwrap();
        assert!(toml.contains("base_url = \"https://z.example\""), "{toml}");
        assert!(toml.contains("[extra]\nmenu = [\"a\"]"), "{toml}");
    }
}
