//! The `quire` command: parse arguments, run, print the outcome, set the exit code.

// Errors carry their location and source line for the report; they are built only on the
// failure path, so their size costs nothing in a build that succeeds.

use std::io::{IsTerminal, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use clap::Parser;
use quire::check::external;
use quire::cli::{
    BuildArgs, CheckArgs, Cli, Command, CompletionsArgs, DeployArgs, HighlightCssArgs, ImportArgs,
    ImportOrigin, InitArgs, ManArgs, NewArgs, ServeArgs,
};
use quire::cli_docs;
use quire::deploy::plan::Force;
use quire::deploy::{DeployOptions, DryRun};
use quire::error::Error;
use quire::parse::highlight;
use quire::pipeline::{self, BuildReport};
use quire::project::{Overrides, Project};
use quire::scaffold::{
    self,
    import::{ImportOptions, Origin},
    init::{InitOptions, NonEmpty},
    new::NewPage,
};
use quire::serve::{self, Event, ServeOptions};
use quire::terminal::eprint_report;

/// Prints a line on stdout. A closed stdout (`quire build | (exec 0<&-; sleep 1)`) is not
/// worth a panic or a word: the run goes on, and its exit code is what the work decides.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// See the `mimalloc` feature in Cargo.toml for why.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = if cli.quiet {
        log::LevelFilter::Error
    } else if cli.verbose {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Warn
    };
    StderrLogger::install(level);

    let result = match &cli.command {
        Command::Build(args) => build(&cli, args),
        Command::Init(args) => init(&cli, args),
        Command::New(args) => new(&cli, args),
        Command::Import(args) => import(&cli, args),
        Command::Check(args) => return check(&cli, args),
        Command::HighlightCss(args) => return highlight_css(args),
        Command::Serve(args) => return serve(&cli, args),
        Command::Completions(args) => return completions(args),
        Command::Man(args) => man(&cli, args),
        Command::Deploy(args) => deploy(&cli, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprint_report(&error.report());
            ExitCode::FAILURE
        }
    }
}

fn build(cli: &Cli, args: &BuildArgs) -> quire::Result<()> {
    let overrides = Overrides {
        config_file: cli.config.clone(),
        output_dir: args.output_dir.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        future: args.future,
        expired: args.expired,
    };
    let project = Project::load(&cli.root, overrides)?;
    for warning in &project.warnings {
        log::warn!("{warning}");
    }
    let progress = Progress::start(cli.quiet);
    let result = pipeline::build(&project);
    progress.finish();
    let report = result?;
    if !cli.quiet {
        say!("{}", summary_line(&report));
    }
    Ok(())
}

/// `quire deploy`: the built site to a target; a dry run lists each upload and delete.
fn deploy(cli: &Cli, args: &DeployArgs) -> quire::Result<()> {
    let overrides = Overrides {
        config_file: cli.config.clone(),
        output_dir: args.output_dir.clone(),
        ..Overrides::default()
    };
    let project = Project::load(&cli.root, overrides)?;
    for warning in &project.warnings {
        log::warn!("{warning}");
    }
    let options = DeployOptions {
        target: args.target.clone(),
        dry_run: if args.dry_run { DryRun::Yes } else { DryRun::No },
        force: if args.force { Force::Yes } else { Force::No },
        max_deletes: args.max_deletes,
        workers: usize::from(args.workers),
    };
    let bar = DeployBar::new(cli.quiet);
    let result = quire::deploy::deploy(&project, &options, &bar);
    bar.bar.finish_and_clear();
    let report = result?;
    if !cli.quiet {
        for (action, key, why) in &report.actions {
            say!("would {action} {key} ({why})");
        }
        say!("{}", report.summary());
    }
    Ok(())
}

/// The deploy's progress bar: on a terminal only, and not with `--quiet`.
struct DeployBar {
    bar: indicatif::ProgressBar,
}

impl DeployBar {
    fn new(quiet: bool) -> DeployBar {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            indicatif::ProgressBar::hidden()
        } else {
            indicatif::ProgressBar::new(0)
        };
        DeployBar { bar }
    }
}

impl quire::deploy::Progress for DeployBar {
    fn start(&self, total: u64) {
        self.bar.set_length(total);
        self.bar.enable_steady_tick(Duration::from_millis(100));
    }

    fn advance(&self) {
        self.bar.inc(1);
    }
}

