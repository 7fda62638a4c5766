//! The guard: the only way to the HTTP server. It takes the connections of the address the
//! user sees, bounds what each client can take, and passes on only requests it has read and
//! checked, each as a fresh canonical head on a private connection to the server (tiny_http
//! in `server.rs`), whose reply it copies back.
//!
//! Why: tiny_http 0.12 (its last release) cannot be bounded from outside. It reads header
//! lines of any length, never times out a silent client (each holds a thread for ever), skips
//! an unread request body by allocating its announced length (`Content-Length:
//! 1000000000000` aborted the process), and stops accepting for good after one failed
//! `accept`. So no client ever talks to it: the guard keeps at most `Limits::connections` open
//! (`Limits::streams` of them live-reload streams, so pages always have room), wants each request
//! head within `MAX_HEAD` bytes and `REQUEST_TIMEOUT`, gives replies `WRITE_TIMEOUT` to be
//! taken, and never passes on a body: a request with one is passed on without it and its
//! connection is closed after the reply. Requests of a connection are passed on one at a
//! time, each on a connection of its own that ends with its reply, so a client has at most
//! one request in the server, replies need no parsing, and a slow reader holds up only itself.
//!
//! A reply is copied through one buffer of `limits::COPY_CHUNK` bytes per connection, so the
//! bytes in flight are bounded by the connections allowed (`Limits::in_flight_bytes`), and a
//! client must take it at `MIN_RATE` on average over the last `RATE_WINDOW` or is dropped: one
//! taking 4 KB every 5 s stayed connected for ever (issue 29). No remote address may hold more
//! than `Limits::per_address` connections, so one local client cannot lock others out.
//!
//! The server listens on a Unix socket in a folder only this user can enter (on other systems,
//! on a loopback port). The guard does not route, answer pages or look at paths beyond
//! telling a live-reload stream from a page.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::serve::head::{self, HeadError, Request};
use crate::serve::limits::{Limits, COPY_CHUNK};
use crate::serve::server;

/// How long a request head may take to arrive, from the connection or the previous reply
/// (also how long an idle keep-alive connection stays open). A slow or silent client is
/// answered 408 and dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a refusal (or an event) may wait for a client that does not read it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The least a client must take of a reply, in bytes a second, averaged over the last
/// `RATE_WINDOW` (once the reply is that old); a slower one is dropped and gives back its place.
const MIN_RATE: u64 = 1024;
const RATE_WINDOW: Duration = Duration::from_secs(10);
/// The window is counted in slots of a second; a blocked write returns this often to check it.
const RATE_SLOT: Duration = Duration::from_secs(1);
const RATE_SLOTS: usize = (RATE_WINDOW.as_secs() / RATE_SLOT.as_secs()) as usize;
/// How long the server may stay silent in a reply. Streams get a comment every 15 s.
const SERVER_SILENCE: Duration = Duration::from_secs(60);
/// How often a stream checks whether its client is still there while the server is silent.
const STREAM_CHECK: Duration = Duration::from_secs(1);
/// What is read and thrown away of a refused request before closing, so the client gets
/// the reply rather than a reset, and how long that may take.
const LINGER_BYTES: usize = 256 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(1);
/// A connection's thread needs little stack: it parses a head and copies bytes.
const STACK_SIZE: usize = 256 * 1024;
/// How long to wait after a failed `accept` before the next.
const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// How the server is listened for: a Unix socket, or a loopback port where there are none.
#[cfg(unix)]
pub type BackendListener = std::os::unix::net::UnixListener;
/// How the server is listened for: a Unix socket, or a loopback port where there are none.
#[cfg(not(unix))]
pub type BackendListener = TcpListener;
#[cfg(unix)]
type BackendStream = std::os::unix::net::UnixStream;
#[cfg(not(unix))]
type BackendStream = TcpStream;
#[cfg(unix)]
type BackendAddress = std::path::PathBuf;
#[cfg(not(unix))]
type BackendAddress = SocketAddr;

