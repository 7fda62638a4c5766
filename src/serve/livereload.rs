//! Live reload: tells open pages over Server-Sent Events when the site changed or failed to
//! build, and the script that listens in the page.
//!
//! Events: `hello` (on connect: the server's id, the build number and the current error, so a
//! page opened while the site is broken shows the overlay at once), `reload` (what changed,
//! and whether only stylesheets did) and `failed` (the errors, for the overlay). It does not
//! decide what changed or serve pages; a slow client never holds up the others.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::error::Error;
use crate::serve::output::Change;

/// The URL path of the event stream.
pub const EVENTS_PATH: &str = "__quire/livereload";
/// The URL path of the script.
pub const SCRIPT_PATH: &str = "__quire/livereload.js";
/// The script put in every served HTML page.
pub const SCRIPT: &str = include_str!("livereload.js");

/// Events a client has not taken yet before it is dropped as too slow.
const CLIENT_BACKLOG: usize = 16;
/// How often an idle stream sends a comment, so dead connections are noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The open event streams and what they were last told.
pub struct Hub {
    /// Differs between runs of the server, so a page can tell that it restarted.
    server_id: String,
    state: Mutex<HubState>,
}

struct HubState {
    build: u64,
    error: Option<Value>,
    clients: Vec<SyncSender<Arc<str>>>,
}

impl Hub {
    /// A hub with no clients.
    pub fn new() -> Hub {
        let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Hub {
            server_id: format!("{}-{}", std::process::id(), started.as_nanos()),
            state: Mutex::new(HubState { build: 0, error: None, clients: Vec::new() }),
        }
    }

    /// This server's id, different for every run of it.
    pub fn server_id(&self) -> &str {
        &self.server_id
    }

    /// Tells every page that a build succeeded: reload (or swap stylesheets) if something
    /// changed, and drop the error overlay if one is shown.
    pub fn built(&self, change: &Change) {
        let mut state = self.lock();
        state.build += 1;
        let had_error = state.error.take().is_some();
        if change.paths.is_empty() && !had_error {
            return;
        }
        let data = json!({
            "build": state.build,
            "paths": change.paths,
            "css_only": change.css_only,
        });
        broadcast(&mut state, "reload", &data);
    }

    /// Tells every page that a build failed, with the errors for the overlay.
    pub fn failed(&self, error: &Error, root: &Path) {
        let mut state = self.lock();
        state.build += 1;
        let data = json!({ "build": state.build, "errors": error_report(error, root) });
        state.error = Some(data.clone());
        broadcast(&mut state, "failed", &data);
    }

