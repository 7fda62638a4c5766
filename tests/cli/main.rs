//! Integration tests: each one builds a small fixture site from `tests/fixtures/` with the real
//! `quire` binary in a temp dir and checks what it wrote and printed.

mod support;

mod check;
mod cli_flags;
mod content_files;
mod dates;
mod drafts;
mod errors;
mod example_site;
mod front_matter;
mod highlight;
mod links;
mod markdown;
mod ordering;
mod pagination;
mod rebuild;
mod shortcodes;
mod templates;
mod urls;
