//! Template functions (`get_url`, `get_hash`, `get_page`, `get_section`, `get_taxonomy`,
//! `get_archive`, `load_data`) and filters (`date`, `truncate_words`, `slugify`, `markdown`, `json_encode`,
//! `jsonify`).
//!
//! Functions read a `Lookup` built once from the views and the data files `load` read; they
//! never touch the disk. Each call
//! is recorded as a `Query` of the running render (`queries`), so that what the render was
//! made from includes the answer.

use std::sync::{Arc, Mutex};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::config::{Config, MarkdownConfig};
use crate::data_value::DataTable;
use crate::images::{self, Format, Op, Operation};
use crate::incremental::ImageJob;
use crate::incremental::ValueHashes;
use crate::load::DataFile;
use crate::load::ImageHeader;
use crate::parse::data::{self, DataFormat};
use crate::parse::date::PageDate;
use crate::parse::markdown;
use crate::render::fingerprint::{Fingerprints, ShaType};
use crate::render::queries::{self, ImageQuery, Query, ResizeArguments};
use crate::render::views::{Hashed, Views};
use crate::site::{url, Site};

/// A map by path or name (Fx-hashed, as every map here: each run builds them over every
/// page, and the default SipHash was the costlier part of that).
type ByName<V> = HashMap<String, V>;

/// What template functions can look up.
pub struct Lookup {
    base_url: String,
    /// Where pages, sections and outputs are.
    index: Arc<LookupIndex>,
    /// The views answers are made of, with their hashes; `None` for shortcodes.
    views: Option<Arc<Views>>,
    /// Each taxonomy's index in the views, by name.
    taxonomies: ByName<usize>,
    /// Each section's index in the views, by content path, for its archive.
    archives: ByName<usize>,
    /// The key of each text in config.toml's `[extra]` (`extra.menu[1].url`), the first
    /// where a text is written twice: a `get_url` of one names where it comes from.
    config_keys: ByName<String>,
    /// `data` and the files `load_data` reads.
    data: SiteData,
    /// The images `resize_image` and `image_metadata` can be asked for.
    images: Arc<ImageTable>,
}

/// What `load_data` gives for a file and format: its value with its hash, or the message.
type Loaded = Result<(Value, u64), String>;

/// The data templates can read: `data` (the files under `data/`, parsed by the pipeline) and
/// the files `load_data` reads, parsed the first time a render asks for one.
pub struct SiteData {
    /// `data`, with its hash.
    folder: (Value, u64),
    /// Every data file `load` read, by its path from the site root.
    files: ByName<DataFile>,
    /// This run's parses of files by `load_data`, by site path and format.
    parsed: Mutex<HashMap<(String, DataFormat), Loaded>>,
}

impl Default for SiteData {
    /// No data: what shortcodes are given.
    fn default() -> SiteData {
        SiteData::new(&DataTable::new(), &[])
    }
}

impl SiteData {
    /// The data of a site: `folder`, the parsed files under `data/`, and every data file.
    pub fn new(folder: &DataTable, files: &[DataFile]) -> SiteData {
        let value = Value::from_serializable(folder);
        let hash = ValueHashes::default().hash(&value);
        let files = files.iter().map(|file| (file.site_path.clone(), file.clone())).collect();
        SiteData { folder: (value, hash), files, parsed: Mutex::default() }
    }

    /// What `load_data(path=…, format=…)` gives: the file's value with its hash.
    fn load(&self, path: &str, format: Option<&str>) -> Loaded {
        let site_path = site_path(path)?;
        let file = self.files.get(&site_path).ok_or_else(|| {
            format!(
                "`load_data`: no data file at `{path}`: it reads the files under `data/`, and the \
                 JSON, YAML, TOML and CSV files under `content/` and `static/`"
            )
        })?;
        let format = match format {
            Some(name) => DataFormat::from_name(name)
                .ok_or_else(|| format!("`load_data`: unknown format `{name}`: use {}", data::FORMAT_NAMES))?,
            None => DataFormat::of_path(&site_path).ok_or_else(|| {
                format!(
                    "`load_data`: cannot tell the format of `{path}` from its name: add `format=…` ({})",
                    data::FORMAT_NAMES
                )
            })?,
        };
        let key = (site_path, format);
        if let Some(parsed) = self.parsed.lock().expect("no parse panics while holding the lock").get(&key) {
            return parsed.clone();
        }
        let parsed = match file.text.as_deref() {
            None => Err(format!("`load_data`: `{}` is not UTF-8 text", file.display_path.display())),
            Some(text) => match data::parse(&file.display_path, text, format) {
                Ok(value) => {
                    let value = Value::from_serializable(&value);
                    let hash = ValueHashes::default().hash(&value);
                    Ok((value, hash))
                }
                Err(error) => Err(error.report()),
            },
        };
        self.parsed.lock().expect("no parse panics while holding the lock").insert(key, parsed.clone());
        parsed
    }
}

