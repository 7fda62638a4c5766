//! Stage 1, load: the only code that reads the site from disk.
//!
//! It walks `content/`, the templates and the static folders, reads every text file it needs
//! in parallel, and returns them in a stable order. When the site uses the built-in theme, its
//! files (from `theme`) come first, as the lowest-priority source. It does not interpret any of it.
//! A `ReadCache` lets a later load (`quire serve`) skip reading content files that did not change.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::error::{read_bytes, Error, Location, Result};
use crate::project::{ExternalSymlinks, Paths};
use crate::theme;

/// Everything a build reads, in memory (static files are only listed, and copied at write).
#[derive(Debug, Clone, Default)]
pub struct SiteFiles {
    /// Markdown files under `content/`, sorted by path. Shared: `quire serve` keeps this
    /// load for the next while the run parses it, and copying 10,000 paths for that took
    /// a millisecond or two each run; [`reload`] changes it in place once the run let go.
    pub content: Arc<Vec<SourceFile>>,
    /// Other files under `content/` (images beside posts), sorted by path.
    pub content_assets: Vec<AssetFile>,
    /// Templates: the theme's first, then the site's (which override by name).
    pub templates: Vec<TemplateFile>,
    /// Files to copy as they are: the theme's `static/` then the site's `static/` (which
    /// override by path).
    pub static_files: Vec<StaticFile>,
    /// Sass and SCSS sources (and plain CSS they may import): the theme's `sass/` then the
    /// site's `sass/`.
    pub sass: Vec<SassFile>,
    /// Files templates may read as data: every file under `data/`, and the JSON, YAML, TOML
    /// and CSV files under `content/` and the `static/` folders, sorted by site path.
    pub data: Vec<DataFile>,
}

/// A file from a `sass/` folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SassFile {
    /// Path relative to its `sass/` folder, with `/` separators: `css/site.scss`.
    pub relative_path: String,
    /// The path as shown to the user, relative to the site root: `sass/css/site.scss`.
    pub display_path: PathBuf,
    /// The text.
    pub text: String,
}

/// The extensions of the files read from `sass/`: stylesheets to compile and plain CSS they
/// may import.
pub const SASS_EXTENSIONS: [&str; 3] = ["scss", "sass", "css"];

/// A file templates may read as data (`data.talks`, `load_data(path="data/talks.yaml")`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    /// Path relative to the site root, with `/` separators: `data/talks.yaml`.
    pub site_path: String,
    /// The path as shown to the user.
    pub display_path: PathBuf,
    /// The text; `None` when a file outside `data/` is not UTF-8 text (an error only if a
    /// template reads it: a file under `data/` that cannot be read fails the load).
    pub text: Option<Arc<str>>,
}

/// The folder, under the site root, whose files templates see as `data.NAME`.
pub const DATA_FOLDER: &str = "data";

/// A Markdown file from `content/`. Shared parts, so that a copy (the parse memo keeps one of
/// every file) costs no allocation.
#[derive(Debug, Clone, Eq)]
pub struct SourceFile {
    /// Path relative to `content/`, with `/` separators: `blog/first.md`.
    pub content_path: Arc<str>,
    /// The path as shown to the user: `content/blog/first.md`.
    pub display_path: Arc<Path>,
    /// The text, as read (BOM and CRLF still there); shared with the `ReadCache`.
    pub text: Arc<str>,
}

impl PartialEq for SourceFile {
    fn eq(&self, other: &SourceFile) -> bool {
        self.content_path == other.content_path
            // Byte for byte: `Path`'s equality walks components, ten thousand times a run.
            && self.display_path.as_os_str() == other.display_path.as_os_str()
            // An unchanged text is shared; `Arc<str>`'s own equality reads every byte even then.
            && (Arc::ptr_eq(&self.text, &other.text) || self.text == other.text)
    }
}

impl std::hash::Hash for SourceFile {
    /// The content path and the text's length, not the text: the path tells files apart,
    /// and hashing every text on every run would cost more than comparing the one file of
    /// that path. (The display path follows from the content path.)
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.content_path.hash(state);
        self.text.len().hash(state);
    }
}

/// Content texts from earlier loads, reused while a file's stamp stays the same and nobody
/// said it changed (`forget`).
#[derive(Debug, Default)]
pub struct ReadCache {
    texts: HashMap<PathBuf, (Stamp, Arc<str>)>,
}

/// What a file looked like when it was read, to tell without reading it whether it changed.
///
/// Size and modification time alone are not enough: `cp -p`, `tar -x`, `rsync -t` and
/// `touch -r` give a file other bytes with the same size and time (issue 21). On Unix the
/// stamp also holds the inode change time, which no copying tool can set (any write, and
/// setting the modification time, moves it to the present), and the device and inode, which
/// differ when a folder was replaced by another copy of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    size: u64,
    modified: Option<SystemTime>,
    /// Inode change time, seconds and nanoseconds (Unix only).
    changed: (i64, i64),
    /// Device and inode (Unix only).
    file_id: (u64, u64),
}

