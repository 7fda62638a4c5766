//! The archive: dated pages by year and month, newest first, at `/archive/` and from
//! `get_archive` for one section.

use crate::support::{field, items, TestSite};

const SITE_ARCHIVE: [&str; 4] = [
    "2025: 2 February (Feb 2025;) ",
    // 23:30 at -02:00 on 31 December is 2025 in UTC, but the author's December.
    "2024: 12 December (Dec 2024;) ",
    "2023: 3 March (Mar 2023 B;Mar 2023 A;) 1 January (Jan 2023;) ",
    "2022: 6 June (Note;) ",
];

#[test]
fn archive_lists_dated_pages_by_year_and_month_newest_first() {
    let site = TestSite::from_fixture("archive");
    site.build().success();
    let archive = site.read("archive/index.html");
    assert_eq!(field(&archive, "path"), "/archive/");
    assert_eq!(items(&archive), SITE_ARCHIVE);
    assert!(!archive.contains("About"), "an undated page is in the archive:\n{archive}");
    assert!(site.read("sitemap.xml").contains("<loc>https://example.com/archive/</loc>"));
}

#[test]
fn get_archive_gives_the_same_structure_for_one_section() {
    let site = TestSite::from_fixture("archive");
    site.build().success();
    assert_eq!(items(&site.read("index.html")), SITE_ARCHIVE[..3]);
}

#[test]
fn archive_path_moves_the_archive_and_false_turns_it_off() {
    let site = TestSite::from_fixture("archive");
    site.write_file("config.toml", "title = \"Fixture\"\narchive_path = \"/posts/by-date\"\n");
    site.build().success();
    assert_eq!(field(&site.read("posts/by-date/index.html"), "path"), "/posts/by-date/");
    assert!(!site.output("archive/index.html").exists());

    site.write_file("config.toml", "title = \"Fixture\"\narchive_path = false\n");
    site.build().success();
    assert!(!site.output("posts/by-date/index.html").exists());
    assert!(!site.output("archive/index.html").exists());
}

#[test]
fn a_site_without_an_archive_template_has_no_archive_page() {
    let site = TestSite::from_fixture("archive");
    // A named theme without an archive template, so the built-in theme does not supply one.
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("theme = \"bare\"\n{config}"));
    site.write_file("themes/bare/theme.toml", "");
    site.remove_file("templates/archive.html");
    let run = site.build().success();
    assert!(!site.output("archive/index.html").exists());
    assert_eq!(run.stderr(), "");
}

#[test]
fn a_page_at_the_archive_url_is_an_error_naming_both() {
    let site = TestSite::from_fixture("archive");
    site.write_file("content/archive.md", "---\ntitle: My archive\n---\n");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("content/archive.md"), "{stderr}");
    assert!(stderr.contains("archive_path"), "{stderr}");
}