/// The path from the site root that `load_data`'s `path` names (`@/` for `content/`), or why
/// it names none: a URL, an absolute path, or one whose `..` leave the site.
fn site_path(path: &str) -> Result<String, String> {
    if path.contains("://") {
        return Err(format!("`load_data`: `{path}` is a URL: only files inside the site are read"));
    }
    let outside = || {
        format!(
            "`load_data`: `{path}` is outside the site: paths are relative to the site's folder \
             (`data/talks.yaml`), and files outside it are never read"
        )
    };
    let (base, relative) = match path.strip_prefix("@/") {
        Some(rest) => (vec!["content"], rest),
        None => (Vec::new(), path),
    };
    let windows_drive = relative.len() > 1 && relative.as_bytes()[1] == b':';
    if relative.starts_with(['/', '\\']) || windows_drive {
        return Err(outside());
    }
    let mut parts = base;
    for part in relative.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(outside)?;
            }
            part => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

/// An image templates may name, by its path under `content/` (`blog/trip/photo.jpg`) or
/// `static/` (`img/logo.png`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceImage {
    /// The file on disk.
    pub source_path: std::path::PathBuf,
    /// What its header said; `None` when it could not be read.
    pub header: Option<ImageHeader>,
}

/// The images templates may name, by path.
pub type ImageTable = std::collections::BTreeMap<String, SourceImage>;

/// The paths a [`Lookup`] answers from: page and section ids and URLs by content path, and
/// the output paths that exist. At 10,000 posts it is 25,000 strings, the same from run to
/// run while no page moves.
#[derive(Debug, Default)]
pub struct LookupIndex {
    pages: ByName<(String, usize)>,
    sections: ByName<(String, usize)>,
    /// Output paths that exist (`css/site.css`, `blog/`), without a leading `/`.
    outputs: HashSet<String>,
    /// The hashes of the outputs whose bytes are known before rendering.
    fingerprints: Fingerprints,
}

/// What a [`LookupIndex`] is built from, borrowed from the site.
#[derive(Hash)]
pub struct IndexSource<'a> {
    /// Each page's content path, URL path and whether it is rendered, by id.
    pages: Vec<(&'a str, &'a str, bool)>,
    /// Each section's content path and URL path, by id.
    sections: Vec<(&'a str, &'a str)>,
    /// Every output path besides the pages', without a leading `/`.
    outputs: Vec<&'a str>,
    /// The hashes of the outputs whose bytes are known before rendering.
    fingerprints: &'a Fingerprints,
}

impl<'a> IndexSource<'a> {
    /// The paths of `site`, with `other_outputs` (static files, feeds and other generated
    /// files) among its outputs, and the `fingerprints` of the outputs whose bytes are known.
    pub fn of(site: &'a Site, other_outputs: &[&'a str], fingerprints: &'a Fingerprints) -> IndexSource<'a> {
        let pages = site
            .pages
            .iter()
            .map(|p| (p.content_path.as_str(), p.url_path.as_str(), p.is_rendered()))
            .collect();
        let sections = site.sections.iter().map(|s| (s.content_path.as_str(), s.url_path.as_str())).collect();
        let pagers = site.sections.iter().flat_map(|s| s.pagers.iter().map(|p| p.url_path.as_str()));
        let outputs = other_outputs
            .iter()
            .copied()
            .chain(site.assets.iter().map(|a| a.output_path.as_str()))
            .chain(pagers.map(|url_path| url_path.trim_start_matches('/')))
            .collect();
        IndexSource { pages, sections, outputs, fingerprints }
    }
}

