//! Stage 5, write: the only code that writes the output folder.
//!
//! It makes the folder hold exactly what was rendered, and changes it in one step: a build
//! killed at any moment, or failing for any reason (a full disk too), leaves the old folder or
//! the new one, never a mix, and no temporary file in it. A file whose bytes are already there
//! is not rewritten: it keeps its inode and its mtime.
//!
//! A one-shot build hands each rendered file to [`Staging`] as soon as it is rendered: the
//! bytes are compared with the output folder's file; when they differ they are written into a
//! new tree in a staging folder beside the output, and when they are the same the old file is
//! hard-linked into that tree. (Holding every rendered file in memory until the end was the
//! largest part of a build's peak memory: 3.2 GB at 100,000 highlighted posts.) Only after
//! everything succeeded are the new tree and the output folder exchanged, in one system call,
//! and the old tree deleted. Where that cannot be done (the output folder is a mount point, or
//! its file system has no hard links or no exchange call), staging sits inside the output
//! folder, in a dot-folder, and staged files are moved into place under a journal (see
//! `journal`) that the next build finishes if this one is killed.

pub mod compress;
mod journal;
mod system;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::error::{Error, Result};
use system::{Facts, Folder, Kind};

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
    /// Already in the output folder, at this path, byte for byte; with its stamp as found.
    InPlace { path: PathBuf, stamp: Option<SizeAndTime> },
}

impl Contents {
    /// The bytes, read from disk unless they are in memory (for tests and tools that compare
    /// outputs).
    pub fn read(&self) -> io::Result<Vec<u8>> {
        match self {
            Contents::Bytes(bytes) => Ok(bytes.to_vec()),
            Contents::Copy(path) | Contents::Staged { path, .. } | Contents::InPlace { path, .. } => {
                fs::read(path)
            }
        }
    }
}

/// A staging folder on the output folder's file system, holding the new output tree as it is
/// rendered, so that a build need not hold it in memory. It is deleted when dropped (after a
/// failed build, with everything in it).
#[derive(Debug)]
pub struct Staging {
    output_dir: PathBuf,
    folder: tempfile::TempDir,
    /// The new tree: in `folder`, or the spare tree (see [`Spare`]).
    tree: PathBuf,
    /// The spare tree's folder, locked, when the tree is the spare tree.
    spare: Option<Spare>,
    /// Whether the output folder was missing or empty when staging began: every file is then
    /// staged, and the tree becomes the output folder.
    whole: bool,
    /// Whether unchanged files are hard-linked into the tree, so that the tree can replace
    /// the output folder whole: staging is beside the output, and every link succeeded.
    linking: AtomicBool,
    /// The output folder, open, when it held anything: its files are compared through it.
    output: Option<Folder>,
    /// The spare tree, open, when the tree is the spare tree: its links are checked through it.
    spare_tree: Option<Folder>,
}

/// Prefix of staging folders, beside the output folder or, for a mount point, inside it.
const STAGING_PREFIX: &str = ".quire-staging-";

/// Prefix of the folder beside the output that keeps the tree the last exchange took out.
const SPARE_PREFIX: &str = ".quire-spare-";

/// The tree that the last exchange took out of the output folder, kept beside it to become
/// the next build's tree. Its files are hard links to the output's, but for those the last
/// build changed or removed, which it deletes: so it costs folders, not file contents, and a
/// build that changes one file makes one file and one link instead of a folder and a link for
/// every file of the site (24,000 metadata writes at 10,000 posts, and as many to delete the
/// old tree). Anything in it is checked before use: a file stays only if it is the output
/// file itself (same inode) and that holds the right bytes, and everything else goes.
#[derive(Debug)]
struct Spare {
    /// `.quire-spare-NAME/`, holding `lock` and `tree/`.
    folder: PathBuf,
    /// Locked while a build uses the spare tree: a second build at once makes its own.
    _lock: fs::File,
    /// Whether the last build that used it tidied it (see [`Spare::CLEAN`]): then it holds
    /// only links to the output's files, and only those the output holds now need looking at.
    clean: bool,
}

impl Spare {
    /// The spare folder of `output_dir`, locked, or `None` if another build holds it or it
    /// cannot be made.
    fn take(output_dir: &Path) -> Option<Spare> {
        let name = output_dir.file_name()?.to_string_lossy();
        let folder = parent_of(output_dir).join(format!("{SPARE_PREFIX}{name}"));
        fs::create_dir_all(&folder).ok()?;
        let lock =
            fs::OpenOptions::new().create(true).truncate(false).write(true).open(folder.join("lock")).ok()?;
        lock.try_lock().ok()?;
        // Taken away before the tree changes: a build that stops now leaves it unclean.
        let clean = fs::remove_file(folder.join(Spare::CLEAN)).is_ok();
        Some(Spare { folder, _lock: lock, clean })
    }

    /// A file in the spare folder saying that its tree holds nothing but hard links to the
    /// output folder's files (no dot-file, no file the output lacks), as the build that wrote
    /// it left it after the exchange.
    const CLEAN: &str = "clean";

    fn tree(&self) -> PathBuf {
        self.folder.join(TREE)
    }
}

/// The new tree's name in a staging folder.
const TREE: &str = "tree";

/// How many of the output's folders may have changed since the last write for the write to
/// list just those; past it, the whole output is walked.
const MAX_LISTED: usize = 256;

/// What a write leaves for the next write of the same folder to trust instead of walking the
/// folder: its stamp, to tell that it is still that folder, unchanged, and its dot-files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The output folder's device, inode and change time in nanoseconds after the write.
    pub folder: FolderStamp,
    /// Its dot-files and dot-folders (the outermost of each path), as paths under it.
    pub dotted: Vec<String>,
}

