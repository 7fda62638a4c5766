//! Outputs in any format (issue 27): a page `path` with an extension writes that file,
//! templates under `templates/outputs/` write a file each, and the JSON filters.

use crate::support::{field, TestSite};

fn json(site: &TestSite, path: &str) -> serde_json::Value {
    let text = site.read(path);
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("`{path}` is not JSON ({error}):\n{text}"))
}

#[test]
fn a_page_path_with_an_extension_writes_that_exact_file() {
    let site = TestSite::from_fixture("outputs");
    site.build().success();
    assert!(!site.output("search.json/index.html").exists());
    let search = json(&site, "search.json");
    assert_eq!(search[1]["title"], "First <post>");
    assert_eq!(search[0]["url"], "https://example.com/blog/second/");
    // Not an HTML page: not in the sitemap.
    assert!(!site.read("sitemap.xml").contains("search.json"));
}

#[test]
fn templates_under_outputs_write_the_file_of_their_name() {
    let site = TestSite::from_fixture("outputs");
    site.build().success();
    assert_eq!(site.read("humans.txt"), "/* TEAM */\nSite: Outputs\nPath: /humans.txt\n");
    let posts = json(&site, "api/posts.json");
    assert_eq!(posts.as_array().map(Vec::len), Some(2));
    assert_eq!(posts[0]["permalink"], "https://example.com/blog/second/");
}

#[test]
fn json_encode_is_escaped_in_html_and_jsonify_is_safe_in_a_script() {
    let site = TestSite::from_fixture("outputs");
    site.build().success();
    let page = site.read("blog/first/index.html");
    assert_eq!(field(&page, "encoded"), "&quot;First &lt;post&gt;&quot;");
    assert!(page.contains("<script>const page = \"First \\u003cpost\\u003e\";</script>"), "{page}");
}

#[test]
fn a_template_output_replaces_the_built_in_file_of_its_path() {
    let site = TestSite::from_fixture("outputs");
    site.write_file("templates/outputs/sitemap.xml", "<urlset>{{ config.title }}</urlset>\n");
    site.write_file("templates/outputs/atom.xml", "<feed>mine</feed>\n");
    site.build().success();
    assert_eq!(site.read("sitemap.xml"), "<urlset>Outputs</urlset>\n");
    assert_eq!(site.read("atom.xml"), "<feed>mine</feed>\n");
    assert!(site.read("rss.xml").contains("<rss"));
}

#[test]
fn a_template_output_without_an_extension_is_an_error() {
    let site = TestSite::from_fixture("outputs");
    site.write_file("templates/outputs/humans", "hi\n");
    let stderr = site.build().failure().stderr();
    assert!(stderr.contains("templates/outputs/humans"), "{stderr}");
    assert!(stderr.contains("has no file extension"), "{stderr}");
}

#[test]
fn two_outputs_claiming_one_path_are_an_error_naming_both() {
    let site = TestSite::from_fixture("outputs");
    site.write_file(
        "content/humans.md",
        "---\ntitle: Humans\npath: humans.txt\ntemplate: search.json\n---\n",
    );
    let stderr = site.build().failure().stderr();
    assert!(
        stderr.contains("content/humans.md") && stderr.contains("templates/outputs/humans.txt"),
        "{stderr}"
    );
    site.remove_file("content/humans.md");

    site.write_file("static/humans.txt", "static\n");
    let stderr = site.build().failure().stderr();
    assert!(
        stderr.contains("`static/humans.txt`") && stderr.contains("templates/outputs/humans.txt"),
        "{stderr}"
    );
    site.remove_file("static/humans.txt");

    site.write_file("content/other.md", "---\ntitle: Other\npath: search.json\n---\n");
    let stderr = site.build().failure().stderr();
    assert!(stderr.contains("content/other.md") && stderr.contains("content/search.md"), "{stderr}");
}
