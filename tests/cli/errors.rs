//! User errors: where they are, what to do about them, and never a panic.

use crate::support::TestSite;

#[test]
fn invalid_yaml_front_matter_fails_with_file_line_and_hint() {
    let site = TestSite::from_fixture("errors/invalid_yaml");
    let run = site.build().failure();
    let stderr = run.stderr();
    // `title: a: b` is on line 3 of the file (line 2 of the front matter block).
    assert!(stderr.contains("content/blog/bad.md:3"), "{stderr}");
    assert!(stderr.contains("hint"), "{stderr}");
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
    insta::assert_snapshot!(run.report());
}

#[test]
fn config_with_a_wrong_type_fails_with_file_and_line() {
    let site = TestSite::from_fixture("errors/config_wrong_type");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("config.toml:3"), "{stderr}");
    assert!(stderr.contains("paginate_by"), "{stderr}");
    insta::assert_snapshot!(run.report());
}

#[test]
fn config_with_an_unknown_key_warns_naming_the_nearest_known_key() {
    let site = TestSite::from_fixture("config_unknown_key");
    let run = site.build().success();
    let output = run.all_output();
    assert!(output.to_lowercase().contains("warn"), "{output}");
    assert!(output.contains("paginte_by"), "{output}");
    assert!(output.contains("paginate_by"), "{output}");
    assert!(site.output("blog/post/index.html").exists());
    insta::assert_snapshot!(run.report());
}

#[test]
fn odd_inputs_never_panic_and_errors_name_the_file() {
    let site = TestSite::from_fixture("line_endings");
    let inputs: [&[u8]; 18] = [
        b"",
        b"---\n",
        b"---\n---\n",
        b"+++\n+++\n",
        b"---\ntitle: unterminated\n",
        b"+++\ntitle = \"unterminated\"\n",
        b"---\n- a list\n- not a map\n---\n",
        b"---\ntitle: [1, 2]\n---\n",
        b"---\ndate: not-a-date\n---\n",
        b"---\ndate: 2024-13-45\n---\n",
        b"---\nslug: \"\"\n---\n",
        b"---\nslug: \"../../escape\"\n---\n",
        b"---\nweight: -1\ntags: 3\n---\n",
        b"\xff\xfe\x00not utf-8",
        b"\xEF\xBB\xBF",
        b"# \n\n<!-- more -->\n",
        b"Footnote without a definition[^1] and an unclosed <div>\n",
        b"---\ntitle: \"\\u0000\"\ndate: 0000-00-00\n---\n",
    ];
    for input in inputs {
        site.write_bytes("content/blog/odd.md", input);
        let run = site.build();
        let shown = String::from_utf8_lossy(input);
        assert!(!run.stderr.contains("panicked"), "input {shown:?}\n{}", run.report());
        assert!(run.status.code().is_some(), "input {shown:?}\n{}", run.report());
        if !run.status.success() {
            assert!(run.stderr.contains("odd.md"), "input {shown:?}\n{}", run.report());
        }
        assert!(
            !site.tmp().join("escape").exists() && !site.root().join("escape").exists(),
            "input {shown:?} wrote outside the output folder"
        );
    }
}

#[test]
fn issue_22_several_errors_in_one_file_each_name_their_file_and_line() {
    let site = TestSite::from_fixture("errors/base");
    site.add_fixture("errors/several_in_files");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(!stderr.contains("error: 2 errors"), "{stderr}");
    for place in ["content/blog/twice.md:6", "content/blog/twice.md:8", "content/blog/once.md:6"] {
        assert!(stderr.contains(place), "no error at {place}:\n{stderr}");
    }
    assert!(stderr.contains("error: the build failed with 3 errors"), "{stderr}");
}