impl LookupIndex {
    /// The index of `source`.
    pub fn new(source: &IndexSource<'_>) -> Arc<LookupIndex> {
        let pages = source.pages.iter().map(|&(content_path, url_path, _)| (content_path, url_path));
        let rendered = source.pages.iter().filter(|page| page.2).map(|page| page.1.trim_start_matches('/'));
        Arc::new(LookupIndex {
            pages: by_content_path(pages),
            sections: by_content_path(source.sections.iter().copied()),
            outputs: source.outputs.iter().copied().chain(rendered).map(str::to_string).collect(),
            fingerprints: source.fingerprints.clone(),
        })
    }
}

/// Each item's URL path and id (its place in `list`) by its content path.
fn by_content_path<'a>(list: impl Iterator<Item = (&'a str, &'a str)>) -> ByName<(String, usize)> {
    let items = list.enumerate();
    items
        .map(|(id, (content_path, url_path))| (content_path.to_string(), (url_path.to_string(), id)))
        .collect()
}

impl Lookup {
    /// Answers from `index` and the `views` of `site`.
    pub fn new(
        site: &Site,
        views: Arc<Views>,
        index: Arc<LookupIndex>,
        data: SiteData,
        images: Arc<ImageTable>,
    ) -> Lookup {
        let taxonomies = site.taxonomies.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
        let archives = site.sections.iter().enumerate().map(|(i, s)| (s.content_path.clone(), i)).collect();
        Lookup {
            views: Some(views),
            taxonomies,
            archives,
            data,
            images,
            ..Lookup::for_shortcodes(&site.config, index)
        }
    }

    /// Answers from `index` alone, for shortcodes: they are expanded before the views exist,
    /// so only `get_url` works.
    pub fn for_shortcodes(config: &Config, index: Arc<LookupIndex>) -> Lookup {
        let mut config_keys = ByName::default();
        for (key, value) in &config.extra {
            note_config_keys(&format!("extra.{key}"), value, &mut config_keys);
        }
        Lookup {
            base_url: config.base_url.clone(),
            index,
            views: None,
            taxonomies: ByName::default(),
            archives: ByName::default(),
            config_keys,
            data: SiteData::default(),
            images: Arc::default(),
        }
    }

    /// The answer to `query`, as the template function gives it.
    ///
    /// # Errors
    /// The message the template function fails with: no such page, section or taxonomy.
    pub fn answer(&self, query: &Query) -> Result<Value, String> {
        self.answer_hashed(query).map(|(value, _)| value)
    }

    /// A hash of the answer to `query`, to compare it with the answer of another run.
    pub fn answer_hash(&self, query: &Query) -> u64 {
        match self.answer_hashed(query) {
            Ok((_, hash)) => hash,
            Err(message) => {
                ValueHashes::default().hash(&Value::from(format!("error: {message}"))).rotate_left(1)
            }
        }
    }

    /// The answer to `query` with its hash (a view's own, made when the view was).
    fn answer_hashed(&self, query: &Query) -> Result<(Value, u64), String> {
        let text = |text: String| {
            let value = Value::from(text);
            let hash = ValueHashes::default().hash(&value);
            (value, hash)
        };
        match query {
            Query::Url(path) => return self.url(path).map(text),
            Query::CachebustUrl(path) => return self.cachebust_url(path).map(text),
            Query::Hash { path, sha_type, base64 } => {
                return self.hashes(path, "get_hash").map(|hashes| text(hashes.encoded(*sha_type, *base64)))
            }
            _ => {}
        }
        let Some(views) = &self.views else {
            return Err("shortcodes can use `get_url` and `get_hash`, not `get_page`, `get_section`, `get_archive`, `get_taxonomy`, `load_data`, `resize_image` or `image_metadata`".into());
        };
        let owned = |hashed: Hashed<'_>| (hashed.value.clone(), hashed.hash);
        match query {
            Query::Url(_) | Query::CachebustUrl(_) | Query::Hash { .. } => unreachable!("answered above"),
            Query::Page(path) => self
                .index
                .pages
                .get(path)
                .map(|&(_, id)| owned(views.page(id)))
                .ok_or_else(|| format!("`get_page`: no page at `content/{path}`")),
            Query::Section(path) => self
                .index
                .sections
                .get(path)
                .map(|&(_, id)| owned(views.section(id)))
                .ok_or_else(|| format!("`get_section`: no section at `content/{path}`")),
            Query::Archive(section) if section.is_empty() => Ok(owned(views.archive())),
            Query::Archive(section) => self
                .archives
                .get(section)
                .map(|&id| owned(views.section_archive(id)))
                .ok_or_else(|| format!("`get_archive`: no section at `content/{section}`")),
            Query::Taxonomy(kind) => self
                .taxonomies
                .get(kind)
                .map(|&index| owned(views.taxonomy(index)))
                .ok_or_else(|| format!("`get_taxonomy`: no taxonomy `{kind}` in config.toml")),
            Query::Data => Ok(self.data.folder.clone()),
            Query::LoadData(path, format) => self.data.load(path, format.as_deref()),
            Query::Image(query) => self.image(query).map(|value| {
                let hash = ValueHashes::default().hash(&value);
                (value, hash)
            }),
        }
    }

