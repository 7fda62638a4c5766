//! Live reload in a real browser: runs `tests/browser/livereload.mjs`, which drives headless
//! Chromium over the DevTools protocol against `quire serve` on the `serve` fixture.
//!
//! Needs `chromium` (Debian package; `scripts/test` installs it) and Node 20. Without them the
//! test fails, unless `QUIRE_SKIP_BROWSER=1` says to skip it (scripts/test sets that only when
//! Chromium cannot be installed, and says so loudly).

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn live_reload_updates_a_page_in_headless_chromium() {
    let skip = std::env::var_os("QUIRE_SKIP_BROWSER").is_some_and(|v| !v.is_empty() && v != "0");
    let chromium = std::env::var_os("QUIRE_CHROMIUM").map(PathBuf::from).or_else(|| find_program("chromium"));
    let node = find_program("node");
    let (Some(chromium), Some(node)) = (chromium, node) else {
        if skip {
            eprintln!("\n!!! SKIPPED the browser test: QUIRE_SKIP_BROWSER is set and chromium or node is missing !!!\n");
            return;
        }
        panic!(
            "the browser test needs `chromium` and `node` (20+) on PATH: `apt-get install -y chromium`, \
             or set QUIRE_SKIP_BROWSER=1 to skip it"
        );
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(node)
        .arg("--no-warnings")
        .arg("--experimental-websocket")
        .arg(repo.join("tests/browser/livereload.mjs"))
        .arg(env!("CARGO_BIN_EXE_quire"))
        .arg(repo.join("tests/fixtures/serve"))
        .arg(chromium)
        .env("NO_COLOR", "1")
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser test failed\n--- stdout\n{stdout}--- stderr\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}
