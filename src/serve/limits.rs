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
        Limits { connections, streams: MAX_STREAMS.min(connections / 4) }
    }
}

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
        let most = Limits { connections: MAX_CONNECTIONS, streams: MAX_STREAMS };
        assert_eq!(Limits::fitted(u64::MAX), most);
        assert_eq!(Limits::fitted(MAX_CONNECTIONS as u64 * FILES_PER_CONNECTION + RESERVED_FILES), most);
    }

    #[test]
    fn fewer_open_files_allow_fewer_connections_and_streams() {
        // The usual soft limit on Linux.
        assert_eq!(Limits::fitted(1024), Limits { connections: 176, streams: 44 });
        assert_eq!(Limits::fitted(0), Limits { connections: MIN_CONNECTIONS, streams: 4 });
    }

    #[cfg(unix)]
    #[test]
    fn the_limit_in_force_is_at_least_what_was_there() {
        let before =
            rustix::process::getrlimit(rustix::process::Resource::Nofile).current.unwrap_or(u64::MAX);
        assert!(raise_open_files(before.saturating_sub(1)) >= before);
    }
}
