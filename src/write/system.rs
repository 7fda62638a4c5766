//! The system calls the write needs beyond `std::fs`: exchanging two folders in one call,
//! telling a mount point, asking whether a process runs, and looking at files by their path
//! under an open folder. rustix is used here and nowhere else in the write.

use std::io;
use std::path::Path;
#[cfg(not(unix))]
use std::path::PathBuf;

/// A folder opened once, whose files are then looked at by their path under it: the system
/// walks only that part of the path (a build looks at every output file two or three times,
/// and at 100,000 posts the full paths' lookups were a second of system time), and a file is
/// never followed if it is a symbolic link.
#[derive(Debug)]
pub struct Folder {
    #[cfg(unix)]
    fd: rustix::fd::OwnedFd,
    #[cfg(not(unix))]
    path: PathBuf,
}

/// What the write needs to know of a file or folder, read without following a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// A regular file, a folder, or anything else (a link, a FIFO).
    pub kind: Kind,
    /// Size in bytes.
    pub len: u64,
    /// Device and inode, where the system has them: two names with the same are one file.
    pub id: Option<(u64, u64)>,
    /// Modification time in nanoseconds since the epoch, if the system keeps it.
    pub modified: Option<u128>,
    /// Change time (of the inode: a folder's changes when a name in it is added or removed) in
    /// nanoseconds since the epoch, where the system has it.
    pub changed: Option<i128>,
}

/// The kind of a file, as [`Facts`] tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Folder,
    /// A symbolic link, a FIFO, a socket, a device.
    Other,
}

impl Folder {
    /// Opens the folder at `path` (following links, as a path the user gave is followed).
    ///
    /// # Errors
    /// Whatever the system says, for example when `path` is no folder.
    pub fn open(path: &Path) -> io::Result<Folder> {
        #[cfg(unix)]
        {
            use rustix::fs::{openat, Mode, OFlags, CWD};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            Ok(Folder { fd: openat(CWD, path, flags, Mode::empty())? })
        }
        #[cfg(not(unix))]
        {
            if !std::fs::metadata(path)?.is_dir() {
                return Err(io::Error::other("not a folder"));
            }
            Ok(Folder { path: path.to_path_buf() })
        }
    }

    /// The facts of the folder itself.
    ///
    /// # Errors
    /// Whatever the system says.
    pub fn own_facts(&self) -> io::Result<Facts> {
        #[cfg(unix)]
        return Ok(facts_of(&rustix::fs::fstat(&self.fd)?));
        #[cfg(not(unix))]
        return Ok(facts_of(&std::fs::symlink_metadata(&self.path)?));
    }

    /// The facts of `relative` (a path under the folder, with `/` separators), not following
    /// it if it is a symbolic link.
    ///
    /// # Errors
    /// Whatever the system says, `NotFound` when nothing is there.
    pub fn facts(&self, relative: &str) -> io::Result<Facts> {
        #[cfg(unix)]
        return Ok(facts_of(&rustix::fs::statat(&self.fd, relative, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)?));
        #[cfg(not(unix))]
        return Ok(facts_of(&std::fs::symlink_metadata(self.path.join(relative))?));
    }

    /// The facts of the regular file at `relative` if it holds exactly `bytes` (a symbolic
    /// link, a folder or a FIFO there never does). One open, one look at the open file and
    /// one read: the file's facts come from the open file, not from its path again.
    pub fn holding(&self, relative: &str, bytes: &[u8]) -> Option<Facts> {
        use std::io::Read as _;
        #[cfg(unix)]
        let (facts, file) = {
            use rustix::fs::{fstat, openat, Mode, OFlags};
            // Non-blocking: a FIFO put there must not hang the build before its kind is seen.
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
            let fd = openat(&self.fd, relative, flags, Mode::empty()).ok()?;
            (facts_of(&fstat(&fd).ok()?), std::fs::File::from(fd))
        };
        #[cfg(not(unix))]
        let (facts, file) = {
            let path = self.path.join(relative);
            let facts = facts_of(&std::fs::symlink_metadata(&path).ok()?);
            if facts.kind != Kind::File {
                return None;
            }
            (facts, std::fs::File::open(&path).ok()?)
        };
        if facts.kind != Kind::File || facts.len != bytes.len() as u64 {
            return None;
        }
        let mut existing = Vec::with_capacity(bytes.len());
        file.take(facts.len).read_to_end(&mut existing).ok()?;
        (existing == bytes).then_some(facts)
    }
}