/// The private address the server listens on; only the guard connects to it.
pub struct Backend {
    address: BackendAddress,
    /// The folder holding the socket, removed with it when the guard stops.
    folder: Option<tempfile::TempDir>,
}

impl Backend {
    /// A new private address and the listener for the server.
    ///
    /// # Errors
    /// `Error::ServerSocket` when no socket can be made (`Error::Listen` without Unix sockets).
    pub fn listen() -> Result<(Backend, BackendListener)> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Only this user may enter the folder, so only this user can reach the socket.
            let folder = tempfile::Builder::new()
                .prefix("quire-serve-")
                .permissions(std::fs::Permissions::from_mode(0o700))
                .tempdir()
                .map_err(|source| Error::ServerSocket { path: std::env::temp_dir(), source })?;
            let address = folder.path().join("http.sock");
            let listener = BackendListener::bind(&address)
                .map_err(|source| Error::ServerSocket { path: folder.path().to_path_buf(), source })?;
            Ok((Backend { address, folder: Some(folder) }, listener))
        }
        #[cfg(not(unix))]
        {
            let failed = |source| Error::Listen { address: "127.0.0.1:0".into(), source };
            let listener = BackendListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(failed)?;
            let address = listener.local_addr().map_err(failed)?;
            Ok((Backend { address, folder: None }, listener))
        }
    }
}

/// A running guard.
pub struct Guard {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
    _folder: Option<tempfile::TempDir>,
}

impl Guard {
    /// Starts taking the connections of `listener`, within `limits`, and passing their
    /// requests to `backend`.
    ///
    /// # Errors
    /// `Error::Listen` when the listener has no address.
    pub fn start(listener: TcpListener, backend: Backend, limits: Limits) -> Result<Guard> {
        let address = listener
            .local_addr()
            .map_err(|source| Error::Listen { address: "the listening socket".into(), source })?;
        let stopping = Arc::new(AtomicBool::new(false));
        let Backend { address: backend, folder } = backend;
        let acceptor = {
            let stopping = Arc::clone(&stopping);
            let backend = Arc::new(backend);
            std::thread::Builder::new()
                .name("quire-guard".into())
                .spawn(move || accept(&listener, &backend, limits, &stopping))
                .expect("the system can start a thread")
        };
        Ok(Guard { address, stopping, acceptor: Some(acceptor), _folder: folder })
    }

    /// Stops taking connections. Those open finish on their own threads.
    pub fn stop(mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // `accept` blocks until a connection comes: make one so that it sees the flag.
        let ip = match self.address.ip() {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            other => other,
        };
        if TcpStream::connect_timeout(&SocketAddr::new(ip, self.address.port()), Duration::from_secs(1))
            .is_ok()
        {
            if let Some(acceptor) = self.acceptor.take() {
                let _ = acceptor.join();
            }
        }
    }
}

/// How many connections and streams are open, and how many may be.
struct Open {
    limits: Limits,
    connections: Arc<AtomicUsize>,
    streams: Arc<AtomicUsize>,
    by_address: Arc<AddressCounts>,
}

/// Open connections by remote address. Loopback clients differ only by port, so the address
/// alone is counted.
type AddressCounts = Mutex<HashMap<IpAddr, usize>>;

/// One taken place in a count of `Open`, given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    /// A place if fewer than `max` are taken.
    fn take(count: &Arc<AtomicUsize>, max: usize) -> Option<Slot> {
        let taken = count.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < max).then_some(n + 1));
        taken.is_ok().then(|| Slot(Arc::clone(count)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One connection counted against its remote address, given back when dropped.
struct AddressSlot {
    counts: Arc<AddressCounts>,
    address: IpAddr,
}

impl AddressSlot {
    /// A place if `address` holds fewer than `max` connections.
    fn take(counts: &Arc<AddressCounts>, address: IpAddr, max: usize) -> Option<AddressSlot> {
        let mut held = counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = held.entry(address).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(AddressSlot { counts: Arc::clone(counts), address })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut held = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.address);
            }
        }
    }
}