fn init(cli: &Cli, args: &InitArgs) -> quire::Result<()> {
    let dir = args.dir.clone().unwrap_or_else(|| cli.root.clone());
    let non_empty = if args.force { NonEmpty::Overwrite } else { NonEmpty::Refuse };
    let files = scaffold::init::init(&InitOptions { dir: dir.clone(), non_empty })?;
    if !cli.quiet {
        say!("created a new site in `{}`:", dir.display());
        for file in files.iter().filter(|f| !f.ends_with(".gitkeep")) {
            say!("  {file}");
        }
        say!("  templates/ and static/ (empty: files there override the built-in theme)");
        if dir == Path::new(".") {
            say!("next: quire build");
        } else {
            say!("next: cd {} && quire build", dir.display());
        }
    }
    Ok(())
}

fn new(cli: &Cli, args: &NewArgs) -> quire::Result<()> {
    let request = NewPage { path: args.path.clone(), title: args.title.clone() };
    let relative = scaffold::new::new_page(&cli.root, &request)?;
    if !cli.quiet {
        let shown = if cli.root == Path::new(".") { relative } else { cli.root.join(relative) };
        say!("{}", shown.display());
    }
    Ok(())
}

fn import(cli: &Cli, args: &ImportArgs) -> quire::Result<()> {
    let origin = match args.from {
        ImportOrigin::Jekyll => Origin::Jekyll,
        ImportOrigin::Hugo => Origin::Hugo,
        ImportOrigin::Zola => Origin::Zola,
    };
    let dest = args.dest.clone().unwrap_or_else(|| args.source.clone());
    let imported = scaffold::import::import(&ImportOptions { origin, source: args.source.clone(), dest })?;
    if !cli.quiet {
        say!("wrote `{}` from `{}`", imported.written.display(), imported.read_from.display());
        if !imported.left_out.is_empty() {
            say!("not carried over:");
            for item in &imported.left_out {
                say!("  {item}");
            }
        }
    }
    Ok(())
}