/// A folder's device, inode and change time in nanoseconds since the epoch.
pub type FolderStamp = (u64, u64, i128);

/// What the last write of an output folder left there, as recorded after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// Its trace.
    pub trace: Trace,
    /// Its files but dot-files, as sorted paths under the folder.
    pub files: Vec<String>,
}

/// What a write did and left.
#[derive(Debug)]
pub struct Written {
    /// What it changed.
    pub report: WriteReport,
    /// The stamp of every file, in the order given (`None` when the file system gives no
    /// modification times).
    pub stamps: Option<Vec<OutputStamp>>,
    /// What the next write may trust, when this one put its tree in place whole.
    pub trace: Option<Trace>,
}

impl Staging {
    /// A new, empty staging folder beside `output_dir` (or inside it, when it is a mount
    /// point or its parent may not be written), on the same file system so that its files can
    /// be renamed into place. Builds that ended without cleaning up are finished first (see
    /// [`recover`]).
    ///
    /// # Errors
    /// `Error::OutputNotDir` when the output path is a file; `Error::Write` when the folder
    /// cannot be made.
    pub fn beside(output_dir: &Path) -> Result<Staging> {
        if output_dir.exists() && !output_dir.is_dir() {
            return Err(Error::OutputNotDir { path: output_dir.to_path_buf() });
        }
        recover(output_dir)?;
        let parent = parent_of(output_dir);
        let empty = fs::read_dir(output_dir).map_or(true, |mut entries| entries.next().is_none());
        let prefix = format!("{STAGING_PREFIX}{}-", std::process::id());
        let staging = |dir: &Path| tempfile::Builder::new().prefix(&prefix).tempdir_in(dir);
        // A mount point can be neither replaced nor renamed into from another mount.
        let beside = if output_dir.is_dir() && system::is_mount_point(output_dir) {
            Err(io::Error::other("the output folder is a mount point"))
        } else {
            fs::create_dir_all(parent).and_then(|()| staging(parent))
        };
        let (folder, inside) = match beside {
            Ok(folder) => (folder, false),
            // Or a folder that may not be written beside (`/var/www/site` with `/var/www` the
            // server's): inside it then, as a dot-folder that the write leaves alone.
            Err(error) => match fs::create_dir_all(output_dir).and_then(|()| staging(output_dir)) {
                Ok(folder) => (folder, true),
                Err(_) => return Err(Error::Write { path: parent.to_path_buf(), source: error }),
            },
        };
        let whole = empty && !inside;
        let linking = !inside && !whole;
        let spare = if linking { Spare::take(output_dir) } else { None };
        let tree = spare.as_ref().map_or_else(|| folder.path().join(TREE), Spare::tree);
        fs::create_dir_all(&tree).map_err(|source| Error::Write { path: tree.clone(), source })?;
        let linking = AtomicBool::new(linking);
        // Unopened, every file is written anew: as when the output could not be read before.
        let output = if whole { None } else { Folder::open(output_dir).ok() };
        let spare_tree = match &spare {
            Some(_) => {
                Some(Folder::open(&tree).map_err(|source| Error::Write { path: tree.clone(), source })?)
            }
            None => None,
        };
        Ok(Staging {
            output_dir: output_dir.to_path_buf(),
            folder,
            tree,
            spare,
            whole,
            linking,
            output,
            spare_tree,
        })
    }

    /// Puts `bytes` in the new tree at `output_path`: a hard link to the output folder's file
    /// when that holds them already, else a new file; says which.
    ///
    /// # Errors
    /// `Error::Write` when the file or link cannot be made.
    pub fn stage(&self, output_path: &str, bytes: &[u8]) -> Result<Contents> {
        Ok(match self.put(output_path, bytes).map_err(|error| self.as_output_error(error))? {
            Put::Written(path, stamp) => Contents::Staged { path, stamp },
            Put::Kept(path, stamp) => Contents::InPlace { path, stamp },
        })
    }

    /// An error about a file of the new tree, told as the output file it stands for: the user
    /// knows `public/`, not the hidden tree beside it (issue 29).
    fn as_output_error(&self, error: Error) -> Error {
        as_output_error(&self.tree, &self.output_dir, error)
    }

    fn put(&self, output_path: &str, bytes: &[u8]) -> Result<Put> {
        if let Some(facts) = self.output.as_ref().and_then(|output| output.holding(output_path, bytes)) {
            self.link(&facts, output_path)?;
            return Ok(Put::Kept(self.output_dir.join(output_path), stamp_of(&facts)));
        }
        let staged = self.tree.join(output_path);
        // Never written through: in the spare tree it may be a link to the output's file.
        self.clear(&staged)?;
        create_parent(&staged)?;
        let stamp =
            write_file(&staged, bytes).map_err(|source| Error::Write { path: staged.clone(), source })?;
        Ok(Put::Written(staged, stamp))
    }

    /// Hard-links the output folder's file at `output_path` (whose facts are `facts`) into
    /// the tree, while links work here; in the spare tree, a link that is there already stays.
    fn link(&self, facts: &Facts, output_path: &str) -> Result<()> {
        if !self.linking.load(Ordering::Relaxed) {
            return Ok(());
        }
        let linked = self.tree.join(output_path);
        if let Some(spare_tree) = &self.spare_tree {
            let same = |there: Facts| there.id.is_some() && there.id == facts.id;
            if spare_tree.facts(output_path).is_ok_and(same) {
                return Ok(());
            }
            self.clear(&linked)?;
        }
        create_parent(&linked)?;
        match fs::hard_link(self.output_dir.join(output_path), &linked) {
            Ok(()) => Ok(()),
            Err(error) if links_unsupported(&error) => {
                log::debug!(
                    "no hard links in `{}` ({error}): moving files one by one",
                    self.output_dir.display()
                );
                self.linking.store(false, Ordering::Relaxed);
                Ok(())
            }
            Err(source) => Err(Error::Write { path: linked, source }),
        }
    }

