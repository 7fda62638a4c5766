//! Keeps highlighted code blocks on disk between `quire build`s.
//!
//! Highlighting is most of a build's CPU time, and a block's HTML depends only on the block
//! (see `BlockStore`). So a build's highlighter finds the blocks of the previous
//! build of the same site here, and afterwards the file holds the blocks this build used. A
//! rebuild with nothing changed then highlights nothing.
//!
//! The file is a cache and nothing more: it lives in the user's cache folder (never in the
//! site), it is ignored whenever it is missing, unreadable, truncated, not a regular file (a
//! FIFO would block the build) or written by another Quire binary (the stamp names the
//! binary), and a failure to write it never fails a build. Each block carries a checksum of
//! its key and HTML; a block that does not match it is not used but highlighted again, and
//! the next file holds the fresh one (issue 29: one flipped byte showed in the page, and in
//! every later build).
//! `QUIRE_CACHE_DIR` moves it; `QUIRE_CACHE_DIR=` (empty) turns it off.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::block_memo::{BlockMemo, BlockStore};
use super::cache_dir;

const MAGIC: &[u8; 8] = b"QUIREHL2";
/// A block's head: key, length of its HTML, checksum.
const HEAD: usize = 16 + 8 + 8;

/// The store of one site for one build.
#[derive(Debug)]
pub struct HighlightStore {
    store: Option<Arc<Store>>,
}

impl HighlightStore {
    /// Finds the store of the site at `root` and indexes the blocks of its previous build.
    /// Blocks are read from the file only when asked for, and new ones go straight to the next
    /// file, so the store holds no HTML in memory.
    pub fn open(root: &Path) -> HighlightStore {
        let Some(path) = cache_dir::site_file(root, "highlight", "bin") else {
            return HighlightStore { store: None };
        };
        let stamp = cache_dir::binary_stamp();
        let previous = match cache_dir::open_regular(&path).and_then(|file| Previous::index(file, &stamp)) {
            Ok(Some(previous)) => Some(previous),
            Ok(None) => {
                log::debug!("ignoring {}: written by another Quire or damaged", path.display());
                None
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => {
                log::debug!("could not read {}: {error}", path.display());
                None
            }
        };
        let store = Arc::new(Store { path, stamp, previous, next: Mutex::new(Next::default()) });
        HighlightStore { store: Some(store) }
    }

    /// Where the build's highlighter looks blocks up and leaves them: the file, or without
    /// one (the cache folder is off) a memo for this build, so equal blocks are highlighted
    /// once. Not both: a one-shot build would only hold every block twice.
    pub fn blocks(&self) -> Arc<dyn BlockStore> {
        match &self.store {
            Some(store) => Arc::clone(store) as Arc<dyn BlockStore>,
            None => Arc::new(BlockMemo::default()),
        }
    }

    /// After a successful build: makes the file hold exactly the blocks this build used, unless
    /// that is what it already holds. A failure is logged, never an error: it is a cache.
    pub fn save(self) {
        if let Some(store) = &self.store {
            if let Err(error) = store.finish() {
                log::debug!("could not write the highlight cache {}: {error}", store.path.display());
            }
        }
    }
}

impl Drop for HighlightStore {
    /// Removes an unfinished next file: a build that failed leaves the previous file as it was.
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            let next = store.next.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(temp) = &next.temp {
                let _ = fs::remove_file(temp);
            }
        }
    }
}

#[derive(Debug)]
struct Store {
    path: PathBuf,
    stamp: [u8; 16],
    previous: Option<Previous>,
    next: Mutex<Next>,
}

/// The file of the previous build: where each block is, and which ones this build used.
#[derive(Debug)]
struct Previous {
    file: Mutex<File>,
    /// Where each block's HTML is, how long it is, and its checksum.
    index: HashMap<u128, (u64, usize, u64)>,
    used: Mutex<HashSet<u128>>,
}

/// The file of this build, written as blocks are highlighted (created on the first one).
#[derive(Debug, Default)]
struct Next {
    temp: Option<PathBuf>,
    out: Option<BufWriter<File>>,
    written: HashSet<u128>,
    failed: bool,
}

