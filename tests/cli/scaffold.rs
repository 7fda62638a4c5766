//! `quire init` and `quire new`: the files they write, what they refuse, and that the result
//! builds.

use std::fs;

use crate::support::{tree, TestSite};

/// Today's date as the binary sees it (the tests run it with `TZ=UTC`), before and after a
/// run, so a run across midnight still passes.
fn today() -> String {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

#[test]
fn init_creates_a_site_that_builds_with_the_built_in_theme() {
    let site = TestSite::empty();
    let run = site.run(&["init"]).success();
    insta::assert_snapshot!(run.stdout());
    insta::assert_snapshot!(tree(site.root()));

    let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
    for key in ["title =", "description =", "base_url =", "language =", "author =", "paginate_by =", "menu ="]
    {
        let line = config.lines().position(|l| l.starts_with(key)).unwrap_or_else(|| panic!("no `{key}`"));
        assert!(config.lines().nth(line - 1).unwrap().starts_with('#'), "`{key}` has no comment above it");
    }

    let before = today();
    site.build().success();
    let home = site.read("index.html");
    assert!(home.contains(">My first post</a>"), "{home}");
    assert!(site.output("about/index.html").exists());
    assert!(site.output("css/quire.css").exists());
    let post = site.read("blog/first-post/index.html");
    assert!(post.contains(&format!(r#"<time datetime="{before}">"#)) || post.contains(&today()), "{post}");
}

#[test]
fn init_creates_the_folder_it_is_given() {
    let site = TestSite::empty();
    let mut cmd = site.command();
    cmd.args(["init", "blog-site"]);
    let run = site.run_command(cmd).success();
    assert!(run.stdout().contains("next: cd blog-site && quire build"), "{}", run.report());
    assert!(site.tmp().join("blog-site/config.toml").is_file());
    assert!(site.tmp().join("blog-site/static/.gitkeep").is_file());
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let site = TestSite::empty();
    site.write_file("notes.txt", "mine\n");
    let run = site.run(&["init"]).failure();
    insta::assert_snapshot!(run.report());
    assert!(!site.root().join("config.toml").exists(), "init wrote into a non-empty folder");
}

#[test]
fn init_accepts_a_folder_with_only_hidden_files() {
    let site = TestSite::empty();
    site.write_file(".git/HEAD", "ref: refs/heads/main\n");
    site.run(&["init"]).success();
    assert!(site.root().join("config.toml").is_file());
}

#[test]
fn init_with_force_writes_into_a_non_empty_folder_and_keeps_other_files() {
    let site = TestSite::empty();
    site.write_file("notes.txt", "mine\n");
    site.write_file("config.toml", "title = \"old\"\n");
    site.run(&["init", "--force"]).success();
    assert_eq!(fs::read_to_string(site.root().join("notes.txt")).unwrap(), "mine\n");
    let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
    assert!(config.contains("title = \"My site\""), "{config}");
    site.build().success();
}

#[test]
fn new_writes_a_draft_with_title_and_date_and_prints_its_path() {
    let site = TestSite::empty();
    site.run(&["init"]).success();
    let before = today();
    let run = site.run(&["new", "blog/my-first-post"]).success();
    let after = today();
    assert_eq!(run.stdout(), "[ROOT]/content/blog/my-first-post.md\n");

    let text = fs::read_to_string(site.root().join("content/blog/my-first-post.md")).unwrap();
    let expected = |date: &str| format!("---\ntitle: \"My first post\"\ndate: {date}\ndraft: true\n---\n\n");
    assert!(text == expected(&before) || text == expected(&after), "{text}");

    site.build().success();
    assert!(!site.output("blog/my-first-post/index.html").exists(), "a draft was published");
    site.build_with(&["--drafts"]).success();
    assert!(site.read("blog/my-first-post/index.html").contains("<h1>My first post</h1>"));
}

#[test]
fn new_post_with_a_title_writes_into_the_blog_named_after_the_title() {
    let site = TestSite::empty();
    site.run(&["init"]).success();
    let run = site.run(&["new", "post", "What I learned: \"Rust\""]).success();
    assert_eq!(run.stdout(), "[ROOT]/content/blog/what-i-learned-rust.md\n");
    let text = fs::read_to_string(site.root().join("content/blog/what-i-learned-rust.md")).unwrap();
    assert!(text.starts_with("---\ntitle: \"What I learned: \\\"Rust\\\"\"\n"), "{text}");
    site.build_with(&["--drafts"]).success();
    let page = site.read("blog/what-i-learned-rust/index.html");
    assert!(
        page.contains("<h1>What I learned: “Rust”</h1>"),
        "the title survives YAML quoting (and its quotes curl, as smart_punctuation is on)\n{page}"
    );
}

#[test]
fn new_refuses_to_overwrite_a_page() {
    let site = TestSite::empty();
    site.run(&["init"]).success();
    let run = site.run(&["new", "blog/first-post"]).failure();
    insta::assert_snapshot!(run.report());
    let text = fs::read_to_string(site.root().join("content/blog/first-post.md")).unwrap();
    assert!(text.contains("title: \"My first post\""), "the existing post was changed");
}

#[test]
fn new_outside_a_site_fails_with_a_hint() {
    let site = TestSite::empty();
    let run = site.run(&["new", "blog/x"]).failure();
    assert!(run.stderr().contains("no site at"), "{}", run.report());
    assert!(run.stderr().contains("quire init"), "{}", run.report());
    assert!(!site.root().join("content").exists());
}
