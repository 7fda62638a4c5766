//! How many connections the dev server can hold open: as many as the guard allows, fitted
//! into the process's limit of open files, which it raises first if the system lets it.
//!
//! Running out of files must not happen: tiny_http stops accepting for good after one failed
//! `accept` (and panics its accept thread when it cannot duplicate a socket). It does not
//! count or refuse connections itself; the guard does.

/// Connections open at once, live-reload streams included, when files allow.
pub const MAX_CONNECTIONS: usize = 512;
/// Open live-reload streams at most, when files allow. They last as long as their page, so
/// they may take only part of the connections: pages always have room.
pub const MAX_STREAMS: usize = 128;
/// The share of the connections one remote address may hold, as a fraction: 700 reconnecting
/// slow connections of one client locked every other out (issue 29). Three quarters still lets
/// a browser, a link checker and a load test from one address open hundreds.
const ADDRESS_SHARE: (usize, usize) = (3, 4);
/// The buffer a reply is copied through, per connection: the bytes of a reply that are in the
/// process's memory for a client at once, whatever the size of the file (the file's bytes
/// themselves are shared by every reply).
pub const COPY_CHUNK: usize = 64 * 1024;
/// Event streams the server may answer at once: the guard's, and as many again whose client
/// left but which end only at their next write (within 15 s).
pub const SERVER_STREAMS: usize = 2 * MAX_STREAMS;

/// Open files per connection while a request is answered: the client's socket, the guard's
/// connection to the server, and tiny_http's end of it, which it duplicates.
const FILES_PER_CONNECTION: u64 = 4;
/// Open files kept for everything else: a stream left behind holds one each, and the
/// rebuilds, the watcher, the listeners and standard streams need some.
const RESERVED_FILES: u64 = SERVER_STREAMS as u64 + 64;
/// Connections allowed however low the limit of open files is: fewer would be no server.
const MIN_CONNECTIONS: usize = 16;

/// What the guard allows open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections; more are answered 503.
    pub connections: usize,
    /// Live-reload streams among them; more are answered 503.
    pub streams: usize,
    /// Connections one remote address may hold; more are answered 503.
    pub per_address: usize,
}

impl Limits {
    /// The limits for this process: the most, or what its open files allow after raising
    /// their limit as far as needed and allowed.
    pub fn for_this_process() -> Limits {
        let needed = MAX_CONNECTIONS as u64 * FILES_PER_CONNECTION + RESERVED_FILES;
        let limits = Limits::fitted(raise_open_files(needed));
        if limits.connections < MAX_CONNECTIONS {
            log::warn!(
                "the limit of open files allows {} connections at once ({} live-reload streams); \
                 raise it with `ulimit -n {needed}` for {MAX_CONNECTIONS}",
                limits.connections,
                limits.streams
            );
        }
        limits
    }

    /// The limits that fit into `open_files` open files.
    pub fn fitted(open_files: u64) -> Limits {
        let fit = open_files.saturating_sub(RESERVED_FILES) / FILES_PER_CONNECTION;
        let connections = usize::try_from(fit).unwrap_or(usize::MAX).clamp(MIN_CONNECTIONS, MAX_CONNECTIONS);
        let per_address = connections * ADDRESS_SHARE.0 / ADDRESS_SHARE.1;
        Limits { connections, streams: MAX_STREAMS.min(connections / 4), per_address }
    }

    /// The most bytes of replies held in copy buffers at once: one buffer per connection.
    pub fn in_flight_bytes(&self) -> usize {
        self.connections * COPY_CHUNK
    }
}

/// Asks Linux not to back this process's memory with 2 MiB pages from now on. The allocator
/// gives each thread pages of its own and asks for huge pages for its arena; with them, each
/// connection's threads touched about 1.25 MB (300 slow readers: 375 MB), without them about
/// 0.2 MB (issue 29). `build` keeps them: it has few threads and many allocations.
/// (libc: neither the standard library nor rustix offers `PR_SET_THP_DISABLE`.)
#[cfg(target_os = "linux")]
#[allow(unsafe_code, reason = "one prctl call that only sets a flag of this process")]
pub fn prefer_small_pages() {
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` only sets a flag of this process.
    let result = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    if result != 0 {
        log::debug!("could not turn off huge pages: {}", std::io::Error::last_os_error());
    }
}

/// Pages are the system's business here.
#[cfg(not(target_os = "linux"))]
pub fn prefer_small_pages() {}

/// Raises the soft limit of open files to `needed` if it is lower and the hard limit allows;
/// returns the limit now in force.
#[cfg(unix)]
fn raise_open_files(needed: u64) -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    // `None` is no limit.
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= needed {
        return current;
    }
    let raised = needed.min(limit.maximum.unwrap_or(u64::MAX));
    match setrlimit(Resource::Nofile, Rlimit { current: Some(raised), maximum: limit.maximum }) {
        Ok(()) => raised,
        Err(error) => {
            log::debug!("could not raise the limit of open files to {raised}: {error}");
            current
        }
    }
}

/// Sockets are not counted against a small limit here.
#[cfg(not(unix))]
fn raise_open_files(_needed: u64) -> u64 {
    u64::MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enough_open_files_allow_the_most() {
        let most = Limits { connections: MAX_CONNECTIONS, streams: MAX_STREAMS, per_address: 384 };
        assert_eq!(Limits::fitted(u64::MAX), most);
        assert_eq!(Limits::fitted(MAX_CONNECTIONS as u64 * FILES_PER_CONNECTION + RESERVED_FILES), most);
    }

    #[test]
    fn fewer_open_files_allow_fewer_connections_and_streams() {
        // The usual soft limit on Linux.
        assert_eq!(Limits::fitted(1024), Limits { connections: 176, streams: 44, per_address: 132 });
        assert_eq!(Limits::fitted(0), Limits { connections: MIN_CONNECTIONS, streams: 4, per_address: 12 });
    }

    #[test]
    fn issue_29_replies_in_flight_are_bounded_and_no_address_takes_every_connection() {
        let most = Limits::fitted(u64::MAX);
        assert_eq!(most.in_flight_bytes(), 32 * 1024 * 1024);
        assert!(most.per_address < most.connections);
        assert!(Limits::fitted(0).per_address < MIN_CONNECTIONS);
    }

    #[cfg(unix)]
    #[test]
    fn the_limit_in_force_is_at_least_what_was_there() {
        let before =
            rustix::process::getrlimit(rustix::process::Resource::Nofile).current.unwrap_or(u64::MAX);
        assert!(raise_open_files(before.saturating_sub(1)) >= before);
    }
}
