//! Syntax highlighting of fenced code blocks.

use crate::support::TestSite;

#[test]
fn fenced_code_is_highlighted_with_classes() {
    let site = TestSite::from_fixture("highlight");
    site.build().success();
    let page = site.read("blog/code/index.html");
    // `py` is an alias of Python.
    assert!(page.contains("data-lang=\"py\""), "{page}");
    assert!(page.contains("<span class=\"hl-storage hl-type hl-function hl-python\">"), "{page}");
    // `rs` is Rust, and `async`/`await` are keywords.
    assert!(page.contains(">async</span>") && page.contains(">await</span>"), "{page}");
}

#[test]
fn linenos_and_hl_lines_number_and_mark_lines() {
    let site = TestSite::from_fixture("highlight");
    site.build().success();
    let page = site.read("blog/code/index.html");
    let rust = page.split("data-lang=\"rs\"").nth(1).and_then(|b| b.split("</pre>").next()).unwrap();
    let lines: Vec<&str> =
        rust.split("<span class=\"code-line").skip(1).filter(|l| !l.starts_with("-number")).collect();
    assert_eq!(lines.len(), 4, "{rust}");
    let marked: Vec<bool> = lines.iter().map(|l| l.starts_with(" code-line-marked")).collect();
    assert_eq!(marked, [false, true, true, false], "{rust}");
    let numbers: Vec<&str> = rust
        .split("<span class=\"code-line-number\" aria-hidden=\"true\">")
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .collect();
    assert_eq!(numbers, ["1", "2", "3", "4"], "{rust}");
}

#[test]
fn an_unknown_language_is_rendered_plain_without_error() {
    let site = TestSite::from_fixture("highlight");
    let run = site.build().success();
    assert!(!run.stderr().contains("klingon"), "{}", run.report());
    let page = site.read("blog/code/index.html");
    assert!(
        page.contains(
            "<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"klingon\"><code class=\"language-klingon\">Qapla&#39; &lt;batlh&gt; &amp; more\n</code></pre>"
        ),
        "{page}"
    );
}

#[test]
fn inline_style_and_off_switch() {
    let site = TestSite::from_fixture("highlight");
    let config = "title = \"Fixture\"\nbase_url = \"https://example.com/\"\n";
    site.write_file(
        "config.toml",
        &format!("{config}[markdown]\nhighlight_style = \"inline\"\nhighlight_theme = \"Nord\"\n"),
    );
    site.build().success();
    let page = site.read("blog/inline/index.html");
    assert!(
        page.contains("<pre class=\"hl-code\" tabindex=\"0\" style=\"background-color:#2e3440;"),
        "{page}"
    );
    assert!(page.contains("<span style=\"color:#"), "{page}");

    site.write_file("config.toml", &format!("{config}[markdown]\nhighlight_code = false\n"));
    site.build().success();
    let page = site.read("blog/inline/index.html");
    assert!(page.contains("<pre tabindex=\"0\"><code class=\"language-toml\">[package]"), "{page}");
}

#[test]
fn an_unknown_highlight_theme_fails_at_its_config_line() {
    let site = TestSite::from_fixture("highlight");
    site.write_file("config.toml", "title = \"Fixture\"\n\n[markdown]\nhighlight_theme = \"Nope\"\n");
    let run = site.build().failure();
    assert!(run.stderr().contains("config.toml:4"), "{}", run.report());
    assert!(run.stderr().contains("highlight-css --list"), "{}", run.report());
}

