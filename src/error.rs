//! The one error type of Quire, where it happened, and how it is shown to the user.
//!
//! Errors carry facts (file, line, what was found); the sentences are written here, once,
//! so every stage reports in the same shape. This module does not decide what is an error.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A file that wants a URL, with the front matter line that set the URL when one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlOwner {
    /// The file as shown to the user.
    pub file: PathBuf,
    /// The 1-based line of its `path`/`url`/`permalink`/`slug`, if the URL comes from one.
    pub line: Option<usize>,
}

impl UrlOwner {
    /// A file whose URL comes from its place (its name, a pattern, a generated page).
    pub fn file(file: impl Into<PathBuf>) -> UrlOwner {
        UrlOwner { file: file.into(), line: None }
    }
}

impl std::fmt::Display for UrlOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// A place in a user's file: 1-based line and column, with the text of that line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user would type it (relative to the site root when possible).
    pub file: PathBuf,
    /// 1-based line, or 0 when the whole file is meant.
    pub line: usize,
    /// 1-based column, or 0 when unknown.
    pub column: usize,
    /// The text of `line`, shown under the message with a caret.
    pub source_line: Option<String>,
    /// How many characters the caret underlines (at least one).
    pub length: usize,
}

impl Location {
    /// A location that names only a file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location { file: file.into(), line: 0, column: 0, source_line: None, length: 1 }
    }

    /// A location at `line`/`column` of `text`, the full contents of `file`.
    pub fn in_text(file: impl Into<PathBuf>, text: &str, line: usize, column: usize) -> Self {
        let source_line = line
            .checked_sub(1)
            .and_then(|index| text.lines().nth(index))
            .map(|l| l.trim_end_matches('\r').to_string());
        Location { file: file.into(), line, column, source_line, length: 1 }
    }

    /// The same location, underlining `length` characters (clipped to the line).
    pub fn with_length(mut self, length: usize) -> Self {
        let available = self
            .source_line
            .as_ref()
            .map_or(1, |line| line.chars().count().saturating_sub(self.column.saturating_sub(1)));
        self.length = length.clamp(1, available.max(1));
        self
    }
}

