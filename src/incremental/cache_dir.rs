//! Where Quire keeps what it may reuse between builds (highlighted blocks, the last build's
//! manifest): the user's cache folder, never the site. Everything there is a cache: missing,
//! damaged or foreign files are ignored. `QUIRE_CACHE_DIR` moves it; empty turns it off.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// `<cache dir>/quire/<kind>-<hash of the site's absolute root>.<extension>`, or none when
/// caching is off or there is no cache folder.
pub fn site_file(root: &Path, kind: &str, extension: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("QUIRE_CACHE_DIR") {
        Some(dir) if dir.is_empty() => return None,
        Some(dir) => PathBuf::from(dir),
        None => dirs::cache_dir()?.join("quire"),
    };
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let site = xxhash_rust::xxh3::xxh3_64(root.to_string_lossy().as_bytes());
    Some(dir.join(format!("{kind}-{site:016x}.{extension}")))
}

/// This very binary (its grammars, themes, templates and code): version, features, size and
/// modification time name it. What a cache file holds is valid only for the binary that wrote it.
pub fn binary_stamp() -> [u8; 16] {
    let exe = std::env::current_exe().and_then(fs::metadata);
    let identity = format!(
        "{} onig={} {:?}",
        env!("CARGO_PKG_VERSION"),
        cfg!(feature = "onig"),
        exe.map(|m| (m.len(), m.modified().ok())).ok()
    );
    xxhash_rust::xxh3::xxh3_128(identity.as_bytes()).to_le_bytes()
}

/// Opens `file` for reading if it is a regular file. Anything else in a cache file's place is
/// refused without being opened: opening a FIFO blocks until something writes to it, and a
/// device may never end (issue 29: a FIFO hung the build).
///
/// # Errors
/// The I/O error; `InvalidInput` when `file` is not a regular file.
pub fn open_regular(file: &Path) -> io::Result<fs::File> {
    let not_regular = || io::Error::new(io::ErrorKind::InvalidInput, "not a regular file");
    if !fs::metadata(file)?.is_file() {
        return Err(not_regular());
    }
    let opened = fs::File::open(file)?;
    // It may have been replaced in between.
    if !opened.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(opened)
}

/// The bytes of `file` if it is a regular file (see [`open_regular`]).
///
/// # Errors
/// The I/O error; `InvalidInput` when `file` is not a regular file.
pub fn read_regular(file: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    open_regular(file)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Writes through a temporary file and a rename, so a concurrent build never reads half a file.
///
/// # Errors
/// The I/O error; the temporary file is removed.
pub fn write_atomically(file: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = temp_beside(file)?;
    let result = fs::File::create(&temp).and_then(|mut out| {
        out.write_all(bytes)?;
        out.flush()
    });
    result.and_then(|()| fs::rename(&temp, file)).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// A temporary path in `file`'s folder (created if needed), private to this process, to be
/// renamed over `file` once whole.
///
/// # Errors
/// When the folder cannot be created.
pub fn temp_beside(file: &Path) -> io::Result<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    Ok(dir.join(format!(".{name}.{}.tmp", std::process::id())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn issue_29_a_fifo_or_a_folder_in_a_cache_files_place_is_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("highlight.bin");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("run mkfifo");
        assert!(made.success());
        // Opening it for reading would block until a writer came: none ever does.
        assert_eq!(read_regular(&fifo).unwrap_err().kind(), io::ErrorKind::InvalidInput);
        assert_eq!(open_regular(dir.path()).unwrap_err().kind(), io::ErrorKind::InvalidInput);
        let file = dir.path().join("build.json");
        fs::write(&file, b"{}").unwrap();
        assert_eq!(read_regular(&file).unwrap(), b"{}");
        assert_eq!(read_regular(&dir.path().join("missing")).unwrap_err().kind(), io::ErrorKind::NotFound);
    }
}
