//! Front matter split and parse, on any text: never panics, errors name a line in the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire::parse::front_matter::{self, FrontMatterOptions};
use quire::parse::normalize_text;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let text = normalize_text(text);
    let file = Path::new("content/fuzz.md");
    let options = FrontMatterOptions { taxonomy_names: vec!["tags".into()], ..Default::default() };
    if let Ok(split) = front_matter::split(file, &text) {
        if let Err(error) = front_matter::parse(file, &text, &split, &options) {
            let lines = text.lines().count().max(1);
            if let Some(location) = error.location() {
                assert!(location.line <= lines + 1, "line {} past the end ({lines})", location.line);
            }
            let _ = error.report();
        }
    }
});