/// Everything that can go wrong in a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `config.toml` could not be parsed or has a value of the wrong type.
    #[error("invalid config in `{}`", .location.file.display())]
    Config { location: Location, detail: String, hint: Option<String> },

    /// Front matter that is unclosed, not valid YAML/TOML, or has a field of the wrong type.
    #[error("invalid front matter in `{}`", .location.file.display())]
    FrontMatter { location: Location, detail: String, hint: Option<String> },

    /// A file that should be text but is not valid UTF-8.
    #[error("`{}` is not plain UTF-8 text", .location.file.display())]
    Encoding { location: Location, detail: String },

    /// A data file (`data/talks.yaml`, or one `load_data` reads) that is not valid in its
    /// format, or a CSV file whose rows have different numbers of fields.
    #[error("invalid data file `{}`", .location.file.display())]
    DataFile { location: Location, detail: String, hint: Option<String> },

    /// Markdown that cannot be rendered: an unreadable shortcode call or code block option.
    #[error("invalid Markdown in `{}`", .location.file.display())]
    Markdown { location: Location, detail: String, hint: Option<String> },

    /// A Sass or SCSS stylesheet that does not compile.
    #[error("cannot compile the stylesheet `{}`", .location.file.display())]
    Sass { location: Location, detail: String },

    /// A shortcode that does not exist or whose template failed.
    #[error("shortcode error in `{}`", .location.file.display())]
    Shortcode { location: Location, detail: String, hint: Option<String> },

    /// A link to a page, file or anchor that the site does not have.
    #[error("broken link in `{}`", .location.file.display())]
    BrokenLink { location: Location, detail: String, hint: Option<String> },

    /// A `slug`, `path` or file name that cannot become a URL inside the output.
    #[error("invalid URL for `{}`", .location.file.display())]
    InvalidUrl { location: Location, detail: String },

    /// Two sources would write the same output file.
    #[error("`{first}` and `{second}` both want the URL `{url_path}`")]
    DuplicateUrl { url_path: String, first: UrlOwner, second: UrlOwner },

    /// An alias (a redirect from an old URL) names a URL that a page or section has.
    #[error("the alias `{url_path}` of `{}` is the URL of `{}`", .alias_of.display(), .taken_by.display())]
    AliasTaken { url_path: String, alias_of: PathBuf, taken_by: PathBuf },

    /// The configured theme has no folder.
    #[error("theme `{theme}` not found at `{}`", .path.display())]
    MissingTheme { theme: String, path: PathBuf },

    /// A template failed to compile or to render.
    #[error("template error in `{template}`{}", .page.as_ref().map(|p| format!(" while rendering `{}`", p.display())).unwrap_or_default())]
    Template { template: String, page: Option<PathBuf>, detail: String, hint: Option<String> },

    /// A page or section asks for a template that neither the site nor the theme has.
    #[error("template `{template}` not found, asked for by `{}`", .source_path.display())]
    MissingTemplate { template: String, source_path: PathBuf },

    /// A taxonomy has one of its two templates but not the other.
    #[error("taxonomy `{taxonomy}` has the template `{found}` but not `{missing}`")]
    MissingTaxonomyTemplate { taxonomy: String, found: String, missing: String },

    /// The output folder exists but is not a folder.
    #[error("the output path `{}` is a file, not a folder", .path.display())]
    OutputNotDir { path: PathBuf },

    /// A file or folder could not be read.
    #[error("could not read `{}`", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A symbolic link under a site folder points back to a folder above it.
    #[error("the symbolic link `{}` points to `{}`, a folder that holds it", .path.display(), .ancestor.display())]
    SymlinkLoop { path: PathBuf, ancestor: PathBuf },

    /// A symbolic link under a site folder leads out of the site's folder.
    #[error("the symbolic link `{}` points to `{}`, outside the site", .path.display(), .target.display())]
    ExternalSymlink { path: PathBuf, target: PathBuf },

    /// An image a template asked to process could not be (corrupt, truncated, too large, an
    /// SVG or GIF, a format Quire does not read).
    #[error("could not process the image `{}`", .path.display())]
    Image { path: PathBuf, detail: String },

    /// A file or folder could not be written.
    #[error("could not write `{}`", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// `quire serve` could not listen on the address it was given.
    #[error("could not listen on `{address}`")]
    Listen {
        address: String,
        #[source]
        source: std::io::Error,
    },

    /// `quire serve` could not make the private socket its HTTP server listens on.
    #[error("could not make the server's private socket in `{}`", .path.display())]
    ServerSocket {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// `quire serve` could not watch the site's files for changes.
    #[error("could not watch `{}` for changes", .path.display())]
    Watch { path: PathBuf, detail: String },
    /// `quire init` was pointed at a folder that already has files.
    #[error("`{}` is not empty", .path.display())]
    FolderNotEmpty { path: PathBuf },

    /// `quire new` would replace a file that exists.
    #[error("`{}` already exists", .path.display())]
    FileExists { path: PathBuf },

    /// `quire new` was run outside a site.
    #[error("no site at `{}`: there is no `config.toml`", .root.display())]
    NoSite { root: PathBuf },

    /// `quire new` was given a path that cannot be a page under `content/`.
    #[error("cannot create a page at `{path}`")]
    InvalidNewPath { path: String, detail: String },

    /// `quire deploy` could not start or had to stop before sending anything.
    #[error("could not deploy to `{target}`")]
    Deploy { target: String, detail: String, hint: Option<String> },

    /// `quire deploy` sent some files, and these keys failed.
    #[error("{} {} failed to deploy to `{target}`: {}", .keys.len(), if .keys.len() == 1 { "file" } else { "files" }, crate::deploy::list_keys(.keys))]
    DeployFailed { target: String, keys: Vec<String>, detail: String, hint: &'static str },

    /// `quire deploy` found no built site.
    #[error("nothing to deploy: `{}` is not a folder", .output.display())]
    NothingToDeploy { output: PathBuf },

    /// Several independent problems, reported together.
    #[error("{} errors", .0.len())]
    Many(Vec<Error>),
}

/// Shorthand for results in Quire.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A fix the user can try, printed after the error.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Config { hint, .. }
            | Error::FrontMatter { hint, .. }
            | Error::DataFile { hint, .. }
            | Error::Template { hint, .. }
            | Error::Markdown { hint, .. }
            | Error::Shortcode { hint, .. }
            | Error::BrokenLink { hint, .. }
            | Error::Deploy { hint, .. } => hint.as_deref(),
            Error::DeployFailed { hint, .. } => Some(hint),
            Error::NothingToDeploy { .. } => Some("run `quire build` first: deploy sends the built site"),
            Error::Sass { .. } => Some(
                "fix the stylesheet at that line; `sass/` compiles to CSS at the same path (`_partials` only through `@use` or `@import`)",
            ),
            Error::Encoding { .. } => {
                Some("save the file as UTF-8 text (an editor's \"save with encoding\"), without NUL bytes")
            }
            Error::InvalidUrl { .. } => {
                Some("a `slug` is one URL segment and a `path` stays inside the site: no `..`, no `%2e`")
            }
            Error::DuplicateUrl { .. } => Some(
                "give one of them another `slug` or `path` (`url`, `permalink`) in its front matter",
            ),
            Error::AliasTaken { .. } => {
                Some("remove the alias: a redirect there would hide the page that has that URL")
            }
            Error::MissingTheme { .. } => {
                Some("check `theme` in config.toml, or remove it to use the built-in theme")
            }
            Error::MissingTemplate { .. } => {
                Some("add the template to `templates/`, or fix the `template` field")
            }
            Error::MissingTaxonomyTemplate { .. } => Some(
                "add the missing template to `templates/`, or remove both to build without taxonomy pages",
            ),
            Error::OutputNotDir { .. } => Some("remove the file or choose another `--output-dir`"),
            Error::ExternalSymlink { .. } => Some(
                "copy the file into the site, or set `allow_external_symlinks = true` in config.toml \
                 if you trust every link (a theme's too)",
            ),
            Error::SymlinkLoop { .. } => {
                Some("remove the link, or point it at a folder outside the one that holds it")
            }
            Error::Read { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => {
                Some("let the user running quire read it, e.g. `chmod u+r FILE`")
            }
            Error::Read { .. } => Some("check that the file exists and is readable"),
            Error::Write { .. } => Some("check that the output folder is writable and the disk has space"),
            Error::Image { .. } => Some(
                "open the file in an image viewer: save it again as JPEG, PNG or WebP, or link it without `resize_image`",
            ),
            Error::Listen { .. } => {
                Some("pass another `--port`, or `--port 0` to take any free port, or another `--interface`")
            }
            Error::ServerSocket { .. } => {
                Some("set `TMPDIR` to a short path of a folder you can write to, such as `/tmp`")
            }
            Error::Watch { .. } => Some(
                "check that the folder is readable; on Linux, `fs.inotify.max_user_watches` may be too low",
            ),
            Error::FolderNotEmpty { .. } => Some(
                "choose an empty folder, or pass `--force` to add the site's files anyway (files with the same names are replaced)",
            ),
            Error::FileExists { .. } => Some("choose another name, or edit the existing file"),
            Error::NoSite { .. } => {
                Some("run quire inside a site (the folder with `config.toml`), pass `--root DIR`, or create a site with `quire init`")
            }
            Error::InvalidNewPath { .. } => {
                Some("give a path under `content/`, such as `blog/my-first-post`, or a section and a title")
            }
            Error::Many(_) => None,
        }
    }

    /// The location to show with the source line, when the error has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Config { location, .. }
            | Error::FrontMatter { location, .. }
            | Error::DataFile { location, .. }
            | Error::Encoding { location, .. }
            | Error::InvalidUrl { location, .. }
            | Error::Markdown { location, .. }
            | Error::Sass { location, .. }
            | Error::Shortcode { location, .. }
            | Error::BrokenLink { location, .. } => Some(location),
            _ => None,
        }
    }

    /// The detail printed under the location (parser message, template report).
    pub fn detail(&self) -> Option<&str> {
        match self {
            Error::Config { detail, .. }
            | Error::FrontMatter { detail, .. }
            | Error::DataFile { detail, .. }
            | Error::InvalidUrl { detail, .. }
            | Error::Encoding { detail, .. }
            | Error::Template { detail, .. }
            | Error::Markdown { detail, .. }
            | Error::Sass { detail, .. }
            | Error::Shortcode { detail, .. }
            | Error::BrokenLink { detail, .. }
            | Error::Watch { detail, .. }
            | Error::Image { detail, .. }
            | Error::Deploy { detail, .. }
            | Error::DeployFailed { detail, .. }
            | Error::InvalidNewPath { detail, .. } => Some(detail),
            _ => None,
        }
    }

    /// Flattens nested `Many` into a plain list, keeping the order.
    pub fn into_list(self) -> Vec<Error> {
        match self {
            Error::Many(errors) => errors.into_iter().flat_map(Error::into_list).collect(),
            other => vec![other],
        }
    }

    /// Wraps a list of errors: nothing, one error, or `Many`. A `Many` in the list (a file
    /// with several errors, among other files) is flattened into it, so that every error is
    /// shown with its file and line rather than as "2 errors".
    pub fn from_list(errors: Vec<Error>) -> Option<Error> {
        let mut errors: Vec<Error> = errors.into_iter().flat_map(Error::into_list).collect();
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Many(errors)),
        }
    }

    /// The values of `results` in order, or every error among them together: how each stage
    /// reports all its per-file problems at once instead of stopping at the first.
    ///
    /// # Errors
    /// All the errors in `results`, as one error (`Many` when there are several).
    pub fn collect_all<T>(results: impl IntoIterator<Item = Result<T>>) -> Result<Vec<T>> {
        let mut values = Vec::new();
        let mut errors = Vec::new();
        for result in results {
            match result {
                Ok(value) => values.push(value),
                Err(error) => errors.push(error),
            }
        }
        Error::fail_if_any(errors)?;
        Ok(values)
    }

    /// `Ok` when `errors` is empty, else all of them as one error.
    ///
    /// # Errors
    /// The errors given, as one error (`Many` when there are several).
    pub fn fail_if_any(errors: Vec<Error>) -> Result<()> {
        match Error::from_list(errors) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// The full report the user sees on stderr, one block per error. Files that could not be
    /// read or written for one cause are one block (issue 29: a full disk gave 215 errors in
    /// 861 lines): "215 files could not be written: no space left on device (first: …)".
    pub fn report(&self) -> String {
        let mut out = String::new();
        let mut errors: Vec<&Error> = Vec::new();
        self.each_one(&mut |error| errors.push(error));
        // Each block's first error and how many errors it stands for, in the order met.
        let mut blocks: Vec<(&Error, usize)> = Vec::new();
        let mut block_of_cause: std::collections::HashMap<(bool, String), usize> = Default::default();
        for error in &errors {
            match io_cause(error) {
                Some(cause) => match block_of_cause.entry(cause) {
                    std::collections::hash_map::Entry::Occupied(block) => blocks[*block.get()].1 += 1,
                    std::collections::hash_map::Entry::Vacant(block) => {
                        block.insert(blocks.len());
                        blocks.push((error, 1));
                    }
                },
                None => blocks.push((error, 1)),
            }
        }
        for (index, (error, count)) in blocks.into_iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            if count == 1 {
                write_one(&mut out, error);
            } else {
                write_group(&mut out, error, count);
            }
        }
        if errors.len() > 1 {
            let _ = writeln!(out, "\nerror: the build failed with {} errors", errors.len());
        }
        out
    }
}