/// The stamp of a file as its metadata gives it.
pub fn stamp(meta: &std::fs::Metadata) -> Stamp {
    #[cfg(unix)]
    let (changed, file_id) = {
        use std::os::unix::fs::MetadataExt;
        ((meta.ctime(), meta.ctime_nsec()), (meta.dev(), meta.ino()))
    };
    // Elsewhere the creation time stands in for the change time: a copy is a new file.
    #[cfg(not(unix))]
    let (changed, file_id) = {
        let created = meta.created().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        (created.map_or((0, 0), |d| (d.as_secs() as i64, i64::from(d.subsec_nanos()))), (0, 0))
    };
    Stamp { size: meta.len(), modified: meta.modified().ok(), changed, file_id }
}

impl ReadCache {
    /// An empty cache: the next load reads everything.
    pub fn new() -> ReadCache {
        ReadCache::default()
    }

    /// Reads `path` again next time, whatever its size and time say: a change can keep both
    /// (two saves within one tick of the file system clock, with the same length). For a
    /// folder, everything in it: a folder swapped in whole (`mv content.new content`) can
    /// hold other texts under the same names with the same sizes and times (`cp -a`).
    pub fn forget(&mut self, path: &Path) {
        if self.texts.remove(path).is_none() && !path.is_file() {
            self.texts.retain(|cached, _| !cached.starts_with(path));
        }
    }
}

/// A file that is copied, not parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFile {
    /// Path relative to its folder (`content/` or `static/`), with `/` separators.
    pub relative_path: String,
    /// The file on disk.
    pub source_path: PathBuf,
    /// Its size in pixels and stamp, when it is a raster image whose header could be read.
    pub image: Option<ImageHeader>,
}

/// What an image's header says, read without decoding it (issue 23: a Markdown image gets
/// its intrinsic `width` and `height`), and the file's stamp when it was read, so that a
/// processed copy made from other bytes is never taken for this one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageHeader {
    /// Width in pixels, as shown: after a JPEG's EXIF rotation.
    pub width: u32,
    /// Height in pixels, as shown.
    pub height: u32,
    /// The file's stamp when its header was read.
    pub stamp: Stamp,
}

/// How much of an image is read for its header.
const HEADER_BYTES: u64 = 256 * 1024;

/// The extensions of the raster images whose headers are read: the formats browsers show.
pub const IMAGE_EXTENSIONS: [&str; 6] = ["jpg", "jpeg", "png", "webp", "gif", "avif"];

/// Whether `path`'s extension is one of [`IMAGE_EXTENSIONS`].
pub fn is_image_path(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, e)| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The header of the image at `source_path`, if its name says it is one and its header can
/// be read (a corrupt file has none: the page shows it without a size, and an image function
/// asked to process it fails with the file's name).
fn image_header(relative_path: &str, source_path: &Path) -> Option<ImageHeader> {
    if !is_image_path(relative_path) {
        return None;
    }
    let extension = relative_path.rsplit_once('.')?.1.to_ascii_lowercase();
    let file = std::fs::File::open(source_path).ok()?;
    let meta = file.metadata().ok()?;
    // The header only: a JPEG's EXIF and frame header are in its first segments, so a 6 MB
    // photo costs one read of at most 256 KB.
    let mut head = Vec::with_capacity(HEADER_BYTES.min(meta.len()) as usize);
    file.take(HEADER_BYTES).read_to_end(&mut head).ok()?;
    let size = imagesize::blob_size(&head).ok()?;
    let (mut width, mut height) = (u32::try_from(size.width).ok()?, u32::try_from(size.height).ok()?);
    // A photo taken with the camera turned says so in EXIF; browsers show it turned.
    if matches!(extension.as_str(), "jpg" | "jpeg") && crate::images::is_turned(&head) {
        (width, height) = (height, width);
    }
    Some(ImageHeader { width, height, stamp: stamp(&meta) })
}

/// A file from a `static/` folder, copied as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    /// Path relative to `static/`, with `/` separators: `css/site.css`.
    pub relative_path: String,
    /// Where its bytes are.
    pub source: StaticSource,
    /// Its size in pixels, when it is a raster image on disk whose header could be read.
    pub image: Option<ImageHeader>,
}

/// Where a static file's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticSource {
    /// A file on disk, copied when the output is written.
    Disk(PathBuf),
    /// A file on disk read by the load (a stylesheet, a script, a font: see
    /// [`is_read_asset`]), so that later stages can hash, minify or compress it.
    Read { path: PathBuf, bytes: Arc<[u8]> },
    /// A file of the built-in theme, compiled into the binary.
    BuiltIn(&'static [u8]),
}

