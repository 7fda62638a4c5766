//! Stage 2, parse: text in, `Document` out. Front matter and Markdown, one file at a time.
//!
//! Parsing is pure and per file: a document is a function of the file and the
//! [`ParseSettings`] alone (the [`Highlighter`] only saves work), so files parse in parallel,
//! and the pipeline can reuse a document while both stay the same.

pub mod alerts;
pub mod autolinks;
pub mod block_attributes;
pub mod data;
pub mod date;
pub mod diagrams;
pub mod emoji;
pub mod footnotes;
pub mod foreign_syntax;
pub mod front_matter;
pub mod highlight;
pub mod kramdown;
pub mod line_memo;
pub mod liquid;
pub mod markdown;
pub mod math;
pub mod shortcodes;

use std::path::PathBuf;

use serde::Serialize;

use crate::config::{Config, MarkdownConfig};
use crate::error::Result;
use crate::load::SourceFile;
use date::PageDate;
use front_matter::{FrontMatter, FrontMatterOptions};
use highlight::Highlighter;
use markdown::HtmlBody;

/// What parsing reads of the site's settings, and nothing more: a setting parsing does not
/// read (`link_checker.timeout`) has no field here, so changing it cannot change a document.
#[derive(Debug, Clone, Serialize)]
pub struct ParseSettings {
    /// The `[markdown]` options.
    pub markdown: MarkdownConfig,
    /// The taxonomy names and the time zone of dates written without an offset.
    pub front_matter: FrontMatterOptions,
    /// What Liquid's `site.url` and `site.baseurl` stand for, from the base URL.
    pub urls: liquid::SiteUrls,
}

impl ParseSettings {
    /// The parse settings of a site.
    pub fn from_config(config: &Config) -> ParseSettings {
        ParseSettings {
            markdown: config.markdown.clone(),
            front_matter: FrontMatterOptions {
                taxonomy_names: config.taxonomies.iter().map(|t| t.name.clone()).collect(),
                timezone: config.time_zone(),
            },
            urls: liquid::SiteUrls::from_base_url(&config.base_url),
        }
    }
}

/// A parsed content file, before it takes its place in the site.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Path relative to `content/`: `blog/first.md`.
    pub content_path: String,
    /// The path shown to the user: `content/blog/first.md`.
    pub display_path: PathBuf,
    /// The front matter fields.
    pub front_matter: FrontMatter,
    /// The date from a `YYYY-MM-DD-` file name prefix, if any.
    pub file_date: Option<PageDate>,
    /// The date inside an explicit `path`/`url`/`permalink` (`/2024/01/27/slug/`), if any.
    pub path_date: Option<PageDate>,
    /// The slug the file name gives (prefix date removed, slugified).
    pub file_slug: String,
    /// The body as HTML, with its summary parts.
    pub body: HtmlBody,
    /// Front matter `summary`, rendered as Markdown.
    pub summary_from_front_matter: Option<String>,
    /// Things to tell the user about this file that don't stop the build.
    pub warnings: Vec<String>,
}

impl Document {
    /// Whether this file is a section's `_index.md` (or `_index.markdown`, ...).
    pub fn is_section(&self) -> bool {
        is_section_file(&self.content_path)
    }

    /// The page's date: front matter `date`, else `publishDate`, else the file name's, else
    /// the one inside an explicit path.
    pub fn date(&self) -> Option<PageDate> {
        let fm = &self.front_matter;
        fm.date.or(fm.publish_date).or(self.file_date).or(self.path_date)
    }

    /// The moment the page is published from: `publishDate` when given (Hugo schedules by it),
    /// else its date.
    pub fn publication_date(&self) -> Option<PageDate> {
        self.front_matter.publish_date.or(self.date())
    }

    /// Whether this file is a page bundle's `index.md` (or `index.markdown`, ...).
    pub fn is_bundle(&self) -> bool {
        is_bundle_file(&self.content_path)
    }
}

