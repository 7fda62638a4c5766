//! `Config`: the site settings from `config.toml`, with environment overrides applied.
//!
//! Unknown keys are warnings (with a did-you-mean hint), never errors, so a config written for
//! a newer Quire still builds. Wrong types are errors at the key's line. This module does not
//! apply command-line overrides: `project.rs` does, once.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data_value::{self, DataTable};
use crate::error::{Error, Location, Result};

/// The site's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The site's name.
    pub title: String,
    /// A one-line tagline, used in meta descriptions.
    pub description: String,
    /// Absolute URL the site is served from; always ends with `/`.
    pub base_url: String,
    /// The `lang` of pages.
    pub language: String,
    /// The default author of pages.
    pub author: String,
    /// Folder name under `themes/`.
    pub theme: Option<String>,
    /// IANA zone (`Europe/Paris`) for dates written without an offset; UTC when absent.
    pub timezone: Option<String>,
    /// Posts per list page when a section sets none.
    pub paginate_by: usize,
    /// The taxonomies pages can be classified in.
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Where the archive page goes (`archive` → `/archive/`); `None` (`archive_path = false`)
    /// turns it off.
    #[serde(deserialize_with = "archive_path_from_toml")]
    pub archive_path: Option<String>,
    /// Whether the site gets `atom.xml` and `rss.xml`.
    pub generate_feeds: bool,
    /// Entries per feed, newest first; `0` means all.
    pub feed_limit: usize,
    /// What a feed entry carries: the whole page or its summary.
    pub feed_content: FeedContent,
    /// The formats every feed is written in, each a file in the feed's folder.
    pub feed_formats: Vec<FeedFormat>,
    /// Each feed format's file name (`rss = "index.xml"` keeps a Hugo site's feed URLs).
    pub feed_filenames: FeedFilenames,
    /// URLs per sitemap file; above it `sitemap.xml` becomes an index of `sitemapN.xml` files.
    pub sitemap_max_urls: usize,
    /// URL patterns by top-level section (`blog = "/:year/:month/:slug/"`) for pages without
    /// an explicit `path`, as Hugo and Jekyll sites set them.
    pub permalinks: std::collections::BTreeMap<String, String>,
    /// Markdown rendering options.
    pub markdown: MarkdownConfig,
    /// What to do about broken links.
    pub link_checker: LinkCheckerConfig,
    /// Whether symbolic links under `content/`, `static/`, `templates/` and the theme may
    /// point outside the site's folder. Off by default: a downloaded theme could otherwise
    /// publish any file the user can read (`static/key -> ~/.ssh/id_ed25519`).
    pub allow_external_symlinks: bool,
    /// Whether `quire build` writes a gzip copy (`NAME.gz`) beside each text output, for
    /// hosts that serve precompressed files.
    pub compress: bool,
    /// Where `quire deploy` sends `public/`, and the headers it gives each file.
    pub deploy: DeployConfig,
    /// Free data for themes: `config.extra.KEY`.
    #[serde(deserialize_with = "extra_from_toml")]
    pub extra: DataTable,
}

/// `[deploy]`: the targets `quire deploy` uploads to, the headers per file, the files for CDN hosts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeployConfig {
    /// `[[deploy.targets]]`: named places to deploy to; the first is the default.
    pub targets: Vec<DeployTarget>,
    /// `[[deploy.matchers]]`: headers by file pattern; the first whose pattern matches wins.
    pub matchers: Vec<DeployMatcher>,
    /// Whether the build writes `_redirects` (aliases as 301s, for Netlify and Cloudflare Pages).
    pub redirects_file: bool,
    /// Whether the build writes `_headers` (the matchers' Cache-Control, for Netlify and Cloudflare Pages).
    pub headers_file: bool,
}

/// One `[[deploy.targets]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployTarget {
    /// The name `--target` picks it by.
    pub name: String,
    /// `s3://bucket/prefix?region=…&endpoint=…`, `gs://bucket/prefix`,
    /// `azblob://container/prefix`, or `file:///absolute/folder`.
    pub url: String,
}

/// One `[[deploy.matchers]]` entry: headers for the files whose path matches `pattern`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployMatcher {
    /// A glob over the path under `public/`, such as `**/*.css` or `images/**`.
    pub pattern: String,
    /// The `Cache-Control` header; the default for the file's kind when absent.
    #[serde(default)]
    pub cache_control: Option<String>,
    /// The `Content-Type` header; guessed from the extension when absent.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The `Content-Encoding` header, for files already compressed (`gzip = true` sets it).
    #[serde(default)]
    pub content_encoding: Option<String>,
    /// Compress the file with gzip on upload (and send `Content-Encoding: gzip`).
    #[serde(default)]
    pub gzip: bool,
}

