//! Watching the site's sources (notify): content, templates, themes, static files and the
//! config file, with changes grouped so that one save gives one rebuild.
//!
//! Editors save in several steps (write a temporary file then rename it over the old one;
//! delete then create) and `git checkout` changes many files at once. Every change starts a
//! quiet period; the batch is handed over once no change came for `QUIET`, or after `LONGEST`
//! at the latest, so a very long burst still shows progress. Hidden and editor temporary
//! files are ignored, like the build ignores them. It does not know what a change means.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::error::{Error, Result};
use crate::load::is_ignored_path;

/// How long the sources must stay unchanged before a batch is handed over.
pub const QUIET: Duration = Duration::from_millis(40);
/// The longest a batch waits for a burst of changes to end.
pub const LONGEST: Duration = Duration::from_secs(1);

/// What to watch.
#[derive(Debug, Clone)]
pub struct Targets {
    /// The site root, watched without its subfolders (to see the folders below appear).
    pub root: PathBuf,
    /// Folders watched with everything in them: `content/`, `templates/`, `themes/`, `static/`,
    /// `sass/`, `data/`.
    pub folders: Vec<PathBuf>,
    /// The config file.
    pub config_file: PathBuf,
}

/// A running watch; dropping it stops it.
pub struct Watcher {
    _watcher: Arc<Mutex<notify::RecommendedWatcher>>,
}

/// Starts watching `targets`; each item received is the set of paths one batch changed.
///
/// # Errors
/// `Error::Watch` when the system refuses to watch a folder.
pub fn watch(targets: Targets) -> Result<(Watcher, Receiver<Vec<PathBuf>>)> {
    let (raw_sender, raw) = mpsc::channel::<notify::Result<notify::Event>>();
    let watcher = notify::recommended_watcher(raw_sender)
        .map_err(|e| Error::Watch { path: targets.root.clone(), detail: e.to_string() })?;
    let watcher = Arc::new(Mutex::new(watcher));
    let mut watched = BTreeSet::new();
    {
        let mut w = lock(&watcher);
        add(&mut w, &targets.root, RecursiveMode::NonRecursive)?;
        if let Some(parent) = targets.config_file.parent().filter(|p| *p != targets.root) {
            add(&mut w, parent, RecursiveMode::NonRecursive)?;
        }
        for folder in &targets.folders {
            if folder.is_dir() {
                add(&mut w, folder, RecursiveMode::Recursive)?;
                watched.insert(folder.clone());
            }
        }
    }
    let (sender, batches) = mpsc::channel();
    let handle = Arc::clone(&watcher);
    std::thread::Builder::new()
        .name("quire-watch".into())
        .spawn(move || {
            let filter = Filter { targets, watched };
            group(&raw, filter, &handle, |batch| sender.send(batch).is_ok());
        })
        .expect("the system can start a thread");
    Ok((Watcher { _watcher: watcher }, batches))
}

fn add(watcher: &mut notify::RecommendedWatcher, path: &Path, mode: RecursiveMode) -> Result<()> {
    watcher.watch(path, mode).map_err(|e| Error::Watch { path: path.to_path_buf(), detail: e.to_string() })
}

fn lock(
    watcher: &Mutex<notify::RecommendedWatcher>,
) -> std::sync::MutexGuard<'_, notify::RecommendedWatcher> {
    watcher.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Which events matter, and which folders are being watched so far.
struct Filter {
    targets: Targets,
    watched: BTreeSet<PathBuf>,
}

impl Filter {
    /// The paths of `event` that are sources of the site.
    fn relevant(&self, event: &notify::Event) -> Vec<PathBuf> {
        if event.need_rescan() {
            // Events were lost (the system's queue overflowed): anything may have changed.
            return self.everything();
        }
        if matches!(event.kind, EventKind::Access(_)) {
            return Vec::new();
        }
        event.paths.iter().filter(|path| self.is_source(path)).cloned().collect()
    }

    /// Every source: what a batch holds when events were lost.
    fn everything(&self) -> Vec<PathBuf> {
        let mut all = self.targets.folders.clone();
        all.push(self.targets.config_file.clone());
        all
    }

    fn is_source(&self, path: &Path) -> bool {
        if path == self.targets.config_file {
            return true;
        }
        let Some(folder) = self.targets.folders.iter().find(|folder| path.starts_with(folder)) else {
            return false;
        };
        let inside = path.strip_prefix(folder).unwrap_or(path);
        !is_ignored_path(folder, inside)
    }