impl StaticFile {
    /// The file's bytes, when the load has them in memory (read assets and the built-in
    /// theme's files); `None` for files only copied.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.source {
            StaticSource::Disk(_) => None,
            StaticSource::Read { bytes, .. } => Some(bytes),
            StaticSource::BuiltIn(bytes) => Some(bytes),
        }
    }

    /// [`StaticFile::bytes`], shared (a built-in file's are copied).
    pub fn shared_bytes(&self) -> Option<Arc<[u8]>> {
        match &self.source {
            StaticSource::Disk(_) => None,
            StaticSource::Read { bytes, .. } => Some(Arc::clone(bytes)),
            StaticSource::BuiltIn(bytes) => Some(Arc::from(*bytes)),
        }
    }
}

/// The extensions of static files the load reads into memory: text files a page links to
/// (stylesheets, scripts, data, vector images, source maps) and fonts. These are the files
/// templates fingerprint (`get_url(cachebust=true)`, `get_hash`) and the output minifies and
/// compresses; photos, videos and archives are only copied, never held in memory.
pub const READ_ASSET_EXTENSIONS: [&str; 15] = [
    "css",
    "js",
    "mjs",
    "json",
    "map",
    "svg",
    "xml",
    "txt",
    "webmanifest",
    "html",
    "htm",
    "woff",
    "woff2",
    "ttf",
    "otf",
];

/// Files larger than this are copied, not read, whatever their extension (16 MiB).
pub const READ_ASSET_LIMIT: u64 = 16 << 20;

/// Whether a static file with this path is read into memory by the load (by its extension;
/// its size is checked as it is read).
pub fn is_read_asset(relative_path: &str) -> bool {
    let name = relative_path.rsplit('/').next().unwrap_or(relative_path);
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| READ_ASSET_EXTENSIONS.iter().any(|known| ext.eq_ignore_ascii_case(known)))
}

/// A template file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TemplateFile {
    /// The name templates use for it: `page.html`, `partials/nav.html`.
    pub name: String,
    /// The path as shown to the user.
    pub display_path: PathBuf,
    /// The template text.
    pub text: String,
}

/// Reads the whole site.
///
/// # Errors
/// Unreadable files or folders, files that are not UTF-8, and a missing `content/` folder.
pub fn load(paths: &Paths) -> Result<SiteFiles> {
    load_with(paths, &mut ReadCache::new())
}