/// One taxonomy, such as `tags`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxonomyConfig {
    /// The front matter key and URL segment: `tags` → `/tags/`.
    pub name: String,
    /// Terms per list page; the site's `paginate_by` when absent.
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// Whether each term gets a feed.
    #[serde(default)]
    pub feed: bool,
    /// How `/NAME/` orders its terms.
    #[serde(default)]
    pub sort_by: TermOrder,
}

/// How a taxonomy's term list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TermOrder {
    /// Alphabetical, ignoring case.
    #[default]
    Name,
    /// Most pages first, then alphabetical.
    Count,
}

/// What a feed entry holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedContent {
    /// The whole page.
    #[default]
    Full,
    /// The page's summary only.
    Summary,
}

/// A feed format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    /// Atom 1.0.
    Atom,
    /// RSS 2.0.
    Rss,
    /// JSON Feed 1.1.
    Json,
}

/// The file name of each feed format, in the folder of the page the feed follows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedFilenames {
    /// Atom's: `atom.xml`.
    pub atom: String,
    /// RSS's: `rss.xml` (Hugo writes `index.xml`, Jekyll's feed plugin `feed.xml`).
    pub rss: String,
    /// JSON Feed's: `feed.json`.
    pub json: String,
}

impl Default for FeedFilenames {
    fn default() -> Self {
        FeedFilenames { atom: "atom.xml".into(), rss: "rss.xml".into(), json: "feed.json".into() }
    }
}

impl FeedFilenames {
    /// The file name of `format`.
    pub fn of(&self, format: FeedFormat) -> &str {
        match format {
            FeedFormat::Atom => &self.atom,
            FeedFormat::Rss => &self.rss,
            FeedFormat::Json => &self.json,
        }
    }
}

/// Markdown extensions. Those that change how text a site already has reads (`$` as math,
/// `: ` as a definition, bare URLs as links, `:name:` as emoji) are off unless the config turns
/// them on, as a `quire init` site's does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkdownConfig {
    /// Curly quotes, en and em dashes, ellipses.
    pub smart_punctuation: bool,
    /// GitHub-style tables.
    pub tables: bool,
    /// `[^1]` footnotes.
    pub footnotes: bool,
    /// `~~struck~~` text.
    pub strikethrough: bool,
    /// `- [x]` task lists.
    pub tasklists: bool,
    /// An `id` on every heading, so it can be linked to.
    pub heading_ids: bool,
    /// A link to itself beside every heading (`anchor-link.html`).
    pub heading_anchors: bool,
    /// Syntax highlighting of fenced code blocks at build time.
    pub highlight_code: bool,
    /// CSS classes (with a stylesheet from `quire highlight-css`) or inline styles.
    pub highlight_style: HighlightStyle,
    /// The highlight theme for inline styles (`quire highlight-css --list` names them).
    pub highlight_theme: String,
    /// `target="_blank"` (with `rel="noopener"`) on links to other sites.
    pub external_links_target_blank: bool,
    /// `rel="nofollow"` on links to other sites.
    pub external_links_no_follow: bool,
    /// `rel="noreferrer"` on links to other sites.
    pub external_links_no_referrer: bool,
    /// `$…$` and `$$…$$` as LaTeX math, written as MathML at build time.
    pub math: bool,
    /// What a formula the converter cannot read is: an error, or a warning (and the formula
    /// shown as code).
    pub math_errors: ConversionErrors,
    /// ```` ```mermaid ```` fences as diagrams, drawn as SVG at build time.
    pub diagrams: bool,
    /// What a diagram that cannot be drawn is: an error, or a warning (and its source shown
    /// as code).
    pub diagram_errors: ConversionErrors,
    /// `> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]` quotes as alerts.
    pub alerts: bool,
    /// `Term` followed by `: definition` lines as a definition list.
    pub definition_lists: bool,
    /// Bare `https://…`, `www.…` and e-mail addresses in text as links.
    pub autolinks: bool,
    /// `:smile:` shortcodes as emoji (😄), outside code.
    pub emoji: bool,
    /// `loading="lazy"` and `decoding="async"` on Markdown images after a page's first.
    pub lazy_images: bool,
    /// A local raster Markdown image as a `<picture>`: WebP copies at `responsive_widths`
    /// (never wider than the image) and the original as fallback, with `srcset` and `sizes`.
    pub responsive_images: bool,
    /// The widths, in pixels, of a responsive image's copies.
    pub responsive_widths: Vec<u32>,
    /// The `sizes` attribute of a responsive image: how wide it is shown.
    pub responsive_sizes: String,
}

