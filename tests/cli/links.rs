//! Internal links: `@/` paths, relative links, images beside posts.

use crate::support::TestSite;

#[test]
fn at_links_resolve_to_permalinks_with_and_without_anchors() {
    let site = TestSite::from_fixture("internal_links");
    site.build().success();
    let page = site.read("blog/source/index.html");
    assert!(page.contains("<a href=\"https://example.com/blog/target/\">the target</a>"), "{page}");
    assert!(page.contains("<a href=\"https://example.com/blog/target/#setup\">its setup</a>"), "{page}");
    assert!(page.contains("<a href=\"https://example.com/blog/\">the blog</a>"), "{page}");
    assert!(page.contains("<a href=\"https://example.com/blog/target/#usage\">target again</a>"), "{page}");
}

#[test]
fn images_beside_posts_resolve_from_pretty_urls() {
    let site = TestSite::from_fixture("internal_links");
    site.build().success();
    // A non-bundle post's image is copied beside the post's file, and the link follows it.
    assert!(site.output("blog/chart.svg").exists(), "{}", site.output_tree());
    let page = site.read("blog/source/index.html");
    assert!(page.contains("<img src=\"https://example.com/blog/chart.svg\" alt=\"A chart\" />"), "{page}");
    assert!(page.contains("<figure><img src=\"https://example.com/blog/chart.svg\""), "{page}");
    // A bundle's image sits beside its index.html.
    assert!(site.output("blog/bundle/diagram.svg").exists(), "{}", site.output_tree());
    let bundle = site.read("blog/bundle/index.html");
    assert!(bundle.contains("src=\"https://example.com/blog/bundle/diagram.svg\""), "{bundle}");
}

#[test]
fn an_at_link_to_a_missing_page_fails_with_file_and_line() {
    let site = TestSite::from_fixture("errors/missing_at_link");
    let run = site.build().failure();
    assert!(run.stderr().contains("content/blog/post.md:6"), "{}", run.report());
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
    insta::assert_snapshot!(run.report());
}

#[test]
fn an_at_link_to_a_missing_heading_fails_with_file_and_line() {
    let site = TestSite::from_fixture("errors/missing_at_anchor");
    let run = site.build().failure();
    assert!(run.stderr().contains("content/blog/post.md:6"), "{}", run.report());
    assert!(run.stderr().contains("`there`"), "{}", run.report());
}

#[test]
fn issue_22_markup_in_code_comments_text_and_scripts_is_not_a_link() {
    let site = TestSite::from_fixture("links_in_text");
    let run = site.build().failure();
    let stderr = run.stderr();
    for text in ["/about-me/", "/draft/", "/escaped/", "/from-script/"] {
        assert!(!stderr.contains(text), "`{text}` is not a link:\n{stderr}");
    }
    // The one broken link is a real attribute, unquoted.
    assert!(stderr.contains("has no element with the id `missing`"), "{stderr}");
    assert!(stderr.contains("error: broken link"), "{stderr}");
    site.write_file(
        "content/blog/markup.md",
        &std::fs::read_to_string(site.root().join("content/blog/markup.md"))
            .unwrap()
            .replace("#missing", "#top"),
    );
    site.build().success();
}