    /// A new client's stream of events, starting with `hello`.
    fn subscribe(&self) -> Receiver<Arc<str>> {
        let (sender, receiver) = mpsc::sync_channel(CLIENT_BACKLOG);
        let mut state = self.lock();
        let hello = json!({ "server": self.server_id, "build": state.build, "error": state.error });
        // The channel is new and empty, so this cannot fail.
        let _ = sender.try_send(message("hello", &hello));
        state.clients.push(sender);
        receiver
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

/// Answers a request for the event stream on `writer`, until the client goes away. Blocks:
/// run it on a thread of its own.
pub fn stream(writer: &mut impl Write, hub: &Hub) {
    let events = hub.subscribe();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
                Connection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n";
    if writer.write_all(head.as_bytes()).and_then(|()| writer.flush()).is_err() {
        return;
    }
    loop {
        let text = match events.recv_timeout(KEEP_ALIVE) {
            Ok(text) => text,
            Err(RecvTimeoutError::Timeout) => Arc::from(": keep-alive\n\n"),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if writer.write_all(text.as_bytes()).and_then(|()| writer.flush()).is_err() {
            return;
        }
    }
}

fn broadcast(state: &mut HubState, event: &str, data: &Value) {
    let text = message(event, data);
    // A client whose backlog is full is too slow or gone: drop it rather than wait for it.
    state.clients.retain(|client| client.try_send(Arc::clone(&text)).is_ok());
}

fn message(event: &str, data: &Value) -> Arc<str> {
    // Compact JSON has no newline, so it fits on one `data:` line.
    Arc::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// Lines shown around the failing line in the overlay.
const CONTEXT_LINES: usize = 3;

/// The errors of a failed build, as the overlay shows them: what, where, the lines around.
pub fn error_report(error: &Error, root: &Path) -> Vec<Value> {
    let errors = match error {
        Error::Many(list) => list.iter().collect(),
        single => vec![single],
    };
    errors
        .into_iter()
        .map(|error| {
            let (file, line, column) = position(error);
            let lines = match (&file, line) {
                (Some(file), line) if line > 0 => source_lines(&root.join(file), line),
                _ => Vec::new(),
            };
            json!({
                "message": error.to_string(),
                "file": file,
                "line": line,
                "column": column,
                "lines": lines,
                "detail": error.detail(),
                "hint": error.hint(),
                "report": error.report(),
            })
        })
        .collect()
}

/// The file, line and column an error points at (line 0: unknown).
fn position(error: &Error) -> (Option<String>, usize, usize) {
    if let Some(location) = error.location() {
        return (Some(location.file.display().to_string()), location.line, location.column);
    }
    match error {
        Error::Template { template, detail, .. } => {
            let (line, column) = template_position(detail).unwrap_or((0, 0));
            (Some(template.clone()), line, column)
        }
        Error::MissingTemplate { source_path, .. } => (Some(source_path.display().to_string()), 0, 0),
        Error::Read { path, .. } | Error::Write { path, .. } | Error::Watch { path, .. } => {
            (Some(path.display().to_string()), 0, 0)
        }
        _ => (None, 0, 0),
    }
}

/// The line and column of Tera's report (`--> page.html:6:36`).
fn template_position(detail: &str) -> Option<(usize, usize)> {
    let after = &detail[detail.find("--> ")? + 4..];
    let place = after.split_whitespace().next()?;
    let mut parts = place.rsplit(':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some((line, column))
}

/// The lines around `line` of `file`, numbered, the failing one marked.
fn source_lines(file: &Path, line: usize) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(file) else { return Vec::new() };
    let first = line.saturating_sub(CONTEXT_LINES).max(1);
    text.lines()
        .enumerate()
        .map(|(index, text)| (index + 1, text))
        .skip(first - 1)
        .take(line + CONTEXT_LINES + 1 - first)
        .map(|(number, text)| json!({ "number": number, "text": text, "failing": number == line }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    #[test]
    fn tera_positions_are_read_from_the_report() {
        let detail = "error: Found `.` but expected }}.\n --> page.html:6:36\n  |";
        assert_eq!(template_position(detail), Some((6, 36)));
        assert_eq!(template_position("no position"), None);
    }

    #[test]
    fn the_overlay_gets_the_failing_line_and_its_neighbours() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        let text = "---\ntitle: a\ndate: 2024-13-01\n---\n\nBody.\n";
        std::fs::write(dir.path().join("content/a.md"), text).unwrap();
        let error = Error::FrontMatter {
            location: Location::in_text("content/a.md", text, 3, 7),
            detail: "month must be between 1 and 12".into(),
            hint: None,
        };
        let report = error_report(&error, dir.path());
        assert_eq!(report[0]["file"], "content/a.md");
        assert_eq!(report[0]["line"], 3);
        let lines = report[0]["lines"].as_array().unwrap();
        assert_eq!(lines.first().unwrap()["number"], 1);
        assert_eq!(lines.last().unwrap()["number"], 6);
        assert_eq!(lines[2]["text"], "date: 2024-13-01");
        assert_eq!(lines[2]["failing"], true);
    }

    #[test]
    fn clients_hear_hello_then_changes() {
        let hub = Hub::new();
        let events = hub.subscribe();
        assert!(events.try_recv().unwrap().starts_with("event: hello\n"));
        hub.built(&Change::default());
        assert!(events.try_recv().is_err(), "no change, no event");
        hub.built(&Change { paths: vec!["site.css".into()], css_only: true });
        let reload = events.try_recv().unwrap();
        assert!(reload.starts_with("event: reload\n") && reload.contains("\"css_only\":true"), "{reload}");
        hub.failed(&Error::Watch { path: "content".into(), detail: "x".into() }, Path::new("."));
        assert!(events.try_recv().unwrap().starts_with("event: failed\n"));
        hub.built(&Change::default());
        assert!(events.try_recv().unwrap().starts_with("event: reload\n"), "a good build clears the error");
    }
}
