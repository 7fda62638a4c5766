//! The HTTP server: answers GET and HEAD from the `ServedSite` in memory and hands live-reload
//! requests to `livereload`. A small HTTP/1.1 server on std sockets, one thread per connection,
//! with every resource a client can take bounded.
//!
//! Why not a crate: tiny_http 0.12 (its last release) owns the sockets and gives no way to bound
//! them. It reads header lines of any length into memory, never times out a silent client
//! (each holds a thread for ever), reads and discards a request body on the worker that
//! answered it (`Content-Length: 1000000000000` made it allocate that much and abort the
//! process) and stops accepting for good after one failed `accept`. A dev server answering
//! GET and HEAD from memory needs little of HTTP, so it is done here, within these bounds:
//! at most `MAX_CONNECTIONS` open (`MAX_STREAMS` of them event streams, so pages always have
//! room), a request head within `MAX_HEAD` bytes that must arrive within `REQUEST_TIMEOUT`,
//! replies that must be taken within `WRITE_TIMEOUT`, and request bodies never read (a
//! request that has one is answered, then its connection is closed).
//!
//! A request path is decoded and checked before anything is looked up: `..` and `.`
//! segments (also percent-encoded), backslashes, NUL and absolute or network paths are
//! refused. Since only paths of the site in memory can be answered, nothing outside the
//! output can be reached. It does not build or watch anything.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use percent_encoding::percent_decode_str;

use crate::error::{Error, Result};
use crate::serve::livereload::{self, Hub};
use crate::serve::output::{self, ServedSite};

/// Connections open at once, event streams included; more are answered 503 and closed.
/// Well below the usual limit of 1024 open files, which the rebuilds need some of too.
const MAX_CONNECTIONS: usize = 512;
/// Open event streams at most. They last as long as their page, so they may take only part
/// of the connections: pages always have room.
const MAX_STREAMS: usize = 128;
/// How long a request head may take to arrive, from the connection or the previous reply
/// (also how long an idle keep-alive connection stays open). A slow or silent client is
/// answered 408 and dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a reply (or an event) may wait for a client that does not read it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest request line (414 beyond): far more than any path of a site.
const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The largest request head, request line and headers together (431 beyond).
const MAX_HEAD: usize = 64 * 1024;
/// The most header lines in a request (431 beyond).
const MAX_HEADERS: usize = 100;
/// What is read and thrown away of a refused request before closing, so the client gets
/// the reply rather than a reset, and how long that may take.
const LINGER_BYTES: usize = 256 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(1);
/// A connection's thread needs little stack: it parses a head and copies bytes.
const STACK_SIZE: usize = 256 * 1024;

/// What the server answers from: the site of the last good build, and the live-reload hub.
pub struct Shared {
    site: RwLock<Arc<ServedSite>>,
    /// Tells open pages about builds.
    pub hub: Hub,
}

impl Shared {
    /// Serves `site` until the next `publish`.
    pub fn new(site: ServedSite) -> Shared {
        Shared { site: RwLock::new(Arc::new(site)), hub: Hub::new() }
    }

