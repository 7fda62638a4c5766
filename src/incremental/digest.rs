//! Digests: xxh3 hashes of what a kept result was made from, compared from run to run to
//! tell whether the result can be reused.

use std::hash::Hasher;

use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

/// A `Hasher` that gathers the bytes it is given and hashes them in one go. xxh3's streaming
/// state is over 500 bytes to set up and its digest is slow on short inputs, and most
/// digests here are short (a page's place, a render's key) and made by the ten thousand
/// each run: those stay in an inline buffer, without an allocation.
#[derive(Debug, Clone)]
pub struct Digest {
    inline: [u8; INLINE],
    len: usize,
    /// Everything written, once it outgrew `inline`.
    spilled: Vec<u8>,
}

/// Bytes a digest holds without allocating: a render key's template, path and entries.
const INLINE: usize = 192;

impl Default for Digest {
    fn default() -> Digest {
        Digest::new()
    }
}

impl Digest {
    /// An empty digest.
    pub fn new() -> Digest {
        Digest { inline: [0; INLINE], len: 0, spilled: Vec::new() }
    }

    /// The bytes written so far.
    fn bytes(&self) -> &[u8] {
        if self.spilled.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spilled
        }
    }

    /// The 128-bit hash of what was written, for digests that stand for a whole site.
    pub fn finish_128(&self) -> u128 {
        xxh3_128(self.bytes())
    }
}

impl Hasher for Digest {
    fn write(&mut self, bytes: &[u8]) {
        if !self.spilled.is_empty() {
            self.spilled.extend_from_slice(bytes);
        } else if self.len + bytes.len() <= INLINE {
            self.inline[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        } else {
            self.spilled.reserve(2 * (self.len + bytes.len()));
            self.spilled.extend_from_slice(&self.inline[..self.len]);
            self.spilled.extend_from_slice(bytes);
        }
    }

    // Integers and the end mark of each text come in fixed sizes: copied as such, they need
    // no call to `memcpy`, which a variable-length copy makes (a tenth of a render key's time).
    fn write_u8(&mut self, n: u8) {
        self.write_fixed(n.to_ne_bytes());
    }

    fn write_u64(&mut self, n: u64) {
        self.write_fixed(n.to_ne_bytes());
    }

    fn write_usize(&mut self, n: usize) {
        self.write_fixed(n.to_ne_bytes());
    }

    fn finish(&self) -> u64 {
        xxh3_64(self.bytes())
    }
}

impl Digest {
    #[inline]
    fn write_fixed<const N: usize>(&mut self, bytes: [u8; N]) {
        if self.spilled.is_empty() && self.len + N <= INLINE {
            self.inline[self.len..self.len + N].copy_from_slice(&bytes);
            self.len += N;
        } else {
            self.write(&bytes);
        }
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

    #[test]
    fn a_digest_past_the_inline_buffer_hashes_all_it_was_given() {
        let long = "x".repeat(INLINE);
        let mut split = Digest::new();
        split.write(b"ab");
        split.write(long.as_bytes());
        split.write(b"cd");
        assert_eq!(split.finish(), xxh3_64(format!("ab{long}cd").as_bytes()));
        let mut short = Digest::new();
        short.write(b"ab");
        assert_eq!(short.finish(), xxh3_64(b"ab"));
    }
}