    /// The URL of the output at `path` with `?h=` and the start of its SHA-256: it changes
    /// when the file's bytes do, so a browser or a CDN may keep the file for a year.
    fn cachebust_url(&self, path: &str) -> Result<String, String> {
        let hashes = self.hashes(path, "get_url")?;
        let url = self.url(path)?;
        Ok(format!("{url}?h={}", hashes.cachebust()))
    }

    /// The hashes of the output at `path`, or the message `function` fails with.
    fn hashes(&self, path: &str, function: &str) -> Result<&crate::render::fingerprint::FileHashes, String> {
        let relative = path.trim_start_matches('/');
        if let Some(hashes) = self.index.fingerprints.get(relative) {
            return Ok(hashes);
        }
        if path.starts_with("@/") || path.contains(['#', '?']) {
            return Err(format!(
                "`{function}`: `{path}` cannot be hashed: give the path of a static file or a compiled stylesheet, such as `css/site.css`"
            ));
        }
        if self.index.outputs.contains(relative) {
            let extensions = crate::load::READ_ASSET_EXTENSIONS.join(", ");
            return Err(format!(
                "`{function}`: `{path}` cannot be hashed: the build reads only static files ending in {extensions} (up to 16 MiB) and compiled Sass, and copies the others unread"
            ));
        }
        // The same message as `get_url`'s for a path nothing is built at.
        match self.url(path) {
            Err(message) => Err(message.replacen("`get_url`", &format!("`{function}`"), 1)),
            Ok(_) => Err(format!("`{function}`: `{path}` is a page, not a file that can be hashed")),
        }
    }

    /// What `resize_image` or `image_metadata` gives for `query`.
    fn image(&self, query: &ImageQuery) -> Result<Value, String> {
        let (image, header) = self.source_image(query)?;
        let mut map = tera::Map::new();
        match &query.resize {
            None => {
                let format = image.source_path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
                map.insert("width".into(), Value::from(header.width));
                map.insert("height".into(), Value::from(header.height));
                map.insert("format".into(), Value::from(format.unwrap_or_default()));
            }
            Some(_) => {
                let job = self.image_job(query)?;
                map.insert("url".into(), Value::from(url::permalink(&self.base_url, &job.output_path)));
                map.insert("width".into(), Value::from(job.operation.width));
                map.insert("height".into(), Value::from(job.operation.height));
                map.insert("orig_width".into(), Value::from(header.width));
                map.insert("orig_height".into(), Value::from(header.height));
            }
        }
        Ok(Value::from(map))
    }

    fn source_image(&self, query: &ImageQuery) -> Result<(&SourceImage, ImageHeader), String> {
        let name = if query.resize.is_some() { "resize_image" } else { "image_metadata" };
        let path = query.path.trim_start_matches('/');
        let image = self.images.get(path).ok_or_else(|| {
            format!("`{name}`: no image at `{path}` (looked for `content/{path}` and `static/{path}`)")
        })?;
        let header = image.header.ok_or_else(|| {
            format!(
                "`{name}`: `{}` is not an image Quire can read: corrupt, truncated, or not JPEG, PNG, WebP, GIF or AVIF",
                image.source_path.display()
            )
        })?;
        Ok((image, header))
    }

