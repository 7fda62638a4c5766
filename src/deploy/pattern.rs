//! The globs of `[[deploy.matchers]]`, matched against a file's path under `public/`.
//!
//! `*` stays inside one folder, `**` crosses folders (`**/*.css` is every stylesheet, the root's
//! too). This module knows nothing of headers: `headers` decides what a match means.

use globset::{GlobBuilder, GlobMatcher};

/// One compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    matcher: GlobMatcher,
}

impl Pattern {
    /// Compiles `glob`.
    ///
    /// # Errors
    /// What is wrong with the glob, for the config error.
    pub fn parse(glob: &str) -> Result<Pattern, String> {
        let trimmed = glob.trim_start_matches('/');
        GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map(|glob| Pattern { matcher: glob.compile_matcher() })
            .map_err(|error| format!("`{glob}` is not a glob pattern: {}", error.kind()))
    }

    /// Whether `path` (relative to `public/`, with `/`) matches.
    pub fn matches(&self, path: &str) -> bool {
        self.matcher.is_match(path)
    }
}

/// Checks `glob` without keeping it, for the config.
///
/// # Errors
/// What is wrong with the glob.
pub fn check(glob: &str) -> Result<(), String> {
    Pattern::parse(glob).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_star_matches_the_root_and_every_folder() {
        let css = Pattern::parse("**/*.css").unwrap();
        assert!(css.matches("style.css"));
        assert!(css.matches("assets/css/site.css"));
        assert!(!css.matches("style.css.map"));
    }

    #[test]
    fn single_star_stays_in_one_folder() {
        let top = Pattern::parse("*.html").unwrap();
        assert!(top.matches("index.html"));
        assert!(!top.matches("posts/a/index.html"));
        assert!(Pattern::parse("/images/**").unwrap().matches("images/a/b.png"));
    }

    #[test]
    fn a_broken_glob_is_an_error() {
        assert!(check("posts/[a").unwrap_err().contains("posts/[a"));
    }
}
