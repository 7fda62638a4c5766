//! Reproducible output (issue 8): the same input gives the same bytes, wherever and however it
//! is built, and a rebuild with nothing changed rewrites nothing.

use crate::support::{age_files, field, files, mtimes, TestSite};

/// Sites that together use every generator: the built-in theme, feeds, sitemap, taxonomies,
/// aliases, pagination, bundles and static files, templates that loop over maps, and sites
/// written for Jekyll, Hugo and Zola.
const SITES: [&str; 10] = [
    "example",
    "taxonomies",
    "aliases",
    "feeds",
    "bundles",
    "pagination",
    "map_order",
    "migrate/jekyll",
    "migrate/hugo",
    "migrate/zola",
];

fn site(name: &str) -> TestSite {
    match name {
        "example" => TestSite::from_example_site(),
        fixture => TestSite::from_fixture(fixture),
    }
}

fn build_with_threads(site: &TestSite, threads: &str) {
    let mut cmd = site.command();
    cmd.env("RAYON_NUM_THREADS", threads).arg("build");
    site.run_command(cmd).success();
}

#[test]
fn two_builds_in_different_folders_and_thread_counts_are_byte_identical() {
    for name in SITES {
        let one = site(name);
        let four = site(name);
        build_with_threads(&one, "1");
        build_with_threads(&four, "4");
        let (a, b) = (files(&one.public()), files(&four.public()));
        assert!(!a.is_empty(), "{name}: nothing built");
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{name}: file lists differ");
        let differing: Vec<&String> =
            a.iter().filter(|(path, bytes)| b[*path] != **bytes).map(|(p, _)| p).collect();
        assert!(differing.is_empty(), "{name}: these files differ between two builds: {differing:?}");
        for (path, bytes) in &a {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains(&one.tmp().display().to_string()), "{name}: {path} holds the temp path");
        }
    }
}

#[test]
fn rebuild_without_changes_rewrites_no_file_of_any_generator() {
    for name in SITES {
        let site = site(name);
        build_with_threads(&site, "4");
        let past = age_files(&site.public());
        let before = files(&site.public());

        build_with_threads(&site, "1");

        assert!(files(&site.public()) == before, "{name}: the output changed");
        let rewritten: Vec<String> =
            mtimes(&site.public()).into_iter().filter(|(_, t)| *t != past).map(|(f, _)| f).collect();
        assert!(rewritten.is_empty(), "{name}: rewritten with the same bytes: {rewritten:?}");
    }
}

#[test]
fn issue_8_templates_loop_over_maps_in_key_order() {
    let site = TestSite::from_fixture("map_order");
    site.build().success();
    let text = site.read("blog/post/index.html");
    assert_eq!(field(&text, "page"), "echo foxtrot golf hotel tango uniform victor whiskey");
    assert_eq!(field(&text, "config"), "alpha bravo charlie delta mike xray yankee zeta");
}
