//! The pipeline: load → parse → model → render → link check, then (for `build`) write.
//!
//! `Builder` runs the stages and keeps what a run produced — content texts by file stamp,
//! highlighted code, and the memos through which the stages' pure steps are called (parsed
//! documents, pages, views, rendered outputs…) — so that the next run reads and re-parses
//! only files whose text changed and re-renders only outputs whose inputs changed. The
//! stages themselves keep nothing. `build()` is one `Builder` run followed by a write; `quire serve` keeps
//! its `Builder` across runs. There is no other way through the stages, so an incremental run
//! always equals a clean one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap as HashMap;

use crate::check::{self, BrokenLink, CheckInput, CheckReport, FileScan, HtmlScans};
use crate::config::LinkSeverity;
use crate::error::{Error, Result, UrlOwner};
use crate::incremental::{
    BlockMemo, BlockStore, BuildMemo, BuildSummary, Digested, HighlightStore, ImageJob, ImageStore, Memos,
    Processed,
};
use crate::load::{self, ReadCache, SiteFiles, SourceFile, StaticSource};
use crate::parse::highlight::Highlighter;
use crate::parse::{self, Document, ParseSettings};
use crate::project::{Paths, Project};
use crate::render::fingerprint::Fingerprints;
use crate::render::functions::SourceImage;
use crate::render::{self, RenderInput, RenderedFile};
use crate::sass;
use crate::site::schedule::{HeldBack, Schedule};
use crate::site::{ModelInput, Site};
use crate::theme;
use crate::write::{self, Contents, OutputFile, Staging, WriteReport};

/// What a build did, for the summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildReport {
    /// Pages rendered.
    pub pages: usize,
    /// Sections rendered.
    pub sections: usize,
    /// Files in the output.
    pub files: usize,
    /// Pages left out because they are scheduled or expired.
    pub held_back: HeldBack,
    /// What the write changed.
    pub write: WriteReport,
    /// Wall time of the whole build.
    pub duration: Duration,
}

/// Builds the site of `project` into its output folder: one `Builder` run, then a write.
///
/// # Errors
/// Any stage's errors; when it fails, the output folder is left as it was.
pub fn build(project: &Project) -> Result<BuildReport> {
    let started = Instant::now();
    check_output_location(project)?;
    // A build killed while updating the output left a journal: finish it before anything.
    write::recover(&project.paths.output)?;
    let mut builder = Builder::new(Mode::Once);
    // Loaded once: hashed for the memo, then built from if the memo does not stand.
    let files = builder.load(project)?;
    let mut memo = BuildMemo::new(project, &files);
    if let Some(unchanged) = memo.unchanged(&project.paths.output) {
        log::debug!("nothing changed since the last build: inputs and output are as it left them");
        for warning in &unchanged.warnings {
            log::warn!("{warning}");
        }
        return Ok(BuildReport {
            pages: unchanged.pages,
            sections: unchanged.sections,
            files: unchanged.files,
            held_back: unchanged.held_back,
            write: WriteReport { unchanged: unchanged.files, ..WriteReport::default() },
            duration: started.elapsed(),
        });
    }
    let highlighted = HighlightStore::open(&project.paths.root);
    builder.use_block_store(highlighted.blocks());
    let staging = Staging::beside(&project.paths.output)?;
    let output = builder.run_staged(project, files, &staging)?;
    for warning in &output.warnings {
        log::warn!("{warning}");
    }
    enforce_links(project, &output.links)?;
    let step = Instant::now();
    let previous = memo.previous_output();
    let files = match project.config.compress {
        true => std::borrow::Cow::Owned(write::compress::with_gzip_copies(output.files.clone())?),
        false => std::borrow::Cow::Borrowed(&output.files),
    };
    let written = write::write_stamped(&project.paths.output, &files, Some(staging), previous.as_ref())?;
    drop(previous);
    log::debug!("wrote the output in {:?}{}", step.elapsed(), crate::resident_memory::note());
    highlighted.save();
    let mut warnings = output.warnings.clone();
    warnings.extend(link_warnings(project, &output.links));
    let summary = BuildSummary {
        pages: output.stats.pages,
        sections: output.stats.sections,
        held_back: output.stats.held_back,
        warnings,
    };
    memo.save(written.stamps, written.trace, summary);
    log::debug!("saved the highlight cache and the build memo at {:?}", step.elapsed());
    let report = BuildReport {
        pages: output.stats.pages,
        sections: output.stats.sections,
        files: files.len(),
        held_back: output.stats.held_back,
        write: written.report,
        duration: started.elapsed(),
    };
    // Every page's bytes, freed on another thread: the build is done, and a process that
    // exits now need not wait for it (seconds at 100,000 posts).
    render::drop_in_background((output, builder));
    Ok(report)
}

/// What `quire check` found.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The internal links and what was wrong with them.
    pub links: CheckReport,
    /// Pages rendered.
    pub pages: usize,
}

/// Builds the site in memory, writes nothing, and checks its links.
///
/// # Errors
/// Any stage's errors (a site that does not build cannot be checked).
pub fn check(project: &Project) -> Result<CheckOutcome> {
    let output = Builder::new(Mode::Once).run(project)?;
    Ok(CheckOutcome { links: Arc::unwrap_or_clone(output.links), pages: output.stats.pages })
}

/// Fails on broken internal links, or prints them as warnings with
/// `[link_checker] internal = "warn"`. `build` and `serve` both call it after a run.
///
/// # Errors
/// `Error::BrokenLink` for each broken link, together.
pub fn enforce_links(project: &Project, links: &CheckReport) -> Result<()> {
    match project.config.link_checker.internal {
        LinkSeverity::Error => {
            match Error::from_list(links.broken.iter().map(BrokenLink::to_error).collect()) {
                Some(error) => Err(error),
                None => Ok(()),
            }
        }
        LinkSeverity::Warn => {
            for warning in link_warnings(project, links) {
                log::warn!("{warning}");
            }
            Ok(())
        }
    }
}

/// The broken links as warnings, when `[link_checker] internal = "warn"`; none otherwise.
fn link_warnings(project: &Project, links: &CheckReport) -> Vec<String> {
    if project.config.link_checker.internal != LinkSeverity::Warn {
        return Vec::new();
    }
    links
        .broken
        .iter()
        .map(|link| link.to_error().report().trim_end().trim_start_matches("error: ").to_string())
        .collect()
}

/// Runs the stages, reusing the previous run's parses and renders where they are still valid.
#[derive(Debug, Default)]
pub struct Builder {
    /// Content texts of the previous run.
    reads: ReadCache,
    /// The memos of the stages' pure steps (parsing a file, building a page, views…), the
    /// last run's results by argument; they keep nothing in `Mode::Once`.
    memos: Memos,
    /// Where the highlighter finds code blocks highlighted before and leaves new ones: the
    /// store `build` gives, else a memo for the builder's life in `Mode::Watch`, else (`None`)
    /// a memo for each run's parse.
    blocks: Option<Arc<dyn BlockStore>>,
    mode: Mode,
    /// The last load, for `Mode::Watch` runs, with the folders it read.
    loaded: Option<(Paths, SiteFiles)>,
    /// Paths reported changed since the last load.
    changed: BTreeSet<PathBuf>,
    /// Processed images of the site at this root, from earlier runs and builds.
    images: Option<(PathBuf, Arc<ImageStore>)>,
}