fn accept(listener: &TcpListener, backend: &Arc<BackendAddress>, limits: Limits, stopping: &AtomicBool) {
    let open = Arc::new(Open {
        limits,
        connections: Arc::default(),
        streams: Arc::default(),
        by_address: Arc::default(),
    });
    for stream in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let mut stream = match stream {
            Ok(stream) => stream,
            // Such as a connection reset before it was accepted: the next one may be fine. A
            // short pause keeps a lasting failure (out of files) from spinning.
            Err(error) => {
                log::warn!("could not accept a connection: {error}");
                std::thread::sleep(ACCEPT_PAUSE);
                continue;
            }
        };
        // An address that cannot be told is counted as one address of its own.
        let address = stream.peer_addr().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip().to_canonical());
        let Some(address_slot) = AddressSlot::take(&open.by_address, address, open.limits.per_address) else {
            refuse(&mut stream, 503);
            continue;
        };
        let Some(slot) = Slot::take(&open.connections, open.limits.connections) else {
            refuse(&mut stream, 503);
            continue;
        };
        let open = Arc::clone(&open);
        let backend = Arc::clone(backend);
        let spawned =
            std::thread::Builder::new().name("quire-conn".into()).stack_size(STACK_SIZE).spawn(move || {
                let _slots = (slot, address_slot);
                connection(&stream, &backend, &open);
            });
        if let Err(error) = spawned {
            // The closure, with its slot and stream, was dropped: the count is right again.
            log::warn!("could not start a thread for a connection: {error}");
        }
    }
}

/// Answers `status` without reading anything; never blocks.
fn refuse(stream: &mut TcpStream, status: u16) {
    let _ = stream.set_nonblocking(true);
    let _ = stream.write_all(&status_reply(status));
}

/// Passes on the requests of one connection until it closes, fails, times out or is refused.
fn connection(client: &TcpStream, backend: &BackendAddress, open: &Open) {
    if client.set_write_timeout(Some(WRITE_TIMEOUT)).is_err() {
        return;
    }
    let _ = client.set_nodelay(true);
    // Bytes read after the last head: the start of the next (pipelined) request.
    let mut buffer = Vec::new();
    loop {
        let head = match head::read_head(client, &mut buffer, Instant::now() + REQUEST_TIMEOUT) {
            Ok(head) => head,
            Err(HeadError::Closed) => return,
            Err(HeadError::Refused(status)) => return close_with(client, status),
        };
        let request = match Request::parse(&head) {
            Ok(request) => request,
            Err(status) => return close_with(client, status),
        };
        let is_stream = request.method == "GET" && server::is_event_stream(&request.target);
        let _stream_slot = match is_stream {
            false => None,
            true => match Slot::take(&open.streams, open.limits.streams) {
                Some(slot) => Some(slot),
                None => return close_with(client, 503),
            },
        };
        // A body is never read: the connection ends after this reply.
        let last = !request.keep_alive() || request.has_body();
        let mut backend = match BackendStream::connect(backend) {
            Ok(backend) => backend,
            Err(error) => {
                log::warn!("could not reach the HTTP server: {error}");
                return close_with(client, 503);
            }
        };
        // One request per connection to the server: it closes after the reply.
        if backend.write_all(&request.to_forward()).is_err() {
            return close_with(client, 503);
        }
        let _ = backend.shutdown(Shutdown::Write);
        let copied = if is_stream {
            copy_stream(&backend, client)
        } else {
            copy_reply(&backend, client) && client.set_write_timeout(Some(WRITE_TIMEOUT)).is_ok()
        };
        if !copied {
            return reset(client);
        }
        if last {
            // A body we did not read may follow; let the client read the reply first.
            return linger(client);
        }
    }
}

