//! Front matter: split it from the body, parse YAML (`---`), TOML (`+++`) or JSON (a `{ "key":
//! … }` object at the top, as Hugo reads it), and map it onto `FrontMatter`. Unknown keys are
//! kept in `extra`, never an error.
//!
//! Jekyll, Hugo and Zola spellings of the same field map onto one field (`lastmod` and
//! `updated`, `permalink`/`url` and `path`, `redirect_from` and `aliases`, ...), so their
//! posts build unedited (issue 9). Where two spellings are both present, Quire's own wins.
//!
//! Line numbers in errors are lines of the whole file, not of the extracted block.

use std::collections::BTreeMap;
use std::path::Path;

use crate::data_value::{self, DataTable, DataValue};
use crate::error::{Error, Location, Result};
use crate::parse::date::PageDate;
use crate::site::url;

/// The fields Quire understands, from either format.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `date`.
    pub date: Option<PageDate>,
    /// `updated` (or Hugo's `lastmod`).
    pub updated: Option<PageDate>,
    /// Hugo's `publishDate`: the date when there is no `date`, and the moment the page is
    /// published from.
    pub publish_date: Option<PageDate>,
    /// `expires` (or Hugo's `expiryDate`): when the page stops being published.
    pub expires: Option<PageDate>,
    /// `draft: true`, or `published: false`.
    pub draft: bool,
    /// `slug`: the last URL segment.
    pub slug: Option<String>,
    /// `path` (or Hugo's `url`, Jekyll's `permalink`): the whole URL path.
    pub path: Option<String>,
    /// The file line of the key that sets the URL (`path`, `url`, `permalink`, else `slug`),
    /// so that two pages wanting one URL are reported where it was written.
    pub url_line: Option<usize>,
    /// `aliases` (and Jekyll's `redirect_from`): old URLs of this page.
    pub aliases: Vec<String>,
    /// Terms by taxonomy name (`tags`, `categories`, ...).
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// `author` or `authors`.
    pub authors: Vec<String>,
    /// `template`.
    pub template: Option<String>,
    /// Jekyll's `layout`: the template `LAYOUT.html`, used only if the theme has it.
    pub layout: Option<String>,
    /// `weight`.
    pub weight: Option<i64>,
    /// `summary` (or Jekyll's `excerpt`), Markdown.
    pub summary: Option<String>,
    /// Zola's `render = false`: no output file, but still reachable by `get_page`/`get_section`.
    pub render: Render,
    /// Section only: Zola's `transparent = true`, its pages are also listed by the parent.
    pub transparent: bool,
    /// Section only: `sort_by`.
    pub sort_by: Option<SortBy>,
    /// Section only: `paginate_by`.
    pub paginate_by: Option<usize>,
    /// Section only: `page_template`.
    pub page_template: Option<String>,
    /// Section only: `generate_feeds`, for the section's own `atom.xml` and `rss.xml`.
    pub generate_feeds: bool,
    /// Every other key.
    pub extra: DataTable,
}

/// Whether a page or section gets an output file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Render {
    /// Rendered, listed and linked as usual.
    #[default]
    Yes,
    /// Not written and not listed; templates can still read it.
    No,
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortBy {
    /// Newest first.
    Date,
    /// Alphabetical.
    Title,
    /// Lightest first.
    Weight,
}

/// A file split into its front matter block and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The front matter text and its format, if the file has a block.
    pub block: Option<(Format, &'a str)>,
    /// The Markdown after the block.
    pub body: &'a str,
    /// The 1-based file line where `block` starts (after the opening delimiter).
    pub block_first_line: usize,
    /// The 1-based file line where `body` starts.
    pub body_first_line: usize,
}

/// The syntax of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
    /// A JSON object that opens the file (`{` then `"` or `}`), as Hugo reads it.
    Json,
}

/// What the parser needs to know about the site.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FrontMatterOptions {
    /// Configured taxonomy names: these keys hold term lists.
    pub taxonomy_names: Vec<String>,
    /// The zone of dates written without an offset (the site's `timezone`, else UTC).
    #[serde(serialize_with = "zone_by_name")]
    pub timezone: jiff::tz::TimeZone,
}

/// A zone by its IANA name, or a fixed offset by its seconds: this binary's zone database
/// gives each name one set of rules.
fn zone_by_name<S: serde::Serializer>(
    zone: &jiff::tz::TimeZone,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match (zone.iana_name(), zone.to_fixed_offset()) {
        (Some(name), _) => serializer.serialize_str(name),
        (None, Ok(offset)) => serializer.serialize_i32(offset.seconds()),
        (None, Err(_)) => {
            Err(serde::ser::Error::custom("a time zone with neither a name nor a fixed offset"))
        }
    }
}

impl Default for FrontMatterOptions {
    fn default() -> Self {
        // The taxonomies a config without a `taxonomies` key has.
        let taxonomy_names = vec!["tags".into(), "categories".into()];
        FrontMatterOptions { taxonomy_names, timezone: jiff::tz::TimeZone::UTC }
    }
}

/// Splits `text` (already without BOM, with `\n` line ends) into front matter and body.
///
/// # Errors
/// `Error::FrontMatter` when an opening delimiter has no closing one.
pub fn split<'a>(file: &Path, text: &'a str) -> Result<Split<'a>> {
    if opens_json(text) {
        return split_json(file, text);
    }
    let (format, delimiter) = if text.starts_with("---") && is_delimiter_line(text, "---") {
        (Format::Yaml, "---")
    } else if text.starts_with("+++") && is_delimiter_line(text, "+++") {
        (Format::Toml, "+++")
    } else {
        return Ok(Split { block: None, body: text, block_first_line: 1, body_first_line: 1 });
    };
    let after_open = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = after_open;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let current = text[offset..end].trim_end();
        if current == delimiter || (format == Format::Yaml && current == "...") {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                block: Some((format, &text[after_open..offset])),
                body: &text[body_start..],
                block_first_line: 2,
                body_first_line: line + 1,
            });
        }
        offset = end + 1;
        line += 1;
    }
    Err(Error::FrontMatter {
        location: Location::in_text(file, text, 1, 1),
        detail: format!("the front matter opened with `{delimiter}` on line 1 is never closed"),
        hint: Some(format!("add a line with only `{delimiter}` after the last front matter field")),
    })
}

