//! `quire serve` under load and abuse (issue 8): a burst of requests over many connections,
//! malformed and oversized requests, slow and silent clients, pipelined requests, many
//! live-reload streams and streams that close, path traversal in every encoding, and a
//! watcher whose folders are deleted, replaced, renamed and flooded. Each test runs the real
//! binary; every wait polls against a deadline, and the only timings are those printed for
//! the load figures.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use crate::serve::{wait_for_clean_build, without_script, Events, Reply, Served, DEADLINE};
use crate::support::TestSite;

/// Connects to the server; reads and writes that stall past the deadline fail.
fn connect(served: &Served) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", served.port)).expect("connect to the server");
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Sends `bytes` as they are, says it has sent everything, and reads until the server closes.
/// Returns what came back: empty when the server closed (or reset) without a reply. A server
/// that neither answers nor closes within the deadline fails the test.
#[track_caller]
fn exchange(served: &Served, bytes: &[u8]) -> Vec<u8> {
    let mut stream = connect(served);
    // The server may refuse before it has read everything and close: then writing fails.
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(Shutdown::Write);
    let mut raw = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return raw,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!(
                    "the server neither answered nor closed; got so far: {}",
                    String::from_utf8_lossy(&raw)
                )
            }
            // A reset after (or instead of) the reply: what came before it counts.
            Err(_) => return raw,
        }
    }
}

/// The reply in `raw`, if a whole head came.
fn reply(raw: &[u8]) -> Option<Reply> {
    raw.windows(4).any(|w| w == b"\r\n\r\n").then(|| Reply::parse(raw))
}

/// A keep-alive connection sending one request after the other.
struct Client {
    stream: TcpStream,
    /// Bytes read past the previous reply.
    buffer: Vec<u8>,
}

impl Client {
    fn new(served: &Served) -> Client {
        Client { stream: connect(served), buffer: Vec::new() }
    }

    /// Sends `method path` and reads its reply, which ends where its `Content-Length` says.
    fn send(&mut self, method: &str, path: &str) -> std::io::Result<Reply> {
        write!(self.stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
        let head_end = loop {
            if let Some(at) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            self.fill()?;
        };
        let mut reply = Reply::parse(&self.buffer[..head_end]);
        let length: usize = if method == "HEAD" || reply.status == 304 {
            0
        } else {
            reply.header("content-length").parse().expect("every reply has a Content-Length")
        };
        while self.buffer.len() < head_end + length {
            self.fill()?;
        }
        reply.body = self.buffer[head_end..head_end + length].to_vec();
        self.buffer.drain(..head_end + length);
        Ok(reply)
    }

    fn fill(&mut self) -> std::io::Result<()> {
        let mut chunk = [0u8; 16384];
        match self.stream.read(&mut chunk)? {
            0 => Err(std::io::Error::new(ErrorKind::UnexpectedEof, "the server closed the connection")),
            n => {
                self.buffer.extend_from_slice(&chunk[..n]);
                Ok(())
            }
        }
    }
}

/// The URL of an output file: folders for `index.html`.
fn url_of(output_path: &str) -> String {
    format!("/{}", output_path.strip_suffix("index.html").unwrap_or(output_path))
}

#[test]
fn a_burst_of_2000_requests_over_200_connections_is_all_answered() {
    const CONNECTIONS: usize = 200;
    const PER_CONNECTION: usize = 10;
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    let clean = wait_for_clean_build(&site, &served, &BTreeMap::new(), "start");

    // Every page and file of the site, a missing page, and HEAD of each; with what a clean
    // build has for it and what the server sends for it (HTML carries the script).
    let mut asks: Vec<(&str, String, u16, Vec<u8>)> = Vec::new();
    for (path, bytes) in &clean {
        asks.push(("GET", url_of(path), 200, bytes.clone()));
    }
    asks.push(("GET", "/no/such/page/".into(), 404, clean["404.html"].clone()));
    for index in 0..asks.len() {
        let (_, url, status, bytes) = asks[index].clone();
        asks.push(("HEAD", url, status, bytes));
    }
    let reference: BTreeMap<String, Reply> =
        asks.iter().map(|(_, url, ..)| (url.clone(), served.get(url))).collect();
    let asks = Arc::new(asks);

    let start = Arc::new(Barrier::new(CONNECTIONS + 1));
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|connection| {
            let mut client = Client::new(&served);
            let (start, asks) = (Arc::clone(&start), Arc::clone(&asks));
            std::thread::spawn(move || {
                start.wait();
                (0..PER_CONNECTION)
                    .map(|n| {
                        let index = (connection * PER_CONNECTION + n) % asks.len();
                        let (method, url, ..) = &asks[index];
                        client
                            .send(method, url)
                            .map(|reply| (index, reply))
                            .map_err(|e| format!("{method} {url}: {e}"))
                    })
                    .collect::<Result<Vec<_>, String>>()
            })
        })
        .collect();
    start.wait();
    let started = Instant::now();
    let results: Vec<_> = clients.into_iter().map(|c| c.join().expect("a client thread")).collect();
    let elapsed = started.elapsed();

