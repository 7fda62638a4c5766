//! The write's fallback when the output folder cannot be exchanged whole (it is a mount point,
//! or its file system has no hard links or no exchange call): staged files are renamed into
//! place one by one, after a journal listing every planned change has been written.
//!
//! The journal is the point of no return. Before it exists, the output is untouched. After
//! it, a build that is killed leaves it behind, and the next build finishes the moves before
//! doing anything else ([`finish`]); a build that fails while moving (a full disk) puts back
//! what it moved, since replaced and removed files are only moved aside, into the staging
//! folder, until the last move is done. It does not decide which files change: the write does.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::checkpoint;
#[cfg(test)]
use super::TREE;
use crate::error::{Error, Result};

/// The planned changes of one write, kept in its staging folder.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// The output folder, absolute.
    output: PathBuf,
    /// The staging tree, absolute.
    tree: PathBuf,
    /// Files no longer produced, as paths under the output folder.
    removals: Vec<String>,
    /// Staged files, as paths under the staging tree and, the same, under the output folder.
    moves: Vec<String>,
}

/// The journal's name in a staging folder.
const JOURNAL: &str = "journal";
/// Where replaced and removed files wait in a staging folder until the last move is done.
const OLD: &str = "old";

/// Makes the output folder hold the staged files of `tree` at `moves`, and no longer hold
/// `removals`; the journal and the files moved aside go in `folder`. Both are on the output's
/// file system.
///
/// # Errors
/// `Error::Write` when the journal cannot be written (nothing changed then) or a move fails
/// (what was moved is put back first; if even that fails, the staging folder is kept with its
/// journal, and the next build finishes the moves).
pub(super) fn apply(
    folder: &Path,
    tree: &Path,
    output_dir: &Path,
    removals: Vec<String>,
    moves: Vec<String>,
) -> Result<()> {
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let journal = Journal { output: absolute(output_dir), tree: absolute(tree), removals, moves };
    commit(folder, &journal)?;
    checkpoint("journal");
    let mut undo = Undo::default();
    if let Err(error) = forward(folder, &journal, &mut undo) {
        if undo.run(folder, &journal) {
            let _ = fs::remove_file(folder.join(JOURNAL));
        }
        return Err(error);
    }
    checkpoint("moved");
    remove_emptied(&journal.output, &journal.removals);
    let _ = fs::remove_file(folder.join(JOURNAL));
    Ok(())
}

/// Finishes the moves of the write that left `folder`, if it had written its journal; then
/// the folder can be deleted.
///
/// # Errors
/// `Error::Write` when a move cannot be finished (the journal stays for the next build).
pub(super) fn finish(folder: &Path) -> Result<()> {
    let path = folder.join(JOURNAL);
    let failed = |source| Error::Write { path: path.clone(), source };
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(failed(error)),
    };
    // Renamed into place whole, so never torn; anything else is not ours to act on.
    let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| failed(io::Error::other(e)))?;
    log::info!("finishing the interrupted update of `{}`", journal.output.display());
    for path in &journal.removals {
        let target = journal.output.join(path);
        match fs::remove_file(&target) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => {
                return Err(Error::Write { path: target, source: error })
            }
            _ => {}
        }
    }
    for path in &journal.moves {
        let staged = journal.tree.join(path);
        if fs::symlink_metadata(&staged).is_err() {
            continue; // moved before the build stopped
        }
        let target = journal.output.join(path);
        let moved = (|| {
            if fs::symlink_metadata(&target).is_ok_and(|meta| meta.is_dir()) {
                fs::remove_dir_all(&target)?;
            }
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::rename(&staged, &target)
        })();
        moved.map_err(|source| Error::Write { path: target.clone(), source })?;
    }
    remove_emptied(&journal.output, &journal.removals);
    fs::remove_file(&path).map_err(failed)
}

/// Writes the journal whole, durably, under its final name.
fn commit(folder: &Path, journal: &Journal) -> Result<()> {
    let part = folder.join("journal.part");
    let written = serde_json::to_vec(journal).map_err(io::Error::other).and_then(|bytes| {
        let mut file = fs::File::create(&part)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        fs::rename(&part, folder.join(JOURNAL))
    });
    written.map_err(|source| Error::Write { path: part, source })
}

/// Moves aside the removed files, then each staged file into place (moving aside what it
/// replaces), noting each step in `undo`.
fn forward<'a>(folder: &Path, journal: &'a Journal, undo: &mut Undo<'a>) -> Result<()> {
    let output = &journal.output;
    let old = folder.join(OLD);
    fn failed(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
        move |source| Error::Write { path: path.to_path_buf(), source }
    }
    for path in &journal.removals {
        checkpoint("removal");
        let target = output.join(path);
        let aside = old.join(path);
        create_parent(&aside).map_err(failed(&aside))?;
        match fs::rename(&target, &aside) {
            Ok(()) => undo.steps.push(Step::Aside(path)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(failed(&target)(error)),
        }
    }
    for path in &journal.moves {
        checkpoint("move");
        let target = output.join(path);
        if let Some(parent) = target.parent() {
            create_dirs(parent, &mut undo.created).map_err(failed(parent))?;
        }
        if fs::symlink_metadata(&target).is_ok() {
            let aside = old.join(path);
            create_parent(&aside).map_err(failed(&aside))?;
            fs::rename(&target, &aside).map_err(failed(&target))?;
            undo.steps.push(Step::Aside(path));
        }
        fs::rename(journal.tree.join(path), &target).map_err(failed(&target))?;
        undo.steps.push(Step::Moved(path));
    }
    Ok(())
}