    /// Watches the folders that appeared since the last batch (`static/` made after start)
    /// and watches again those that `batch` says were themselves created, deleted or moved:
    /// a watch follows the folder it was made on, not its name, so after `rm -rf content`
    /// and a new `content/`, or `mv content content.old && mv content.new content`, the old
    /// watch would see nothing of the folder now there. Returns the folders now watched anew.
    fn refresh(
        &mut self,
        batch: &BTreeSet<PathBuf>,
        watcher: &mut notify::RecommendedWatcher,
    ) -> Vec<PathBuf> {
        let mut watched_anew = Vec::new();
        for folder in &self.targets.folders {
            if batch.contains(folder) && self.watched.remove(folder) {
                // Already gone when the folder was deleted; what is left is removed.
                let _ = watcher.unwatch(folder);
            }
            if !self.watched.contains(folder) && folder.is_dir() {
                match add(watcher, folder, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.insert(folder.clone());
                        watched_anew.push(folder.clone());
                    }
                    Err(error) => log::warn!("{error}"),
                }
            }
        }
        watched_anew
    }
}

/// Groups raw events into batches until `raw` closes or `deliver` says stop.
fn group(
    raw: &Receiver<notify::Result<notify::Event>>,
    mut filter: Filter,
    watcher: &Mutex<notify::RecommendedWatcher>,
    mut deliver: impl FnMut(Vec<PathBuf>) -> bool,
) {
    let mut batch: BTreeSet<PathBuf> = BTreeSet::new();
    let mut started: Option<Instant> = None;
    loop {
        let next = match started {
            None => raw.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(start) => {
                let left = LONGEST.saturating_sub(start.elapsed());
                raw.recv_timeout(QUIET.min(left))
            }
        };
        match next {
            Ok(Ok(event)) => {
                let paths = filter.relevant(&event);
                if !paths.is_empty() {
                    batch.extend(paths);
                    started.get_or_insert_with(Instant::now);
                }
            }
            Ok(Err(error)) => {
                // Changes may have been missed: the next rebuild reads everything again.
                log::warn!("watching for changes: {error}");
                batch.extend(filter.everything());
                started.get_or_insert_with(Instant::now);
            }
            Err(RecvTimeoutError::Timeout) => {
                let watched_anew = filter.refresh(&batch, &mut lock(watcher));
                batch.extend(watched_anew);
                started = None;
                if !deliver(std::mem::take(&mut batch).into_iter().collect()) {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> Filter {
        Filter {
            targets: Targets {
                root: "/site".into(),
                folders: vec!["/site/content".into(), "/site/static".into()],
                config_file: "/site/config.toml".into(),
            },
            watched: BTreeSet::new(),
        }
    }

    fn event(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(path.into())
    }

    #[test]
    fn sources_count_and_the_rest_does_not() {
        let f = filter();
        let modify = EventKind::Modify(notify::event::ModifyKind::Any);
        assert_eq!(f.relevant(&event(modify, "/site/content/a.md")).len(), 1);
        assert_eq!(f.relevant(&event(modify, "/site/config.toml")).len(), 1);
        assert_eq!(f.relevant(&event(modify, "/site/static/css/x.css")).len(), 1);
        for ignored in
            ["/site/public/index.html", "/site/content/.a.md.swp", "/site/content/a.md~", "/site/.git/x"]
        {
            assert!(f.relevant(&event(modify, ignored)).is_empty(), "{ignored}");
        }
        let read = EventKind::Access(notify::event::AccessKind::Any);
        assert!(f.relevant(&event(read, "/site/content/a.md")).is_empty());
    }

    #[test]
    fn lost_events_count_as_a_change_to_everything() {
        let overflow = notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        let all = filter().relevant(&overflow);
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(
            all.contains(&PathBuf::from("/site/content"))
                && all.contains(&PathBuf::from("/site/config.toml"))
        );
    }

    #[test]
    fn a_burst_of_events_is_one_batch() {
        let (sender, raw) = mpsc::channel();
        let create = EventKind::Create(notify::event::CreateKind::File);
        let rename = EventKind::Modify(notify::event::ModifyKind::Name(notify::event::RenameMode::Both));
        // An editor's save: a temporary file, then a rename over the post; then a git
        // checkout touching many posts. All already queued: one burst.
        sender.send(Ok(event(create, "/site/content/.a.md.tmp"))).unwrap();
        sender
            .send(Ok(notify::Event::new(rename)
                .add_path("/site/content/.a.md.tmp".into())
                .add_path("/site/content/a.md".into())))
            .unwrap();
        for i in 0..200 {
            sender.send(Ok(event(create, &format!("/site/content/p{i}.md")))).unwrap();
        }
        let (unused, _) = mpsc::channel();
        let watcher = Mutex::new(notify::recommended_watcher(unused).unwrap());
        let mut batches = Vec::new();
        // The sender stays open: the batch is handed over when the quiet period ends.
        group(&raw, filter(), &watcher, |batch| {
            batches.push(batch);
            false
        });
        drop(sender);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].len(), 201, "a.md and the 200 posts, not the temporary file");
        assert!(batches[0].contains(&PathBuf::from("/site/content/a.md")));
    }
}