/// Parses a front matter block of `text` (the whole file, for error lines).
///
/// # Errors
/// `Error::FrontMatter` for syntax errors, duplicate keys, and fields of the wrong type.
pub fn parse(
    file: &Path,
    text: &str,
    split: &Split<'_>,
    options: &FrontMatterOptions,
) -> Result<FrontMatter> {
    let Some((format, block)) = split.block else {
        return Ok(FrontMatter::default());
    };
    let table = match format {
        Format::Yaml => parse_yaml(file, text, block, split.block_first_line)?,
        Format::Toml => parse_toml(file, text, block, split.block_first_line)?,
        Format::Json => parse_json(file, text, block, split.block_first_line)?,
    };
    let mapper =
        Mapper { file, text, block, first_line: split.block_first_line, format, timezone: &options.timezone };
    mapper.map(table, options)
}

/// Parses a whole YAML or TOML file as one table, with the same value conversion as front
/// matter: for the site configs `quire import` reads, so YAML stays behind this module.
///
/// # Errors
/// `Error::Config` at the line of a syntax error, or when the file is not a table.
pub fn parse_data_file(file: &Path, text: &str, format: Format) -> Result<DataTable> {
    let parsed = match format {
        Format::Yaml => parse_yaml(file, text, text, 1),
        Format::Toml => parse_toml(file, text, text, 1),
        Format::Json => parse_json(file, text, text, 1),
    };
    parsed.map_err(|error| match error {
        Error::FrontMatter { location, detail, .. } => Error::Config {
            location,
            detail,
            hint: Some(match format {
                Format::Yaml => "the file must be valid YAML `key: value` lines".into(),
                Format::Toml => "the file must be valid TOML `key = value` lines".into(),
                Format::Json => "the file must be one JSON object".into(),
            }),
        },
        other => other,
    })
}

/// Whether the file opens with a JSON object: `{` and then, after any whitespace, `"` or `}`.
/// Markdown that starts with `{{ shortcode() }}`, `{% tag %}` or `{: .class}` does not.
fn opens_json(text: &str) -> bool {
    text.strip_prefix('{').is_some_and(|rest| rest.trim_start().starts_with(['"', '}']))
}

/// Splits a file that opens with a JSON object: the object is the front matter, and the body
/// starts on the line after its closing brace.
fn split_json<'a>(file: &Path, text: &'a str) -> Result<Split<'a>> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    if let Some(Err(error)) = values.next() {
        return Err(json_error(file, text, &error, 1));
    }
    let end = values.byte_offset();
    let rest = &text[end..];
    let body_start = match rest.find('\n') {
        Some(newline) if rest[..newline].trim().is_empty() => end + newline + 1,
        None if rest.trim().is_empty() => text.len(),
        _ => end,
    };
    let body_first_line = 1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..body_start]).count();
    Ok(Split {
        block: Some((Format::Json, &text[..end])),
        body: &text[body_start..],
        block_first_line: 1,
        body_first_line,
    })
}

fn parse_json(file: &Path, text: &str, block: &str, first_line: usize) -> Result<DataTable> {
    let json: serde_json::Value =
        serde_json::from_str(block).map_err(|error| json_error(file, text, &error, first_line))?;
    match from_json(json) {
        DataValue::Table(table) => Ok(table),
        other => Err(Error::FrontMatter {
            location: Location::in_text(file, text, first_line, 1),
            detail: format!("JSON front matter must be an object, found {}", other.type_name()),
            hint: Some(JSON_HINT.into()),
        }),
    }
}

const JSON_HINT: &str =
    "JSON front matter is one object at the top of the file: `{ \"title\": \"Hi\", \"draft\": true }`";

fn json_error(file: &Path, text: &str, error: &serde_json::Error, first_line: usize) -> Error {
    let message = error.to_string();
    let detail = message.split(" at line ").next().unwrap_or(&message).to_string();
    let hint = if error.is_eof() {
        "the JSON object that opens the file is never closed: check its braces, quotes and commas".into()
    } else {
        JSON_HINT.into()
    };
    let mut line = error.line() + first_line - 1;
    let mut column = error.column();
    // serde_json points just past the newline when a line ends where the error is found.
    if column == 0 && line > 1 {
        line -= 1;
        column = text.lines().nth(line - 1).map_or(0, |l| l.chars().count());
    }
    Error::FrontMatter {
        location: Location::in_text(file, text, line, column.max(1)),
        detail: format!("JSON: {detail}"),
        hint: Some(hint),
    }
}