/// What a formula or diagram that cannot be converted does to the build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversionErrors {
    /// The build fails, naming the file, the line and the formula or diagram.
    #[default]
    Error,
    /// A warning names them; the page shows the formula's LaTeX or the diagram's source as code.
    Warn,
}

/// How highlighted code gets its colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HighlightStyle {
    /// `class="hl-keyword"`, coloured by a stylesheet: small pages, light and dark themes.
    Class,
    /// `style="color:#…"` on every token: no stylesheet needed, one theme.
    Inline,
}

/// How `[link_checker]` treats what it finds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkCheckerConfig {
    /// Broken internal links and anchors: fail the build, or only warn.
    pub internal: LinkSeverity,
    /// Domains `quire check --external` never requests (`example.com` also skips its subdomains).
    pub skip_domains: Vec<String>,
    /// Seconds before an external request gives up.
    pub timeout: u64,
    /// External requests in flight at once.
    pub concurrency: usize,
}

/// Whether a broken link fails the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkSeverity {
    /// The build fails and `public/` is left as it was.
    Error,
    /// The build goes on; each broken link is printed as a warning.
    Warn,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: String::new(),
            description: String::new(),
            base_url: "/".into(),
            language: "en".into(),
            author: String::new(),
            theme: None,
            timezone: None,
            paginate_by: 10,
            taxonomies: vec![TaxonomyConfig::named("tags"), TaxonomyConfig::named("categories")],
            archive_path: Some("archive".into()),
            generate_feeds: true,
            feed_limit: 20,
            feed_content: FeedContent::Full,
            feed_formats: vec![FeedFormat::Atom, FeedFormat::Rss],
            feed_filenames: FeedFilenames::default(),
            sitemap_max_urls: 50_000,
            permalinks: std::collections::BTreeMap::new(),
            markdown: MarkdownConfig::default(),
            link_checker: LinkCheckerConfig::default(),
            allow_external_symlinks: false,
            compress: false,
            deploy: DeployConfig::default(),
            extra: DataTable::new(),
        }
    }
}

impl TaxonomyConfig {
    /// A taxonomy with every option at its default.
    pub fn named(name: &str) -> TaxonomyConfig {
        TaxonomyConfig { name: name.into(), paginate_by: None, feed: false, sort_by: TermOrder::Name }
    }
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            smart_punctuation: true,
            tables: true,
            footnotes: true,
            strikethrough: true,
            tasklists: true,
            heading_ids: true,
            heading_anchors: false,
            highlight_code: true,
            highlight_style: HighlightStyle::Class,
            highlight_theme: DEFAULT_HIGHLIGHT_THEME.into(),
            external_links_target_blank: false,
            external_links_no_follow: false,
            external_links_no_referrer: false,
            math: false,
            math_errors: ConversionErrors::Error,
            diagrams: true,
            diagram_errors: ConversionErrors::Error,
            alerts: true,
            definition_lists: false,
            autolinks: false,
            emoji: false,
            lazy_images: true,
            responsive_images: false,
            responsive_widths: vec![480, 960, 1600],
            responsive_sizes: "(min-width: 48rem) 48rem, 100vw".into(),
        }
    }
}

impl Default for LinkCheckerConfig {
    fn default() -> Self {
        LinkCheckerConfig {
            internal: LinkSeverity::Error,
            skip_domains: Vec::new(),
            timeout: 10,
            concurrency: 8,
        }
    }
}

/// The highlight theme when the config names none: light, and readable on white.
pub const DEFAULT_HIGHLIGHT_THEME: &str = "InspiredGitHub";

/// What loading a config produced besides the config: warnings to show the user.
#[derive(Debug, Default)]
pub struct ConfigWarnings(pub Vec<String>);

