//! A build whose inputs and output are as the last build left them is skipped; any change to
//! either builds again, and gives what a clean build gives.

use std::collections::BTreeMap;

use crate::support::{files, mtimes, rewrite_keeping_size_and_mtime, TestSite};

const SKIPPED: &str = "nothing changed since the last build";

/// `quire -v build` with extra args and environment; returns whether the build was skipped.
fn build(site: &TestSite, args: &[&str], env: &[(&str, &str)]) -> bool {
    let mut cmd = site.command();
    cmd.arg("-v").arg("build").args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    site.run_command(cmd).success().stderr().contains(SKIPPED)
}

/// The files a clean build of the site gives, built aside without any cache.
fn clean_build(site: &TestSite, args: &[&str], env: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    let aside = site.tmp().join("clean");
    let _ = std::fs::remove_dir_all(&aside);
    let mut cmd = site.command();
    cmd.env("QUIRE_CACHE_DIR", "").arg("build").arg("-o").arg(&aside).args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    site.run_command(cmd).success();
    files(&aside)
}

#[test]
fn a_build_with_nothing_changed_is_skipped_and_touches_nothing() {
    let site = TestSite::from_fixture("rebuild");
    assert!(!build(&site, &[], &[]), "the first build has nothing to skip");
    let before = (files(&site.public()), mtimes(&site.public()));
    assert!(build(&site, &[], &[]), "the second build was not skipped");
    assert_eq!((files(&site.public()), mtimes(&site.public())), before);
}

/// A change: what it is, what it does to the site, then the build's arguments and environment.
type Case =
    (&'static str, Box<dyn Fn(&TestSite)>, &'static [&'static str], &'static [(&'static str, &'static str)]);

#[test]
fn any_change_to_inputs_or_output_builds_again_as_a_clean_build() {
    let site = TestSite::from_fixture("rebuild");
    build(&site, &[], &[]);
    let changes: Vec<Case> = vec![
        (
            "a post",
            Box::new(|s| {
                s.write_file("content/blog/keep.md", "---\ntitle: Kept\ndate: 2024-01-01\n---\n\nNew body.\n")
            }),
            &[],
            &[],
        ),
        (
            "a template",
            Box::new(|s| s.write_file("templates/page.html", "page {{ page.title }}\n")),
            &[],
            &[],
        ),
        ("a static file", Box::new(|s| s.write_file("static/site.css", "body { color: red }\n")), &[], &[]),
        (
            "the config",
            Box::new(|s| {
                let config = std::fs::read_to_string(s.root().join("config.toml")).unwrap();
                s.write_file("config.toml", &format!("{config}\n[extra]\nnote = \"x\"\n"));
            }),
            &[],
            &[],
        ),
        ("an environment override", Box::new(|_| {}), &[], &[("QUIRE_TITLE", "From the environment")]),
        ("a flag", Box::new(|_| {}), &["--drafts"], &[]),
        (
            "a deleted output file",
            Box::new(|s| std::fs::remove_file(s.output("blog/old/index.html")).unwrap()),
            &[],
            &[],
        ),
        (
            "an extra output file",
            Box::new(|s| std::fs::write(s.output("stray.html"), "stray").unwrap()),
            &[],
            &[],
        ),
        (
            "an edited output file",
            Box::new(|s| std::fs::write(s.output("blog/keep/index.html"), "edited").unwrap()),
            &[],
            &[],
        ),
    ];
    for (what, change, args, env) in changes {
        // Settle without flags first; a flag or an environment value is then the change itself.
        build(&site, &[], &[]);
        assert!(build(&site, &[], &[]), "{what}: an unchanged build was not skipped");
        change(&site);
        assert!(!build(&site, args, env), "{what}: the build was skipped");
        assert_eq!(files(&site.public()), clean_build(&site, args, env), "{what}");
    }
}

#[test]
fn a_skipped_build_prints_the_warnings_again() {
    let site = TestSite::from_fixture("rebuild");
    site.write_file(
        "content/blog/liquid.md",
        "---\ntitle: Liquid\ndate: 2024-02-01\n---\n\n{% include note.html %}\n",
    );
    let first = site.build().success().stderr();
    assert!(first.contains("include note.html"), "{first}");
    let mut cmd = site.command();
    cmd.arg("-v").arg("build");
    let second = site.run_command(cmd).success().stderr();
    assert!(second.contains(SKIPPED), "{second}");
    assert!(second.contains("include note.html"), "{second}");
}

#[test]
fn issue_21_a_static_file_edited_with_its_size_and_time_kept_is_copied_again() {
    let site = TestSite::from_fixture("rebuild");
    site.write_file("static/site.css", "body { color: blue }\n");
    build(&site, &[], &[]);
    assert!(build(&site, &[], &[]), "an unchanged build was not skipped");
    rewrite_keeping_size_and_mtime(&site.root().join("static/site.css"), b"body { color: gray }\n");
    assert!(!build(&site, &[], &[]), "the build was skipped");
    assert_eq!(site.read("site.css"), "body { color: gray }\n");
    assert_eq!(files(&site.public()), clean_build(&site, &[], &[]));
}

#[test]
fn issue_21_a_bundle_asset_edited_with_its_size_and_time_kept_is_copied_again() {
    let site = TestSite::from_fixture("rebuild");
    site.write_file(
        "content/blog/bundle/index.md",
        "---\ntitle: Bundle\ndate: 2024-03-01\n---\n\nA bundle.\n",
    );
    site.write_file("content/blog/bundle/note.txt", "first note\n");
    build(&site, &[], &[]);
    assert!(build(&site, &[], &[]), "an unchanged build was not skipped");
    rewrite_keeping_size_and_mtime(&site.root().join("content/blog/bundle/note.txt"), b"other note\n");
    assert!(!build(&site, &[], &[]), "the build was skipped");
    assert_eq!(site.read("blog/bundle/note.txt"), "other note\n");
    assert_eq!(files(&site.public()), clean_build(&site, &[], &[]));
}
