//! `quire completions SHELL` and `quire man` (issue 22).

use crate::support::TestSite;

#[test]
fn issue_22_completions_are_printed_for_bash_zsh_and_fish() {
    let site = TestSite::empty();
    let bash = site.run(&["completions", "bash"]).success();
    assert!(bash.stdout().contains("complete -F _quire"), "{}", bash.stdout());
    assert!(bash.stdout().contains("highlight-css"), "{}", bash.stdout());
    let zsh = site.run(&["completions", "zsh"]).success();
    assert!(zsh.stdout().starts_with("#compdef quire"), "{}", zsh.stdout());
    let fish = site.run(&["completions", "fish"]).success();
    assert!(fish.stdout().contains("complete -c quire"), "{}", fish.stdout());
}

#[test]
fn issue_22_an_unknown_shell_is_refused_with_the_known_ones() {
    let site = TestSite::empty();
    let run = site.run(&["completions", "tcsh"]).failure();
    assert!(run.stderr().contains("bash, zsh, fish, elvish, powershell"), "{}", run.stderr());
}

#[test]
fn issue_22_the_man_page_is_printed_as_roff() {
    let site = TestSite::empty();
    let run = site.run(&["man"]).success();
    let page = run.stdout();
    assert!(page.contains(".TH quire 1"), "{page}");
    assert!(page.contains("quire\\-build(1)"), "{page}");
}

#[test]
fn issue_22_man_out_dir_writes_a_page_per_command() {
    let site = TestSite::empty();
    let dir = site.tmp().join("man1");
    site.run(&["man", "--out-dir", dir.to_str().unwrap()]).success();
    for page in ["quire.1", "quire-build.1", "quire-serve.1", "quire-completions.1"] {
        assert!(dir.join(page).is_file(), "{page} missing");
    }
    assert!(!dir.join("quire-help.1").exists());
    let build = std::fs::read_to_string(dir.join("quire-build.1")).unwrap();
    assert!(build.contains("\\-\\-drafts"), "{build}");
}