    /// Makes way in the spare tree for a file at `path`: removes what is there, and a file
    /// where one of its folders must go. A fresh tree holds nothing to remove.
    fn clear(&self, path: &Path) -> Result<()> {
        if self.spare.is_none() {
            return Ok(());
        }
        fn failed(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
            move |source| Error::Write { path: path.to_path_buf(), source }
        }
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => fs::remove_dir_all(path).map_err(failed(path))?,
            Ok(_) => fs::remove_file(path).map_err(failed(path))?,
            Err(_) => {}
        }
        for ancestor in path.ancestors().skip(1).take_while(|a| a.starts_with(&self.tree) && *a != self.tree)
        {
            if fs::symlink_metadata(ancestor).is_ok_and(|meta| !meta.is_dir()) {
                fs::remove_file(ancestor).map_err(failed(ancestor))?;
            }
        }
        Ok(())
    }

    /// Where `file`'s bytes are now, staging them if they were not yet: whether they are new,
    /// and their stamp.
    fn settle(&self, file: &OutputFile) -> Result<Synced> {
        let put = match &file.contents {
            Contents::Staged { stamp, .. } => return Ok((true, *stamp)),
            Contents::InPlace { stamp, .. } => return Ok((false, *stamp)),
            Contents::Bytes(bytes) => self.put(&file.output_path, bytes)?,
            Contents::Copy(source) => {
                let bytes =
                    fs::read(source).map_err(|error| Error::Read { path: source.clone(), source: error })?;
                self.put(&file.output_path, &bytes)?
            }
        };
        Ok(match put {
            Put::Written(_, stamp) => (true, stamp),
            Put::Kept(_, stamp) => (false, stamp),
        })
    }

    /// Makes the tree the output folder, in one step if it can; returns how many files of the
    /// old output are gone, and the trace of the new one when it was put in place whole.
    /// `wanted` are the output paths; `moves` those staged anew; `previous` what the last
    /// write left, if known.
    fn replace_output(
        self,
        wanted: &HashSet<&str>,
        moves: Vec<String>,
        previous: Option<&Previous>,
    ) -> Result<(usize, Option<Trace>)> {
        let output_dir = &self.output_dir;
        // An empty output folder makes way; one that is no longer empty stays.
        if self.whole
            && (!output_dir.exists() || fs::remove_dir(output_dir).is_ok())
            && fs::rename(&self.tree, output_dir).is_ok()
        {
            return Ok((0, self.trace(wanted, &[])));
        }
        fs::create_dir_all(output_dir).map_err(|source| Error::Write { path: output_dir.clone(), source })?;
        if self.linking.load(Ordering::Relaxed) {
            let clean = self.spare.as_ref().is_some_and(|spare| spare.clean);
            if self.spare.is_some() && !clean {
                self.sweep_spare(wanted)?;
            }
            let (stale, dotted) = self.carry_over(wanted, previous)?;
            if clean {
                // Its only files not wanted are links to the output's stale files.
                for path in &stale {
                    let _ = fs::remove_file(self.tree.join(path));
                }
                journal::remove_emptied(&self.tree, &stale);
            }
            checkpoint("exchange");
            match system::exchange(&self.tree, output_dir) {
                Ok(()) => {
                    checkpoint("exchanged");
                    let trace = self.trace(wanted, &dotted);
                    // The tree is the old output now. The spare keeps it, without the files
                    // that only it holds; a fresh tree goes with the staging folder.
                    if let Some(spare) = &self.spare {
                        let tidied = crate::blocking_io::run(|| {
                            let files = moves.par_iter().chain(stale.par_iter());
                            let gone = |result: io::Result<()>| {
                                !result.is_err_and(|error| error.kind() != io::ErrorKind::NotFound)
                            };
                            let files = files.all(|path| gone(fs::remove_file(self.tree.join(path))));
                            let dots = dotted.par_iter().all(|path| {
                                let path = self.tree.join(path);
                                gone(if path.is_dir() {
                                    fs::remove_dir_all(&path)
                                } else {
                                    fs::remove_file(&path)
                                })
                            });
                            files && dots
                        });
                        journal::remove_emptied(&self.tree, &stale);
                        if tidied {
                            let _ = fs::write(spare.folder.join(Spare::CLEAN), "");
                        }
                    } else {
                        crate::blocking_io::run(|| remove_all(&self.tree));
                    }
                    return Ok((stale.len(), trace));
                }
                Err(error) => {
                    log::debug!(
                        "could not exchange `{}` whole ({error}): moving files one by one",
                        output_dir.display()
                    );
                }
            }
        }
        let removals = stale_files(output_dir, wanted)?;
        let removed = removals.len();
        if let Err(error) = journal::apply(self.folder.path(), &self.tree, output_dir, removals, moves) {
            if self.folder.path().join("journal").exists() {
                // Half moved and not put back: the next build finishes the moves.
                let _ = self.folder.keep();
            }
            return Err(error);
        }
        Ok((removed, None))
    }

    /// Links the output folder's dot-files (never produced, always kept) into the tree; lists
    /// the output's files that the tree leaves out, and the dot-files (and dot-folders) linked.
    /// What the last write left (`previous`) tells where they can be, if the folder is still
    /// as that write left it; else the whole folder is walked.
    fn carry_over(
        &self,
        wanted: &HashSet<&str>,
        previous: Option<&Previous>,
    ) -> Result<(Vec<String>, Vec<PathBuf>)> {
        let surveyed = previous.and_then(|previous| self.survey_recorded(wanted, previous));
        let (stale, dotted) = match surveyed {
            Some(found) => found,
            None => {
                let (mut stale, mut dotted) = (Vec::new(), Vec::new());
                self.survey_under(Path::new(""), wanted, &mut stale, &mut dotted)?;
                (stale, dotted)
            }
        };
        let mut linked = Vec::with_capacity(dotted.len());
        for relative in dotted {
            let target = self.tree.join(&relative);
            match link_copy(&self.output_dir.join(&relative), &target) {
                // Deleted since the last write recorded it.
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                // The tree has a file where the dot-file's folder was: the file wins.
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory
                    ) => {}
                result => result.map_err(|source| Error::Write { path: target, source })?,
            }
            linked.push(relative);
        }
        Ok((stale, linked))
    }

    /// Walks the output folder at `relative` (itself if it is a file): adds to `stale` its
    /// files not `wanted`, and to `dotted` its dot-files and dot-folders (not entered) but the
    /// write's own.
    fn survey_under(
        &self,
        relative: &Path,
        wanted: &HashSet<&str>,
        stale: &mut Vec<String>,
        dotted: &mut Vec<PathBuf>,
    ) -> Result<()> {
        let output_dir = &self.output_dir;
        let top = relative.as_os_str().is_empty();
        let mut walker = WalkDir::new(output_dir.join(relative)).min_depth(usize::from(top)).into_iter();
        while let Some(entry) = walker.next() {
            let entry = entry.map_err(|error| walk_error(output_dir, error))?;
            let is_dir = entry.file_type().is_dir();
            let name = entry.file_name().to_string_lossy();
            let relative = entry.path().strip_prefix(output_dir).unwrap_or(entry.path());
            if name.starts_with('.') {
                if is_dir {
                    walker.skip_current_dir();
                }
                if !is_ours(&name) {
                    dotted.push(relative.to_path_buf());
                }
            } else if !is_dir {
                let relative = slash_path(relative);
                if !wanted.contains(relative.as_ref()) {
                    stale.push(relative.into_owned());
                }
            }
        }
        Ok(())
    }

    /// What [`Staging::survey_under`] would find in the whole output folder, told by what the
    /// last write left (`previous`) instead of by listing every folder (at 100,000 posts,
    /// 139,000 folders, most of a second of system time): if the output folder is the one
    /// that write left, unchanged, each of the folders it wrote is only looked at, and listed
    /// only if a name in it changed since (its change time is not before the output folder's
    /// own, which the exchange set after every change the write made). `None` when the output
    /// folder is another, a folder is gone or no longer a folder, or too many changed.
    fn survey_recorded(
        &self,
        wanted: &HashSet<&str>,
        previous: &Previous,
    ) -> Option<(Vec<String>, Vec<PathBuf>)> {
        let output = self.output.as_ref()?;
        let (device, inode, since) = previous.trace.folder;
        let own = output.own_facts().ok()?;
        if own.id != Some((device, inode)) || own.changed != Some(since) {
            log::debug!("the output folder changed since the last write: walking it");
            return None;
        }
        let mut folders: HashSet<&str> = HashSet::new();
        for file in &previous.files {
            let mut path = file.as_str();
            while let Some((parent, _)) = path.rsplit_once('/') {
                if !folders.insert(parent) {
                    break;
                }
                path = parent;
            }
        }
        let all: Vec<&str> = folders.iter().copied().collect();
        let looked: Option<Vec<Option<&str>>> = crate::blocking_io::run(|| {
            all.par_iter()
                .map(|folder| {
                    let facts = output.facts(folder).ok().filter(|facts| facts.kind == Kind::Folder)?;
                    Some((facts.changed? >= since).then_some(*folder))
                })
                .collect()
        });
        let mut listed: Vec<&str> = looked?.into_iter().flatten().collect();
        if listed.len() > MAX_LISTED {
            log::debug!("{} folders of the output changed since the last write: walking it", listed.len());
            return None;
        }
        listed.push("");
        let mut stale = Vec::new();
        let mut dotted: BTreeSet<PathBuf> = previous.trace.dotted.iter().map(PathBuf::from).collect();
        let mut present: HashSet<String> = HashSet::new();
        for folder in &listed {
            for entry in fs::read_dir(self.output_dir.join(folder)).ok()? {
                let entry = entry.ok()?;
                let name = entry.file_name();
                let name = name.to_str()?;
                let relative = if folder.is_empty() { name.to_string() } else { format!("{folder}/{name}") };
                let kind = entry.file_type().ok()?;
                if name.starts_with('.') {
                    if !is_ours(name) {
                        dotted.insert(PathBuf::from(relative));
                    }
                } else if folders.contains(relative.as_str()) {
                    if !kind.is_dir() {
                        return None;
                    }
                } else if previous.files.binary_search(&relative).is_ok() {
                    if !kind.is_file() {
                        return None;
                    }
                    present.insert(relative);
                } else {
                    // Not the last write's: surveyed as the whole folder would be.
                    let mut found = Vec::new();
                    self.survey_under(Path::new(&relative), wanted, &mut stale, &mut found).ok()?;
                    dotted.extend(found);
                }
            }
        }
        log::debug!(
            "the output is as the last write left it: {} of its {} folders listed",
            listed.len(),
            all.len() + 1
        );
        let listed: HashSet<&str> = listed.into_iter().collect();
        for file in &previous.files {
            let parent = file.rsplit_once('/').map_or("", |(parent, _)| parent);
            // A file of a listed folder that was not there is gone already.
            if !wanted.contains(file.as_str()) && (!listed.contains(parent) || present.contains(file)) {
                stale.push(file.clone());
            }
        }
        Some((stale, dotted.into_iter().collect()))
    }

    /// What the next write needs to trust the output folder as this one leaves it: the
    /// folder's stamp, and its dot-files (`dotted` carried over, and those it wrote).
    fn trace(&self, wanted: &HashSet<&str>, dotted: &[PathBuf]) -> Option<Trace> {
        let facts = system::facts(&self.output_dir).ok()?;
        let (device, inode) = facts.id?;
        let mut dots: BTreeSet<String> = dotted.iter().map(|path| slash_path(path).into_owned()).collect();
        dots.extend(wanted.iter().filter_map(|path| dot_prefix(path)).map(str::to_string));
        Some(Trace { folder: (device, inode, facts.changed?), dotted: dots.into_iter().collect() })
    }

    /// Deletes from the spare tree every file that is not `wanted` (dot-files too: they are
    /// linked again from the output), and the folders left empty.
    fn sweep_spare(&self, wanted: &HashSet<&str>) -> Result<()> {
        let tree = &self.tree;
        let mut kept_in: HashSet<PathBuf> = HashSet::new();
        for entry in WalkDir::new(tree).min_depth(1).contents_first(true) {
            let entry = entry.map_err(|error| walk_error(tree, error))?;
            let path = entry.path();
            let relative = slash_path(path.strip_prefix(tree).unwrap_or(path));
            let dotted = relative.split('/').any(|part| part.starts_with('.'));
            let failed = |source| Error::Write { path: path.to_path_buf(), source };
            if entry.file_type().is_dir() {
                if dotted || !kept_in.contains(path) {
                    match fs::remove_dir(path) {
                        Ok(()) => continue,
                        Err(_) if !dotted => {}
                        Err(source) => return Err(failed(source)),
                    }
                }
            } else if dotted || !wanted.contains(relative.as_ref()) {
                fs::remove_file(path).map_err(failed)?;
                continue;
            }
            if let Some(parent) = path.parent() {
                kept_in.insert(parent.to_path_buf());
            }
        }
        Ok(())
    }
}

