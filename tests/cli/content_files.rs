//! Files other than pages: page bundles, `static/`, and files that must be ignored.

use std::fs;

use crate::support::{field, titles, TestSite};

#[test]
fn page_bundle_files_are_copied_next_to_the_page() {
    let site = TestSite::from_fixture("bundles");
    site.build().success();
    assert!(site.output("blog/bundle/index.html").exists());
    assert_eq!(
        fs::read(site.output("blog/bundle/photo.jpg")).unwrap(),
        fs::read(site.root().join("content/blog/bundle/photo.jpg")).unwrap()
    );
    assert_eq!(site.read("blog/bundle/data/notes.txt"), "nested asset\n");
    let page = site.read("blog/bundle/index.html");
    assert!(field(&page, "assets").contains("photo.jpg"), "{page}");
    assert!(!site.output("blog/bundle/index/index.html").exists());
    insta::assert_snapshot!(site.output_tree());
}

#[test]
fn static_files_are_copied_as_is() {
    let site = TestSite::from_fixture("static_files");
    site.build().success();
    for file in ["robots.txt", "css/site.css", "img/dot.png"] {
        assert_eq!(
            fs::read(site.output(file)).unwrap_or_default(),
            fs::read(site.root().join("static").join(file)).unwrap(),
            "{file}"
        );
    }
    insta::assert_snapshot!(site.output_tree());
}

#[test]
fn hidden_and_editor_temp_files_are_ignored() {
    let site = TestSite::from_fixture("hidden_files");
    let post = |title: &str| format!("---\ntitle: {title}\ndate: 2024-02-01\n---\n\nBody.\n");
    site.write_file("content/blog/.hidden.md", &post("Hidden"));
    site.write_file("content/blog/backup.md~", &post("Backup"));
    site.write_file("content/blog/#autosave.md#", &post("Autosave"));
    site.write_file("content/blog/.visible.md.swp", &post("Swap"));
    site.write_file("content/blog/bundle/photo.jpg~", "old photo");
    site.write_file("content/blog/bundle/#notes.txt#", "autosave");
    site.write_file("content/blog/bundle/.DS_Store", "junk");
    site.write_file("content/blog/bundle/.notes.txt.swp", "swap");
    site.build().success();

    assert_eq!(titles(&site.read("blog/index.html")), ["Visible", "Bundle"]);
    let tree = site.output_tree();
    for needle in ["hidden", "backup", "autosave", "swp", "~", "#", "DS_Store"] {
        assert!(!tree.contains(needle), "`{needle}` in the output:\n{tree}");
    }
    let assets = field(&site.read("blog/bundle/index.html"), "assets");
    assert!(assets.contains("photo.jpg"), "{assets}");
    for needle in ["~", "#", "DS_Store", "swp"] {
        assert!(!assets.contains(needle), "`{needle}` in assets: {assets}");
    }
    insta::assert_snapshot!(tree);
}

#[test]
fn issue_22_markdown_extensions_are_pages_and_drafts_stay_unpublished() {
    let site = TestSite::from_fixture("bundles");
    let post =
        |title: &str, draft: bool| format!("---\ntitle: {title}\ndraft: {draft}\n---\n\nBody of {title}.\n");
    site.write_file("content/blog/a.markdown", &post("Long", false));
    site.write_file("content/blog/b.mdown", &post("Mdown", false));
    site.write_file("content/blog/c.mkd", &post("Mkd", false));
    site.write_file("content/blog/d.mkdn", &post("Mkdn", false));
    site.write_file("content/blog/secret.markdown", &post("Secret", true));
    site.write_file("content/notes/_index.markdown", "---\ntitle: Notes\n---\n");
    site.write_file("content/notes/trip/index.markdown", "---\ntitle: Trip\n---\n");
    site.write_file("content/notes/trip/map.svg", "<svg/>");
    site.build().success();

    let blog = site.read("blog/index.html");
    for title in ["Long", "Mdown", "Mkd", "Mkdn"] {
        assert!(blog.contains(&format!("<li>{title}|")), "{title} listed:\n{blog}");
    }
    assert!(site.read("blog/a/index.html").contains("title: Long"));
    assert!(site.read("notes/index.html").contains("title: Notes"), "a section index in .markdown");
    assert!(site.output("notes/trip/map.svg").exists(), "a bundle's asset beside its index.markdown");
    let tree = site.output_tree();
    for needle in ["secret", "Secret", ".markdown", ".mdown", ".mkd"] {
        assert!(!tree.contains(needle), "`{needle}` in the output:\n{tree}");
    }
}

#[test]
fn issue_22_a_content_file_with_front_matter_that_is_not_markdown_is_an_error() {
    let site = TestSite::from_fixture("bundles");
    site.write_file("content/blog/draft.txt", "---\ntitle: x\ndraft: true\n---\nsecret\n");
    site.write_file("content/blog/bundle/rule.txt", "-- not front matter\n");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("content/blog/draft.txt:1:1"), "{stderr}");
    assert!(stderr.contains("begins with front matter but is not Markdown"), "{stderr}");
    assert!(stderr.contains("rename it to `draft.md`"), "{stderr}");
    assert!(!stderr.contains("rule.txt"), "{stderr}");
    assert!(!site.output("blog/draft.txt").exists());
}

#[test]
fn issue_22_hidden_static_files_are_copied_but_not_tools_files() {
    let site = TestSite::from_fixture("static_files");
    site.write_file("static/.well-known/security.txt", "Contact: mailto:me@example.org\n");
    site.write_file("static/.nojekyll", "");
    site.write_file("static/.git/config", "[core]\n");
    site.write_file("static/.gitignore", "*.tmp\n");
    site.write_file("static/.well-known/.security.txt.swp", "swap");
    site.write_file("static/css/site.css~", "backup");
    site.write_file("static/.#site.css", "lock");
    site.write_file("content/.hidden.md", "---\ntitle: Hidden\n---\n");
    site.build().success();

    assert_eq!(site.read(".well-known/security.txt"), "Contact: mailto:me@example.org\n");
    assert!(site.output(".nojekyll").is_file());
    for gone in
        [".git", ".gitignore", ".well-known/.security.txt.swp", "css/site.css~", ".#site.css", ".hidden"]
    {
        assert!(!site.output(gone).exists(), "{gone} is in the output");
    }
}
