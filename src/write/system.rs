//! The system calls the write needs beyond `std::fs`: exchanging two folders in one call,
//! telling a mount point, and asking whether a process runs. rustix is used here and nowhere
//! else in the write.

use std::io;
use std::path::Path;

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