/// Whether a content path names a section's `_index` file, in any Markdown extension.
pub fn is_section_file(content_path: &str) -> bool {
    file_stem(content_path) == Some("_index")
}

/// Whether a content path names a page bundle's `index` file, in any Markdown extension.
pub fn is_bundle_file(content_path: &str) -> bool {
    file_stem(content_path) == Some("index")
}

/// The file name of a Markdown content path without its folder and extension.
fn file_stem(content_path: &str) -> Option<&str> {
    let stem = crate::load::markdown_stem(content_path)?;
    Some(stem.rsplit_once('/').map_or(stem, |(_, name)| name))
}

/// Parses one content file.
///
/// # Errors
/// `Error::FrontMatter` when its front matter is broken, `Error::Markdown` for unreadable
/// shortcode calls or code block options.
pub fn parse_document(
    file: &SourceFile,
    settings: &ParseSettings,
    highlighter: &Highlighter,
) -> Result<Document> {
    let options = &settings.front_matter;
    let text = normalize_text(&file.text);
    let split = front_matter::split(&file.display_path, &text)?;
    let front_matter = with_smart_punctuation(
        front_matter::parse(&file.display_path, &text, &split, options)?,
        &settings.markdown,
    );
    let converted = liquid::convert(split.body, &settings.urls);
    let stripped = kramdown::rewrite_attributes(&converted);
    let source = markdown::Source {
        file: &file.display_path,
        text: &stripped,
        first_line: split.body_first_line,
        shortcodes: markdown::Shortcodes::Extract,
    };
    let body = markdown::render_with(&source, &settings.markdown, highlighter)?;
    let mut warnings = dropped_term_warnings(&file.display_path, &split, &front_matter);
    warnings.extend(body.warnings.iter().cloned());
    // Quire's own shortcode calls use the same braces as Liquid: they are not foreign.
    warnings.extend(
        foreign_syntax::find(&converted)
            .into_iter()
            .filter(|tag| !shortcodes::looks_like_call(&tag.text))
            .map(|tag| foreign_tag_warning(&file.display_path, split.body_first_line, &tag)),
    );
    let summary_from_front_matter = match front_matter.summary.as_deref() {
        Some(summary) => {
            let source = markdown::Source {
                file: &file.display_path,
                text: summary,
                first_line: split.block_first_line,
                shortcodes: markdown::Shortcodes::Leave,
            };
            let rendered = markdown::render_with(&source, &settings.markdown, highlighter)?;
            Some(markdown::fill_links(&rendered.html, &rendered.links_as_written()))
        }
        None => None,
    };
    let (file_date, file_slug) = name_parts(&file.content_path, &options.timezone);
    let path_date = front_matter.path.as_deref().and_then(|path| date_in_path(path, &options.timezone));
    Ok(Document {
        content_path: file.content_path.to_string(),
        display_path: file.display_path.to_path_buf(),
        front_matter,
        file_date,
        path_date,
        file_slug,
        body,
        summary_from_front_matter,
        warnings,
    })
}

/// A warning for each term that names nothing (`..`, `!!!`: nothing is left of it for a URL),
/// which its taxonomy leaves out: the term itself and its file line, so it can be found
/// (issue 29: "an empty name in `tags`" named neither).
fn dropped_term_warnings(
    file: &std::path::Path,
    split: &front_matter::Split<'_>,
    front_matter: &FrontMatter,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for (taxonomy, terms) in &front_matter.taxonomies {
        for term in terms.iter().filter(|term| crate::site::taxonomy::merge_key(term).is_empty()) {
            let what =
                if term.trim().is_empty() { "an empty term".into() } else { format!("the term `{term}`") };
            warnings.push(format!(
                "{}:{}: {what} in `{taxonomy}` has no letters or digits and is left out",
                file.display(),
                term_line(split, taxonomy, term)
            ));
        }
    }
    warnings
}

