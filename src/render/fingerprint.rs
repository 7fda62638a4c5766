//! Content hashes of the files templates link to, for `get_url(path, cachebust=true)` (a URL
//! that changes when the file's bytes do) and `get_hash(path, sha_type, base64)` (a
//! Subresource Integrity value).
//!
//! A file's hashes are a pure function of its bytes, called through the memos: a `serve`
//! rebuild hashes again only a file whose bytes changed. Which files have bytes (static files
//! the load read, the built-in theme's, compiled stylesheets) is decided before; this module
//! reads nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use crate::incremental::{Digested, Memos};

/// How many hexadecimal digits of the SHA-256 a cache-busting URL carries: 80 bits, more
/// than enough to tell a file's versions apart, and a short URL.
const CACHEBUST_DIGITS: usize = 20;

/// The hashes of one file's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileHashes {
    sha256: [u8; 32],
    sha384: [u8; 48],
    sha512: [u8; 64],
}

/// Which SHA-2 function `get_hash` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShaType {
    /// SHA-256.
    Sha256,
    /// SHA-384, the default: what browsers' integrity checks are usually given.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl ShaType {
    /// The type `get_hash`'s `sha_type` names (256, 384 or 512).
    ///
    /// # Errors
    /// Any other number, as the message the template function fails with.
    pub fn from_bits(bits: i64) -> Result<ShaType, String> {
        match bits {
            256 => Ok(ShaType::Sha256),
            384 => Ok(ShaType::Sha384),
            512 => Ok(ShaType::Sha512),
            other => Err(format!("`get_hash`: `sha_type` is 256, 384 or 512, not {other}")),
        }
    }
}

impl FileHashes {
    /// The hashes of `bytes`.
    pub fn of(bytes: &[u8]) -> FileHashes {
        FileHashes {
            sha256: Sha256::digest(bytes).into(),
            sha384: Sha384::digest(bytes).into(),
            sha512: Sha512::digest(bytes).into(),
        }
    }

    /// What a cache-busting URL ends with: the first hexadecimal digits of the SHA-256.
    pub fn cachebust(&self) -> String {
        hex(&self.sha256)[..CACHEBUST_DIGITS].to_string()
    }

    /// The hash `sha_type`, in base64 (as an `integrity` attribute takes it after its
    /// `sha384-` prefix) or in hexadecimal.
    pub fn encoded(&self, sha_type: ShaType, base64: bool) -> String {
        let digest: &[u8] = match sha_type {
            ShaType::Sha256 => &self.sha256,
            ShaType::Sha384 => &self.sha384,
            ShaType::Sha512 => &self.sha512,
        };
        if base64 {
            base64::engine::general_purpose::STANDARD.encode(digest)
        } else {
            hex(digest)
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

/// The hashes of every output whose bytes are known before rendering, by output path
/// (without a leading `/`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Fingerprints(BTreeMap<String, FileHashes>);

impl Fingerprints {
    /// The hashes of each of `files` (output path and bytes), each through the memos.
    pub fn of(files: &[(String, Arc<[u8]>)], memos: &Memos) -> Fingerprints {
        let hash = memos.function(|bytes: &Digested<Arc<[u8]>>| FileHashes::of(bytes));
        Fingerprints(
            files
                .iter()
                .map(|(output_path, bytes)| {
                    (output_path.clone(), hash.call(Digested::new(Arc::clone(bytes))))
                })
                .collect(),
        )
    }

    /// The hashes of the output at `output_path`, if its bytes were known.
    pub fn get(&self, output_path: &str) -> Option<&FileHashes> {
        self.0.get(output_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_those_of_the_standard_test_vectors() {
        let hashes = FileHashes::of(b"abc");
        assert_eq!(
            hashes.encoded(ShaType::Sha256, false),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hashes.encoded(ShaType::Sha384, true),
            "ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
        assert_eq!(hashes.encoded(ShaType::Sha512, false).len(), 128);
        assert_eq!(hashes.cachebust(), "ba7816bf8f01cfea4141");
    }

    #[test]
    fn only_the_three_sha_2_sizes_are_known() {
        assert_eq!(ShaType::from_bits(384), Ok(ShaType::Sha384));
        assert!(ShaType::from_bits(1).unwrap_err().contains("256, 384 or 512"));
    }
}
