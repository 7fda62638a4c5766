//! Feeds: Atom, RSS and JSON Feed for the site, a section and a term, checked with an independent
//! parser (`feed-rs`): entry counts, order, dates, links, escaping and absolute URLs.

use feed_rs::model::{Entry, Feed, FeedType};

use crate::support::TestSite;

const TRICKY_TITLE: &str = r#"Tom & Jerry <3 "quotes""#;
/// The post's title, written as the site's: with `smart_punctuation` on (the default) its
/// quotes curl as the body's do (issue 22).
const TRICKY_POST_TITLE: &str = "Tom & Jerry <3 “quotes”";

fn parse(site: &TestSite, path: &str) -> Feed {
    let bytes = std::fs::read(site.output(path)).unwrap_or_else(|e| panic!("read public/{path}: {e}"));
    feed_rs::parser::parse(bytes.as_slice())
        .unwrap_or_else(|e| panic!("public/{path} is not a valid feed: {e}"))
}

fn titles(feed: &Feed) -> Vec<String> {
    feed.entries.iter().map(|e| e.title.as_ref().expect("an entry has a title").content.clone()).collect()
}

fn link(entry: &Entry) -> &str {
    &entry.links.first().expect("an entry has a link").href
}

/// The entry's HTML: Atom's content, or RSS's description.
fn html(entry: &Entry) -> String {
    let content = entry.content.as_ref().and_then(|c| c.body.clone());
    content.or_else(|| entry.summary.as_ref().map(|s| s.content.clone())).expect("an entry has HTML")
}

#[test]
fn site_feeds_hold_the_newest_dated_pages_up_to_the_limit() {
    let site = TestSite::from_fixture("feeds");
    site.build().success();
    for (path, kind) in [("atom.xml", FeedType::Atom), ("rss.xml", FeedType::RSS2)] {
        let feed = parse(&site, path);
        assert_eq!(feed.feed_type, kind, "{path}");
        assert_eq!(feed.title.as_ref().unwrap().content, TRICKY_TITLE, "{path}");
        // feed_limit = 3: `Old` and `Older` are cut, `Undated` has no date, `Scheduled` is held back.
        assert_eq!(titles(&feed), [TRICKY_POST_TITLE, "Plain", "Note"], "{path}");
        assert_eq!(link(&feed.entries[0]), "https://example.com/blog/escape/", "{path}");
        assert_eq!(link(&feed.entries[2]), "https://example.com/notes/note/", "{path}");
        let published = feed.entries[0].published.expect("a published date");
        assert_eq!(published.to_rfc3339(), "2024-05-01T08:00:00+00:00", "{path}");
    }
}

#[test]
fn atom_entries_carry_updated_dates_authors_and_categories() {
    let site = TestSite::from_fixture("feeds");
    site.build().success();
    let feed = parse(&site, "atom.xml");
    assert_eq!(feed.updated.expect("the feed has updated").to_rfc3339(), "2024-06-01T00:00:00+00:00");
    let entry = &feed.entries[0];
    assert_eq!(entry.updated.expect("updated").to_rfc3339(), "2024-06-01T00:00:00+00:00");
    assert_eq!(entry.id, "https://example.com/blog/escape/");
    let authors: Vec<&str> = entry.authors.iter().filter_map(|a| a.name.as_deref()).collect();
    assert_eq!(authors, ["Ann", "Bo"]);
    assert_eq!(entry.categories[0].term, "Cartoons");
    assert_eq!(feed.entries[1].updated.expect("updated").to_rfc3339(), "2024-04-01T00:00:00+00:00");
}

