//! Stage 5, write: the only code that writes the output folder.
//!
//! It brings the folder up to date with what was rendered: a file whose bytes are already
//! there is not touched (its mtime stays), a changed file is written to a temporary file and
//! renamed over the old one, a new file is written in place, and files no longer produced are
//! removed. It runs only after
//! every render succeeded, so a failed build never reaches it.
//!
//! A one-shot build hands each rendered file to [`Staging`] as soon as it is rendered: the
//! bytes are compared with the output folder's file and, when they differ, written to a
//! folder beside it, and then dropped. Holding every rendered file in memory until the end
//! was the largest part of a build's peak memory (3.2 GB at 100,000 highlighted posts). The
//! output folder itself is still touched only here, after everything succeeded: staged files
//! are renamed into place (or, when there was no output folder, the staging folder becomes
//! it, in one rename).

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::error::{Error, Result};

/// One file the output must contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path under the output folder, with `/` separators.
    pub output_path: String,
    /// Where its bytes come from.
    pub contents: Contents,
}

/// The bytes of an output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// Rendered in memory (shared with the render cache, hence the `Arc`).
    Bytes(Arc<[u8]>),
    /// Copied from a file on disk (static files, images beside posts).
    Copy(PathBuf),
    /// Written already to this file in the staging folder, to be moved into place. The stamp
    /// is the file's as written: a rename keeps it, so it need not be read again.
    Staged { path: PathBuf, stamp: Option<SizeAndTime> },
    /// Already in the output folder, at this path, byte for byte.
    InPlace(PathBuf),
}

/// A folder beside the output folder that rendered files are written to as they are
/// rendered, so that a build need not hold them all in memory. It is deleted when dropped
/// (after a failed build, with everything in it).
#[derive(Debug)]
pub struct Staging {
    output_dir: PathBuf,
    folder: tempfile::TempDir,
    /// Whether the output folder was missing or empty when staging began: every file is then
    /// staged, and the staging folder becomes the output folder.
    whole: bool,
}

/// Prefix of staging folders, beside the output folder.
const STAGING_PREFIX: &str = ".quire-staging-";

impl Staging {
    /// A new, empty staging folder beside `output_dir` (or inside it, when its parent may not
    /// be written), on the same file system so that its files can be renamed into place.
    ///
    /// # Errors
    /// `Error::OutputNotDir` when the output path is a file; `Error::Write` when the folder
    /// cannot be made.
    pub fn beside(output_dir: &Path) -> Result<Staging> {
        if output_dir.exists() && !output_dir.is_dir() {
            return Err(Error::OutputNotDir { path: output_dir.to_path_buf() });
        }
        let parent = match output_dir.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let whole = fs::read_dir(output_dir).map_or(true, |mut entries| entries.next().is_none());
        let prefix = format!("{STAGING_PREFIX}{}-", std::process::id());
        let staging = |dir: &Path| tempfile::Builder::new().prefix(&prefix).tempdir_in(dir);
        sweep_abandoned(parent);
        let beside = fs::create_dir_all(parent).and_then(|()| staging(parent));
        let (folder, whole) = match beside {
            Ok(folder) => (folder, whole),
            // A folder that may not be written beside (`/var/www/site` with `/var/www` the
            // server's): inside it then, as a dot-folder that the write leaves alone.
            Err(error) => match staging(output_dir) {
                Ok(folder) => (folder, false),
                Err(_) => return Err(Error::Write { path: parent.to_path_buf(), source: error }),
            },
        };
        Ok(Staging { output_dir: output_dir.to_path_buf(), folder, whole })
    }

    /// Writes `bytes` to the staging folder unless the output folder holds them already at
    /// `output_path`, and says which.
    ///
    /// # Errors
    /// `Error::Write` when the staged file cannot be written.
    pub fn stage(&self, output_path: &str, bytes: &[u8]) -> Result<Contents> {
        if !self.whole {
            let target = self.output_dir.join(output_path);
            if fs::symlink_metadata(&target).is_ok_and(|meta| same_bytes(&target, &meta, bytes)) {
                return Ok(Contents::InPlace(target));
            }
        }
        let staged = self.folder.path().join(output_path);
        if let Some(parent) = staged.parent() {
            fs::create_dir_all(parent)
                .map_err(|source| Error::Write { path: parent.to_path_buf(), source })?;
        }
        let stamp =
            write_file(&staged, bytes).map_err(|source| Error::Write { path: staged.clone(), source })?;
        Ok(Contents::Staged { path: staged, stamp })
    }

