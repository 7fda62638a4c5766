//! Data files (issue 27): the files under `data/` as `data.NAME` in templates, and
//! `load_data` for data files elsewhere in the site, never outside it.

use crate::support::{items, TestSite};

#[test]
fn data_files_are_data_in_templates() {
    let site = TestSite::from_fixture("data_files");
    site.build().success();
    let talks = site.read("talks/index.html");
    assert_eq!(
        items(&talks)[..2],
        [
            "Fast builds|RustConf|2025".to_string(),
            // Autoescaped like any other value.
            "Data: files &amp; &lt;templates&gt;|FOSDEM|2026".to_string()
        ]
    );
    assert!(talks.contains("born: 1815\n"), "{talks}");
}

#[test]
fn load_data_reads_csv_json_and_text_files_inside_the_site() {
    let site = TestSite::from_fixture("data_files");
    site.build().success();
    let talks = site.read("talks/index.html");
    assert_eq!(items(&talks)[2..], ["Dune by Frank Herbert", "Emma by Jane Austen"]);
    assert!(talks.contains("api: 2\n"), "{talks}");
    assert!(talks.contains("note: A note in plain text.\n"), "{talks}");
    // `@/` is `content/`; a quoted field keeps its comma.
    assert_eq!(items(&site.read("notes/index.html")), ["January=120", "February=1,340"]);
}

#[test]
fn data_files_are_not_published() {
    let site = TestSite::from_fixture("data_files");
    site.build().success();
    assert!(!site.output("data").exists());
    assert!(!site.output("talks.yaml").exists());
}

#[test]
fn load_data_refuses_a_path_outside_the_site() {
    let site = TestSite::from_fixture("data_files");
    std::fs::write(site.tmp().join("secret.json"), "{\"password\": \"hunter2\"}").unwrap();
    for path in ["../secret.json", "data/../../secret.json", "/etc/hostname", "https://example.com/a.json"] {
        site.write_file("templates/page.html", &format!("{{{{ load_data(path=\"{path}\") }}}}\n"));
        let run = site.build().failure();
        let stderr = run.stderr();
        assert!(stderr.contains("templates/page.html"), "{stderr}");
        assert!(stderr.contains(&format!("`load_data`: `{path}` is")), "{stderr}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
}

#[test]
fn load_data_names_the_file_line_and_column_of_a_broken_file() {
    let site = TestSite::from_fixture("data_files");
    site.write_file("static/api.json", "{\n  \"version\": 2,\n  \"tags\": [\"a\" \"b\"]\n}\n");
    let stderr = site.build().failure().stderr();
    assert!(stderr.contains("templates/talks.html"), "{stderr}");
    assert!(stderr.contains("static/api.json:3:"), "{stderr}");
}

#[test]
fn load_data_without_a_known_format_asks_for_one() {
    let site = TestSite::from_fixture("data_files");
    site.write_file("templates/page.html", "{{ load_data(path=\"data/notes.txt\") }}\n");
    let stderr = site.build().failure().stderr();
    assert!(stderr.contains("add `format=…`"), "{stderr}");
}