/// What a write changed in the output so far, to be undone after a failure.
#[derive(Debug, Default)]
struct Undo<'a> {
    steps: Vec<Step<'a>>,
    /// Folders made in the output, in the order they were made.
    created: Vec<PathBuf>,
}

#[derive(Debug)]
enum Step<'a> {
    /// The output's file at this path went aside.
    Aside(&'a str),
    /// The staged file at this path went into the output.
    Moved(&'a str),
}

impl Undo<'_> {
    /// Undoes every step, last first; returns whether all of them were undone.
    fn run(&self, folder: &Path, journal: &Journal) -> bool {
        let output = &journal.output;
        let mut undone = true;
        for step in self.steps.iter().rev() {
            let result = match step {
                Step::Aside(path) => fs::rename(folder.join(OLD).join(path), output.join(path)),
                Step::Moved(path) => fs::rename(output.join(path), journal.tree.join(path)),
            };
            if let Err(error) = result {
                log::warn!("could not undo a change to `{}`: {error}", output.display());
                undone = false;
            }
        }
        for dir in self.created.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
        undone
    }
}

fn create_parent(path: &Path) -> io::Result<()> {
    path.parent().map_or(Ok(()), fs::create_dir_all)
}

/// Makes `dir` and its missing ancestors, noting each folder made in `created`.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, created)?;
    }
    fs::create_dir(dir)?;
    created.push(dir.to_path_buf());
    Ok(())
}

/// Deletes the folders under `output` that held removed files and are empty now, deepest
/// first.
pub(super) fn remove_emptied(output: &Path, removals: &[String]) {
    let mut dirs: Vec<&Path> = removals
        .iter()
        .flat_map(|path| Path::new(path).ancestors().skip(1))
        .filter(|d| !d.as_os_str().is_empty())
        .collect();
    dirs.sort_unstable_by(|a, b| b.components().count().cmp(&a.components().count()).then(a.cmp(b)));
    dirs.dedup();
    for dir in dirs {
        let _ = fs::remove_dir(output.join(dir));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A staging folder holding `staged` files, and an output folder holding `existing`.
    fn setup(staged: &[(&str, &str)], existing: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (folder, output) = (dir.path().join("staging"), dir.path().join("public"));
        for (root, files) in [(folder.join(TREE), staged), (output.clone(), existing)] {
            fs::create_dir_all(&root).unwrap();
            for (path, text) in files {
                create_parent(&root.join(path)).unwrap();
                fs::write(root.join(path), text).unwrap();
            }
        }
        (dir, folder, output)
    }

    #[test]
    fn moves_replace_and_removals_go_with_their_emptied_folders() {
        let (_dir, folder, output) = setup(
            &[("a/index.html", "A2"), ("n/m/index.html", "N")],
            &[("a/index.html", "A"), ("b/c/index.html", "B")],
        );
        let removals = vec!["b/c/index.html".to_string()];
        let moves = vec!["a/index.html".into(), "n/m/index.html".into()];
        apply(&folder, &folder.join(TREE), &output, removals, moves).unwrap();
        assert_eq!(fs::read_to_string(output.join("a/index.html")).unwrap(), "A2");
        assert_eq!(fs::read_to_string(output.join("n/m/index.html")).unwrap(), "N");
        assert!(!output.join("b").exists());
        assert!(!folder.join(JOURNAL).exists());
    }

    #[test]
    fn a_move_that_fails_puts_everything_back() {
        let (_dir, folder, output) =
            setup(&[("a/index.html", "A2")], &[("a/index.html", "A"), ("b.txt", "B")]);
        // The second move has no staged file: it fails after the first moved.
        let moves = vec!["a/index.html".to_string(), "z/missing.html".to_string()];
        let result = apply(&folder, &folder.join(TREE), &output, vec!["b.txt".into()], moves);
        assert!(matches!(result, Err(Error::Write { .. })), "{result:?}");
        assert_eq!(fs::read_to_string(output.join("a/index.html")).unwrap(), "A");
        assert_eq!(fs::read_to_string(output.join("b.txt")).unwrap(), "B");
        assert!(!output.join("z").exists(), "a folder made for the move is removed again");
        assert!(!folder.join(JOURNAL).exists());
    }

    #[test]
    fn a_journal_left_behind_is_finished() {
        let (_dir, folder, output) =
            setup(&[("a/index.html", "A2"), ("c.txt", "C")], &[("a/index.html", "A"), ("b/index.html", "B")]);
        let journal = Journal {
            output: output.clone(),
            tree: folder.join(TREE),
            removals: vec!["b/index.html".into()],
            moves: vec!["a/index.html".into(), "c.txt".into()],
        };
        commit(&folder, &journal).unwrap();
        // As if the build stopped after the first move.
        fs::rename(folder.join(TREE).join("a/index.html"), output.join("a/index.html")).unwrap();
        finish(&folder).unwrap();
        assert_eq!(fs::read_to_string(output.join("a/index.html")).unwrap(), "A2");
        assert_eq!(fs::read_to_string(output.join("c.txt")).unwrap(), "C");
        assert!(!output.join("b").exists());
        assert!(!folder.join(JOURNAL).exists());
    }

    #[test]
    fn a_folder_without_a_journal_has_nothing_to_finish() {
        let (_dir, folder, output) = setup(&[("a.txt", "A2")], &[("a.txt", "A")]);
        finish(&folder).unwrap();
        assert_eq!(fs::read_to_string(output.join("a.txt")).unwrap(), "A");
    }
}
