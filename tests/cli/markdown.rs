//! Markdown rendering and summaries.

use crate::support::{field, TestSite};

/// What the page template printed after its `content:` line.
fn content(page: &str) -> &str {
    page.split_once("content:\n").map(|(_, c)| c).unwrap_or_default()
}

#[test]
fn summary_is_the_text_before_the_more_marker() {
    let site = TestSite::from_fixture("summary");
    site.build().success();
    let summary = field(&site.read("blog/more/index.html"), "summary");
    assert!(summary.contains("Before the fold."), "{summary}");
    assert!(!summary.contains("After the fold."), "{summary}");
    assert!(!summary.contains("Front matter summary"), "{summary}");
}

#[test]
fn summary_falls_back_to_the_front_matter_summary() {
    let site = TestSite::from_fixture("summary");
    site.build().success();
    let summary = field(&site.read("blog/front-matter/index.html"), "summary");
    assert!(summary.contains("Written by hand."), "{summary}");
    assert!(!summary.contains("paragraph of the body"), "{summary}");
}

#[test]
fn summary_falls_back_to_the_first_paragraph() {
    let site = TestSite::from_fixture("summary");
    site.build().success();
    let summary = field(&site.read("blog/first-paragraph/index.html"), "summary");
    assert!(summary.contains("Opening paragraph only."), "{summary}");
    assert!(!summary.contains("Closing paragraph"), "{summary}");
}

#[test]
fn heading_ids_are_unique_within_a_page() {
    let site = TestSite::from_fixture("markdown");
    site.build().success();
    let page = site.read("blog/features/index.html");
    let ids: Vec<&str> = content(&page)
        .split("<h")
        .skip(1)
        .filter(|tag| tag.starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|tag| {
            let tag = &tag[..tag.find('>')?];
            let start = tag.find("id=\"")? + 4;
            Some(&tag[start..start + tag[start..].find('"')?])
        })
        .collect();
    assert_eq!(ids.len(), 3, "every heading gets an id: {page}");
    assert_eq!(ids[0], "intro");
    assert_ne!(ids[0], ids[1]);
    assert!(ids[1].starts_with("intro"), "{ids:?}");
    assert!(ids[2].starts_with("details"), "{ids:?}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}

#[test]
fn markdown_extensions_are_rendered() {
    let site = TestSite::from_fixture("markdown");
    site.build().success();
    let page = site.read("blog/features/index.html");
    let html = content(&page);
    assert!(html.contains("<table>"), "tables: {html}");
    assert!(html.contains("<td>a</td>"), "tables: {html}");
    assert!(html.contains("<del>struck</del>"), "strikethrough: {html}");
    assert!(html.contains("footnote-definition") || html.contains("<sup"), "footnotes: {html}");
    assert!(html.contains("type=\"checkbox\""), "task lists: {html}");
    assert!(html.contains("checked"), "task lists: {html}");
    assert!(html.contains("<div class=\"raw\">raw html</div>"), "raw html: {html}");
    assert!(html.contains("It’s"), "smart punctuation: {html}");
    assert!(html.contains("“quoted”"), "smart punctuation: {html}");
    insta::assert_snapshot!(html);
}

#[test]
fn toc_nests_headings_and_keeps_duplicate_ids_apart() {
    let site = TestSite::from_fixture("toc");
    site.build().success();
    let page = site.read("blog/guide/index.html");
    let toc = page.split_once("toc:\n").and_then(|(_, rest)| rest.split_once("content:")).unwrap().0;
    assert_eq!(
        crate::support::items(toc),
        [
            "2 install Install",
            "  3 on-linux On Linux",
            "  3 on-macos On macOS",
            "2 usage Usage",
            "  3 options Options",
            "2 usage-1 Usage",
        ]
    );
}

#[test]
fn heading_anchors_link_each_heading_to_itself() {
    let site = TestSite::from_fixture("toc");
    site.build().success();
    let page = site.read("blog/guide/index.html");
    assert!(
        page.contains("<h2 id=\"usage-1\">Usage <a class=\"heading-anchor\" href=\"#usage-1\""),
        "{page}"
    );
    site.write_file("templates/anchor-link.html", "<a href=\"#{{ id }}\">¶</a>");
    site.build().success();
    let page = site.read("blog/guide/index.html");
    assert!(page.contains("<h3 id=\"options\">Options<a href=\"#options\">¶</a></h3>"), "{page}");
}

#[test]
fn issue_22_same_page_links_in_summaries_point_at_the_post_on_lists_and_in_feeds() {
    let site = TestSite::from_fixture("summary_anchors");
    site.build().success();
    let post = site.read("blog/post/index.html");
    assert!(post.contains(r##"href="#setup""##), "the post itself keeps its own anchors: {post}");
    let list = site.read("blog/index.html");
    let atom = site.read("atom.xml");
    let rss = site.read("rss.xml");
    for (name, text) in [("blog/index.html", &list), ("atom.xml", &atom), ("rss.xml", &rss)] {
        assert!(!text.contains(r##"href="#"##) && !text.contains("href=&quot;#"), "{name}: {text}");
        let setup = ["https://example.com/blog/post/#setup"];
        assert!(setup.iter().all(|url| text.contains(url)), "{name}: {text}");
        // The footnote reference, whatever its id.
        let footnote = text.matches("https://example.com/blog/post/#").count();
        assert!(footnote >= 2, "{name}: the footnote reference points at the post: {text}");
    }
}
