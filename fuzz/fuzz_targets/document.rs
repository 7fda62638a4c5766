//! A whole content file through the parse stage, as a build parses it: front matter split and
//! parse, Liquid conversion, kramdown attributes, Markdown with shortcodes and highlighting, and
//! the foreign-syntax warnings. It must never panic; errors must report.
#![no_main]

use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use quire::config::Config;
use quire::load::SourceFile;
use quire::parse::{self, highlight::Highlighter, ParseSettings};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile {
        content_path: "blog/fuzz.md".into(),
        display_path: Path::new("content/blog/fuzz.md").into(),
        text: Arc::from(text),
    };
    let config = Config { base_url: "https://example.com/sub/".into(), ..Config::default() };
    let mut settings = ParseSettings::from_config(&config);
    settings.front_matter.taxonomy_names = vec!["tags".into()];
    if let Err(error) = parse::parse_document(&file, &settings, &Highlighter::default()) {
        let _ = error.report();
    }
});
