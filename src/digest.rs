//! Digests: xxh3 hashes of what a kept result was made from, compared from run to run to
//! tell whether the result can be reused.

use std::hash::Hasher;

use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

/// A `Hasher` that gathers the bytes it is given and hashes them in one go. xxh3's streaming
/// state is over 500 bytes to set up and its digest is slow on short inputs, and most
/// digests here are short (a page's place, a render's key) and made by the ten thousand
/// each run.
#[derive(Debug, Default, Clone)]
pub struct Digest {
    bytes: Vec<u8>,
}

impl Digest {
    /// An empty digest.
    pub fn new() -> Digest {
        Digest { bytes: Vec::with_capacity(256) }
    }

    /// The 128-bit hash of what was written, for digests that stand for a whole site.
    pub fn finish_128(&self) -> u128 {
        xxh3_128(&self.bytes)
    }
}

impl Hasher for Digest {
    fn write(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        xxh3_64(&self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::hash::Hash;

    use super::*;

    #[test]
    fn equal_inputs_give_equal_digests_and_delimited_texts_do_not_run_together() {
        let digest = |parts: &[&str]| {
            let mut digest = Digest::new();
            parts.hash(&mut digest);
            digest.finish()
        };
        assert_eq!(digest(&["a", "bc"]), digest(&["a", "bc"]));
        assert_ne!(digest(&["a", "bc"]), digest(&["ab", "c"]));
        assert_ne!(digest(&[]), digest(&[""]));
    }
}