impl Config {
    /// Parses `text`, the contents of `file`, and applies `QUIRE_*` variables from `env`.
    ///
    /// # Errors
    /// `Error::Config` for TOML syntax errors, values of the wrong type, or a bad `base_url`.
    pub fn parse(
        file: &Path,
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(Config, ConfigWarnings)> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let deserializer = toml::Deserializer::parse(text).map_err(|e| toml_error(file, text, &e))?;
        let mut ignored = Vec::new();
        let mut config: Config =
            serde_ignored::deserialize(deserializer, |path| ignored.push(path.to_string()))
                .map_err(|e| toml_error(file, text, &e))?;
        let warnings = ConfigWarnings(ignored.iter().map(|path| unknown_key_warning(path)).collect());
        config.apply_env(env, file)?;
        config.base_url = normalize_base_url(&config.base_url)
            .map_err(|detail| key_error(file, text, "base_url", detail))?;
        if !crate::highlight_themes::theme_exists(&config.markdown.highlight_theme) {
            let detail = format!(
                "no highlight theme `{}`; `quire highlight-css --list` names them all",
                config.markdown.highlight_theme
            );
            return Err(key_error(file, text, "highlight_theme", detail));
        }
        if config.link_checker.concurrency == 0 {
            return Err(key_error(file, text, "concurrency", "must be at least 1".into()));
        }
        if let Some(zone) = &config.timezone {
            if jiff::tz::TimeZone::get(zone).is_err() {
                return Err(key_error(
                    file,
                    text,
                    "timezone",
                    format!("`{zone}` is not a known time zone, such as `Europe/Paris` or `UTC`"),
                ));
            }
        }
        if config.paginate_by == 0 {
            return Err(key_error(file, text, "paginate_by", "must be at least 1".into()));
        }
        if config.sitemap_max_urls == 0 {
            return Err(key_error(file, text, "sitemap_max_urls", "must be at least 1".into()));
        }
        if let Some(taxonomy) = config.taxonomies.iter().find(|t| t.paginate_by == Some(0)) {
            let detail = format!("`paginate_by` of taxonomy `{}` must be at least 1", taxonomy.name);
            return Err(key_error(file, text, "taxonomies", detail));
        }
        if let Some(error) = config.permalinks.values().find_map(|p| crate::site::permalinks::check(p).err())
        {
            return Err(key_error(file, text, "permalinks", error));
        }
        check_deploy(&config.deploy).map_err(|(key, detail)| key_error(file, text, key, detail))?;
        if let Some(path) = &config.archive_path {
            crate::site::url::url_path_from_user_path(path)
                .map_err(|detail| key_error(file, text, "archive_path", detail))?;
        }
        if let Some(detail) = feed_settings_error(&config) {
            let key = if detail.contains("listed twice") { "feed_formats" } else { "feed_filenames" };
            return Err(key_error(file, text, key, detail));
        }
        Ok((config, warnings))
    }

