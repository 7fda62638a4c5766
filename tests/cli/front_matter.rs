//! Front matter: YAML, TOML, JSON, none at all, and files with a BOM or CRLF line endings.

use crate::support::{field, titles, TestSite};

#[test]
fn yaml_front_matter_is_read() {
    let site = TestSite::from_fixture("front_matter");
    site.build().success();
    let page = site.read("blog/yaml/index.html");
    assert_eq!(field(&page, "title"), "YAML post");
    assert!(field(&page, "date").starts_with("2024-03-01"), "{page}");
    assert_eq!(field(&page, "tags"), "alpha,beta");
}

#[test]
fn toml_front_matter_is_read() {
    let site = TestSite::from_fixture("front_matter");
    site.build().success();
    let page = site.read("blog/toml/index.html");
    assert_eq!(field(&page, "title"), "TOML post");
    assert!(field(&page, "date").starts_with("2024-03-02"), "{page}");
    assert_eq!(field(&page, "tags"), "gamma,delta");
}

#[test]
fn issue_22_json_front_matter_is_read() {
    let site = TestSite::from_fixture("front_matter");
    site.write_file(
        "content/blog/json.md",
        "{\n  \"title\": \"JSON post\",\n  \"date\": \"2024-03-04\",\n  \"tags\": [\"eta\", \"theta\"]\n}\n\nThe body.\n",
    );
    site.build().success();
    let page = site.read("blog/json/index.html");
    assert_eq!(field(&page, "title"), "JSON post");
    assert!(field(&page, "date").starts_with("2024-03-04"), "{page}");
    assert_eq!(field(&page, "tags"), "eta,theta");
    let content = page.split_once("content: ").unwrap().1;
    assert_eq!(content.trim(), "<p>The body.</p>", "{page}");
}

#[test]
fn issue_22_broken_json_front_matter_is_an_error_at_its_line() {
    let site = TestSite::from_fixture("front_matter");
    site.write_file("content/blog/json.md", "{\n  \"title\": \"JSON post\"\n  \"draft\": true\n}\nBody.\n");
    let stderr = site.build().failure().stderr();
    assert!(stderr.contains("error: invalid front matter in `content/blog/json.md`"), "{stderr}");
    assert!(stderr.contains("--> content/blog/json.md:3:3"), "{stderr}");
}

#[test]
fn file_without_front_matter_takes_its_title_from_the_first_heading() {
    let site = TestSite::from_fixture("front_matter");
    site.build().success();
    let page = site.read("blog/no-front-matter/index.html");
    assert_eq!(field(&page, "title"), "Heading Title");
    assert!(site.read("blog/index.html").contains("Heading Title|/blog/no-front-matter/"));
    assert!(!page.contains("<h1"), "the heading that became the title is not repeated: {page}");
    assert!(page.contains("<p>No front matter here.</p>"), "{page}");
}

#[test]
fn file_without_front_matter_or_heading_takes_its_title_from_the_file_name() {
    let site = TestSite::from_fixture("front_matter");
    site.build().success();
    let page = site.read("blog/untitled/index.html");
    assert_eq!(field(&page, "title").to_lowercase(), "untitled", "{page}");
}

#[test]
fn bom_and_crlf_files_are_read() {
    let site = TestSite::from_fixture("line_endings");
    site.write_bytes(
        "content/blog/yaml-crlf-bom.md",
        b"\xEF\xBB\xBF---\r\ntitle: YAML CRLF\r\ndate: 2024-05-02\r\n---\r\n\r\nHello *yaml*.\r\n\r\nSecond paragraph.\r\n",
    );
    site.write_bytes(
        "content/blog/toml-crlf.md",
        b"+++\r\ntitle = \"TOML CRLF\"\r\ndate = 2024-05-01\r\n+++\r\n\r\nHello *toml*.\r\n",
    );
    site.write_bytes("content/blog/bom-only.md", b"\xEF\xBB\xBF# BOM heading\r\n\r\nNo front matter.\r\n");
    site.build().success();

    let yaml = site.read("blog/yaml-crlf-bom/index.html");
    assert!(yaml.contains("title: YAML CRLF\n"), "{yaml:?}");
    assert!(field(&yaml, "date").starts_with("2024-05-02"), "{yaml}");
    assert!(yaml.contains("<em>yaml</em>"), "{yaml}");
    assert!(!yaml.contains("---"), "front matter leaked into the body: {yaml}");

    let toml = site.read("blog/toml-crlf/index.html");
    assert!(toml.contains("title: TOML CRLF\n"), "{toml:?}");
    assert!(field(&toml, "date").starts_with("2024-05-01"), "{toml}");
    assert!(toml.contains("<em>toml</em>"), "{toml}");
    assert!(!toml.contains("+++"), "front matter leaked into the body: {toml}");

    let bom = site.read("blog/bom-only/index.html");
    assert!(bom.contains("title: BOM heading\n"), "{bom:?}");

    for (name, text) in [("yaml", &yaml), ("toml", &toml), ("bom", &bom)] {
        assert!(!text.contains('\u{feff}'), "{name}: BOM in the output");
    }
    let listed = titles(&site.read("blog/index.html"));
    for title in ["YAML CRLF", "TOML CRLF", "BOM heading"] {
        assert!(listed.iter().any(|t| t == title), "{title} not listed: {listed:?}");
    }
    let position = |title: &str| listed.iter().position(|t| t == title);
    assert!(position("YAML CRLF") < position("TOML CRLF"), "{listed:?}");
}
