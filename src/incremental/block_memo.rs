//! Highlighted code blocks in memory, for the life of a `quire serve` (or one build without
//! the on-disk store).
//!
//! Unlike [`super::Memos`], which keeps only what the last run used, this memo keeps every
//! block it was given: a serve run parses only the edited file, and the next edit may be to
//! any other file, whose blocks were last highlighted in the first run. It is bounded instead,
//! and starts over when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Where highlighting finds code blocks highlighted before, and leaves the ones it
/// highlights: their HTML by a 128-bit digest of everything that HTML depends on (the code,
/// the fence's options and the site's highlight settings), stable from process to process of
/// one binary, so that it can also name a block on disk. The highlighter makes the key.
pub trait BlockStore: Send + Sync + std::fmt::Debug {
    /// The HTML of the block with this key highlighted before, if there is one.
    fn find(&self, key: u128) -> Option<Arc<str>>;
    /// The HTML of the block with this key, just highlighted.
    fn remember(&self, key: u128, html: &Arc<str>);
}

/// Highlighted blocks by their key.
#[derive(Debug, Default)]
pub struct BlockMemo {
    blocks: Mutex<Blocks>,
}

#[derive(Debug, Default)]
struct Blocks {
    by_key: HashMap<u128, Arc<str>>,
    /// Bytes of HTML held.
    bytes: usize,
}

/// Above this much highlighted HTML the memo starts over (a 10,000-post site holds ~200 MiB).
const LIMIT_BYTES: usize = 512 * 1024 * 1024;

impl BlockStore for BlockMemo {
    fn find(&self, key: u128) -> Option<Arc<str>> {
        self.lock().by_key.get(&key).cloned()
    }

    fn remember(&self, key: u128, html: &Arc<str>) {
        let mut blocks = self.lock();
        if blocks.bytes + html.len() > LIMIT_BYTES {
            *blocks = Blocks::default();
        }
        blocks.bytes += html.len();
        blocks.by_key.insert(key, Arc::clone(html));
    }
}

impl BlockMemo {
    fn lock(&self) -> MutexGuard<'_, Blocks> {
        // A panic while holding the lock leaves a map that is still valid: keep using it.
        self.blocks.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