/// How a builder's runs follow one another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// One run and no other (`quire build`, `quire check`): nothing is kept for a next run,
    /// and parsed documents move into the model instead of being shared, so a build does not
    /// hold every page's HTML twice.
    #[default]
    Once,
    /// Runs that follow one another (`quire serve`): each reuses what is still valid of the
    /// last, and every change is reported through [`Builder::forget`], so a run reads again
    /// only the reported paths instead of walking and stat'ing the whole site.
    Watch,
}

/// The site in memory, ready to be written or served.
#[derive(Debug, Clone)]
pub struct Output {
    /// Every output file, sorted by output path.
    pub files: Vec<OutputFile>,
    /// Warnings about the site (not errors: the run succeeded), for the user.
    pub warnings: Vec<String>,
    /// What the run did.
    pub stats: RunStats,
    /// The internal links checked after rendering, and the broken ones.
    pub links: Arc<CheckReport>,
}

/// What one `Builder` run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Pages in the site.
    pub pages: usize,
    /// Sections in the site.
    pub sections: usize,
    /// Pages left out because they are scheduled or expired.
    pub held_back: HeldBack,
    /// Content files parsed this run.
    pub parsed: usize,
    /// Content files whose previous parse was reused.
    pub parses_reused: usize,
    /// Outputs rendered through a template this run.
    pub rendered: usize,
    /// Outputs whose previous render was reused.
    pub renders_reused: usize,
    /// Wall time of the run.
    pub duration: Duration,
}

impl Builder {
    /// A builder with nothing to reuse: its first run is a clean build.
    pub fn new(mode: Mode) -> Builder {
        match mode {
            Mode::Once => Builder { mode, memos: Memos::none(), ..Builder::default() },
            Mode::Watch => Builder {
                mode,
                memos: Memos::kept(),
                blocks: Some(Arc::new(BlockMemo::default())),
                ..Builder::default()
            },
        }
    }

    /// Makes this builder's runs find highlighted code blocks in `blocks` and leave the ones
    /// they highlight there (`build` gives the on-disk store).
    pub fn use_block_store(&mut self, blocks: Arc<dyn BlockStore>) {
        self.blocks = Some(blocks);
    }

    /// Makes the next run read `path` again, even if its size and time look unchanged
    /// (`quire serve` passes the paths its watcher saw change).
    pub fn forget(&mut self, path: &Path) {
        self.reads.forget(path);
        self.changed.insert(path.to_path_buf());
    }

    /// Loads the site of `project` and produces every output file in memory.
    ///
    /// A failed run keeps what the previous successful runs left, so the run after it reuses
    /// as much as before.
    ///
    /// # Errors
    /// Any stage's errors, each stage reporting all of its problems together.
    pub fn run(&mut self, project: &Project) -> Result<Output> {
        let started = Instant::now();
        let files = self.load(project)?;
        let mut output = self.run_loaded(project, files)?;
        output.stats.duration = started.elapsed();
        Ok(output)
    }

    /// Loads the site's files, reusing the texts of files unchanged since the last load.
    ///
    /// # Errors
    /// The load stage's errors.
    pub fn load(&mut self, project: &Project) -> Result<SiteFiles> {
        let started = Instant::now();
        let changed = std::mem::take(&mut self.changed);
        let reloaded = match self.loaded.take() {
            Some((paths, previous)) if self.mode == Mode::Watch && paths == project.paths => {
                load::reload(&project.paths, previous, &changed, &mut self.reads)
            }
            _ => None,
        };
        let files = match reloaded {
            Some(files) => files,
            // A failed load leaves nothing to build on: the next one is full too.
            None => load::load_with(&project.paths, &mut self.reads)?,
        };
        if self.mode == Mode::Once {
            // No next run to read for: the texts' only owner is the run, which frees them
            // once parsed.
            self.reads = ReadCache::default();
        }
        if self.mode == Mode::Watch {
            self.loaded = Some((project.paths.clone(), files.clone()));
        }
        log::debug!(
            "loaded {} content files, {} templates in {:?}{}",
            files.content.len(),
            files.templates.len(),
            started.elapsed(),
            crate::resident_memory::note()
        );
        Ok(files)
    }

    /// [`Builder::run`] on files already loaded by [`Builder::load`].
    ///
    /// # Errors
    /// Any stage's errors after loading.
    pub fn run_loaded(&mut self, project: &Project, files: SiteFiles) -> Result<Output> {
        self.run_with(project, files, None)
    }

    /// [`Builder::run_loaded`], writing each rendered file to `staging` as soon as it is
    /// rendered instead of keeping its bytes: the returned outputs name the staged files.
    ///
    /// # Errors
    /// Any stage's errors after loading, and failures to write a staged file.
    pub fn run_staged(&mut self, project: &Project, files: SiteFiles, staging: &Staging) -> Result<Output> {
        self.run_with(project, files, Some(staging))
    }

    fn run_with(&mut self, project: &Project, files: SiteFiles, staging: Option<&Staging>) -> Result<Output> {
        let output = self.run_stages(project, files, staging);
        match output {
            Ok(_) => self.memos.finish_run(),
            Err(_) => self.memos.abandon_run(),
        }
        output
    }

