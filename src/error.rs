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

    /// Markdown that cannot be rendered: an unreadable shortcode call or code block option.
    #[error("invalid Markdown in `{}`", .location.file.display())]
    Markdown { location: Location, detail: String, hint: Option<String> },

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
            | Error::Template { hint, .. }
            | Error::Markdown { hint, .. }
            | Error::Shortcode { hint, .. }
            | Error::BrokenLink { hint, .. } => hint.as_deref(),
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
            | Error::Encoding { location, .. }
            | Error::InvalidUrl { location, .. }
            | Error::Markdown { location, .. }
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
            | Error::InvalidUrl { detail, .. }
            | Error::Encoding { detail, .. }
            | Error::Template { detail, .. }
            | Error::Markdown { detail, .. }
            | Error::Shortcode { detail, .. }
            | Error::BrokenLink { detail, .. }
            | Error::Watch { detail, .. }
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

    /// Wraps a list of errors: nothing, one error, or `Many`.
    pub fn from_list(mut errors: Vec<Error>) -> Option<Error> {
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

    /// The full report the user sees on stderr, one block per error.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let errors: Vec<&Error> = match self {
            Error::Many(list) => list.iter().collect(),
            single => vec![single],
        };
        for (index, error) in errors.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            write_one(&mut out, error);
        }
        if errors.len() > 1 {
            let _ = writeln!(out, "\nerror: the build failed with {} errors", errors.len());
        }
        out
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
    if let (Some(text), true) = (&location.source_line, location.line > 0) {
        let number = location.line.to_string();
        let pad = " ".repeat(number.len());
        let _ = writeln!(out, " {pad} |");
        let _ = writeln!(out, " {number} | {text}");
        if location.column > 0 {
            let caret_pad: String =
                text.chars().take(location.column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
            let carets = "^".repeat(location.length.max(1));
            let _ = writeln!(out, " {pad} | {caret_pad}{carets}");
        }
    }
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
    fn many_errors_are_counted() {
        let one = Error::MissingTemplate { template: "a.html".into(), source_path: "x.md".into() };
        let two = Error::MissingTemplate { template: "b.html".into(), source_path: "y.md".into() };
        let report = Error::Many(vec![one, two]).report();
        assert!(report.contains("a.html") && report.contains("b.html"));
        assert!(report.contains("failed with 2 errors"));
    }
}
