//! `sitemap.xml` (split under an index above `sitemap_max_urls`), `robots.txt` and
//! `404.html`.

use crate::support::TestSite;

/// The `<loc>` values of a sitemap or sitemap index, in order.
fn locations(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .map(|rest| rest.split("</loc>").next().unwrap_or_default().to_string())
        .collect()
}

const ALL_URLS: [&str; 8] = [
    "https://example.com/",
    "https://example.com/about/",
    "https://example.com/blog/",
    "https://example.com/blog/one/",
    "https://example.com/blog/page/2/",
    "https://example.com/blog/two/",
    "https://example.com/tags/",
    "https://example.com/tags/x/",
];

#[test]
fn sitemap_lists_every_page_pager_and_taxonomy_page_with_lastmod() {
    let site = TestSite::from_fixture("sitemap");
    site.build().success();
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"), "{sitemap}");
    assert_eq!(locations(&sitemap), ALL_URLS);
    assert!(!sitemap.contains("/old/two/"), "a redirect is in the sitemap");
    assert!(!sitemap.contains("404"), "404.html is in the sitemap");
    // `updated` wins over `date`; a pager takes the newest of its pages.
    assert!(
        sitemap.contains("<loc>https://example.com/blog/one/</loc>\n    <lastmod>2024-02-01</lastmod>"),
        "{sitemap}"
    );
    assert!(
        sitemap.contains(
            "<loc>https://example.com/blog/</loc>\n    <lastmod>2024-03-01T12:00:00+01:00</lastmod>"
        ),
        "{sitemap}"
    );
    assert!(
        sitemap.contains("<loc>https://example.com/tags/x/</loc>\n    <lastmod>2024-02-01</lastmod>"),
        "{sitemap}"
    );
    assert!(
        sitemap.contains("<loc>https://example.com/about/</loc>\n  </url>"),
        "an undated page got a lastmod"
    );
}

#[test]
fn sitemap_splits_under_an_index_above_the_threshold() {
    let site = TestSite::from_fixture("sitemap");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("sitemap_max_urls = 3\n{config}"));
    site.build().success();
    let index = site.read("sitemap.xml");
    assert!(
        index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"),
        "{index}"
    );
    assert_eq!(
        locations(&index),
        [
            "https://example.com/sitemap1.xml",
            "https://example.com/sitemap2.xml",
            "https://example.com/sitemap3.xml"
        ]
    );
    let parts: Vec<Vec<String>> =
        (1..=3).map(|n| locations(&site.read(&format!("sitemap{n}.xml")))).collect();
    assert_eq!(parts.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 2]);
    assert_eq!(parts.concat(), ALL_URLS);
    assert!(!site.output("sitemap4.xml").exists());
    assert!(
        index.contains(
            "<loc>https://example.com/sitemap1.xml</loc>\n    <lastmod>2024-03-01T12:00:00+01:00</lastmod>"
        ),
        "{index}"
    );
}

#[test]
fn exactly_the_threshold_stays_one_sitemap() {
    let site = TestSite::from_fixture("sitemap");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("sitemap_max_urls = 8\n{config}"));
    site.build().success();
    assert_eq!(locations(&site.read("sitemap.xml")), ALL_URLS);
    assert!(!site.output("sitemap1.xml").exists());
}

#[test]
fn robots_txt_points_at_the_sitemap_and_a_template_overrides_it() {
    let site = TestSite::from_fixture("sitemap");
    site.build().success();
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nDisallow:\n\nSitemap: https://example.com/sitemap.xml\n"
    );

    site.write_file(
        "templates/robots.txt",
        "User-agent: *\nDisallow: /drafts/\nSitemap: {{ get_url(path=\"sitemap.xml\") }}\n",
    );
    site.build().success();
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nDisallow: /drafts/\nSitemap: https://example.com/sitemap.xml\n"
    );
}

#[test]
fn a_static_robots_txt_wins() {
    let site = TestSite::from_fixture("sitemap");
    site.write_file("static/robots.txt", "User-agent: *\n");
    site.build().success();
    assert_eq!(site.read("robots.txt"), "User-agent: *\n");
}

#[test]
fn not_found_page_is_built_in_or_from_the_template() {
    let site = TestSite::from_fixture("sitemap");
    site.build().success();
    let built_in = site.read("404.html");
    assert!(
        built_in.contains("Page not found") && built_in.contains("href=\"https://example.com/\""),
        "{built_in}"
    );

    site.write_file("templates/404.html", "not here: {{ current_path }} of {{ config.title }}\n");
    site.build().success();
    assert_eq!(site.read("404.html"), "not here: /404.html of Fixture\n");
}
