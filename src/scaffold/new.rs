//! `quire new`: one new draft page under `content/`.
//!
//! `blog/my-first-post` becomes `content/blog/my-first-post.md` titled "My first post";
//! `post` plus a title becomes `content/blog/<slug of the title>.md`. The page gets a title,
//! today's date and `draft: true`. It never replaces a file.

use std::path::{Path, PathBuf};

use super::{front_matter, today, write_file, Draft, Existing};
use crate::error::{Error, Result};
use crate::site::url::slugify;

/// The section `quire new post "Title"` writes into.
pub const POSTS_SECTION: &str = "blog";

/// What `new` is asked to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPage {
    /// A path under `content/` (`blog/my-first-post`), or with `title`, a section (`post`
    /// meaning the blog).
    pub path: String,
    /// The title; when given, the file name is its slug.
    pub title: Option<String>,
}

/// Writes the page into the site at `root` and returns its path relative to `root`
/// (`content/blog/my-first-post.md`).
///
/// # Errors
/// `Error::NoSite` without `root/config.toml`, `Error::InvalidNewPath` for a path that leaves
/// `content/` or names nothing, `Error::FileExists` when the file is there already, and
/// `Error::Write` for I/O problems.
pub fn new_page(root: &Path, request: &NewPage) -> Result<PathBuf> {
    if !root.join("config.toml").is_file() {
        return Err(Error::NoSite { root: root.to_path_buf() });
    }
    let (relative, title) = plan(request)?;
    let relative = Path::new("content").join(relative);
    let text = front_matter(&title, &today(), Draft::Yes);
    write_file(&root.join(&relative), &text, Existing::Keep).map_err(|error| match error {
        Error::FileExists { .. } => Error::FileExists { path: relative.clone() },
        other => other,
    })?;
    Ok(relative)
}

/// The file (relative to `content/`, `/`-separated) and the title of the page to create.
fn plan(request: &NewPage) -> Result<(String, String)> {
    let invalid = |detail: &str| Error::InvalidNewPath { path: request.path.clone(), detail: detail.into() };
    let path = request.path.trim().trim_matches('/');
    let path = path.strip_prefix("content/").unwrap_or(path);
    let segments = checked_segments(path).map_err(|detail| invalid(&detail))?;
    match &request.title {
        Some(title) => {
            let title = title.trim();
            let slug = slugify(title);
            if slug.is_empty() {
                return Err(invalid("the title has no letters or digits to name the file after"));
            }
            let section = match segments.as_slice() {
                ["post"] | ["posts"] => vec![POSTS_SECTION],
                other => other.to_vec(),
            };
            let mut parts = section;
            let file = format!("{slug}.md");
            parts.push(&file);
            Ok((parts.join("/"), title.to_string()))
        }
        None => {
            let Some(last) = segments.last() else {
                return Err(invalid("the path is empty"));
            };
            let stem = last.strip_suffix(".md").unwrap_or(last);
            if stem.is_empty() || stem == "_index" {
                return Err(invalid("the file needs a name; `_index.md` files are sections, not pages"));
            }
            let mut parts = segments[..segments.len() - 1].to_vec();
            let file = format!("{stem}.md");
            parts.push(&file);
            Ok((parts.join("/"), title_from_file_name(stem)))
        }
    }
}

/// The path's segments, refusing any that would leave `content/`.
fn checked_segments(path: &str) -> std::result::Result<Vec<&str>, String> {
    if path.contains('\\') {
        return Err("use `/` between folders".into());
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for segment in &segments {
        if *segment == "." || *segment == ".." {
            return Err(format!("`{segment}` would leave `content/`"));
        }
        if segment.starts_with('.') {
            return Err(format!("`{segment}` is a hidden name, which builds ignore"));
        }
        if segment.chars().any(char::is_control) {
            return Err("the path contains a control character".into());
        }
    }
    Ok(segments)
}

/// `my-first-post` → "My first post"; a Jekyll date prefix (`2024-05-01-`) is left out.
fn title_from_file_name(stem: &str) -> String {
    let without_date = match stem.get(..11) {
        Some(prefix) if is_date_prefix(prefix) && stem.len() > 11 => &stem[11..],
        _ => stem,
    };
    let words = without_date.replace(['-', '_'], " ");
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => stem.to_string(),
    }
}

fn is_date_prefix(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 11
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 | 10 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(path: &str, title: Option<&str>) -> Result<(String, String)> {
        plan(&NewPage { path: path.into(), title: title.map(Into::into) })
    }

    #[test]
    fn a_path_names_the_file_and_the_title() {
        let (file, title) = planned("blog/my-first-post", None).unwrap();
        assert_eq!(file, "blog/my-first-post.md");
        assert_eq!(title, "My first post");
        assert_eq!(planned("content/blog/x.md", None).unwrap().0, "blog/x.md");
        assert_eq!(planned("/notes/", None).unwrap(), ("notes.md".into(), "Notes".into()));
    }

    #[test]
    fn post_and_a_title_go_to_the_blog_named_by_slug() {
        let (file, title) = planned("post", Some("My first post")).unwrap();
        assert_eq!(file, "blog/my-first-post.md");
        assert_eq!(title, "My first post");
        assert_eq!(planned("notes/daily", Some("Ça va?")).unwrap().0, "notes/daily/ça-va.md");
    }

    #[test]
    fn jekyll_date_prefixes_are_left_out_of_the_title() {
        assert_eq!(title_from_file_name("2024-05-01-trip-to-lyon"), "Trip to lyon");
        assert_eq!(title_from_file_name("2024-05-01"), "2024 05 01");
    }

    #[test]
    fn paths_that_leave_content_or_name_nothing_are_refused() {
        for path in ["../x", "blog/../../x", "a\\b", "blog/.hidden", "", "blog/_index"] {
            assert!(
                matches!(planned(path, None), Err(Error::InvalidNewPath { .. })),
                "{path:?} was accepted"
            );
        }
        assert!(planned("post", Some("!!!")).is_err());
    }
}