    /// The processing `query` (a `resize_image` call) asks for: what, to what size, and where
    /// the result goes. Its name is made of the source's path and size and the operation, so
    /// that equal calls share one file and builds in two checkouts name it alike.
    ///
    /// # Errors
    /// The message `resize_image` fails with.
    pub fn image_job(&self, query: &ImageQuery) -> Result<ImageJob, String> {
        let (image, header) = self.source_image(query)?;
        let Some(args) = &query.resize else { return Err("`image_metadata` processes nothing".into()) };
        let path = query.path.trim_start_matches('/');
        let failed = |message: String| format!("`resize_image` of `{path}`: {message}");
        let op = Op::parse(&args.op).map_err(failed)?;
        let format = Format::parse(&args.format, path).map_err(failed)?;
        if !(1..=100).contains(&args.quality) {
            return Err(failed(format!("`quality` is {}: give 1 to 100", args.quality)));
        }
        let (width, height) = images::target_size(op, (header.width, header.height), args.width, args.height)
            .map_err(failed)?;
        let operation = Operation { op, width, height, format, quality: args.quality };
        Ok(ImageJob {
            source_path: image.source_path.clone(),
            stamp: header.stamp,
            operation,
            output_path: images::output_path(path, (header.width, header.height), &operation),
        })
    }

    fn url(&self, path: &str) -> Result<String, String> {
        if let Some(internal) = path.strip_prefix("@/") {
            let (file, anchor) = match internal.split_once('#') {
                Some((file, anchor)) => (file, format!("#{anchor}")),
                None => (internal, String::new()),
            };
            let url_path = self
                .index
                .pages
                .get(file)
                .or_else(|| self.index.sections.get(file))
                .map(|(url_path, _)| url_path)
                .ok_or_else(|| {
                    format!("`get_url`: no page or section at `@/{file}` (looked in content/{file})")
                })?;
            return Ok(format!("{}{anchor}", url::permalink(&self.base_url, url_path)));
        }
        let relative = path.trim_start_matches('/');
        let without_fragment = relative.split(['#', '?']).next().unwrap_or(relative);
        if self.index.outputs.contains(without_fragment) || without_fragment.is_empty() {
            Ok(url::permalink(&self.base_url, relative))
        } else {
            let from_config = match self.config_keys.get(path) {
                Some(key) => format!(" (the value of `{key}` in config.toml)"),
                None => String::new(),
            };
            Err(format!(
                "`get_url`: nothing is built at `{path}`{from_config}: no static file, page or section has that path"
            ))
        }
    }
}

/// Records the key of every text in `value`, written at `key` in config.toml, unless an
/// earlier key has the same text.
fn note_config_keys(key: &str, value: &crate::data_value::DataValue, keys: &mut ByName<String>) {
    use crate::data_value::DataValue as Value;
    match value {
        Value::String(text) => {
            keys.entry(text.clone()).or_insert_with(|| key.to_string());
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                note_config_keys(&format!("{key}[{index}]"), item, keys);
            }
        }
        Value::Table(table) => {
            for (name, item) in table {
                note_config_keys(&format!("{key}.{name}"), item, keys);
            }
        }
        Value::Null | Value::Bool(_) | Value::Integer(_) | Value::Float(_) => {}
    }
}

