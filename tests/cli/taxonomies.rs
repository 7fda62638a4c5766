//! Taxonomies: term list pages with counts, paginated term pages newest first, term slugs
//! that never collide, spellings merged with a warning, and each page's terms with URLs.

use crate::support::{field, items, titles, TestSite};

#[test]
fn term_list_shows_every_term_with_its_count_sorted_by_name() {
    let site = TestSite::from_fixture("taxonomies");
    site.build().success();
    let tags = site.read("tags/index.html");
    assert_eq!(field(&tags, "name"), "tags");
    assert_eq!(field(&tags, "path"), "/tags/");
    assert_eq!(field(&tags, "permalink"), "https://example.com/tags/");
    assert_eq!(
        items(&tags),
        [
            "C|c|/tags/c/|1",
            "C++|c-plus-plus|/tags/c-plus-plus/|1",
            "perf|perf|/tags/perf/|3",
            "Rust|rust|/tags/rust/|3",
            "日本語|日本語|/tags/日本語/|1",
        ]
    );
}

#[test]
fn terms_can_be_sorted_by_count() {
    let site = TestSite::from_fixture("taxonomies");
    site.build().success();
    let categories = site.read("categories/index.html");
    assert_eq!(items(&categories), ["Code|code|/categories/code/|3", "Life|life|/categories/life/|1"]);
}

#[test]
fn term_pages_are_paginated_newest_first() {
    let site = TestSite::from_fixture("taxonomies");
    site.build().success();
    let first = site.read("tags/rust/index.html");
    assert_eq!(field(&first, "taxonomy"), "tags");
    assert_eq!(field(&first, "term"), "Rust");
    assert_eq!(field(&first, "slug"), "rust");
    assert_eq!(field(&first, "count"), "3");
    assert_eq!(field(&first, "permalink"), "https://example.com/tags/rust/");
    assert_eq!(field(&first, "pager"), "1/2");
    assert_eq!(field(&first, "total"), "3");
    assert_eq!(field(&first, "next"), "https://example.com/tags/rust/page/2/");
    assert_eq!(titles(&first), ["Post E", "Post D"]);

    let second = site.read("tags/rust/page/2/index.html");
    assert_eq!(field(&second, "pager"), "2/2");
    assert_eq!(field(&second, "previous"), "https://example.com/tags/rust/");
    assert_eq!(titles(&second), ["Post A"]);
    assert!(!site.output("tags/rust/page/3/index.html").exists());

    let redirect = site.read("tags/rust/page/1/index.html");
    assert!(redirect.contains("url=https://example.com/tags/rust/"), "{redirect}");
}

#[test]
fn c_plus_plus_and_c_get_different_urls() {
    let site = TestSite::from_fixture("taxonomies");
    site.build().success();
    assert_eq!(titles(&site.read("tags/c-plus-plus/index.html")), ["Post B"]);
    assert_eq!(titles(&site.read("tags/c/index.html")), ["Post C"]);
    assert_eq!(titles(&site.read("tags/日本語/index.html")), ["Post D"]);
}

#[test]
fn spellings_differing_by_case_or_trailing_punctuation_merge_with_a_warning() {
    let site = TestSite::from_fixture("taxonomies");
    let run = site.build().success();
    let perf = site.read("tags/perf/index.html");
    assert_eq!(field(&perf, "term"), "perf");
    assert_eq!(field(&perf, "count"), "3");
    assert_eq!(titles(&perf), ["Post C", "Post B"]);
    assert_eq!(titles(&site.read("tags/perf/page/2/index.html")), ["Post A"]);
    let stderr = run.stderr();
    assert!(
        stderr.contains("warning: tags: `Perf` in `content/blog/b.md`, `perf,` in `content/blog/c.md` are merged into the term `perf`"),
        "{stderr}"
    );
    assert!(stderr.contains("`rust` in `content/blog/d.md` are merged into the term `Rust`"), "{stderr}");
    assert!(!site.output("tags/perf-2/index.html").exists());
}

#[test]
fn pages_get_their_terms_with_urls_and_keep_the_plain_names() {
    let site = TestSite::from_fixture("taxonomies");
    site.build().success();
    let page = site.read("blog/d/index.html");
    assert_eq!(field(&page, "tags"), "rust,日本語");
    assert_eq!(
        items(&page),
        [
            "Rust|/tags/rust/|https://example.com/tags/rust/",
            "日本語|/tags/日本語/|https://example.com/tags/日本語/"
        ]
    );
    let page = site.read("blog/b/index.html");
    assert_eq!(
        items(&page),
        [
            "C++|/tags/c-plus-plus/|https://example.com/tags/c-plus-plus/",
            "perf|/tags/perf/|https://example.com/tags/perf/"
        ]
    );
}