/// Reads the whole site, taking from `cache` the content texts that did not change, and
/// leaving in it the texts of this load.
///
/// # Errors
/// As `load`.
pub fn load_with(paths: &Paths, cache: &mut ReadCache) -> Result<SiteFiles> {
    let started = std::time::Instant::now();
    let lap = |what: &str| log::debug!("load: {what} at {:?}", started.elapsed());
    let mut errors = Vec::new();
    let mut files = SiteFiles::default();

    if !paths.content.is_dir() {
        return Err(Error::Read {
            path: paths.content.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "the site has no `content/` folder"),
        });
    }
    let content_entries = walk(&paths.content, paths, Skip::Hidden, &mut errors);
    let (markdown, assets): (Vec<_>, Vec<_>) =
        content_entries.into_iter().partition(|(rel, _)| markdown_stem(rel).is_some());
    lap("walked content");
    files.content_assets = crate::blocking_io::run(|| {
        assets
            .into_par_iter()
            .map(|(relative_path, source_path)| {
                let image = image_header(&relative_path, &source_path);
                AssetFile { relative_path, source_path, image }
            })
            .collect()
    });
    errors.extend(crate::blocking_io::run(|| {
        files
            .content_assets
            .par_iter()
            .filter_map(|asset| asset_with_front_matter(asset, &paths.root))
            .collect::<Vec<_>>()
    }));

    let read: Vec<Result<(SourceFile, PathBuf, Stamp)>> = crate::blocking_io::run(|| {
        markdown
            .into_par_iter()
            .map(|(content_path, source_path)| {
                let display_path = display(&paths.root, &source_path);
                // Opened first and stamped from the open file: one lookup of the path, which
                // with 100,000 posts in a folder is the most of reading one.
                let failed = |source| Error::Read { path: source_path.clone(), source };
                let mut file = std::fs::File::open(&source_path).map_err(failed)?;
                let meta = file.metadata().map_err(failed)?;
                let stamp = stamp(&meta);
                let text = match cache.texts.get(&source_path) {
                    Some((old, text)) if *old == stamp => Arc::clone(text),
                    _ => {
                        // Through `Take`, whose reading stops at the end: `File`'s own
                        // read_to_end asks the size and position again (fstat, lseek).
                        let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
                        (&mut file).take(u64::MAX).read_to_end(&mut bytes).map_err(failed)?;
                        decode_text(bytes, &display_path)?.into()
                    }
                };
                let file =
                    SourceFile { display_path: display_path.into(), content_path: content_path.into(), text };
                Ok((file, source_path, stamp))
            })
            .collect()
    });
    let mut texts = HashMap::with_capacity(read.len());
    let mut content = Vec::with_capacity(read.len());
    for result in read {
        match result {
            Ok((file, source_path, stamp)) => {
                texts.insert(source_path, (stamp, Arc::clone(&file.text)));
                content.push(file);
            }
            Err(error) => errors.push(error),
        }
    }
    lap("read the markdown");
    cache.texts = texts;
    files.content = Arc::new(content);

    if paths.theme.is_none() {
        files.templates.extend(theme::templates().map(|t| TemplateFile {
            name: t.name.to_string(),
            display_path: theme::display_path("templates", t.name),
            text: t.text.to_string(),
        }));
        files.static_files.extend(theme::static_files().map(|f| StaticFile {
            relative_path: f.relative_path.to_string(),
            source: StaticSource::BuiltIn(f.bytes),
            image: None,
        }));
    }
    let template_dirs = paths.theme.iter().map(|t| t.join("templates")).chain([paths.templates.clone()]);
    for dir in template_dirs {
        for (name, source_path) in walk(&dir, paths, Skip::Hidden, &mut errors) {
            let display_path = display(&paths.root, &source_path);
            match read_text(&source_path, &display_path) {
                Ok(text) => files.templates.push(TemplateFile { name, display_path, text }),
                Err(error) => errors.push(error),
            }
        }
    }

    let static_dirs = paths.theme.iter().map(|t| t.join("static")).chain([paths.static_dir.clone()]);
    for dir in static_dirs {
        // Hidden files are published from `static/`: `.well-known/`, `.nojekyll` (issue 22).
        let found = walk(&dir, paths, Skip::Tools, &mut errors);
        let read: Vec<Result<StaticFile>> = crate::blocking_io::run(|| {
            found
                .into_par_iter()
                .map(|(relative_path, source_path)| read_static(relative_path, source_path))
                .collect()
        });
        for file in read {
            match file {
                Ok(file) => files.static_files.push(file),
                Err(error) => errors.push(error),
            }
        }
    }

    let sass_dirs = paths.theme.iter().map(|t| t.join("sass")).chain([paths.sass.clone()]);
    for dir in sass_dirs {
        for (relative_path, source_path) in walk(&dir, paths, Skip::Hidden, &mut errors) {
            let extension = relative_path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
            if !extension.is_some_and(|ext| SASS_EXTENSIONS.contains(&ext.as_str())) {
                continue;
            }
            let display_path = display(&paths.root, &source_path);
            match read_text(&source_path, &display_path) {
                Ok(text) => files.sass.push(SassFile { relative_path, display_path, text }),
                Err(error) => errors.push(error),
            }
        }
    }

    files.data = data_files(paths, &files, &mut errors);
    Error::fail_if_any(errors)?;
    Ok(files)
}

/// A static file as the load gives it: read into memory if it is a read asset of at most
/// [`READ_ASSET_LIMIT`] bytes, else only named.
fn read_static(relative_path: String, source_path: PathBuf) -> Result<StaticFile> {
    let on_disk = |relative_path: String, source_path: PathBuf| {
        let image = image_header(&relative_path, &source_path);
        StaticFile { relative_path, source: StaticSource::Disk(source_path), image }
    };
    if !is_read_asset(&relative_path) {
        return Ok(on_disk(relative_path, source_path));
    }
    let failed = |source| Error::Read { path: source_path.clone(), source };
    let file = std::fs::File::open(&source_path).map_err(failed)?;
    let size = file.metadata().map_err(failed)?.len();
    if size > READ_ASSET_LIMIT {
        return Ok(on_disk(relative_path, source_path));
    }
    let mut bytes = Vec::with_capacity(size as usize + 1);
    file.take(READ_ASSET_LIMIT + 1).read_to_end(&mut bytes).map_err(failed)?;
    let source = StaticSource::Read { path: source_path, bytes: bytes.into() };
    Ok(StaticFile { relative_path, source, image: None })
}