    /// The site being served now.
    pub fn site(&self) -> Arc<ServedSite> {
        Arc::clone(&self.site.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Serves `site` from now on; a request already being answered finishes with the old one.
    pub fn publish(&self, site: ServedSite) {
        *self.site.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(site);
    }
}

/// A running server.
pub struct Server {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts answering requests on `listener`.
    ///
    /// # Errors
    /// `Error::Listen` when the listener has no address.
    pub fn start(listener: TcpListener, shared: Arc<Shared>) -> Result<Server> {
        let address = listener
            .local_addr()
            .map_err(|source| Error::Listen { address: "the listening socket".into(), source })?;
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let stopping = Arc::clone(&stopping);
            std::thread::Builder::new()
                .name("quire-http".into())
                .spawn(move || accept(&listener, &shared, &stopping))
                .expect("the system can start a thread")
        };
        Ok(Server { address, stopping, acceptor: Some(acceptor) })
    }

    /// Stops taking connections. Requests being answered finish on their own threads.
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

/// How many connections and event streams are open.
#[derive(Default)]
struct Open {
    connections: Arc<AtomicUsize>,
    streams: Arc<AtomicUsize>,
}

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

fn accept(listener: &TcpListener, shared: &Arc<Shared>, stopping: &AtomicBool) {
    let open = Arc::new(Open::default());
    for stream in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let mut stream = match stream {
            Ok(stream) => stream,
            // Such as a connection reset before it was accepted: the next one may be fine.
            Err(error) => {
                log::warn!("could not accept a connection: {error}");
                continue;
            }
        };
        let Some(slot) = Slot::take(&open.connections, MAX_CONNECTIONS) else {
            refuse(&mut stream, 503, "too many connections");
            continue;
        };
        let open = Arc::clone(&open);
        let shared = Arc::clone(shared);
        let spawned =
            std::thread::Builder::new().name("quire-conn".into()).stack_size(STACK_SIZE).spawn(move || {
                let _slot = slot;
                connection(stream, &shared, &open);
            });
        if let Err(error) = spawned {
            // The closure, with its slot and stream, was dropped: the count is right again.
            log::warn!("could not start a thread for a connection: {error}");
        }
    }
}

/// Answers 503 (or another status) without reading anything; never blocks.
fn refuse(stream: &mut TcpStream, status: u16, text: &str) {
    let _ = stream.set_nonblocking(true);
    let reply = text_reply(status, text);
    let _ = stream.write_all(&reply.head(true, true)).and_then(|()| stream.write_all(&reply.body));
}

/// Answers the requests of one connection until it closes, fails or times out.
fn connection(mut stream: TcpStream, shared: &Shared, open: &Open) {
    if stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err() {
        return;
    }
    let _ = stream.set_nodelay(true);
    // Bytes read after the last head: the start of the next (pipelined) request.
    let mut buffer = Vec::new();
    loop {
        let deadline = Instant::now() + REQUEST_TIMEOUT;
        let head = match read_head(&mut stream, &mut buffer, deadline) {
            Ok(head) => head,
            Err(HeadError::Closed) => return,
            Err(HeadError::Refused(status)) => return close_with(stream, status),
        };
        let request = match Request::parse(&head) {
            Ok(request) => request,
            Err(status) => return close_with(stream, status),
        };
        let is_stream = request.method == "GET"
            && request_path(&request.target).is_ok_and(|path| path == livereload::EVENTS_PATH);
        if is_stream {
            let Some(_slot) = Slot::take(&open.streams, MAX_STREAMS) else {
                return close_with(stream, 503);
            };
            livereload::stream(&mut stream, &shared.hub);
            return;
        }
        let reply = respond(&request, shared);
        let keep_alive = request.keep_alive() && !request.has_body();
        let with_body = request.method != "HEAD" && reply.status != 304;
        let sent = stream.write_all(&reply.head(!keep_alive, reply.status != 304)).and_then(|()| {
            if with_body {
                stream.write_all(&reply.body)
            } else {
                Ok(())
            }
        });
        if sent.is_err() {
            return;
        }
        if !keep_alive {
            // A body we did not read may follow; let the client read the reply first.
            return linger(stream);
        }
    }
}

/// Why no request head could be read.
#[derive(Debug, PartialEq, Eq)]
enum HeadError {
    /// The client closed, failed or stopped sending before a request began (or mid-way).
    Closed,
    /// The head is too slow (408) or too large (414, 431): answer with this status.
    Refused(u16),
}

/// Reads until the end of a request head (its blank line) and returns the head; what
/// follows stays in `buffer` for the next request.
fn read_head(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    deadline: Instant,
) -> std::result::Result<Vec<u8>, HeadError> {
    let mut chunk = [0u8; 8192];
    loop {
        // Blank lines before a request line are allowed (RFC 9112, 2.2).
        let blank = buffer.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        buffer.drain(..blank);
        if let Some(end) = head_end(buffer) {
            let rest = buffer.split_off(end);
            return Ok(std::mem::replace(buffer, rest));
        }
        let line_end = buffer.iter().position(|&b| b == b'\n').unwrap_or(buffer.len());
        if line_end > MAX_REQUEST_LINE {
            return Err(HeadError::Refused(414));
        }
        if buffer.len() > MAX_HEAD {
            return Err(HeadError::Refused(431));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(if buffer.is_empty() { HeadError::Closed } else { HeadError::Refused(408) });
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                // An idle keep-alive connection is just closed; a started request gets 408.
                return Err(if buffer.is_empty() { HeadError::Closed } else { HeadError::Refused(408) });
            }
            Err(_) => return Err(HeadError::Closed),
        }
    }
}

