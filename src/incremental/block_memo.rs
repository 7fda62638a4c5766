//! Highlighted code blocks in memory, for the life of a `quire serve` (or one build without
//! the on-disk store).
//!
//! Unlike [`super::Memos`], which keeps only what the last run used, this memo keeps every
//! block it was given: a serve run parses only the edited file, and the next edit may be to
//! any other file, whose blocks were last highlighted in the first run. It is bounded instead,
//! and starts over when full.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::memo::Helper;
use super::Digest;
use crate::parse::highlight::{Block, BlockStore, Highlighter};

/// Highlighted blocks by the digest of the [`Block`] they were highlighted from.
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
    fn find(&self, block: &Block<'_>) -> Option<Arc<str>> {
        self.lock().by_key.get(&block_key(block)).cloned()
    }

    fn remember(&self, block: &Block<'_>, html: &Arc<str>) {
        let key = block_key(block);
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

/// The highlighter is handed to the parse memo's calls, not keyed: what it holds (blocks, parsed
/// lines) is what highlighting would give again.
impl Helper for Highlighter {}

/// A 128-bit digest of everything a block's HTML depends on (its `Hash`), stable from process
/// to process of one binary, so it can also name a block in the on-disk store.
pub(super) fn block_key(block: &Block<'_>) -> u128 {
    let mut digest = Digest::new();
    block.hash(&mut digest);
    digest.finish_128()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HighlightStyle;
    use crate::parse::highlight::{parse_info, HighlightOptions};

    #[test]
    fn a_block_is_found_by_everything_its_html_depends_on() {
        let memo = BlockMemo::default();
        let fence = parse_info("rust,linenos").unwrap();
        let options = HighlightOptions { style: HighlightStyle::Class, theme: "Nord".into() };
        let block = Block { code: "fn a() {}\n", fence: &fence, options: &options };
        memo.remember(&block, &Arc::from("<pre>a</pre>"));
        assert_eq!(memo.find(&block).as_deref(), Some("<pre>a</pre>"));
        let other_code = Block { code: "fn b() {}\n", ..block };
        let plain = parse_info("rust").unwrap();
        let other_fence = Block { fence: &plain, ..block };
        let inline = HighlightOptions { style: HighlightStyle::Inline, ..options.clone() };
        let other_options = Block { options: &inline, ..block };
        for other in [other_code, other_fence, other_options] {
            assert_eq!(memo.find(&other), None, "{other:?}");
        }
    }
}
