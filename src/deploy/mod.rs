//! `quire deploy`: sends the built `public/` to a target from `[[deploy.targets]]` (S3, GCS,
//! Azure or a folder), only what changed: each file's MD5 against the target's listing.
//! Assets go first, pages once every asset is there, deletes last and bounded by
//! `--max-deletes`. A command, not a pipeline stage: it reads `public/` as the last build left
//! it and never builds.
//!
//! `pattern`, `headers`, `local`, `plan` and `target` are plain code, always compiled;
//! `remote` (object_store, tokio, the network) only with the `deploy` feature.

pub mod headers;
pub mod local;
pub mod pattern;
pub mod plan;
#[cfg(feature = "deploy")]
pub mod remote;
pub mod target;

use std::time::Duration;

use crate::config::DeployTarget;
use crate::error::{Error, Result};
use crate::project::Project;
use plan::Force;

/// What `quire deploy` was asked.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// `--target`: the target's name; the first target when absent.
    pub target: Option<String>,
    /// `--dry-run`: say what would be sent and deleted, send nothing.
    pub dry_run: DryRun,
    /// `--force`: send every file, and delete past `max_deletes`.
    pub force: Force,
    /// `--max-deletes`: more deletes than this are refused without `--force`.
    pub max_deletes: usize,
    /// `--workers`: requests in flight at once.
    pub workers: usize,
}

/// Whether a deploy writes anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    /// Upload and delete.
    No,
    /// Only say what would be done.
    Yes,
}

/// What a deploy did (or, on a dry run, would do).
#[derive(Debug, Clone)]
pub struct DeployReport {
    /// The target's name.
    pub target: String,
    /// The target's URL without its query.
    pub url: String,
    /// Files uploaded.
    pub uploaded: usize,
    /// Objects deleted.
    pub deleted: usize,
    /// Files the target already had.
    pub unchanged: usize,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Each upload and delete, as `("upload", key, why)`: printed by a dry run.
    pub actions: Vec<(&'static str, String, &'static str)>,
    /// Whether nothing was written.
    pub dry_run: DryRun,
    /// How long it took.
    pub elapsed: Duration,
}

/// Runs a deploy of `project`'s output folder. `progress` is told the number of requests to
/// make, then called once per request done.
///
/// # Errors
/// `Error::Deploy` if no target fits, the target cannot be reached or listed, or more deletes
/// than `max_deletes` are needed; `Error::DeployFailed` with every failed key if requests fail.
pub fn deploy(project: &Project, options: &DeployOptions, progress: &dyn Progress) -> Result<DeployReport> {
    let started = std::time::Instant::now();
    let target = choose_target(&project.config.deploy.targets, options.target.as_deref())?;
    let url = target::TargetUrl::parse(&target.url).map_err(|detail| Error::Deploy {
        target: target.name.clone(),
        detail,
        hint: Some(target::URL_HINT.into()),
    })?;
    let matchers =
        headers::Matchers::new(&project.config.deploy.matchers).map_err(|detail| Error::Deploy {
            target: target.name.clone(),
            detail,
            hint: Some("fix the `pattern` of `[[deploy.matchers]]`".into()),
        })?;
    let files = local::scan(&project.paths.output, &matchers)?;
    run(target, &url, &files, options, progress, started)
}

/// Told how a deploy advances: a progress bar on a terminal, nothing otherwise.
pub trait Progress: Sync {
    /// The requests to make.
    fn start(&self, total: u64);
    /// One request done.
    fn advance(&self);
}

/// A progress that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self) {}
}

/// The target named `name`, or the first.
fn choose_target<'a>(targets: &'a [DeployTarget], name: Option<&str>) -> Result<&'a DeployTarget> {
    let no_target = |detail: String| {
        Error::Deploy {
        target: name.unwrap_or_default().to_string(),
        detail,
        hint: Some(
            "add a `[[deploy.targets]]` entry with `name` and `url` to config.toml (see \"Deploy\" in README.md)"
                .into(),
        ),
    }
    };
    match name {
        None => targets.first().ok_or_else(|| no_target("config.toml has no `[[deploy.targets]]`".into())),
        Some(name) => targets.iter().find(|t| t.name == name).ok_or_else(|| {
            let known: Vec<String> = targets.iter().map(|t| format!("`{}`", t.name)).collect();
            no_target(if known.is_empty() {
                format!("no target `{name}`: config.toml has no `[[deploy.targets]]`")
            } else {
                format!("no target `{name}`; the targets are {}", known.join(", "))
            })
        }),
    }
}

#[cfg(not(feature = "deploy"))]
fn run(
    target: &DeployTarget,
    _url: &target::TargetUrl,
    _files: &[local::LocalFile],
    _options: &DeployOptions,
    _progress: &dyn Progress,
    _started: std::time::Instant,
) -> Result<DeployReport> {
    Err(Error::Deploy {
        target: target.name.clone(),
        detail: "this quire was built without the `deploy` feature".into(),
        hint: Some("build quire with its default features: `cargo install quire`".into()),
    })
}

