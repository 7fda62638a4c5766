//! `quire init`: a new site, ready to build.
//!
//! It writes a commented `config.toml`, a home page, an about page, a blog section with one
//! post, and empty `templates/` and `static/` folders. The site has no theme of its own: it
//! builds with the built-in theme. It refuses a folder that already has files unless asked.

use std::fs;
use std::path::{Path, PathBuf};

use super::{today, write_file, Existing};
use crate::error::{Error, Result};

/// What `init` is asked to do.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The folder to create the site in; created if missing.
    pub dir: PathBuf,
    /// What to do when the folder already has files.
    pub non_empty: NonEmpty,
}

/// What `init` does with a folder that already has (visible) files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonEmpty {
    /// Stop with `Error::FolderNotEmpty` (the default).
    Refuse,
    /// Write the site's files anyway, replacing files with the same names (`--force`).
    Overwrite,
}

/// The files a new site starts with: (path under the site folder, text). `@@DATE@@` is today.
const FILES: &[(&str, &str)] = &[
    ("config.toml", include_str!("site/config.toml")),
    ("content/_index.md", include_str!("site/content/_index.md")),
    ("content/about.md", include_str!("site/content/about.md")),
    ("content/blog/_index.md", include_str!("site/content/blog/_index.md")),
    ("content/blog/first-post.md", include_str!("site/content/blog/first-post.md")),
    ("templates/.gitkeep", ""),
    ("static/.gitkeep", ""),
];

/// Creates a site in `options.dir` and returns the paths it wrote, relative to that folder.
///
/// # Errors
/// `Error::FolderNotEmpty` when the folder has visible files and `non_empty` is `Refuse`;
/// `Error::Read`/`Error::Write` for I/O problems, naming the path.
pub fn init(options: &InitOptions) -> Result<Vec<&'static str>> {
    let dir = &options.dir;
    if options.non_empty == NonEmpty::Refuse && has_visible_files(dir)? {
        return Err(Error::FolderNotEmpty { path: dir.clone() });
    }
    fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.clone(), source })?;
    let date = today();
    let existing = match options.non_empty {
        NonEmpty::Refuse => Existing::Keep,
        NonEmpty::Overwrite => Existing::Replace,
    };
    for (relative, text) in FILES {
        write_file(&dir.join(relative), &text.replace("@@DATE@@", &date), existing)?;
    }
    Ok(FILES.iter().map(|(relative, _)| *relative).collect())
}

/// Whether `dir` holds anything but hidden entries (a fresh `git init` folder counts as empty).
fn has_visible_files(dir: &Path) -> Result<bool> {
    if !dir.exists() {
        return Ok(false);
    }
    let read_error = |source| Error::Read { path: dir.to_path_buf(), source };
    let entries = fs::read_dir(dir).map_err(read_error)?;
    for entry in entries {
        let entry = entry.map_err(read_error)?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn the_new_config_parses_without_warnings() {
        let (_, text) = FILES[0];
        let (config, warnings) = Config::parse(Path::new("config.toml"), text, std::iter::empty()).unwrap();
        assert!(warnings.0.is_empty(), "{:?}", warnings.0);
        assert_eq!(config.theme, None, "a new site uses the built-in theme");
        assert!(config.extra.contains_key("menu"));
    }
}
