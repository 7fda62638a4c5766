//! URLs: pretty URLs, `slug` and `path` overrides, and two pages claiming one URL.

use crate::support::{field, TestSite};

#[test]
fn pages_get_pretty_urls() {
    let site = TestSite::from_fixture("urls");
    site.build().success();

    let page = site.read("blog/my-post/index.html");
    assert_eq!(field(&page, "url"), "/blog/my-post/");
    assert_eq!(field(&page, "current_path"), "/blog/my-post/");
    assert_eq!(field(&page, "current_url"), "https://example.com/blog/my-post/");
    assert_eq!(field(&page, "permalink"), "https://example.com/blog/my-post/");
    assert!(!site.output("blog/my-post.html").exists());

    let about = site.read("about/index.html");
    assert_eq!(field(&about, "url"), "/about/");
    insta::assert_snapshot!(site.output_tree());
}

#[test]
fn slug_front_matter_overrides_the_file_name() {
    let site = TestSite::from_fixture("urls");
    site.build().success();
    let page = site.read("blog/custom-slug/index.html");
    assert_eq!(field(&page, "slug"), "custom-slug");
    assert_eq!(field(&page, "url"), "/blog/custom-slug/");
    assert!(!site.output("blog/renamed/index.html").exists());
}

#[test]
fn path_front_matter_sets_the_whole_url() {
    let site = TestSite::from_fixture("urls");
    site.build().success();
    let page = site.read("hello/world/index.html");
    assert_eq!(field(&page, "title"), "Moved");
    assert_eq!(field(&page, "url"), "/hello/world/");
    assert_eq!(field(&page, "permalink"), "https://example.com/hello/world/");
    assert!(!site.output("blog/moved/index.html").exists());
    assert!(site.read("blog/index.html").contains("Moved|/hello/world/"));
}

#[test]
fn two_pages_with_the_same_url_fail_naming_both_files() {
    let site = TestSite::from_fixture("errors/duplicate_url");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("blog/same.md"), "{stderr}");
    assert!(stderr.contains("blog/other.md"), "{stderr}");
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
    insta::assert_snapshot!(run.report());
}
