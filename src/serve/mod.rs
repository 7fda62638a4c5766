//! `quire serve`: build the site into memory, serve it over HTTP, rebuild on every change and
//! tell open pages to reload.
//!
//! It drives the same `pipeline::Builder` as `build` and keeps it between runs, so a rebuild
//! redoes only what changed and always equals a clean build of the same files. It never
//! writes the output folder: the server answers from an in-memory copy of the site, swapped
//! whole after each good build, so nothing is ever half-written and no path can lead outside
//! the site. A failed build keeps the last good site served and shows the errors in the page.
//! It prints nothing itself: it reports `Event`s to the caller.

pub mod guard;
pub mod head;
pub mod limits;
pub mod livereload;
pub mod output;
pub mod server;
pub mod watch;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::pipeline::{Builder, Mode, RunStats};
use crate::project::{Overrides, Project};
use guard::{Backend, Guard};
use output::{Change, Publisher, ServedSite};
use server::{Server, Shared};

/// How many ports after the asked one are tried when it is taken.
const PORT_TRIES: u16 = 10;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder.
    pub root: PathBuf,
    /// `--config`.
    pub config_file: Option<PathBuf>,
    /// `--base-url`; by default the address being served.
    pub base_url: Option<String>,
    /// `--drafts`.
    pub drafts: bool,
    /// `--future`.
    pub future: bool,
    /// `--expired`.
    pub expired: bool,
    /// The address to listen on.
    pub interface: IpAddr,
    /// The port to listen on (0: any free port).
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