/// The facts of `path`, not following it if it is a symbolic link.
///
/// # Errors
/// Whatever the system says.
pub fn facts(path: &Path) -> io::Result<Facts> {
    #[cfg(unix)]
    return Ok(facts_of(&rustix::fs::lstat(path)?));
    #[cfg(not(unix))]
    return Ok(facts_of(&std::fs::symlink_metadata(path)?));
}

#[cfg(unix)]
#[allow(clippy::unnecessary_cast, clippy::useless_conversion)] // the fields' types differ by system
fn facts_of(stat: &rustix::fs::Stat) -> Facts {
    use rustix::fs::FileType;
    let kind = match FileType::from_raw_mode(stat.st_mode as _) {
        FileType::RegularFile => Kind::File,
        FileType::Directory => Kind::Folder,
        _ => Kind::Other,
    };
    let nanos =
        |seconds: i64, nanoseconds: i64| i128::from(seconds) * 1_000_000_000 + i128::from(nanoseconds);
    let modified = nanos(stat.st_mtime as i64, stat.st_mtime_nsec as i64);
    Facts {
        kind,
        len: stat.st_size as u64,
        id: Some((stat.st_dev as u64, stat.st_ino as u64)),
        modified: u128::try_from(modified).ok(),
        changed: Some(nanos(stat.st_ctime as i64, stat.st_ctime_nsec as i64)),
    }
}

#[cfg(not(unix))]
fn facts_of(meta: &std::fs::Metadata) -> Facts {
    let kind = if meta.is_file() {
        Kind::File
    } else if meta.is_dir() {
        Kind::Folder
    } else {
        Kind::Other
    };
    let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    Facts { kind, len: meta.len(), id: None, modified: modified.map(|d| d.as_nanos()), changed: None }
}

/// Swaps `a` and `b`, two folders on one file system, in one system call: each name then
/// holds what the other held, and no moment exists where either is missing or mixed.
///
/// # Errors
/// Whatever the system says, `Unsupported` where it has no such call (then nothing moved).
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
    {
        let _ = (a, b);
        Err(io::Error::new(io::ErrorKind::Unsupported, "no system call exchanges two folders here"))
    }
}

/// Whether `dir` is the root of a mount (a tmpfs, a bind mount such as Docker's
/// `-v ./public:/site/public`): it can then be neither renamed nor replaced, and files
/// renamed into it must come from inside it.
pub fn is_mount_point(dir: &Path) -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{statx, AtFlags, StatxAttributes, StatxFlags, CWD};
        // statx says so for bind mounts of a folder on the same device, which a device
        // number compared with the parent's misses.
        if let Ok(stat) = statx(CWD, dir, AtFlags::empty(), StatxFlags::BASIC_STATS) {
            if stat.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT) {
                return stat.stx_attributes.contains(StatxAttributes::MOUNT_ROOT);
            }
        }
    }
    other_device_than_parent(dir)
}

/// Whether `dir` lies on another device than its parent folder.
fn other_device_than_parent(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let Ok(dir) = std::path::absolute(dir) else { return false };
        let (Some(parent), Ok(meta)) = (dir.parent(), std::fs::metadata(&dir)) else { return true };
        std::fs::metadata(parent).is_ok_and(|parent| parent.dev() != meta.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}

/// Whether a process with this id is running; where that cannot be asked, assumed so.
pub fn is_running(pid: u32) -> bool {
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

/// Ends this process at once, as `kill -9` would: no destructor runs, nothing is cleaned.
pub fn kill_self() -> ! {
    #[cfg(unix)]
    {
        let _ = rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
    }
    std::process::abort()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_swaps_two_folders() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("x"), "in a").unwrap();
        match exchange(&a, &b) {
            Ok(()) => {
                assert!(!a.join("x").exists());
                assert_eq!(std::fs::read_to_string(b.join("x")).unwrap(), "in a");
            }
            Err(error) => eprintln!("skipped: this file system cannot exchange folders ({error})"),
        }
    }

    #[test]
    fn a_folder_is_no_mount_point_and_the_root_is() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_mount_point(dir.path()));
        assert!(is_mount_point(Path::new("/")) || cfg!(not(unix)));
    }
}
