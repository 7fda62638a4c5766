//! Scheduled posts: pages dated in the future wait for `--future`; expired pages for
//! `--expired`. Dates are far in the past (2000) or far in the future (2999), so the tests
//! hold whatever the day they run; the one serve test dates posts a few seconds ahead and
//! waits for them.

use std::collections::BTreeMap;

use crate::serve::{wait_for_clean_build, Served};
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
fn issue_21_serve_publishes_and_expires_posts_at_their_moment_without_a_save() {
    let site = TestSite::from_fixture("scheduled");
    // A few seconds ahead, in whole seconds as front matter writes them.
    let moment = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + 4).unwrap();
    site.write_file("content/blog/soon.md", &format!("---\ntitle: Soon\ndate: {moment}\n---\n\nHere now.\n"));
    site.write_file(
        "content/blog/going.md",
        &format!("---\ntitle: Going\ndate: 2000-01-05\nexpires: {moment}\n---\n\nGone soon.\n"),
    );
    let served = Served::start(&site, &[]);
    let before = served.get("/blog/soon/");
    // Only while the moment is still ahead can the post be missing (the machine may be slow).
    if jiff::Timestamp::now() < moment {
        assert_eq!(before.status, 404, "published before its moment");
    }
    served.wait_for("/blog/soon/", "published", |r| r.status == 200 && r.text().contains("Soon"));
    served.wait_for("/blog/going/", "expired", |r| r.status == 404);
    served.wait_for("/blog/", "listing the published post only", |r| {
        let titles = titles(&r.text());
        titles.contains(&"Soon".to_string()) && !titles.contains(&"Going".to_string())
    });
    wait_for_clean_build(&site, &served, &BTreeMap::new(), "the moment passed");
}

#[test]
fn issue_22_serve_future_and_expired_flags_serve_held_back_pages() {
    let site = TestSite::from_fixture("scheduled");
    let plain = Served::start(&site, &[]);
    assert_eq!(plain.get("/blog/far-future/").status, 404);
    assert_eq!(plain.get("/blog/expired/").status, 404);
    drop(plain);
    let served = Served::start(&site, &["--future", "--expired"]);
    assert_eq!(served.get("/blog/far-future/").status, 200);
    assert_eq!(served.get("/blog/expired/").status, 200);
}
