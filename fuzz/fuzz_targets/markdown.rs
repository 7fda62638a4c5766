//! Markdown rendering (shortcodes included) on any text: never panics; a leading heading's
//! length stays inside the HTML.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire::config::MarkdownConfig;
use quire::parse::markdown::{self, Shortcodes, Source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source =
        Source { file: Path::new("content/fuzz.md"), text, first_line: 1, shortcodes: Shortcodes::Extract };
    match markdown::render(&source, &MarkdownConfig::default()) {
        Ok(rendered) => {
            assert!(rendered.leading_heading_len <= rendered.html.len());
            assert!(rendered.html.is_char_boundary(rendered.leading_heading_len));
        }
        Err(error) => {
            let _ = error.report();
        }
    }
});