    fn run_stages(
        &mut self,
        project: &Project,
        files: SiteFiles,
        staging: Option<&Staging>,
    ) -> Result<Output> {
        let started = Instant::now();
        let step = started;
        let SiteFiles { content, content_assets, templates, static_files, sass, data: data_files } = files;
        // Before parsing: a stylesheet that does not compile fails the run as early as it can.
        let stylesheets = self.compile_sass(sass)?;
        // The files under `data/` are parsed every run, all of them, so that a broken one is
        // an error even while no template reads it; they are few and small beside content.
        let data = parse::data::data_folder(&data_files)?;
        // The files go to the parse memo. A watched builder holds the texts of its last load
        // (shared, not copied); in `Mode::Once` they are this run's alone, and the memo drops
        // each once parsed: at 100,000 posts they are 650 MB that rendering need not carry.
        let (documents, parsed) = self.parse(Arc::unwrap_or_clone(content), project)?;
        let parses_reused = documents.len() - parsed;
        log::debug!(
            "parsed {parsed} files, reused {parses_reused} in {:?}{}",
            step.elapsed(),
            crate::resident_memory::note()
        );

        let step = Instant::now();
        // The theme's first, so the site's file of the same path replaces it.
        let static_images: BTreeMap<String, Option<SourceImage>> = static_files
            .iter()
            .map(|f| {
                let image = match &f.source {
                    StaticSource::Disk(path) if load::is_image_path(&f.relative_path) => {
                        Some(SourceImage { source_path: path.clone(), header: f.image })
                    }
                    _ => None,
                };
                (f.relative_path.clone(), image)
            })
            .collect();
        let mut image_table: BTreeMap<String, SourceImage> =
            static_images.into_iter().filter_map(|(path, image)| Some((path, image?))).collect();
        let static_images = image_table
            .iter()
            .filter_map(|(path, i)| Some((path.clone(), (i.source_path.clone(), i.header?))))
            .collect();
        let mut site = Site::build(ModelInput {
            config: Digested::serialized(project.config.clone()),
            documents,
            content_assets,
            static_images,
            drafts: project.drafts,
            // Each run asks the clock: a post scheduled for now appears on the next rebuild.
            schedule: Schedule {
                now: jiff::Timestamp::now(),
                future: project.future,
                expired: project.expired,
            },
            memos: &self.memos,
        })?;
        log::debug!("built the model in {:?}{}", step.elapsed(), crate::resident_memory::note());

        let step = Instant::now();
        let compiled = stylesheets.iter().map(|s| s.output_path.clone());
        let static_outputs: Vec<String> =
            static_files.iter().map(|f| f.relative_path.clone()).chain(compiled).collect();
        // Later files replace earlier ones of the same path (the site's the theme's), here as
        // in the output.
        let known_bytes: Vec<(String, Arc<[u8]>)> = static_files
            .iter()
            .filter_map(|file| Some((file.relative_path.clone(), file.shared_bytes()?)))
            .chain(stylesheets.iter().map(|s| (s.output_path.clone(), Arc::clone(&s.css))))
            .collect();
        let fingerprints = Fingerprints::of(&known_bytes, &self.memos);
        let staged = staging.map(Staged::new);
        let settle =
            |file: RenderedFile| staged.as_ref().expect("settle is given only with staging").settle(file);
        for asset in site.assets.iter().filter(|a| load::is_image_path(&a.content_path)) {
            let image = SourceImage { source_path: asset.source_path.clone(), header: asset.image };
            image_table.insert(asset.content_path.clone(), image);
        }
        let rendered = render::render(RenderInput {
            site: &site,
            templates: &templates,
            static_outputs: static_outputs.clone(),
            fingerprints: &fingerprints,
            data: &data,
            data_files: &data_files,
            images: Arc::new(image_table),
            memos: &self.memos,
            settle: staging.is_some().then_some(&settle as &render::Settle<'_>),
        })?;
        let (mut staged_contents, scanned) = staged.map(Staged::finish).unwrap_or_default();
        // The images templates asked for and the copies responsive Markdown images show, each
        // made from the file as this run loaded it (a page's links may be the last run's).
        let stamps: HashMap<&Path, load::Stamp> = site
            .assets
            .iter()
            .filter_map(|a| Some((a.source_path.as_path(), a.image?.stamp)))
            .chain(static_files.iter().filter_map(|f| match &f.source {
                StaticSource::Disk(path) | StaticSource::Read { path, .. } => {
                    Some((path.as_path(), f.image?.stamp))
                }
                StaticSource::BuiltIn(_) => None,
            }))
            .collect();
        let mut by_output: BTreeMap<String, ImageJob> = BTreeMap::new();
        let linked = site
            .pages
            .iter()
            .flat_map(|p| p.links.iter())
            .chain(site.sections.iter().flat_map(|s| s.links.iter()));
        for job in rendered.images.iter().chain(linked.flat_map(|link| link.image_jobs.iter())) {
            let mut job = job.clone();
            if let Some(stamp) = stamps.get(job.source_path.as_path()) {
                job.stamp = *stamp;
            }
            by_output.insert(job.output_path.clone(), job);
        }
        let image_jobs: Vec<ImageJob> = by_output.into_values().collect();
        log::debug!("rendered in {:?}{}", step.elapsed(), crate::resident_memory::note());
        let copied = static_outputs
            .into_iter()
            .chain(site.assets.iter().map(|a| a.output_path.clone()))
            .chain(image_jobs.iter().map(|job| job.output_path.clone()))
            .collect();
        let links = Arc::new(check::check(&CheckInput {
            site: &site,
            rendered: &rendered.files,
            copied,
            scanned: staging.is_some().then_some(&scanned),
            memos: &self.memos,
        }));
        log::debug!("checked {} internal links, {} broken", links.checked, links.broken.len());
        log::debug!(
            "rendered {} files, reused {} in {:?}",
            rendered.stats.rendered,
            rendered.stats.reused,
            step.elapsed()
        );

        // Each output with the file that owns it; `None` for rendered pages, whose owner is
        // named only if a duplicate needs it.
        let mut outputs: Vec<(OutputFile, Option<PathBuf>)> = Vec::new();
        // Static files first, theme before site, so the site's file replaces the theme's.
        let mut static_by_path: HashMap<String, StaticSource> = HashMap::default();
        for file in static_files {
            static_by_path.insert(file.relative_path, file.source);
        }
        let mut static_sorted: Vec<_> = static_by_path.into_iter().collect();
        static_sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (output_path, source) in static_sorted {
            let (contents, owner) = match source {
                StaticSource::Disk(path) => (Contents::Copy(path.clone()), path),
                StaticSource::Read { path, bytes } => (Contents::Bytes(bytes), path),
                StaticSource::BuiltIn(bytes) => {
                    (Contents::Bytes(bytes.into()), theme::display_path("static", &output_path))
                }
            };
            outputs.push((OutputFile { output_path, contents }, Some(owner)));
        }
        for stylesheet in stylesheets.iter() {
            let contents = Contents::Bytes(Arc::clone(&stylesheet.css));
            let file = OutputFile { output_path: stylesheet.output_path.clone(), contents };
            outputs.push((file, Some(stylesheet.source_path.clone())));
        }
        for asset in &site.assets {
            let file = OutputFile {
                output_path: asset.output_path.clone(),
                contents: Contents::Copy(asset.source_path.clone()),
            };
            outputs.push((file, Some(asset.source_path.clone())));
        }
        for file in rendered.files {
            let contents =
                staged_contents.remove(&file.output_path).unwrap_or(Contents::Bytes(file.contents));
            outputs.push((OutputFile { output_path: file.output_path, contents }, None));
        }
        let step = Instant::now();
        let store = self.image_store(&project.paths.root);
        let images = store.produce(&image_jobs, crate::images::process);
        Error::fail_if_any(images.errors)?;
        log::debug!(
            "images: {} asked for, {} processed now, in {:?}{}",
            image_jobs.len(),
            images.processed,
            step.elapsed(),
            crate::resident_memory::note()
        );
        let sources: HashMap<&str, &PathBuf> =
            image_jobs.iter().map(|job| (job.output_path.as_str(), &job.source_path)).collect();
        for (output_path, processed) in images.files {
            let owner = sources.get(output_path.as_str()).map(|p| (*p).clone());
            let contents = match processed {
                Processed::File(path) => Contents::Copy(path),
                Processed::Bytes(bytes) => Contents::Bytes(bytes),
            };
            outputs.push((OutputFile { output_path, contents }, owner));
        }
        let files = unique_outputs(outputs, &project.paths.root, &self.memos)?;
        log::debug!("collected outputs at {:?}{}", step.elapsed(), crate::resident_memory::note());

        let stats = RunStats {
            pages: site.pages.len(),
            sections: site.sections.len(),
            held_back: site.held_back,
            parsed,
            parses_reused,
            rendered: rendered.stats.rendered,
            renders_reused: rendered.stats.reused,
            duration: started.elapsed(),
        };
        let mut warnings = std::mem::take(&mut site.warnings);
        warnings.extend(images.warnings);
        render::drop_in_background(site);
        log::debug!("pipeline: handed the old run to a drop thread at {:?}", step.elapsed());
        Ok(Output { files, warnings, stats, links })
    }

    /// Compiles the Sass stylesheets through the memos: again only when a source changed.
    fn compile_sass(&self, files: Vec<load::SassFile>) -> Result<Arc<Vec<sass::CompiledStylesheet>>> {
        if files.is_empty() {
            return Ok(Arc::default());
        }
        let compile = |files: &Digested<Vec<load::SassFile>>| sass::compile(files).map(Arc::new);
        self.memos.try_call(Digested::new(files), compile)
    }

    /// The processed-image store of the site at `root`, kept while the builder builds it.
    fn image_store(&mut self, root: &Path) -> Arc<ImageStore> {
        match &self.images {
            Some((at, store)) if at == root => Arc::clone(store),
            _ => {
                let store = Arc::new(ImageStore::open(root));
                self.images = Some((root.to_path_buf(), Arc::clone(&store)));
                store
            }
        }
    }

    /// Parses the content files, each through the parse memo: a file whose text, paths and
    /// parse settings are those of a document of the last run gets that very document.
    /// Returns every document, with how many were parsed now.
    fn parse(&self, content: Vec<SourceFile>, project: &Project) -> Result<(Vec<Arc<Document>>, usize)> {
        let settings = Digested::serialized(ParseSettings::from_config(&project.config));
        // Freed with the parse: the line memo it holds serves one run.
        let highlighter =
            Highlighter::new(self.blocks.clone().unwrap_or_else(|| Arc::new(BlockMemo::default())));
        let parse = self.memos.function(
            |(file, settings): &(SourceFile, Digested<ParseSettings>), highlighter: &Highlighter| {
                parse::parse_document(file, settings, highlighter).map(Arc::new)
            },
        );
        let files = content.into_iter().map(|file| (file, settings.clone())).collect();
        let documents = Error::collect_all(parse.try_call_each_with(files, &highlighter))?;
        Ok((documents, parse.computed()))
    }
}

/// The rendered files of a one-shot build, written aside as they are rendered.
struct Staged<'a> {
    staging: &'a Staging,
    /// Each file: where its bytes went, and what the link check needs of them.
    files: Mutex<Vec<(String, Contents, Option<FileScan>)>>,
}