/// The data files of the site: every file under `data/` (an unreadable one is an error),
/// then the content assets and site static files whose extension is a data format's.
fn data_files(paths: &Paths, files: &SiteFiles, errors: &mut Vec<Error>) -> Vec<DataFile> {
    let mut data = Vec::new();
    for (_, source_path) in walk(&paths.data, paths, Skip::Hidden, errors) {
        let display_path = display(&paths.root, &source_path);
        match read_text(&source_path, &display_path) {
            Ok(text) => {
                let site_path = slash_path(&display_path);
                data.push(DataFile { site_path, display_path, text: Some(text.into()) });
            }
            Err(error) => errors.push(error),
        }
    }
    // A static file `read_static` already read (JSON is a read asset) is not read again.
    let static_sources = files.static_files.iter().filter_map(|file| match &file.source {
        StaticSource::Disk(path) => Some((path, None)),
        StaticSource::Read { path, bytes } => Some((path, Some(bytes))),
        StaticSource::BuiltIn(_) => None,
    });
    let others = files.content_assets.iter().map(|asset| (&asset.source_path, None)).chain(static_sources);
    for (source_path, bytes) in others {
        let display_path = display(&paths.root, source_path);
        let site_path = slash_path(&display_path);
        if crate::parse::data::DataFormat::of_path(&site_path).is_none() || display_path.is_absolute() {
            continue;
        }
        let text = match bytes {
            Some(bytes) => std::str::from_utf8(bytes).ok().map(Arc::from),
            None => read_text(source_path, &display_path).ok().map(Arc::from),
        };
        data.push(DataFile { site_path, display_path, text });
    }
    data.sort_by(|a, b| walk_order(&a.site_path, &b.site_path));
    data.dedup_by(|later, earlier| later.site_path == earlier.site_path);
    data
}

/// Brings `files` (this site's last load) up to date with `changed`, the paths a watcher
/// saw change since, re-reading only those: with 10,000 posts a full load spends a tenth of a
/// second on walking and stat'ing files that did not change.
///
/// Only edits, additions and deletions of Markdown files under `content/` are applied here;
/// `None` for anything else (a template, a static file, a data file, the config, a folder,
/// an asset, a symbolic link, a file that cannot be read), which the caller answers with a
/// full load.
pub fn reload(
    paths: &Paths,
    mut files: SiteFiles,
    changed: &std::collections::BTreeSet<PathBuf>,
    cache: &mut ReadCache,
) -> Option<SiteFiles> {
    // Copied only if the last run still holds it.
    let content = Arc::make_mut(&mut files.content);
    for path in changed {
        let relative = path.strip_prefix(&paths.content).ok()?;
        let ignored = relative.components().any(|c| is_ignored_name(&c.as_os_str().to_string_lossy()));
        if ignored || markdown_stem(&path.to_string_lossy()).is_none() {
            return None;
        }
        let content_path = slash_path(relative);
        let position = content.binary_search_by(|file| walk_order(&file.content_path, &content_path));
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_file() => {
                let display_path = display(&paths.root, path);
                let text: Arc<str> = read_text(path, &display_path).ok()?.into();
                cache.texts.insert(path.clone(), (stamp(&meta), Arc::clone(&text)));
                let file =
                    SourceFile { content_path: content_path.into(), display_path: display_path.into(), text };
                match position {
                    Ok(index) => content[index] = file,
                    Err(index) => content.insert(index, file),
                }
            }
            // Gone: it was a file of the last load, or the change is not one of these.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                content.remove(position.ok()?);
                cache.texts.remove(path);
            }
            _ => return None,
        }
    }
    Some(files)
}

/// The extensions of Markdown files: each file under `content/` with one is a page or a
/// section. `.md` is the common one; Jekyll's `jekyll new` writes `.markdown`.
pub const MARKDOWN_EXTENSIONS: [&str; 5] = [".md", ".markdown", ".mdown", ".mkd", ".mkdn"];

/// A Markdown file's path without its extension (`blog/a.markdown` → `blog/a`), or `None`
/// when the path is not a Markdown file's.
pub fn markdown_stem(path: &str) -> Option<&str> {
    MARKDOWN_EXTENSIONS
        .iter()
        .find_map(|ext| path.strip_suffix(ext))
        .filter(|stem| !stem.is_empty() && !stem.ends_with('/'))
}