/// The file line where `term` of `taxonomy` is written: the first line from the taxonomy's key
/// on that holds it, else the key's line.
fn term_line(split: &front_matter::Split<'_>, taxonomy: &str, term: &str) -> usize {
    let Some((_, block)) = split.block else { return 1 };
    let lines: Vec<&str> = block.lines().collect();
    let key = lines.iter().position(|line| {
        let rest = line.trim_start().strip_prefix(taxonomy).map(str::trim_start);
        rest.is_some_and(|rest| rest.starts_with([':', '=']))
    });
    let from = key.unwrap_or(0);
    let found = lines[from..].iter().position(|line| line.contains(term.trim())).map(|at| from + at);
    split.block_first_line + found.or(key).unwrap_or(0)
}

/// The front matter with its title and description punctuated as the body is, when the site
/// has `smart_punctuation` on: a title reading "Robin's" above a body reading "I’m" looks
/// like two authors (issue 22). Slugs are unchanged: both quotes separate words.
fn with_smart_punctuation(mut front_matter: FrontMatter, markdown: &MarkdownConfig) -> FrontMatter {
    if markdown.smart_punctuation {
        for text in [&mut front_matter.title, &mut front_matter.description].into_iter().flatten() {
            if let std::borrow::Cow::Owned(smart) = markdown::smart_punctuation(text) {
                *text = smart;
            }
        }
    }
    front_matter
}

/// The warning for template syntax Quire leaves as text, with the file line.
fn foreign_tag_warning(
    file: &std::path::Path,
    body_first_line: usize,
    tag: &foreign_syntax::ForeignTag,
) -> String {
    let kind = match tag.origin {
        foreign_syntax::Origin::Liquid => "Liquid tag",
        foreign_syntax::Origin::HugoShortcode => "Hugo shortcode",
    };
    format!(
        "{}:{}: {kind} `{}` is not run by Quire and is shown as written; replace it with Markdown or HTML",
        file.display(),
        body_first_line + tag.line - 1,
        tag.text
    )
}

/// Drops a UTF-8 BOM and turns CRLF (and lone CR) line ends into LF; line numbers stay the same.
pub fn normalize_text(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether `text` holds a `{` directly followed by one of `seconds` (`b"{%"` finds `{{` and
/// `{%`). Template tags and attribute lists all start so, and most pages hold none: this
/// vectorized search lets them skip the passes that read them.
pub fn has_brace_pair(text: &str, seconds: &[u8]) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'{', bytes).any(|at| bytes.get(at + 1).is_some_and(|next| seconds.contains(next)))
}

/// The date and slug a file name gives: `2024-05-01-my-post.md` → (2024-05-01, `my-post`).
/// A bundle (`trip/index.md`) is named by its folder.
fn name_parts(content_path: &str, zone: &jiff::tz::TimeZone) -> (Option<PageDate>, String) {
    let mut parts = content_path.rsplit('/');
    let file_name = parts.next().unwrap_or(content_path);
    let stem = crate::load::markdown_stem(file_name).unwrap_or(file_name);
    let stem = if stem == "index" { parts.next().unwrap_or(stem) } else { stem };
    match jekyll_date(stem, zone) {
        Some((date, rest)) => (Some(date), crate::site::url::slugify(rest)),
        None => (None, crate::site::url::slugify(stem)),
    }
}

/// The date of a URL path with `YYYY/MM/DD` segments in it: `/2024/01/27/slug/` → 2024-01-27.
fn date_in_path(path: &str, zone: &jiff::tz::TimeZone) -> Option<PageDate> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    segments.windows(3).find_map(|w| {
        if !(digits(w[0], 4) && digits(w[1], 2) && digits(w[2], 2)) {
            return None;
        }
        PageDate::from_ymd(w[0].parse().ok()?, w[1].parse().ok()?, w[2].parse().ok()?, zone)
    })
}

