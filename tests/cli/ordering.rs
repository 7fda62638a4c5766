//! The order of pages in a section, and each page's neighbours.

use crate::support::{field, titles, TestSite};

#[test]
fn section_lists_pages_newest_first_by_default() {
    let site = TestSite::from_fixture("ordering");
    site.build().success();
    assert_eq!(titles(&site.read("blog/index.html")), ["Newest", "Middle", "Oldest"]);
    insta::assert_snapshot!(site.output_tree());
}

#[test]
fn sort_by_title_lists_pages_alphabetically() {
    let site = TestSite::from_fixture("sort_by_title");
    site.build().success();
    assert_eq!(titles(&site.read("blog/index.html")), ["Apple", "Banana", "Cherry"]);
}

#[test]
fn sort_by_weight_lists_lightest_first() {
    let site = TestSite::from_fixture("sort_by_weight");
    site.build().success();
    assert_eq!(titles(&site.read("blog/index.html")), ["Light", "Medium", "Heavy"]);
}

#[test]
fn pages_know_their_newer_and_older_neighbours() {
    let site = TestSite::from_fixture("neighbours");
    site.build().success();

    let first = site.read("blog/first/index.html");
    assert_eq!(field(&first, "newer"), "Second|/blog/second/");
    assert_eq!(field(&first, "older"), "-");

    let second = site.read("blog/second/index.html");
    assert_eq!(field(&second, "newer"), "Third|/blog/third/");
    assert_eq!(field(&second, "older"), "First|/blog/first/");

    let third = site.read("blog/third/index.html");
    assert_eq!(field(&third, "newer"), "-");
    assert_eq!(field(&third, "older"), "Second|/blog/second/");
}