#[test]
fn urls_inside_feed_content_are_absolute() {
    let site = TestSite::from_fixture("feeds");
    site.build().success();
    for path in ["atom.xml", "rss.xml"] {
        let body = html(&parse(&site, path).entries[0]);
        for expected in [
            r#"href="https://example.com/blog/plain/""#,
            r#"src="https://example.com/blog/escape/cat.png""#,
            r#"href="https://example.com/about/""#,
            r#"href="https://www.rust-lang.org/""#,
            r#"href="https://example.com/blog/escape/#top""#,
            r#"srcset="https://example.com/blog/escape/small.png 1x, https://example.com/blog/escape/big.png 2x""#,
        ] {
            assert!(body.contains(expected), "{path}: no {expected} in\n{body}");
        }
        assert!(
            !body.contains(r#"="../"#) && !body.contains(r#"="/"#),
            "{path}: a relative URL is left:\n{body}"
        );
    }
}

#[test]
fn a_section_with_generate_feeds_gets_its_own_feeds() {
    let site = TestSite::from_fixture("feeds");
    site.build().success();
    for path in ["blog/atom.xml", "blog/rss.xml"] {
        let feed = parse(&site, path);
        assert_eq!(titles(&feed), [TRICKY_POST_TITLE, "Plain", "Old"], "{path}");
        assert_eq!(feed.title.as_ref().unwrap().content, format!("Blog · {TRICKY_TITLE}"), "{path}");
    }
    assert!(!site.output("notes/atom.xml").exists(), "a section without generate_feeds got a feed");
}

#[test]
fn a_taxonomy_with_feed_gets_a_feed_per_term() {
    let site = TestSite::from_fixture("feeds");
    site.build().success();
    for path in ["tags/cartoons/atom.xml", "tags/cartoons/rss.xml"] {
        let feed = parse(&site, path);
        assert_eq!(titles(&feed), [TRICKY_POST_TITLE], "{path}");
        assert_eq!(link(&feed.entries[0]), "https://example.com/blog/escape/", "{path}");
    }
}

#[test]
fn summary_feeds_leave_the_full_content_out() {
    let site = TestSite::from_fixture("feeds");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("{config}feed_content = \"summary\"\n"));
    site.build().success();
    for path in ["atom.xml", "rss.xml"] {
        let body = html(&parse(&site, path).entries[0]);
        assert!(body.contains(r#"href="https://example.com/blog/plain/""#), "{path}: {body}");
        assert!(!body.contains("cat.png"), "{path}: the full content is in a summary feed:\n{body}");
    }
}

#[test]
fn generate_feeds_false_leaves_the_site_feeds_out() {
    let site = TestSite::from_fixture("feeds");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("generate_feeds = false\n{config}"));
    site.build().success();
    assert!(!site.output("atom.xml").exists());
    assert!(!site.output("rss.xml").exists());
    assert!(site.output("blog/atom.xml").exists(), "the section's own feed depends on the section");
}

#[test]
fn a_scheduled_post_enters_the_feeds_with_future() {
    let site = TestSite::from_fixture("feeds");
    site.build_with(&["--future"]).success();
    assert_eq!(titles(&parse(&site, "atom.xml"))[0], "Scheduled");
}

#[test]
fn atom_feed_of_the_fixture() {
    let site = TestSite::from_fixture("feeds");
    site.build().success();
    insta::assert_snapshot!(site.read("atom.xml"));
}

/// The `feeds` site with `feed_formats = ["atom", "rss", "json"]` and RSS as `index.xml`.
fn three_formats() -> TestSite {
    let site = TestSite::from_fixture("feeds");
    site.add_fixture("feed_formats");
    site
}

#[test]
fn json_feeds_parse_as_json_feed_with_the_entries_of_atom_and_rss() {
    let site = three_formats();
    site.build().success();
    for (json, atom) in [
        ("feed.json", "atom.xml"),
        ("blog/feed.json", "blog/atom.xml"),
        ("tags/cartoons/feed.json", "tags/cartoons/atom.xml"),
    ] {
        let feed = parse(&site, json);
        assert_eq!(feed.feed_type, FeedType::JSON, "{json}");
        assert_eq!(titles(&feed), titles(&parse(&site, atom)), "{json}");
        assert_eq!(link(&feed.entries[0]), "https://example.com/blog/escape/", "{json}");
        assert!(
            html(&feed.entries[0]).contains("https://example.com/"),
            "{json}: the content's URLs were not made absolute"
        );
    }
    let feed = parse(&site, "feed.json");
    assert_eq!(feed.title.as_ref().unwrap().content, TRICKY_TITLE);
    assert_eq!(feed.entries[0].published.unwrap().to_rfc3339(), "2024-05-01T08:00:00+00:00");
    assert_eq!(feed.entries[0].updated.unwrap().to_rfc3339(), "2024-06-01T00:00:00+00:00");
}

/// What JSON Feed 1.1 requires (<https://www.jsonfeed.org/version/1.1/>), checked on the
/// JSON itself: feed-rs reads leniently.
#[test]
fn json_feeds_have_the_fields_json_feed_1_1_requires() {
    let site = three_formats();
    site.build().success();
    let feed: serde_json::Value = serde_json::from_str(&site.read("feed.json")).expect("feed.json is JSON");
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(feed["title"], TRICKY_TITLE);
    assert_eq!(feed["feed_url"], "https://example.com/feed.json");
    assert_eq!(feed["home_page_url"], "https://example.com/");
    assert_eq!(feed["authors"][0]["name"], "Robin");
    let items = feed["items"].as_array().expect("`items` is an array");
    assert_eq!(items.len(), 3);
    for item in items {
        assert!(item["id"].is_string(), "every item has a string `id`: {item}");
        assert!(item["content_html"].is_string() || item["content_text"].is_string(), "{item}");
        for date in ["date_published", "date_modified"] {
            let text = item[date].as_str().expect("dates are strings");
            assert!(
                jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%:z", text.replace('Z', "+00:00")).is_ok(),
                "{date}: {text}"
            );
        }
    }
    assert_eq!(items[0]["authors"][1]["name"], "Bo");
    assert!(items[0]["tags"].as_array().is_some_and(|tags| tags.iter().any(|t| t == "Cartoons")));
}

#[test]
fn feed_filenames_keep_an_existing_sites_feed_urls() {
    let site = three_formats();
    site.build().success();
    assert!(!site.output("rss.xml").exists());
    let rss = site.read("index.xml");
    assert!(rss.contains(r#"<atom:link href="https://example.com/index.xml" rel="self""#), "{rss}");
    assert_eq!(parse(&site, "blog/index.xml").feed_type, FeedType::RSS2);
}

#[test]
fn feed_formats_choose_the_files_written() {
    let site = TestSite::from_fixture("feeds");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("feed_formats = [\"json\"]\n{config}"));
    site.build().success();
    assert!(site.output("feed.json").exists() && site.output("blog/feed.json").exists());
    for path in ["atom.xml", "rss.xml", "blog/atom.xml", "tags/cartoons/rss.xml"] {
        assert!(!site.output(path).exists(), "{path}");
    }
}

#[test]
fn the_built_in_theme_links_every_feed_format() {
    let site = TestSite::from_fixture("built_in_theme");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("feed_formats = [\"json\", \"atom\"]\n{config}"));
    site.build().success();
    let home = site.read("index.html");
    let json = r#"<link rel="alternate" type="application/feed+json" title="Built-in" href="https://example.com/feed.json">"#;
    let atom = r#"<link rel="alternate" type="application/atom+xml" title="Built-in" href="https://example.com/atom.xml">"#;
    assert!(home.contains(json) && home.contains(atom), "{home}");
    assert!(!home.contains("rss+xml"), "{home}");
    assert!(home.contains(r#"<a href="https://example.com/feed.json">Feed</a>"#), "{home}");
}

#[test]
fn a_feed_format_listed_twice_or_two_formats_in_one_file_are_errors() {
    let site = TestSite::from_fixture("feeds");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file(
        "config.toml",
        &format!("feed_formats = [\"atom\", \"rss\"]\nfeed_filenames = {{ rss = \"atom.xml\" }}\n{config}"),
    );
    let stderr = site.build().failure().stderr();
    assert!(
        stderr.contains("config.toml:2")
            && stderr.contains("`atom` and `rss` are both written to `atom.xml`"),
        "{stderr}"
    );
    site.write_file("config.toml", &format!("feed_formats = [\"atom\", \"jsonfeed\"]\n{config}"));
    let stderr = site.build().failure().stderr();
    assert!(stderr.contains("config.toml:1") && stderr.contains("jsonfeed"), "{stderr}");
}