    /// Makes the staging folder the output folder, if the output folder is still missing or
    /// empty and every file was staged; then staged files are already where they belong.
    /// Returns whether it did.
    fn become_output(&self) -> bool {
        // An empty output folder makes way; one that is no longer empty stays.
        self.whole
            && (!self.output_dir.exists() || fs::remove_dir(&self.output_dir).is_ok())
            && fs::rename(self.folder.path(), &self.output_dir).is_ok()
    }
}

/// What a write changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or rewritten.
    pub written: usize,
    /// Files already up to date.
    pub unchanged: usize,
    /// Stale files deleted.
    pub removed: usize,
}

/// Prefix of temporary files, so a crash never leaves one that looks like output.
const TEMP_PREFIX: &str = ".quire-tmp-";

/// Makes `output_dir` hold exactly `files` (dot-files at any level are left alone).
///
/// # Errors
/// `Error::OutputNotDir` when the output path is a file; `Error::Write`/`Error::Read` for I/O.
pub fn write(output_dir: &Path, files: &[OutputFile]) -> Result<WriteReport> {
    write_stamped(output_dir, files, None).map(|(report, _)| report)
}

/// A file in the output folder as the write left it: path under the folder, size, and
/// modification time in nanoseconds since the epoch.
pub type OutputStamp = (String, u64, u128);

/// A file's size and modification time in nanoseconds since the epoch.
pub type SizeAndTime = (u64, u128);

/// Whether a file was written, and its size and time after the write.
type Synced = (bool, Option<SizeAndTime>);

/// [`write`], also returning the stamp of every file in `files`, in their order (`None` when
/// the file system gives no modification times). The build memo records them, so it need not
/// walk and stat the output again. `staging` is where `files`' staged contents are.
///
/// # Errors
/// As [`write`].
pub fn write_stamped(
    output_dir: &Path,
    files: &[OutputFile],
    staging: Option<Staging>,
) -> Result<(WriteReport, Option<Vec<OutputStamp>>)> {
    if output_dir.exists() && !output_dir.is_dir() {
        return Err(Error::OutputNotDir { path: output_dir.to_path_buf() });
    }
    check_sources(files)?;
    let moved_whole = staging.as_ref().is_some_and(Staging::become_output);
    fs::create_dir_all(output_dir)
        .map_err(|source| Error::Write { path: output_dir.to_path_buf(), source })?;
    let place = |file: &OutputFile| -> Result<Synced> {
        match &file.contents {
            // The whole folder was renamed: the file is in place, with its time.
            Contents::Staged { stamp, .. } if moved_whole => Ok((true, *stamp)),
            _ => sync_file(output_dir, file),
        }
    };
    let results: Vec<Result<Synced>> = crate::io_pool::run(|| files.par_iter().map(place).collect());
    // Only now: dropping the staging folder deletes what is left in it.
    drop(staging);
    let mut report = WriteReport::default();
    let mut errors = Vec::new();
    let mut stamps = Vec::with_capacity(files.len());
    for (file, result) in files.iter().zip(results) {
        match result {
            Ok((written, stamp)) => {
                if written {
                    report.written += 1;
                } else {
                    report.unchanged += 1;
                }
                stamps.push(stamp.map(|(size, modified)| (file.output_path.clone(), size, modified)));
            }
            Err(error) => errors.push(error),
        }
    }
    Error::fail_if_any(errors)?;
    let stamps = stamps.into_iter().collect();
    // A renamed staging folder holds only this build's files: nothing is stale in it.
    if !moved_whole {
        let wanted: HashSet<PathBuf> = files.iter().map(|f| output_dir.join(&f.output_path)).collect();
        report.removed = remove_stale(output_dir, &wanted)?;
    }
    Ok((report, stamps))
}

/// A file's size and modification time in nanoseconds, if the system keeps the time.
pub fn stamp(meta: &fs::Metadata) -> Option<SizeAndTime> {
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), modified))
}

/// Opens every file to copy before anything is written, so that an unreadable static file
/// fails the build with the output untouched instead of halfway through updating it.
fn check_sources(files: &[OutputFile]) -> Result<()> {
    let errors: Vec<Error> = files
        .par_iter()
        .filter_map(|file| match &file.contents {
            Contents::Copy(source) => {
                fs::File::open(source).err().map(|error| Error::Read { path: source.clone(), source: error })
            }
            Contents::Bytes(_) | Contents::Staged { .. } | Contents::InPlace(_) => None,
        })
        .collect();
    Error::fail_if_any(errors)?;
    Ok(())
}

