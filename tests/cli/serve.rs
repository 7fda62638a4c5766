//! `quire serve`: the real binary on a free port, driven over HTTP while the fixture's files
//! are edited. Every wait polls something observable against a deadline; nothing sleeps a
//! fixed time.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{files, TestSite};

/// How the tag that serve puts into HTML (and build must not) starts.
const SCRIPT_START: &str = "<script src=\"/__quire/livereload.js\" data-server=\"";
/// How long a change may take to be served before a test fails.
pub(crate) const DEADLINE: Duration = Duration::from_secs(30);

/// A running `quire serve` on the site of a `TestSite`; killed when dropped.
pub(crate) struct Served {
    child: Child,
    pub(crate) url: String,
    pub(crate) port: u16,
    stdout: mpsc::Receiver<String>,
    /// Every stderr line so far.
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Served {
    pub(crate) fn start(site: &TestSite, args: &[&str]) -> Served {
        let mut cmd = site.command();
        cmd.args(["serve", "--port", "0"]).args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start quire serve");
        let (sender, stdout) = mpsc::channel();
        let out = child.stdout.take().expect("stdout is piped");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        // Drain stderr so the server never blocks on a full pipe, keeping it to check.
        let err = child.stderr.take().expect("stderr is piped");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        let mut served = Served { child, url: String::new(), port: 0, stdout, stderr };
        let line = served.wait_for_line(|l| l.contains("serving the site at "));
        served.url =
            line.split("serving the site at ").nth(1).unwrap().split(' ').next().unwrap().to_string();
        served.port = served.url.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
        served
    }

    /// The next stdout line matching `pred`, within the deadline.
    #[track_caller]
    fn wait_for_line(&mut self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) if pred(&line) => return line,
                Ok(line) => seen.push(line),
                Err(_) => panic!("no such line on stdout; saw:\n{}", seen.join("\n")),
            }
        }
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        self.request(&format!("GET {path} HTTP/1.1"), &[])
    }

    /// Sends `request_line` with `headers` as is (no normalisation), and reads the reply.
    pub(crate) fn request(&self, request_line: &str, headers: &[(&str, &str)]) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to the server");
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut text = format!("{request_line}\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n", self.port);
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        stream.write_all(text.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read the reply");
        Reply::parse(&raw)
    }

    /// Polls `path` until `pred` holds for the reply, within the deadline.
    #[track_caller]
    pub(crate) fn wait_for(&self, path: &str, what: &str, pred: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let reply = self.get(path);
            if pred(&reply) {
                return reply;
            }
            if Instant::now() > deadline {
                panic!("`{path}` never became {what}; last reply:\n{} {}", reply.status, reply.text());
            }
            std::thread::yield_now();
        }
    }

    /// Asserts the process still runs and never panicked.
    #[track_caller]
    pub(crate) fn assert_alive(&mut self) {
        let exited = self.child.try_wait().expect("check the server process");
        let stderr = self.stderr.lock().unwrap().join("\n");
        assert!(exited.is_none(), "the server exited ({exited:?}); stderr:\n{stderr}");
        assert!(!stderr.contains("panicked"), "the server panicked:\n{stderr}");
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGINT, as Ctrl-C does, and waits for the process to end.
    fn interrupt(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let status = std::process::Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let exit = self.child.wait().expect("wait for quire serve");
        // The process is gone, so its stdout closes: read what is left until then.
        let mut lines = Vec::new();
        while let Ok(line) = self.stdout.recv_timeout(DEADLINE) {
            lines.push(line);
        }
        (exit, lines)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP reply.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn parse(raw: &[u8]) -> Reply {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete reply");
        let head = String::from_utf8_lossy(&raw[..split]);
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Reply { status, headers, body: raw[split + 4..].to_vec() }
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// An open live-reload event stream.
pub(crate) struct Events {
    stream: TcpStream,
    buffer: String,
}

impl Events {
    pub(crate) fn open(served: &Served) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", served.port)).unwrap();
        write!(stream, "GET /__quire/livereload HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let mut events = Events { stream, buffer: String::new() };
        events.wait_for("event: hello");
        events
    }

    /// Waits for an event whose text contains `needle`; returns that event.
    #[track_caller]
    pub(crate) fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                if event.contains(needle) {
                    return event;
                }
            }
            assert!(Instant::now() < deadline, "no event with `{needle}`; left: {}", self.buffer);
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("the event stream closed"),
                Ok(n) => self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n])),
                Err(e)
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("reading events: {e}"),
            }
        }
    }
}