pub(crate) fn from_json(value: serde_json::Value) -> DataValue {
    match value {
        serde_json::Value::Null => DataValue::Null,
        serde_json::Value::Bool(b) => DataValue::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => DataValue::Integer(i),
            None => DataValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => DataValue::String(s),
        serde_json::Value::Array(items) => DataValue::Array(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            DataValue::Table(map.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

fn is_delimiter_line(text: &str, delimiter: &str) -> bool {
    text.lines().next().is_some_and(|line| line.trim_end() == delimiter)
}

fn parse_yaml(file: &Path, text: &str, block: &str, first_line: usize) -> Result<DataTable> {
    if block.trim().is_empty() {
        return Ok(DataTable::new());
    }
    check_bounds(file, text, block, first_line, Format::Yaml)?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(block).map_err(|e| {
        let (mut line, mut column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        let message = e.to_string();
        let detail = message.split(" at line ").next().unwrap_or(&message).to_string();
        // serde_yaml points a duplicate key at the mapping's start; show the repeated key.
        if let Some(repeat) = repeated_key_line(block, &detail) {
            (line, column) = (repeat, 1);
        }
        Error::FrontMatter {
            location: Location::in_text(file, text, line + first_line - 1, column),
            detail,
            hint: Some(yaml_hint(&message)),
        }
    })?;
    match from_yaml(yaml) {
        DataValue::Table(table) => Ok(table),
        DataValue::Null => Ok(DataTable::new()),
        other => Err(Error::FrontMatter {
            location: Location::in_text(file, text, first_line, 1),
            detail: format!("front matter must be `key: value` lines, found {}", other.type_name()),
            hint: Some("write each field as `key: value` on its own line".into()),
        }),
    }
}

/// The 1-based block line of the second `key:` of a "duplicate entry with key" error.
fn repeated_key_line(block: &str, detail: &str) -> Option<usize> {
    let key = detail.strip_prefix("duplicate entry with key \"")?.strip_suffix('"')?;
    let prefix = format!("{key}:");
    let mut lines = block.lines().enumerate().filter(|(_, line)| line.starts_with(&prefix));
    lines.nth(1).map(|(index, _)| index + 1)
}

fn yaml_hint(message: &str) -> String {
    if message.contains("duplicate") {
        "each key may appear once; remove or rename the repeated one".into()
    } else if message.contains("mapping values") {
        "a value containing `: ` must be quoted, e.g. `title: \"Rust: a tour\"`".into()
    } else {
        "YAML front matter is `key: value` lines between `---` lines; quote values with special characters"
            .into()
    }
}

pub(crate) fn from_yaml(value: serde_yaml::Value) -> DataValue {
    match value {
        serde_yaml::Value::Null => DataValue::Null,
        serde_yaml::Value::Bool(b) => DataValue::Bool(b),
        serde_yaml::Value::Number(n) => match n.as_i64() {
            Some(i) => DataValue::Integer(i),
            None => DataValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_yaml::Value::String(s) => DataValue::String(s),
        serde_yaml::Value::Sequence(items) => DataValue::Array(items.into_iter().map(from_yaml).collect()),
        serde_yaml::Value::Mapping(map) => {
            DataValue::Table(map.into_iter().map(|(k, v)| (yaml_key(k), from_yaml(v))).collect())
        }
        serde_yaml::Value::Tagged(tagged) => from_yaml(tagged.value),
    }
}

fn yaml_key(key: serde_yaml::Value) -> String {
    match key {
        serde_yaml::Value::String(s) => s,
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Null => "null".into(),
        other => format!("{other:?}"),
    }
}

fn parse_toml(file: &Path, text: &str, block: &str, first_line: usize) -> Result<DataTable> {
    check_bounds(file, text, block, first_line, Format::Toml)?;
    let table: toml::Table = toml::from_str(block).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |span| crate::config::line_column(block, span.start));
        Error::FrontMatter {
            location: Location::in_text(file, text, line + first_line - 1, column),
            detail: e.message().to_string(),
            hint: Some("TOML front matter is `key = \"value\"` lines between `+++` lines".into()),
        }
    })?;
    Ok(data_value::table_from_toml(table))
}

/// The largest front matter block read, in bytes: far above any real one.
const MAX_BLOCK_BYTES: usize = 1024 * 1024;
/// The deepest nesting of `[` and `{` in front matter, as serde_yaml allows in its values.
/// Deep nesting took the YAML parser quadratic time (100,000 `[`: 32 s; 1 MB never ended), so
/// it is refused before the parser sees it (issue 29).
pub(crate) const MAX_DEPTH: usize = 128;

/// Refuses a block too large or nested too deep, with a scan that reads each byte once.
fn check_bounds(file: &Path, text: &str, block: &str, first_line: usize, format: Format) -> Result<()> {
    if block.len() > MAX_BLOCK_BYTES {
        return Err(Error::FrontMatter {
            location: Location::in_text(file, text, first_line, 0),
            detail: format!(
                "the front matter is {} KiB, more than the {} KiB allowed",
                block.len() / 1024,
                MAX_BLOCK_BYTES / 1024
            ),
            hint: Some("keep large data in a data file and read it with `load_data` in a template".into()),
        });
    }
    match too_deep(block, format) {
        None => Ok(()),
        Some((line, column)) => Err(Error::FrontMatter {
            location: Location::in_text(file, text, line + first_line - 1, column),
            detail: format!("lists and tables are nested more than {MAX_DEPTH} levels deep"),
            hint: Some("front matter holds flat fields; check for an unclosed `[` or `{`".into()),
        }),
    }
}

/// The 1-based line and column in `block` of the first `[` or `{` nested deeper than
/// `MAX_DEPTH`. Brackets in quoted strings and comments do not count; a YAML quote opens a
/// string only where a value or key starts (`it's` is no quote).
pub(crate) fn too_deep(block: &str, format: Format) -> Option<(usize, usize)> {
    let bytes = block.as_bytes();
    let (mut depth, mut line, mut line_start) = (0usize, 1usize, 0usize);
    // The quote that ends the string being read, and whether it is tripled (TOML).
    let mut quote: Option<(u8, bool)> = None;
    // The last byte outside strings that was not a space or tab.
    let mut previous = b'\n';
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte == b'\n' {
            line += 1;
            line_start = at + 1;
        }
        match quote {
            Some((close, tripled)) => {
                let escapes = close == b'"';
                if escapes && byte == b'\\' && bytes.get(at + 1).is_some_and(|&next| next != b'\n') {
                    at += 1;
                } else if byte == close
                    && !tripled
                    && format == Format::Yaml
                    && bytes.get(at + 1) == Some(&close)
                {
                    // `''` inside a YAML single-quoted string is one quote.
                    at += 1;
                } else if byte == close && (!tripled || bytes[at..].starts_with(&[close; 3])) {
                    at += if tripled { 2 } else { 0 };
                    quote = None;
                    previous = close;
                }
            }
            None => {
                match byte {
                    b'[' | b'{' => {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return Some((line, block[line_start..at].chars().count() + 1));
                        }
                    }
                    b']' | b'}' => depth = depth.saturating_sub(1),
                    b'#' if format == Format::Toml
                        || matches!(previous_byte(bytes, at), b' ' | b'\t' | b'\n') =>
                    {
                        // A comment: on to the end of the line, which is counted above.
                        at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |end| at + end);
                        continue;
                    }
                    b'"' | b'\'' if format == Format::Toml || b"\n:-[{,?".contains(&previous) => {
                        let tripled = format == Format::Toml && bytes[at..].starts_with(&[byte; 3]);
                        at += if tripled { 2 } else { 0 };
                        quote = Some((byte, tripled));
                    }
                    _ => {}
                }
                if !matches!(byte, b' ' | b'\t' | b'\r') && quote.is_none() {
                    previous = byte;
                }
            }
        }
        at += 1;
    }
    None
}

