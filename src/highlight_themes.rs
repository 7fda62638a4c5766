//! The highlight themes that exist, found by a name as people write it: the config checks
//! `highlight_theme` against them, and highlighting colours code with them.
//!
//! Apart from `parse/highlight.rs` so that the config can check a name without depending on
//! the parse stage.

use std::sync::LazyLock;

use syntect::highlighting::Theme;
use two_face::theme::{EmbeddedLazyThemeSet, EmbeddedThemeName};

/// Bat's themes, each loaded on first use.
static THEMES: LazyLock<EmbeddedLazyThemeSet> = LazyLock::new(two_face::theme::extra);

/// Whether `name` is a highlight theme (case and punctuation are ignored: `solarized-light`).
pub fn theme_exists(name: &str) -> bool {
    find_name(name).is_some()
}

/// The names of every highlight theme.
pub fn theme_names() -> Vec<&'static str> {
    EmbeddedLazyThemeSet::theme_names().iter().map(|name| name.as_name()).collect()
}

/// The theme called `name` (case and punctuation ignored).
pub fn find_theme(name: &str) -> Option<&'static Theme> {
    find_name(name).map(|found| THEMES.get(found))
}

fn find_name(name: &str) -> Option<EmbeddedThemeName> {
    let wanted = theme_key(name);
    EmbeddedLazyThemeSet::theme_names().iter().find(|n| theme_key(n.as_name()) == wanted).copied()
}

/// `Solarized (light)` → `solarizedlight`: compare names without case or punctuation.
fn theme_key(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}
