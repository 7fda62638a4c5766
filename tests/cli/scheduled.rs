//! Scheduled posts: pages dated in the future wait for `--future`; expired pages for
//! `--expired`. Dates are far in the past (2000) or far in the future (2999), so the tests
//! hold whatever the day they run.

use crate::support::{titles, TestSite};

#[test]
fn future_and_expired_pages_are_held_back_and_counted() {
    let site = TestSite::from_fixture("scheduled");
    let run = site.build().success();
    assert_eq!(titles(&site.read("blog/index.html")), ["Still fresh", "Long ago"]);
    assert!(!site.output("blog/far-future/index.html").exists());
    assert!(!site.output("blog/jekyll-future/index.html").exists());
    assert!(!site.output("blog/expired/index.html").exists());
    let stdout = run.stdout();
    assert!(stdout.contains("built 2 pages"), "{stdout}");
    assert!(stdout.contains("held back 2 scheduled (--future), 1 expired (--expired)"), "{stdout}");
}

#[test]
fn future_flag_builds_scheduled_pages() {
    let site = TestSite::from_fixture("scheduled");
    let run = site.build_with(&["--future"]).success();
    assert_eq!(
        titles(&site.read("blog/index.html")),
        ["Jekyll future", "Far future", "Still fresh", "Long ago"]
    );
    assert!(site.output("blog/far-future/index.html").exists());
    assert!(!site.output("blog/expired/index.html").exists());
    let stdout = run.stdout();
    assert!(stdout.contains("held back 1 expired (--expired)"), "{stdout}");
    assert!(!stdout.contains("scheduled"), "{stdout}");
}

#[test]
fn expired_flag_builds_expired_pages() {
    let site = TestSite::from_fixture("scheduled");
    site.build_with(&["--expired"]).success();
    assert!(site.output("blog/expired/index.html").exists());
    assert!(!site.output("blog/far-future/index.html").exists());
}

#[test]
fn a_build_with_nothing_held_back_says_nothing_about_it() {
    let site = TestSite::from_fixture("scheduled");
    let run = site.build_with(&["--future", "--expired"]).success();
    assert!(!run.stdout().contains("held back"), "{}", run.stdout());
}

#[test]
fn issue_22_serve_future_and_expired_flags_serve_held_back_pages() {
    let site = TestSite::from_fixture("scheduled");
    let plain = crate::serve::Served::start(&site, &[]);
    assert_eq!(plain.get("/blog/far-future/").status, 404);
    assert_eq!(plain.get("/blog/expired/").status, 404);
    drop(plain);
    let served = crate::serve::Served::start(&site, &["--future", "--expired"]);
    assert_eq!(served.get("/blog/far-future/").status, 200);
    assert_eq!(served.get("/blog/expired/").status, 200);
}