/// The error for a content file that is not Markdown but begins with a front matter block:
/// copied as it is, it would publish its source (a draft's too), so it is refused (issue 22).
fn asset_with_front_matter(asset: &AssetFile, root: &Path) -> Option<Error> {
    // Media and archives are not opened: they cannot begin with a text line.
    const BINARY: [&str; 16] = [
        "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "pdf", "mp3", "mp4", "webm", "mov", "woff",
        "woff2", "zip", "gz",
    ];
    let extension = asset.relative_path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    if extension.is_some_and(|ext| BINARY.contains(&ext.as_str())) {
        return None;
    }
    let mut start = [0u8; 5];
    let mut file = std::fs::File::open(&asset.source_path).ok()?;
    let mut read = 0;
    while read < start.len() {
        match file.read(&mut start[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    let start = &start[..read];
    let start = start.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(start);
    let opens =
        [b"---\n".as_slice(), b"---\r", b"+++\n", b"+++\r"].iter().any(|open| start.starts_with(open));
    if !opens {
        return None;
    }
    let delimiter = if start[0] == b'-' { "---" } else { "+++" };
    let display_path = display(root, &asset.source_path);
    let name = asset.relative_path.rsplit('/').next().unwrap_or(&asset.relative_path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    Some(Error::FrontMatter {
        location: Location::in_text(&display_path, delimiter, 1, 1).with_length(3),
        detail: "the file begins with front matter but is not Markdown, so it would be published as written"
            .into(),
        hint: Some(format!(
            "rename it to `{stem}.md` to make it a page, or remove the front matter to copy it as it is"
        )),
    })
}

/// Whether a file name is hidden or an editor's temporary file, which a build ignores in
/// `content/` and the templates.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.') || is_tool_name(name)
}

/// Whether a file name is a version control folder or file (`.git`, `.hg`, `.svn`, ...),
/// an editor's temporary file (`.a.swp`, `a~`, `#a#`, `.#a`) or a desktop's folder
/// metadata (`.DS_Store`): files of tools, never published, even from `static/`, where other
/// hidden files are (`.well-known/`, `.nojekyll`).
pub fn is_tool_name(name: &str) -> bool {
    const VCS: [&str; 6] = [".git", ".hg", ".svn", ".bzr", "_darcs", "CVS"];
    VCS.contains(&name)
        || name.starts_with(".git")
        || name.starts_with(".#")
        || name == ".DS_Store"
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swo", ".swx", ".tmp", ".bak"].iter().any(|ext| name.ends_with(ext))
}

/// Whether a path inside a watched folder is one a build ignores: a tool's file anywhere, and
/// a hidden file unless it is inside a `static/` folder (the folder itself or a theme's).
pub fn is_ignored_path(folder: &Path, inside: &Path) -> bool {
    let mut in_static = folder.file_name().is_some_and(|name| name == "static");
    for component in inside.components() {
        let name = component.as_os_str().to_string_lossy();
        if is_tool_name(&name) || (name.starts_with('.') && !in_static) {
            return true;
        }
        in_static |= name == "static";
    }
    false
}

/// What a walk leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// Hidden files and tools' files ([`is_ignored_name`]): content and templates.
    Hidden,
    /// Tools' files only ([`is_tool_name`]): static files.
    Tools,
}

/// Lists the files under `dir` (none if it does not exist) as (relative path, path), sorted
/// as a walk that visits each folder's entries by name would list them. Errors name paths
/// relative to the site root when they are inside it. A symbolic link that leads out of the
/// site root is an error unless the config allows it (and a folder it leads to is not walked).
///
/// The list is sorted once at the end, not folder by folder by walkdir: its comparator takes
/// each entry's file name apart from its path on every comparison, which was most of a
/// 100,000-post load's walk.
fn walk(dir: &Path, paths: &Paths, skip: Skip, errors: &mut Vec<Error>) -> Vec<(String, PathBuf)> {
    let root = &paths.root;
    if !dir.is_dir() {
        return Vec::new();
    }
    let inside = match paths.external_symlinks {
        ExternalSymlinks::Follow => None,
        ExternalSymlinks::Refuse => Some(std::fs::canonicalize(root).unwrap_or_else(|_| root.clone())),
    };
    // The folder itself may be a link (`static -> /etc`) or lie under one (`themes/x`).
    if let Some(inside) = &inside {
        if let Some(error) = leaves_site(dir, root, inside) {
            errors.push(error);
            return Vec::new();
        }
    }
    let mut found = Vec::new();
    let skipped = |name: &str| match skip {
        Skip::Hidden => is_ignored_name(name),
        Skip::Tools => is_tool_name(name),
    };
    let mut walker = WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !skipped(&entry.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
        match entry {
            Ok(entry) if entry.path_is_symlink() && entry.depth() > 0 && inside.is_some() => {
                let inside = inside.as_ref().expect("checked just above");
                if let Some(error) = leaves_site(entry.path(), root, inside) {
                    errors.push(error);
                    if entry.file_type().is_dir() {
                        walker.skip_current_dir();
                    }
                } else if entry.file_type().is_file() {
                    let relative = slash_path(entry.path().strip_prefix(dir).unwrap_or(entry.path()));
                    found.push((relative, entry.into_path()));
                }
            }
            Ok(entry) if entry.file_type().is_file() => {
                let relative = slash_path(entry.path().strip_prefix(dir).unwrap_or(entry.path()));
                found.push((relative, entry.into_path()));
            }
            Ok(_) => {}
            Err(error) => {
                let path = error.path().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf());
                if let Some(ancestor) = error.loop_ancestor() {
                    let (path, ancestor) = (display(root, &path), display(root, ancestor));
                    errors.push(Error::SymlinkLoop { path, ancestor });
                    continue;
                }
                let source = match error.io_error() {
                    Some(io) => std::io::Error::new(io.kind(), io.to_string()),
                    None => std::io::Error::other(error.to_string()),
                };
                errors.push(Error::Read { path, source });
            }
        }
    }
    found.sort_unstable_by(|(a, _), (b, _)| walk_order(a, b));
    found
}

/// The error for `path` when it resolves to somewhere outside `inside` (the site root,
/// resolved), naming the symbolic link on its way: itself, or the folder above it that is one.
fn leaves_site(path: &Path, root: &Path, inside: &Path) -> Option<Error> {
    let target = std::fs::canonicalize(path).ok()?;
    if target.starts_with(inside) {
        return None;
    }
    let link = path
        .ancestors()
        .take_while(|ancestor| ancestor.starts_with(root) && *ancestor != root)
        .find(|ancestor| std::fs::symlink_metadata(ancestor).is_ok_and(|meta| meta.is_symlink()))
        .unwrap_or(path);
    let target = std::fs::canonicalize(link).unwrap_or(target);
    Some(Error::ExternalSymlink { path: display(root, link), target })
}

/// The order of a depth-first walk with each folder's entries sorted by name, on relative
/// paths written with `/`: byte order, with `/` below every other byte, so that a folder's
/// files come before a sibling whose name extends the folder's (`a/z` before `a-b`).
fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |byte: &u8| if *byte == b'/' { 0 } else { *byte };
    a.as_bytes().iter().map(key).cmp(b.as_bytes().iter().map(key))
}