/// Where the head in `buffer` ends (after its blank line), if it is complete.
fn head_end(buffer: &[u8]) -> Option<usize> {
    buffer.iter().enumerate().find_map(|(at, &byte)| match (byte, buffer.get(at + 1), buffer.get(at + 2)) {
        (b'\n', Some(b'\n'), _) => Some(at + 2),
        (b'\n', Some(b'\r'), Some(b'\n')) => Some(at + 3),
        _ => None,
    })
}

/// Answers `status` to a request that cannot be served, then closes.
fn close_with(mut stream: TcpStream, status: u16) {
    let reply = text_reply(status, reason(status));
    if stream.write_all(&reply.head(true, true)).and_then(|()| stream.write_all(&reply.body)).is_ok() {
        linger(stream);
    }
}

/// Closes after a reply, reading (a bounded amount of) what the client still sends: closing
/// with unread bytes would reset the connection and could lose the reply on its way.
fn linger(mut stream: TcpStream) {
    if stream.shutdown(Shutdown::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER_TIME;
    let mut chunk = [0u8; 8192];
    let mut drained = 0;
    while drained < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(read) => drained += read,
        }
    }
}

/// A parsed request head.
#[derive(Debug)]
struct Request {
    method: String,
    target: String,
    /// The minor version of HTTP/1.x.
    minor_version: u8,
    headers: Vec<(String, String)>,
}

impl Request {
    /// Parses a request head; the error is the status to answer.
    fn parse(head: &[u8]) -> std::result::Result<Request, u16> {
        let text = std::str::from_utf8(head).map_err(|_| 400u16)?;
        let mut lines = text.split('\n').map(|line| line.strip_suffix('\r').unwrap_or(line));
        let request_line = lines.next().unwrap_or_default();
        let parts: Vec<&str> = request_line.split(' ').collect();
        let [method, target, version] = parts[..] else { return Err(400) };
        if method.is_empty() || !method.bytes().all(is_token_byte) {
            return Err(400);
        }
        if target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(400);
        }
        let minor_version = match version {
            "HTTP/1.1" => 1,
            "HTTP/1.0" => 0,
            other if other.strip_prefix("HTTP/").is_some_and(is_version_number) => return Err(505),
            _ => return Err(400),
        };
        let mut headers = Vec::new();
        for line in lines.take_while(|line| !line.is_empty()) {
            if headers.len() == MAX_HEADERS {
                return Err(431);
            }
            // Folded lines (obsolete) and lines without a name are refused, as RFC 9112 allows.
            let Some((name, value)) = line.split_once(':') else { return Err(400) };
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(400);
            }
            if value.chars().any(|c| c.is_control() && c != '\t') {
                return Err(400);
            }
            headers.push((name.to_string(), value.trim_matches([' ', '\t']).to_string()));
        }
        let request =
            Request { method: method.to_string(), target: target.to_string(), minor_version, headers };
        request.content_length()?;
        Ok(request)
    }

    /// The values of the headers called `name`.
    fn header_values<'a>(&'a self, name: &'static str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body length the client announced; 400 when it cannot be trusted.
    fn content_length(&self) -> std::result::Result<u64, u16> {
        let mut length = None;
        for value in self.header_values("Content-Length") {
            let parsed = (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
                .then(|| value.parse::<u64>().ok())
                .flatten()
                .ok_or(400u16)?;
            if length.is_some_and(|l| l != parsed) {
                return Err(400);
            }
            length = Some(parsed);
        }
        Ok(length.unwrap_or(0))
    }

    /// Whether a body follows the head (it is never read: the connection closes after it).
    fn has_body(&self) -> bool {
        self.header_values("Transfer-Encoding").next().is_some() || self.content_length().unwrap_or(1) > 0
    }

    /// Whether the client wants to send another request on this connection.
    fn keep_alive(&self) -> bool {
        let has = |token: &str| {
            self.header_values("Connection")
                .flat_map(|v| v.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.minor_version == 0 {
            has("keep-alive")
        } else {
            !has("close")
        }
    }

    fn header(&self, name: &'static str) -> Option<&str> {
        self.header_values(name).next()
    }
}

/// `tchar` of RFC 9110: what method and header names are made of.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

fn is_version_number(text: &str) -> bool {
    let mut parts = text.split('.');
    let digit = |p: Option<&str>| p.is_some_and(|p| p.len() == 1 && p.bytes().all(|b| b.is_ascii_digit()));
    digit(parts.next()) && (parts.clone().next().is_none() || digit(parts.next())) && parts.next().is_none()
}

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a path from the root (`http://…`, `*`, `//host/…`).
    NotAbsolutePath,
    /// Percent-encoding that is not UTF-8.
    BadEncoding,
    /// A `..` or `.` segment, a backslash or NUL: an attempt to leave the site.
    Traversal,
}

/// The decoded path of a request target, without the leading `/`, query and fragment.
///
/// # Errors
/// A `Refusal` for anything that is not a plain path inside the site.
pub fn request_path(target: &str) -> std::result::Result<String, Refusal> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let Some(relative) = path.strip_prefix('/') else { return Err(Refusal::NotAbsolutePath) };
    if relative.starts_with('/') {
        return Err(Refusal::NotAbsolutePath);
    }
    let decoded = percent_decode_str(relative).decode_utf8().map_err(|_| Refusal::BadEncoding)?;
    if decoded.contains(['\\', '\0']) || decoded.split('/').any(|segment| segment == ".." || segment == ".") {
        return Err(Refusal::Traversal);
    }
    if decoded.starts_with('/') {
        return Err(Refusal::NotAbsolutePath);
    }
    Ok(decoded.into_owned())
}