impl<'a> Staged<'a> {
    fn new(staging: &'a Staging) -> Staged<'a> {
        Staged { staging, files: Mutex::default() }
    }

    /// Scans `file` for the link check and stages it; returns it without its bytes.
    fn settle(&self, file: RenderedFile) -> Result<RenderedFile> {
        let scan = HtmlScans::scan_now(&file);
        let contents = self.staging.stage(&file.output_path, &file.contents)?;
        let entry = (file.output_path.clone(), contents, scan);
        self.files.lock().unwrap_or_else(PoisonError::into_inner).push(entry);
        Ok(RenderedFile { output_path: file.output_path, contents: Arc::from(Vec::new()) })
    }

    /// Where each staged file's bytes are, by output path, and the scans for the check.
    fn finish(self) -> (HashMap<String, Contents>, HtmlScans) {
        let mut contents = HashMap::default();
        let mut scans = Vec::new();
        for (output_path, staged, scan) in self.files.into_inner().unwrap_or_else(PoisonError::into_inner) {
            if let Some(scan) = scan {
                scans.push((output_path.clone(), scan));
            }
            contents.insert(output_path, staged);
        }
        (contents, HtmlScans::of_scanned(scans))
    }
}

/// Refuses an output folder that holds the site itself: syncing it would delete sources.
fn check_output_location(project: &Project) -> Result<()> {
    let paths = &project.paths;
    let output = absolute(&paths.output);
    let guarded =
        [&paths.root, &paths.content, &paths.templates, &paths.static_dir, &paths.sass, &paths.data];
    if guarded.iter().any(|dir| absolute(dir).starts_with(&output)) {
        return Err(Error::Write {
            path: paths.output.clone(),
            source: std::io::Error::other(
                "the output folder contains the site's own files; building there would delete them",
            ),
        });
    }
    Ok(())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Checks that no two outputs share a path and returns the files, sorted by path.
/// The sort order is a memoized function of the paths in the order they come (the same from
/// run to run while no output is added, removed or moved): a `serve` edit does not sort
/// 14,000 paths again.
fn unique_outputs(
    outputs: Vec<(OutputFile, Option<PathBuf>)>,
    root: &Path,
    memos: &Memos,
) -> Result<Vec<OutputFile>> {
    let owner = |(file, owner): &(OutputFile, Option<PathBuf>)| match owner {
        Some(path) => path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.clone()),
        None => PathBuf::from(format!("the page at /{}", file.output_path.trim_end_matches("index.html"))),
    };
    let paths: Vec<&str> = outputs.iter().map(|(file, _)| file.output_path.as_str()).collect();
    let sorted = memos.call_digested(paths.as_slice(), |paths: &[&str]| Arc::new(SortedPaths::of(paths)));
    drop(paths);
    let errors: Vec<Error> = sorted
        .repeated
        .iter()
        .map(|&(first, second)| Error::DuplicateUrl {
            url_path: format!("/{}", outputs[second].0.output_path),
            first: UrlOwner::file(owner(&outputs[first])),
            second: UrlOwner::file(owner(&outputs[second])),
        })
        .collect();
    Error::fail_if_any(errors)?;
    let mut outputs: Vec<Option<OutputFile>> = outputs.into_iter().map(|(file, _)| Some(file)).collect();
    Ok(sorted.order.iter().map(|&index| outputs[index].take().expect("each index once")).collect())
}

/// The order that sorts a list of paths, and the paths given twice.
struct SortedPaths {
    /// Indices into the list, in path order; equal paths in the order they came.
    order: Vec<usize>,
    /// Each path given again: the index of the one before it in `order`, and its own.
    repeated: Vec<(usize, usize)>,
}

impl SortedPaths {
    fn of(paths: &[&str]) -> SortedPaths {
        let mut order: Vec<usize> = (0..paths.len()).collect();
        // Sorted, outputs of one path lie side by side, in the order they came: each is
        // checked against the one before it, with no map of 14,000 paths.
        order.sort_by(|&a, &b| paths[a].cmp(paths[b]));
        let repeated = order
            .windows(2)
            .filter(|pair| paths[pair[0]] == paths[pair[1]])
            .map(|pair| (pair[0], pair[1]))
            .collect();
        SortedPaths { order, repeated }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fs;

    use super::*;
    use crate::project::Overrides;

    /// A small site whose templates read neighbours, pagers, terms, `get_page`,
    /// `get_section` and `get_url`: everything a render key must cover.
    const SITE: &[(&str, &str)] = &[
        (
            "config.toml",
            "title = \"Incremental\"\nbase_url = \"http://127.0.0.1:1111/\"\npaginate_by = 2\nfeed_limit = 3\n\
             taxonomies = [{ name = \"tags\", feed = true }]\n",
        ),
        ("static/style.css", "body { color: black; }\n"),
        (
            "templates/index.html",
            "home: {{ section.title }} {{ config.title }}\n\
             {% set blog = get_section(path=\"blog/_index.md\") %}\
             {% for p in blog.pages %}<li>{{ p.title }}|{{ p.url_path }}|{{ p.tags | join(sep=\",\") }}|{{ p.summary | safe }}</li>\n{% endfor %}\
             css: {{ get_url(path=\"style.css\") }}\n",
        ),
        (
            "templates/section.html",
            "list: {{ section.title }} {{ paginator.current_index }}/{{ paginator.number_pagers }}\n\
             {% for p in paginator.pages %}<li>{{ p.title }}|{{ p.date }}|{{ p.summary | safe }}</li>\n{% endfor %}",
        ),
        (
            "templates/page.html",
            "page: {{ page.title }}\n{{ page.content | safe }}\n\
             newer: {% if page.newer %}{{ page.newer.title }}{% endif %}\n\
             older: {% if page.older %}{{ page.older.title }}{% endif %}\n\
             tags: {{ page.tags | join(sep=\",\") }} assets: {{ page.assets | join(sep=\",\") }}\n\
             {% set about = get_page(path=\"about.md\") %}about: {{ about.title }} {{ get_url(path=\"@/about.md\") }}\n",
        ),
        ("content/_index.md", "---\ntitle: Home\n---\n"),
        ("content/about.md", "---\ntitle: About me\n---\n\nHello.\n"),
        ("content/blog/_index.md", "---\ntitle: Blog\n---\n"),
        ("content/blog/a.md", "---\ntitle: A\ndate: 2024-01-01\ntags: [x]\n---\n\nFirst A.\n\nMore A.\n"),
        ("content/blog/b.md", "---\ntitle: B\ndate: 2024-02-01\n---\n\nFirst B.\n\nMore B.\n"),
        ("content/blog/c.md", "---\ntitle: C\ndate: 2024-03-01\n---\n\nFirst C.\n"),
        ("content/blog/d.md", "---\ntitle: D\ndate: 2024-04-01\n---\n\nFirst D.\n"),
        ("content/blog/e.md", "---\ntitle: E\ndate: 2024-05-01\ntags: [y]\n---\n\nFirst E.\n"),
    ];

    /// A site in a temporary folder that notes every path it changes, as a watcher would.
    struct TestSite {
        dir: tempfile::TempDir,
        changed: std::cell::RefCell<Vec<PathBuf>>,
    }

    impl TestSite {
        fn new() -> TestSite {
            let site = TestSite { dir: tempfile::tempdir().unwrap(), changed: Default::default() };
            for (path, text) in SITE {
                site.write(path, text);
            }
            site
        }

        fn write(&self, path: &str, text: &str) {
            let path = self.dir.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
            self.changed.borrow_mut().push(path);
        }

        fn remove(&self, path: &str) {
            fs::remove_file(self.dir.path().join(path)).unwrap();
            self.changed.borrow_mut().push(self.dir.path().join(path));
        }

        fn rename(&self, from: &str, to: &str) {
            fs::rename(self.dir.path().join(from), self.dir.path().join(to)).unwrap();
            self.changed.borrow_mut().extend([self.dir.path().join(from), self.dir.path().join(to)]);
        }

        /// Reports the changed paths to `builder` and runs it.
        fn run(&self, builder: &mut Builder) -> Result<Output> {
            self.report_changes(builder);
            builder.run(&self.project())
        }

        /// Reports the paths changed since the last report to `builder`, as `serve` does.
        fn report_changes(&self, builder: &mut Builder) {
            for path in self.changed.borrow_mut().drain(..) {
                builder.forget(&path);
            }
        }

        fn project(&self) -> Project {
            Project::load(self.dir.path(), Overrides::default()).unwrap()
        }
    }

    /// Every output path with its bytes (copied files read from disk).
    fn contents(output: &Output) -> BTreeMap<String, Vec<u8>> {
        output
            .files
            .iter()
            .map(|file| {
                let bytes = file.contents.read().unwrap();
                (file.output_path.clone(), bytes)
            })
            .collect()
    }

    /// Runs the long-lived builder and a fresh one; they must produce the same bytes.
    #[track_caller]
    fn run_and_compare(builder: &mut Builder, site: &TestSite, step: &str) -> RunStats {
        let project = site.project();
        let incremental = site.run(builder).unwrap_or_else(|e| panic!("{step}: {}", e.report()));
        let clean = Builder::new(Mode::Once).run(&project).unwrap();
        let (incremental_files, clean_files) = (contents(&incremental), contents(&clean));
        assert_eq!(
            incremental_files.keys().collect::<Vec<_>>(),
            clean_files.keys().collect::<Vec<_>>(),
            "{step}: different files"
        );
        for (path, bytes) in &clean_files {
            assert_eq!(
                String::from_utf8_lossy(&incremental_files[path]),
                String::from_utf8_lossy(bytes),
                "{step}: `{path}` differs from a clean build"
            );
        }
        // The link check keeps its scans between runs too: its report must not differ either.
        assert_eq!(incremental.links.broken, clean.links.broken, "{step}: different broken links");
        assert_eq!(incremental.links.checked, clean.links.checked, "{step}: different link counts");
        assert_eq!(incremental.links.external, clean.links.external, "{step}: different external links");
        incremental.stats
    }

    #[test]
    fn every_incremental_run_equals_a_clean_build() {
        let site = TestSite::new();
        let mut builder = Builder::new(Mode::Watch);
        let first = run_and_compare(&mut builder, &site, "first run");
        assert_eq!(first.renders_reused, 0);

        type Edit = Box<dyn Fn(&TestSite)>;
        let edits: Vec<(&str, Edit)> = vec![
            (
                "edit a post",
                Box::new(|s| {
                    s.write(
                        "content/blog/b.md",
                        "---\ntitle: B\ndate: 2024-02-01\n---\n\nFirst B, edited.\n\nMore B.\n",
                    )
                }),
            ),
            (
                "give a post an `updated` date, which no page's place reads but the sitemap does",
                Box::new(|s| {
                    s.write(
                        "content/blog/b.md",
                        "---\ntitle: B\ndate: 2024-02-01\nupdated: 2025-03-01\n---\n\nFirst B, edited.\n\nMore B.\n",
                    )
                }),
            ),
            (
                "add a post",
                Box::new(|s| {
                    s.write("content/blog/f.md", "---\ntitle: F\ndate: 2024-06-01\n---\n\nFirst F.\n")
                }),
            ),
            ("delete a post", Box::new(|s| s.remove("content/blog/c.md"))),
            ("rename a post", Box::new(|s| s.rename("content/blog/a.md", "content/blog/a-renamed.md"))),
            (
                "move a post to another pager",
                Box::new(|s| {
                    s.write("content/blog/d.md", "---\ntitle: D\ndate: 2023-01-01\n---\n\nFirst D.\n")
                }),
            ),
            (
                "retitle a post shown in lists, feeds and its neighbours' pages",
                Box::new(|s| {
                    s.write(
                        "content/blog/b.md",
                        "---\ntitle: B retitled\ndate: 2024-02-01\n---\n\nFirst B, edited.\n\nMore B.\n",
                    )
                }),
            ),
            (
                "add a tag",
                Box::new(|s| {
                    s.write(
                        "content/blog/b.md",
                        "---\ntitle: B\ndate: 2024-02-01\ntags: [x, z]\n---\n\nFirst B, edited.\n\nMore B.\n",
                    )
                }),
            ),
            (
                "retitle a section, which no page's place reads",
                Box::new(|s| s.write("content/blog/_index.md", "---\ntitle: Journal\n---\n")),
            ),
            (
                "edit a page looked up by get_page",
                Box::new(|s| s.write("content/about.md", "---\ntitle: About us\n---\n\nHello.\n")),
            ),
            (
                "move the page that get_page and get_url look up, and add a page before it",
                Box::new(|s| {
                    s.write("content/about.md", "---\ntitle: About us\nslug: about-us\n---\n\nHello.\n");
                    s.write("content/aardvark.md", "---\ntitle: Aardvark\n---\n\nFirst.\n");
                }),
            ),
            (
                "edit a template",
                Box::new(|s| {
                    s.write(
                        "templates/page.html",
                        "page: {{ page.title }}!\n{{ page.content | safe }}\n\
                         newer: {% if page.newer %}{{ page.newer.title }}{% endif %}\n\
                         older: {% if page.older %}{{ page.older.title }}{% endif %}\n\
                         assets: {{ page.assets | join(sep=\",\") }}\n",
                    )
                }),
            ),
            ("edit a static file", Box::new(|s| s.write("static/style.css", "body { color: red; }\n"))),
            (
                "edit the config",
                Box::new(|s| {
                    s.write(
                        "config.toml",
                        "title = \"Renamed\"\nbase_url = \"http://127.0.0.1:1111/\"\npaginate_by = 3\n",
                    )
                }),
            ),
            (
                "add a bundle with a picture and a page linking to it",
                Box::new(|s| {
                    s.write(
                        "content/blog/trip/index.md",
                        "---\ntitle: Trip\ndate: 2024-07-01\n---\n\n![A view](view.png)\n",
                    );
                    s.write("content/blog/trip/view.png", "not really a picture");
                    s.write(
                        "content/blog/g.md",
                        "---\ntitle: G\ndate: 2024-08-01\n---\n\nSee [the trip](@/blog/trip/index.md).\n",
                    );
                }),
            ),
            (
                "edit a post next to the bundle, which is taken back from the last run",
                Box::new(|s| {
                    s.write("content/blog/g.md", "---\ntitle: G\ndate: 2024-08-01\n---\n\nSee [the trip](@/blog/trip/index.md), again.\n")
                }),
            ),
            (
                "add a section",
                Box::new(|s| {
                    s.write("content/notes/_index.md", "---\ntitle: Notes\n---\n");
                    s.write("content/notes/one.md", "---\ntitle: One\ndate: 2024-01-01\n---\n\nA note.\n");
                    s.write("content/notes/two.md", "---\ntitle: Two\ndate: 2024-01-02\n---\n\nA note.\n");
                }),
            ),
            // The notes are taken back from the last run: their neighbours must go with the
            // section that ordered them.
            ("remove the section", Box::new(|s| s.remove("content/notes/_index.md"))),
        ];
        for (step, edit) in edits {
            edit(&site);
            run_and_compare(&mut builder, &site, step);
        }
    }

    #[test]
    fn a_watched_builder_reads_only_reported_paths_and_equals_a_clean_build() {
        let site = TestSite::new();
        let root = std::path::absolute(site.dir.path()).unwrap();
        let mut builder = Builder::new(Mode::Watch);
        run_and_compare(&mut builder, &site, "first run");
        let report = |builder: &mut Builder, paths: &[&str]| {
            for path in paths {
                builder.forget(&root.join(path));
            }
        };
        site.write("content/blog/b.md", "---\ntitle: B edited\ndate: 2024-02-01\n---\n\nFirst B.\n");
        report(&mut builder, &["content/blog/b.md"]);
        let stats = run_and_compare(&mut builder, &site, "edit a post");
        assert_eq!(stats.parsed, 1);
        site.write("content/blog/aa.md", "---\ntitle: AA\ndate: 2024-01-15\n---\n\nFirst AA.\n");
        site.remove("content/blog/c.md");
        report(&mut builder, &["content/blog/aa.md", "content/blog/c.md"]);
        run_and_compare(&mut builder, &site, "add and delete posts");
        site.rename("content/blog/d.md", "content/blog/z.md");
        report(&mut builder, &["content/blog/d.md", "content/blog/z.md"]);
        run_and_compare(&mut builder, &site, "rename a post");
        // Changes that are not Markdown edits take a full load.
        site.write("templates/page.html", "page: {{ page.title }}?\n{{ page.content | safe }}\n");
        site.write("content/notes/_index.md", "---\ntitle: Notes\n---\n");
        site.write("content/notes/one.md", "---\ntitle: One\n---\n\nA note.\n");
        report(&mut builder, &["templates/page.html", "content/notes", "content/notes/one.md"]);
        run_and_compare(&mut builder, &site, "a template and a new folder");
        // An unchanged site reported as unchanged is not read again, and still builds the same.
        let stats = run_and_compare(&mut builder, &site, "nothing reported");
        assert_eq!((stats.parsed, stats.rendered), (0, 0));
    }

    #[test]
    fn a_failed_run_is_followed_by_a_correct_one() {
        let site = TestSite::new();
        let mut builder = Builder::new(Mode::Watch);
        run_and_compare(&mut builder, &site, "first run");
        site.write("content/blog/b.md", "---\ntitle: [broken\n---\n");
        assert!(site.run(&mut builder).is_err());
        site.write("templates/page.html", "{{ page.title");
        site.write("content/blog/b.md", "---\ntitle: B fixed\n---\n");
        assert!(site.run(&mut builder).is_err());
        site.write("templates/page.html", "fixed: {{ page.title }}\n");
        run_and_compare(&mut builder, &site, "after the fixes");
    }

    #[test]
    fn a_run_without_changes_renders_and_parses_nothing() {
        let site = TestSite::new();
        let mut builder = Builder::new(Mode::Watch);
        let first = run_and_compare(&mut builder, &site, "first run");
        let second = run_and_compare(&mut builder, &site, "second run");
        assert_eq!((second.parsed, second.rendered), (0, 0));
        assert_eq!(second.renders_reused, first.rendered);
    }

    #[test]
    fn issue_21_a_setting_parsing_does_not_read_reparses_nothing() {
        let site = TestSite::new();
        let mut builder = Builder::new(Mode::Watch);
        let first = run_and_compare(&mut builder, &site, "first run");
        let config = SITE[0].1;
        site.write("config.toml", &format!("{config}\n[link_checker]\ntimeout = 3\n"));
        let stats = run_and_compare(&mut builder, &site, "link_checker.timeout changed");
        assert_eq!((stats.parsed, stats.parses_reused), (0, first.parsed));
        let markdown = "[markdown]\nsmart_punctuation = false\n";
        site.write("config.toml", &format!("{config}\n[link_checker]\ntimeout = 3\n{markdown}"));
        let stats = run_and_compare(&mut builder, &site, "markdown.smart_punctuation changed");
        assert_eq!((stats.parsed, stats.parses_reused), (first.parsed, 0));
        site.write(
            "config.toml",
            &format!("{config}timezone = \"Asia/Tokyo\"\n[link_checker]\ntimeout = 3\n{markdown}"),
        );
        let stats = run_and_compare(&mut builder, &site, "timezone changed");
        assert_eq!(stats.parsed, first.parsed, "dates are parsed in the site's zone");
    }

    #[test]
    fn a_document_unchanged_since_the_last_run_is_the_very_same() {
        let site = TestSite::new();
        let project = site.project();
        let builder = Builder::new(Mode::Watch);
        let (first, _) =
            builder.parse(load::load(&project.paths).unwrap().content.to_vec(), &project).unwrap();
        builder.memos.finish_run();
        site.write("content/blog/b.md", "---\ntitle: B edited\ndate: 2024-02-01\n---\n\nFirst B.\n");
        let (second, parsed) =
            builder.parse(load::load(&project.paths).unwrap().content.to_vec(), &project).unwrap();
        assert_eq!(parsed, 1);
        for (before, after) in first.iter().zip(&second) {
            let edited = after.content_path == "blog/b.md";
            assert_eq!(Arc::ptr_eq(before, after), !edited, "{}", after.content_path);
        }
    }

    /// A run with few links to resolve searches the sorted pages instead of indexing them:
    /// it must resolve as a clean run does (which indexes them).
    #[test]
    fn links_of_one_edited_post_among_many_resolve_as_in_a_clean_build() {
        let site = TestSite::new();
        for n in 0..70 {
            site.write(
                &format!("content/blog/m{n:02}.md"),
                &format!("---\ntitle: M{n}\ndate: 2023-01-01\n---\n\n## Setup\n\nText.\n"),
            );
        }
        let mut builder = Builder::new(Mode::Watch);
        run_and_compare(&mut builder, &site, "many posts");
        let linking = |target: &str| {
            format!("---\ntitle: L\ndate: 2023-02-01\n---\n\nSee [it](@/blog/{target}.md#setup), [about](../../about/) and [b](b.md).\n")
        };
        site.write("content/blog/m07.md", &linking("m31"));
        run_and_compare(&mut builder, &site, "a post links to others");
        site.write("content/blog/m07.md", &linking("a"));
        site.write("content/blog/m07.md", &linking("m02"));
        run_and_compare(&mut builder, &site, "the links change target");
    }

    #[test]
    fn a_rerendered_page_is_scanned_again_for_the_link_check() {
        let site = TestSite::new();
        site.write("content/about.md", "---\ntitle: About me\n---\n\nSee [C](/blog/c/#setup).\n");
        site.write("content/blog/c.md", "---\ntitle: C\ndate: 2024-03-01\n---\n\n## Setup\n\nFirst C.\n");
        let mut builder = Builder::new(Mode::Watch);
        let project = site.project();
        assert_eq!(site.run(&mut builder).unwrap().links.broken, []);
        // The anchor goes away: only c's page is rendered again, and its new ids count.
        site.write("content/blog/c.md", "---\ntitle: C\ndate: 2024-03-01\n---\n\n## Install\n\nFirst C.\n");
        let broken = site.run(&mut builder).unwrap().links.broken.clone();
        assert_eq!(broken, Builder::new(Mode::Once).run(&project).unwrap().links.broken);
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert!(broken[0].detail.contains("setup"), "{broken:?}");
        site.write("content/blog/c.md", "---\ntitle: C\ndate: 2024-03-01\n---\n\n## Setup\n\nFirst C.\n");
        assert_eq!(site.run(&mut builder).unwrap().links.broken, []);
    }

    #[test]
    fn an_unchanged_page_gets_the_new_url_of_a_page_it_links_to() {
        let site = TestSite::new();
        site.write("content/about.md", "---\ntitle: About me\n---\n\nSee [D](@/blog/d.md).\n");
        let mut builder = Builder::new(Mode::Watch);
        run_and_compare(&mut builder, &site, "first run");
        let linking_run = run_and_compare(&mut builder, &site, "no change");
        assert_eq!(linking_run.rendered, 0);
        site.write("content/blog/d.md", "---\ntitle: D\ndate: 2024-04-01\nslug: dee\n---\n\nFirst D.\n");
        builder.forget(&site.dir.path().join("content/blog/d.md"));
        run_and_compare(&mut builder, &site, "the linked page moves");
        let output = site.run(&mut builder).unwrap();
        let about = contents(&output).remove("about/index.html").unwrap();
        assert!(
            String::from_utf8_lossy(&about).contains("/blog/dee/\">D</a>"),
            "{}",
            String::from_utf8_lossy(&about)
        );
    }

    #[test]
    fn a_body_edit_that_keeps_the_summary_rerenders_only_that_page() {
        let site = TestSite::new();
        let mut builder = Builder::new(Mode::Watch);
        run_and_compare(&mut builder, &site, "first run");
        site.write(
            "content/blog/a.md",
            "---\ntitle: A\ndate: 2024-01-01\ntags: [x]\n---\n\nFirst A.\n\nLess A.\n",
        );
        let stats = run_and_compare(&mut builder, &site, "body edit");
        assert_eq!(stats.parsed, 1);
        // The summary (first paragraph), title and word count are unchanged, so the lists
        // showing a are given the same data: only a's own page is rendered again, and the
        // site feed's Atom and RSS files, which carry a's full content.
        assert_eq!(stats.rendered, 3, "{stats:?}");
    }

    #[test]
    fn a_data_file_edit_rerenders_only_the_outputs_that_read_data() {
        let site = TestSite::new();
        site.write("templates/talks.html", "{% for t in data.talks %}<li>{{ t.title }}</li>{% endfor %}\n");
        site.write(
            "templates/books.html",
            "{% for b in load_data(path=\"data/books.csv\") %}{{ b.title }}{% endfor %}\n",
        );
        site.write("content/talks.md", "---\ntitle: Talks\ntemplate: talks.html\n---\n");
        site.write("content/books.md", "---\ntitle: Books\ntemplate: books.html\n---\n");
        site.write("data/talks.yaml", "- title: One\n");
        site.write("data/books.csv", "title\nDune\n");
        let mut builder = Builder::new(Mode::Watch);
        run_and_compare(&mut builder, &site, "first run");
        site.write("data/talks.yaml", "- title: One\n- title: Two\n");
        let stats = run_and_compare(&mut builder, &site, "talks edit");
        // Only the talks page's template can read `data`; the books page reads one file.
        assert_eq!((stats.parsed, stats.rendered), (0, 1), "{stats:?}");
        site.write("data/books.csv", "title\nDune\nEmma\n");
        let stats = run_and_compare(&mut builder, &site, "books edit");
        // `data` holds every file under `data/`: both pages.
        assert_eq!(stats.rendered, 2, "{stats:?}");
        site.write("data/unread.json", "{}");
        let stats = run_and_compare(&mut builder, &site, "a new data file");
        assert_eq!(stats.rendered, 1, "{stats:?}");
    }

    #[test]
    fn a_summary_edit_rerenders_the_pager_that_lists_the_page_not_the_others() {
        let site = TestSite::new();
        let mut builder = Builder::new(Mode::Watch);
        run_and_compare(&mut builder, &site, "first run");
        // Newest first, two to a pager: /blog/ lists e and d; pages 2 and 3 list c, b and a.
        // section.html reads `section.title`, never `section.pages`, so those two pagers
        // are given the same data.
        site.write(
            "content/blog/e.md",
            "---\ntitle: E\ndate: 2024-05-01\ntags: [y]\n---\n\nFirst E, edited.\n",
        );
        let stats = run_and_compare(&mut builder, &site, "summary edit");
        let rendered_with_every_pager = {
            site.write(
                "templates/section.html",
                &format!(
                    "{}{{{{ section.pages | length }}}}",
                    SITE.iter().find(|f| f.0 == "templates/section.html").unwrap().1
                ),
            );
            run_and_compare(&mut builder, &site, "a template that reads section.pages");
            site.write(
                "content/blog/e.md",
                "---\ntitle: E\ndate: 2024-05-01\ntags: [y]\n---\n\nFirst E, again.\n",
            );
            run_and_compare(&mut builder, &site, "summary edit, pages read").rendered
        };
        assert_eq!(rendered_with_every_pager, stats.rendered + 2, "{stats:?}");
    }

    /// One edit of a random sequence: posts under `blog/` (0-4) and `notes/` (5-6) written
    /// with a title, date, slug and a body that may link (with or without an anchor) to
    /// another post; posts deleted; the notes section and a bundle with a picture added or
    /// removed. Together they move URLs, headings, neighbours, sections and assets under
    /// pages that the model takes back from run to run.
    #[derive(Debug, Clone)]
    enum RandomEdit {
        Write { post: usize, title: u8, month: u8, slug: bool, body: u8, target: usize },
        Delete { post: usize },
        NotesSection { present: bool },
        Bundle { present: bool },
    }

    fn post_path(post: usize) -> String {
        if post < 5 {
            format!("content/blog/p{post}.md")
        } else {
            format!("content/notes/n{post}.md")
        }
    }

    impl RandomEdit {
        /// Makes the edit; returns the paths it wrote or removed.
        fn apply(&self, site: &TestSite) -> Vec<String> {
            let set = |path: &str, text: Option<String>| {
                match text {
                    Some(text) => site.write(path, &text),
                    None => {
                        let _ = fs::remove_file(site.dir.path().join(path));
                    }
                }
                path.to_string()
            };
            match *self {
                RandomEdit::Write { post, title, month, slug, body, target } => {
                    let link = post_path(target).trim_start_matches("content/").to_string();
                    let body = match body {
                        0 => "First words.\n\nMore words.\n".to_string(),
                        1 => format!("## Setup\n\nSee [that](@/{link}).\n"),
                        2 => format!("See [there](@/{link}#setup).\n\n## Other\n"),
                        _ => format!("![A view](/blog/trip/view.png) and [next](../p{target}/).\n"),
                    };
                    let slug = if slug { format!("slug: s{post}-{title}\n") } else { String::new() };
                    let text = format!("---\ntitle: T{title}\ndate: 2024-0{month}-01\n{slug}---\n\n{body}");
                    vec![set(&post_path(post), Some(text))]
                }
                RandomEdit::Delete { post } => vec![set(&post_path(post), None)],
                RandomEdit::NotesSection { present } => {
                    vec![set(
                        "content/notes/_index.md",
                        present.then(|| "---\ntitle: Notes\n---\n".to_string()),
                    )]
                }
                RandomEdit::Bundle { present } => vec![
                    set(
                        "content/blog/trip/index.md",
                        present.then(|| {
                            "---\ntitle: Trip\ndate: 2024-07-01\n---\n\n![A view](view.png)\n".to_string()
                        }),
                    ),
                    set("content/blog/trip/view.png", present.then(|| "not really a picture".to_string())),
                ],
            }
        }
    }

    fn random_edit() -> impl proptest::strategy::Strategy<Value = RandomEdit> {
        use proptest::prelude::*;
        prop_oneof![
            6 => (0usize..7, 0u8..3, 1u8..4, any::<bool>(), 0u8..4, 0usize..7).prop_map(
                |(post, title, month, slug, body, target)| RandomEdit::Write { post, title, month, slug, body, target }
            ),
            1 => (0usize..7).prop_map(|post| RandomEdit::Delete { post }),
            1 => any::<bool>().prop_map(|present| RandomEdit::NotesSection { present }),
            1 => any::<bool>().prop_map(|present| RandomEdit::Bundle { present }),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

        /// What `quire serve` shows after any sequence of saves is what a clean build of the
        /// same files gives, or both refuse the site.
        #[test]
        fn any_sequence_of_edits_builds_what_a_clean_build_does(
            edits in proptest::collection::vec(random_edit(), 1..10)
        ) {
            let site = TestSite::new();
            let mut builder = Builder::new(Mode::Watch);
            site.run(&mut builder).unwrap();
            for (step, edit) in edits.iter().enumerate() {
                for path in edit.apply(&site) {
                    builder.forget(&site.dir.path().join(path));
                }
                let project = site.project();
                match (site.run(&mut builder), Builder::new(Mode::Once).run(&project)) {
                    (Ok(incremental), Ok(clean)) => {
                        proptest::prop_assert_eq!(contents(&incremental), contents(&clean), "after edit {}: {:?}", step, edit);
                        proptest::prop_assert_eq!(&incremental.links.broken, &clean.links.broken);
                    }
                    (Err(incremental), Err(clean)) => {
                        proptest::prop_assert_eq!(incremental.report(), clean.report(), "after edit {}: {:?}", step, edit);
                    }
                    (incremental, clean) => proptest::prop_assert!(
                        false,
                        "after edit {} ({:?}): incremental {:?}, clean {:?}",
                        step,
                        edit,
                        incremental.map(|o| o.stats),
                        clean.map(|o| o.stats)
                    ),
                }
            }
        }
    }
}