fn jekyll_date<'a>(stem: &'a str, zone: &jiff::tz::TimeZone) -> Option<(PageDate, &'a str)> {
    let bytes = stem.as_bytes();
    let shape_ok = bytes.len() > 11
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| bytes[i].is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year = stem[0..4].parse().ok()?;
    let month = stem[5..7].parse().ok()?;
    let day = stem[8..10].parse().ok()?;
    Some((PageDate::from_ymd(year, month, day, zone)?, &stem[11..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTC: jiff::tz::TimeZone = jiff::tz::TimeZone::UTC;

    #[test]
    fn issue_29_a_dropped_term_is_named_with_its_line() {
        let options = FrontMatterOptions { taxonomy_names: vec!["tags".into()], ..Default::default() };
        let warnings = |text: &str| {
            let file = std::path::Path::new("content/a.md");
            let split = front_matter::split(file, text).unwrap();
            let front_matter = front_matter::parse(file, text, &split, &options).unwrap();
            dropped_term_warnings(file, &split, &front_matter)
        };
        assert_eq!(
            warnings("---\ntitle: a\ntags:\n  - rust\n  - ..\n  - \"!!!\"\n---\n"),
            [
                "content/a.md:5: the term `..` in `tags` has no letters or digits and is left out",
                "content/a.md:6: the term `!!!` in `tags` has no letters or digits and is left out",
            ]
        );
        assert_eq!(
            warnings("+++\ntitle = \"a\"\ntags = [\"rust\", \" \"]\n+++\n"),
            ["content/a.md:3: an empty term in `tags` has no letters or digits and is left out"]
        );
        assert!(warnings("---\ntags: [rust, C++, \"🦀\"]\n---\n").is_empty());
    }

    #[test]
    fn jekyll_file_names_give_date_and_slug() {
        let (date, slug) = name_parts("blog/2024-05-01-my-post.md", &UTC);
        assert_eq!(date.unwrap().to_string(), "2024-05-01");
        assert_eq!(slug, "my-post");
    }

    #[test]
    fn bundles_are_named_by_their_folder() {
        let (date, slug) = name_parts("blog/2023-01-02-trip/index.md", &UTC);
        assert_eq!(date.unwrap().to_string(), "2023-01-02");
        assert_eq!(slug, "trip");
    }

    #[test]
    fn plain_names_slugify() {
        assert_eq!(name_parts("blog/Hello World.md", &UTC), (None, "hello-world".to_string()));
        assert_eq!(name_parts("blog/2024-13-01-x.md", &UTC).0, None);
    }

    #[test]
    fn dates_inside_explicit_paths_are_found() {
        assert_eq!(date_in_path("/2024/01/27/slug/", &UTC).unwrap().to_string(), "2024-01-27");
        assert_eq!(date_in_path("blog/2019/12/03/x.html", &UTC).unwrap().to_string(), "2019-12-03");
        assert_eq!(date_in_path("/2024/13/27/slug/", &UTC), None);
        assert_eq!(date_in_path("/2024/01/slug/", &UTC), None);
        assert_eq!(date_in_path("/about/", &UTC), None);
    }

    #[test]
    fn file_names_with_capitals_dots_and_dashes_slugify() {
        for (name, slug) in [
            ("blog/My.Post.v2.md", "my-post-v2"),
            ("blog/icon@2x.md", "icon-2x"),
            ("blog/a---b--.md", "a-b"),
            ("blog/2024-01-02-Trailing-.md", "trailing"),
            ("blog/2024-01-02--Two--Dashes.md", "two-dashes"),
        ] {
            assert_eq!(name_parts(name, &UTC).1, slug, "{name}");
        }
    }

    #[test]
    fn bom_and_crlf_are_normalized() {
        assert_eq!(normalize_text("\u{feff}---\r\na: 1\r\n---\r\n"), "---\na: 1\n---\n");
    }
}