/// What makes reading or writing errors one cause: the direction and the system's message.
fn io_cause(error: &Error) -> Option<(bool, String)> {
    match error {
        Error::Read { source, .. } => Some((false, source.to_string())),
        Error::Write { source, .. } => Some((true, source.to_string())),
        _ => None,
    }
}

/// One block for `count` files that could not be read or written for the cause of `first`.
fn write_group(out: &mut String, first: &Error, count: usize) {
    let (verb, path, source) = match first {
        Error::Read { path, source } => ("read", path, source),
        Error::Write { path, source } => ("written", path, source),
        other => return write_one(out, other),
    };
    let _ = writeln!(
        out,
        "error: {count} files could not be {verb}: {} (first: `{}`)",
        plain_cause(source),
        path.display()
    );
    if let Some(hint) = first.hint() {
        let _ = writeln!(out, "hint: {hint}");
    }
}

/// A system error as words: `No space left on device (os error 28)` → `no space left on device`.
fn plain_cause(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

impl Error {
    /// Calls `each` with every error that is not a `Many`, in order, however deeply nested.
    fn each_one<'a>(&'a self, each: &mut impl FnMut(&'a Error)) {
        match self {
            Error::Many(list) => list.iter().for_each(|error| error.each_one(each)),
            single => each(single),
        }
    }
}

fn write_one(out: &mut String, error: &Error) {
    let _ = writeln!(out, "error: {error}");
    if let Some(location) = error.location() {
        write_location(out, location);
    }
    if let Some(detail) = error.detail() {
        for line in detail.lines() {
            let _ = writeln!(out, "   = {line}");
        }
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let _ = writeln!(out, "   = caused by: {cause}");
        source = cause.source();
    }
    if let Some(hint) = error.hint() {
        let _ = writeln!(out, "hint: {hint}");
    }
}

fn write_location(out: &mut String, location: &Location) {
    let file = location.file.display();
    match (location.line, location.column) {
        (0, _) => {
            let _ = writeln!(out, "  --> {file}");
        }
        (line, 0) => {
            let _ = writeln!(out, "  --> {file}:{line}");
        }
        (line, column) => {
            let _ = writeln!(out, "  --> {file}:{line}:{column}");
        }
    }
    if let (Some(line), true) = (&location.source_line, location.line > 0) {
        let number = location.line.to_string();
        let pad = " ".repeat(number.len());
        let (text, column) = shown_part(line, location.column);
        let _ = writeln!(out, " {pad} |");
        let _ = writeln!(out, " {number} | {text}");
        if column > 0 {
            let caret_pad: String =
                text.chars().take(column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
            let shown_after = text.chars().count().saturating_sub(column - 1).max(1);
            let carets = "^".repeat(location.length.clamp(1, shown_after));
            let _ = writeln!(out, " {pad} | {caret_pad}{carets}");
        }
    }
}

/// The most characters of a source line shown under an error.
const SHOWN_LINE: usize = 100;
/// How many of them come before the column, when the line is cut.
const SHOWN_BEFORE: usize = 40;

/// The part of `line` shown, and `column` in it: a long line (a 200 KB line of nested
/// brackets) is cut around the column, with an ellipsis where something was left out.
fn shown_part(line: &str, column: usize) -> (String, usize) {
    let length = line.chars().count();
    if length <= SHOWN_LINE {
        return (line.to_string(), column);
    }
    let start = column.saturating_sub(1).saturating_sub(SHOWN_BEFORE).min(length - SHOWN_LINE);
    let end = start + SHOWN_LINE;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(line.chars().skip(start).take(SHOWN_LINE));
    if end < length {
        shown.push('…');
    }
    let column = match column {
        0 => 0,
        column => column - start + usize::from(start > 0),
    };
    (shown, column)
}

/// Reads a file to a string, naming the path on failure.
///
/// # Errors
/// `Error::Read` when the file cannot be read.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_shows_file_line_caret_and_hint() {
        let text = "---\ntitle: a\ndate: 2024-13-01\n---\n";
        let error = Error::FrontMatter {
            location: Location::in_text("content/a.md", text, 3, 7),
            detail: "month must be between 1 and 12".into(),
            hint: Some("dates are written YYYY-MM-DD".into()),
        };
        let report = error.report();
        assert!(report.contains("error: invalid front matter in `content/a.md`"));
        assert!(report.contains("--> content/a.md:3:7"));
        assert!(report.contains(" 3 | date: 2024-13-01"));
        assert!(report.contains("   |       ^"));
        assert!(report.contains("hint: dates are written YYYY-MM-DD"));
    }

    #[test]
    fn issue_29_a_long_source_line_is_cut_around_the_column() {
        let line = format!("tags: {}x{}", "[".repeat(100_000), "]".repeat(100_000));
        let text = format!("---\n{line}\n---\n");
        let error = Error::FrontMatter {
            location: Location::in_text("content/a.md", &text, 2, 100_007),
            detail: "too deep".into(),
            hint: None,
        };
        let report = error.report();
        assert!(report.len() < 1000, "{report}");
        assert!(report.contains("--> content/a.md:2:100007"), "{report}");
        let shown = report.lines().find(|l| l.starts_with(" 2 | ")).unwrap();
        assert_eq!(shown, format!(" 2 | …{}x{}…", "[".repeat(40), "]".repeat(59)));
        let carets = report.lines().find(|l| l.trim_end().ends_with('^')).unwrap();
        assert_eq!(carets, format!("   | {}^", " ".repeat(41)), "the caret is under the `x`");

        // Near the start, only the end is cut.
        let short = shown_part(&line, 3);
        assert!(short.0.starts_with("tags: [[") && short.0.ends_with('…'));
        assert_eq!(short.1, 3);
        // A short line is shown whole.
        assert_eq!(shown_part("title: x", 8), ("title: x".to_string(), 8));
    }

    #[test]
    fn issue_29_files_failing_for_one_cause_are_one_block() {
        let full = || std::io::Error::from_raw_os_error(28);
        let mut errors: Vec<Error> = (0..215)
            .map(|i| Error::Write { path: format!("public/blog/{i}/index.html").into(), source: full() })
            .collect();
        errors.insert(3, Error::MissingTemplate { template: "a.html".into(), source_path: "x.md".into() });
        errors.push(Error::Read {
            path: "static/a.png".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        });
        let report = Error::Many(errors).report();
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(
            lines[0],
            "error: 215 files could not be written: no space left on device (first: `public/blog/0/index.html`)"
        );
        assert_eq!(lines[1], "hint: check that the output folder is writable and the disk has space");
        assert!(report.contains("error: template `a.html` not found"), "{report}");
        assert!(
            report.contains("error: could not read `static/a.png`"),
            "a cause met once is shown as it is"
        );
        assert!(report.contains("failed with 217 errors"), "{report}");
        assert!(report.lines().count() < 20, "{report}");
    }

    #[test]
    fn many_errors_are_counted() {
        let one = Error::MissingTemplate { template: "a.html".into(), source_path: "x.md".into() };
        let two = Error::MissingTemplate { template: "b.html".into(), source_path: "y.md".into() };
        let report = Error::Many(vec![one, two]).report();
        assert!(report.contains("a.html") && report.contains("b.html"));
        assert!(report.contains("failed with 2 errors"));
    }

    #[test]
    fn nested_errors_are_each_reported_with_their_file() {
        let error = |name: &str| Error::MissingTemplate { template: name.into(), source_path: "x.md".into() };
        let nested = Error::Many(vec![Error::Many(vec![error("a.html"), error("b.html")]), error("c.html")]);
        let report = nested.report();
        assert!(!report.contains("error: 2 errors"), "{report}");
        assert!(report.contains("failed with 3 errors"), "{report}");
        let listed =
            Error::from_list(vec![Error::Many(vec![error("a.html"), error("b.html")]), error("c.html")]);
        assert!(matches!(listed, Some(Error::Many(list)) if list.len() == 3));
    }
}
