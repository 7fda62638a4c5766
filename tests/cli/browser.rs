//! Pages in a real browser: runs the scripts in `tests/browser/`, which drive headless Chromium
//! over the DevTools protocol against `quire serve`: live reload on the `serve` fixture, the
//! built-in theme on phone widths on the `theme_phone` fixture.
//!
//! Needs `chromium` (Debian package; `scripts/test` installs it) and Node 20. Without them the
//! test fails, unless `QUIRE_SKIP_BROWSER=1` says to skip it (scripts/test sets that only when
//! Chromium cannot be installed, and says so loudly).

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn live_reload_updates_a_page_in_headless_chromium() {
    run_browser_script("livereload.mjs", "serve");
}

/// Issue 22: the built-in theme measured on phone widths (table code, the date line, hyphens in
/// titles, the focus ring, task-list boxes), light and dark.
#[test]
fn issue_22_the_built_in_theme_holds_up_on_phones() {
    run_browser_script("theme.mjs", "theme_phone");
}

/// Runs `tests/browser/<script>` against `quire serve` on `tests/fixtures/<fixture>`.
fn run_browser_script(script: &str, fixture: &str) {
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
        .arg(repo.join("tests/browser").join(script))
        .arg(env!("CARGO_BIN_EXE_quire"))
        .arg(repo.join("tests/fixtures").join(fixture))
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
