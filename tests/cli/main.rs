//! Integration tests: each one builds a small fixture site from `tests/fixtures/` with the real
//! `quire` binary in a temp dir and checks what it wrote and printed.

mod support;

mod aliases;
mod archive;
mod atomic_output;
mod bounded_input;
mod browser;
mod build_memo;
mod built_in_theme;
mod check;
mod cli_docs;
mod cli_flags;
mod colour;
mod content_files;
mod dates;
mod deploy;
mod drafts;
mod error_catalogue;
mod errors;
mod example_site;
mod feeds;
mod front_matter;
mod highlight;
mod links;
mod markdown;
mod markdown_extensions;
mod migrate;
mod ordering;
mod pagination;
mod readme;
mod rebuild;
mod reproducible;
mod scaffold;
mod scheduled;
mod scripts;
mod serve;
mod serve_abuse;
mod serve_limits;
mod shortcodes;
mod sitemap;
mod sub_path;
mod taxonomies;
mod templates;
mod urls;