/// The one highlight cache file a site's builds keep.
fn cache_file(site: &TestSite) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(site.cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("highlight-"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

/// The cache file's blocks with their checksums made right again, as if Quire had written
/// them: 24 bytes of magic and stamp, then per block a 16-byte key, an 8-byte length, an
/// 8-byte checksum of key and HTML, and the HTML.
fn reseal(cache: &[u8]) -> Vec<u8> {
    let mut out = cache.to_vec();
    let mut at = 24;
    while at < out.len() {
        let length = u64::from_le_bytes(out[at + 16..at + 24].try_into().unwrap()) as usize;
        let html = at + 32..at + 32 + length;
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(&out[at..at + 16]);
        hasher.update(&out[html.clone()]);
        out[at + 24..at + 32].copy_from_slice(&hasher.digest().to_le_bytes());
        at = html.end;
    }
    out
}

#[test]
fn a_later_build_takes_highlighted_blocks_from_the_cache() {
    let site = TestSite::from_fixture("highlight");
    site.build().success();
    let clean = site.read("blog/code/index.html");
    assert!(clean.contains("hl-keyword"), "{clean}");
    // Only a block read back from the cache can carry this mark into the page.
    let file = cache_file(&site);
    let cached = std::fs::read(&file).unwrap();
    let mut marked = cached.clone();
    let mut count = 0;
    for start in 0..marked.len().saturating_sub(10) {
        if &marked[start..start + 10] == b"hl-keyword" {
            marked[start + 3..start + 10].copy_from_slice(b"KEYWORD");
            count += 1;
        }
    }
    assert!(count > 0, "the cache holds the highlighted HTML");
    std::fs::write(&file, reseal(&marked)).unwrap();
    std::fs::remove_dir_all(site.public()).unwrap();
    site.build().success();
    let page = site.read("blog/code/index.html");
    assert!(page.contains("hl-KEYWORD") && !page.contains("hl-keyword"), "{page}");

    // An edited block is highlighted afresh; the others still come from the cache.
    let post = site.root().join("content/blog/code.md");
    let text = std::fs::read_to_string(&post).unwrap();
    let edited = text.replacen("```py", "```py\nimport os", 1);
    assert_ne!(edited, text, "the fixture has a py block");
    site.write_file("content/blog/code.md", &edited);
    site.build().success();
    let page = site.read("blog/code/index.html");
    assert!(page.contains("hl-keyword") && page.contains("hl-KEYWORD"), "{page}");
}

#[test]
fn a_damaged_or_missing_cache_gives_the_same_site() {
    let site = TestSite::from_fixture("highlight");
    site.build().success();
    let clean = crate::support::files(&site.public());
    let file = cache_file(&site);
    let cached = std::fs::read(&file).unwrap();
    for damaged in [&cached[..cached.len() / 2], &b"not a cache"[..], &[][..]] {
        std::fs::write(&file, damaged).unwrap();
        std::fs::remove_dir_all(site.public()).unwrap();
        site.build().success();
        assert_eq!(crate::support::files(&site.public()), clean);
    }
    std::fs::remove_dir_all(site.cache_dir()).unwrap();
    std::fs::remove_dir_all(site.public()).unwrap();
    site.build().success();
    assert_eq!(crate::support::files(&site.public()), clean);
}

#[test]
fn an_empty_cache_dir_setting_turns_the_cache_off() {
    let site = TestSite::from_fixture("highlight");
    let mut cmd = site.command();
    cmd.env("QUIRE_CACHE_DIR", "").arg("build");
    site.run_command(cmd).success();
    assert!(!site.cache_dir().exists());
    assert!(site.read("blog/code/index.html").contains("hl-keyword"));
}

#[test]
fn issue_29_a_flipped_byte_in_the_cache_never_reaches_a_page() {
    let site = TestSite::from_fixture("highlight");
    site.build().success();
    let clean = crate::support::files(&site.public());
    let file = cache_file(&site);
    let cached = std::fs::read(&file).unwrap();
    // One bit of one block's HTML: `hl-keyword` becomes `hl-kexword`.
    let at = cached.windows(10).position(|w| w == b"hl-keyword").expect("a cached keyword") + 5;
    let mut damaged = cached.clone();
    damaged[at] ^= 0x01;
    std::fs::write(&file, &damaged).unwrap();
    std::fs::remove_dir_all(site.public()).unwrap();
    site.build().success();
    assert_eq!(crate::support::files(&site.public()), clean, "the damaged block was highlighted again");
    // The fresh block replaced the damaged one: later builds read it back whole.
    let rewritten = std::fs::read(&file).unwrap();
    assert!(!rewritten.windows(10).any(|w| w == b"hl-kexword"), "the damaged block is gone");
    std::fs::remove_dir_all(site.public()).unwrap();
    site.build().success();
    assert_eq!(crate::support::files(&site.public()), clean);
}

#[cfg(unix)]
#[test]
fn issue_29_a_fifo_in_place_of_the_cache_does_not_hang_the_build() {
    let site = TestSite::from_fixture("highlight");
    site.build().success();
    let clean = crate::support::files(&site.public());
    // The highlight cache and the last build's manifest, each replaced by a FIFO.
    let file = cache_file(&site);
    let memo = std::fs::read_dir(site.cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("build-"))
        .expect("the build memo is kept beside the highlight cache");
    for path in [&file, &memo] {
        std::fs::remove_file(path).unwrap();
        let made = std::process::Command::new("mkfifo").arg(path).status().expect("run mkfifo");
        assert!(made.success());
    }
    std::fs::remove_dir_all(site.public()).unwrap();

    // Nothing ever writes to the FIFO: a build that opened it would wait for ever.
    let mut cmd = site.command();
    cmd.arg("build").stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().expect("start quire build");
    let deadline = std::time::Instant::now() + crate::serve::DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the build hung on the FIFO");
        }
        std::thread::yield_now();
    };
    assert!(status.success());
    assert_eq!(crate::support::files(&site.public()), clean);
    for path in [&file, &memo] {
        assert!(std::fs::metadata(path).unwrap().is_file(), "the build put a real file in place of {path:?}");
    }
}