/// `error`, naming the file of `output_dir` that a path in `tree` stands for.
fn as_output_error(tree: &Path, output_dir: &Path, error: Error) -> Error {
    match error {
        Error::Write { path, source } => match path.strip_prefix(tree) {
            Ok(relative) => Error::Write { path: output_dir.join(relative), source },
            Err(_) => Error::Write { path, source },
        },
        other => other,
    }
}

/// A file put in the tree.
enum Put {
    /// Written anew, at this path, with this stamp.
    Written(PathBuf, Option<SizeAndTime>),
    /// The output folder's file at this path, with these bytes already, and its stamp.
    Kept(PathBuf, Option<SizeAndTime>),
}

/// Finishes or clears what builds that ended without cleaning up (killed, or the machine
/// stopped) left beside `output_dir` and inside it. A staging folder whose journal was written
/// has its moves finished, as that build meant; any other is deleted (its build changed
/// nothing, or had exchanged the trees and not yet deleted the old one). Staging folders are
/// named after their build's process, and those of running builds are left alone.
///
/// # Errors
/// `Error::Write` when an interrupted build's moves cannot be finished.
pub fn recover(output_dir: &Path) -> Result<()> {
    for dir in [parent_of(output_dir), output_dir] {
        let Ok(entries) = fs::read_dir(dir) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name
                .strip_prefix(STAGING_PREFIX)
                .and_then(|rest| rest.split('-').next()?.parse::<u32>().ok());
            if pid.is_some_and(|pid| !system::is_running(pid)) {
                journal::finish(&entry.path())?;
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    Ok(())
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

/// Prefix of the temporary files that earlier versions wrote into the output folder: a write
/// deletes any it finds.
const TEMP_PREFIX: &str = ".quire-tmp-";

/// Makes `output_dir` hold exactly `files` (dot-files at any level are left alone).
///
/// # Errors
/// `Error::OutputNotDir` when the output path is a file; `Error::Write`/`Error::Read` for I/O.
pub fn write(output_dir: &Path, files: &[OutputFile]) -> Result<WriteReport> {
    write_stamped(output_dir, files, None, None).map(|written| written.report)
}

/// A file in the output folder as the write left it: path under the folder, size, and
/// modification time in nanoseconds since the epoch.
pub type OutputStamp = (String, u64, u128);

/// A file's size and modification time in nanoseconds since the epoch.
pub type SizeAndTime = (u64, u128);

/// Whether a file was written, and its size and time after the write.
type Synced = (bool, Option<SizeAndTime>);

/// [`write`], also returning the stamp of every file in `files` and the trace of the output
/// folder. The build memo records them, so it need not walk and stat the output again, and
/// hands them back as `previous` to the next write, which then need not walk the output to
/// find its stale files and dot-files. `staging` is where `files`' staged contents are (a new
/// one when `None`).
///
/// # Errors
/// As [`write`].
pub fn write_stamped(
    output_dir: &Path,
    files: &[OutputFile],
    staging: Option<Staging>,
    previous: Option<&Previous>,
) -> Result<Written> {
    if output_dir.exists() && !output_dir.is_dir() {
        return Err(Error::OutputNotDir { path: output_dir.to_path_buf() });
    }
    check_sources(files)?;
    let staging = match staging {
        Some(staging) => staging,
        None => Staging::beside(output_dir)?,
    };
    let results: Vec<Result<Synced>> =
        crate::blocking_io::run(|| files.par_iter().map(|file| staging.settle(file)).collect());
    let mut report = WriteReport::default();
    let mut errors = Vec::new();
    let mut stamps = Vec::with_capacity(files.len());
    let mut moves = Vec::new();
    for (file, result) in files.iter().zip(results) {
        match result {
            Ok((written, stamp)) => {
                if written {
                    report.written += 1;
                    moves.push(file.output_path.clone());
                } else {
                    report.unchanged += 1;
                }
                stamps.push(stamp.map(|(size, modified)| (file.output_path.clone(), size, modified)));
            }
            Err(error) => errors.push(staging.as_output_error(error)),
        }
    }
    Error::fail_if_any(errors)?;
    let stamps = stamps.into_iter().collect();
    checkpoint("staged");
    let wanted: HashSet<&str> = files.iter().map(|file| file.output_path.as_str()).collect();
    let (tree, output) = (staging.tree.clone(), staging.output_dir.clone());
    let (removed, trace) = staging
        .replace_output(&wanted, moves, previous)
        .map_err(|error| as_output_error(&tree, &output, error))?;
    report.removed = removed;
    Ok(Written { report, stamps, trace })
}

/// A file's size and modification time in nanoseconds, if the system keeps the time.
pub fn stamp(meta: &fs::Metadata) -> Option<SizeAndTime> {
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), modified))
}