fn read_text(path: &Path, display_path: &Path) -> Result<String> {
    decode_text(read_bytes(path)?, display_path)
}

/// The text of a file read as `bytes`, or an error at the first NUL byte or invalid UTF-8.
fn decode_text(bytes: Vec<u8>, display_path: &Path) -> Result<String> {
    // Markdown turns NUL into U+FFFD without a word; in a text file it means damage or a
    // binary file with a text name, which the user should hear about.
    if let Some(offset) = memchr::memchr(0, &bytes) {
        let before = String::from_utf8_lossy(&bytes[..offset]).into_owned();
        let (line, column) = crate::config::line_column(&before, before.len());
        return Err(Error::Encoding {
            location: Location::in_text(display_path, &before, line, column),
            detail: format!("byte {offset} is a NUL byte (0x00), which text files do not contain"),
        });
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&error.as_bytes()[..valid]).into_owned();
        let (line, column) = crate::config::line_column(&before, before.len());
        Error::Encoding {
            location: Location::in_text(display_path, &before, line, column),
            detail: format!("byte {valid} cannot be decoded as UTF-8"),
        }
    })
}

/// A relative path with `/` between its parts, as content and template names are written.
fn slash_path(relative: &Path) -> String {
    let text = relative.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// The path as the user knows it: relative to the site root when it is inside it.
fn display(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        for (path, text) in [("content/a.md", "A"), ("content/b/c.md", "C"), ("content/b-d.md", "D")] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), text).unwrap();
        }
        let paths = Paths {
            config_file: root.join("config.toml"),
            content: root.join("content"),
            static_dir: root.join("static"),
            sass: root.join("sass"),
            data: root.join("data"),
            templates: root.join("templates"),
            theme: None,
            output: root.join("public"),
            external_symlinks: ExternalSymlinks::Refuse,
            root,
        };
        (dir, paths)
    }

    #[test]
    fn a_reload_of_changed_markdown_equals_a_full_load() {
        let (_dir, paths) = site();
        let mut cache = ReadCache::new();
        let mut files = load_with(&paths, &mut cache).unwrap();
        let content = |name: &str| paths.content.join(name);
        std::fs::write(content("a.md"), "A, edited").unwrap();
        std::fs::write(content("b/b.md"), "B, new").unwrap();
        std::fs::write(content("b-c.md"), "new, between the folder and b-d").unwrap();
        std::fs::remove_file(content("b/c.md")).unwrap();
        let changed = ["a.md", "b/b.md", "b-c.md", "b/c.md"].map(content).into_iter().collect();
        files = reload(&paths, files, &changed, &mut cache).expect("only Markdown changed");
        assert_eq!(files.content, load(&paths).unwrap().content);
    }

    #[test]
    fn issue_21_a_text_rewritten_with_its_size_and_time_kept_is_read_again() {
        let (_dir, paths) = site();
        let mut cache = ReadCache::new();
        load_with(&paths, &mut cache).unwrap();
        let path = paths.content.join("a.md");
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::fs::write(&path, "B").unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
        let files = load_with(&paths, &mut cache).unwrap();
        assert_eq!(&*files.content[0].text, "B");
    }

    #[test]
    fn a_reload_declines_anything_but_markdown_files_in_content() {
        let (_dir, paths) = site();
        let mut cache = ReadCache::new();
        let files = load_with(&paths, &mut cache).unwrap();
        std::fs::create_dir(paths.content.join("new.md")).unwrap();
        for changed in [
            paths.content.join("b"),
            paths.content.join("photo.png"),
            paths.templates.join("page.html"),
            paths.config_file.clone(),
            paths.content.join("new.md"),
            paths.content.join("never-there.md"),
        ] {
            let changed = [changed].into_iter().collect();
            assert!(reload(&paths, files.clone(), &changed, &mut cache).is_none(), "{changed:?}");
        }
    }

    #[test]
    fn the_walk_lists_each_folder_by_name_depth_first() {
        let (_dir, paths) = site();
        for name in ["a-b.md", "a/z.md", "a/b/c.md", "a.md", "b.md", "A.md"] {
            let path = paths.content.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let listed: Vec<String> =
            walk(&paths.content, &paths, Skip::Hidden, &mut Vec::new()).into_iter().map(|f| f.0).collect();
        let mut by_path = listed.clone();
        by_path.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
        assert_eq!(listed, by_path);
        let position = |name: &str| listed.iter().position(|l| l == name).unwrap();
        assert!(position("A.md") < position("a-b.md"));
        assert!(position("a/b/c.md") < position("a/z.md"));
        assert!(position("a/z.md") < position("a-b.md"));
        assert!(position("a-b.md") < position("a.md"));
    }

    #[cfg(unix)]
    #[test]
    fn issue_29_links_out_of_the_site_are_refused_and_links_inside_followed() {
        use std::os::unix::fs::symlink;
        let (_dir, mut paths) = site();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        std::fs::create_dir_all(&paths.static_dir).unwrap();
        symlink(outside.path().join("secret.txt"), paths.static_dir.join("h.txt")).unwrap();
        symlink(outside.path(), paths.static_dir.join("etc")).unwrap();
        symlink(paths.content.join("a.md"), paths.static_dir.join("a.txt")).unwrap();
        let Err(Error::Many(errors)) = load(&paths) else { panic!("two links lead out of the site") };
        let named: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let secret = std::fs::canonicalize(outside.path()).unwrap();
        assert_eq!(
            named,
            [
                format!("the symbolic link `static/etc` points to `{}`, outside the site", secret.display()),
                format!(
                    "the symbolic link `static/h.txt` points to `{}`, outside the site",
                    secret.join("secret.txt").display()
                ),
            ]
        );
        std::fs::remove_file(paths.static_dir.join("etc")).unwrap();
        std::fs::remove_file(paths.static_dir.join("h.txt")).unwrap();
        let on_disk = |files: SiteFiles| -> Vec<String> {
            let disk =
                files.static_files.into_iter().filter(|f| !matches!(f.source, StaticSource::BuiltIn(_)));
            disk.map(|f| f.relative_path).collect()
        };
        assert_eq!(on_disk(load(&paths).unwrap()), ["a.txt"], "a link inside the site is followed");
        symlink(outside.path().join("secret.txt"), paths.static_dir.join("h.txt")).unwrap();
        paths.external_symlinks = ExternalSymlinks::Follow;
        assert_eq!(on_disk(load(&paths).unwrap()), ["a.txt", "h.txt"], "allowed, it is followed");
    }

    #[test]
    fn issue_22_markdown_files_are_known_by_any_markdown_extension() {
        for (path, stem) in
            [("a.md", "a"), ("b/a.markdown", "b/a"), ("a.mdown", "a"), ("a.mkd", "a"), ("a.mkdn", "a")]
        {
            assert_eq!(markdown_stem(path), Some(stem), "{path}");
        }
        for path in ["a.txt", "a.mdx", "a.md.bak", "b/.md", "amd"] {
            assert_eq!(markdown_stem(path), None, "{path}");
        }
    }

    #[test]
    fn hidden_and_editor_files_are_ignored() {
        for name in [".hidden.md", "post.md~", "#post.md#", ".post.md.swp", "x.swp"] {
            assert!(is_ignored_name(name), "{name}");
        }
        for name in ["post.md", "image.png", "_index.md"] {
            assert!(!is_ignored_name(name), "{name}");
        }
    }

    #[test]
    fn issue_22_hidden_static_files_are_kept_but_tools_files_are_not() {
        for name in [".git", ".hg", ".svn", ".gitignore", ".DS_Store", ".a.swp", "a~", "#a#", ".#a", "CVS"] {
            assert!(is_tool_name(name), "{name}");
        }
        for name in [".well-known", ".nojekyll", "security.txt", ".htaccess"] {
            assert!(!is_tool_name(name), "{name}");
        }
        let ignored = |folder: &str, inside: &str| is_ignored_path(Path::new(folder), Path::new(inside));
        assert!(!ignored("/s/static", ".well-known/security.txt"));
        assert!(!ignored("/s/themes", "t/static/.nojekyll"));
        assert!(ignored("/s/static", ".git/config"));
        assert!(ignored("/s/static", ".well-known/.x.swp"));
        assert!(ignored("/s/content", ".hidden.md"));
        assert!(ignored("/s/themes", "t/templates/.x.html"));
    }
}