#[cfg(feature = "deploy")]
fn run(
    target: &DeployTarget,
    url: &target::TargetUrl,
    files: &[local::LocalFile],
    options: &DeployOptions,
    progress: &dyn Progress,
    started: std::time::Instant,
) -> Result<DeployReport> {
    use plan::{Plan, Reason};
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    let workers = options.workers.max(1);
    let remote = remote::Remote::open(target, url)?;
    let listed = remote.list(files, workers)?;
    let plan = Plan::new(files, &listed, options.force);
    if plan.deletes.len() > options.max_deletes && options.force == Force::No {
        return Err(Error::Deploy {
            target: target.name.clone(),
            detail: format!(
                "{} objects would be deleted, more than `--max-deletes` ({}); nothing was sent",
                plan.deletes.len(),
                options.max_deletes
            ),
            hint: Some(
                "check that `public/` is the whole site (run `quire build` first) and the target's `url` \
                 is the right place; then pass `--max-deletes N` or `--force`"
                    .into(),
            ),
        });
    }
    let mut report = DeployReport {
        target: target.name.clone(),
        url: url.display(),
        uploaded: 0,
        deleted: 0,
        unchanged: plan.unchanged,
        bytes_sent: 0,
        actions: Vec::new(),
        dry_run: options.dry_run,
        elapsed: Duration::ZERO,
    };
    if options.dry_run == DryRun::Yes {
        for (index, reason) in plan.uploads() {
            let why = match reason {
                Reason::New => "new",
                Reason::Changed => "changed",
                Reason::Forced => "forced",
            };
            report.actions.push(("upload", files[*index].key.clone(), why));
        }
        for key in &plan.deletes {
            report.actions.push(("delete", key.clone(), "gone from public/"));
        }
        report.uploaded = plan.upload_count();
        report.deleted = plan.deletes.len();
        report.elapsed = started.elapsed();
        return Ok(report);
    }
    progress.start((plan.upload_count() + plan.deletes.len()) as u64);
    let bytes = AtomicU64::new(0);
    let uploaded = AtomicUsize::new(0);
    let sent = |_key: &str, size: u64| {
        bytes.fetch_add(size, Ordering::Relaxed);
        uploaded.fetch_add(1, Ordering::Relaxed);
        progress.advance();
    };
    // Assets, then pages, then deletes; a phase with a failure stops the next ones, so the
    // target never serves a page whose assets are missing, nor loses a page still linked to.
    let mut failures = Vec::new();
    let mut stopped = None;
    for (phase, list) in [("assets", &plan.assets), ("pages", &plan.pages)] {
        let batch: Vec<&local::LocalFile> = list.iter().map(|(index, _)| &files[*index]).collect();
        failures = remote.upload(&batch, workers, &sent);
        if !failures.is_empty() {
            stopped = Some(phase);
            break;
        }
    }
    let deleted = AtomicUsize::new(0);
    if stopped.is_none() {
        failures = remote.delete(&plan.deletes, workers, &|_| {
            deleted.fetch_add(1, Ordering::Relaxed);
            progress.advance();
        });
    }
    report.uploaded = uploaded.into_inner();
    report.deleted = deleted.into_inner();
    report.bytes_sent = bytes.into_inner();
    report.elapsed = started.elapsed();
    if failures.is_empty() {
        return Ok(report);
    }
    failures.sort_by(|a, b| a.key.cmp(&b.key));
    let not_done = match stopped {
        Some("assets") => {
            "; no page was uploaded and nothing deleted, so the site still serves the last deploy's pages"
        }
        Some(_) => "; nothing was deleted",
        None => "",
    };
    let first = &failures[0].detail;
    Err(Error::DeployFailed {
        target: target.name.clone(),
        keys: failures.iter().map(|f| f.key.clone()).collect(),
        detail: format!(
            "{} uploaded, {} deleted before the failure{not_done}; the first error: {first}",
            report.uploaded, report.deleted
        ),
        hint: remote::hint_for(first, url.scheme),
    })
}

/// The failed keys for the error's title: all of them up to 50, then how many more.
pub fn list_keys(keys: &[String]) -> String {
    const SHOWN: usize = 50;
    let mut text = keys.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    if keys.len() > SHOWN {
        text.push_str(&format!(" and {} more", thousands(keys.len() - SHOWN)));
    }
    text
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1234567` bytes as `1.2 MB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

impl DeployReport {
    /// The summary line: `12 uploaded, 3 deleted, 4,210 unchanged, 1.2 MB sent in 3.1 s`.
    pub fn summary(&self) -> String {
        let seconds = self.elapsed.as_secs_f64();
        match self.dry_run {
            DryRun::Yes => format!(
                "dry run for `{}` ({}): would upload {}, delete {}; {} unchanged; nothing was sent",
                self.target,
                self.url,
                thousands(self.uploaded),
                thousands(self.deleted),
                thousands(self.unchanged)
            ),
            DryRun::No if self.uploaded == 0 && self.deleted == 0 => format!(
                "`{}` ({}) is up to date: nothing sent, {} unchanged, in {seconds:.1} s",
                self.target,
                self.url,
                thousands(self.unchanged)
            ),
            DryRun::No => format!(
                "deployed to `{}` ({}): {} uploaded, {} deleted, {} unchanged, {} sent in {seconds:.1} s",
                self.target,
                self.url,
                thousands(self.uploaded),
                thousands(self.deleted),
                thousands(self.unchanged),
                size(self.bytes_sent)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_sizes_rounded() {
        assert_eq!(thousands(4210), "4,210");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1_234_567), "1.2 MB");
    }

    #[test]
    fn the_first_target_is_the_default_and_an_unknown_name_lists_the_others() {
        let targets = [
            DeployTarget { name: "prod".into(), url: "s3://a".into() },
            DeployTarget { name: "staging".into(), url: "s3://b".into() },
        ];
        assert_eq!(choose_target(&targets, None).unwrap().name, "prod");
        assert_eq!(choose_target(&targets, Some("staging")).unwrap().name, "staging");
        let error = choose_target(&targets, Some("qa")).unwrap_err().to_string();
        assert!(error.contains("qa"), "{error}");
        assert!(choose_target(&[], None).is_err());
    }
}