/// Deletes the staging folders in `dir` of builds that ended without cleaning up (killed,
/// or the machine stopped): their names carry the process id, and that process is gone.
fn sweep_abandoned(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid =
            name.strip_prefix(STAGING_PREFIX).and_then(|rest| rest.split('-').next()?.parse::<u32>().ok());
        if pid.is_some_and(|pid| !is_running(pid)) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process with this id is running; where that cannot be asked, assumed so.
fn is_running(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else { return true };
        // `EPERM` means it runs as another user: running all the same.
        !matches!(rustix::process::test_kill_process(pid), Err(rustix::io::Errno::SRCH))
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Writes one file if its bytes differ; returns whether it wrote, and the file's stamp.
fn sync_file(output_dir: &Path, file: &OutputFile) -> Result<Synced> {
    let target = output_dir.join(&file.output_path);
    let bytes: std::borrow::Cow<'_, [u8]> = match &file.contents {
        Contents::Bytes(bytes) => bytes.as_ref().into(),
        Contents::Copy(source) => fs::read(source)
            .map_err(|source_error| Error::Read { path: source.clone(), source: source_error })?
            .into(),
        Contents::Staged { path: staged, stamp } => {
            return move_into_place(staged, &target, output_dir).map(|()| (true, *stamp))
        }
        Contents::InPlace(target) => {
            let meta = fs::metadata(target).map_err(|source| Error::Read { path: target.clone(), source })?;
            return Ok((false, stamp(&meta)));
        }
    };
    let existing = fs::symlink_metadata(&target).ok();
    if let Some(meta) = existing.as_ref().filter(|meta| same_bytes(&target, meta, &bytes)) {
        return Ok((false, stamp(meta)));
    }
    let parent = target.parent().unwrap_or(output_dir);
    fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_path_buf(), source })?;
    if existing.is_none() {
        // Nothing to protect: write in place, saving the temporary file's inode and rename
        // (a clean build creates every file this way). `create_new` fails rather than follow
        // anything that appeared meanwhile; then the careful path below runs.
        if let Some(stamp) = write_new(&target, &bytes)? {
            return Ok((true, stamp));
        }
    }
    let file_name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = parent.join(format!("{TEMP_PREFIX}{file_name}"));
    let written = write_file(&temp, &bytes).map_err(|source| Error::Write { path: temp.clone(), source })?;
    if target.is_dir() {
        // A folder where a file must go (a page became a static file): the file wins.
        fs::remove_dir_all(&target).map_err(|source| Error::Write { path: target.clone(), source })?;
    }
    fs::rename(&temp, &target).map_err(|source| {
        let _ = fs::remove_file(&temp);
        Error::Write { path: target.clone(), source }
    })?;
    Ok((true, written))
}

/// Moves a staged file to `target`, replacing what is there (the rename keeps its stamp).
fn move_into_place(staged: &Path, target: &Path, output_dir: &Path) -> Result<()> {
    let parent = target.parent().unwrap_or(output_dir);
    fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_path_buf(), source })?;
    if target.is_dir() {
        // A folder where a file must go (a page became a static file): the file wins.
        fs::remove_dir_all(target).map_err(|source| Error::Write { path: target.to_path_buf(), source })?;
    }
    fs::rename(staged, target).map_err(|source| Error::Write { path: target.to_path_buf(), source })
}

/// Creates or truncates `path` with `bytes`; returns the written file's stamp.
fn write_file(path: &Path, bytes: &[u8]) -> io::Result<Option<SizeAndTime>> {
    fill(fs::File::create(path)?, bytes)
}

/// Writes `bytes` into the open `file`; returns its stamp, read from the handle.
fn fill(mut file: fs::File, bytes: &[u8]) -> io::Result<Option<SizeAndTime>> {
    use std::io::Write as _;
    file.write_all(bytes)?;
    Ok(file.metadata().ok().as_ref().and_then(stamp))
}

/// Creates `target`, which did not exist, with `bytes`, and returns its stamp; `None` if
/// something is there now. A write that fails halfway removes the partial file.
fn write_new(target: &Path, bytes: &[u8]) -> Result<Option<Option<SizeAndTime>>> {
    let file = match fs::File::create_new(target) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => return Ok(None),
        Err(source) => return Err(Error::Write { path: target.to_path_buf(), source }),
    };
    let stamp = fill(file, bytes).map_err(|source| {
        let _ = fs::remove_file(target);
        Error::Write { path: target.to_path_buf(), source }
    })?;
    Ok(Some(stamp))
}