    /// Applies `QUIRE_<KEY>` variables to top-level scalar keys.
    fn apply_env(&mut self, env: impl IntoIterator<Item = (String, String)>, file: &Path) -> Result<()> {
        for (name, raw) in env {
            let Some(key) = name.strip_prefix("QUIRE_").map(str::to_ascii_lowercase) else {
                continue;
            };
            match key.as_str() {
                "title" => self.title = raw,
                "description" => self.description = raw,
                "base_url" => self.base_url = raw,
                "language" => self.language = raw,
                "author" => self.author = raw,
                "theme" => self.theme = Some(raw),
                "paginate_by" => {
                    self.paginate_by = raw.trim().parse().map_err(|_| Error::Config {
                        location: Location::file(file),
                        detail: format!("`{name}` is `{raw}`, expected a whole number"),
                        hint: Some(format!("set `{name}` to a number, or unset it")),
                    })?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The zone for dates without an offset: `timezone`, else UTC.
    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        self.timezone
            .as_deref()
            .and_then(|z| jiff::tz::TimeZone::get(z).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// The taxonomy named `name`, if configured.
    pub fn taxonomy(&self, name: &str) -> Option<&TaxonomyConfig> {
        self.taxonomies.iter().find(|t| t.name == name)
    }
}

/// Target names are unique and not empty; every matcher's pattern is a glob.
fn check_deploy(deploy: &DeployConfig) -> std::result::Result<(), (&'static str, String)> {
    for (index, target) in deploy.targets.iter().enumerate() {
        if target.name.trim().is_empty() {
            return Err(("name", "a `[[deploy.targets]]` entry has an empty `name`".into()));
        }
        if deploy.targets[..index].iter().any(|t| t.name == target.name) {
            return Err(("name", format!("two `[[deploy.targets]]` are named `{}`", target.name)));
        }
    }
    for matcher in &deploy.matchers {
        if let Err(detail) = crate::deploy::pattern::check(&matcher.pattern) {
            return Err(("pattern", detail));
        }
    }
    Ok(())
}

/// `archive_path = "archive"`, or `false` (or `""`) for no archive page.
fn archive_path_from_toml<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum PathOrOff {
        Path(String),
        Switch(bool),
    }
    match PathOrOff::deserialize(deserializer)? {
        PathOrOff::Path(path) if path.trim_matches('/').is_empty() => Ok(None),
        PathOrOff::Path(path) => Ok(Some(path)),
        PathOrOff::Switch(false) => Ok(None),
        PathOrOff::Switch(true) => Ok(Some("archive".into())),
    }
}

fn extra_from_toml<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<DataTable, D::Error> {
    toml::Table::deserialize(deserializer).map(data_value::table_from_toml)
}

/// Checks a base URL and gives it exactly one trailing slash.
///
/// # Errors
/// A message when the URL is neither absolute (`scheme://host/...`) nor a root path (`/...`).
pub fn normalize_base_url(url: &str) -> std::result::Result<String, String> {
    let url = url.trim();
    let valid_absolute = url.split_once("://").is_some_and(|(scheme, rest)| {
        !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !rest.is_empty()
            && !rest.starts_with('/')
    });
    if !(valid_absolute || url.starts_with('/')) || url.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{url}` is not an absolute URL such as `https://example.com/` nor a path such as `/`"
        ));
    }
    Ok(format!("{}/", url.trim_end_matches('/')))
}

/// A config as TOML text, for `quire import`: config files are written where they are read.
///
/// # Errors
/// A message when the value has no TOML form.
pub fn to_toml(value: &impl Serialize) -> std::result::Result<String, String> {
    toml::to_string(value).map_err(|error| error.to_string())
}

/// The warning for an unknown key, naming the closest key Quire knows at the same level.
fn unknown_key_warning(path: &str) -> String {
    let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
    let known = known_keys(parent);
    let nearest = known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match nearest {
        Some((_, known)) => format!("unknown key `{path}` in config.toml (did you mean `{known}`?)"),
        None => format!("unknown key `{path}` in config.toml is ignored; put theme settings under `[extra]`"),
    }
}

/// The keys a default config has under the dotted `parent` path (`` for the top level).
fn known_keys(parent: &str) -> Vec<String> {
    let mut value =
        toml::Value::try_from(Config::default()).unwrap_or(toml::Value::Table(toml::Table::new()));
    for segment in parent.split('.').filter(|s| !s.is_empty()) {
        value = match value {
            toml::Value::Table(mut table) => table.remove(segment).unwrap_or(toml::Value::Boolean(false)),
            // A list of tables, such as `taxonomies`: its items' keys.
            toml::Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
            other => other,
        };
    }
    match value {
        toml::Value::Table(table) => table.keys().cloned().collect(),
        toml::Value::Array(mut items) if !items.is_empty() => match items.swap_remove(0) {
            toml::Value::Table(table) => table.keys().cloned().collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn toml_error(file: &Path, text: &str, error: &toml::de::Error) -> Error {
    let (line, column) = error.span().map(|span| line_column(text, span.start)).unwrap_or((0, 0));
    let length = error.span().and_then(|span| text.get(span)).map_or(1, |spanned| spanned.chars().count());
    let message = error.message().to_string();
    let hint = if message.starts_with("invalid type") {
        "numbers and booleans are written without quotes, text in quotes, lists in `[ ]`"
    } else {
        "config.toml is TOML: `key = \"value\"`, tables as `[name]`"
    };
    Error::Config {
        location: Location::in_text(file, text, line, column).with_length(length),
        detail: message,
        hint: Some(hint.into()),
    }
}

fn key_error(file: &Path, text: &str, key: &str, detail: String) -> Error {
    let (line, column, length) = find_key(text, key).unwrap_or((0, 0, 1));
    Error::Config {
        location: Location::in_text(file, text, line, column).with_length(length),
        detail,
        hint: Some(key_hint(key).into()),
    }
}

/// What is wrong with `feed_formats` and `feed_filenames`, if anything: a format listed twice,
/// a file name that is not one plain name, or two formats written to one file.
fn feed_settings_error(config: &Config) -> Option<String> {
    let formats = &config.feed_formats;
    let names = &config.feed_filenames;
    let key =
        |format: FeedFormat| serde_json::to_value(format).ok().and_then(|v| v.as_str().map(str::to_string));
    // Every name, of a format written or not: a bad one is a mistake either way.
    for format in [FeedFormat::Atom, FeedFormat::Rss, FeedFormat::Json] {
        let name = names.of(format);
        let plain = !name.is_empty()
            && !name.contains(['/', '\\'])
            && name != "."
            && name != ".."
            && !name.chars().any(char::is_control);
        if !plain {
            let key = key(format)?;
            return Some(format!(
                "`{key} = \"{name}\"` is not a file name: write one name, such as `feed.xml`"
            ));
        }
    }
    for (index, &format) in formats.iter().enumerate() {
        let name = names.of(format);
        if formats[..index].contains(&format) {
            return Some(format!("`{}` is listed twice", key(format)?));
        }
        if let Some(&other) = formats[..index].iter().find(|other| names.of(**other) == name) {
            return Some(format!("`{}` and `{}` are both written to `{name}`", key(other)?, key(format)?));
        }
    }
    None
}

/// What a valid value of `key` looks like, for the errors of checks made after parsing.
fn key_hint(key: &str) -> &'static str {
    match key {
        "base_url" => "write `base_url` with its scheme and host, such as `https://example.com/`, or `/` for a site served from the root",
        "timezone" => "use an IANA time zone name, such as `Europe/Paris`, `America/New_York` or `UTC`",
        "archive_path" => "write a path inside the site, such as `\"archive\"`, or `false` for no archive page",
        "feed_formats" => "list each of `atom`, `rss` and `json` at most once: `feed_formats = [\"atom\", \"json\"]`",
        "feed_filenames" => "give each format its own file name: `feed_filenames = { rss = \"index.xml\", json = \"feed.json\" }`",
        _ => "see the configuration table in README.md",
    }
}

/// The 1-based line, column and length of the value of `key = ...` (or of `[key]`) in TOML text.
fn find_key(text: &str, key: &str) -> Option<(usize, usize, usize)> {
    text.lines().enumerate().find_map(|(index, line)| {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with(&format!("[{key}]")) {
            return Some((index + 1, indent + 1, key.len() + 2));
        }
        let after_key = trimmed.strip_prefix(key)?.trim_start().strip_prefix('=')?;
        let value = after_key.trim();
        let value_start = line.len() - after_key.trim_start().len();
        let column = line[..value_start].chars().count() + 1;
        Some((index + 1, column, value.chars().count()))
    })
}

/// Converts a byte offset into a 1-based line and column (in characters).
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(Config, ConfigWarnings)> {
        Config::parse(Path::new("config.toml"), text, Vec::new())
    }

    #[test]
    fn defaults_apply_to_an_empty_config() {
        let (config, warnings) = parse("").unwrap();
        assert_eq!(config.paginate_by, 10);
        assert_eq!(config.base_url, "/");
        assert_eq!(config.taxonomies.len(), 2);
        assert!(warnings.0.is_empty());
    }

    #[test]
    fn unknown_key_warns_with_nearest_known_key() {
        let (_, warnings) = parse("titel = \"x\"").unwrap();
        assert_eq!(warnings.0.len(), 1);
        assert!(warnings.0[0].contains("`titel`") && warnings.0[0].contains("`title`"));
    }

    #[test]
    fn unknown_nested_key_warns_with_nearest_sibling() {
        let (_, warnings) = parse("[markdown]\nsmart_punctuaton = false\n").unwrap();
        assert_eq!(warnings.0.len(), 1, "{:?}", warnings.0);
        assert!(warnings.0[0].contains("`markdown.smart_punctuaton`"), "{:?}", warnings.0);
        assert!(warnings.0[0].contains("`smart_punctuation`"), "{:?}", warnings.0);
    }

    #[test]
    fn wrong_type_names_the_line() {
        let error = parse("title = \"x\"\npaginate_by = \"ten\"\n").unwrap_err();
        let report = error.report();
        assert!(report.contains("config.toml:2"), "{report}");
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let error = parse("title = \"x\"\nbase_url = \n").unwrap_err();
        assert!(error.report().contains("config.toml:2:"), "{}", error.report());
    }

    #[test]
    fn env_overrides_base_url_and_numbers() {
        let env = vec![
            ("QUIRE_BASE_URL".to_string(), "https://deploy.example/".to_string()),
            ("QUIRE_PAGINATE_BY".to_string(), "5".to_string()),
            ("HOME".to_string(), "/root".to_string()),
        ];
        let (config, _) = Config::parse(Path::new("config.toml"), "base_url = \"/\"", env).unwrap();
        assert_eq!(config.base_url, "https://deploy.example/");
        assert_eq!(config.paginate_by, 5);
    }

    #[test]
    fn checked_values_are_pointed_at_with_a_hint_for_their_key() {
        let error = parse("title = \"x\"\nbase_url   =  \"example.com\" \n").unwrap_err();
        let report = error.report();
        assert!(report.contains("--> config.toml:2:15"), "{report}");
        assert!(report.contains("^^^^^^^^^^^^^"), "{report}");
        assert!(report.contains("hint: write `base_url` with its scheme"), "{report}");
    }

    #[test]
    fn base_url_gets_one_trailing_slash() {
        assert_eq!(normalize_base_url("https://a.b/blog").unwrap(), "https://a.b/blog/");
        assert_eq!(normalize_base_url("https://a.b//").unwrap(), "https://a.b/");
        assert!(normalize_base_url("not a url").is_err());
        assert!(normalize_base_url("example.com").is_err());
    }

    #[test]
    fn blog_settings_have_defaults_and_can_be_changed() {
        let (config, _) = parse("").unwrap();
        assert_eq!(config.archive_path.as_deref(), Some("archive"));
        assert!(config.generate_feeds);
        assert_eq!((config.feed_limit, config.feed_content), (20, FeedContent::Full));
        assert_eq!(config.sitemap_max_urls, 50_000);

        let text = "archive_path = false\nfeed_content = \"summary\"\nsitemap_max_urls = 3\n\
                    taxonomies = [{ name = \"tags\", paginate_by = 5, feed = true, sort_by = \"count\" }]\n";
        let (config, warnings) = parse(text).unwrap();
        assert!(warnings.0.is_empty(), "{:?}", warnings.0);
        assert_eq!(config.archive_path, None);
        assert_eq!(config.feed_content, FeedContent::Summary);
        assert_eq!(config.sitemap_max_urls, 3);
        let tags = &config.taxonomies[0];
        assert_eq!((tags.paginate_by, tags.feed, tags.sort_by), (Some(5), true, TermOrder::Count));
    }

    #[test]
    fn bad_blog_settings_are_errors() {
        assert!(parse("archive_path = \"../up\"").is_err());
        assert!(parse("feed_content = \"excerpt\"").is_err());
        assert!(parse("feed_formats = [\"atom\", \"jsonfeed\"]").is_err());
        assert!(parse("feed_formats = [\"atom\", \"atom\"]").is_err());
        assert!(parse("feed_formats = [\"atom\", \"rss\"]\nfeed_filenames = { rss = \"atom.xml\" }").is_err());
        assert!(parse("feed_filenames = { json = \"feeds/all.json\" }").is_err());
        let (config, _) =
            parse("feed_formats = [\"json\"]\nfeed_filenames = { json = \"index.json\" }").unwrap();
        assert_eq!(
            (config.feed_formats, config.feed_filenames.of(FeedFormat::Json)),
            (vec![FeedFormat::Json], "index.json")
        );
        assert!(parse("taxonomies = [{ name = \"tags\", paginate_by = 0 }]").is_err());
        assert!(parse("taxonomies = [{ name = \"tags\", sort_by = \"size\" }]").is_err());
    }

    #[test]
    fn permalink_patterns_are_read_and_checked() {
        let (config, warnings) = parse("[permalinks]\nblog = \"/:year/:month/:slug/\"\n").unwrap();
        assert!(warnings.0.is_empty(), "{:?}", warnings.0);
        assert_eq!(config.permalinks["blog"], "/:year/:month/:slug/");
        let report = parse("[permalinks]\nblog = \"/:categories/:slug/\"\n").unwrap_err().report();
        assert!(report.contains("`:categories`") && report.contains("config.toml:1"), "{report}");
    }

    #[test]
    fn extra_is_free_data() {
        let (config, _) = parse("[extra]\nmenu = [{ name = \"Home\", url = \"/\" }]\n").unwrap();
        assert!(config.extra.contains_key("menu"));
    }
}
