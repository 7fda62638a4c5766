//! Coloured reports (issue 22): colour on a terminal, plain text anywhere else or with `NO_COLOR`.

use std::process::Command;

use crate::support::TestSite;

const ESC: char = '\u{1b}';

/// A site whose build fails with a located error, and the `quire build` command for it with
/// no colour setting from the test's own environment.
fn broken_site() -> TestSite {
    let site = TestSite::from_fixture("errors/base");
    site.add_fixture("errors/impossible_date");
    site
}

fn build_command(site: &TestSite) -> Command {
    let mut cmd = site.command();
    for key in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"] {
        cmd.env_remove(key);
    }
    cmd.arg("build");
    cmd
}

#[test]
fn issue_22_errors_are_plain_text_when_stderr_is_not_a_terminal() {
    let site = broken_site();
    let run = site.run_command(build_command(&site)).failure();
    assert!(run.stderr().contains("error: invalid front matter"), "{}", run.stderr());
    assert!(!run.stderr().contains(ESC), "{:?}", run.stderr());
}

#[test]
fn issue_22_errors_are_coloured_when_colour_is_asked_for() {
    let site = broken_site();
    let mut cmd = build_command(&site);
    cmd.env("CLICOLOR_FORCE", "1");
    let run = site.run_command(cmd).failure();
    let stderr = run.stderr();
    assert!(stderr.contains(&format!("{ESC}[31merror:")), "{stderr:?}");
    assert!(stderr.contains(&format!("{ESC}[36mhint:")), "{stderr:?}");
    assert!(stderr.contains("^^^^^^^^^^"), "{stderr:?}");
}

#[test]
fn issue_22_no_color_wins_over_forced_colour() {
    let site = broken_site();
    let mut cmd = build_command(&site);
    cmd.env("CLICOLOR_FORCE", "1").env("NO_COLOR", "1");
    let run = site.run_command(cmd).failure();
    assert!(run.stderr().contains("error: invalid front matter"), "{}", run.stderr());
    assert!(!run.stderr().contains(ESC), "{:?}", run.stderr());
}

/// On a real terminal (a pseudo-terminal made by util-linux `script`): coloured, unless
/// `NO_COLOR` is set.
#[cfg(target_os = "linux")]
#[test]
fn issue_22_a_terminal_gets_colour_unless_no_color_is_set() {
    let site = broken_site();
    let on_a_terminal = |no_color: Option<&str>| {
        let quire = env!("CARGO_BIN_EXE_quire");
        let root = site.root().display();
        let mut cmd = Command::new("script");
        cmd.args(["--quiet", "--return", "--command"])
            .arg(format!("'{quire}' --root '{root}' build"))
            .arg("/dev/null")
            .env("QUIRE_CACHE_DIR", site.cache_dir())
            .env("TERM", "xterm-256color")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE");
        match no_color {
            Some(value) => cmd.env("NO_COLOR", value),
            None => cmd.env_remove("NO_COLOR"),
        };
        let out = cmd.output().expect("run `script` (util-linux)");
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let coloured = on_a_terminal(None);
    assert!(coloured.contains("error:") && coloured.contains(ESC), "{coloured:?}");
    let plain = on_a_terminal(Some("1"));
    assert!(plain.contains("error: invalid front matter"), "{plain:?}");
    assert!(!plain.contains(ESC), "{plain:?}");
}