fn same_bytes(path: &Path, meta: &fs::Metadata, bytes: &[u8]) -> bool {
    meta.is_file()
        && meta.len() == bytes.len() as u64
        && fs::read(path).is_ok_and(|existing| existing == bytes)
}

/// Deletes files under `output_dir` that are not wanted, then the folders left empty.
fn remove_stale(output_dir: &Path, wanted: &HashSet<PathBuf>) -> Result<usize> {
    let mut removed = 0;
    let mut dirs = Vec::new();
    // Folders holding a kept file: never empty, so not worth a `rmdir` (a site has a folder
    // per page, so trying them all costs a system call per page).
    let mut kept_in: HashSet<PathBuf> = HashSet::new();
    let walker = WalkDir::new(output_dir).min_depth(1).into_iter().filter_entry(|entry| {
        let name = entry.file_name().to_string_lossy();
        !name.starts_with('.') || name.starts_with(TEMP_PREFIX)
    });
    for entry in walker {
        let entry = entry.map_err(|e| Error::Read {
            path: e.path().map_or_else(|| output_dir.to_path_buf(), Path::to_path_buf),
            source: e.into_io_error().unwrap_or_else(|| io::Error::other("walk failed")),
        })?;
        let path = entry.path();
        if entry.file_type().is_dir() {
            dirs.push(path.to_path_buf());
        } else if wanted.contains(path) {
            if let Some(parent) = path.parent() {
                kept_in.insert(parent.to_path_buf());
            }
        } else {
            fs::remove_file(path).map_err(|source| Error::Write { path: path.to_path_buf(), source })?;
            removed += 1;
        }
    }
    // Deepest first, so a folder is empty once its children are gone. A folder `rmdir` refuses
    // still holds something (a dot-file, a folder kept): its parent stays too.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for dir in dirs {
        if kept_in.contains(&dir) || fs::remove_dir(&dir).is_err() {
            if let Some(parent) = dir.parent() {
                kept_in.insert(parent.to_path_buf());
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(path: &str, text: &str) -> OutputFile {
        OutputFile { output_path: path.into(), contents: Contents::Bytes(text.as_bytes().into()) }
    }

    /// Stages `files` beside `out`, as a build does while rendering.
    fn staged(out: &Path, files: &[(&str, &str)]) -> (Staging, Vec<OutputFile>) {
        let staging = Staging::beside(out).unwrap();
        let outputs = files
            .iter()
            .map(|(path, text)| OutputFile {
                output_path: (*path).into(),
                contents: staging.stage(path, text.as_bytes()).unwrap(),
            })
            .collect();
        (staging, outputs)
    }

    /// Names in `dir` that are staging folders.
    fn staging_folders(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(STAGING_PREFIX))
            .collect()
    }

    #[test]
    fn staged_files_become_the_output_folder_when_there_was_none() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let (staging, files) = staged(&out, &[("a/index.html", "A"), ("feed.xml", "F")]);
        assert!(files.iter().all(|f| matches!(f.contents, Contents::Staged { .. })));
        assert!(!out.exists(), "staging touches no output");
        let (report, stamps) = write_stamped(&out, &files, Some(staging)).unwrap();
        assert_eq!(report, WriteReport { written: 2, unchanged: 0, removed: 0 });
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "A");
        assert_eq!(fs::read_to_string(out.join("feed.xml")).unwrap(), "F");
        let size_of = |stamps: &[OutputStamp], path: &str| stamps.iter().find(|s| s.0 == path).unwrap().1;
        assert_eq!(size_of(stamps.as_deref().unwrap(), "feed.xml"), 1);
        assert_eq!(staging_folders(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn staging_over_an_output_writes_only_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[bytes("a/index.html", "A"), bytes("b/index.html", "B"), bytes("c/index.html", "C")])
            .unwrap();
        let kept = fs::metadata(out.join("a/index.html")).unwrap().modified().unwrap();
        let (staging, files) = staged(&out, &[("a/index.html", "A"), ("b/index.html", "B2"), ("d.txt", "D")]);
        assert!(matches!(files[0].contents, Contents::InPlace(_)), "same bytes are not staged");
        assert_eq!(fs::read_to_string(out.join("b/index.html")).unwrap(), "B", "not yet written");
        let (report, _) = write_stamped(&out, &files, Some(staging)).unwrap();
        assert_eq!(report, WriteReport { written: 2, unchanged: 1, removed: 1 });
        assert_eq!(fs::read_to_string(out.join("b/index.html")).unwrap(), "B2");
        assert_eq!(fs::read_to_string(out.join("d.txt")).unwrap(), "D");
        assert!(!out.join("c").exists(), "stale file removed");
        assert_eq!(fs::metadata(out.join("a/index.html")).unwrap().modified().unwrap(), kept);
        assert_eq!(staging_folders(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_staging_dropped_before_the_write_leaves_the_output_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[bytes("a/index.html", "A")]).unwrap();
        let (staging, _) = staged(&out, &[("a/index.html", "A2"), ("b/index.html", "B")]);
        assert_eq!(staging_folders(dir.path()).len(), 1);
        drop(staging);
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "A");
        assert!(!out.join("b").exists());
        assert_eq!(staging_folders(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn the_staging_of_a_build_that_was_killed_is_swept_and_a_running_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // Pid 0x7fff_fffe is above any system's limit: that build is gone.
        let abandoned = dir.path().join(format!("{STAGING_PREFIX}{}-abc", 0x7fff_fffe));
        fs::create_dir_all(abandoned.join("blog/a")).unwrap();
        fs::write(abandoned.join("blog/a/index.html"), "A").unwrap();
        let running = dir.path().join(format!("{STAGING_PREFIX}{}-xyz", std::process::id()));
        fs::create_dir(&running).unwrap();
        let staging = Staging::beside(&out).unwrap();
        assert!(!abandoned.exists(), "an abandoned staging folder is swept");
        assert!(running.exists(), "a running build's staging folder is kept");
        drop(staging);
        assert!(running.exists());
    }

    #[test]
    fn writes_changed_skips_same_removes_stale() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = write(&out, &[bytes("a/index.html", "A"), bytes("b/index.html", "B")]).unwrap();
        assert_eq!(first, WriteReport { written: 2, unchanged: 0, removed: 0 });
        fs::write(out.join(".nojekyll"), "").unwrap();
        let second = write(&out, &[bytes("a/index.html", "A2")]).unwrap();
        assert_eq!(second, WriteReport { written: 1, unchanged: 0, removed: 1 });
        assert!(!out.join("b").exists(), "empty folder removed");
        assert!(out.join(".nojekyll").exists(), "dot-files are kept");
        let third = write(&out, &[bytes("a/index.html", "A2")]).unwrap();
        assert_eq!(third, WriteReport { written: 0, unchanged: 1, removed: 0 });
    }

    #[test]
    fn stamps_are_what_the_folder_holds_after_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[bytes("a/index.html", "A"), bytes("b/index.html", "B")]).unwrap();
        // One file kept, one replaced through a temporary file, one new.
        let files =
            [bytes("a/index.html", "A"), bytes("b/index.html", "B, longer"), bytes("c/index.html", "C")];
        let (report, stamps) = write_stamped(&out, &files, None).unwrap();
        assert_eq!(report, WriteReport { written: 2, unchanged: 1, removed: 0 });
        let on_disk: Vec<OutputStamp> = files
            .iter()
            .map(|file| {
                let (size, time) = stamp(&fs::metadata(out.join(&file.output_path)).unwrap()).unwrap();
                (file.output_path.clone(), size, time)
            })
            .collect();
        assert_eq!(stamps.unwrap(), on_disk);
    }

    #[test]
    fn emptied_folders_go_and_folders_with_dot_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(
            &out,
            &[bytes("a/b/c/index.html", "C"), bytes("d/e/index.html", "E"), bytes("f/index.html", "F")],
        )
        .unwrap();
        fs::write(out.join("d/.keep"), "").unwrap();
        let report = write(&out, &[bytes("f/index.html", "F")]).unwrap();
        assert_eq!(report.removed, 2);
        assert!(!out.join("a").exists(), "a folder emptied at every level goes");
        assert!(!out.join("d/e").exists(), "an emptied folder goes");
        assert!(out.join("d/.keep").exists(), "a folder holding a dot-file stays, with it");
        assert!(out.join("f/index.html").exists());
    }

    #[test]
    fn issue_8_unreadable_source_fails_before_any_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[bytes("a/index.html", "A")]).unwrap();
        let missing = OutputFile {
            output_path: "site.css".into(),
            contents: Contents::Copy(dir.path().join("static/gone.css")),
        };
        let result = write(&out, &[bytes("a/index.html", "A2"), missing]);
        assert!(matches!(result, Err(Error::Read { .. })), "{result:?}");
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "A");
    }

    #[test]
    fn output_that_is_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::write(&out, "not a folder").unwrap();
        assert!(matches!(write(&out, &[]), Err(Error::OutputNotDir { .. })));
        assert_eq!(fs::read_to_string(&out).unwrap(), "not a folder");
    }
}