/// The byte before `at`, or a newline at the start.
fn previous_byte(bytes: &[u8], at: usize) -> u8 {
    at.checked_sub(1).map_or(b'\n', |before| bytes[before])
}

const DATE_HINT: &str =
    "dates are written YYYY-MM-DD, optionally with a time: 2024-03-01 14:30 or 2024-03-01T14:30:00+02:00";

/// Maps the generic table onto `FrontMatter`, pointing type errors at the key's line.
struct Mapper<'a> {
    file: &'a Path,
    text: &'a str,
    block: &'a str,
    first_line: usize,
    format: Format,
    timezone: &'a jiff::tz::TimeZone,
}

impl Mapper<'_> {
    fn map(&self, table: DataTable, options: &FrontMatterOptions) -> Result<FrontMatter> {
        let mut fm = FrontMatter::default();
        let mut published = None;
        // Other generators' spellings, used when Quire's own key is absent.
        let mut lastmod = None;
        let mut foreign_path = None;
        let (mut path_line, mut foreign_path_line, mut slug_line) = (None, None, None);
        let mut excerpt = None;
        for (key, value) in table {
            match key.as_str() {
                "title" => fm.title = self.opt_string(&key, value)?,
                "description" => fm.description = self.opt_string(&key, value)?,
                "date" => fm.date = self.opt_date(&key, value)?,
                "updated" => fm.updated = self.opt_date(&key, value)?,
                "lastmod" => lastmod = self.opt_date(&key, value)?,
                "publishDate" | "publish_date" => fm.publish_date = self.opt_date(&key, value)?,
                "url" | "permalink" => {
                    foreign_path = self.opt_string(&key, value)?;
                    foreign_path_line = Some(self.key_position(&key).0);
                }
                "excerpt" => excerpt = self.opt_string(&key, value)?,
                "redirect_from" => fm.aliases.extend(self.strings(&key, value)?),
                "layout" => fm.layout = self.opt_string(&key, value)?,
                "transparent" => fm.transparent = self.bool(&key, value)?,
                "render" => {
                    fm.render = if self.bool(&key, value)? { Render::Yes } else { Render::No };
                }
                "expires" | "expiryDate" | "expiry_date" => fm.expires = self.opt_date(&key, value)?,
                "generate_feeds" => fm.generate_feeds = self.bool(&key, value)?,
                "draft" => fm.draft = self.bool(&key, value)?,
                "published" => published = Some(self.bool(&key, value)?),
                "slug" => {
                    fm.slug = self.url_part(&key, value, url::check_user_slug)?;
                    slug_line = Some(self.key_position(&key).0);
                }
                "path" => {
                    fm.path = self.url_part(&key, value, url::url_path_from_user_path)?;
                    path_line = Some(self.key_position(&key).0);
                }
                "aliases" => {
                    let aliases = self.strings(&key, value)?;
                    for alias in &aliases {
                        self.check_url(&key, url::url_path_from_user_path(alias))?;
                    }
                    fm.aliases.extend(aliases);
                }
                "author" | "authors" => fm.authors.extend(self.strings(&key, value)?),
                "template" => fm.template = self.opt_string(&key, value)?,
                "page_template" => fm.page_template = self.opt_string(&key, value)?,
                "weight" => fm.weight = Some(self.integer(&key, value)?),
                "paginate_by" => {
                    let n = self.integer(&key, value)?;
                    let n = usize::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| {
                        self.error(&key, format!("`paginate_by` must be at least 1, found {n}"), None)
                    })?;
                    fm.paginate_by = Some(n);
                }
                "summary" => fm.summary = self.opt_string(&key, value)?,
                "sort_by" => fm.sort_by = self.sort_by(&key, value)?,
                "taxonomies" => {
                    let DataValue::Table(terms) = value else {
                        return Err(self.wrong_type(&key, "a table of term lists", &value));
                    };
                    for (name, terms) in terms {
                        if !options.taxonomy_names.contains(&name) {
                            return Err(self.unknown_taxonomy(&name, &options.taxonomy_names));
                        }
                        fm.taxonomies.insert(name.clone(), self.terms(&name, terms)?);
                    }
                }
                // Hugo calls its free-form table `params`.
                "extra" | "params" => match value {
                    DataValue::Table(extra) => fm.extra.extend(extra),
                    other => {
                        fm.extra.insert(key, other);
                    }
                },
                _ if key == "tags" || key == "categories" || options.taxonomy_names.contains(&key) => {
                    let terms = self.terms(&key, value)?;
                    fm.taxonomies.insert(key, terms);
                }
                _ => {
                    fm.extra.insert(key, value);
                }
            }
        }
        if published == Some(false) {
            fm.draft = true;
        }
        fm.updated = fm.updated.or(lastmod);
        fm.url_line = match (&fm.path, &foreign_path) {
            (Some(_), _) => path_line,
            (None, Some(_)) => foreign_path_line,
            (None, None) => slug_line.filter(|_| fm.slug.is_some()),
        };
        fm.path = fm.path.or(foreign_path);
        fm.summary = fm.summary.or(excerpt);
        Ok(fm)
    }

    /// Terms: a list, or in YAML a string of space-separated terms as Jekyll writes
    /// `categories: travel food` (TOML front matter always writes lists).
    fn terms(&self, key: &str, value: DataValue) -> Result<Vec<String>> {
        match value {
            DataValue::String(s) if self.format == Format::Yaml => {
                Ok(s.split_whitespace().map(str::to_string).collect())
            }
            other => self.strings(key, other),
        }
    }

    fn opt_string(&self, key: &str, value: DataValue) -> Result<Option<String>> {
        match value {
            DataValue::Null => Ok(None),
            DataValue::String(s) => Ok(Some(s)),
            DataValue::Integer(i) => Ok(Some(i.to_string())),
            DataValue::Float(f) => Ok(Some(f.to_string())),
            DataValue::Bool(b) => Ok(Some(b.to_string())),
            other => Err(self.wrong_type(key, "a string", &other)),
        }
    }

    fn opt_date(&self, key: &str, value: DataValue) -> Result<Option<PageDate>> {
        let Some(text) = self.opt_string(key, value)? else {
            return Ok(None);
        };
        PageDate::parse_in(&text, self.timezone)
            .map(Some)
            .map_err(|detail| self.error(key, detail, Some(DATE_HINT)))
    }

    fn bool(&self, key: &str, value: DataValue) -> Result<bool> {
        match value {
            DataValue::Bool(b) => Ok(b),
            other => Err(self.wrong_type(key, "`true` or `false`", &other)),
        }
    }

    fn integer(&self, key: &str, value: DataValue) -> Result<i64> {
        match value {
            DataValue::Integer(i) => Ok(i),
            other => Err(self.wrong_type(key, "a whole number", &other)),
        }
    }

    /// A list of strings; a single string is a list of one.
    fn strings(&self, key: &str, value: DataValue) -> Result<Vec<String>> {
        match value {
            DataValue::Null => Ok(Vec::new()),
            DataValue::String(s) => Ok(vec![s]),
            DataValue::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    DataValue::String(s) => Ok(s),
                    DataValue::Integer(i) => Ok(i.to_string()),
                    DataValue::Float(f) => Ok(f.to_string()),
                    other => Err(self.wrong_type(key, "a list of strings", &other)),
                })
                .collect(),
            other => Err(self.wrong_type(key, "a list of strings", &other)),
        }
    }

    fn sort_by(&self, key: &str, value: DataValue) -> Result<Option<SortBy>> {
        match self.opt_string(key, value)?.as_deref() {
            None => Ok(None),
            Some("date") => Ok(Some(SortBy::Date)),
            Some("title") => Ok(Some(SortBy::Title)),
            Some("weight") => Ok(Some(SortBy::Weight)),
            Some(other) => Err(self.error(
                key,
                format!("`sort_by` is `{other}`, expected `date`, `title` or `weight`"),
                None,
            )),
        }
    }

    /// A `slug` or `path`, checked here where its line is known (the model checks URLs again,
    /// also those built from other generators' keys).
    fn url_part<T>(
        &self,
        key: &str,
        value: DataValue,
        check: fn(&str) -> std::result::Result<T, String>,
    ) -> Result<Option<String>> {
        let text = self.opt_string(key, value)?;
        if let Some(text) = &text {
            self.check_url(key, check(text))?;
        }
        Ok(text)
    }

    fn check_url<T>(&self, key: &str, checked: std::result::Result<T, String>) -> Result<()> {
        checked.map(|_| ()).map_err(|detail| {
            let (line, column, length) = self.key_position(key);
            Error::InvalidUrl {
                location: Location::in_text(self.file, self.text, line, column).with_length(length),
                detail: format!("`{key}`: {detail}"),
            }
        })
    }

    /// A `[taxonomies]` entry that config.toml does not declare: its terms would vanish.
    fn unknown_taxonomy(&self, name: &str, known: &[String]) -> Error {
        let known = if known.is_empty() {
            "none".to_string()
        } else {
            known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        };
        let hint = format!("add `{{ name = \"{name}\" }}` to `taxonomies` in config.toml, or fix the name");
        let (line, column, length) = self.key_position(name);
        Error::FrontMatter {
            location: Location::in_text(self.file, self.text, line, column).with_length(length),
            detail: format!("the taxonomy `{name}` is not in config.toml (configured: {known})"),
            hint: Some(hint),
        }
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &DataValue) -> Error {
        let yaml = self.format == Format::Yaml;
        let is_date = matches!(key, "date" | "updated" | "expires" | "expiryDate" | "expiry_date");
        let hint = match expected {
            _ if is_date => DATE_HINT,
            "`true` or `false`" => "write `true` or `false`, without quotes",
            "a whole number" => "write the number without quotes, such as `3` or `-1`",
            "a list of strings" if yaml => "write a list as `[a, b]`, or as one `- item` line per entry",
            "a list of strings" => "write a list as `[\"a\", \"b\"]`",
            "a string" => "write text, in quotes when it has special characters",
            _ => "see the front matter fields in README.md",
        };
        self.error(key, format!("`{key}` should be {expected}, found {}", found.type_name()), Some(hint))
    }

    fn error(&self, key: &str, detail: String, hint: Option<&str>) -> Error {
        let (line, column, length) = self.key_position(key);
        let example = match self.format {
            Format::Yaml => "fields are written `key: value`",
            Format::Toml => "fields are written `key = value`",
            Format::Json => "fields are written `\"key\": value`",
        };
        Error::FrontMatter {
            location: Location::in_text(self.file, self.text, line, column).with_length(length),
            detail,
            hint: Some(hint.unwrap_or(example).to_string()),
        }
    }

    /// The file line, column and length of the value of `key`, found by reading the block.
    fn key_position(&self, key: &str) -> (usize, usize, usize) {
        // JSON writes keys in quotes, and may put a whole object on one line.
        let quoted = format!("\"{key}\"");
        for (index, line) in self.block.lines().enumerate() {
            let trimmed = line.trim_start();
            let (trimmed, key) = match self.format {
                Format::Json => match trimmed.find(&quoted) {
                    Some(at) => (&trimmed[at..], quoted.as_str()),
                    None => continue,
                },
                _ => (trimmed, key),
            };
            let Some(rest) = trimmed.strip_prefix(key) else { continue };
            if let Some(after) = rest.trim_start().strip_prefix([':', '=']) {
                let value = match self.format {
                    Format::Json => after.trim().trim_end_matches(',').trim_end(),
                    _ => after.trim(),
                };
                let value_start = line.len() - after.trim_start().len();
                let column = line[..value_start].chars().count() + 1;
                return (self.first_line + index, column, value.chars().count());
            }
        }
        (self.first_line, 0, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<FrontMatter> {
        let file = Path::new("content/a.md");
        let split = split(file, text)?;
        parse(file, text, &split, &FrontMatterOptions::default())
    }

    #[test]
    fn yaml_fields_map_and_unknown_keys_go_to_extra() {
        let fm = parse_text("---\ntitle: Hi\ntags: [a, b]\nseries: x\nauthor: Ann\n---\nbody").unwrap();
        assert_eq!(fm.title.as_deref(), Some("Hi"));
        assert_eq!(fm.taxonomies["tags"], vec!["a", "b"]);
        assert_eq!(fm.extra["series"], DataValue::String("x".into()));
        assert_eq!(fm.authors, vec!["Ann"]);
    }

    #[test]
    fn issue_22_json_front_matter_parses() {
        let text = "{\n  \"title\": \"Hi\",\n  \"date\": \"2024-05-01\",\n  \"tags\": [\"a\", \"b\"],\n  \
                    \"draft\": true,\n  \"weight\": 3,\n  \"mood\": {\"x\": 1}\n}\n\nBody.\n";
        let fm = parse_text(text).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Hi"));
        assert_eq!(fm.date.unwrap().to_string(), "2024-05-01");
        assert_eq!(fm.taxonomies["tags"], vec!["a", "b"]);
        assert!(fm.draft);
        assert_eq!(fm.weight, Some(3));
        assert!(matches!(&fm.extra["mood"], DataValue::Table(t) if t["x"] == DataValue::Integer(1)));
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!((s.body, s.body_first_line), ("\nBody.\n", 9));
        let one_line = split(Path::new("a.md"), "{ \"title\": \"x\" }\n# Heading\n").unwrap();
        assert_eq!((one_line.body, one_line.body_first_line), ("# Heading\n", 2));
    }

    #[test]
    fn issue_22_markdown_that_starts_with_a_brace_has_no_front_matter() {
        for text in
            ["{{ figure(src=\"a.png\") }}\n", "{% note() %}\nx\n{% end %}\n", "{: .lead}\nText.\n", "{x}\n"]
        {
            assert!(split(Path::new("a.md"), text).unwrap().block.is_none(), "{text}");
        }
    }

    #[test]
    fn issue_22_json_front_matter_errors_name_the_file_line() {
        let report = parse_text("{\n  \"title\": \"x\",\n  \"draft\": tru\n}\nBody\n").unwrap_err().report();
        assert!(report.contains("content/a.md:3:"), "{report}");
        assert!(report.contains("JSON"), "{report}");
        let report = parse_text("{\n  \"title\": \"x\",\n").unwrap_err().report();
        assert!(report.contains("never closed"), "{report}");
        let report = parse_text("{\n  \"title\": \"x\",\n  \"draft\": \"maybe\"\n}\n").unwrap_err().report();
        assert!(report.contains("content/a.md:3:12"), "{report}");
        assert!(report.contains("`draft` should be `true` or `false`"), "{report}");
    }

    #[test]
    fn toml_front_matter_parses() {
        let fm = parse_text("+++\ntitle = \"Hi\"\ndate = 2024-05-01\ndraft = true\n+++\nbody").unwrap();
        assert_eq!(fm.title.as_deref(), Some("Hi"));
        assert_eq!(fm.date.unwrap().to_string(), "2024-05-01");
        assert!(fm.draft);
    }

    #[test]
    fn expiry_dates_are_read_under_either_name() {
        let fm = parse_text("---\nexpires: 2000-01-02\n---\n").unwrap();
        assert_eq!(fm.expires.unwrap().to_string(), "2000-01-02");
        let fm = parse_text("+++\nexpiryDate = 2000-01-03\n+++\n").unwrap();
        assert_eq!(fm.expires.unwrap().to_string(), "2000-01-03");
    }

    #[test]
    fn published_false_is_a_draft() {
        assert!(parse_text("---\npublished: false\n---\n").unwrap().draft);
    }

    #[test]
    fn empty_front_matter_is_fine() {
        assert_eq!(parse_text("---\n---\nbody").unwrap(), FrontMatter::default());
    }

    #[test]
    fn no_front_matter_keeps_whole_body() {
        let s = split(Path::new("a.md"), "# Hello\n").unwrap();
        assert!(s.block.is_none());
        assert_eq!(s.body, "# Hello\n");
    }

    #[test]
    fn body_line_follows_the_block() {
        let s = split(Path::new("a.md"), "---\na: 1\nb: 2\n---\nbody").unwrap();
        assert_eq!(s.body, "body");
        assert_eq!(s.body_first_line, 5);
    }

    #[test]
    fn closing_delimiter_at_end_of_file_without_newline() {
        let s = split(Path::new("a.md"), "---\ntitle: x\n---").unwrap();
        assert_eq!(s.body, "");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let error = parse_text("---\ntitle: x\n").unwrap_err();
        assert!(error.report().contains("never closed"));
    }

    #[test]
    fn yaml_error_line_counts_from_file_start() {
        let error = parse_text("---\ntitle: x\ntags: [a\n---\n").unwrap_err();
        let report = error.report();
        assert!(report.contains("content/a.md:4") || report.contains("content/a.md:3"), "{report}");
    }

    #[test]
    fn wrong_type_points_at_the_key_line() {
        let error = parse_text("---\ntitle: x\ndraft: maybe\n---\n").unwrap_err();
        let report = error.report();
        assert!(report.contains("content/a.md:3:8"), "{report}");
        assert!(report.contains("`draft` should be `true` or `false`"), "{report}");
    }

    #[test]
    fn impossible_date_is_an_error_with_hint() {
        let error = parse_text("---\ndate: 2024-13-40\n---\n").unwrap_err();
        let report = error.report();
        assert!(report.contains("content/a.md:2:7"), "{report}");
        assert!(report.contains("hint: dates are written"), "{report}");
    }

    #[test]
    fn duplicate_yaml_key_is_an_error() {
        assert!(parse_text("---\ntitle: a\ntitle: b\n---\n").is_err());
    }

    #[test]
    fn duplicate_yaml_key_is_reported_at_its_repetition() {
        let report = parse_text("---\ntitle: a\ndate: 2024-01-01\ntitle: b\n---\n").unwrap_err().report();
        assert!(report.contains("content/a.md:4:1"), "{report}");
        assert!(report.contains(" 4 | title: b"), "{report}");
    }

    #[test]
    fn urls_that_leave_the_site_are_errors_at_their_line() {
        for (text, line) in [
            ("---\ntitle: a\nslug: ../../etc\n---\n", 3),
            ("---\npath: \"%2e%2e/x\"\n---\n", 2),
            ("+++\ntitle = \"a\"\n\naliases = [\"/ok/\", \"../up\"]\n+++\n", 4),
        ] {
            let report = parse_text(text).unwrap_err().report();
            assert!(report.contains(&format!("content/a.md:{line}:")), "{report}");
            assert!(report.starts_with("error: invalid URL for `content/a.md`"), "{report}");
        }
    }

    #[test]
    fn taxonomy_missing_from_the_config_is_an_error_at_its_line() {
        let error = parse_text("+++\ntitle = \"a\"\n[taxonomies]\nseries = [\"x\"]\n+++\n").unwrap_err();
        let report = error.report();
        assert!(report.contains("content/a.md:4:10"), "{report}");
        assert!(report.contains("the taxonomy `series` is not in config.toml"), "{report}");
        assert!(report.contains("hint: add `{ name = \"series\" }`"), "{report}");
    }

    #[test]
    fn zola_taxonomies_table_is_read() {
        let fm = parse_text("+++\n[taxonomies]\ntags = [\"rust\"]\n+++\n").unwrap();
        assert_eq!(fm.taxonomies["tags"], vec!["rust"]);
    }

    #[test]
    fn hugo_keys_map_onto_quire_fields() {
        let text = "+++\ntitle = \"H\"\nlastmod = 2024-02-01\npublishDate = 2024-01-05\n\
                    url = \"/2024/01/05/h/\"\ndraft = true\nexpiryDate = 2030-01-01\n+++\n";
        let fm = parse_text(text).unwrap();
        assert_eq!(fm.updated.unwrap().to_string(), "2024-02-01");
        assert_eq!(fm.publish_date.unwrap().to_string(), "2024-01-05");
        assert_eq!(fm.path.as_deref(), Some("/2024/01/05/h/"));
        assert_eq!(fm.expires.unwrap().to_string(), "2030-01-01");
        assert!(fm.draft);
        assert!(fm.extra.is_empty(), "{:?}", fm.extra);
        let fm = parse_text("+++\n[params]\nmood = \"happy\"\n+++\n").unwrap();
        assert_eq!(fm.extra["mood"], DataValue::String("happy".into()));
    }

    #[test]
    fn quire_keys_win_over_foreign_spellings() {
        let fm = parse_text("---\nupdated: 2024-03-01\nlastmod: 2024-02-01\npath: a\nurl: b\n---\n").unwrap();
        assert_eq!(fm.updated.unwrap().to_string(), "2024-03-01");
        assert_eq!(fm.path.as_deref(), Some("a"));
    }

    #[test]
    fn jekyll_keys_map_onto_quire_fields() {
        let text = "---\nlayout: post\npermalink: /old/path/\npublished: false\nexcerpt: Short.\n\
                    redirect_from: /x.html\ncategories: travel food\ntags: [a b]\n\
                    date: 2014-03-05 10:11:12 +0100\n---\n";
        let fm = parse_text(text).unwrap();
        assert_eq!(fm.layout.as_deref(), Some("post"));
        assert_eq!(fm.path.as_deref(), Some("/old/path/"));
        assert!(fm.draft);
        assert_eq!(fm.summary.as_deref(), Some("Short."));
        assert_eq!(fm.aliases, vec!["/x.html"]);
        assert_eq!(fm.taxonomies["categories"], vec!["travel", "food"]);
        assert_eq!(fm.taxonomies["tags"], vec!["a b"], "a list keeps its items whole");
        assert_eq!(fm.date.unwrap().to_string(), "2014-03-05T10:11:12+01:00");
    }

    #[test]
    fn redirect_from_lists_join_aliases() {
        let fm = parse_text("---\naliases: [/a/]\nredirect_from:\n  - /b/\n  - /c.html\n---\n").unwrap();
        assert_eq!(fm.aliases, vec!["/a/", "/b/", "/c.html"]);
    }

    #[test]
    fn zola_keys_map_onto_quire_fields() {
        let text =
            "+++\ntitle = \"Z\"\npath = \"z/here\"\naliases = [\"/old/\"]\nupdated = 2024-01-02T10:00:00Z\n\
                    transparent = true\nrender = false\n[taxonomies]\ntags = [\"a\", \"b c\"]\n\
                    [extra]\nlang = \"fr\"\n[extra.nested]\nk = 1\n+++\n";
        let fm = parse_text(text).unwrap();
        assert_eq!(fm.path.as_deref(), Some("z/here"));
        assert_eq!(fm.aliases, vec!["/old/"]);
        assert_eq!(fm.updated.unwrap().to_string(), "2024-01-02T10:00:00Z");
        assert!(fm.transparent);
        assert_eq!(fm.render, Render::No);
        assert_eq!(fm.taxonomies["tags"], vec!["a", "b c"]);
        assert_eq!(fm.extra["lang"], DataValue::String("fr".into()));
        assert!(matches!(&fm.extra["nested"], DataValue::Table(t) if t["k"] == DataValue::Integer(1)));
    }

    #[test]
    fn folded_literal_nested_and_arrays_of_tables_stay_in_extra() {
        let text = "---\ntitle: >\n  A folded\n  title\nnotes: |\n  line one\n  line two\n\
                    hero:\n  image: a.png\n  size: {w: 3}\nlinks:\n  - name: x\n    url: /x/\n  - name: y\n---\n";
        let fm = parse_text(text).unwrap();
        assert_eq!(fm.title.as_deref(), Some("A folded title\n"));
        assert_eq!(fm.extra["notes"], DataValue::String("line one\nline two\n".into()));
        assert!(matches!(&fm.extra["hero"], DataValue::Table(t) if t.contains_key("size")));
        assert!(matches!(&fm.extra["links"], DataValue::Array(items) if items.len() == 2));
        let toml = "+++\n[[extra.links]]\nname = \"x\"\n[[extra.links]]\nname = \"y\"\n+++\n";
        assert!(
            matches!(&parse_text(toml).unwrap().extra["links"], DataValue::Array(items) if items.len() == 2)
        );
    }

    #[test]
    fn toml_dates_and_datetimes_are_dates() {
        let fm = parse_text("+++\ndate = 2024-01-02T03:04:05+02:00\nupdated = 2024-01-03\n+++\n").unwrap();
        assert_eq!(fm.date.unwrap().to_string(), "2024-01-02T03:04:05+02:00");
        assert_eq!(fm.updated.unwrap().to_string(), "2024-01-03");
    }

    #[test]
    fn duplicate_yaml_key_names_its_line() {
        let report = parse_text("---\ntitle: a\ndate: 2024-01-01\ntitle: b\n---\n").unwrap_err().report();
        assert!(report.contains("content/a.md:"), "{report}");
        assert!(report.contains("duplicate"), "{report}");
    }

    #[test]
    fn issue_29_a_megabyte_of_yaml_nesting_is_refused_before_parsing() {
        let text = format!("---\ntitle: x\ntags: {}\n---\nbody", "[".repeat(1_000_000));
        let error = parse_text(&text).unwrap_err();
        let Error::FrontMatter { location, detail, hint } = &error else { panic!("{error:?}") };
        assert_eq!((location.line, location.column), (3, 7 + MAX_DEPTH));
        assert!(detail.contains("nested more than 128 levels"), "{detail}");
        assert!(hint.as_deref().unwrap().contains("unclosed"));
    }

    #[test]
    fn issue_29_a_megabyte_of_toml_nesting_is_refused_before_parsing() {
        let text = format!("+++\ntitle = \"x\"\nextra = {}\n+++\n", "{ a = ".repeat(166_000));
        let error = parse_text(&text).unwrap_err();
        let Error::FrontMatter { location, detail, .. } = &error else { panic!("{error:?}") };
        assert_eq!(location.line, 3);
        assert!(detail.contains("nested more than 128 levels"), "{detail}");
    }

    #[test]
    fn issue_29_brackets_in_strings_and_comments_are_not_nesting() {
        let deep = "[".repeat(300);
        for text in [
            format!("---\ntitle: \"{deep}\"\n---\n"),
            format!("---\ntitle: '{deep} it''s'\n---\n"),
            format!("---\ntitle: x # {deep}\n---\n"),
            format!("---\n# {deep}\ntitle: x\n---\n"),
            format!("+++\ntitle = '{deep}'\n+++\n"),
            format!("+++\ntitle = \"\\\"{deep}\"\n+++\n"),
            format!("+++\ntitle = \"\"\"\n{deep}\n\"\"\"\n+++\n"),
            format!("+++\ntitle = 'x' # {deep}\n+++\n"),
        ] {
            assert!(parse_text(&text).is_ok(), "{text}");
        }
        // An apostrophe inside a plain YAML value opens no string that could hide brackets.
        let hidden = format!("---\ntitle: it's\ntags: {deep}\n---\n");
        let error = parse_text(&hidden).unwrap_err();
        assert!(error.detail().unwrap().contains("nested more than"), "{error:?}");
    }

    #[test]
    fn issue_29_ordinary_nesting_and_size_are_fine_and_a_huge_block_is_refused() {
        let nested = format!("{}1{}", "[".repeat(20), "]".repeat(20));
        assert!(parse_text(&format!("---\nlist: {nested}\n---\n")).is_ok());
        assert!(parse_text(&format!("+++\nlist = {nested}\n+++\n")).is_ok());
        let huge = format!("---\ntitle: x\nbody: \"{}\"\n---\n", "a".repeat(MAX_BLOCK_BYTES));
        let error = parse_text(&huge).unwrap_err();
        assert!(error.detail().unwrap().contains("more than the 1024 KiB allowed"), "{error:?}");
    }
}