/// Registers Quire's functions and filters on `tera`.
pub fn register(tera: &mut Tera, lookup: Arc<Lookup>, markdown_options: MarkdownConfig) {
    /// A function's name, its one argument, and the query it makes of that argument.
    type Function = (&'static str, &'static str, fn(String) -> Query);
    let functions: [Function; 3] = [
        ("get_page", "path", |path| Query::Page(path.trim_start_matches("@/").to_string())),
        ("get_section", "path", |path| Query::Section(path.trim_start_matches("@/").to_string())),
        ("get_taxonomy", "kind", Query::Taxonomy),
    ];
    for (name, argument, query) in functions {
        let l = Arc::clone(&lookup);
        tera.register_function(name, move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let query = query(kwargs.must_get::<&str>(argument)?.to_string());
            queries::record(query.clone());
            l.answer(&query).map_err(tera::Error::message)
        });
    }
    let l = Arc::clone(&lookup);
    tera.register_function("get_url", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        let path = kwargs.must_get::<&str>("path")?.to_string();
        let query = match kwargs.get::<bool>("cachebust")? {
            Some(true) => Query::CachebustUrl(path),
            _ => Query::Url(path),
        };
        queries::record(query.clone());
        l.answer(&query).map_err(tera::Error::message)
    });
    let l = Arc::clone(&lookup);
    tera.register_function("resize_image", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        let resize = ResizeArguments {
            width: kwargs.get::<u32>("width")?,
            height: kwargs.get::<u32>("height")?,
            op: kwargs.get::<&str>("op")?.unwrap_or("fill").to_string(),
            format: kwargs.get::<&str>("format")?.unwrap_or("auto").to_string(),
            quality: kwargs.get::<u8>("quality")?.unwrap_or(images::DEFAULT_QUALITY),
        };
        let query = Query::Image(ImageQuery {
            path: kwargs.must_get::<&str>("path")?.to_string(),
            resize: Some(resize),
        });
        queries::record(query.clone());
        l.answer(&query).map_err(tera::Error::message)
    });
    let l = Arc::clone(&lookup);
    tera.register_function("get_hash", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        let path = kwargs.must_get::<&str>("path")?.to_string();
        let sha_type = ShaType::from_bits(kwargs.get::<i64>("sha_type")?.unwrap_or(384))
            .map_err(tera::Error::message)?;
        let base64 = kwargs.get::<bool>("base64")?.unwrap_or(true);
        let query = Query::Hash { path, sha_type, base64 };
        queries::record(query.clone());
        l.answer(&query).map_err(tera::Error::message)
    });
    let l = Arc::clone(&lookup);
    tera.register_function("image_metadata", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        let query =
            Query::Image(ImageQuery { path: kwargs.must_get::<&str>("path")?.to_string(), resize: None });
        queries::record(query.clone());
        l.answer(&query).map_err(tera::Error::message)
    });
    let l = Arc::clone(&lookup);
    tera.register_function("get_archive", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        let section = kwargs.get::<&str>("section")?.unwrap_or("");
        let query = Query::Archive(section.trim_start_matches("@/").to_string());
        queries::record(query.clone());
        l.answer(&query).map_err(tera::Error::message)
    });

    let l = Arc::clone(&lookup);
    tera.register_function("load_data", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        let path = kwargs.must_get::<&str>("path")?.to_string();
        let format = kwargs.get::<&str>("format")?.map(str::to_string);
        let query = Query::LoadData(path, format);
        queries::record(query.clone());
        l.answer(&query).map_err(tera::Error::message)
    });

    tera.register_filter("date", date_filter);
    tera.register_filter("json_encode", json_encode_filter);
    tera.register_filter("jsonify", |value: &Value, kwargs: Kwargs, state: &State| -> TeraResult<Value> {
        Ok(Value::safe_string(&script_safe(&json_encode_filter(value, kwargs, state)?)))
    });
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

/// `json_encode`: the value as JSON text (`pretty=true` indents it). In an HTML template the
/// text is escaped like any other; `jsonify` is for inside `<script>`.
fn json_encode_filter(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let pretty = kwargs.get::<bool>("pretty")?.unwrap_or(false);
    let encoded = if pretty { serde_json::to_string_pretty(value) } else { serde_json::to_string(value) };
    encoded.map_err(|error| tera::Error::message(format!("`json_encode`: {error}")))
}

/// JSON text made safe to place in an HTML `<script>` element unescaped: `<`, `>` and `&`
/// (so no `</script>` or `<!--` can end or change the element) and the line separators
/// JavaScript once refused in strings, as `\u` escapes. Outside strings JSON has none of them.
fn script_safe(json: &str) -> String {
    let mut safe = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => safe.push_str("\\u003c"),
            '>' => safe.push_str("\\u003e"),
            '&' => safe.push_str("\\u0026"),
            '\u{2028}' => safe.push_str("\\u2028"),
            '\u{2029}' => safe.push_str("\\u2029"),
            c => safe.push(c),
        }
    }
    safe
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_data_paths_stay_inside_the_site() {
        assert_eq!(site_path("data/talks.yaml").unwrap(), "data/talks.yaml");
        assert_eq!(site_path("./data/../static/a.json").unwrap(), "static/a.json");
        assert_eq!(site_path("@/blog/stops.csv").unwrap(), "content/blog/stops.csv");
        for outside in
            ["../secret.json", "data/../../x", "/etc/hosts", "C:/x.json", "@/../../x", "https://a.b/c"]
        {
            assert!(site_path(outside).is_err(), "{outside}");
        }
    }

    #[test]
    fn script_safe_json_cannot_end_a_script_element() {
        let json = serde_json::to_string("</script><!-- & \u{2028}").unwrap();
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'), "{safe}");
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "</script><!-- & \u{2028}");
    }
}
