//! A `base_url` with a sub-path (`https://example.com/blog/`): canonical links, permalinks,
//! feeds, the sitemap, robots.txt and redirects all keep the sub-path.

use crate::support::{field, items, TestSite};

#[test]
fn pages_canonical_links_and_get_url_keep_the_sub_path() {
    let site = TestSite::from_fixture("sub_path");
    site.build().success();
    let page = site.read("posts/hello/index.html");
    assert!(
        page.contains(r#"<link rel="canonical" href="https://example.com/blog/posts/hello/">"#),
        "{page}"
    );
    assert_eq!(field(&page, "permalink"), "https://example.com/blog/posts/hello/");
    assert_eq!(field(&page, "css"), "https://example.com/blog/css/site.css");
    assert_eq!(field(&page, "about"), "https://example.com/blog/about/");
    assert_eq!(field(&page, "feed"), "https://example.com/blog/atom.xml");
    assert_eq!(items(&page), ["https://example.com/blog/tags/rust/"]);
    assert_eq!(field(&site.read("tags/rust/index.html"), "term"), "https://example.com/blog/tags/rust/");
    let redirect = site.read("old-hello/index.html");
    assert!(redirect.contains("url=https://example.com/blog/posts/hello/"), "{redirect}");
}

#[test]
fn feeds_keep_the_sub_path_in_links_and_content() {
    let site = TestSite::from_fixture("sub_path");
    site.build().success();
    for path in ["atom.xml", "rss.xml", "tags/rust/atom.xml"] {
        let bytes = std::fs::read(site.output(path)).unwrap();
        let feed = feed_rs::parser::parse(bytes.as_slice()).unwrap_or_else(|e| panic!("{path}: {e}"));
        let entry = &feed.entries[0];
        assert_eq!(entry.links[0].href, "https://example.com/blog/posts/hello/", "{path}");
        let html = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
            .unwrap();
        assert!(html.contains(r#"src="https://example.com/blog/posts/hello/photo.jpg""#), "{path}: {html}");
        assert!(html.contains(r#"href="https://example.com/blog/posts/other/""#), "{path}: {html}");
    }
    assert!(site
        .read("atom.xml")
        .contains(r#"rel="self" type="application/atom+xml" href="https://example.com/blog/atom.xml""#));
}

#[test]
fn sitemap_and_robots_keep_the_sub_path() {
    let site = TestSite::from_fixture("sub_path");
    site.build().success();
    let sitemap = site.read("sitemap.xml");
    for url in [
        "https://example.com/blog/",
        "https://example.com/blog/posts/hello/",
        "https://example.com/blog/tags/rust/",
    ] {
        assert!(sitemap.contains(&format!("<loc>{url}</loc>")), "{url} missing:\n{sitemap}");
    }
    assert!(!sitemap.contains("<loc>https://example.com/posts/"), "{sitemap}");
    assert!(site.read("robots.txt").contains("Sitemap: https://example.com/blog/sitemap.xml\n"));
}

#[test]
fn issue_22_root_relative_markdown_links_are_rebased_under_a_sub_path_base_url() {
    let site = TestSite::from_fixture("sub_path_links");
    site.build().success();
    let post = site.read("blog/post/index.html");
    assert!(post.contains(r#"<a href="/sub/blog/">the blog</a>"#), "{post}");
    assert!(post.contains(r#"<a href="/sub/about/#top">about me</a>"#), "{post}");
    assert!(post.contains(r#"<a href="/sub/">home</a>"#), "{post}");
}

#[test]
fn issue_22_the_link_check_fails_a_root_relative_link_that_leaves_the_sub_path() {
    let site = TestSite::from_fixture("sub_path_links");
    site.write_file(
        "templates/page.html",
        "<main>{{ page.content | safe }}</main>\n<a href=\"/about/\">about</a>\n",
    );
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("`/about/`"), "{stderr}");
    assert!(stderr.contains("https://example.org/about/"), "says where it leads: {stderr}");
}
