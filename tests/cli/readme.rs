//! The README's first steps, as a newcomer reads them (issue 22).

use std::path::Path;

/// The commands of the README's first ```sh block, without their comments.
fn first_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    let block = readme.split("```sh\n").nth(1).expect("a ```sh block").split("```").next().unwrap();
    block
        .lines()
        .map(|line| line.split(" #").next().unwrap().trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn issue_22_the_readme_installs_quire_before_using_it() {
    let commands = first_commands();
    let install = commands.iter().position(|c| c == "cargo install --locked --path .");
    let first_use = commands.iter().position(|c| c.starts_with("quire "));
    assert_eq!(install, Some(0), "{commands:?}");
    assert!(first_use.is_some(), "the first block shows quire at work: {commands:?}");
}

#[test]
fn issue_22_the_readme_says_what_the_first_build_costs() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    let install = readme.split("## Command line").next().unwrap();
    assert!(install.contains("first build"), "{install}");
    assert!(install.contains("minutes"), "{install}");
}
