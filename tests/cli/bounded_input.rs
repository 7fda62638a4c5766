//! Input that would stall or flood a build is refused early and reported briefly (issue 29):
//! front matter nested a megabyte deep, in YAML and TOML, fails at once with the file, the
//! line, a hint, and a cut of the line around the column rather than all of it.

use std::time::Instant;

use crate::support::TestSite;

/// Builds the front matter fixture with `content/blog/deep.md` holding `text`; returns the
/// error report and how long the build took.
fn build_with_post(text: &str) -> (String, f64) {
    let site = TestSite::from_fixture("front_matter");
    site.write_file("content/blog/deep.md", text);
    let started = Instant::now();
    let run = site.build().failure();
    (run.stderr(), started.elapsed().as_secs_f64())
}

#[test]
fn issue_29_a_megabyte_of_nesting_in_front_matter_is_refused_with_a_short_report() {
    let cases = [
        ("YAML", format!("---\ntitle: Deep\ntags: {}\n---\nbody\n", "[".repeat(1_000_000))),
        ("TOML", format!("+++\ntitle = \"Deep\"\nextra = {}\n+++\nbody\n", "{ a = ".repeat(166_000))),
    ];
    for (format, text) in cases {
        let (report, seconds) = build_with_post(&text);
        println!(
            "{format}: {} KB of nesting refused; the whole build took {seconds:.3} s",
            text.len() / 1000
        );
        assert!(report.contains("content/blog/deep.md:3:"), "{format}: {report}");
        assert!(report.contains("nested more than 128 levels deep"), "{format}: {report}");
        assert!(report.contains("hint: front matter holds flat fields"), "{format}: {report}");
        // The 1 MB line is shown cut around the column, with an ellipsis.
        let shown = report.lines().find(|l| l.starts_with(" 3 | ")).expect("the source line");
        assert!(shown.starts_with(" 3 | …") && shown.ends_with('…'), "{format}: {shown}");
        assert!(report.len() < 2000, "{format}: a {} byte report", report.len());
    }
}
