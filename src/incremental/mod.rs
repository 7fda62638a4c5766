//! Reuse between runs: what lets `quire serve` rebuild one post in milliseconds and a second
//! `quire build` skip work it has done. Everything here is a cache of a pure function: a hit
//! gives exactly what computing again would, so reuse can never change the output.
//!
//! Stages use it only through the items below. It holds the memos of pure functions keyed by
//! their argument (`Memos`: parsing a file, building a view, rendering an output, the last
//! checked against the answers of the lookups it made), highlighted code blocks (in memory
//! for `serve`, on disk between builds), the build memo (both on-disk caches under the
//! user's cache folder), the value hashes render keys are made from, and the digest used for
//! keys. See ARCHITECTURE.md ("Reuse").

mod block_memo;
mod build_memo;
mod cache_dir;
mod digest;
mod highlight_store;
mod image_store;
mod memo;
mod value_hash;

pub use block_memo::{BlockMemo, BlockStore};
pub use build_memo::{BuildMemo, BuildSummary};
pub use digest::Digest;
pub use highlight_store::HighlightStore;
pub use image_store::{ImageJob, ImageStore, Process, Processed, ProcessedImages};
pub use memo::{
    Digested, DigestedFunction, Environment, Function, Helper, Memos, RecordedFunction, Reuse, Same,
    SameText, SameValue, SharedFunction,
};
pub use value_hash::{address, ValueHashes};
