//! Sass and SCSS stylesheets compiled to CSS (grass, pure Rust), in memory.
//!
//! Every `.scss` and `.sass` file of a `sass/` folder (the theme's, then the site's, which
//! replaces a theme file of the same path) whose name does not begin with `_` becomes a CSS
//! file at the same relative path: `sass/css/site.scss` → `css/site.css`. Partials
//! (`_name.scss`) are compiled only through `@use`, `@forward` or `@import`, which resolve
//! against the loaded files, never the disk: `load` read them. A stylesheet that does not
//! compile is an error at its file, line and column. This module keeps nothing between runs.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use grass_compiler as grass;

use crate::error::{Error, Location, Result};
use crate::load::SassFile;

/// One compiled stylesheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledStylesheet {
    /// Where it goes in the output: `css/site.css`.
    pub output_path: String,
    /// The Sass file it was compiled from, for messages: `sass/css/site.scss`.
    pub source_path: PathBuf,
    /// The CSS.
    pub css: Arc<[u8]>,
}

/// Compiles every stylesheet of `files` (the theme's first, then the site's).
///
/// # Errors
/// `Error::Sass` for each stylesheet that does not compile, together.
pub fn compile(files: &[SassFile]) -> Result<Vec<CompiledStylesheet>> {
    // By path relative to its folder: a site file replaces the theme's of the same path.
    let mut entries: BTreeMap<&str, &SassFile> = BTreeMap::new();
    for file in files {
        entries.insert(&file.relative_path, file);
    }
    let fs =
        LoadedFiles { files: files.iter().map(|f| (f.display_path.clone(), f.text.as_bytes())).collect() };
    let mut compiled = Vec::new();
    let mut errors = Vec::new();
    for (relative_path, file) in entries {
        let Some(stem) = stylesheet_stem(relative_path) else { continue };
        let options = grass::Options::default().fs(&fs).logger(&WarningLogger);
        match grass::from_path(&file.display_path, &options) {
            Ok(css) => compiled.push(CompiledStylesheet {
                output_path: format!("{stem}.css"),
                source_path: file.display_path.clone(),
                css: Arc::from(css.into_bytes()),
            }),
            Err(error) => errors.push(sass_error(*error, file, &fs)),
        }
    }
    Error::fail_if_any(errors)?;
    Ok(compiled)
}

/// The path without its extension of a stylesheet that is compiled on its own (`.scss` or
/// `.sass`, not a `_partial`), or `None`.
fn stylesheet_stem(relative_path: &str) -> Option<&str> {
    let name = relative_path.rsplit('/').next().unwrap_or(relative_path);
    if name.starts_with('_') {
        return None;
    }
    let (stem, extension) = relative_path.rsplit_once('.')?;
    ["scss", "sass"].iter().any(|known| extension.eq_ignore_ascii_case(known)).then_some(stem)
}

/// The error for a stylesheet grass could not compile: at the file and line grass names (a
/// partial's, when the fault is in one), else at the stylesheet's first line.
fn sass_error(error: grass::Error, file: &SassFile, fs: &LoadedFiles<'_>) -> Error {
    match error.kind() {
        grass::ErrorKind::ParseError { message, loc, .. } => {
            let at = PathBuf::from(loc.file.name());
            let text = fs.text(&at).unwrap_or_default();
            let length = if loc.begin.line == loc.end.line { loc.end.column - loc.begin.column } else { 1 };
            Error::Sass {
                location: Location::in_text(at, &text, loc.begin.line + 1, loc.begin.column + 1)
                    .with_length(length.max(1)),
                detail: message,
            }
        }
        grass::ErrorKind::IoError(io) => Error::Sass {
            location: Location::in_text(&file.display_path, &file.text, 1, 1),
            detail: io.to_string(),
        },
        grass::ErrorKind::FromUtf8Error(detail) => {
            Error::Sass { location: Location::in_text(&file.display_path, &file.text, 1, 1), detail }
        }
        _ => Error::Sass {
            location: Location::in_text(&file.display_path, &file.text, 1, 1),
            detail: "the stylesheet cannot be compiled".into(),
        },
    }
}

/// The loaded Sass files as grass's file system, by display path.
#[derive(Debug)]
struct LoadedFiles<'a> {
    files: BTreeMap<PathBuf, &'a [u8]>,
}

impl LoadedFiles<'_> {
    fn text(&self, path: &Path) -> Option<String> {
        self.files.get(&normal(path)).map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }
}

impl grass::Fs for LoadedFiles<'_> {
    fn is_dir(&self, path: &Path) -> bool {
        let path = normal(path);
        self.files.keys().any(|file| file.starts_with(&path) && *file != path)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&normal(path))
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files.get(&normal(path)).map(|bytes| bytes.to_vec()).ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("no stylesheet `{}`", path.display()))
        })
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        Ok(normal(path))
    }
}

/// `path` with `.` and `a/..` taken out, as the loaded files are named: imports are joined
/// to the importing file's folder (`sass/x/../y.scss`).
fn normal(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    normal.push("..");
                }
            }
            other => normal.push(other),
        }
    }
    normal
}

/// Sass's `@warn` (and `@debug`) as Quire's warnings.
#[derive(Debug)]
struct WarningLogger;

impl grass::Logger for WarningLogger {
    fn debug(&self, location: grass::codemap::SpanLoc, message: &str) {
        log::debug!("{}:{}: {message}", location.file.name(), location.begin.line + 1);
    }

    fn warn(&self, location: grass::codemap::SpanLoc, message: &str) {
        log::warn!("{}:{}: {message}", location.file.name(), location.begin.line + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(relative_path: &str, text: &str) -> SassFile {
        SassFile {
            relative_path: relative_path.into(),
            display_path: Path::new("sass").join(relative_path),
            text: text.into(),
        }
    }

    #[test]
    fn stylesheets_compile_at_their_path_and_partials_are_only_imported() {
        let files = [
            file("_vars.scss", "$ink: #123;\n"),
            file("css/site.scss", "@use \"../vars\";\nbody { a { color: vars.$ink; } }\n"),
            file("old.sass", "p\n  margin: 0\n"),
        ];
        let compiled = compile(&files).unwrap();
        let paths: Vec<&str> = compiled.iter().map(|c| c.output_path.as_str()).collect();
        assert_eq!(paths, ["css/site.css", "old.css"]);
        assert_eq!(&*compiled[0].css, b"body a {\n  color: #123;\n}\n");
        assert_eq!(&*compiled[1].css, b"p {\n  margin: 0;\n}\n");
    }

    #[test]
    fn an_error_in_a_partial_is_reported_at_the_partial() {
        let files = [file("_vars.scss", "$ink: #123\nb { }\n"), file("site.scss", "@import \"vars\";\n")];
        let Err(Error::Sass { location, detail }) = compile(&files) else { panic!("it does not compile") };
        assert_eq!(location.file, Path::new("sass/_vars.scss"));
        assert_eq!((location.line, location.column), (2, 3), "{detail}");
        assert_eq!(detail, "expected \";\".");
    }

    #[test]
    fn paths_are_made_normal() {
        assert_eq!(normal(Path::new("sass/x/../y/./z.scss")), Path::new("sass/y/z.scss"));
    }
}