impl BlockStore for Store {
    fn find(&self, key: u128) -> Option<Arc<str>> {
        self.find_key(key)
    }

    fn remember(&self, key: u128, html: &Arc<str>) {
        self.remember_key(key, html);
    }
}

impl Store {
    /// The HTML of the previous build's block `key`, noted as used, if it is there and sound.
    fn find_key(&self, key: u128) -> Option<Arc<str>> {
        let previous = self.previous.as_ref()?;
        let &(offset, length, checksum) = previous.index.get(&key)?;
        let mut bytes = vec![0; length];
        {
            let mut file = previous.file.lock().unwrap_or_else(PoisonError::into_inner);
            file.seek(SeekFrom::Start(offset)).and_then(|_| file.read_exact(&mut bytes)).ok()?;
        }
        if block_checksum(key, &bytes) != checksum {
            log::debug!("ignoring a damaged block in {}", self.path.display());
            return None;
        }
        let html = String::from_utf8(bytes).ok()?;
        previous.used.lock().unwrap_or_else(PoisonError::into_inner).insert(key);
        Some(html.into())
    }

    /// Writes block `key` into the next file, once.
    fn remember_key(&self, key: u128, html: &str) {
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        if next.failed || !next.written.insert(key) {
            return;
        }
        if let Err(error) = self.append(&mut next, key, html.as_bytes()) {
            log::debug!("could not write the highlight cache beside {}: {error}", self.path.display());
            next.failed = true;
        }
    }

    fn append(&self, next: &mut Next, key: u128, html: &[u8]) -> io::Result<()> {
        if next.out.is_none() {
            let temp = cache_dir::temp_beside(&self.path)?;
            let mut out = BufWriter::with_capacity(1 << 20, File::create(&temp)?);
            next.temp = Some(temp);
            out.write_all(MAGIC)?;
            out.write_all(&self.stamp)?;
            next.out = Some(out);
        }
        let out = next.out.as_mut().expect("created above");
        out.write_all(&key.to_le_bytes())?;
        out.write_all(&(html.len() as u64).to_le_bytes())?;
        out.write_all(&block_checksum(key, html).to_le_bytes())?;
        out.write_all(html)
    }

    /// Copies the used blocks of the previous file into the new one and puts it in place.
    fn finish(&self) -> io::Result<()> {
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let (kept, all) = self
            .previous
            .as_ref()
            .map_or((0, 0), |p| (p.used.lock().unwrap_or_else(PoisonError::into_inner).len(), p.index.len()));
        if next.failed || (next.written.is_empty() && kept == all) {
            return Ok(());
        }
        if let Some(previous) = &self.previous {
            let used = previous.used.lock().unwrap_or_else(PoisonError::into_inner).clone();
            for key in used {
                if let Some(html) = self.find_key(key) {
                    self.append(&mut next, key, html.as_bytes())?;
                }
            }
        }
        if next.out.is_none() {
            // Nothing used at all: an empty store.
            self.append(&mut next, 0, b"")?;
        }
        let mut out = next.out.take().expect("created above");
        out.flush()?;
        drop(out);
        let temp = next.temp.take().expect("created with out");
        fs::rename(&temp, &self.path).inspect_err(|_| {
            let _ = fs::remove_file(&temp);
        })
    }
}

impl Previous {
    /// Reads the keys and places of a store file's blocks, or `None` if it is not a whole file
    /// of this binary's.
    fn index(file: File, stamp: &[u8; 16]) -> io::Result<Option<Previous>> {
        let size = file.metadata()?.len();
        let mut reader = BufReader::new(file);
        let mut header = [0; 24];
        if reader.read_exact(&mut header).is_err() || header[..8] != *MAGIC || header[8..] != *stamp {
            return Ok(None);
        }
        let mut index = HashMap::new();
        let mut offset = 24u64;
        while offset < size {
            let mut head = [0; HEAD];
            if reader.read_exact(&mut head).is_err() {
                return Ok(None);
            }
            let key = u128::from_le_bytes(head[..16].try_into().expect("16 bytes"));
            let length = u64::from_le_bytes(head[16..24].try_into().expect("8 bytes"));
            let checksum = u64::from_le_bytes(head[24..].try_into().expect("8 bytes"));
            offset += HEAD as u64;
            if length > size - offset {
                return Ok(None);
            }
            index.insert(key, (offset, usize::try_from(length).map_err(io::Error::other)?, checksum));
            reader.seek_relative(i64::try_from(length).map_err(io::Error::other)?)?;
            offset += length;
        }
        Ok(Some(Previous { file: Mutex::new(reader.into_inner()), index, used: Mutex::default() }))
    }
}