    let mut answered = 0;
    for result in results {
        for (index, reply) in result.unwrap_or_else(|e| panic!("a request was not answered: {e}")) {
            let (method, url, status, clean_bytes) = &asks[index];
            assert_eq!(reply.status, *status, "{method} {url}");
            let served_bytes = &reference[url].body;
            if *method == "HEAD" {
                assert!(reply.body.is_empty(), "HEAD {url} has no body");
                assert_eq!(reply.header("content-length"), served_bytes.len().to_string(), "HEAD {url}");
            } else {
                assert_eq!(&reply.body, served_bytes, "GET {url}: the same bytes every time");
                assert_eq!(without_script(&reply), *clean_bytes, "GET {url}: what a clean build has");
            }
            answered += 1;
        }
    }
    assert_eq!(answered, CONNECTIONS * PER_CONNECTION);
    println!(
        "load: {answered} requests ({} distinct) over {CONNECTIONS} concurrent keep-alive connections \
         in {:.3} s: {:.0} requests/s",
        asks.len(),
        elapsed.as_secs_f64(),
        answered as f64 / elapsed.as_secs_f64()
    );
}

#[test]
fn malformed_requests_are_refused_and_the_server_keeps_answering() {
    let site = TestSite::from_fixture("serve");
    let mut served = Served::start(&site, &[]);
    let target = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100 * 1024));
    let noise: Vec<u8> = (0..=255u8).cycle().take(32 * 1024).collect();
    // What is sent, and the status it gets (`None`: the server closes without a reply, as it
    // does when a request never ends).
    let cases: Vec<(&str, Vec<u8>, Option<u16>)> = vec![
        ("random bytes with no end of head", noise, None),
        ("a TLS hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(), Some(400)),
        ("a missing HTTP version", b"GET /\r\n\r\n".to_vec(), Some(400)),
        ("an HTTP/0.9 request", b"GET /\r\n".to_vec(), None),
        ("an unknown method", b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), Some(405)),
        ("a method with bad characters", b"G(E)T / HTTP/1.1\r\n\r\n".to_vec(), Some(400)),
        ("two spaces", b"GET  / HTTP/1.1\r\n\r\n".to_vec(), Some(400)),
        ("a lowercase version", b"GET / http/1.1\r\n\r\n".to_vec(), Some(400)),
        ("an HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(), Some(505)),
        ("a 100 KB request target", target.into_bytes(), Some(414)),
        ("a NUL byte in the target", b"GET /\0 HTTP/1.1\r\n\r\n".to_vec(), Some(400)),
        ("binary bytes in the target", b"GET /\xff\xfe HTTP/1.1\r\n\r\n".to_vec(), Some(400)),
        ("control bytes in a header", b"GET / HTTP/1.1\r\nX-A: \x00\x01\r\n\r\n".to_vec(), Some(400)),
        ("a header without a colon", b"GET / HTTP/1.1\r\nHost x\r\n\r\n".to_vec(), Some(400)),
        ("a folded header", b"GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n".to_vec(), Some(400)),
        (
            "a Content-Length that is not a number",
            b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n".to_vec(),
            Some(400),
        ),
        ("a negative Content-Length", b"GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n".to_vec(), Some(400)),
        (
            "two different Content-Lengths",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".to_vec(),
            Some(400),
        ),
        (
            "a Content-Length beyond 64 bits",
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n".to_vec(),
            Some(400),
        ),
        (
            // tiny_http allocated the announced length to skip the body, and aborted.
            "a terabyte Content-Length",
            b"POST / HTTP/1.1\r\nContent-Length: 1000000000000\r\n\r\n".to_vec(),
            Some(405),
        ),
        (
            "a body shorter than announced",
            b"PUT /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nshort".to_vec(),
            Some(405),
        ),
        (
            "a 100-continue body never sent",
            b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 9\r\n\r\n".to_vec(),
            Some(405),
        ),
    ];
    for (what, bytes, expected) in &cases {
        let raw = exchange(&served, bytes);
        let status = reply(&raw).map(|r| r.status);
        match expected {
            Some(code) => assert_eq!(status, Some(*code), "{what}: {}", String::from_utf8_lossy(&raw)),
            None => {
                assert!(raw.is_empty(), "{what}: expected no reply, got {}", String::from_utf8_lossy(&raw))
            }
        }
        assert_eq!(served.get("/").status, 200, "the server still answers after {what}");
    }
    served.assert_alive();
}

