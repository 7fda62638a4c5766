//! Building over a previous build: failures change nothing, stale files go, unchanged files
//! are left alone.

use crate::support::{age_files, files, mtimes, TestSite};

#[test]
fn failed_parse_leaves_the_previous_public_unchanged() {
    let site = TestSite::from_fixture("rebuild");
    site.build().success();
    let past = age_files(&site.public());
    let before = files(&site.public());
    assert!(before.contains_key("blog/keep/index.html"), "the first build wrote nothing");

    site.write_file("content/blog/keep.md", "---\ntitle: a: b\n---\n\nBroken.\n");
    site.build().failure();

    assert_eq!(files(&site.public()), before);
    assert!(mtimes(&site.public()).values().all(|t| *t == past), "files were rewritten");
}

#[test]
fn failed_render_leaves_the_previous_public_unchanged() {
    let site = TestSite::from_fixture("rebuild");
    site.build().success();
    let past = age_files(&site.public());
    let before = files(&site.public());
    assert!(before.contains_key("blog/keep/index.html"), "the first build wrote nothing");

    site.write_file("content/blog/new.md", "---\ntitle: New\ndate: 2024-03-01\n---\n\nNew.\n");
    site.write_file(
        "templates/page.html",
        "title: {{ page.title }}\nbroken: {{ get_url(path=\"@/nope.md\") }}\n",
    );
    site.build().failure();

    assert_eq!(files(&site.public()), before);
    assert!(mtimes(&site.public()).values().all(|t| *t == past), "files were rewritten");
    assert_eq!(staging_folders(&site), Vec::<String>::new(), "the pages rendered before the failure stay");
}

/// Folders a build wrote rendered pages to beside the output, if any were left.
fn staging_folders(site: &TestSite) -> Vec<String> {
    std::fs::read_dir(site.public().parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".quire-staging-"))
        .collect()
}

#[test]
fn a_rebuild_moves_changed_pages_into_place_and_leaves_no_staging_behind() {
    let site = TestSite::from_fixture("rebuild");
    site.build().success();
    assert_eq!(staging_folders(&site), Vec::<String>::new(), "a first build's staging becomes the output");
    let past = age_files(&site.public());
    site.write_file("content/blog/keep.md", "---\ntitle: Kept, retitled\ndate: 2024-01-01\n---\n\nKeep.\n");
    site.build().success();
    assert!(site.read("blog/keep/index.html").contains("Kept, retitled"));
    let changed: Vec<_> =
        mtimes(&site.public()).into_iter().filter(|(_, t)| *t != past).map(|(p, _)| p).collect();
    assert!(changed.contains(&"blog/keep/index.html".to_string()), "{changed:?}");
    assert!(!changed.contains(&"site.css".to_string()), "an unchanged file was rewritten: {changed:?}");
    assert_eq!(staging_folders(&site), Vec::<String>::new());
}

#[test]
fn stale_files_are_removed_on_rebuild() {
    let site = TestSite::from_fixture("rebuild");
    site.build().success();
    assert!(site.output("blog/old/index.html").exists());
    assert!(site.output("site.css").exists());

    site.remove_file("content/blog/old.md");
    site.remove_file("static/site.css");
    site.build().success();

    assert!(!site.output("blog/old/index.html").exists());
    assert!(!site.output("site.css").exists());
    assert!(site.output("blog/keep/index.html").exists());
    assert!(!site.read("blog/index.html").contains("Old"));
}

#[test]
fn rebuild_without_changes_leaves_files_untouched() {
    let site = TestSite::from_fixture("rebuild");
    site.build().success();
    let past = age_files(&site.public());
    let before = files(&site.public());
    assert!(before.contains_key("blog/keep/index.html"), "the first build wrote nothing");

    site.build().success();

    assert_eq!(files(&site.public()), before);
    let rewritten: Vec<String> =
        mtimes(&site.public()).into_iter().filter(|(_, t)| *t != past).map(|(f, _)| f).collect();
    assert!(rewritten.is_empty(), "rewritten with the same bytes: {rewritten:?}");
}

#[test]
fn rebuild_rewrites_only_the_files_that_changed() {
    let site = TestSite::from_fixture("rebuild");
    site.build().success();
    let past = age_files(&site.public());

    site.write_file("content/blog/keep.md", "---\ntitle: Kept\ndate: 2024-01-01\n---\n\nBody.\n");
    site.build().success();

    let mtimes = mtimes(&site.public());
    assert_ne!(mtimes["blog/keep/index.html"], past, "the changed page was not rewritten");
    assert!(site.read("blog/keep/index.html").contains("title: Kept"));
    assert_eq!(mtimes["blog/old/index.html"], past, "an unchanged page was rewritten");
    assert_eq!(mtimes["site.css"], past, "an unchanged static file was rewritten");
}

/// `quire -v build`; returns what it logged.
fn build_logged(site: &TestSite) -> String {
    let mut cmd = site.command();
    cmd.arg("-v").arg("build");
    site.run_command(cmd).success().stderr()
}

const RECORD_USED: &str = "the output is as the last write left it";

#[test]
fn issue_29_an_output_dropped_between_two_builds_is_removed_by_the_last_build_s_record() {
    let site = TestSite::from_fixture("rebuild");
    site.build().success();
    site.remove_file("content/blog/old.md");
    let logged = build_logged(&site);
    assert!(logged.contains(RECORD_USED), "the record was not used:\n{logged}");
    assert!(!site.output("blog/old/index.html").exists());
    assert!(!site.output("blog/old").exists(), "its emptied folder goes too");
    site.remove_file("static/site.css");
    assert!(build_logged(&site).contains(RECORD_USED));
    assert!(!site.output("site.css").exists());
    assert!(site.output("blog/keep/index.html").exists());
}

#[test]
fn issue_29_files_put_in_public_by_hand_are_kept_if_dot_files_and_removed_if_not() {
    let site = TestSite::from_fixture("rebuild");
    site.build().success();
    let put = |rel: &str| {
        let path = site.output(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, rel).unwrap();
    };
    // At the top (the output folder itself changed: the next build walks it).
    put(".nojekyll");
    put("CNAME.txt");
    put("blog/keep/.htaccess");
    let edit = |n: usize| {
        site.write_file(
            "content/blog/keep.md",
            &format!("---\ntitle: Keep {n}\ndate: 2024-01-01\n---\n\nBody.\n"),
        )
    };
    edit(1);
    site.build().success();
    // Only below the top (the next build lists just the folders changed since the last).
    put("blog/keep/.later");
    put("blog/keep/notes.txt");
    put("blog/extra/x.txt");
    put("blog/extra/.keep");
    for n in 2..4 {
        edit(n);
        let logged = build_logged(&site);
        assert!(logged.contains(RECORD_USED), "the record was not used:\n{logged}");
        for kept in [".nojekyll", "blog/keep/.htaccess", "blog/keep/.later", "blog/extra/.keep"] {
            assert_eq!(site.read(kept), kept, "a dot-file put in public/ by hand is kept");
        }
        for removed in ["CNAME.txt", "blog/keep/notes.txt", "blog/extra/x.txt"] {
            assert!(!site.output(removed).exists(), "`{removed}` was not removed");
        }
        assert!(site.read("blog/keep/index.html").contains(&format!("title: Keep {n}\n")));
    }
}
