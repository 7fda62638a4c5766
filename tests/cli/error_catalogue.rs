//! The catalogue of broken sites (issue 8): every defect fails the build cleanly, names the file
//! (and line) at fault, gives a hint, and leaves the previous `public/` exactly as it was.
//!
//! Each case builds the good site `tests/fixtures/errors/base/` first, then copies
//! `tests/fixtures/errors/<defect>/` over it (or breaks it in code, for defects that cannot be
//! committed: huge, self-referential or permission-dependent files) and builds again.

use std::fs;
use std::path::Path;

use crate::support::{age_files, files, mtimes, Run, TestSite};

/// One test per committed defect: `name => "what stderr must contain"` (file, and line when
/// the defect has one). The fixture folder is `tests/fixtures/errors/<name>/`.
macro_rules! catalogue {
    ($($(#[$meta:meta])* $name:ident => $names:expr,)*) => {
        $(
            $(#[$meta])*
            #[test]
            fn $name() {
                let name = stringify!($name);
                broken_build(name, |site| site.add_fixture(&format!("errors/{name}")), &[$names]);
            }
        )*
    };
}

catalogue! {
    // Front matter.
    unclosed_front_matter => "content/blog/bad.md:1:1",
    invalid_yaml => "content/blog/bad.md:3:9",
    invalid_toml => "content/blog/bad.md:4:17",
    front_matter_not_a_map => "content/blog/bad.md:2",
    duplicate_key => "content/blog/bad.md:4:1",
    tags_not_a_list => "content/blog/bad.md:4:7",
    draft_not_a_bool => "content/blog/bad.md:4:8",
    date_wrong_type => "content/blog/bad.md:3:7",
    weight_not_a_number => "content/blog/bad.md:3:10",
    impossible_date => "content/blog/bad.md:3:7",
    unknown_sort_by => "content/blog/_index.md:3:10",
    unknown_taxonomy => "content/blog/bad.md:6",
    // Encoding.
    invalid_utf8 => "content/blog/bad.md:6:4",
    nul_byte => "content/blog/bad.md:6:7",
    // URLs.
    duplicate_url => "content/blog/same.md",
    alias_collision => "content/blog/other.md",
    invalid_alias => "content/blog/escape.md:3:10",
    slug_escapes => "content/blog/bad.md:4:7",
    slug_absolute => "content/blog/bad.md:4:7",
    path_escapes => "content/blog/bad.md:4:7",
    path_absolute => "content/blog/bad.md:4:7",
    path_percent_encoded => "content/blog/bad.md:4:7",
    // Templates.
    unknown_template => "content/blog/bad.md",
    unknown_section_template => "content/blog/_index.md",
    tera_syntax_error => "templates/page.html",
    tera_unclosed_block => "templates/section.html",
    undefined_variable => "templates/page.html",
    unknown_filter => "templates/page.html",
    template_includes_itself => "templates/page.html",
    template_extends_itself => "templates/section.html",
    missing_get_url => "templates/page.html",
    load_data_outside_site => "templates/page.html",
    // Data files (issue 27).
    data_invalid_yaml => "data/talks.yaml:4:2",
    data_invalid_json => "data/talks.json:4:1",
    data_invalid_toml => "data/talks.toml:2:8",
    data_ragged_csv => "data/talks.csv:3:1",
    data_name_taken => "data/talks.yaml",
    // Config and theme.
    config_invalid_toml => "config.toml:1:17",
    config_wrong_type => "config.toml:3:15",
    config_unknown_feed_content => "config.toml:3:16",
    base_url_invalid => "config.toml:2:12",
    timezone_unknown => "config.toml:3:12",
    missing_theme => "themes/hyde",
    // Markdown: links and shortcodes (issue 5).
    broken_internal_link => "content/blog/bad.md",
    broken_anchor => "content/blog/bad.md",
    shortcode_bad_arguments => "content/blog/bad.md",
    // Stylesheets.
    sass_syntax_error => "sass/site.scss:5:9",
}

#[test]
fn config_missing() {
    broken_build("config_missing", |site| site.remove_file("config.toml"), &["[ROOT]", "config.toml"]);
}

#[cfg(unix)]
#[test]
fn symlink_loop_in_content() {
    broken_build(
        "symlink_loop_in_content",
        |site| symlink_dir("..", &site.root().join("content/blog/loop")),
        &["content/blog/loop"],
    );
}

#[cfg(unix)]
#[test]
fn unreadable_post() {
    unreadable("unreadable_post", "content/blog/good.md");
}

/// Static files are read while the output is written: the check must come before any write.
#[cfg(unix)]
#[test]
fn unreadable_static_file() {
    unreadable("unreadable_static_file", "static/site.css");
}

/// `chmod 000` on `rel`, after a change to the post that a partial write would show.
#[cfg(unix)]
fn unreadable(name: &str, rel: &str) {
    let probe = good_site();
    let file = probe.root().join(rel);
    set_mode(&file, 0o000);
    if fs::read(&file).is_ok() {
        // Root (as in CI) reads files whatever their mode: the defect cannot be made here.
        println!("skipped {name}: `chmod 000` does not stop this user from reading files (root?)");
        return;
    }
    broken_build(
        name,
        |site| {
            site.write_file("templates/page.html", "{{ page.content | safe }}");
            set_mode(&site.root().join(rel), 0o000);
        },
        &[rel],
    );
}

#[test]
fn output_dir_that_is_a_file() {
    let site = good_site();
    site.write_file("out", "not a folder\n");
    let out = site.root().join("out");
    let run = site.build_with(&["--output-dir", &out.display().to_string()]).failure();
    assert_reported(&run, &["[ROOT]/out"]);
    assert_eq!(fs::read_to_string(site.root().join("out")).unwrap(), "not a folder\n");
    insta::assert_snapshot!("output_dir_that_is_a_file", run.report());
}

/// Valid but extreme inputs build: no stack overflow, no panic, and the page is written.
#[test]
fn deeply_nested_lists_and_block_quotes_build() {
    let site = good_site();
    site.write_file("templates/page.html", "{{ page.content | safe }}");
    let front = "---\ntitle: Deep\ndate: 2024-05-01\n---\n\n";
    site.write_file("content/blog/lists.md", &format!("{front}{}a\n", "- ".repeat(10_000)));
    site.write_file("content/blog/quotes.md", &format!("{front}{}a\n", "> ".repeat(10_000)));
    site.write_file("content/blog/mixed.md", &format!("{front}{}a\n", "> - 1. ".repeat(3_400)));
    site.build().success();
    assert_eq!(site.read("blog/lists/index.html").matches("<ul>").count(), 10_000);
    assert_eq!(site.read("blog/quotes/index.html").matches("<blockquote>").count(), 10_000);
    assert!(site.read("blog/mixed/index.html").contains("<ol>"));
}

#[test]
fn twenty_megabyte_post_builds() {
    let site = good_site();
    site.write_file("templates/page.html", "{{ page.content | safe }}");
    let paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(20) + "\n\n";
    let body = paragraph.repeat(20 * 1024 * 1024 / paragraph.len() + 1);
    site.write_file("content/blog/big.md", &format!("---\ntitle: Big\ndate: 2024-05-01\n---\n\n{body}"));
    site.build().success();
    assert!(fs::metadata(site.output("blog/big/index.html")).unwrap().len() > 20 * 1024 * 1024);
}

/// The good base site, built once so that it has a `public/` to protect.
fn good_site() -> TestSite {
    let site = TestSite::from_fixture("errors/base");
    site.build().success();
    site
}

/// Builds the base site, breaks it with `breakage`, builds again and checks the failure.
#[track_caller]
fn broken_build(name: &str, breakage: impl FnOnce(&TestSite), names: &[&str]) {
    let site = good_site();
    let past = age_files(&site.public());
    let before = files(&site.public());
    assert!(before.contains_key("blog/good/index.html"), "the good build wrote nothing");

    breakage(&site);
    let run = site.build().failure();

    assert_reported(&run, names);
    assert!(files(&site.public()) == before, "the failed build changed public/\n{}", run.report());
    let rewritten: Vec<String> =
        mtimes(&site.public()).into_iter().filter(|(_, t)| *t != past).map(|(f, _)| f).collect();
    assert!(rewritten.is_empty(), "the failed build rewrote {rewritten:?}");
    insta::assert_snapshot!(name, run.report());
}

#[track_caller]
fn assert_reported(run: &Run, names: &[&str]) {
    let stderr = run.stderr();
    for name in names {
        assert!(stderr.contains(name), "stderr does not name `{name}`\n{}", run.report());
    }
    assert!(stderr.contains("\nhint: "), "no hint\n{}", run.report());
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(unix)]
fn symlink_dir(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("create a symlink");
}