/// [`stamp`], of a file's facts.
fn stamp_of(facts: &Facts) -> Option<SizeAndTime> {
    Some((facts.len, facts.modified?))
}

/// `path` up to its first part that is a dot-file's or dot-folder's name, if it has one.
fn dot_prefix(path: &str) -> Option<&str> {
    let mut end = 0;
    for part in path.split('/') {
        end += part.len();
        if part.starts_with('.') {
            return Some(&path[..end]);
        }
        end += 1;
    }
    None
}

/// Ends the process at once, as `kill -9` would, when the hidden variable `QUIRE_KILL_AT`
/// names this point of the write (`exchange`, or `move:3` for the third time `move` is
/// reached). The tests that a build killed anywhere leaves the old tree or the new one use it.
fn checkpoint(phase: &str) {
    static STOP: OnceLock<Option<(String, usize)>> = OnceLock::new();
    static REACHED: AtomicUsize = AtomicUsize::new(0);
    let stop = STOP.get_or_init(|| {
        let value = std::env::var("QUIRE_KILL_AT").ok()?;
        let (at, count) = value.split_once(':').unwrap_or((&value, "1"));
        Some((at.to_string(), count.parse().ok()?))
    });
    if let Some((at, count)) = stop {
        if at == phase && REACHED.fetch_add(1, Ordering::Relaxed) + 1 == *count {
            system::kill_self();
        }
    }
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
            Contents::Bytes(_) | Contents::Staged { .. } | Contents::InPlace { .. } => None,
        })
        .collect();
    Error::fail_if_any(errors)?;
    Ok(())
}

