//! Processed images kept between runs (issue 24): a folder under the cache folder holds each
//! result as `<digest of the source's bytes and the operation>.<extension>`, so a build
//! processes only new or changed images; in `quire serve` a result is also remembered by the
//! source's stamp, so an unchanged image is not even read again.
//!
//! The store reads the source images (a memoized read: the bytes are the key) and calls the
//! pure processing function it is given; it does not decide what is processed. A result the
//! run did not use is removed when the run ends. Everything here is a cache: a folder that
//! cannot be written costs a warning and the work, never a wrong build.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;

use super::cache_dir;
use super::Digest;
use crate::error::Error;
use crate::images::Operation;
use crate::load::Stamp;

/// One processed image a run asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageJob {
    /// The source image.
    pub source_path: PathBuf,
    /// Its stamp when it was loaded.
    pub stamp: Stamp,
    /// What to make of it.
    pub operation: Operation,
    /// Where the result goes under the output folder.
    pub output_path: String,
}

/// A processed image: a file in the cache folder, or bytes when the folder is not writable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    /// The cached file, to be copied (or linked) into the output.
    File(PathBuf),
    /// The bytes, to be written.
    Bytes(Arc<[u8]>),
}

/// What a run's images came to.
#[derive(Debug, Default)]
pub struct ProcessedImages {
    /// Each job's output path and result, in the jobs' order.
    pub files: Vec<(String, Processed)>,
    /// Images that could not be processed, each naming its file.
    pub errors: Vec<Error>,
    /// Problems with the cache folder (the build is still correct).
    pub warnings: Vec<String>,
    /// How many results were processed now (the rest came from the cache).
    pub processed: usize,
}

/// The pure processing function: the source's bytes and the operation in, the result out.
pub type Process = fn(&[u8], &Operation) -> Result<Vec<u8>, String>;

/// The processed images of one site.
#[derive(Debug)]
pub struct ImageStore {
    /// `<cache>/quire/images-<site>.d`, or none when caching is off.
    dir: Option<PathBuf>,
    /// Results by source, stamp and operation: for a `serve`'s life.
    memory: Mutex<HashMap<(PathBuf, Stamp, Operation), Processed>>,
}

impl ImageStore {
    /// The store of the site at `root`.
    pub fn open(root: &Path) -> ImageStore {
        ImageStore { dir: cache_dir::site_file(root, "images", "d"), memory: Mutex::default() }
    }

    /// Produces every job's image, in parallel (each thread decodes one image at a time),
    /// from the cache where the same bytes were processed the same way before; then removes
    /// from the cache folder every result this run did not use.
    pub fn produce(&self, jobs: &[ImageJob], process: Process) -> ProcessedImages {
        let dir_ready = match &self.dir {
            Some(dir) => match std::fs::create_dir_all(dir) {
                Ok(()) => Ok(Some(dir.as_path())),
                Err(error) => Err(format!(
                    "the image cache `{}` cannot be made ({error}): images are processed again on every build",
                    dir.display()
                )),
            },
            None => Ok(None),
        };
        let mut images = ProcessedImages::default();
        let dir = match dir_ready {
            Ok(dir) => dir,
            Err(warning) => {
                images.warnings.push(warning);
                None
            }
        };
        let failed_writes = Mutex::new(Vec::new());
        let results: Vec<(Produced, Option<String>)> = jobs
            .par_iter()
            .map(|job| {
                let key = (job.source_path.clone(), job.stamp, job.operation);
                let remembered =
                    self.memory.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
                if let Some(Processed::File(file)) = &remembered {
                    if file.is_file() {
                        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
                        return (Ok((Processed::File(file.clone()), false)), name);
                    }
                }
                if let Some(bytes @ Processed::Bytes(_)) = remembered {
                    return (Ok((bytes, false)), None);
                }
                let result = produce_one(job, dir, process, &failed_writes);
                if let Ok((processed, _)) = &result {
                    self.memory.lock().unwrap_or_else(PoisonError::into_inner).insert(key, processed.clone());
                }
                let name = match &result {
                    Ok((Processed::File(file), _)) => {
                        file.file_name().map(|n| n.to_string_lossy().into_owned())
                    }
                    _ => None,
                };
                (result, name)
            })
            .collect();
        let mut used = HashSet::new();
        for (job, (result, name)) in jobs.iter().zip(results) {
            used.extend(name);
            match result {
                Ok((processed, fresh)) => {
                    images.processed += usize::from(fresh);
                    images.files.push((job.output_path.clone(), processed));
                }
                Err(error) => images.errors.push(error),
            }
        }
        if let Some(warning) = failed_writes.into_inner().unwrap_or_else(PoisonError::into_inner).first() {
            images.warnings.push(warning.clone());
        }
        if let Some(dir) = dir {
            if images.errors.is_empty() {
                remove_unused(dir, &used);
            }
        }
        self.memory.lock().unwrap_or_else(PoisonError::into_inner).retain(|(source, stamp, operation), _| {
            jobs.iter().any(|j| j.source_path == *source && j.stamp == *stamp && j.operation == *operation)
        });
        images
    }
}

/// A job's result and whether it was processed now (not taken from the cache).
type Produced = Result<(Processed, bool), Error>;

/// One job: the source read and digested, the cached result if there is one, else processed
/// and cached. Returns the result and whether it was processed now.
fn produce_one(
    job: &ImageJob,
    dir: Option<&Path>,
    process: Process,
    failed_writes: &Mutex<Vec<String>>,
) -> Produced {
    let bytes = cache_dir::read_regular(&job.source_path)
        .map_err(|source| Error::Read { path: job.source_path.clone(), source })?;
    let mut digest = Digest::new();
    "processed image".hash(&mut digest);
    bytes.hash(&mut digest);
    job.operation.hash(&mut digest);
    let name = format!("{:032x}.{}", digest.finish_128(), job.operation.format.extension());
    if let Some(dir) = dir {
        let cached = dir.join(&name);
        if cached.is_file() {
            return Ok((Processed::File(cached), false));
        }
    }
    let output = process(&bytes, &job.operation)
        .map_err(|detail| Error::Image { path: job.source_path.clone(), detail })?;
    drop(bytes);
    if let Some(dir) = dir {
        let cached = dir.join(&name);
        match cache_dir::write_atomically(&cached, &output) {
            Ok(()) => return Ok((Processed::File(cached), true)),
            Err(error) => failed_writes.lock().unwrap_or_else(PoisonError::into_inner).push(format!(
                "could not keep a processed image in `{}` ({error}): images are processed again on the next build",
                dir.display()
            )),
        }
    }
    Ok((Processed::Bytes(output.into()), true))
}

/// Removes the results in `dir` that `used` does not name: an image no page asks for any more.
fn remove_unused(dir: &Path, used: &HashSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !used.contains(&name) {
            if let Err(error) = std::fs::remove_file(entry.path()) {
                log::debug!("could not remove the unused image {}: {error}", entry.path().display());
            }
        }
    }
}