#[test]
fn huge_headers_are_refused_without_being_read_whole() {
    let site = TestSite::from_fixture("serve");
    let mut served = Served::start(&site, &[]);
    let rss_before = resident_kib(served.pid());

    let one_big = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(1024 * 1024));
    let many: String = (0..10_000).map(|i| format!("X-{i}: {i}\r\n")).collect();
    let many_small = format!("GET / HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    for (what, request) in [("a 1 MB header", one_big), ("10,000 headers", many_small)] {
        // The server answers before the client is done sending, and may then reset the
        // connection: no reply is fine, any other reply is not.
        let raw = exchange(&served, request.as_bytes());
        if let Some(reply) = reply(&raw) {
            assert_eq!(reply.status, 431, "{what}: {}", reply.text());
        }
        assert_eq!(served.get("/").status, 200, "the server still answers after {what}");
    }

    // A header that never ends: the server stops reading it and closes, long before the
    // client could send it all (the system buffers of both ends hold a few MB at most).
    const ENDLESS: usize = 256 * 1024 * 1024;
    let mut stream = connect(&served);
    stream.write_all(b"GET / HTTP/1.1\r\nX-Endless: ").unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0;
    let refused = loop {
        if sent >= ENDLESS {
            break None;
        }
        match stream.write(&chunk) {
            Ok(n) => sent += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("the server neither read the header nor closed (after {sent} bytes)")
            }
            Err(e) => break Some(e),
        }
    };
    assert!(refused.is_some(), "the server read a {ENDLESS}-byte header");
    let rss_after = resident_kib(served.pid());
    println!("huge headers: cut off after {sent} bytes; server memory {rss_before} KiB before, {rss_after} KiB after");
    assert!(
        rss_after < rss_before + 64 * 1024,
        "the server's memory grew from {rss_before} KiB to {rss_after} KiB"
    );
    assert_eq!(served.get("/").status, 200);
    served.assert_alive();
}

/// The resident memory of process `pid` in KiB (Linux).
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc/PID/status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("a VmRSS line");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn slow_and_silent_clients_do_not_hold_up_others_and_are_dropped() {
    let site = TestSite::from_fixture("serve");
    let mut served = Served::start(&site, &[]);
    // A third send nothing, a third half a request line, a third a request line and part of
    // a header, and then all of them stay silent.
    let partial: [&[u8]; 3] = [b"", b"GET /blo", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a"];
    let mut slow: Vec<(usize, TcpStream)> = (0..300)
        .map(|i| {
            let mut stream = connect(&served);
            stream.write_all(partial[i % 3]).unwrap();
            (i % 3, stream)
        })
        .collect();

    for path in ["/", "/blog/first/", "/css/site.css", "/__quire/livereload.js", "/no/such/page/"] {
        let reply = served.get(path);
        assert!(matches!(reply.status, 200 | 404), "{path}: {}", reply.status);
    }
    // Those answers came while every slow client was still connected.
    for (_, stream) in &slow {
        stream.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        let still_open = matches!(stream.peek(&mut byte), Err(e) if e.kind() == ErrorKind::WouldBlock);
        assert!(still_open, "a slow client was dropped before the fresh requests were answered");
        stream.set_nonblocking(false).unwrap();
    }

    // The server does not wait for them for ever: a started request gets 408, a silent
    // connection is closed.
    for (kind, stream) in &mut slow {
        let mut raw = Vec::new();
        match stream.read_to_end(&mut raw) {
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("a slow client (kind {kind}) was never dropped")
            }
            Err(_) => {}
        }
        if *kind == 0 {
            assert!(raw.is_empty(), "a silent client gets no reply: {}", String::from_utf8_lossy(&raw));
        } else if let Some(reply) = reply(&raw) {
            assert_eq!(reply.status, 408);
        }
    }
    assert_eq!(served.get("/").status, 200);
    served.assert_alive();
}

