//! Skips a `quire build` whose inputs and output are exactly as the last successful build of
//! the site left them.
//!
//! A build is a pure function of its inputs: the files it loads, the config with every
//! override, this binary, and the moment only through pages' publication and expiry dates. So
//! after a successful build a manifest records a hash of all of them, the first moment a page
//! would be published or expire, what the build printed, and every output file with its size and
//! modification time. The next build with the same hash, before that moment, over an output
//! folder holding exactly those files, has nothing to do: it prints the same warnings and
//! writes nothing. Anything else (a changed byte in any input, a touched or extra output file)
//! runs the full build. The manifest lives beside the highlight cache and is only a cache.
//!
//! A build that does run hands the write what the manifest says of the output folder (its
//! files, and the write's trace of it), so that the write need not walk the folder to find
//! stale files and dot-files; the write trusts it only for the very folder it describes.

use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use walkdir::WalkDir;
use xxhash_rust::xxh3::Xxh3Default;

use super::cache_dir;
use crate::load::{self, SiteFiles, StaticSource};
use crate::project::Project;
use crate::site::schedule::HeldBack;
use crate::write::{self, FolderStamp, OutputStamp, Previous, Trace};

/// The manifest of one site's last successful build, and the hash of this build's inputs.
#[derive(Debug)]
pub struct BuildMemo {
    file: Option<PathBuf>,
    inputs: String,
    /// The manifest as read when the build began, if there was a readable one.
    manifest: Option<Manifest>,
}

/// What a successful build leaves for the next one.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    inputs: String,
    /// Seconds since the epoch of the first publication or expiry after the build.
    valid_until: Option<i64>,
    pages: usize,
    sections: usize,
    scheduled: usize,
    expired: usize,
    /// Drafts left out (absent from a record written before they were counted).
    #[serde(default)]
    drafts: usize,
    warnings: Vec<String>,
    /// Output files: path under the output folder, size, modification time in nanoseconds.
    outputs: Vec<(String, u64, u128)>,
    /// The output folder's stamp after the write, when the write left one (absent from a
    /// record written before it was kept).
    #[serde(default)]
    folder: Option<FolderStamp>,
    /// The output folder's dot-files and dot-folders after the write.
    #[serde(default)]
    dotted: Vec<String>,
}

/// What a build reported, to be printed again by a build it lets skip.
#[derive(Debug)]
pub struct BuildSummary {
    /// Pages built.
    pub pages: usize,
    /// Sections built.
    pub sections: usize,
    /// Pages held back by their dates.
    pub held_back: HeldBack,
    /// The warnings the build printed.
    pub warnings: Vec<String>,
}

/// What the skipped build would have reported.
#[derive(Debug)]
pub struct Unchanged {
    /// Pages and sections built.
    pub pages: usize,
    /// Sections built.
    pub sections: usize,
    /// Pages held back by their dates.
    pub held_back: HeldBack,
    /// Output files, all unchanged.
    pub files: usize,
    /// The warnings the build printed.
    pub warnings: Vec<String>,
}

