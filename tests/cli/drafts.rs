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

#[test]
fn issue_22_build_summary_says_how_many_drafts_were_left_out() {
    let site = TestSite::from_fixture("drafts");
    let run = site.build().success();
    assert!(run.stdout().contains("; 2 drafts left out (--drafts)"), "{}", run.stdout());
    // A second build of the same files is answered from the last one's record: the same line.
    let again = site.build().success();
    assert!(again.stdout().contains("; 2 drafts left out (--drafts)"), "{}", again.stdout());
    let with = site.build_with(&["--drafts"]).success();
    assert!(!with.stdout().contains("draft"), "{}", with.stdout());
    site.remove_file("content/blog/unpublished.md");
    let one = site.build().success();
    assert!(one.stdout().contains("; 1 draft left out (--drafts)"), "{}", one.stdout());
}
