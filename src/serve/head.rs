//! Request heads as the guard sees them: read one from a client within size and time bounds,
//! parse and check it, and write it out again in one canonical form for the HTTP server.
//!
//! It never reads a request body and does not answer or route requests.

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::time::Instant;

/// The longest request line (414 beyond): far more than any path of a site.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The largest request head, request line and headers together (431 beyond).
pub const MAX_HEAD: usize = 64 * 1024;
/// The most header lines in a request (431 beyond).
pub const MAX_HEADERS: usize = 100;

/// Headers about this one connection or the body, not about the resource: the guard decides
/// them itself, and the server never sees the client's.
const HOP_BY_HOP: [&str; 9] = [
    "Connection",
    "Keep-Alive",
    "Proxy-Connection",
    "TE",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Content-Length",
    "Expect",
];

/// Why no request head could be read.
#[derive(Debug, PartialEq, Eq)]
pub enum HeadError {
    /// The client closed, failed or stopped sending before a request began (or mid-way).
    Closed,
    /// The head is too slow (408) or too large (414, 431): answer with this status.
    Refused(u16),
}

/// Reads from `stream` until the end of a request head (its blank line) and returns the head;
/// what follows stays in `buffer` for the next request. The whole head must come by `deadline`.
///
/// # Errors
/// `HeadError::Closed` when the client goes away or stays silent past the deadline with no
/// request begun; `HeadError::Refused` with the status to answer otherwise.
pub fn read_head(
    mut stream: &TcpStream,
    buffer: &mut Vec<u8>,
    deadline: Instant,
) -> Result<Vec<u8>, HeadError> {
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
        let timed_out = if buffer.is_empty() { HeadError::Closed } else { HeadError::Refused(408) };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            // An idle keep-alive connection is just closed; a started request gets 408.
            return Err(timed_out);
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(timed_out);
            }
            Err(_) => return Err(HeadError::Closed),
        }
    }
}

/// A parsed request head.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `HEAD`, or any other token.
    pub method: String,
    /// The request target as sent (`/blog/?page=2`), printable ASCII.
    pub target: String,
    /// The minor version of HTTP/1.x.
    minor_version: u8,
    headers: Vec<(String, String)>,
}

impl Request {
    /// Parses a request head; the error is the status to answer.
    ///
    /// # Errors
    /// 400 for anything malformed (also a `Content-Length` that cannot be trusted), 431 for
    /// too many headers, 505 for an HTTP version other than 1.0 and 1.1.
    pub fn parse(head: &[u8]) -> Result<Request, u16> {
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

    /// Whether a body follows the head. It is never read or passed on: the connection ends
    /// after the reply.
    pub fn has_body(&self) -> bool {
        self.header_values("Transfer-Encoding").next().is_some() || self.content_length().unwrap_or(1) > 0
    }

    /// Whether the client wants to send another request on this connection.
    pub fn keep_alive(&self) -> bool {
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

    /// The head to send on: request line and end-to-end headers as parsed, CRLF line ends, no
    /// body framing, and `Connection: close` (the server gets one request per connection).
    /// Headers with bytes outside ASCII are left out: the server reads only ASCII heads, and
    /// none of them matters to it (cookies of other local apps can carry such bytes).
    pub fn to_forward(&self) -> Vec<u8> {
        let mut head = format!("{} {} HTTP/1.{}\r\n", self.method, self.target, self.minor_version);
        for (name, value) in &self.headers {
            if HOP_BY_HOP.iter().any(|hop| hop.eq_ignore_ascii_case(name)) || !value.is_ascii() {
                continue;
            }
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        head.into_bytes()
    }

    /// The values of the headers called `name`.
    fn header_values<'a>(&'a self, name: &'static str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body length the client announced; 400 when it cannot be trusted.
    fn content_length(&self) -> Result<u64, u16> {
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
}

/// Where the head in `buffer` ends (after its blank line), if it is complete.
fn head_end(buffer: &[u8]) -> Option<usize> {
    buffer.iter().enumerate().find_map(|(at, &byte)| match (byte, buffer.get(at + 1), buffer.get(at + 2)) {
        (b'\n', Some(b'\n'), _) => Some(at + 2),
        (b'\n', Some(b'\r'), Some(b'\n')) => Some(at + 3),
        _ => None,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(request.header_values("if-none-match").collect::<Vec<_>>(), ["\"e\""]);
        assert!(request.keep_alive() && !request.has_body());
        let old = Request::parse(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!old.keep_alive(), "HTTP/1.0 closes unless asked to keep alive");
        let close = Request::parse(b"GET / HTTP/1.1\r\nConnection: Keep-Alive, Close\r\n\r\n").unwrap();
        assert!(!close.keep_alive());
        let post = Request::parse(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n").unwrap();
        assert!(post.has_body());
        let empty = Request::parse(b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert!(!empty.has_body());
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

    #[test]
    fn the_forwarded_head_is_canonical_and_has_no_body_framing() {
        let request = Request::parse(
            b"POST /a HTTP/1.1\nHost: x\nContent-Length: 1000000000000\nExpect: 100-continue\n\
              TE: chunked\nConnection: keep-alive, Upgrade\nUpgrade: h2c\nCookie: caf\xc3\xa9\n\
              If-None-Match: \"e\"\n\n",
        )
        .unwrap();
        let forwarded = String::from_utf8(request.to_forward()).unwrap();
        assert_eq!(
            forwarded,
            "POST /a HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"e\"\r\nConnection: close\r\n\r\n"
        );
        let old = Request::parse(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
        assert_eq!(old.to_forward(), b"GET / HTTP/1.0\r\nConnection: close\r\n\r\n");
    }
}
