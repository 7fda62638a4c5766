//! Drafts: `draft: true` and `published: false`.

use crate::support::{titles, TestSite};

#[test]
fn drafts_are_hidden_by_default() {
    let site = TestSite::from_fixture("drafts");
    site.build().success();
    assert!(site.output("blog/published/index.html").exists());
    assert!(!site.output("blog/draft/index.html").exists());
    assert_eq!(titles(&site.read("blog/index.html")), ["Published"]);
    insta::assert_snapshot!(site.output_tree());
}

#[test]
fn drafts_flag_includes_drafts() {
    let site = TestSite::from_fixture("drafts");
    site.build_with(&["--drafts"]).success();
    assert!(site.output("blog/published/index.html").exists());
    assert!(site.output("blog/draft/index.html").exists());
    assert!(site.output("blog/unpublished/index.html").exists());
    assert_eq!(titles(&site.read("blog/index.html")), ["Unpublished", "Draft", "Published"]);
}

#[test]
fn published_false_is_treated_as_a_draft() {
    let site = TestSite::from_fixture("drafts");
    site.build().success();
    assert!(!site.output("blog/unpublished/index.html").exists());
    assert!(!site.read("blog/index.html").contains("Unpublished"));

    site.build_with(&["--drafts"]).success();
    assert!(site.output("blog/unpublished/index.html").exists());
}
