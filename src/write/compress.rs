//! Precompressed copies of text outputs (`page.html.gz` beside `page.html`), for hosts that
//! serve a file's `.gz` to browsers that accept gzip (nginx `gzip_static`, Caddy
//! `precompressed`). Made from the bytes about to be written; reads nothing of the site.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::write::{Contents, OutputFile};

/// The extensions of the outputs that get a compressed copy: text a browser downloads.
pub const TEXT_EXTENSIONS: [&str; 10] =
    ["html", "htm", "css", "js", "mjs", "xml", "json", "svg", "txt", "webmanifest"];

/// `files` (sorted by output path) with a gzip copy beside each text file that compresses
/// to fewer bytes, sorted by output path. A file the site itself names `NAME.gz` is kept and
/// not made.
///
/// # Errors
/// A staged file that cannot be read back.
pub fn with_gzip_copies(files: Vec<OutputFile>) -> Result<Vec<OutputFile>> {
    let names: std::collections::HashSet<&str> = files.iter().map(|f| f.output_path.as_str()).collect();
    let compressed: Vec<Result<Option<OutputFile>>> = crate::blocking_io::run(|| {
        files
            .par_iter()
            .filter(|file| {
                is_text(&file.output_path) && !names.contains(format!("{}.gz", file.output_path).as_str())
            })
            .map(gzip_copy)
            .collect()
    });
    let mut all = files.clone();
    let mut errors = Vec::new();
    for result in compressed {
        match result {
            Ok(Some(file)) => all.push(file),
            Ok(None) => {}
            Err(error) => errors.push(error),
        }
    }
    Error::fail_if_any(errors)?;
    all.sort_by(|a, b| a.output_path.cmp(&b.output_path));
    Ok(all)
}

fn is_text(output_path: &str) -> bool {
    let name = output_path.rsplit('/').next().unwrap_or(output_path);
    name.rsplit_once('.').is_some_and(|(_, ext)| TEXT_EXTENSIONS.iter().any(|t| ext.eq_ignore_ascii_case(t)))
}

/// The gzip copy of `file`, or `None` when it would not be smaller.
fn gzip_copy(file: &OutputFile) -> Result<Option<OutputFile>> {
    let bytes = match &file.contents {
        Contents::Bytes(bytes) => std::borrow::Cow::Borrowed(&bytes[..]),
        other => std::borrow::Cow::Owned(
            other.read().map_err(|source| Error::Read { path: file.output_path.clone().into(), source })?,
        ),
    };
    // The default level (6): the best (9) costs several times the CPU for a few percent
    // fewer bytes. The header's time is zero, so builds are reproducible.
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3 + 64), Compression::default());
    encoder.write_all(&bytes).and_then(|()| encoder.try_finish()).expect("writing into a Vec cannot fail");
    let compressed = encoder.finish().expect("writing into a Vec cannot fail");
    if compressed.len() >= bytes.len() {
        return Ok(None);
    }
    Ok(Some(OutputFile {
        output_path: format!("{}.gz", file.output_path),
        contents: Contents::Bytes(compressed.into()),
    }))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn file(output_path: &str, text: &str) -> OutputFile {
        OutputFile { output_path: output_path.into(), contents: Contents::Bytes(text.as_bytes().into()) }
    }

    #[test]
    fn text_files_get_a_gzip_copy_that_unpacks_to_them() {
        let page = "<p>hello</p>\n".repeat(50);
        let files = vec![file("a/index.html", &page), file("photo.jpg", &page), file("tiny.css", "a{}")];
        let all = with_gzip_copies(files).unwrap();
        let paths: Vec<&str> = all.iter().map(|f| f.output_path.as_str()).collect();
        assert_eq!(paths, ["a/index.html", "a/index.html.gz", "photo.jpg", "tiny.css"]);
        let mut unpacked = String::new();
        flate2::read::GzDecoder::new(&all[1].contents.read().unwrap()[..])
            .read_to_string(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, page);
    }
}