/// The checksum of a block: of its key and HTML, so a block moved under another key fails too.
fn block_checksum(key: u128, html: &[u8]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&key.to_le_bytes());
    hasher.update(html);
    hasher.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_store(path: &Path, stamp: &[u8; 16], blocks: &[(u128, &str)]) {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(stamp);
        for (key, html) in blocks {
            bytes.extend_from_slice(&key.to_le_bytes());
            bytes.extend_from_slice(&(html.len() as u64).to_le_bytes());
            bytes.extend_from_slice(&block_checksum(*key, html.as_bytes()).to_le_bytes());
            bytes.extend_from_slice(html.as_bytes());
        }
        fs::write(path, bytes).unwrap();
    }

    fn index(path: &Path, stamp: &[u8; 16]) -> Option<Previous> {
        Previous::index(File::open(path).unwrap(), stamp).unwrap()
    }

    #[test]
    fn blocks_are_found_where_the_index_says() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.bin");
        write_store(&path, &[3; 16], &[(1, "<pre>a</pre>"), (u128::MAX, ""), (7, "é<span>")]);
        let previous = index(&path, &[3; 16]).unwrap();
        let store = Store { path, stamp: [3; 16], previous: Some(previous), next: Mutex::default() };
        assert_eq!(store.find_key(7).as_deref(), Some("é<span>"));
        assert_eq!(store.find_key(1).as_deref(), Some("<pre>a</pre>"));
        assert_eq!(store.find_key(u128::MAX).as_deref(), Some(""));
        assert_eq!(store.find_key(2), None);
    }

    #[test]
    fn another_binary_or_a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.bin");
        write_store(&path, &[3; 16], &[(1, "<pre>a</pre>"), (7, "é")]);
        assert!(index(&path, &[4; 16]).is_none(), "another stamp");
        let bytes = fs::read(&path).unwrap();
        for cut in [1, 9, 30, bytes.len() - 1] {
            fs::write(&path, &bytes[..cut]).unwrap();
            assert!(index(&path, &[3; 16]).is_none(), "cut at {cut}");
        }
    }

    #[test]
    fn issue_29_a_block_that_fails_its_checksum_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.bin");
        write_store(&path, &[3; 16], &[(1, "<pre>a</pre>"), (7, "<pre>b</pre>")]);
        let mut bytes = fs::read(&path).unwrap();
        // Flip one byte of the first block's HTML: `a` becomes `c`.
        let at = bytes.windows(3).position(|w| w == b">a<").unwrap() + 1;
        bytes[at] ^= 0x02;
        fs::write(&path, &bytes).unwrap();
        let previous = index(&path, &[3; 16]).unwrap();
        let store =
            Store { path: path.clone(), stamp: [3; 16], previous: Some(previous), next: Mutex::default() };
        assert_eq!(store.find_key(1), None, "the damaged block");
        assert_eq!(store.find_key(7).as_deref(), Some("<pre>b</pre>"), "the sound one");
        // Highlighted again, the block goes into the next file whole.
        store.remember_key(1, "<pre>a</pre>");
        store.finish().unwrap();
        let previous = index(&path, &[3; 16]).unwrap();
        let store = Store { path, stamp: [3; 16], previous: Some(previous), next: Mutex::default() };
        assert_eq!(store.find_key(1).as_deref(), Some("<pre>a</pre>"));
        assert_eq!(store.find_key(7).as_deref(), Some("<pre>b</pre>"));
    }
}