/// The served bytes as a clean build would have them: HTML without the live-reload script.
pub(crate) fn without_script(reply: &Reply) -> Vec<u8> {
    if reply.header("content-type").starts_with("text/html") {
        let text = reply.text();
        let start = text.find(SCRIPT_START).expect("served HTML has the script");
        let end =
            start + text[start..].find("</script>").expect("the script tag is closed") + "</script>".len();
        format!("{}{}", &text[..start], &text[end..]).into_bytes()
    } else {
        reply.body.clone()
    }
}

#[test]
fn pages_are_served_with_their_content_types() {
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);

    let home = served.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert!(home.text().contains("<h1 id=\"title\">Home</h1>"), "{}", home.text());
    let script = home.text().find(SCRIPT_START).expect("the live-reload script is injected");
    assert!(home.text()[script..].contains("></script></body>"), "before </body>: {}", home.text());

    let post = served.get("/blog/first/");
    assert_eq!(post.status, 200);
    assert!(post.text().contains("The first post, as first written."));
    assert!(
        post.text().contains(&format!("href=\"{}css/site.css\"", served.url)),
        "base_url is the served address: {}",
        post.text()
    );
    assert_eq!(served.get("/blog/first/index.html").body, post.body);

    let css = served.get("/css/site.css");
    assert_eq!((css.status, css.header("content-type")), (200, "text/css; charset=utf-8"));
    assert_eq!(css.text(), "h1 { color: rgb(0, 0, 0); }\n");
    let png = served.get("/img/dot.png");
    assert_eq!((png.status, png.header("content-type")), (200, "image/png"));
    assert_eq!(png.body, std::fs::read(site.root().join("static/img/dot.png")).unwrap());
    let script = served.get("/__quire/livereload.js");
    assert_eq!(script.status, 200);
    assert!(script.header("content-type").starts_with("text/javascript"));
    assert!(script.text().contains("EventSource"));

    let folder = served.get("/blog/first?x=1");
    assert_eq!((folder.status, folder.header("location")), (301, "/blog/first/?x=1"));
}

#[test]
fn missing_paths_get_the_sites_404_page_with_status_404() {
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    let missing = served.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("This fixture's own 404 page"), "{}", missing.text());

    // Without its own, the site gets the theme's 404 page, served the same way.
    site.remove_file("static/404.html");
    let generated = served.wait_for("/no/such/page/", "the theme's 404 page", |r| {
        r.status == 404 && !r.text().contains("This fixture's own 404 page")
    });
    assert_eq!(generated.body, served.get("/404.html").body);
}

#[test]
fn head_requests_and_etags_work() {
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    let get = served.get("/css/site.css");
    let head = served.request("HEAD /css/site.css HTTP/1.1", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert_eq!(head.header("content-length"), get.body.len().to_string());
    assert_eq!(head.header("etag"), get.header("etag"));

    let etag = get.header("etag").to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let cached = served.request("GET /css/site.css HTTP/1.1", &[("If-None-Match", &etag)]);
    assert_eq!(cached.status, 304);
    assert!(cached.body.is_empty());
    let stale = served.request("GET /css/site.css HTTP/1.1", &[("If-None-Match", "\"other\"")]);
    assert_eq!(stale.status, 200);
    let post = served.request("POST / HTTP/1.1", &[("Content-Length", "0")]);
    assert_eq!(post.status, 405);
}

#[test]
fn paths_leaving_the_site_are_refused() {
    let site = TestSite::from_fixture("serve");
    // public/ is never read by serve: a link in it that points out must not be followed.
    std::fs::create_dir_all(site.public()).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", site.public().join("passwd")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", site.root().join("passwd")).unwrap();
    let served = Served::start(&site, &[]);
    for target in [
        "/../../../../etc/passwd",
        "/blog/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/blog/..%2f..%2f..%2fetc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "//etc/passwd",
        "/%2fetc/passwd",
        "http://127.0.0.1/../../etc/passwd",
    ] {
        let reply = served.request(&format!("GET {target} HTTP/1.1"), &[]);
        assert_eq!(reply.status, 400, "{target} was not refused: {}", reply.text());
        assert!(!reply.text().contains("root:"), "{target} leaked a file");
    }
    for target in
        ["/passwd", "/public/passwd", "/config.toml", "/content/blog/first.md", "/templates/page.html"]
    {
        let reply = served.get(target);
        assert_eq!(reply.status, 404, "{target} is not part of the site");
        assert!(!reply.text().contains("root:"), "{target} leaked a file");
    }
}

#[test]
fn build_output_never_has_the_live_reload_script() {
    let site = TestSite::from_fixture("serve");
    site.build().success();
    for (path, bytes) in files(&site.public()) {
        assert!(!String::from_utf8_lossy(&bytes).contains("__quire"), "{path} has the script");
    }
}

