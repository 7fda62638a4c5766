//! The HTTP server: answers requests from the `ServedSite` in memory over tiny_http, each on
//! a thread of its own, so a client slow to take its reply holds up no other. Only the guard
//! (`guard.rs`) connects to it, on a private socket, and it bounds what clients can take:
//! at most one request per client connection, heads checked, no bodies.
//!
//! A request path is decoded and checked before anything is looked up: `..` and `.`
//! segments (also percent-encoded), backslashes, NUL and absolute or network paths are
//! refused. Since only paths of the site in memory can be answered, nothing outside the
//! output can be reached. It does not build or watch anything.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;

use percent_encoding::percent_decode_str;
use tiny_http::{Header, Method, Request, Response, StatusCode};

use crate::error::{Error, Result};
use crate::serve::limits::SERVER_STREAMS;
use crate::serve::livereload::{self, Hub};
use crate::serve::output::{self, ServedSite};

/// A request's thread needs little stack: it looks up a page and writes it.
const STACK_SIZE: usize = 512 * 1024;

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
        let mut served = self.site.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let previous = std::mem::replace(&mut *served, Arc::new(site));
        drop(served);
        // Tens of thousands of entries: freed on another thread, not while requests wait.
        crate::render::drop_in_background(previous);
    }
}

/// A running server.
pub struct Server {
    http: Arc<tiny_http::Server>,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts answering requests on `listener`, the guard's private way in.
    ///
    /// # Errors
    /// `Error::Listen` when tiny_http cannot take over the listener.
    pub fn start(listener: impl Into<tiny_http::Listener>, shared: Arc<Shared>) -> Result<Server> {
        let http = tiny_http::Server::from_listener(listener, None).map_err(|e| Error::Listen {
            address: "a private socket for the server".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let http = Arc::new(http);
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (http, stopping) = (Arc::clone(&http), Arc::clone(&stopping));
            std::thread::Builder::new()
                .name("quire-http".into())
                .spawn(move || accept(&http, &shared, &stopping))
                .expect("the system can start a thread")
        };
        Ok(Server { http, stopping, acceptor: Some(acceptor) })
    }

    /// Stops taking requests. Those being answered finish on their own threads.
    pub fn stop(mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.http.unblock();
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept(http: &tiny_http::Server, shared: &Arc<Shared>, stopping: &AtomicBool) {
    let streams = Arc::new(AtomicUsize::new(0));
    loop {
        let request = match http.recv() {
            Ok(request) => request,
            // tiny_http takes no more connections after a failed `accept`; the guard then
            // answers 503. `limits` keeps enough files for that not to happen.
            Err(error) if !stopping.load(Ordering::SeqCst) => {
                log::error!("the HTTP server stopped taking requests: {error}");
                return;
            }
            Err(_) => return,
        };
        let stream = *request.method() == Method::Get && is_event_stream(request.url());
        if stream && streams.fetch_add(1, Ordering::SeqCst) >= SERVER_STREAMS {
            streams.fetch_sub(1, Ordering::SeqCst);
            let _ = request.respond(text_response(503, "too many live-reload connections"));
            continue;
        }
        let (shared, open_streams) = (Arc::clone(shared), Arc::clone(&streams));
        let spawned =
            std::thread::Builder::new().name("quire-http".into()).stack_size(STACK_SIZE).spawn(move || {
                if stream {
                    livereload::stream(&mut request.into_writer(), &shared.hub);
                    open_streams.fetch_sub(1, Ordering::SeqCst);
                } else {
                    answer(request, &shared);
                }
            });
        if let Err(error) = spawned {
            // The request was dropped with the closure, and tiny_http answered it 500.
            log::warn!("could not start a thread for a request: {error}");
            if stream {
                streams.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

/// Whether `target` asks for the live-reload event stream.
pub fn is_event_stream(target: &str) -> bool {
    request_path(target).is_ok_and(|path| path == livereload::EVENTS_PATH)
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

fn answer(request: Request, shared: &Shared) {
    let response = respond(&request, shared);
    if let Err(error) = request.respond(response) {
        log::debug!("could not answer a request: {error}");
    }
}

type Reply = Response<std::io::Cursor<SharedBytes>>;

/// A reply's body: the served file's bytes themselves, shared, never copied per reply
/// (issue 29: 300 slow readers of a 20 MB file held a copy each, 6.6 GB). tiny_http streams
/// it to the guard through a small buffer.
#[derive(Debug, Clone)]
pub struct SharedBytes(Arc<[u8]>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A reply with `body`, its length announced.
fn reply_with(status: u16, body: Arc<[u8]>) -> Reply {
    let length = body.len();
    Response::new(StatusCode(status), Vec::new(), std::io::Cursor::new(SharedBytes(body)), Some(length), None)
}

fn respond(request: &Request, shared: &Shared) -> Reply {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return text_response(405, "only GET and HEAD are supported")
            .with_header(header("Allow", "GET, HEAD"));
    }
    let path = match request_path(request.url()) {
        Ok(path) => path,
        Err(refusal) => {
            log::warn!("refused the request for `{}`: {refusal:?}", request.url());
            return text_response(400, "bad request: the path must stay inside the site");
        }
    };
    if path == livereload::SCRIPT_PATH {
        static SCRIPT: std::sync::OnceLock<(Arc<[u8]>, String)> = std::sync::OnceLock::new();
        let (body, etag) = SCRIPT.get_or_init(|| {
            let body: Arc<[u8]> = Arc::from(livereload::SCRIPT.as_bytes());
            let etag = output::etag(&body);
            (body, etag)
        });
        return file_response(200, Arc::clone(body), "text/javascript; charset=utf-8", etag, request);
    }
    let site = shared.site();
    let output_path = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path };
    if let Some(file) = site.get(&output_path) {
        return file_response(200, Arc::clone(&file.body), &file.content_type, &file.etag, request);
    }
    if site.get(&format!("{output_path}/index.html")).is_some() {
        // A folder asked for without its slash: relative links in it need the slash.
        let query = request.url().find('?').map(|at| &request.url()[at..]).unwrap_or_default();
        let location = format!("/{}/{query}", utf8_path_encode(&output_path));
        return text_response(301, "moved").with_header(header("Location", &location));
    }
    match site.get("404.html") {
        Some(page) => file_response(404, Arc::clone(&page.body), &page.content_type, &page.etag, request),
        None => {
            let page = b"<!DOCTYPE html>\n<title>Not found</title>\n<h1>404: not found</h1>\n";
            let body = output::with_script(page, &output::script_tag(shared.hub.server_id()));
            let etag = output::etag(&body);
            file_response(404, body, "text/html; charset=utf-8", &etag, request)
        }
    }
}

/// Encodes a decoded path for a `Location` header (bytes outside ASCII, spaces and `?#%`).
fn utf8_path_encode(path: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'?').add(b'<').add(b'>');
    percent_encoding::utf8_percent_encode(path, SET).to_string()
}

fn file_response(status: u16, body: Arc<[u8]>, content_type: &str, etag: &str, request: &Request) -> Reply {
    let not_modified = status == 200
        && request.headers().iter().any(|h| {
            h.field.equiv("If-None-Match")
                && h.value.as_str().split(',').any(|tag| {
                    let tag = tag.trim();
                    tag == "*" || tag.trim_start_matches("W/") == etag
                })
        });
    let response = if not_modified { reply_with(304, Arc::from([])) } else { reply_with(status, body) };
    // Always a `Content-Length`, never chunks: simpler for clients, and HEAD gets the length.
    response
        .with_chunked_threshold(usize::MAX)
        .with_header(header("Content-Type", content_type))
        .with_header(header("ETag", etag))
        .with_header(header("Cache-Control", "no-cache"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

fn text_response(status: u16, text: &str) -> Reply {
    reply_with(status, format!("{text}\n").into_bytes().into())
        .with_chunked_threshold(usize::MAX)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
        .with_header(header("Cache-Control", "no-cache"))
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("header names and values here are ASCII")
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
    fn issue_29_a_reply_shares_the_served_bytes_instead_of_copying_them() {
        let body: Arc<[u8]> = vec![7u8; 1 << 20].into();
        let reply = reply_with(200, Arc::clone(&body));
        assert_eq!(Arc::strong_count(&body), 2, "the reply holds the same bytes");
        assert_eq!(reply.data_length(), Some(1 << 20));
        drop(reply);
        assert_eq!(Arc::strong_count(&body), 1);
    }
}
