//! Reuse between runs: what lets `quire serve` rebuild one post in milliseconds and a second
//! `quire build` skip work it has done. Everything here is a cache of a pure function: a hit
//! gives exactly what computing again would, so reuse can never change the output.
//!
//! Stages use it only through the items below. It holds the memos of pure functions keyed by
//! their argument (`Memos`: parsing a file), highlighted code blocks (in memory for `serve`,
//! on disk between builds), the build memo (both on-disk caches under the user's cache
//! folder), the value hashes render keys are made from, the digest used for keys, and the
//! run-ordered map most memos are kept in.
//! See ARCHITECTURE.md ("Reuse") for what is still kept inside stage modules.

mod block_memo;
mod build_memo;
mod cache_dir;
mod digest;
mod highlight_store;
mod memo;
mod run_order;
mod value_hash;

pub use block_memo::BlockMemo;
pub use build_memo::{BuildMemo, BuildSummary};
pub use digest::Digest;
pub use highlight_store::HighlightStore;
pub use memo::{Digested, DigestedFunction, Function, Helper, Memos, Same, SameText, SameValue};
pub use run_order::RunOrderMap;
pub use value_hash::{address, KeyEntries, ValueHashes};
