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