/// A reply to send: status, headers and body (`Content-Length` and `Connection` are added
/// when it is sent).
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Arc<[u8]>,
}

impl Reply {
    fn new(status: u16, body: Arc<[u8]>) -> Reply {
        Reply { status, headers: Vec::new(), body }
    }

    fn with_header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }

    /// The status line and headers; `Content-Length` only when `with_length` (not for 304).
    fn head(&self, close: bool, with_length: bool) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if with_length {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

fn respond(request: &Request, shared: &Shared) -> Reply {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return text_reply(405, "only GET and HEAD are supported").with_header("Allow", "GET, HEAD");
    }
    let path = match request_path(&request.target) {
        Ok(path) => path,
        Err(refusal) => {
            log::warn!("refused the request for `{}`: {refusal:?}", request.target);
            return text_reply(400, "bad request: the path must stay inside the site");
        }
    };
    if path == livereload::SCRIPT_PATH {
        let body: Arc<[u8]> = Arc::from(livereload::SCRIPT.as_bytes());
        let etag = output::etag(&body);
        return file_reply(200, &body, "text/javascript; charset=utf-8", &etag, request);
    }
    let site = shared.site();
    let output_path = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path };
    if let Some(file) = site.get(&output_path) {
        return file_reply(200, &file.body, &file.content_type, &file.etag, request);
    }
    if site.get(&format!("{output_path}/index.html")).is_some() {
        // A folder asked for without its slash: relative links in it need the slash.
        let query = request.target.find('?').map(|at| &request.target[at..]).unwrap_or_default();
        let location = format!("/{}/{query}", utf8_path_encode(&output_path));
        return text_reply(301, "moved").with_header("Location", &location);
    }
    match site.get("404.html") {
        Some(page) => file_reply(404, &page.body, &page.content_type, &page.etag, request),
        None => {
            let page = b"<!DOCTYPE html>\n<title>Not found</title>\n<h1>404: not found</h1>\n";
            let body: Arc<[u8]> = output::with_script(page, &output::script_tag(shared.hub.server_id()));
            let etag = output::etag(&body);
            file_reply(404, &body, "text/html; charset=utf-8", &etag, request)
        }
    }
}