#[test]
fn an_edited_post_is_served_without_a_restart() {
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    site.write_file(
        "content/blog/first.md",
        "---\ntitle: First post\ndate: 2024-01-10\ntags: [rust]\n---\n\nThe first post, edited while served.\n",
    );
    served.wait_for("/blog/first/", "the edited text", |r| r.text().contains("edited while served"));

    site.write_file("content/blog/fourth.md", "---\ntitle: Fourth post\ndate: 2024-04-10\n---\n\nNew.\n");
    served.wait_for("/blog/fourth/", "served", |r| r.status == 200 && r.text().contains("Fourth post"));
    served.wait_for("/", "listing the new post", |r| r.text().contains("Fourth post"));

    site.remove_file("content/blog/fourth.md");
    served.wait_for("/blog/fourth/", "gone", |r| r.status == 404);
}

#[test]
fn every_rebuild_serves_what_a_clean_build_writes() {
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    let post = |title: &str, date: &str, tags: &str, body: &str| {
        format!("---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\n\n{body}\n")
    };
    type Edit = Box<dyn Fn(&TestSite)>;
    let edits: Vec<(&str, Edit)> = vec![
        ("start", Box::new(|_| {})),
        (
            "edit a post",
            Box::new(move |s| {
                s.write_file("content/blog/second.md", &post("Second post", "2024-02-10", "", "Edited."))
            }),
        ),
        (
            "add a post",
            Box::new(move |s| {
                s.write_file("content/blog/fourth.md", &post("Fourth", "2024-04-10", "", "Four."))
            }),
        ),
        ("delete a post", Box::new(|s| s.remove_file("content/blog/third.md"))),
        (
            "rename a post",
            Box::new(|s| {
                std::fs::rename(
                    s.root().join("content/blog/first.md"),
                    s.root().join("content/blog/renamed.md"),
                )
                .unwrap();
            }),
        ),
        (
            "change a date so the post moves pager",
            Box::new(move |s| {
                s.write_file("content/blog/fourth.md", &post("Fourth", "2020-01-01", "", "Four."))
            }),
        ),
        (
            "add a tag",
            Box::new(move |s| {
                s.write_file(
                    "content/blog/second.md",
                    &post("Second post", "2024-02-10", "rust, new", "Edited."),
                )
            }),
        ),
        (
            "edit a template",
            Box::new(|s| {
                let text = std::fs::read_to_string(s.root().join("templates/layout.html")).unwrap();
                s.write_file("templates/layout.html", &text.replace("<main>", "<main class=\"edited\">"));
            }),
        ),
        (
            "edit a static file",
            Box::new(|s| s.write_file("static/css/site.css", "h1 { color: rgb(200, 0, 0); }\n")),
        ),
        (
            "edit the config",
            Box::new(|s| {
                s.write_file(
                    "config.toml",
                    "title = \"Renamed\"\nbase_url = \"https://example.com/\"\npaginate_by = 3\n",
                )
            }),
        ),
    ];
    let mut previous: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (step, edit) in &edits {
        edit(&site);
        previous = wait_for_clean_build(&site, &served, &previous, step);
    }
}

/// Waits until `served` serves exactly what a clean build of the site's files writes (every
/// file equal, the files of `previous` that the build no longer has gone); returns those files.
#[track_caller]
pub(crate) fn wait_for_clean_build(
    site: &TestSite,
    served: &Served,
    previous: &BTreeMap<String, Vec<u8>>,
    step: &str,
) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir_in(site.tmp()).expect("a folder for the clean build");
    site.build_with(&["--base-url", &served.url, "--output-dir", out.path().to_str().unwrap()]).success();
    let clean = files(out.path());
    for (path, bytes) in &clean {
        let url = format!("/{path}");
        served.wait_for(&url, &format!("equal to a clean build after `{step}`"), |r| {
            r.status == 200 && without_script(r) == *bytes
        });
    }
    for path in previous.keys().filter(|p| !clean.contains_key(*p)) {
        served.wait_for(&format!("/{path}"), &format!("gone after `{step}`"), |r| r.status == 404);
    }
    clean
}

#[test]
fn a_failed_build_keeps_serving_and_the_next_good_save_clears_it() {
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    let mut events = Events::open(&served);

    site.write_file("content/blog/first.md", "---\ntitle: [unclosed\n---\n\nBroken.\n");
    let failed = events.wait_for("event: failed");
    assert!(failed.contains("content/blog/first.md"), "{failed}");
    assert!(failed.contains("\"line\":3"), "the overlay gets the line: {failed}");
    assert!(failed.contains("title: [unclosed"), "and the source lines: {failed}");
    let page = served.get("/blog/first/");
    assert_eq!(page.status, 200, "the last good build is still served");
    assert!(page.text().contains("as first written"));

    site.write_file("content/blog/first.md", "---\ntitle: First post\n---\n\nFixed.\n");
    let reload = events.wait_for("event: reload");
    assert!(reload.contains("blog/first/index.html"), "{reload}");
    served.wait_for("/blog/first/", "the fixed text", |r| r.text().contains("Fixed."));
}

