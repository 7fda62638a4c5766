//! Markdown rendering on any text: never panics, summary is a prefix-shaped part of the page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::config::MarkdownConfig;
use quire::parse::markdown;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let rendered = markdown::render(text, &MarkdownConfig::default());
    assert!(rendered.leading_heading_len <= rendered.html.len());
    assert!(rendered.html.is_char_boundary(rendered.leading_heading_len));
});