/// The folder that holds `output_dir`.
fn parent_of(output_dir: &Path) -> &Path {
    match output_dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Whether a dot-file in the output folder is the write's own (a staging folder, a temporary
/// file of an earlier version): never carried into a new tree.
fn is_ours(name: &str) -> bool {
    name.starts_with(STAGING_PREFIX) || name.starts_with(SPARE_PREFIX) || name.starts_with(TEMP_PREFIX)
}

/// Whether a hard link failed because the file system has none (or not here), rather than for
/// want of space.
fn links_unsupported(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::Unsupported
            | io::ErrorKind::PermissionDenied
            | io::ErrorKind::CrossesDevices
            | io::ErrorKind::TooManyLinks
    ) || error.raw_os_error().is_some_and(|code| code == 95 /* EOPNOTSUPP */ || code == 1 /* EPERM */)
}

/// Copies `source` (a file, a symbolic link, or a folder of them) to `target` as hard links.
fn link_copy(source: &Path, target: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(source)?;
    create_parent_io(target)?;
    if meta.is_dir() {
        fs::create_dir(target)?;
        for entry in fs::read_dir(source)? {
            let entry = entry?;
            link_copy(&entry.path(), &target.join(entry.file_name()))?;
        }
        Ok(())
    } else if meta.is_symlink() {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(fs::read_link(source)?, target);
        #[cfg(not(unix))]
        return Ok(());
    } else if meta.is_file() {
        fs::hard_link(source, target)
    } else {
        Ok(()) // a FIFO or a socket: nothing a site holds
    }
}

/// Deletes `dir` and everything in it, folders in parallel; what cannot be deleted stays.
fn remove_all(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        let entries: Vec<fs::DirEntry> = entries.flatten().collect();
        entries.par_iter().for_each(|entry| {
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                remove_all(&entry.path());
            } else {
                let _ = fs::remove_file(entry.path());
            }
        });
    }
    let _ = fs::remove_dir(dir);
}

/// The files under `output_dir` that are not `wanted` (dot-files at any level are kept, but
/// temporary files of earlier versions are not), as paths under it.
fn stale_files(output_dir: &Path, wanted: &HashSet<&str>) -> Result<Vec<String>> {
    let mut stale = Vec::new();
    let walker = WalkDir::new(output_dir).min_depth(1).into_iter().filter_entry(|entry| {
        let name = entry.file_name().to_string_lossy();
        !name.starts_with('.') || name.starts_with(TEMP_PREFIX)
    });
    for entry in walker {
        let entry = entry.map_err(|error| walk_error(output_dir, error))?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = slash_path(entry.path().strip_prefix(output_dir).unwrap_or(entry.path()));
        if !wanted.contains(relative.as_ref()) {
            stale.push(relative.into_owned());
        }
    }
    Ok(stale)
}

