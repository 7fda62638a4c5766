//! Date formats in front matter and Jekyll-style file names.

use crate::support::{field, titles, TestSite};

#[test]
fn every_date_format_is_parsed_and_ordered() {
    let site = TestSite::from_fixture("dates");
    site.build().success();

    // All on 2024-05-01: UTC 13:00 > 14:30+02:00 (12:30 UTC) > 10:30:45 > 09:15 > midnight.
    assert_eq!(titles(&site.read("blog/index.html")), ["UTC", "Offset", "Seconds", "Minutes", "Date only"]);

    let date = |slug: &str| field(&site.read(&format!("blog/{slug}/index.html")), "date");
    for slug in ["date-only", "minutes", "seconds", "utc", "offset"] {
        assert!(date(slug).starts_with("2024-05-01"), "{slug}: {}", date(slug));
    }
    assert!(date("minutes").contains("09:15"), "{}", date("minutes"));
    assert!(date("seconds").contains("10:30:45"), "{}", date("seconds"));
    assert!(date("utc").contains("13:00:00"), "{}", date("utc"));
    let offset = date("offset");
    assert!(offset.contains("14:30:00+02:00") || offset.contains("12:30:00"), "the offset is lost: {offset}");
}

#[test]
fn jekyll_file_name_gives_date_and_slug() {
    let site = TestSite::from_fixture("jekyll_names");
    site.build().success();

    let page = site.read("blog/my-post/index.html");
    assert_eq!(field(&page, "slug"), "my-post");
    assert_eq!(field(&page, "url"), "/blog/my-post/");
    assert!(field(&page, "date").starts_with("2024-05-01"), "{page}");
    assert!(!site.output("blog/2024-05-01-my-post/index.html").exists());

    let older = site.read("blog/older-post/index.html");
    assert!(field(&older, "date").starts_with("2023-12-24"), "{older}");
    assert_eq!(titles(&site.read("blog/index.html")), ["My post", "Older post"]);
}
