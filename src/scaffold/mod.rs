//! Scaffolding: the source files `quire init`, `quire new` and `quire import` write for the
//! user.
//!
//! `init` creates a whole site, `new` one page, `import` a `config.toml` from another
//! generator's config. They only ever create files under the folder they are given and never
//! touch the output folder (that is `write`'s job). This module holds what they share: today's
//! date, the front matter of a new page, and writing a file without replacing one.

pub mod import;
pub mod init;
pub mod new;

use std::fs;
use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// Today's date in the local time zone, `YYYY-MM-DD`: the date of a new page.
pub fn today() -> String {
    jiff::Zoned::now().date().to_string()
}

/// Front matter for a new page: its title, date and whether it is a draft.
pub fn front_matter(title: &str, date: &str, draft: Draft) -> String {
    let mut text = format!("---\ntitle: {}\ndate: {date}\n", yaml_string(title));
    if draft == Draft::Yes {
        text.push_str("draft: true\n");
    }
    text.push_str("---\n\n");
    text
}

/// Whether a new page starts as a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draft {
    /// `draft: true`: left out of builds until the line is removed.
    Yes,
    /// Published from the start.
    No,
}

/// A YAML double-quoted string, so that any title (`:`, `#`, quotes) stays a string.
fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `text` to `path`, creating its folders; with `Existing::Keep`, fails if the file is
/// already there (checked and created in one step, so nothing is ever overwritten by a race).
pub(crate) fn write_file(path: &Path, text: &str, existing: Existing) -> Result<()> {
    let write_error = |source| Error::Write { path: path.to_path_buf(), source };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_path_buf(), source })?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true);
    match existing {
        Existing::Keep => options.create_new(true),
        Existing::Replace => options.create(true).truncate(true),
    };
    let mut file = options.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            Error::FileExists { path: path.to_path_buf() }
        } else {
            write_error(source)
        }
    })?;
    file.write_all(text.as_bytes()).map_err(write_error)
}

/// What to do when a file to create already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Refuse: report `Error::FileExists`.
    Keep,
    /// Replace its contents.
    Replace,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_quotes_the_title_and_marks_drafts() {
        assert_eq!(
            front_matter("Hello: \"world\" #1", "2024-05-01", Draft::Yes),
            "---\ntitle: \"Hello: \\\"world\\\" #1\"\ndate: 2024-05-01\ndraft: true\n---\n\n"
        );
        assert!(!front_matter("A", "2024-05-01", Draft::No).contains("draft"));
    }

    #[test]
    fn today_is_an_iso_date() {
        let today = today();
        assert_eq!(today.len(), 10, "{today}");
        assert_eq!(today.as_bytes()[4], b'-');
        assert_eq!(today.as_bytes()[7], b'-');
    }
}
