//! Pagination boundaries: `paginate_by = 10` with 0, 1, 10 and 11 posts.

use crate::support::{field, items, titles, TestSite};

/// The `pagination` fixture (11 posts, `Post 01` oldest … `Post 11` newest) cut down to
/// `posts` posts, keeping the oldest.
fn site_with_posts(posts: usize) -> TestSite {
    let site = TestSite::from_fixture("pagination");
    for i in posts + 1..=11 {
        site.remove_file(&format!("content/blog/post-{i:02}.md"));
    }
    site
}

/// The list pages written for `blog/`: `blog/index.html`, then `blog/page/N/index.html` for
/// N >= 2 (`blog/page/1/` is a redirect, not a list page).
fn pager_files(site: &TestSite) -> Vec<String> {
    site.output_tree()
        .lines()
        .filter(|f| {
            *f == "blog/index.html" || (f.starts_with("blog/page/") && !f.starts_with("blog/page/1/"))
        })
        .map(str::to_string)
        .collect()
}

fn post_titles(range: impl DoubleEndedIterator<Item = usize>) -> Vec<String> {
    range.rev().map(|i| format!("Post {i:02}")).collect()
}

#[test]
fn no_posts_render_one_empty_pager() {
    let site = site_with_posts(0);
    site.build().success();
    assert_eq!(pager_files(&site), ["blog/index.html"]);
    let page = site.read("blog/index.html");
    assert!(items(&page).is_empty(), "{page}");
    assert_eq!(field(&page, "pager"), "1/1");
    assert!(!site.output("blog/page/2/index.html").exists());
}

#[test]
fn one_post_renders_one_pager() {
    let site = site_with_posts(1);
    site.build().success();
    assert_eq!(pager_files(&site), ["blog/index.html"]);
    let page = site.read("blog/index.html");
    assert_eq!(items(&page), ["Post 01|/blog/post-01/"]);
    assert_eq!(field(&page, "pager"), "1/1");
    assert_eq!(field(&page, "next"), "");
    assert!(!site.output("blog/page/2/index.html").exists());
}

#[test]
fn ten_posts_fit_on_one_pager() {
    let site = site_with_posts(10);
    site.build().success();
    assert_eq!(pager_files(&site), ["blog/index.html"]);
    let page = site.read("blog/index.html");
    assert_eq!(titles(&page), post_titles(1..=10));
    assert_eq!(field(&page, "pager"), "1/1");
    assert_eq!(field(&page, "next"), "");
    assert!(!site.output("blog/page/2/index.html").exists());
}

#[test]
fn eleven_posts_put_the_oldest_on_page_two() {
    let site = site_with_posts(11);
    site.build().success();
    assert_eq!(pager_files(&site), ["blog/index.html", "blog/page/2/index.html"]);
    assert!(!site.output("blog/page/3/index.html").exists());

    let first = site.read("blog/index.html");
    assert_eq!(titles(&first), post_titles(2..=11));
    assert_eq!(field(&first, "pager"), "1/2");
    assert_eq!(field(&first, "total"), "11");
    assert_eq!(field(&first, "by"), "10");
    assert_eq!(field(&first, "previous"), "");
    assert!(field(&first, "next").ends_with("/blog/page/2/"), "{first}");
    assert!(field(&first, "first").ends_with("/blog/"), "{first}");
    assert!(field(&first, "last").ends_with("/blog/page/2/"), "{first}");

    let second = site.read("blog/page/2/index.html");
    assert_eq!(items(&second), ["Post 01|/blog/post-01/"]);
    assert_eq!(field(&second, "pager"), "2/2");
    assert!(field(&second, "previous").ends_with("/blog/"), "{second}");
    assert!(!field(&second, "previous").contains("page/"), "{second}");
    assert_eq!(field(&second, "next"), "");

    insta::assert_snapshot!(site.output_tree());
}

#[test]
fn page_one_redirects_to_the_section() {
    let site = site_with_posts(11);
    site.build().success();
    let redirect = site.read("blog/page/1/index.html");
    assert!(redirect.to_lowercase().contains("refresh"), "{redirect}");
    assert!(redirect.contains("/blog/"), "{redirect}");
    assert!(!redirect.contains("/blog/page/1"), "{redirect}");
    assert!(!redirect.contains("kind: section"), "rendered as a list page:\n{redirect}");
}

#[test]
fn section_paginate_by_overrides_the_config() {
    let site = site_with_posts(11);
    site.write_file("content/blog/_index.md", "---\ntitle: Blog\npaginate_by: 4\n---\n");
    site.build().success();
    assert_eq!(pager_files(&site), ["blog/index.html", "blog/page/2/index.html", "blog/page/3/index.html"]);
    assert_eq!(titles(&site.read("blog/index.html")), post_titles(8..=11));
    assert_eq!(titles(&site.read("blog/page/2/index.html")), post_titles(4..=7));
    assert_eq!(titles(&site.read("blog/page/3/index.html")), post_titles(1..=3));
    assert_eq!(field(&site.read("blog/page/3/index.html"), "pager"), "3/3");
}
