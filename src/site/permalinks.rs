//! Permalink patterns from `[permalinks]` in `config.toml` (`blog = "/:year/:month/:slug/"`),
//! as Hugo and Jekyll sites configure them: the URL of a page that has no explicit `path`.
//!
//! This module only expands and checks patterns; it does not decide which page uses one.

use crate::parse::date::PageDate;
use crate::site::url;

/// The tokens a pattern may use.
pub const TOKENS: &[&str] = &[":year", ":month", ":day", ":title", ":slug", ":section"];

/// What a pattern is filled with, for one page.
#[derive(Debug, Clone, Copy)]
pub struct PermalinkFields<'a> {
    /// The page's date, for `:year`, `:month` and `:day`.
    pub date: Option<PageDate>,
    /// The page's title, slugified for `:title`.
    pub title: &'a str,
    /// The page's slug, for `:slug`.
    pub slug: &'a str,
    /// The URL path of the page's folder without slashes (`blog`), for `:section`.
    pub section: &'a str,
}

/// Checks that every `:token` in `pattern` is known.
///
/// # Errors
/// A message naming the unknown token.
pub fn check(pattern: &str) -> Result<(), String> {
    for (index, _) in pattern.match_indices(':') {
        let rest = &pattern[index..];
        if !TOKENS.iter().any(|token| starts_with_token(rest, token)) {
            let word: String = rest.chars().take_while(|c| *c == ':' || c.is_alphanumeric()).collect();
            return Err(format!(
                "`{word}` in `{pattern}` is not a permalink token; use {}",
                TOKENS.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(())
}

/// Fills `pattern` for one page and turns it into a URL path (`/2024/05/hello/`).
///
/// Returns `None` when the pattern needs a date the page does not have, or leaves nothing of
/// the path: the page then keeps its default URL.
pub fn expand(pattern: &str, fields: &PermalinkFields<'_>) -> Option<String> {
    let civil = fields.date.map(|d| d.civil());
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(index) = rest.find(':') {
        out.push_str(&rest[..index]);
        rest = &rest[index..];
        let token = TOKENS.iter().find(|token| starts_with_token(rest, token))?;
        let value = match *token {
            ":year" => format!("{:04}", civil?.year()),
            ":month" => format!("{:02}", civil?.month()),
            ":day" => format!("{:02}", civil?.day()),
            ":title" => url::slugify(fields.title),
            ":slug" => fields.slug.to_string(),
            _ => fields.section.to_string(),
        };
        out.push_str(&value);
        rest = &rest[token.len()..];
    }
    out.push_str(rest);
    url::url_path_from_user_path(&out).ok()
}

/// Whether `text` starts with `token` not followed by more letters (`:slugs` is not `:slug`).
fn starts_with_token(text: &str, token: &str) -> bool {
    text.strip_prefix(token).is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(date: Option<&str>) -> PermalinkFields<'static> {
        PermalinkFields {
            date: date.map(|d| PageDate::parse(d).unwrap()),
            title: "Hello, World!",
            slug: "hello",
            section: "blog",
        }
    }

    #[test]
    fn tokens_are_filled_from_the_page() {
        let f = fields(Some("2024-01-07"));
        assert_eq!(expand("/:year/:month/:day/:slug/", &f).unwrap(), "/2024/01/07/hello/");
        assert_eq!(expand(":section/:title", &f).unwrap(), "/blog/hello-world/");
        assert_eq!(expand("/posts/:year-:month-:slug.html", &f).unwrap(), "/posts/2024-01-hello.html/");
    }

    #[test]
    fn a_pattern_needing_a_missing_date_gives_no_url() {
        assert_eq!(expand("/:year/:slug/", &fields(None)), None);
        assert_eq!(expand("/:section/:slug/", &fields(None)).unwrap(), "/blog/hello/");
    }

    #[test]
    fn unknown_tokens_are_rejected() {
        assert!(check("/:year/:slug/").is_ok());
        let error = check("/:categories/:slug/").unwrap_err();
        assert!(error.contains("`:categories`"), "{error}");
        assert!(check("/:slugs/").is_err());
    }
}