#[test]
fn a_hundred_live_reload_streams_do_not_starve_pages() {
    let site = TestSite::from_fixture("serve");
    let mut served = Served::start(&site, &[]);
    let mut streams: Vec<Events> = (0..120).map(|_| Events::open(&served)).collect();
    for path in ["/", "/blog/first/", "/css/site.css", "/no/such/page/"] {
        let reply = served.get(path);
        assert!(matches!(reply.status, 200 | 404), "{path}: {}", reply.status);
    }
    site.write_file("content/blog/first.md", "---\ntitle: First post\ndate: 2024-01-10\n---\n\nEdited.\n");
    for events in &mut streams {
        let reload = events.wait_for("event: reload");
        assert!(reload.contains("blog/first/index.html"), "{reload}");
    }
    served.wait_for("/blog/first/", "the edited post", |r| r.text().contains("Edited."));
    served.assert_alive();
}

/// Asks for the event stream on a new connection; returns the status and the connection.
fn open_stream(served: &Served) -> (u16, TcpStream) {
    let mut stream = connect(served);
    stream.write_all(b"GET /__quire/livereload HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            _ => panic!("no reply head for the event stream: {}", String::from_utf8_lossy(&raw)),
        }
    }
    (Reply::parse(&raw).status, stream)
}

#[test]
fn closed_live_reload_streams_give_back_their_places() {
    const STREAMS: usize = 128;
    let site = TestSite::from_fixture("serve");
    let mut served = Served::start(&site, &[]);
    let open: Vec<Events> = (0..STREAMS).map(|_| Events::open(&served)).collect();
    assert_eq!(open_stream(&served).0, 503, "one stream more than allowed");
    assert_eq!(served.get("/").status, 200, "pages still have room");
    drop(open);
    let deadline = Instant::now() + DEADLINE;
    let mut reopened = Vec::new();
    while reopened.len() < STREAMS {
        match open_stream(&served) {
            (200, stream) => reopened.push(stream),
            (status, _) => {
                assert_eq!(status, 503);
                assert!(Instant::now() < deadline, "only {} places came back", reopened.len());
            }
        }
    }
    served.assert_alive();
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let site = TestSite::from_fixture("serve");
    let mut served = Served::start(&site, &[]);
    // The cookie has bytes outside ASCII, as other local apps' cookies may: it is left out
    // rather than failing the request.
    let raw = exchange(
        &served,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD /css/site.css HTTP/1.1\r\nHost: x\r\n\r\n\
          GET /no/such/page/ HTTP/1.1\r\nHost: x\r\nCookie: caf\xc3\xa9=1\r\n\r\n\
          GET /blog/first/ HTTP/1.0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    let mut statuses = Vec::new();
    let mut rest = &raw[..];
    for method in ["GET", "HEAD", "GET", "GET"] {
        let end = rest.windows(4).position(|w| w == b"\r\n\r\n").expect("a reply head") + 4;
        let reply = Reply::parse(&rest[..end]);
        let length: usize =
            if method == "HEAD" { 0 } else { reply.header("content-length").parse().unwrap() };
        statuses.push(reply.status);
        rest = &rest[end + length..];
    }
    assert_eq!(statuses, [200, 200, 404, 200]);
    assert!(rest.is_empty(), "nothing is answered after an HTTP/1.0 request without keep-alive");
    served.assert_alive();
}

#[test]
fn no_encoding_of_a_path_leads_outside_the_site() {
    const INSIDE: &str = "sentinel-in-the-site-root-3f9a";
    const OUTSIDE: &str = "sentinel-above-the-site-root-7c2e";
    let site = TestSite::from_fixture("serve");
    site.write_file("secret.txt", INSIDE);
    std::fs::write(site.tmp().join("secret.txt"), OUTSIDE).unwrap();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let passwd_line = passwd.lines().next().unwrap_or("root:x:0:0:");
    let mut served = Served::start(&site, &[]);

    let deep = "../".repeat(300);
    let deep_encoded = "%2e%2e%2f".repeat(300);
    let targets = [
        "/../secret.txt".to_string(),
        "/../../secret.txt".into(),
        "/%2e%2e/secret.txt".into(),
        "/%2E%2E/secret.txt".into(),
        "/%2e%2E/%2E%2e/secret.txt".into(),
        "/..%2fsecret.txt".into(),
        "/..%2Fsecret.txt".into(),
        "/%2e%2e%2fsecret.txt".into(),
        "/%2e%2e%2f%2e%2e%2fsecret.txt".into(),
        "/%252e%252e%252fsecret.txt".into(),
        "/%252e%252e/secret.txt".into(),
        "/%c0%ae%c0%ae/secret.txt".into(),
        "/%c0%ae%c0%ae%c0%afsecret.txt".into(),
        "/%e0%80%ae%e0%80%ae/secret.txt".into(),
        "/..\\secret.txt".into(),
        "/..\\..\\secret.txt".into(),
        "/..%5csecret.txt".into(),
        "/..%5Csecret.txt".into(),
        "/%5c..%5csecret.txt".into(),
        "/secret.txt%00".into(),
        "/secret.txt%00.html".into(),
        "/..%00/secret.txt".into(),
        "//etc/passwd".into(),
        "///etc/passwd".into(),
        "//..//secret.txt".into(),
        "http://127.0.0.1/../secret.txt".into(),
        "http://127.0.0.1/etc/passwd".into(),
        "file:///etc/passwd".into(),
        "/./secret.txt".into(),
        "/%2e/secret.txt".into(),
        "/blog/./../secret.txt".into(),
        "/%ef%bc%8e%ef%bc%8e/secret.txt".into(),
        "/%ef%bc%8e%ef%bc%8e%ef%bc%8fsecret.txt".into(),
        "/..;/secret.txt".into(),
        "/;/../secret.txt".into(),
        "/blog;x=1/../../secret.txt".into(),
        format!("/{deep}secret.txt"),
        format!("/{deep}etc/passwd"),
        format!("/{deep_encoded}etc/passwd"),
        "/secret.txt".into(),
        "/etc/passwd".into(),
        "/config.toml".into(),
    ];
    for target in &targets {
        for method in ["GET", "HEAD"] {
            let raw = exchange(&served, format!("{method} {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
            let text = String::from_utf8_lossy(&raw);
            for secret in [INSIDE, OUTSIDE, passwd_line] {
                assert!(!text.contains(secret), "{method} {target} leaked `{secret}`:\n{text}");
            }
            let status = reply(&raw).map(|r| r.status);
            assert!(matches!(status, Some(400 | 404)), "{method} {target}: {status:?}");
        }
    }
    served.assert_alive();
}

/// Runs a shell tool as a user would (`rm -rf`, `cp -r`, `mv`) and checks it worked.
fn run(tool: &str, args: &[&Path]) {
    let status = Command::new(tool).args(args).status().unwrap_or_else(|e| panic!("run {tool}: {e}"));
    assert!(status.success(), "{tool} {args:?} failed");
}

fn post(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2024-05-01\n---\n\n{body}\n")
}

#[test]
fn the_watcher_survives_folders_deleted_replaced_renamed_and_flooded() {
    let site = TestSite::from_fixture("serve");
    let mut served = Served::start(&site, &[]);
    let mut events = Events::open(&served);
    let root = site.root();
    let (content, templates) = (root.join("content"), root.join("templates"));
    let mut previous = wait_for_clean_build(&site, &served, &BTreeMap::new(), "start");
    let mut check = |step: &str| previous = wait_for_clean_build(&site, &served, &previous, step);

    // `content/` deleted (the site cannot build without it), then copied back, changed.
    let copy = site.tmp().join("content-copy");
    run("cp", &[Path::new("-r"), &content, &copy]);
    std::fs::write(copy.join("blog/first.md"), post("First post", "Copied back.")).unwrap();
    run("rm", &[Path::new("-rf"), &content]);
    events.wait_for("event: failed");
    run("cp", &[Path::new("-r"), &copy, &content]);
    check("content/ deleted and copied back");
    // The new folder is watched like the old one.
    site.write_file("content/blog/second.md", &post("Second post", "Edited in the copied folder."));
    check("an edit in the copied-back content/");

    // The same at once, as a script does it.
    run("rm", &[Path::new("-rf"), &content]);
    run("cp", &[Path::new("-r"), &copy, &content]);
    site.write_file("content/blog/third.md", &post("Third post", "Written right after the copy."));
    check("rm -rf content && cp -r");

    // A new `content/` swapped in with two renames; the old one stays beside it.
    let new = root.join("content.new");
    run("cp", &[Path::new("-r"), &content, &new]);
    std::fs::write(new.join("blog/first.md"), post("First post", "From content.new.")).unwrap();
    // A text of the same length and time as the one it replaces, as `cp -a` of another
    // checkout gives: only the swap of the folder tells that it changed.
    let old_second = std::fs::read_to_string(content.join("blog/second.md")).unwrap();
    let new_second = old_second.replace("Second", "SECOND");
    assert_ne!(old_second, new_second);
    std::fs::write(new.join("blog/second.md"), &new_second).unwrap();
    let old_time = std::fs::metadata(content.join("blog/second.md")).unwrap().modified().unwrap();
    let file = std::fs::File::options().write(true).open(new.join("blog/second.md")).unwrap();
    file.set_modified(old_time).unwrap();
    run("mv", &[&content, &root.join("content.old")]);
    run("mv", &[&new, &content]);
    check("mv content content.old && mv content.new content");
    site.write_file("content/blog/second.md", &post("Second post", "Edited in the swapped-in folder."));
    site.write_file("content.old/blog/third.md", &post("Third post", "Edited in the old folder."));
    check("an edit in the swapped-in content/ (and one in content.old/)");

    // A section renamed (not `blog/`: the fixture's home page looks it up by name).
    site.write_file("content/notes/_index.md", "---\ntitle: Notes\n---\n");
    site.write_file("content/notes/one.md", &post("One", "A note."));
    check("a new section");
    run("mv", &[&content.join("notes"), &content.join("journal")]);
    check("content/notes renamed to content/journal");
    site.write_file("content/journal/one.md", &post("One", "Edited in the renamed section."));
    check("an edit in the renamed section");

    // `templates/` deleted (the built-in theme takes over), then restored and edited.
    let saved = site.tmp().join("templates-copy");
    run("cp", &[Path::new("-r"), &templates, &saved]);
    run("rm", &[Path::new("-rf"), &templates]);
    check("templates/ deleted");
    run("cp", &[Path::new("-r"), &saved, &templates]);
    check("templates/ restored");
    let layout = std::fs::read_to_string(templates.join("layout.html")).unwrap();
    site.write_file("templates/layout.html", &layout.replace("<main>", "<main class=\"restored\">"));
    check("an edit in the restored templates/");
    // 1,000 files written in one burst: new posts, and the existing ones changed.
    for i in 0..1000 {
        site.write_file(&format!("content/journal/burst-{i:04}.md"), &post(&format!("Burst {i}"), "x"));
    }
    site.write_file("content/blog/second.md", &post("Second post", "Changed in the burst."));
    check("1,000 files written at once");
    for i in 0..1000 {
        let text = post(&format!("Burst {i}"), &format!("Rewritten {i}."));
        site.write_file(&format!("content/journal/burst-{i:04}.md"), &text);
    }
    check("1,000 files rewritten at once");

    served.assert_alive();
}
