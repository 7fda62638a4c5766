//! Shortcodes in Markdown and the options for external links.

use crate::support::TestSite;

fn content(page: &str) -> &str {
    page.split_once("content:\n").map(|(_, c)| c).unwrap_or_default()
}

#[test]
fn inline_and_body_shortcodes_are_rendered() {
    let site = TestSite::from_fixture("shortcodes");
    site.build().success();
    let page = site.read("blog/post/index.html");
    let html = content(&page);
    // A site shortcode, inline, with smart punctuation and the footnote still right around it.
    assert!(
        html.contains(
            "<p>Press <kbd>Ctrl+C</kbd> to “stop” – now.<sup class=\"footnote-reference\" id=\"fnref-1\">"
        ),
        "{html}"
    );
    // The heading keeps the id of its text.
    assert!(html.contains("<h2 id=\"notes\">Notes <kbd>N</kbd></h2>"), "{html}");
    // A built-in with a Markdown body.
    assert!(html.contains("<aside class=\"note note-warning\" role=\"note\">"), "{html}");
    assert!(html.contains("<p>Don’t <em>panic</em>."), "{html}");
    // The privacy-enhanced player loads nothing until clicked.
    assert!(
        html.contains("src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1\" srcdoc="),
        "{html}"
    );
    assert!(!html.contains("youtube.com/"), "{html}");
    insta::assert_snapshot!(html);
}

#[test]
fn a_shortcode_inside_code_is_left_as_text() {
    let site = TestSite::from_fixture("shortcodes");
    site.build().success();
    let page = site.read("blog/post/index.html");
    assert!(page.contains("{{ figure(src=&quot;photo.jpg&quot;, caption=&quot;Me&quot;) }}"), "{page}");
    assert!(page.contains("<code>{{ kbd(keys=\"X\") }}</code>"), "{page}");
    assert!(!page.contains("<figure"), "{page}");
}

#[test]
fn external_links_get_target_and_rel() {
    let site = TestSite::from_fixture("shortcodes");
    site.build().success();
    let page = site.read("blog/post/index.html");
    assert!(
        page.contains(
            "<a href=\"https://www.rust-lang.org/\" target=\"_blank\" rel=\"noopener nofollow\">Rust</a>"
        ),
        "{page}"
    );
}

#[test]
fn an_unknown_shortcode_fails_with_file_and_line() {
    let site = TestSite::from_fixture("errors/unknown_shortcode");
    let run = site.build().failure();
    assert!(run.stderr().contains("content/blog/post.md:6"), "{}", run.report());
    assert!(run.stderr().contains("unknown shortcode `gallery`"), "{}", run.report());
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
    insta::assert_snapshot!(run.report());
}

#[test]
fn a_bad_argument_to_a_built_in_fails_with_file_and_line() {
    let site = TestSite::from_fixture("errors/bad_shortcode_argument");
    let run = site.build().failure();
    assert!(run.stderr().contains("content/blog/post.md:6"), "{}", run.report());
    assert!(run.stderr().contains("no argument `scr`"), "{}", run.report());
}

#[test]
fn unreadable_shortcode_arguments_fail_with_line_and_column() {
    let site = TestSite::from_fixture("shortcodes");
    site.write_file("content/blog/bad.md", "---\ntitle: Bad\n---\nText.\n\n{{ figure(src=photo.jpg) }}\n");
    let run = site.build().failure();
    assert!(run.stderr().contains("content/blog/bad.md:6:15"), "{}", run.report());
}
