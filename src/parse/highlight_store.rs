//! Keeps highlighted code blocks on disk between `quire build`s.
//!
//! Highlighting is most of a build's CPU time, and a block's HTML depends only on its key (see
//! `highlight::block_key`). So a build loads the blocks of the previous build of the same site
//! into the highlight memo, and afterwards writes back the blocks it used. A rebuild with
//! nothing changed then highlights nothing.
//!
//! The file is a cache and nothing more: it lives in the user's cache folder (never in the
//! site), it is ignored whenever it is missing, unreadable, truncated or written by another
//! Quire binary (the stamp names the binary), and a failure to write it never fails a build.
//! `QUIRE_CACHE_DIR` moves it; `QUIRE_CACHE_DIR=` (empty) turns it off.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::parse::highlight;

const MAGIC: &[u8; 8] = b"QUIREHL1";

/// One site's store file, and how many blocks were loaded from it.
#[derive(Debug)]
pub struct HighlightStore {
    file: Option<PathBuf>,
    loaded: usize,
}

impl HighlightStore {
    /// Finds the store of the site at `root` and loads its blocks into the highlight memo.
    pub fn open(root: &Path) -> HighlightStore {
        let file = store_file(root);
        let mut loaded = 0;
        if let Some(file) = &file {
            match fs::read(file).map(|bytes| decode(&bytes, &stamp())) {
                Ok(Some(blocks)) => {
                    loaded = blocks.len();
                    highlight::preload(blocks);
                }
                Ok(None) => log::debug!("ignoring {}: written by another Quire or damaged", file.display()),
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => log::debug!("could not read {}: {error}", file.display()),
            }
        }
        highlight::start_tracking();
        HighlightStore { file, loaded }
    }

    /// Writes the blocks this build used, unless they are exactly the ones that were loaded.
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        let used = highlight::used_blocks();
        if highlight::highlighted_count() == 0 && used.len() == self.loaded {
            return;
        }
        if let Err(error) = write_atomically(file, &encode(&used, &stamp())) {
            log::debug!("could not write the highlight cache {}: {error}", file.display());
        }
    }
}

/// `<cache dir>/quire/highlight-<hash of the site's absolute root>.bin`, or none when caching
/// is off or there is no cache folder.
fn store_file(root: &Path) -> Option<PathBuf> {
    let dir = match std::env::var_os("QUIRE_CACHE_DIR") {
        Some(dir) if dir.is_empty() => return None,
        Some(dir) => PathBuf::from(dir),
        None => dirs::cache_dir()?.join("quire"),
    };
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let site = xxhash_rust::xxh3::xxh3_64(root.to_string_lossy().as_bytes());
    Some(dir.join(format!("highlight-{site:016x}.bin")))
}

/// What the blocks depend on besides their key: this very binary (its grammars, themes and
/// highlighting code). Its version, features, size and modification time name it.
fn stamp() -> [u8; 16] {
    let exe = std::env::current_exe().and_then(fs::metadata);
    let identity = format!(
        "{} onig={} {:?}",
        env!("CARGO_PKG_VERSION"),
        cfg!(feature = "onig"),
        exe.map(|m| (m.len(), m.modified().ok())).ok()
    );
    xxhash_rust::xxh3::xxh3_128(identity.as_bytes()).to_le_bytes()
}

/// `MAGIC`, the stamp, then per block: key (16 bytes), length (8 bytes), UTF-8 HTML.
fn encode(blocks: &[(u128, Arc<str>)], stamp: &[u8; 16]) -> Vec<u8> {
    let size = blocks.iter().map(|(_, html)| html.len() + 24).sum::<usize>() + 24;
    let mut bytes = Vec::with_capacity(size);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(stamp);
    for (key, html) in blocks {
        bytes.extend_from_slice(&key.to_le_bytes());
        bytes.extend_from_slice(&(html.len() as u64).to_le_bytes());
        bytes.extend_from_slice(html.as_bytes());
    }
    bytes
}

/// The blocks of a store file, or `None` if it is not a whole file of this binary's.
fn decode(mut bytes: &[u8], stamp: &[u8; 16]) -> Option<Vec<(u128, Arc<str>)>> {
    bytes = bytes.strip_prefix(MAGIC.as_slice())?.strip_prefix(stamp.as_slice())?;
    let mut blocks = Vec::new();
    while !bytes.is_empty() {
        let (key, rest) = bytes.split_first_chunk::<16>()?;
        let (length, rest) = rest.split_first_chunk::<8>()?;
        let length = usize::try_from(u64::from_le_bytes(*length)).ok()?;
        let html = rest.get(..length)?;
        blocks.push((u128::from_le_bytes(*key), Arc::from(std::str::from_utf8(html).ok()?)));
        bytes = &rest[length..];
    }
    Some(blocks)
}

/// Writes through a temporary file and a rename, so a concurrent build never reads half a file.
fn write_atomically(file: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        file.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let result = fs::File::create(&temp).and_then(|mut out| {
        out.write_all(bytes)?;
        out.flush()
    });
    match result.and_then(|()| fs::rename(&temp, file)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = fs::remove_file(&temp);
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks() -> Vec<(u128, Arc<str>)> {
        vec![(1, Arc::from("<pre>a</pre>")), (u128::MAX, Arc::from("")), (7, Arc::from("é<span>"))]
    }

    #[test]
    fn blocks_survive_a_round_trip() {
        let stamp = [3; 16];
        assert_eq!(decode(&encode(&blocks(), &stamp), &stamp), Some(blocks()));
    }

    #[test]
    fn another_binary_or_a_damaged_file_is_ignored() {
        let bytes = encode(&blocks(), &[3; 16]);
        assert_eq!(decode(&bytes, &[4; 16]), None, "another stamp");
        for cut in [1, 9, 30, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut], &[3; 16]), None, "cut at {cut}");
        }
        let mut bad_utf8 = bytes.clone();
        let last = bad_utf8.len() - 1;
        bad_utf8[last] = 0xff;
        assert_eq!(decode(&bad_utf8, &[3; 16]), None);
    }
}
