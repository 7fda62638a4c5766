//! The link checker: broken internal links and anchors fail the build; `quire check` lists
//! them all without writing anything. External links are never requested in tests.

use crate::support::TestSite;

#[test]
fn a_broken_relative_link_fails_the_build_with_file_and_line() {
    let site = TestSite::from_fixture("errors/broken_relative_link");
    let run = site.build().failure();
    assert!(run.stderr().contains("--> content/blog/post.md:6"), "{}", run.report());
    assert!(run.stderr().contains("`../other-post/`"), "{}", run.report());
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
    insta::assert_snapshot!(run.report());
}

#[test]
fn a_broken_anchor_fails_the_build_with_file_and_line() {
    let site = TestSite::from_fixture("errors/broken_relative_anchor");
    let run = site.build().failure();
    assert!(run.stderr().contains("--> content/blog/post.md:6"), "{}", run.report());
    assert!(run.stderr().contains("no element with the id `setup`"), "{}", run.report());
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
}

#[test]
fn broken_links_can_be_warnings() {
    let site = TestSite::from_fixture("errors/broken_relative_link");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("{config}\n[link_checker]\ninternal = \"warn\"\n"));
    let run = site.build().success();
    assert!(run.stderr().contains("warning: broken link"), "{}", run.report());
    assert!(run.stderr().contains("content/blog/post.md:6"), "{}", run.report());
    assert!(site.output("blog/post/index.html").exists());
}

#[test]
fn check_reports_every_broken_link_and_writes_nothing() {
    let site = TestSite::from_fixture("broken_links");
    let run = site.run(&["check"]).failure();
    let stderr = run.stderr();
    assert!(stderr.contains("`../gone/`"), "{stderr}");
    assert!(stderr.contains("no element with the id `setup`"), "{stderr}");
    assert!(stderr.contains("`missing.png`"), "{stderr}");
    assert!(stderr.contains("links to `/nowhere/`"), "{stderr}");
    assert!(!stderr.contains("rust-lang.org"), "external links are not checked by default: {stderr}");
    assert!(!site.public().exists(), "check wrote files");
    insta::assert_snapshot!(run.report());
}

#[test]
fn check_passes_on_a_site_without_broken_links() {
    let site = TestSite::from_fixture("internal_links");
    let run = site.run(&["check"]).success();
    assert!(run.stdout().contains("checked 7 internal links on 3 pages: 0 broken"), "{}", run.report());
}

#[test]
fn highlight_css_prints_a_theme_and_lists_them() {
    let site = TestSite::from_fixture("highlight");
    let run = site.run(&["highlight-css", "base16-ocean-dark"]).success();
    assert!(run.stdout().contains(".hl-code {"), "{}", run.report());
    let dark = site.run(&["highlight-css", "--dark", "OneHalfDark"]).success();
    assert!(dark.stdout().starts_with("@media (prefers-color-scheme: dark) {\n"), "{}", dark.report());
    let list = site.run(&["highlight-css", "--list"]).success();
    assert!(list.stdout().lines().any(|l| l == "InspiredGitHub"), "{}", list.report());
    let run = site.run(&["highlight-css", "nope"]).failure();
    assert!(run.stderr().contains("no highlight theme `nope`"), "{}", run.report());
}
