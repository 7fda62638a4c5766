//! `build()`: runs the stages in order — load, parse, model, render, link check, write.
//! `check()` runs the same stages but the write.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::check::{self, CheckInput, CheckReport};
use crate::config::LinkSeverity;
use crate::error::{Error, Result};
use crate::load::{self, SiteFiles, StaticSource};
use crate::parse;
use crate::project::Project;
use crate::render::{self, RenderInput};
use crate::site::schedule::{HeldBack, Schedule};
use crate::site::{ModelInput, Site};
use crate::theme;
use crate::write::{self, Contents, OutputFile, WriteReport};

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

/// Builds the site of `project` into its output folder.
///
/// # Errors
/// Any stage's errors, and broken internal links unless `[link_checker] internal = "warn"`;
/// when it fails, the output folder is left as it was.
pub fn build(project: &Project) -> Result<BuildReport> {
    let started = Instant::now();
    check_output_location(project)?;
    let prepared = prepare(project)?;
    if !prepared.links.broken.is_empty() {
        match project.config.link_checker.internal {
            LinkSeverity::Error => {
                let broken = prepared.links.broken;
                return Err(Error::from_list(broken).expect("the list is not empty"));
            }
            LinkSeverity::Warn => {
                for error in &prepared.links.broken {
                    log::warn!("{}", error.report().trim_end().trim_start_matches("error: "));
                }
            }
        }
    }
    let report = write::write(&project.paths.output, &prepared.outputs)?;
    Ok(BuildReport {
        pages: prepared.pages,
        sections: prepared.sections,
        files: prepared.outputs.len(),
        held_back: prepared.held_back,
        write: report,
        duration: started.elapsed(),
    })
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
    let prepared = prepare(project)?;
    Ok(CheckOutcome { links: prepared.links, pages: prepared.pages })
}

/// A site rendered in memory and checked, ready to write.
struct Prepared {
    outputs: Vec<OutputFile>,
    links: CheckReport,
    pages: usize,
    sections: usize,
    held_back: HeldBack,
}

/// Runs every stage but the write: load, parse, model, render, then the link check.
fn prepare(project: &Project) -> Result<Prepared> {
    let files = load::load(&project.paths)?;
    log::debug!("loaded {} content files, {} templates", files.content.len(), files.templates.len());
    let documents = parse::parse_all(&files.content, &project.config)?;
    let SiteFiles { content_assets, templates, static_files, .. } = files;
    let site = Site::build(ModelInput {
        config: project.config.clone(),
        documents,
        content_assets,
        drafts: project.drafts,
        schedule: Schedule { now: jiff::Timestamp::now(), future: project.future, expired: project.expired },
    })?;
    for warning in &site.warnings {
        log::warn!("{warning}");
    }
    let static_outputs: Vec<String> = static_files.iter().map(|f| f.relative_path.clone()).collect();
    let rendered = render::render(RenderInput {
        site: &site,
        templates: &templates,
        static_outputs: static_outputs.clone(),
    })?;
    log::debug!("rendered {} files", rendered.len());
    let copied =
        static_outputs.into_iter().chain(site.assets.iter().map(|a| a.output_path.clone())).collect();
    let links = check::check(&CheckInput { site: &site, rendered: &rendered, copied });
    log::debug!("checked {} internal links, {} broken", links.checked, links.broken.len());

    let mut outputs: Vec<(OutputFile, PathBuf)> = Vec::new();
    // Static files first, theme before site, so the site's file replaces the theme's.
    let mut static_by_path: HashMap<String, StaticSource> = HashMap::new();
    for file in static_files {
        static_by_path.insert(file.relative_path, file.source);
    }
    let mut static_sorted: Vec<_> = static_by_path.into_iter().collect();
    static_sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (output_path, source) in static_sorted {
        let (contents, owner) = match source {
            StaticSource::Disk(path) => (Contents::Copy(path.clone()), path),
            StaticSource::BuiltIn(bytes) => {
                (Contents::Bytes(bytes.to_vec()), theme::display_path("static", &output_path))
            }
        };
        outputs.push((OutputFile { output_path, contents }, owner));
    }
    for asset in &site.assets {
        let file = OutputFile {
            output_path: asset.output_path.clone(),
            contents: Contents::Copy(asset.source_path.clone()),
        };
        outputs.push((file, asset.source_path.clone()));
    }
    for file in rendered {
        let owner =
            PathBuf::from(format!("the page at /{}", file.output_path.trim_end_matches("index.html")));
        outputs.push((
            OutputFile { output_path: file.output_path, contents: Contents::Bytes(file.contents) },
            owner,
        ));
    }
    let outputs = unique_outputs(outputs, &project.paths.root)?;

    Ok(Prepared {
        outputs,
        links,
        pages: site.pages.len(),
        sections: site.sections.len(),
        held_back: site.held_back,
    })
}

/// Refuses an output folder that holds the site itself: syncing it would delete sources.
fn check_output_location(project: &Project) -> Result<()> {
    let paths = &project.paths;
    let output = absolute(&paths.output);
    let guarded = [&paths.root, &paths.content, &paths.templates, &paths.static_dir];
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

/// Checks that no two outputs share a path and returns the files.
fn unique_outputs(outputs: Vec<(OutputFile, PathBuf)>, root: &Path) -> Result<Vec<OutputFile>> {
    let mut owners: HashMap<String, PathBuf> = HashMap::new();
    let mut errors = Vec::new();
    let mut files = Vec::with_capacity(outputs.len());
    for (file, owner) in outputs {
        let owner = owner.strip_prefix(root).map(Path::to_path_buf).unwrap_or(owner);
        if let Some(first) = owners.insert(file.output_path.clone(), owner.clone()) {
            errors.push(Error::DuplicateUrl {
                url_path: format!("/{}", file.output_path),
                first,
                second: owner,
            });
            continue;
        }
        files.push(file);
    }
    match Error::from_list(errors) {
        Some(error) => Err(error),
        None => Ok(files),
    }
}