/// Copies the server's reply to the client until the server closes; false when the client
/// did not take it at the least rate or the server failed.
fn copy_reply(mut backend: &BackendStream, client: &TcpStream) -> bool {
    if backend.set_read_timeout(Some(SERVER_SILENCE)).is_err() {
        return false;
    }
    let mut chunk = vec![0u8; COPY_CHUNK];
    let mut pace = Pace::new(Instant::now());
    loop {
        match backend.read(&mut chunk) {
            Ok(0) => return true,
            Ok(read) => {
                if !send_paced(client, &chunk[..read], &mut pace) {
                    return false;
                }
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => {
                log::warn!("the HTTP server did not finish a reply: {error}");
                return false;
            }
        }
    }
}

/// Writes `bytes` to the client; false when it falls below the least rate or fails. A write
/// that blocks returns every `RATE_SLOT` to check the rate, so a client that takes nothing is
/// dropped as soon as its last window falls short.
fn send_paced(mut client: &TcpStream, mut bytes: &[u8], pace: &mut Pace) -> bool {
    if client.set_write_timeout(Some(RATE_SLOT)).is_err() {
        return false;
    }
    while !bytes.is_empty() {
        let taken = match client.write(bytes) {
            Ok(0) => return false,
            Ok(written) => written,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                0
            }
            Err(_) => return false,
        };
        bytes = &bytes[taken..];
        if !pace.took(taken, Instant::now()) {
            log::debug!("dropped a client taking its reply at less than {MIN_RATE} bytes a second");
            return false;
        }
    }
    true
}

/// How much a client took of a reply in each second of the last `RATE_WINDOW`.
#[derive(Debug)]
struct Pace {
    start: Instant,
    /// Bytes taken by second, the second `n` of the reply in slot `n % RATE_SLOTS`.
    slots: [u64; RATE_SLOTS],
    /// The second of the reply the last bytes were counted in.
    second: u64,
}

impl Pace {
    fn new(now: Instant) -> Pace {
        Pace { start: now, slots: [0; RATE_SLOTS], second: 0 }
    }

    /// Counts `taken` bytes at `now`; false when the reply is at least `RATE_WINDOW` old and
    /// fewer than `MIN_RATE` bytes a second were taken over the last `RATE_WINDOW`.
    fn took(&mut self, taken: usize, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.start);
        let second = elapsed.as_secs() / RATE_SLOT.as_secs();
        // Seconds that passed since the last count took nothing.
        for passed in (self.second + 1..=second).take(RATE_SLOTS) {
            self.slots[passed as usize % RATE_SLOTS] = 0;
        }
        self.second = self.second.max(second);
        self.slots[second as usize % RATE_SLOTS] += taken as u64;
        elapsed < RATE_WINDOW || self.slots.iter().sum::<u64>() >= MIN_RATE * RATE_WINDOW.as_secs()
    }
}

