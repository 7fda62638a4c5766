//! Config parsing on any text: never panics.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(error) = Config::parse(Path::new("config.toml"), text, Vec::new()) {
        let _ = error.report();
    }
});