impl BuildMemo {
    /// Hashes the inputs of `project`, as loaded in `files`.
    /// Reads the manifest of the last build, if any, once.
    pub fn new(project: &Project, files: &SiteFiles) -> BuildMemo {
        let file = cache_dir::site_file(&project.paths.root, "build", "json");
        let manifest = file
            .as_ref()
            .and_then(|file| cache_dir::read_regular(file).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        BuildMemo { file, inputs: inputs_hash(project, files), manifest }
    }

    /// The report of the last build if it still stands: same inputs, no page due to change
    /// status yet, and the output folder as that build left it.
    pub fn unchanged(&self, output_dir: &Path) -> Option<Unchanged> {
        let manifest = self.manifest.as_ref()?;
        if manifest.inputs != self.inputs {
            return None;
        }
        if manifest.valid_until.is_some_and(|until| jiff::Timestamp::now().as_second() >= until) {
            return None;
        }
        let mut expected = manifest.outputs.iter();
        for found in output_files(output_dir)? {
            if Some(&found) != expected.next() {
                return None;
            }
        }
        if expected.next().is_some() {
            return None;
        }
        Some(Unchanged {
            pages: manifest.pages,
            sections: manifest.sections,
            held_back: HeldBack {
                scheduled: manifest.scheduled,
                expired: manifest.expired,
                drafts: manifest.drafts,
                next_change: None,
            },
            files: manifest.outputs.len(),
            warnings: manifest.warnings.clone(),
        })
    }

    /// What the last build's write left in the output folder, for this build's write to check
    /// and use (see [`write::write_stamped`]), whatever the inputs were.
    pub fn previous_output(&mut self) -> Option<Previous> {
        let manifest = self.manifest.take()?;
        let trace = Trace { folder: manifest.folder?, dotted: manifest.dotted };
        let mut files: Vec<String> = manifest.outputs.into_iter().map(|(path, _, _)| path).collect();
        files.sort_unstable();
        Some(Previous { trace, files })
    }

    /// Records a successful build, whose write left `outputs` (sorted by path) and `trace`. A
    /// failure is logged, never an error: it is a cache.
    pub fn save(&self, outputs: Option<Vec<OutputStamp>>, trace: Option<Trace>, summary: BuildSummary) {
        let BuildSummary { pages, sections, held_back, warnings } = summary;
        let Some(file) = &self.file else { return };
        let Some(mut outputs) = outputs else { return };
        let (folder, dotted) = trace.map_or((None, Vec::new()), |trace| (Some(trace.folder), trace.dotted));
        // The check walks past dot-files, as the write's clean-up does: so does the record.
        outputs.retain(|(path, _, _)| !path.split('/').any(|part| part.starts_with('.')));
        let manifest = Manifest {
            inputs: self.inputs.clone(),
            valid_until: held_back.next_change.map(|t| t.as_second()),
            pages,
            sections,
            scheduled: held_back.scheduled,
            expired: held_back.expired,
            drafts: held_back.drafts,
            warnings,
            outputs,
            folder,
            dotted,
        };
        let written = serde_json::to_vec(&manifest)
            .map_err(std::io::Error::other)
            .and_then(|bytes| cache_dir::write_atomically(file, &bytes));
        if let Err(error) = written {
            log::debug!("could not write {}: {error}", file.display());
        }
    }
}

/// Every file under the output folder that the write stage manages (dot-files are left
/// alone there, so here too), sorted by path, with size and modification time; `None` if
/// unreadable.
fn output_files(output_dir: &Path) -> Option<Vec<OutputStamp>> {
    let mut files = Vec::new();
    let walker = WalkDir::new(output_dir)
        .min_depth(1)
        .into_iter()
        .filter_entry(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.ok()?;
        if entry.file_type().is_dir() {
            continue;
        }
        let (size, modified) = write::stamp(&entry.metadata().ok()?)?;
        let path = entry.path().strip_prefix(output_dir).ok()?.to_string_lossy().replace('\\', "/");
        files.push((path, size, modified));
    }
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Some(files)
}

/// A hash of everything a build reads: this binary, the project (config with overrides,
/// flags, folders), and every loaded file (texts; size and time for files copied as they are).
fn inputs_hash(project: &Project, files: &SiteFiles) -> String {
    let mut hasher = Xxh3Default::new();
    let mut part = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(&cache_dir::binary_stamp());
    // The config by its serde form, every field of it; a config serde could not write (none
    // read from TOML) gets the moment instead, which no later build matches.
    match serde_json::to_vec(&project.config) {
        Ok(config) => part(&config),
        Err(_) => part(&jiff::Timestamp::now().as_nanosecond().to_le_bytes()),
    }
    let mut options = Xxh3Default::new();
    (project.drafts, project.future, project.expired, &project.paths).hash(&mut options);
    part(&options.digest128().to_le_bytes());
    for file in files.content.iter() {
        part(file.content_path.as_bytes());
        part(file.text.as_bytes());
    }
    for file in &files.templates {
        part(file.name.as_bytes());
        part(file.text.as_bytes());
    }
    for asset in &files.content_assets {
        part(asset.relative_path.as_bytes());
        part(&stamp_of(&asset.source_path));
    }
    for file in &files.sass {
        part(file.display_path.as_os_str().as_encoded_bytes());
        part(file.text.as_bytes());
    }
    for file in &files.data {
        part(file.site_path.as_bytes());
        part(file.text.as_deref().unwrap_or("\0not text").as_bytes());
    }
    for file in &files.static_files {
        part(file.relative_path.as_bytes());
        match &file.source {
            StaticSource::Disk(path) | StaticSource::Read { path, .. } => part(&stamp_of(path)),
            StaticSource::BuiltIn(bytes) => part(bytes),
        }
    }
    format!("{:032x}", hasher.digest128())
}

/// A copied file's identity without reading it: a hash of its path and its load stamp (size,
/// times, inode), or of the path alone when it cannot be read.
fn stamp_of(path: &Path) -> [u8; 8] {
    let mut hasher = Xxh3Default::new();
    path.hash(&mut hasher);
    fs::metadata(path).ok().as_ref().map(load::stamp).hash(&mut hasher);
    hasher.finish().to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(valid_until: Option<i64>) -> Manifest {
        Manifest {
            inputs: "inputs".into(),
            valid_until,
            pages: 1,
            sections: 1,
            scheduled: 1,
            expired: 0,
            drafts: 2,
            warnings: vec!["a warning".into()],
            outputs: Vec::new(),
            folder: None,
            dotted: Vec::new(),
        }
    }

    /// A memo over an empty output folder whose manifest is `manifest`.
    fn check(manifest: &Manifest, inputs: &str) -> Option<Unchanged> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("build.json");
        fs::write(&file, serde_json::to_vec(manifest).unwrap()).unwrap();
        let output = dir.path().join("public");
        fs::create_dir(&output).unwrap();
        let manifest = serde_json::from_slice(&fs::read(&file).unwrap()).ok();
        BuildMemo { file: Some(file), inputs: inputs.into(), manifest }.unchanged(&output)
    }

    #[test]
    fn the_memo_holds_until_a_page_is_due_to_change_status() {
        let now = jiff::Timestamp::now().as_second();
        let unchanged = check(&manifest(Some(now + 3600)), "inputs").expect("valid for an hour");
        assert_eq!((unchanged.pages, unchanged.held_back.scheduled, unchanged.held_back.drafts), (1, 1, 2));
        assert_eq!(unchanged.warnings, ["a warning"]);
        assert!(check(&manifest(None), "inputs").is_some());
        assert!(check(&manifest(Some(now - 1)), "inputs").is_none(), "a scheduled page is due");
        assert!(check(&manifest(None), "other inputs").is_none());
    }
}
