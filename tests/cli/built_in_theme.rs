//! The theme compiled into the binary: used when a site names no theme, overridden file by
//! file by the site's own `templates/` and `static/`.

use base64::Engine;
use sha2::{Digest, Sha256, Sha384};

use crate::support::TestSite;

#[test]
fn a_site_without_themes_builds_with_the_built_in_theme() {
    let site = TestSite::from_fixture("built_in_theme");
    assert!(!site.root().join("themes").exists());
    site.build().success();

    let home = site.read("index.html");
    assert!(home.contains(r#"<html lang="fr">"#), "{home}");
    // The stylesheet is fingerprinted: its URL and integrity value are those of its bytes.
    let css = std::fs::read(site.output("css/quire.css")).unwrap();
    let hash: String = Sha256::digest(&css)[..10].iter().map(|b| format!("{b:02x}")).collect();
    let integrity = base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&css));
    let link = format!(
        r#"<link rel="stylesheet" href="https://example.com/css/quire.css?h={hash}" integrity="sha384-{integrity}">"#
    );
    assert!(home.contains(&link), "{link}\n{home}");
    assert!(home.contains("The intro text of the home page."), "{home}");
    assert!(home.contains(r#"<a href="https://example.com/blog/first/">First post</a>"#), "{home}");

    let post = site.read("blog/first/index.html");
    assert!(post.contains("<h1>First post</h1>"), "{post}");
    assert!(post.contains(r#"<time datetime="2024-05-01">May 1, 2024</time>"#), "{post}");
    assert!(post.contains(r#"<link rel="canonical" href="https://example.com/blog/first/">"#), "{post}");
    assert!(post.contains(r#"<meta property="og:type" content="article">"#), "{post}");
    assert!(!post.contains("<script"), "no script without comments turned on\n{post}");
    insta::assert_snapshot!(site.output_tree());
}

#[test]
fn site_templates_and_static_files_override_the_built_in_theme_file_by_file() {
    let site = TestSite::from_fixture("built_in_theme");
    site.write_file("templates/page.html", "site-page: {{ page.title }}\n");
    site.write_file("static/css/quire.css", "/* the site's own */\n");
    site.build().success();

    assert_eq!(site.read("blog/first/index.html"), "site-page: First post\n");
    assert_eq!(site.read("css/quire.css"), "/* the site's own */\n");
    assert!(site.read("blog/index.html").contains(r#"<h1>Blog</h1>"#), "the built-in section.html is used");
}

#[test]
fn theme_quire_without_a_themes_folder_selects_the_built_in_theme() {
    let site = TestSite::from_fixture("built_in_theme");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("theme = \"quire\"\n{config}"));
    site.build().success();
    assert!(site.output("css/quire.css").exists(), "{}", site.output_tree());
}

#[test]
fn a_named_theme_replaces_the_built_in_theme_entirely() {
    let site = TestSite::from_fixture("theme_override");
    site.build().success();
    assert!(!site.output("css/quire.css").exists(), "{}", site.output_tree());
}

#[test]
fn a_missing_theme_other_than_quire_is_still_an_error() {
    let site = TestSite::from_fixture("built_in_theme");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("theme = \"nope\"\n{config}"));
    let run = site.build().failure();
    assert!(run.stderr().contains("nope"), "{}", run.report());
}

#[test]
fn comments_when_turned_on_are_the_only_script_and_only_on_posts() {
    let site = TestSite::from_fixture("built_in_theme");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file(
        "config.toml",
        &format!(
            "{config}\n[extra.comments]\nenabled = true\nprovider = \"giscus\"\nrepo = \"ada/site\"\n\
             repo_id = \"R_1\"\ncategory = \"Comments\"\ncategory_id = \"C_1\"\n"
        ),
    );
    site.build().success();
    let post = site.read("blog/first/index.html");
    assert_eq!(post.matches("<script").count(), 1, "{post}");
    assert!(post.contains(r#"<script src="https://giscus.app/client.js""#), "{post}");
    assert!(post.contains(r#"data-repo="ada/site""#), "{post}");
    for plain in ["index.html", "about/index.html", "blog/index.html"] {
        assert!(!site.read(plain).contains("<script"), "{plain} has a script");
    }
}

#[test]
fn issue_22_headings_with_formatting_have_ids_and_keep_it_in_the_toc() {
    let site = TestSite::from_fixture("built_in_theme");
    site.write_file(
        "content/blog/headings.md",
        "---\ntitle: Headings\ndate: 2024-05-02\ntoc: true\n---\n\n## What is *address space*?\n\n\
         ### [Build-std](https://example.org/)\n\n### std{in,out,err}\n",
    );
    site.build().success();
    let post = site.read("blog/headings/index.html");
    assert!(
        post.contains(r#"<h2 id="what-is-address-space">What is <em>address space</em>?</h2>"#),
        "{post}"
    );
    assert!(
        post.contains(r#"<h3 id="build-std"><a href="https://example.org/">Build-std</a></h3>"#),
        "{post}"
    );
    assert!(post.contains(r#"<h3 id="std-in-out-err">std{in,out,err}</h3>"#), "{post}");
    assert!(
        post.contains(r##"<a href="#what-is-address-space">What is <em>address space</em>?</a>"##),
        "{post}"
    );
    assert!(post.contains(r##"<a href="#build-std">Build-std</a>"##), "{post}");
}

#[test]
fn issue_22_titles_and_descriptions_get_the_body_s_smart_punctuation() {
    let site = TestSite::from_fixture("built_in_theme");
    site.write_file(
        "content/blog/robin.md",
        "---\ntitle: \"Robin's \\\"Notebook\\\" -- notes\"\ndescription: \"It's here...\"\ndate: 2024-05-03\n---\n\nI'm here.\n",
    );
    site.build().success();
    let post = site.read("blog/robin/index.html");
    assert!(post.contains("<p>I’m here.</p>"), "{post}");
    assert!(post.contains("<h1>Robin’s “Notebook” – notes</h1>"), "{post}");
    assert!(post.contains("<title>Robin’s “Notebook” – notes"), "{post}");
    assert!(post.contains(r#"<meta name="description" content="It’s here…">"#), "{post}");
    let feed = site.read("atom.xml");
    assert!(feed.contains("<title>Robin’s “Notebook” – notes</title>"), "{feed}");
    assert!(!feed.contains("Robin&#39;s") && !feed.contains("Robin's"), "{feed}");

    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &format!("{config}\n[markdown]\nsmart_punctuation = false\n"));
    site.build().success();
    let post = site.read("blog/robin/index.html");
    assert!(post.contains("<p>I&#39;m here.</p>") || post.contains("<p>I'm here.</p>"), "{post}");
    assert!(post.contains("<h1>Robin&#39;s &quot;Notebook&quot; -- notes</h1>"), "{post}");
}

#[test]
fn issue_22_chinese_text_is_counted_by_character() {
    let site = TestSite::from_fixture("built_in_theme");
    let body = "中文字符，".repeat(1500);
    site.write_file(
        "content/blog/chinese.md",
        &format!("---\ntitle: 中文\ndate: 2024-05-04\n---\n\n{body}\n"),
    );
    site.build().success();
    let post = site.read("blog/chinese/index.html");
    assert!(post.contains("20 min read"), "6,000 characters at 300 a minute\n{post}");
}

#[test]
fn issue_22_a_broken_menu_url_from_config_is_reported_once_naming_the_key() {
    let site = TestSite::from_fixture("built_in_theme");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write_file("config.toml", &config.replace("url = \"/about/\"", "url = \"/a-boot/\""));
    let run = site.build().failure();
    let stderr = run.stderr();
    assert_eq!(stderr.matches("nothing is built at `/a-boot/`").count(), 1, "{stderr}");
    assert!(stderr.contains("`extra.menu[1].url` in config.toml"), "{stderr}");
    assert!(stderr.contains("hint: fix that value in config.toml"), "{stderr}");
    // Home, blog, first, about, archive, tags, the `rust` tag and 404: all from base.html.
    assert!(stderr.contains("(the same error on 7 other pages)"), "{stderr}");
}

#[test]
fn issue_22_the_series_line_names_the_series_and_links_its_parts_in_order() {
    let site = TestSite::from_fixture("series");
    site.build().success();
    let middle = site.read("blog/b-going-further/index.html");
    assert!(!middle.contains("[&quot;intro&quot;]") && !middle.contains("[\"intro\"]"), "{middle}");
    let series = &middle[middle.find("class=\"series\"").expect("a series block")..];
    let series = &series[..series.find("</nav>").expect("the series block is a nav")];
    assert!(series.contains("<em>intro</em>"), "{series}");
    let first = series.find(r#"<a href="https://example.com/blog/getting-started/">Getting started</a>"#);
    let this = series.find(r#"<span aria-current="page">Going further</span>"#);
    let last = series.find(r#"<a href="https://example.com/blog/a-wrapping-up/">Wrapping up</a>"#);
    assert!(first.is_some() && this.is_some() && last.is_some(), "{series}");
    assert!(first < this && this < last, "parts are in date order: {series}");
    assert!(series.contains("Part 2 of 3"), "{series}");
    assert!(!series.contains("Elsewhere"), "{series}");
    let alone = site.read("blog/alone/index.html");
    assert!(!alone.contains("class=\"series\""), "{alone}");
}