#[test]
fn a_site_without_taxonomy_templates_builds_without_term_pages_and_warns() {
    let site = TestSite::from_fixture("taxonomies");
    use_bare_theme(&site);
    site.remove_file("templates/taxonomy_list.html");
    site.remove_file("templates/taxonomy_single.html");
    let run = site.build().success();
    assert!(!site.output("tags/index.html").exists());
    assert!(!site.output("tags/rust/index.html").exists());
    assert!(!site.read("sitemap.xml").contains("/tags/"), "the sitemap lists pages that were not built");
    let stderr = run.stderr();
    assert!(
        stderr.contains("`tags` has 5 terms but there is no `taxonomy_list.html` or `taxonomy_single.html`"),
        "{stderr}"
    );
}

#[test]
fn a_site_with_only_one_taxonomy_template_fails_naming_the_missing_one() {
    let site = TestSite::from_fixture("taxonomies");
    use_bare_theme(&site);
    site.remove_file("templates/taxonomy_single.html");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(
        stderr
            .contains("taxonomy `tags` has the template `taxonomy_list.html` but not `taxonomy_single.html`"),
        "{stderr}"
    );
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
}

#[test]
fn a_taxonomy_can_have_templates_of_its_own() {
    let site = TestSite::from_fixture("taxonomies");
    site.write_file("templates/categories/list.html", "own list of {{ taxonomy.name }}\n");
    site.write_file("templates/categories/single.html", "own term {{ term.name }}\n");
    site.build().success();
    assert_eq!(site.read("categories/index.html"), "own list of categories\n");
    assert_eq!(site.read("categories/code/index.html"), "own term Code\n");
    assert_eq!(field(&site.read("tags/index.html"), "kind"), "taxonomy_list");
}

#[test]
fn get_taxonomy_gives_terms_with_their_pages() {
    let site = TestSite::from_fixture("taxonomies");
    site.write_file(
        "templates/index.html",
        "{% set tags = get_taxonomy(kind=\"tags\") %}{% for t in tags.terms %}<li>{{ t.name }}|{{ t.count }}|{{ t.pages | length }}|{{ t.permalink }}</li>\n{% endfor %}",
    );
    site.build().success();
    let home = site.read("index.html");
    assert_eq!(items(&home)[3], "Rust|3|3|https://example.com/tags/rust/");
}

/// Names a theme with no templates, so the built-in theme does not fill in the missing ones.
fn use_bare_theme(site: &TestSite) {
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("theme = \"bare\"\n{config}"));
    site.write_file("themes/bare/theme.toml", "");
}

#[test]
fn issue_29_each_dropped_tag_is_named_with_its_line() {
    let site = TestSite::from_fixture("taxonomies");
    site.write_file(
        "content/blog/f.md",
        "---\ntitle: Post F\ndate: 2024-06-01\ntags:\n  - Rust\n  - ..\n  - \"!!!\"\n---\nBody.\n",
    );
    let stderr = site.build().success().stderr();
    for expected in [
        "warning: content/blog/f.md:6: the term `..` in `tags` has no letters or digits and is left out",
        "warning: content/blog/f.md:7: the term `!!!` in `tags` has no letters or digits and is left out",
    ] {
        assert!(stderr.contains(expected), "{stderr}");
    }
    assert!(!stderr.contains("an empty name"), "{stderr}");
    assert!(site.output("tags/rust/index.html").exists());
}

#[test]
fn issue_22_a_taxonomy_without_pages_writes_no_term_list_and_is_not_in_the_sitemap() {
    let site = TestSite::from_fixture("taxonomies");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    let config = config.replace("taxonomies = [", "taxonomies = [\n    { name = \"authors\" },");
    site.write_file("config.toml", &config);
    site.build().success();
    assert!(site.output("tags/index.html").exists());
    assert!(!site.output("authors/index.html").exists(), "{}", site.output_tree());
    assert!(!site.read("sitemap.xml").contains("/authors/"), "{}", site.read("sitemap.xml"));
}

#[test]
fn issue_22_a_new_site_has_no_empty_categories_page() {
    let site = TestSite::empty();
    site.run(&["init"]).success();
    site.build().success();
    assert!(site.output("tags/index.html").exists(), "the first post has tags");
    assert!(!site.output("categories/index.html").exists(), "{}", site.output_tree());
    assert!(!site.read("sitemap.xml").contains("/categories/"), "{}", site.read("sitemap.xml"));
}
