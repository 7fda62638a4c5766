//! Shell completions and manual pages, generated from the command-line types in `cli.rs`.
//!
//! The only module that uses `clap_complete` and `clap_mangen`. It describes the command line;
//! it does not parse it or run anything.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory as _;
use clap_complete::Shell as CompleteShell;

use crate::cli::{Cli, Shell};
use crate::error::{Error, Result};

/// Writes the completion script of `quire` for `shell` to `out`.
///
/// # Errors
/// The error of `out`, such as a closed pipe.
pub fn write_completions(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    let shell = match shell {
        Shell::Bash => CompleteShell::Bash,
        Shell::Zsh => CompleteShell::Zsh,
        Shell::Fish => CompleteShell::Fish,
        Shell::Elvish => CompleteShell::Elvish,
        Shell::PowerShell => CompleteShell::PowerShell,
    };
    let mut command = Cli::command();
    // clap_complete writes into a `Write` it owns by `&mut`; a buffer lets a write error surface.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "quire", &mut script);
    out.write_all(&script)?;
    out.flush()
}

/// Writes the manual page of `quire` (section 1, roff) to `out`.
///
/// # Errors
/// The error of `out`, such as a closed pipe.
pub fn write_man_page(out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(&render(clap_mangen::Man::new(man_command())))?;
    out.flush()
}

/// Writes `quire.1` and one `quire-COMMAND.1` per command into `dir` (created if missing), and
/// returns the paths written, `quire.1` first.
///
/// # Errors
/// `Error::Write` naming the folder or page that could not be written.
pub fn write_man_pages(dir: &Path) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
    let mut command = man_command();
    command.build();
    let mut written = Vec::new();
    write_page_and_subpages(command, dir, &mut written)?;
    Ok(written)
}

/// The command as the man pages describe it: `help` is a page of its own in no one's interest.
fn man_command() -> clap::Command {
    Cli::command().disable_help_subcommand(true)
}

fn write_page_and_subpages(command: clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
    let man = clap_mangen::Man::new(command.clone());
    let path = dir.join(man.get_filename());
    fs::write(&path, render(man)).map_err(|source| Error::Write { path: path.clone(), source })?;
    written.push(path);
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        write_page_and_subpages(sub.clone(), dir, written)?;
    }
    Ok(())
}

fn render(man: clap_mangen::Man) -> Vec<u8> {
    let mut page = Vec::new();
    man.render(&mut page).expect("writing into a Vec cannot fail");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_that_names_the_commands() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Elvish, Shell::PowerShell] {
            let mut script = Vec::new();
            write_completions(shell, &mut script).expect("write into memory");
            let script = String::from_utf8(script).expect("a UTF-8 script");
            assert!(script.contains("quire"), "{shell:?}: {script}");
            assert!(script.contains("highlight-css"), "{shell:?}: {script}");
        }
    }

    #[test]
    fn the_man_page_lists_the_commands_and_global_options() {
        let mut page = Vec::new();
        write_man_page(&mut page).expect("write into memory");
        let page = String::from_utf8(page).expect("a UTF-8 page");
        assert!(page.starts_with(".ie"), "{page}");
        assert!(page.contains(".TH quire 1"), "{page}");
        for word in ["build", "serve", "completions", "\\-\\-root"] {
            assert!(page.contains(word), "{word} missing from {page}");
        }
    }
}