/// Encodes a decoded path for a `Location` header (bytes outside ASCII, spaces and `?#%`).
fn utf8_path_encode(path: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'?').add(b'<').add(b'>');
    percent_encoding::utf8_percent_encode(path, SET).to_string()
}

fn file_reply(status: u16, body: &Arc<[u8]>, content_type: &str, etag: &str, request: &Request) -> Reply {
    let not_modified = status == 200
        && request.header("If-None-Match").is_some_and(|tags| {
            tags.split(',').any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.trim_start_matches("W/") == etag
            })
        });
    let reply =
        if not_modified { Reply::new(304, Arc::from(&[][..])) } else { Reply::new(status, Arc::clone(body)) };
    reply
        .with_header("Content-Type", content_type)
        .with_header("ETag", etag)
        .with_header("Cache-Control", "no-cache")
        .with_header("X-Content-Type-Options", "nosniff")
}

fn text_reply(status: u16, text: &str) -> Reply {
    Reply::new(status, format!("{text}\n").into_bytes().into())
        .with_header("Content-Type", "text/plain; charset=utf-8")
        .with_header("Cache-Control", "no-cache")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_decoded() {
        assert_eq!(request_path("/").unwrap(), "");
        assert_eq!(request_path("/blog/?page=2#top").unwrap(), "blog/");
        assert_eq!(request_path("/caf%C3%A9/").unwrap(), "café/");
        assert_eq!(request_path("/a%20b.css").unwrap(), "a b.css");
    }

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        for target in [
            "/../etc/passwd",
            "/blog/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/blog/%2e%2e%2f%2e%2e%2fetc/passwd",
            "/..%5c..%5cetc/passwd",
            "/./index.html",
            "/a%00b",
        ] {
            assert_eq!(request_path(target), Err(Refusal::Traversal), "{target}");
        }
        for target in ["//etc/passwd", "/%2fetc/passwd", "http://127.0.0.1/../x", "*", "etc/passwd"] {
            assert_eq!(request_path(target), Err(Refusal::NotAbsolutePath), "{target}");
        }
        assert_eq!(request_path("/%ff"), Err(Refusal::BadEncoding));
    }

    #[test]
    fn a_head_ends_at_its_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.1\nHost: x\n\nrest"), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
    }

    #[test]
    fn requests_are_parsed() {
        let request =
            Request::parse(b"GET /a?b HTTP/1.1\r\nHost: x\r\nIf-None-Match:  \"e\" \r\n\r\n").unwrap();
        assert_eq!((request.method.as_str(), request.target.as_str()), ("GET", "/a?b"));
        assert_eq!(request.header("if-none-match"), Some("\"e\""));
        assert!(request.keep_alive() && !request.has_body());
        let old = Request::parse(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!old.keep_alive(), "HTTP/1.0 closes unless asked to keep alive");
        let close = Request::parse(b"GET / HTTP/1.1\r\nConnection: Keep-Alive, Close\r\n\r\n").unwrap();
        assert!(!close.keep_alive());
        let post = Request::parse(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n").unwrap();
        assert!(post.has_body());
        let chunked = Request::parse(b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
        assert!(chunked.has_body());
    }

    #[test]
    fn malformed_requests_get_the_status_that_says_why() {
        let many_headers = format!("GET / HTTP/1.1\r\n{}\r\n", "a: b\r\n".repeat(MAX_HEADERS + 1));
        for (head, status) in [
            (&b"GET /\r\n\r\n"[..], 400),
            (b"GET  / HTTP/1.1\r\n\r\n", 400),
            (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
            (b"G\0T / HTTP/1.1\r\n\r\n", 400),
            (b"GET /\xff HTTP/1.1\r\n\r\n", 400),
            (b"GET / HTTX/1.1\r\n\r\n", 400),
            (b"GET / HTTP/2.0\r\n\r\n", 505),
            (b"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nbad name: x\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
            (many_headers.as_bytes(), 431),
        ] {
            assert_eq!(Request::parse(head).unwrap_err(), status, "{}", String::from_utf8_lossy(head));
        }
    }
}