/// What the server reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// The first build is done and the site is served at `url`.
    Listening {
        /// `http://127.0.0.1:1111/`.
        url: &'a str,
        /// The asked port, when it was taken and another one is used.
        taken_port: Option<u16>,
    },
    /// A build succeeded and is served.
    Built {
        /// What the pipeline did.
        stats: &'a RunStats,
        /// What changed in the served site.
        change: &'a Change,
        /// From the start of the build until the new site was served.
        duration: Duration,
    },
    /// A build failed; the previous site is still served.
    Failed(&'a Error),
    /// A warning to show, such as an unknown config key.
    Warning(&'a str),
}

/// Receives the server's events; called from the server's threads.
pub type Reporter = Arc<dyn Fn(Event<'_>) + Send + Sync>;

/// A server that is running; `stop` ends it.
pub struct Running {
    url: String,
    guard: Guard,
    server: Server,
    _watcher: watch::Watcher,
}

impl Running {
    /// The URL the site is served at.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops taking requests. Rebuilds stop with the process.
    pub fn stop(self) {
        self.guard.stop();
        self.server.stop();
    }
}

/// Builds the site, starts serving it, and starts watching its files.
///
/// A site that fails to build is still served (empty, with the errors shown in the page)
/// so that the next good save brings it up.
///
/// # Errors
/// `Error::Listen` when no port can be had, `Error::Read` when the config file is missing,
/// `Error::Watch` when the files cannot be watched.
pub fn start(options: ServeOptions, report: Reporter) -> Result<Running> {
    limits::prefer_small_pages();
    let root = std::path::absolute(&options.root).unwrap_or_else(|_| options.root.clone());
    let (listener, taken_port) = bind(options.interface, options.port)?;
    let address = listener.local_addr().map_err(|source| Error::Listen {
        address: format!("{}:{}", options.interface, options.port),
        source,
    })?;
    let url = format!("http://{}/", SocketAddr::new(browsable(address.ip()), address.port()));
    // `--config` is relative to the current folder, as for `build`.
    let config_file = options.config_file.clone().map(|file| std::path::absolute(&file).unwrap_or(file));
    let overrides = Overrides {
        config_file: config_file.clone(),
        output_dir: None,
        base_url: Some(options.base_url.clone().unwrap_or_else(|| url.clone())),
        drafts: options.drafts,
        future: options.future,
        expired: options.expired,
    };
    let config_file = config_file.unwrap_or_else(|| root.join("config.toml"));
    if !config_file.is_file() {
        // Not a broken site but the wrong folder: nothing to serve or watch.
        return Err(Error::Read {
            path: config_file,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no config file"),
        });
    }

    let shared = Arc::new(Shared::new(ServedSite::empty()));
    let mut rebuilder = Rebuilder {
        root: root.clone(),
        overrides,
        builder: Builder::new(Mode::Watch),
        publisher: Publisher::new(shared.hub.server_id()),
        shared: Arc::clone(&shared),
        report: Arc::clone(&report),
        warned: false,
        site_warnings: Vec::new(),
        next_change: None,
    };
    rebuilder.rebuild();

    let targets = watch::Targets {
        folders: ["content", "templates", "themes", "static", "sass", crate::load::DATA_FOLDER]
            .iter()
            .map(|f| root.join(f))
            .collect(),
        root,
        config_file,
    };
    let (watcher, batches) = watch::watch(targets)?;
    // Clients reach the server only through the guard, which bounds what they can take.
    let (backend, backend_listener) = Backend::listen()?;
    let server = Server::start(backend_listener, shared)?;
    let guard = Guard::start(listener, backend, limits::Limits::for_this_process())?;
    report(Event::Listening { url: &url, taken_port });
    if options.open {
        if let Err(error) = open::that_detached(&url) {
            report(Event::Warning(&format!("could not open a browser: {error}")));
        }
    }
    std::thread::Builder::new()
        .name("quire-rebuild".into())
        .spawn(move || {
            while let Some(changed) = rebuilder.next_batch(&batches) {
                log::debug!("changed: {changed:?}");
                for path in &changed {
                    rebuilder.builder.forget(path);
                    rebuilder.publisher.forget(path);
                }
                rebuilder.rebuild();
            }
        })
        .expect("the system can start a thread");
    Ok(Running { url, guard, server, _watcher: watcher })
}

/// Listens on `port`, or the first free one of the next few; port 0 takes any free port.
fn bind(interface: IpAddr, port: u16) -> Result<(TcpListener, Option<u16>)> {
    let listen_error =
        |port: u16, source| Error::Listen { address: SocketAddr::new(interface, port).to_string(), source };
    if port == 0 {
        return TcpListener::bind((interface, 0)).map(|l| (l, None)).map_err(|e| listen_error(0, e));
    }
    let last = port.saturating_add(PORT_TRIES - 1);
    for candidate in port..=last {
        match TcpListener::bind((interface, candidate)) {
            Ok(listener) => return Ok((listener, (candidate != port).then_some(port))),
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(error) => return Err(listen_error(candidate, error)),
        }
    }
    Err(listen_error(
        port,
        std::io::Error::new(std::io::ErrorKind::AddrInUse, format!("ports {port} to {last} are all in use")),
    ))
}

/// The address a browser can open: listening on all interfaces is reached through loopback.
fn browsable(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    }
}

/// Runs the pipeline again and serves the result.
struct Rebuilder {
    root: PathBuf,
    overrides: Overrides,
    builder: Builder,
    publisher: Publisher,
    shared: Arc<Shared>,
    report: Reporter,
    /// Whether config warnings were shown already (they would repeat on every rebuild).
    warned: bool,
    /// The site's warnings as last shown; shown again only when they change.
    site_warnings: Vec<String>,
    /// When a page of the served site is next due to be published or to expire: the site is
    /// built again then, without a save (issue 21).
    next_change: Option<jiff::Timestamp>,
}

impl Rebuilder {
    /// The paths of the next batch of changes; an empty batch when a page's publication or
    /// expiry moment comes first; `None` once the watcher has stopped.
    fn next_batch(&self, batches: &Receiver<Vec<PathBuf>>) -> Option<Vec<PathBuf>> {
        let Some(at) = self.next_change else { return batches.recv().ok() };
        let left = at.as_nanosecond().saturating_sub(jiff::Timestamp::now().as_nanosecond());
        // `status` publishes a page at its moment exactly, so waking at it is enough.
        let left = Duration::from_nanos(u64::try_from(left.max(0)).unwrap_or(u64::MAX));
        match batches.recv_timeout(left) {
            Ok(changed) => Some(changed),
            Err(RecvTimeoutError::Timeout) => {
                log::debug!("serve: a page is due to be published or to expire");
                Some(Vec::new())
            }
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    fn rebuild(&mut self) {
        let started = Instant::now();
        // A failed build's site has no schedule: the save that mends it brings one.
        self.next_change = None;
        match self.run() {
            Ok((stats, site, change)) => {
                self.next_change = stats.held_back.next_change;
                self.shared.publish(site);
                self.shared.hub.built(&change);
                (self.report)(Event::Built { stats: &stats, change: &change, duration: started.elapsed() });
            }
            Err(error) => {
                self.shared.hub.failed(&error, &self.root);
                (self.report)(Event::Failed(&error));
            }
        }
    }

    fn run(&mut self) -> Result<(RunStats, ServedSite, Change)> {
        let started = Instant::now();
        let project = Project::load(&self.root, self.overrides.clone())?;
        log::debug!("serve: loaded the config in {:?}", started.elapsed());
        if !self.warned {
            for warning in &project.warnings {
                (self.report)(Event::Warning(warning));
            }
            self.warned = true;
        }
        let output = self.builder.run(&project)?;
        log::debug!("serve: built at {:?}", started.elapsed());
        crate::pipeline::enforce_links(&project, &output.links)?;
        if output.warnings != self.site_warnings {
            for warning in &output.warnings {
                (self.report)(Event::Warning(warning));
            }
            self.site_warnings.clone_from(&output.warnings);
        }
        let (site, change) = self.publisher.publish(&output, &self.shared.site())?;
        log::debug!("serve: published at {:?}", started.elapsed());
        Ok((output.stats, site, change))
    }
}
