//! The example site at the repository root builds, and shows tags, categories, an archive
//! and feeds linked from the theme.

use crate::support::TestSite;

#[test]
fn example_site_builds_with_a_second_blog_page() {
    let site = TestSite::from_example_site();
    site.build().success();
    assert!(site.output("index.html").exists());
    assert!(site.output("blog/index.html").exists());
    assert!(site.output("blog/page/2/index.html").exists(), "{}", site.output_tree());
}

#[test]
fn example_site_shows_tags_categories_archive_and_feeds() {
    let site = TestSite::from_example_site();
    let run = site.build().success();
    assert_eq!(run.stderr(), "", "the example site builds without warnings");
    for path in [
        "tags/index.html",
        "tags/rust/index.html",
        "tags/rust/atom.xml",
        "categories/index.html",
        "archive/index.html",
        "atom.xml",
        "rss.xml",
        "blog/atom.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
    ] {
        assert!(site.output(path).exists(), "no {path} in\n{}", site.output_tree());
    }
    let home = site.read("index.html");
    assert!(home.contains(r#"<link rel="alternate" type="application/atom+xml""#), "{home}");
    assert!(home.contains(r#"href="https://example.com/archive/""#), "{home}");
    assert!(home.contains(r#"href="https://example.com/tags/""#), "{home}");
    let post = site.read("blog/rust-ownership-for-pythonistas/index.html");
    assert!(post.contains(r#"href="https://example.com/tags/rust/""#), "{post}");
    assert!(post.contains(r#"href="https://example.com/categories/programming/""#), "{post}");
    assert!(site.read("blog/index.html").contains(r#"<a href="https://example.com/tags/"#));
    let archive = site.read("archive/index.html");
    assert!(archive.contains("Rust ownership, explained to my Python self"), "{archive}");
    let bytes = std::fs::read(site.output("atom.xml")).unwrap();
    let feed = feed_rs::parser::parse(bytes.as_slice()).expect("the example feed parses");
    assert!(!feed.entries.is_empty());
}

#[test]
fn example_posts_show_highlighted_code_a_toc_and_a_figure() {
    let site = TestSite::from_example_site();
    site.build().success();
    let post = site.read("blog/rust-ownership-for-pythonistas/index.html");
    assert!(post.contains("<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"rust\">"), "highlighted code");
    assert!(post.contains("<span class=\"hl-storage hl-type hl-function hl-rust\">fn</span>"), "rust spans");
    assert!(post.contains("code-line-marked"), "a marked line");
    assert!(post.contains("<nav class=\"toc\""), "a table of contents");
    let bundle = site.read("blog/drawing-the-build-pipeline/index.html");
    assert!(bundle
        .contains("<figure><img src=\"https://example.com/blog/drawing-the-build-pipeline/diagram.svg\""));
    assert!(bundle.contains("<figcaption>"), "{bundle}");
    assert!(
        bundle.contains("whiteboard.jpg\" alt=\"A soft blue and white colour field, standing in for a photo of the whiteboard\" width=\"960\" height=\"640\" srcset=\"https://example.com/processed_images/whiteboard."),
        "the photo has its size (issue 23) and a smaller copy (issue 24): {bundle}"
    );
    assert!(
        bundle
            .contains(".jpg 480w, https://example.com/blog/drawing-the-build-pipeline/whiteboard.jpg 960w\""),
        "{bundle}"
    );
    let css = site.read("css/quire.css");
    assert!(css.contains("pre .hl-keyword"), "the theme styles highlighted code");
}

#[test]
fn example_site_has_a_talks_page_from_its_data_file_and_a_json_feed() {
    let site = TestSite::from_example_site();
    site.build().success();
    let talks = site.read("talks/index.html");
    assert!(talks.contains("<h2>Ownership for Python programmers</h2>"), "{talks}");
    assert!(talks.contains(r#"<time datetime="2026-03-12">March 12, 2026</time>"#), "{talks}");
    assert!(talks.contains("Lagos Rust Meetup, Lagos (workshop)"), "{talks}");
    assert!(!site.output("data").exists(), "data files are not published");
    let bytes = std::fs::read(site.output("feed.json")).unwrap();
    let feed = feed_rs::parser::parse(bytes.as_slice()).expect("the example JSON feed parses");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::JSON);
    assert!(!feed.entries.is_empty());
    let home = site.read("index.html");
    assert!(home.contains(r#"<link rel="alternate" type="application/feed+json""#), "{home}");
}