/// Copies a live-reload stream to the client until either side goes away. While the server
/// is silent it checks every `STREAM_CHECK` that the client is still there, so a closed page
/// gives back its place at once. A client may not send anything after asking for a stream.
fn copy_stream(mut backend: &BackendStream, mut client: &TcpStream) -> bool {
    if backend.set_read_timeout(Some(STREAM_CHECK)).is_err() {
        return false;
    }
    let mut chunk = [0u8; 8192];
    let mut last_heard = Instant::now();
    loop {
        match backend.read(&mut chunk) {
            Ok(0) => return true,
            Ok(read) => {
                if client.write_all(&chunk[..read]).is_err() {
                    return false;
                }
                last_heard = Instant::now();
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if !client_is_waiting(client) || last_heard.elapsed() > SERVER_SILENCE {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
}

/// Whether the client is connected and has sent nothing more.
fn client_is_waiting(client: &TcpStream) -> bool {
    if client.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0u8; 1];
    let waiting = matches!(client.peek(&mut byte), Err(e) if e.kind() == ErrorKind::WouldBlock);
    waiting && client.set_nonblocking(false).is_ok()
}

/// Ends a connection whose reply was not taken or not finished with a reset: the bytes still
/// waiting in the system's buffers for a slow reader are thrown away at once rather than
/// sent on for as long as it cares to take them. (socket2: the standard library cannot set
/// `SO_LINGER`.)
fn reset(client: &TcpStream) {
    if socket2::SockRef::from(client).set_linger(Some(Duration::ZERO)).is_err() {
        let _ = client.shutdown(Shutdown::Both);
    }
}

/// Answers `status` to a request that cannot be passed on, then closes.
fn close_with(mut client: &TcpStream, status: u16) {
    if client.write_all(&status_reply(status)).is_ok() {
        linger(client);
    }
}

/// Closes after a reply, reading (a bounded amount of) what the client still sends: closing
/// with unread bytes would reset the connection and could lose the reply on its way.
fn linger(mut client: &TcpStream) {
    if client.shutdown(Shutdown::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER_TIME;
    let mut chunk = [0u8; 8192];
    let mut drained = 0;
    while drained < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || client.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match client.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(read) => drained += read,
        }
    }
}

/// A whole plain-text reply for a refused request, closing the connection.
fn status_reply(status: u16) -> Vec<u8> {
    let reason = match status {
        400 => "Bad Request",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
    let body = format!("{reason}\n");
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-cache\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_servers_socket_is_in_a_folder_only_this_user_can_enter() {
        use std::os::unix::fs::PermissionsExt;
        let (backend, listener) = Backend::listen().unwrap();
        let folder = backend.folder.as_ref().unwrap().path().to_path_buf();
        let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        BackendStream::connect(&backend.address).unwrap();
        listener.accept().unwrap();
        drop((backend, listener));
        assert!(!folder.exists(), "the folder goes with the backend");
    }

    #[test]
    fn issue_29_a_client_below_the_least_rate_over_the_last_window_is_dropped() {
        let start = Instant::now();
        let at = |seconds: f64| start + Duration::from_secs_f64(seconds);
        let floor = (MIN_RATE * RATE_WINDOW.as_secs()) as usize;

        // The system's buffers take a big first part at once; then the client takes nothing.
        let mut pace = Pace::new(start);
        assert!(pace.took(4 << 20, at(0.0)));
        assert!(pace.took(0, at(9.5)), "the reply is younger than the window");
        assert!(!pace.took(0, at(10.0)), "nothing in the last window: dropped");

        // 4 KB every 5 s is never enough, whenever it comes.
        let mut pace = Pace::new(start);
        assert!(pace.took(4096, at(0.5)) && pace.took(4096, at(5.5)));
        assert!(!pace.took(4096, at(10.5)), "12 KB, but only 8 KB in the last window");

        // 1 KB a second is enough, for as long as it goes on.
        let mut pace = Pace::new(start);
        for second in 0..60 {
            assert!(pace.took(1024, at(f64::from(second) + 0.5)), "second {second}");
        }
        // And a burst of the window's worth keeps a client for one window only.
        let mut pace = Pace::new(start);
        assert!(pace.took(floor, at(9.9)));
        assert!(pace.took(0, at(18.9)));
        assert!(!pace.took(0, at(20.0)));
    }

    #[test]
    fn issue_29_one_address_holds_at_most_its_share() {
        let counts = Arc::new(AddressCounts::default());
        let (one, two) = (IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
        let held: Vec<AddressSlot> = (0..3).map(|_| AddressSlot::take(&counts, one, 3).unwrap()).collect();
        assert!(AddressSlot::take(&counts, one, 3).is_none(), "its share is taken");
        assert!(AddressSlot::take(&counts, two, 3).is_some(), "another address has room");
        drop(held);
        assert!(AddressSlot::take(&counts, one, 3).is_some(), "places come back");
        assert!(counts.lock().unwrap().is_empty(), "no address is kept once it has no connections");
    }

    #[test]
    fn a_refusal_is_a_whole_reply_that_closes() {
        let reply = String::from_utf8(status_reply(431)).unwrap();
        assert!(reply.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "{reply}");
        assert!(reply.contains("\r\nContent-Length: 32\r\nConnection: close\r\n\r\n"), "{reply}");
        assert!(reply.ends_with("\r\n\r\nRequest Header Fields Too Large\n"), "{reply}");
    }
}
