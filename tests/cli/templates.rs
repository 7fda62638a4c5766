//! Template lookup, the context templates get, escaping and `get_url`.

use crate::support::{field, TestSite};

#[test]
fn site_templates_override_theme_templates_file_by_file() {
    let site = TestSite::from_fixture("theme_override");
    site.build().success();
    assert_eq!(site.read("index.html").trim(), "theme-index: Home");
    assert_eq!(site.read("blog/index.html").trim(), "theme-section: Blog");
    assert_eq!(site.read("blog/post/index.html").trim(), "site-page: Post");
}

#[test]
fn theme_static_files_are_copied_and_site_static_files_win() {
    let site = TestSite::from_fixture("theme_override");
    site.build().success();
    assert_eq!(site.read("theme-only.css"), "/* from theme */\n");
    assert_eq!(site.read("shared.css"), "/* from site */\n");
}

#[test]
fn extra_front_matter_keys_are_reachable_as_page_extra() {
    let site = TestSite::from_fixture("extra");
    site.build().success();

    let yaml = site.read("blog/post/index.html");
    assert_eq!(field(&yaml, "mood"), "happy");
    assert_eq!(field(&yaml, "rating"), "5");
    assert_eq!(field(&yaml, "series"), "Rust diaries");
    assert_eq!(field(&yaml, "banner"), "from config");

    let toml = site.read("blog/toml-extra/index.html");
    assert_eq!(field(&toml, "mood"), "calm");
    assert_eq!(field(&toml, "rating"), "4");
    assert_eq!(field(&toml, "series"), "TOML diaries");
}

#[test]
fn titles_are_html_escaped() {
    let site = TestSite::from_fixture("autoescape");
    site.build().success();

    let page = site.read("blog/xss/index.html");
    assert!(!page.contains("<script>"), "{page}");
    assert_eq!(field(&page, "title"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_eq!(field(&page, "description"), "Tom &amp; Jerry &lt;b&gt;");

    let list = site.read("blog/index.html");
    assert!(!list.contains("<script>"), "{list}");
    assert!(list.contains("&lt;script&gt;"), "{list}");
}

#[test]
fn get_url_resolves_pages_and_static_files() {
    let site = TestSite::from_fixture("get_url");
    site.build().success();
    let page = site.read("blog/post/index.html");
    assert_eq!(field(&page, "about"), "https://example.com/about/");
    assert_eq!(field(&page, "css"), "https://example.com/css/site.css");
}

#[test]
fn get_url_to_a_missing_page_fails_naming_the_template() {
    let site = TestSite::from_fixture("errors/missing_get_url");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("page.html"), "{stderr}");
    assert!(stderr.contains("missing.md"), "{stderr}");
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
    insta::assert_snapshot!(run.report());
}
