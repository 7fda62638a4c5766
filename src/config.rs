//! `Config`: the site settings from `config.toml`, with environment overrides applied.
//!
//! Unknown keys are warnings (with a did-you-mean hint), never errors, so a config written for
//! a newer Quire still builds. Wrong types are errors at the key's line. This module does not
//! apply command-line overrides: `project.rs` does, once.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::value::{self, Table};

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
    /// Posts per list page when a section sets none.
    pub paginate_by: usize,
    /// The taxonomies pages can be classified in.
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Markdown rendering options.
    pub markdown: MarkdownConfig,
    /// What to do about broken links.
    pub link_checker: LinkCheckerConfig,
    /// Free data for themes: `config.extra.KEY`.
    #[serde(deserialize_with = "extra_from_toml")]
    pub extra: Table,
}

/// One taxonomy, such as `tags`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    /// The front matter key and URL segment: `tags` → `/tags/`.
    pub name: String,
    /// Terms per list page; the site's `paginate_by` when absent.
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// Whether each term gets a feed.
    #[serde(default)]
    pub feed: bool,
}

/// Markdown extensions, all on by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
#[serde(default, deny_unknown_fields)]
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
            paginate_by: 10,
            taxonomies: vec![
                TaxonomyConfig { name: "tags".into(), paginate_by: None, feed: false },
                TaxonomyConfig { name: "categories".into(), paginate_by: None, feed: false },
            ],
            markdown: MarkdownConfig::default(),
            link_checker: LinkCheckerConfig::default(),
            extra: Table::new(),
        }
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

/// Top-level keys, for the did-you-mean hint on unknown keys.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "author",
    "theme",
    "paginate_by",
    "taxonomies",
    "markdown",
    "link_checker",
    "extra",
];

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
        let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let mut warnings = ConfigWarnings::default();
        warn_unknown_keys(&table, &mut warnings);
        let mut config: Config = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        config.apply_env(env, file)?;
        config.base_url = normalize_base_url(&config.base_url)
            .map_err(|detail| key_error(file, text, "base_url", detail))?;
        if !crate::parse::highlight::theme_exists(&config.markdown.highlight_theme) {
            let detail = format!(
                "no highlight theme `{}`; `quire highlight-css --list` names them all",
                config.markdown.highlight_theme
            );
            return Err(key_error(file, text, "highlight_theme", detail));
        }
        if config.link_checker.concurrency == 0 {
            return Err(key_error(file, text, "concurrency", "must be at least 1".into()));
        }
        if config.paginate_by == 0 {
            return Err(key_error(file, text, "paginate_by", "must be at least 1".into()));
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

    /// The taxonomy named `name`, if configured.
    pub fn taxonomy(&self, name: &str) -> Option<&TaxonomyConfig> {
        self.taxonomies.iter().find(|t| t.name == name)
    }
}

fn extra_from_toml<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Table, D::Error> {
    toml::Table::deserialize(deserializer).map(value::table_from_toml)
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

fn warn_unknown_keys(table: &toml::Table, warnings: &mut ConfigWarnings) {
    for key in table.keys() {
        if KNOWN_KEYS.contains(&key.as_str()) {
            continue;
        }
        let nearest = KNOWN_KEYS
            .iter()
            .map(|known| (strsim::jaro_winkler(key, known), known))
            .filter(|(score, _)| *score > 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let message = match nearest {
            Some((_, known)) => {
                format!("unknown key `{key}` in config.toml (did you mean `{known}`?)")
            }
            None => {
                format!("unknown key `{key}` in config.toml is ignored; put theme settings under `[extra]`")
            }
        };
        warnings.0.push(message);
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
    let (line, column) = find_key(text, key).unwrap_or((0, 0));
    Error::Config {
        location: Location::in_text(file, text, line, column),
        detail,
        hint: Some("see the configuration table in README.md".into()),
    }
}

/// The 1-based line and column of `key = ...` or `[key]` in TOML text.
fn find_key(text: &str, key: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(index, line)| {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let is_assignment = trimmed.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='));
        let is_table = trimmed.starts_with(&format!("[{key}]"));
        (is_assignment || is_table).then_some((index + 1, indent + 1))
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
    fn base_url_gets_one_trailing_slash() {
        assert_eq!(normalize_base_url("https://a.b/blog").unwrap(), "https://a.b/blog/");
        assert_eq!(normalize_base_url("https://a.b//").unwrap(), "https://a.b/");
        assert!(normalize_base_url("not a url").is_err());
        assert!(normalize_base_url("example.com").is_err());
    }

    #[test]
    fn extra_is_free_data() {
        let (config, _) = parse("[extra]\nmenu = [{ name = \"Home\", url = \"/\" }]\n").unwrap();
        assert!(config.extra.contains_key("menu"));
    }
}