/// `quire check`: every broken link on stderr, a count on stdout, failure if any is broken.
fn check(cli: &Cli, args: &CheckArgs) -> ExitCode {
    let overrides =
        Overrides { config_file: cli.config.clone(), drafts: args.drafts, ..Overrides::default() };
    let result = Project::load(&cli.root, overrides).and_then(|project| {
        for warning in &project.warnings {
            log::warn!("{warning}");
        }
        let outcome = pipeline::check(&project)?;
        Ok((project, outcome))
    });
    let (project, outcome) = match result {
        Ok(found) => found,
        Err(error) => {
            eprint_report(&error.report());
            return ExitCode::FAILURE;
        }
    };
    let links = &outcome.links;
    for link in &links.broken {
        eprint_report(&format!("{}\n", link.to_error().report()));
    }
    let mut failed = !links.broken.is_empty();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if !cli.quiet {
        say!(
            "checked {} on {}: {} broken",
            plural(links.checked, "internal link"),
            plural(outcome.pages, "page"),
            links.broken.len()
        );
    }
    if args.external {
        let report = external::check_external(&links.external, &project.config.link_checker);
        for failure in &report.failed {
            let link = &failure.link;
            let error = Error::BrokenLink {
                location: quire::error::Location {
                    line: link.line,
                    ..quire::error::Location::file(&link.file)
                },
                detail: format!("`{}`: {}", link.url, failure.reason),
                hint: Some(
                    "fix or remove the link, or add its domain to `[link_checker] skip_domains`".into(),
                ),
            };
            eprint_report(&format!("{}\n", error.report()));
        }
        failed |= !report.failed.is_empty();
        if !cli.quiet {
            say!(
                "checked {} ({} skipped): {} broken",
                plural(report.checked, "external link"),
                report.skipped,
                report.failed.len()
            );
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `quire highlight-css THEME`: the stylesheet on stdout.
fn highlight_css(args: &HighlightCssArgs) -> ExitCode {
    if args.list {
        let mut out = std::io::stdout().lock();
        for name in quire::highlight_themes::theme_names() {
            // A closed pipe (`| head`) is not an error worth a panic.
            if writeln!(out, "{name}").is_err() {
                break;
            }
        }
        return ExitCode::SUCCESS;
    }
    let theme = args.theme.as_deref().unwrap_or_default();
    match highlight::css_for_theme(theme) {
        Ok(css) if args.dark => {
            let indented: String =
                css.lines().map(|line| format!("  {line}\n").replace("  \n", "\n")).collect();
            let _ = write!(std::io::stdout(), "@media (prefers-color-scheme: dark) {{\n{indented}}}\n");
            ExitCode::SUCCESS
        }
        Ok(css) => {
            let _ = write!(std::io::stdout(), "{css}");
            ExitCode::SUCCESS
        }
        Err(detail) => {
            eprint_report(&format!("error: {detail}\n"));
            ExitCode::FAILURE
        }
    }
}

/// `quire completions SHELL`: the script on stdout.
fn completions(args: &CompletionsArgs) -> ExitCode {
    // A closed pipe (`| head`) is not an error worth a report.
    let _ = cli_docs::write_completions(args.shell, &mut std::io::stdout().lock());
    ExitCode::SUCCESS
}

/// `quire man`: the page on stdout, or with `--out-dir` every page written there.
fn man(cli: &Cli, args: &ManArgs) -> quire::Result<()> {
    let Some(dir) = &args.out_dir else {
        let _ = cli_docs::write_man_page(&mut std::io::stdout().lock());
        return Ok(());
    };
    let written = cli_docs::write_man_pages(dir)?;
    if !cli.quiet {
        println!("wrote {} manual pages in `{}`", written.len(), dir.display());
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn summary_line(report: &BuildReport) -> String {
    let mut line = format!(
        "built {}, {}, {} ({} written, {} unchanged, {} removed) in {} ms",
        plural(report.pages, "page"),
        plural(report.sections, "section"),
        plural(report.files, "file"),
        report.write.written,
        report.write.unchanged,
        report.write.removed,
        report.duration.as_millis()
    );
    let held_back = report.held_back;
    let mut reasons = Vec::new();
    if held_back.scheduled > 0 {
        reasons.push(format!("{} scheduled (--future)", held_back.scheduled));
    }
    if held_back.expired > 0 {
        reasons.push(format!("{} expired (--expired)", held_back.expired));
    }
    if !reasons.is_empty() {
        line.push_str(&format!("; held back {}", reasons.join(", ")));
    }
    if held_back.drafts > 0 {
        line.push_str(&format!("; {} left out (--drafts)", plural(held_back.drafts, "draft")));
    }
    line
}

/// Runs `quire serve` until Ctrl-C (or SIGTERM).
fn serve(cli: &Cli, args: &ServeArgs) -> ExitCode {
    let options = ServeOptions {
        root: cli.root.clone(),
        config_file: cli.config.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        future: args.future,
        expired: args.expired,
        interface: args.interface,
        port: args.port,
        open: args.open,
    };
    let (stop, stopped) = mpsc::channel();
    // Kept so that waiting below blocks even if the handler could not be set.
    let _stop = stop.clone();
    if let Err(error) = ctrlc::set_handler(move || {
        let _ = stop.send(());
    }) {
        log::warn!("Ctrl-C will end the server without a goodbye: {error}");
    }
    let quiet = cli.quiet;
    let report = Arc::new(move |event: Event<'_>| match event {
        Event::Listening { url, taken_port } => {
            if let Some(port) = taken_port {
                say!("port {port} is in use, so the next free port is used");
            }
            say!("serving the site at {url} (Ctrl-C to stop)");
        }
        Event::Built { stats, change, duration } if !quiet => say!(
            "built in {} ms: {} of {} rendered, {} changed",
            duration.as_millis(),
            stats.rendered,
            plural(stats.rendered + stats.renders_reused, "output"),
            plural(change.paths.len(), "file")
        ),
        Event::Built { .. } => {}
        Event::Failed(error) => eprint_report(&error.report()),
        Event::Warning(warning) => log::warn!("{warning}"),
    });
    match serve::start(options, report) {
        Ok(running) => {
            // Until Ctrl-C; if the handler could not be set, the signal ends the process.
            let _ = stopped.recv();
            running.stop();
            if !cli.quiet {
                say!("stopped");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprint_report(&error.report());
            ExitCode::FAILURE
        }
    }
}

/// A spinner on stderr, shown only on a terminal and only once a build passes one second.
struct Progress {
    done: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { done: None, thread: None };
        }
        let (done, wait) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            if wait.recv_timeout(Duration::from_secs(1)) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            let spinner = indicatif::ProgressBar::new_spinner();
            spinner.set_message("building…");
            spinner.enable_steady_tick(Duration::from_millis(100));
            let _ = wait.recv();
            spinner.finish_and_clear();
        });
        Progress { done: Some(done), thread: Some(thread) }
    }

    fn finish(mut self) {
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Prints log records to stderr as `warning: ...`, the way errors are printed.
struct StderrLogger {
    level: log::LevelFilter,
}

impl StderrLogger {
    fn install(level: log::LevelFilter) {
        let logger = Box::leak(Box::new(StderrLogger { level }));
        if log::set_logger(logger).is_ok() {
            log::set_max_level(level);
        }
    }
}

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= self.level && metadata.target().starts_with("quire")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let label = match record.level() {
                log::Level::Error => "error",
                log::Level::Warn => "warning",
                log::Level::Info => "info",
                log::Level::Debug | log::Level::Trace => "debug",
            };
            eprint_report(&format!("{label}: {}\n", record.args()));
        }
    }

    fn flush(&self) {}
}