#[test]
fn a_stylesheet_change_is_announced_as_css_only() {
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    let mut events = Events::open(&served);
    site.write_file("static/css/site.css", "h1 { color: rgb(0, 0, 255); }\n");
    let event = events.wait_for("event: reload");
    assert!(event.contains("\"css_only\":true") && event.contains("css/site.css"), "{event}");

    site.write_file("content/blog/second.md", "---\ntitle: Second post\ndate: 2024-02-10\n---\n\nChanged.\n");
    let event = events.wait_for("event: reload");
    assert!(event.contains("\"css_only\":false"), "{event}");
}

#[test]
fn a_port_in_use_moves_to_the_next_free_port_and_says_so() {
    let site = TestSite::from_fixture("serve");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut cmd = site.command();
    cmd.args(["serve", "--port", &port.to_string()]).stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok);
    let said: Vec<String> = lines.take_while(|l| !l.contains("serving the site at")).collect();
    let _ = child.kill();
    let _ = child.wait();
    assert!(said.iter().any(|l| l.contains(&format!("port {port} is in use"))), "{said:?}");
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    assert_eq!(served.get("/").status, 200);
    let (status, lines) = served.interrupt();
    assert!(status.success(), "exit status {status:?}");
    assert!(lines.iter().any(|l| l == "stopped"), "{lines:?}");
    assert!(!Path::new(&site.public()).exists(), "serve never writes the output folder");
}

#[test]
fn a_save_through_a_temporary_file_and_a_burst_of_changes_are_served() {
    // How batches are grouped into one rebuild is tested in `serve::watch`; here, the
    // patterns end up served, and the editor's temporary file never becomes a page.
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    site.write_file("content/blog/.first.md.tmp", "---\ntitle: First post\n---\n\nSaved by an editor.\n");
    std::fs::rename(
        site.root().join("content/blog/.first.md.tmp"),
        site.root().join("content/blog/first.md"),
    )
    .unwrap();
    site.remove_file("content/blog/second.md");
    site.write_file("content/blog/second.md", "---\ntitle: Second post\n---\n\nDeleted, then created.\n");
    for i in 0..30 {
        site.write_file(
            &format!("content/blog/burst-{i:02}.md"),
            &format!("---\ntitle: Burst {i}\n---\n\nx\n"),
        );
    }
    served.wait_for("/blog/burst-29/", "served", |r| r.status == 200);
    served.wait_for("/blog/first/", "the saved text", |r| r.text().contains("Saved by an editor."));
    served.wait_for("/blog/second/", "the new text", |r| r.text().contains("Deleted, then created."));
    assert_eq!(served.get("/blog/first-md/").status, 404);
    assert_eq!(served.get("/blog/first-md-tmp/").status, 404);
}

#[test]
fn issue_21_a_static_folder_replaced_whole_is_served_anew() {
    let site = TestSite::from_fixture("serve");
    let served = Served::start(&site, &[]);
    let old = std::fs::read(site.root().join("static/css/site.css")).unwrap();
    served.wait_for("/css/site.css", "served", |r| r.status == 200 && r.body == old);
    // `static.new` is a copy with the same names, sizes and times and other bytes in one file
    // (`cp -a static static.new`, an edit, `touch -r`), swapped in whole.
    let new_folder = site.root().join("static.new");
    copy_folder(&site.root().join("static"), &new_folder);
    let new = old.to_ascii_uppercase();
    assert_ne!(new, old, "the fixture's stylesheet has lowercase letters");
    crate::support::rewrite_keeping_size_and_mtime(&new_folder.join("css/site.css"), &new);
    std::fs::rename(site.root().join("static"), site.root().join("static.old")).unwrap();
    std::fs::rename(&new_folder, site.root().join("static")).unwrap();
    served.wait_for("/css/site.css", "the new bytes", |r| r.status == 200 && r.body == new);
    std::fs::remove_dir_all(site.root().join("static.old")).unwrap();
    wait_for_clean_build(&site, &served, &BTreeMap::new(), "static/ replaced whole");
}

/// Copies the files under `from` to `to`, keeping their modification times (`cp -a`).
fn copy_folder(from: &Path, to: &Path) {
    for (rel, bytes) in files(from) {
        let target = to.join(&rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, bytes).unwrap();
        let modified = std::fs::metadata(from.join(&rel)).unwrap().modified().unwrap();
        std::fs::File::options().write(true).open(&target).unwrap().set_modified(modified).unwrap();
    }
}
