//! The default theme, `themes/quire/`, compiled into the binary by `build.rs`.
//!
//! A site that names no theme (or names `quire` and has no `themes/quire/` folder) builds
//! with these files; `load` puts them below the site's own `templates/` and `static/`, which
//! override them file by file. This module only hands out the files; it reads nothing.

use std::path::PathBuf;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));
}

/// The name of the built-in theme: `theme = "quire"` selects it.
pub const NAME: &str = "quire";

/// One template of the built-in theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedTemplate {
    /// The name templates use for it: `page.html`, `partials/components.html`.
    pub name: &'static str,
    /// The template text.
    pub text: &'static str,
}

/// One static file of the built-in theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// Path under `static/`, with `/` separators: `css/quire.css`.
    pub relative_path: &'static str,
    /// The file's bytes.
    pub bytes: &'static [u8],
}

/// The built-in theme's templates, sorted by name.
pub fn templates() -> impl Iterator<Item = EmbeddedTemplate> {
    generated::TEMPLATES.iter().map(|&(name, text)| EmbeddedTemplate { name, text })
}

/// The built-in theme's static files, sorted by path.
pub fn static_files() -> impl Iterator<Item = EmbeddedFile> {
    generated::STATIC_FILES.iter().map(|&(relative_path, bytes)| EmbeddedFile { relative_path, bytes })
}

/// How an embedded file is named in messages: it has no path on the user's disk.
pub fn display_path(kind: &str, relative_path: &str) -> PathBuf {
    PathBuf::from(format!("[built-in theme `{NAME}`]/{kind}/{relative_path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_and_the_stylesheet_are_embedded() {
        let names: Vec<_> = templates().map(|t| t.name).collect();
        for name in ["base.html", "index.html", "section.html", "page.html", "404.html"] {
            assert!(names.contains(&name), "{name} is not embedded: {names:?}");
        }
        assert!(static_files().any(|f| f.relative_path == "css/quire.css"));
    }

    #[test]
    fn embedded_templates_are_sorted_and_nested_names_use_slashes() {
        let names: Vec<_> = templates().map(|t| t.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert!(names.contains(&"partials/components.html"), "{names:?}");
    }
}
