//! Digests: xxh3 hashes of what a kept result was made from, compared from run to run to
//! tell whether the result can be reused.

use std::hash::Hasher;

use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

/// A `Hasher` that gathers the bytes it is given in an inline buffer and hashes them in one
/// go. xxh3's streaming state is over 500 bytes to set up and its digest is slow on short
/// inputs, and most digests here are short (a page's place, a render's key) and made by the
/// ten thousand each run: those stay in the buffer, without an allocation. A long one (every
/// URL of a site, written in small pieces) streams the buffer into xxh3 each time it fills,
/// which gives the same digest as hashing all its bytes at once.
#[derive(Clone)]
pub struct Digest {
    buffer: [u8; BUFFER],
    len: usize,
    /// Everything before `buffer`, once the digest outgrew it.
    streamed: Option<Box<Xxh3>>,
}

/// Bytes a digest holds before it streams: a render key's template, path and entries.
const BUFFER: usize = 192;

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Digest")
            .field("buffered", &self.len)
            .field("streamed", &self.streamed.is_some())
            .finish()
    }
}

impl Default for Digest {
    fn default() -> Digest {
        Digest::new()
    }
}

impl Digest {
    /// An empty digest.
    pub fn new() -> Digest {
        Digest { buffer: [0; BUFFER], len: 0, streamed: None }
    }

    /// The 128-bit hash of what was written, for digests that stand for a whole site.
    pub fn finish_128(&self) -> u128 {
        match &self.streamed {
            None => xxh3_128(&self.buffer[..self.len]),
            Some(streamed) => {
                let mut hasher = streamed.clone();
                hasher.update(&self.buffer[..self.len]);
                hasher.digest128()
            }
        }
    }

    /// Streams the buffer into xxh3 and empties it.
    fn flush(&mut self) {
        let streamed = self.streamed.get_or_insert_with(|| Box::new(Xxh3::new()));
        streamed.update(&self.buffer[..self.len]);
        self.len = 0;
    }

    #[inline]
    fn write_fixed<const N: usize>(&mut self, bytes: [u8; N]) {
        if self.len + N <= BUFFER {
            self.buffer[self.len..self.len + N].copy_from_slice(&bytes);
            self.len += N;
        } else {
            self.write(&bytes);
        }
    }
}

impl Hasher for Digest {
    fn write(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > BUFFER {
            self.flush();
            if bytes.len() > BUFFER {
                if let Some(streamed) = &mut self.streamed {
                    streamed.update(bytes);
                }
                return;
            }
        }
        self.buffer[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    // Integers and the end mark of each text come in fixed sizes: copied as such, they need
    // no call to `memcpy`, which a variable-length copy makes (a tenth of a render key's time).
    fn write_u8(&mut self, n: u8) {
        self.write_fixed(n.to_ne_bytes());
    }

    fn write_u32(&mut self, n: u32) {
        self.write_fixed(n.to_ne_bytes());
    }

    fn write_u64(&mut self, n: u64) {
        self.write_fixed(n.to_ne_bytes());
    }

    fn write_usize(&mut self, n: usize) {
        self.write_fixed(n.to_ne_bytes());
    }

    fn finish(&self) -> u64 {
        match &self.streamed {
            None => xxh3_64(&self.buffer[..self.len]),
            Some(streamed) => {
                let mut hasher = streamed.clone();
                hasher.update(&self.buffer[..self.len]);
                hasher.digest()
            }
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
        let long = "x".repeat(3 * BUFFER + 17);
        let mut split = Digest::new();
        split.write(b"ab");
        split.write(long.as_bytes());
        split.write(b"cd");
        assert_eq!(split.finish(), xxh3_64(format!("ab{long}cd").as_bytes()));
        assert_eq!(split.finish_128(), xxh3_128(format!("ab{long}cd").as_bytes()));
        let mut short = Digest::new();
        short.write(b"ab");
        assert_eq!(short.finish(), xxh3_64(b"ab"));
        // Fixed-size pieces that cross the buffer's end are streamed too.
        let mut numbers = Digest::new();
        let mut bytes = Vec::new();
        for n in 0..100u64 {
            numbers.write_u64(n);
            bytes.extend_from_slice(&n.to_ne_bytes());
        }
        assert_eq!(numbers.finish(), xxh3_64(&bytes));
    }
}