fn walk_error(output_dir: &Path, error: walkdir::Error) -> Error {
    Error::Read {
        path: error.path().map_or_else(|| output_dir.to_path_buf(), Path::to_path_buf),
        source: error.into_io_error().unwrap_or_else(|| io::Error::other("walk failed")),
    }
}

/// A relative path with `/` between its parts, as output paths are written.
fn slash_path(relative: &Path) -> std::borrow::Cow<'_, str> {
    let text = relative.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/").into()
    }
}

fn create_parent(path: &Path) -> Result<()> {
    create_parent_io(path).map_err(|source| Error::Write { path: path.to_path_buf(), source })
}

fn create_parent_io(path: &Path) -> io::Result<()> {
    path.parent().map_or(Ok(()), fs::create_dir_all)
}

/// Creates or truncates `path` with `bytes`; returns the written file's stamp.
fn write_file(path: &Path, bytes: &[u8]) -> io::Result<Option<SizeAndTime>> {
    use std::io::Write as _;
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    Ok(file.metadata().ok().as_ref().and_then(stamp))
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
        let Written { report, stamps, .. } = write_stamped(&out, &files, Some(staging), None).unwrap();
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
        assert!(matches!(files[0].contents, Contents::InPlace { .. }), "same bytes are not staged");
        assert_eq!(fs::read_to_string(out.join("b/index.html")).unwrap(), "B", "not yet written");
        let report = write_stamped(&out, &files, Some(staging), None).unwrap().report;
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

    #[cfg(unix)]
    #[test]
    fn issue_29_unchanged_files_keep_their_inode_and_the_tree_is_exchanged_whole() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[bytes("a/index.html", "A"), bytes("b/index.html", "B"), bytes("c.txt", "C")]).unwrap();
        fs::write(out.join(".nojekyll"), "").unwrap();
        let inode = |path: &str| fs::metadata(out.join(path)).unwrap().ino();
        let (kept, folder) = (inode("a/index.html"), inode(""));
        let report = write(&out, &[bytes("a/index.html", "A"), bytes("b/index.html", "B2")]).unwrap();
        assert_eq!(report, WriteReport { written: 1, unchanged: 1, removed: 1 });
        assert_eq!(inode("a/index.html"), kept, "an unchanged file is the same file");
        assert_ne!(inode(""), folder, "the output folder was exchanged for the new tree");
        assert_eq!(fs::read_to_string(out.join("b/index.html")).unwrap(), "B2");
        assert!(!out.join("c.txt").exists());
        assert!(out.join(".nojekyll").exists(), "dot-files are carried over");
        assert_eq!(staging_folders(dir.path()), Vec::<String>::new());
        // The old tree is kept as the next build's, holding links to unchanged files only.
        let spare = dir.path().join(format!("{SPARE_PREFIX}public")).join(TREE);
        assert_eq!(fs::metadata(spare.join("a/index.html")).unwrap().ino(), kept);
        assert!(!spare.join("b/index.html").exists() && !spare.join("c.txt").exists());
        // A file staged over a link in the spare tree replaces the link, never writes through it.
        let (staging, _) = staged(&out, &[("a/index.html", "A3")]);
        drop(staging);
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "A");
        let report = write(&out, &[bytes("a/index.html", "A3"), bytes("b/index.html", "B2")]).unwrap();
        assert_eq!(report, WriteReport { written: 1, unchanged: 1, removed: 0 });
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "A3");
        assert_eq!(fs::read_to_string(out.join(".nojekyll")).unwrap(), "");
    }

    #[test]
    fn issue_29_the_spare_tree_never_brings_back_what_the_output_no_longer_holds() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let spare = dir.path().join(format!("{SPARE_PREFIX}public"));
        let site =
            |files: &[(&str, &str)]| -> Vec<OutputFile> { files.iter().map(|(p, t)| bytes(p, t)).collect() };
        write(&out, &site(&[("a/index.html", "A"), ("b/c/index.html", "B"), ("d.txt", "D")])).unwrap();
        write(&out, &site(&[("a/index.html", "A"), ("b/c/index.html", "B"), ("d.txt", "D")])).unwrap();
        assert!(spare.join(Spare::CLEAN).exists(), "a tidied spare says so");
        // Clean: the links of stale files go, with their folders.
        write(&out, &site(&[("a/index.html", "A2"), ("d.txt", "D")])).unwrap();
        assert_eq!(files_under(&out), ["a/index.html", "d.txt"]);
        write(&out, &site(&[("a/index.html", "A2"), ("d.txt", "D")])).unwrap();
        assert_eq!(files_under(&out), ["a/index.html", "d.txt"]);
        assert!(!out.join("b").exists(), "no emptied folder comes back");
        // Not clean (a build stopped while using it): anything in it is swept.
        fs::remove_file(spare.join(Spare::CLEAN)).unwrap();
        fs::create_dir_all(spare.join("tree/junk")).unwrap();
        fs::write(spare.join("tree/junk/index.html"), "J").unwrap();
        fs::write(spare.join("tree/.hidden"), "H").unwrap();
        write(&out, &site(&[("a/index.html", "A3"), ("d.txt", "D")])).unwrap();
        assert_eq!(files_under(&out), ["a/index.html", "d.txt"]);
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "A3");
    }

    /// What the memo would hand the next write after `written` wrote `files`.
    fn previous(written: Written, files: &[OutputFile]) -> Previous {
        let mut paths: Vec<String> = files
            .iter()
            .map(|file| file.output_path.clone())
            .filter(|path| dot_prefix(path).is_none())
            .collect();
        paths.sort();
        Previous { trace: written.trace.expect("an exchanged tree leaves a trace"), files: paths }
    }

    #[test]
    fn issue_29_the_last_write_s_record_tells_the_stale_files_without_a_walk() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = [bytes("a/index.html", "A"), bytes("b/c/index.html", "B"), bytes("d.txt", "D")];
        let written = write_stamped(&out, &first, None, None).unwrap();
        let last = previous(written, &first);
        let (staging, files) = staged(&out, &[("a/index.html", "A"), ("d.txt", "D2")]);
        let wanted: HashSet<&str> = files.iter().map(|file| file.output_path.as_str()).collect();
        let (stale, dotted) = staging.survey_recorded(&wanted, &last).expect("the record stands");
        assert_eq!((stale, dotted), (vec!["b/c/index.html".to_string()], vec![]));
        let written = write_stamped(&out, &files, Some(staging), Some(&last)).unwrap();
        assert_eq!(written.report, WriteReport { written: 1, unchanged: 1, removed: 1 });
        assert_eq!(files_under(&out), ["a/index.html", "d.txt"]);
        // The record of a folder exchanged since is not trusted.
        let (staging, _) = staged(&out, &[("a/index.html", "A")]);
        assert_eq!(staging.survey_recorded(&wanted, &last), None);
    }

    #[test]
    fn issue_29_files_put_in_the_output_by_hand_are_kept_or_removed_as_a_walk_would() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let site = [bytes("a/index.html", "A"), bytes("b/c/index.html", "B")];
        let mut last = previous(write_stamped(&out, &site, None, None).unwrap(), &site);
        // In a folder the write made, and in one it did not: dot-files stay, others go.
        fs::write(out.join("b/c/.htaccess"), "H").unwrap();
        fs::write(out.join("b/c/notes.txt"), "N").unwrap();
        fs::create_dir_all(out.join("b/x/.git")).unwrap();
        fs::write(out.join("b/x/.git/HEAD"), "ref").unwrap();
        fs::write(out.join("b/x/y.txt"), "Y").unwrap();
        for round in 0..3 {
            let (staging, files) = staged(&out, &[("a/index.html", "A"), ("b/c/index.html", "B")]);
            let wanted: HashSet<&str> = files.iter().map(|file| file.output_path.as_str()).collect();
            let (stale, _) = staging.survey_recorded(&wanted, &last).expect("the record stands");
            let written = write_stamped(&out, &files, Some(staging), Some(&last)).unwrap();
            let removed = if round == 0 { 2 } else { 0 };
            assert_eq!((stale.len(), written.report.removed), (removed, removed), "round {round}");
            assert_eq!(
                files_under(&out),
                ["a/index.html", "b/c/.htaccess", "b/c/index.html", "b/x/.git/HEAD"],
                "round {round}"
            );
            last = previous(written, &files);
            assert_eq!(last.trace.dotted, ["b/c/.htaccess", "b/x/.git"]);
        }
    }

    /// Every file under `dir`, dot-files too, as sorted paths under it.
    fn files_under(dir: &Path) -> Vec<String> {
        let mut found: Vec<String> = WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|entry| !entry.file_type().is_dir())
            .map(|entry| slash_path(entry.path().strip_prefix(dir).unwrap()).into_owned())
            .collect();
        found.sort();
        found
    }

    #[test]
    fn issue_29_without_hard_links_files_are_moved_under_a_journal() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[bytes("a/index.html", "A"), bytes("b/index.html", "B"), bytes("c/d.txt", "C")])
            .unwrap();
        let staging = Staging::beside(&out).unwrap();
        staging.linking.store(false, Ordering::Relaxed);
        let files = [("a/index.html", "A"), ("b/index.html", "B2"), ("e.txt", "E")].map(|(path, text)| {
            OutputFile { output_path: path.into(), contents: staging.stage(path, text.as_bytes()).unwrap() }
        });
        let report = write_stamped(&out, &files, Some(staging), None).unwrap().report;
        assert_eq!(report, WriteReport { written: 2, unchanged: 1, removed: 1 });
        for (path, text) in [("a/index.html", "A"), ("b/index.html", "B2"), ("e.txt", "E")] {
            assert_eq!(fs::read_to_string(out.join(path)).unwrap(), text);
        }
        assert!(!out.join("c").exists());
        assert_eq!(staging_folders(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn issue_29_a_journal_left_by_a_killed_build_is_finished_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[bytes("a.txt", "A")]).unwrap();
        // What a build killed after writing its journal leaves: pid 0x7fff_fffe is gone.
        let folder = out.join(format!("{STAGING_PREFIX}{}-abc", 0x7fff_fffe));
        fs::create_dir_all(folder.join(TREE)).unwrap();
        fs::write(folder.join(TREE).join("a.txt"), "A2").unwrap();
        let journal = format!(
            r#"{{"output":{:?},"tree":{:?},"removals":[],"moves":["a.txt"]}}"#,
            std::path::absolute(&out).unwrap().to_str().unwrap(),
            std::path::absolute(folder.join(TREE)).unwrap().to_str().unwrap()
        );
        fs::write(folder.join("journal"), journal).unwrap();
        recover(&out).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "A2");
        assert!(!folder.exists());
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
        let Written { report, stamps, .. } = write_stamped(&out, &files, None, None).unwrap();
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
