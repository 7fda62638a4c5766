//! `Project`: where the site's files are and how to build it, with CLI overrides applied once.

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::error::{Error, Location, Result};
use crate::theme;

/// Whether draft pages are part of the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Drafts {
    /// Leave drafts out (a normal build).
    Exclude,
    /// Build drafts too (`--drafts`).
    Include,
}

/// Whether the load follows symbolic links that lead out of the site's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExternalSymlinks {
    /// Refuse them: each is an error naming the link and its target (the default).
    Refuse,
    /// Follow them (`allow_external_symlinks = true`).
    Follow,
}

/// Whether pages dated after the build's moment are part of the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Future {
    /// Hold them back until their date (a normal build).
    Exclude,
    /// Build them now (`--future`).
    Include,
}

/// Whether pages past their `expires` date are part of the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expired {
    /// Leave them out (a normal build).
    Exclude,
    /// Build them anyway (`--expired`).
    Include,
}

/// The site's folders, resolved once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Paths {
    /// The site root.
    pub root: PathBuf,
    /// The config file.
    pub config_file: PathBuf,
    /// `ROOT/content`.
    pub content: PathBuf,
    /// `ROOT/static`.
    pub static_dir: PathBuf,
    /// `ROOT/data`: the data files templates read as `data.NAME`.
    pub data: PathBuf,
    /// `ROOT/templates`.
    pub templates: PathBuf,
    /// `ROOT/sass`: Sass and SCSS stylesheets compiled to CSS.
    pub sass: PathBuf,
    /// `ROOT/themes/THEME`, when the config names a theme; `None` means the built-in theme
    /// (no `theme` key, or `theme = "quire"` without a `themes/quire/` folder).
    pub theme: Option<PathBuf>,
    /// Where the site is written.
    pub output: PathBuf,
    /// Whether links out of the site's folder are followed when its folders are read.
    pub external_symlinks: ExternalSymlinks,
}

/// What `build` needs to know besides the files: paths, config and options.
#[derive(Debug, Clone)]
pub struct Project {
    /// The site's folders.
    pub paths: Paths,
    /// The config, with CLI and environment overrides applied.
    pub config: Config,
    /// Whether drafts are built.
    pub drafts: Drafts,
    /// Whether scheduled (future-dated) pages are built.
    pub future: Future,
    /// Whether expired pages are built.
    pub expired: Expired,
    /// Warnings found while loading the config.
    pub warnings: Vec<String>,
}

/// The command-line choices that change a build.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config`.
    pub config_file: Option<PathBuf>,
    /// `--output-dir`.
    pub output_dir: Option<PathBuf>,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--drafts`.
    pub drafts: bool,
    /// `--future`.
    pub future: bool,
    /// `--expired`.
    pub expired: bool,
}

impl Project {
    /// Reads the config under `root` and applies `overrides` and `QUIRE_*` variables.
    ///
    /// # Errors
    /// A missing or invalid config file, a bad `--base-url`, or a missing theme folder.
    pub fn load(root: &Path, overrides: Overrides) -> Result<Project> {
        let config_file = overrides.config_file.clone().unwrap_or_else(|| root.join("config.toml"));
        let bytes = std::fs::read(&config_file).map_err(|source| {
            // Without `--config`, a missing config.toml means the root is not a site at all.
            let is_default = overrides.config_file.is_none();
            if is_default && source.kind() == std::io::ErrorKind::NotFound {
                Error::NoSite { root: root.to_path_buf() }
            } else {
                Error::Read { path: config_file.clone(), source }
            }
        })?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Config {
            location: Location::file(&config_file),
            detail: format!(
                "the file is not UTF-8 text (bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            hint: Some("save config.toml as UTF-8".into()),
        })?;
        let shown = config_file.strip_prefix(root).unwrap_or(&config_file);
        let (mut config, warnings) = Config::parse(shown, &text, std::env::vars())?;
        if let Some(base_url) = &overrides.base_url {
            config.base_url = config::normalize_base_url(base_url).map_err(|detail| Error::Config {
                location: Location::file("--base-url"),
                detail,
                hint: Some("pass an absolute URL such as `https://example.com/`".into()),
            })?;
        }
        let theme = match &config.theme {
            Some(name) => {
                let path = root.join("themes").join(name);
                if path.is_dir() {
                    Some(path)
                } else if name == theme::NAME {
                    None
                } else {
                    return Err(Error::MissingTheme { theme: name.clone(), path });
                }
            }
            None => None,
        };
        let paths = Paths {
            root: root.to_path_buf(),
            config_file,
            content: root.join("content"),
            static_dir: root.join("static"),
            sass: root.join("sass"),
            data: root.join(crate::load::DATA_FOLDER),
            templates: root.join("templates"),
            theme,
            output: overrides.output_dir.unwrap_or_else(|| root.join("public")),
            external_symlinks: if config.allow_external_symlinks {
                ExternalSymlinks::Follow
            } else {
                ExternalSymlinks::Refuse
            },
        };
        let drafts = if overrides.drafts { Drafts::Include } else { Drafts::Exclude };
        let future = if overrides.future { Future::Include } else { Future::Exclude };
        let expired = if overrides.expired { Expired::Include } else { Expired::Exclude };
        Ok(Project { paths, config, drafts, future, expired, warnings: warnings.0 })
    }
}
