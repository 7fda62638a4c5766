//! The built site as deploy sees it: every file under `public/`, its key, the bytes it is
//! uploaded as (gzipped where a matcher asks) and their MD5, dot-files left out. Reads
//! `public/`; never writes.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use md5::{Digest as _, Md5};
use rayon::prelude::*;

use crate::deploy::headers::{FileHeaders, Gzip, Matchers};
use crate::error::{Error, Result};

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct LocalFile {
    /// Its path under `public/`, with `/`: the object's key under the target's prefix.
    pub key: String,
    /// The file on disk.
    pub source_path: PathBuf,
    /// The size of the bytes uploaded (after gzip).
    pub size: u64,
    /// The MD5 of the bytes uploaded: what S3 and GCS report as the object's ETag.
    pub md5: [u8; 16],
    /// The headers it is uploaded with.
    pub headers: FileHeaders,
}

/// Every file under `output`, sorted by key, hashed in parallel.
///
/// # Errors
/// `Error::Read` for a file or folder that cannot be read; `Error::Deploy` when `output` is
/// missing (the site was not built).
pub fn scan(output: &Path, matchers: &Matchers) -> Result<Vec<LocalFile>> {
    if !output.is_dir() {
        return Err(Error::NothingToDeploy { output: output.to_path_buf() });
    }
    let mut paths = Vec::new();
    // Dot-files are not the site: a build's `.quire-staging-*` folder, a `.git`. `.well-known/`
    // is, by its name, for the web.
    let published = |entry: &walkdir::DirEntry| {
        entry.depth() == 0 || {
            let name = entry.file_name().to_string_lossy();
            !name.starts_with('.') || name == ".well-known"
        }
    };
    let walk = walkdir::WalkDir::new(output).follow_links(true).sort_by_file_name();
    for entry in walk.into_iter().filter_entry(published) {
        let entry = entry.map_err(|error| Error::Read {
            path: error.path().unwrap_or(output).to_path_buf(),
            source: error.into(),
        })?;
        if entry.file_type().is_file() {
            paths.push(entry.into_path());
        }
    }
    paths
        .into_par_iter()
        .map(|source_path| {
            let relative = source_path.strip_prefix(output).unwrap_or(&source_path);
            let key =
                relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            let headers = matchers.headers(&key);
            let body = body(&source_path, headers.gzip)?;
            Ok(LocalFile { key, size: body.len() as u64, md5: md5(&body), source_path, headers })
        })
        .collect()
}

/// The bytes `file` is uploaded as.
///
/// # Errors
/// `Error::Read` if the file cannot be read.
pub fn upload_body(file: &LocalFile) -> Result<Vec<u8>> {
    body(&file.source_path, file.headers.gzip)
}

/// The MD5 of `bytes`.
pub fn md5(bytes: &[u8]) -> [u8; 16] {
    Md5::digest(bytes).into()
}

/// The file's bytes, gzipped if asked. Gzip output is a function of the input (no name, no
/// time in the header), so an unchanged file hashes the same on every deploy.
fn body(source_path: &Path, gzip: Gzip) -> Result<Vec<u8>> {
    let read_error = |source| Error::Read { path: source_path.to_path_buf(), source };
    let bytes = std::fs::read(source_path).map_err(read_error)?;
    match gzip {
        Gzip::No => Ok(bytes),
        Gzip::Yes => {
            let mut encoder = flate2::write::GzEncoder::new(
                Vec::with_capacity(bytes.len() / 3),
                flate2::Compression::best(),
            );
            encoder.write_all(&bytes).map_err(read_error)?;
            encoder.finish().map_err(read_error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_the_same_bytes_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.css");
        std::fs::write(&file, "body { color: red }\n".repeat(50)).unwrap();
        let first = body(&file, Gzip::Yes).unwrap();
        assert_eq!(first, body(&file, Gzip::Yes).unwrap());
        assert!(first.len() < 1000);
        assert_eq!(hex(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
