//! Command line flags and environment overrides.

use crate::support::{field, TestSite};

#[test]
fn output_dir_flag_writes_the_site_elsewhere() {
    let site = TestSite::from_fixture("flags");
    let out = site.tmp().join("out");
    site.build_with(&["--output-dir", out.to_str().unwrap()]).success();
    assert!(out.join("blog/post/index.html").exists());
    assert!(out.join("index.html").exists());
    assert!(!site.public().exists(), "public/ was written too");
}

#[test]
fn base_url_flag_sets_permalinks() {
    let site = TestSite::from_fixture("flags");
    site.build_with(&["--base-url", "https://cdn.example.org/"]).success();
    let page = site.read("blog/post/index.html");
    assert_eq!(field(&page, "permalink"), "https://cdn.example.org/blog/post/");
    assert_eq!(field(&page, "current_url"), "https://cdn.example.org/blog/post/");
}

#[test]
fn quire_base_url_environment_variable_overrides_the_config() {
    let site = TestSite::from_fixture("flags");
    let mut cmd = site.command();
    cmd.env("QUIRE_BASE_URL", "https://env.example.net/").arg("build");
    site.run_command(cmd).success();
    let page = site.read("blog/post/index.html");
    assert_eq!(field(&page, "permalink"), "https://env.example.net/blog/post/");
}

#[test]
fn build_prints_a_summary() {
    let site = TestSite::from_fixture("flags");
    let run = site.build().success();
    assert!(!run.all_output().trim().is_empty(), "a build prints its summary line");
    insta::assert_snapshot!(run.report());
}

#[test]
fn quiet_flag_silences_a_successful_build() {
    let site = TestSite::from_fixture("flags");
    let run = site.run(&["--quiet", "build"]).success();
    assert_eq!(run.all_output(), "", "--quiet printed something");
    assert!(site.output("blog/post/index.html").exists());
}

#[test]
fn quire_title_environment_variable_overrides_the_config() {
    let site = TestSite::from_fixture("flags");
    let mut cmd = site.command();
    cmd.env("QUIRE_TITLE", "From the environment").arg("build");
    site.run_command(cmd).success();
    let page = site.read("blog/post/index.html");
    assert_eq!(field(&page, "site_title"), "From the environment");
}

#[test]
fn config_flag_reads_another_config_file() {
    let site = TestSite::from_fixture("flags");
    site.write_file("other.toml", "title = \"Other\"\nbase_url = \"https://other.example.com/\"\n");
    let other = site.root().join("other.toml");
    site.run(&["--config", other.to_str().unwrap(), "build"]).success();
    let page = site.read("blog/post/index.html");
    assert_eq!(field(&page, "site_title"), "Other");
    assert_eq!(field(&page, "permalink"), "https://other.example.com/blog/post/");
}

#[test]
fn issue_22_a_closed_stdout_ends_the_build_quietly() {
    let site = TestSite::from_fixture("flags");
    // A pipe whose reading end is closed before quire starts: its first line fails with
    // `EPIPE`, as `quire build | (exec 0<&-; sleep 0.3)` does.
    let (reader, writer) = std::io::pipe().expect("make a pipe");
    drop(reader);
    let mut cmd = site.command();
    cmd.arg("build").stdout(writer).stderr(std::process::Stdio::piped());
    let out = cmd.output().expect("run the quire binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "the binary panicked: {stderr}");
    assert_eq!(stderr, "", "a closed stdout is not worth a word");
    assert!(out.status.success(), "the build itself succeeded: {:?}", out.status);
    assert!(site.output("blog/post/index.html").exists());
}
