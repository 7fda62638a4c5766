//! `TestSite`: a copy of a fixture site in a temp dir, built with the real `quire` binary.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, SystemTime};

use tempfile::TempDir;

/// A site copied into a temporary directory. The site lives in `<tmp>/site` so that tests can
/// also write outside of it (for example `--output-dir <tmp>/out`).
pub struct TestSite {
    tmp: TempDir,
    root: PathBuf,
}

impl TestSite {
    /// Copies `tests/fixtures/<name>/` into a fresh temp dir.
    pub fn from_fixture(name: &str) -> TestSite {
        let source = fixtures_dir().join(name);
        assert!(source.is_dir(), "no fixture at {}", source.display());
        let site = TestSite::empty();
        copy_dir(&source, &site.root);
        site
    }

    /// Copies `tests/fixtures/<name>/` over the site, replacing files with the same names.
    pub fn add_fixture(&self, name: &str) {
        let source = fixtures_dir().join(name);
        assert!(source.is_dir(), "no fixture at {}", source.display());
        copy_dir(&source, &self.root);
    }

    /// Copies the example site at the repository root (config, content, themes, static,
    /// templates — whichever exist) into a fresh temp dir.
    pub fn from_example_site() -> TestSite {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = TestSite::empty();
        fs::copy(repo.join("config.toml"), site.root.join("config.toml"))
            .expect("the repository root has a config.toml");
        for dir in ["content", "data", "themes", "static", "templates"] {
            if repo.join(dir).is_dir() {
                copy_dir(&repo.join(dir), &site.root.join(dir));
            }
        }
        site
    }

    /// An empty site folder in a fresh temp dir (for `quire init`).
    pub fn empty() -> TestSite {
        let tmp = tempfile::Builder::new().prefix("quire-test").tempdir().expect("create a temp dir");
        let root = tmp.path().join("site");
        fs::create_dir_all(&root).expect("create the site dir");
        TestSite { tmp, root }
    }

    /// The site folder (what `--root` points at).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The temp dir holding the site; free space for paths outside the site.
    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// `quire --root <root> build`
    pub fn build(&self) -> Run {
        self.build_with(&[])
    }

    /// `quire --root <root> build <args>`
    pub fn build_with(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// `quire --root <root> <args>`
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args);
        self.run_command(cmd)
    }

    /// Where this site's builds keep their highlight cache (`QUIRE_CACHE_DIR`).
    pub fn cache_dir(&self) -> PathBuf {
        self.tmp.path().join("cache")
    }

    /// The `quire` command with `--root` set and a clean environment, ready for more args.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_quire"));
        cmd.arg("--root").arg(&self.root);
        // Run from outside the site so that only `--root` can lead the binary to it.
        cmd.current_dir(self.tmp.path());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("QUIRE_") {
                cmd.env_remove(&key);
            }
        }
        // Each test site has its own highlight cache, beside it, never the user's.
        cmd.env("QUIRE_CACHE_DIR", self.cache_dir());
        cmd.env("NO_COLOR", "1");
        cmd.env("TZ", "UTC");
        cmd.env_remove("RUST_LOG");
        // `serve` keeps its private socket in a temporary folder; a killed server leaves it
        // behind, so it goes in the test's folder rather than the system's.
        cmd.env("TMPDIR", self.tmp.path());
        cmd
    }

    /// Runs a command made by [`TestSite::command`].
    pub fn run_command(&self, mut cmd: Command) -> Run {
        let out = cmd.output().expect("run the quire binary");
        Run {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            redactions: self.redactions(),
        }
    }

    /// A path under the default output folder, `<root>/public`.
    pub fn output(&self, rel: &str) -> PathBuf {
        self.public().join(rel)
    }

    /// The default output folder.
    pub fn public(&self) -> PathBuf {
        self.root.join("public")
    }

    /// The text of a file under `public/`.
    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        let path = self.output(rel);
        match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                panic!("could not read public/{rel}: {err}\nfiles under public/:\n{}", self.output_tree())
            }
        }
    }

    /// Sorted list of the files under `public/`, one per line, `/`-separated.
    pub fn output_tree(&self) -> String {
        tree(&self.public())
    }

    /// Writes a source file (relative to the site root), creating its folders.
    pub fn write_file(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    /// Writes a source file byte for byte (relative to the site root).
    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create dirs");
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Removes a source file (relative to the site root).
    pub fn remove_file(&self, rel: &str) {
        let path = self.root.join(rel);
        fs::remove_file(&path).unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
    }

    fn redactions(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for (path, label) in [(&self.root, "[ROOT]"), (&self.tmp.path().to_path_buf(), "[TMP]")] {
            pairs.push((path.display().to_string(), label.to_string()));
            if let Ok(canonical) = path.canonicalize() {
                pairs.push((canonical.display().to_string(), label.to_string()));
            }
        }
        // Longest first, so that the site root wins over the temp dir holding it.
        pairs.sort_by_key(|pair| std::cmp::Reverse(pair.0.len()));
        pairs.dedup();
        pairs
    }
}

/// What a run of the binary did.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    redactions: Vec<(String, String)>,
}

impl Run {
    /// Asserts the run succeeded, printing its output if not.
    #[track_caller]
    pub fn success(self) -> Run {
        assert!(self.status.success(), "expected a successful run\n{}", self.report());
        assert!(!self.stderr.contains("panicked"), "the binary panicked\n{}", self.report());
        self
    }

    /// Asserts the run failed cleanly: a non-zero exit code (not a signal) and no panic.
    #[track_caller]
    pub fn failure(self) -> Run {
        assert!(!self.status.success(), "expected a failed run\n{}", self.report());
        assert!(self.status.code().is_some(), "killed by a signal\n{}", self.report());
        assert!(!self.stderr.contains("panicked"), "the binary panicked\n{}", self.report());
        self
    }

    /// stdout with the temp paths and timings redacted.
    pub fn stdout(&self) -> String {
        self.redact(&self.stdout)
    }

    /// stderr with the temp paths and timings redacted.
    pub fn stderr(&self) -> String {
        self.redact(&self.stderr)
    }

    /// stdout then stderr, redacted: for checks that don't care which stream a message used.
    pub fn all_output(&self) -> String {
        format!("{}{}", self.stdout(), self.stderr())
    }

    /// Exit code and both streams, redacted, for snapshots.
    pub fn report(&self) -> String {
        let code = match self.status.code() {
            Some(code) => code.to_string(),
            None => "killed by a signal".to_string(),
        };
        format!("exit code: {code}\n--- stdout\n{}--- stderr\n{}", self.stdout(), self.stderr())
    }

    fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (from, to) in &self.redactions {
            text = text.replace(from.as_str(), to);
        }
        redact_durations(&text)
    }
}

/// Replaces durations (`12ms`, `0.31s`, `1.2 s`, `850µs`, `3 seconds`) with `[TIME]`.
pub fn redact_durations(text: &str) -> String {
    const UNITS: [&str; 10] = ["seconds", "second", "secs", "sec", "ms", "µs", "us", "ns", "s", "m"];
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_number =
            chars[i].is_ascii_digit() && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '.'));
        if starts_number {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            let mut k = j;
            if k < chars.len() && chars[k] == ' ' {
                k += 1;
            }
            let rest: String = chars[k..chars.len().min(k + 8)].iter().collect();
            let unit = UNITS.iter().find(|unit| {
                rest.starts_with(*unit)
                    && rest[unit.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
            });
            if let Some(unit) = unit {
                out.push_str("[TIME]");
                i = k + unit.chars().count();
                continue;
            }
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Sorted list of the files under `dir`, relative and `/`-separated, one per line.
pub fn tree(dir: &Path) -> String {
    files(dir).keys().map(|rel| format!("{rel}\n")).collect()
}

/// Every file under `dir` with its bytes, keyed by relative `/`-separated path.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut map = BTreeMap::new();
    if dir.is_dir() {
        collect(dir, dir, &mut map);
    }
    map
}

fn collect(base: &Path, dir: &Path, map: &mut BTreeMap<String, Vec<u8>>) {
    for entry in fs::read_dir(dir).expect("read an output dir") {
        let path = entry.expect("read a dir entry").path();
        if path.is_dir() {
            collect(base, &path, map);
        } else {
            let rel = path.strip_prefix(base).expect("inside base");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            map.insert(rel, fs::read(&path).expect("read an output file"));
        }
    }
}

/// Modification time of every file under `dir`.
pub fn mtimes(dir: &Path) -> BTreeMap<String, SystemTime> {
    files(dir)
        .keys()
        .map(|rel| {
            let meta = fs::metadata(dir.join(rel)).expect("stat an output file");
            (rel.clone(), meta.modified().expect("mtime is supported"))
        })
        .collect()
}

/// Sets the modification time of every file under `dir` to one fixed moment in the past and
/// returns it, so a later rewrite is visible without waiting for the clock.
pub fn age_files(dir: &Path) -> SystemTime {
    let past = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for rel in files(dir).keys() {
        let file = fs::File::options().write(true).open(dir.join(rel)).expect("open an output file");
        file.set_modified(past).expect("set mtime");
    }
    past
}

/// The value of the first `name: value` line of a rendered fixture template.
#[track_caller]
pub fn field(text: &str, name: &str) -> String {
    let prefix = format!("{name}:");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|value| value.trim().to_string())
        .unwrap_or_else(|| panic!("no `{name}:` line in:\n{text}"))
}

/// The contents of every `<li>…</li>` of a rendered fixture template, in order.
pub fn items(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<li>") {
        let after = &rest[start + 4..];
        let Some(end) = after.find("</li>") else { break };
        found.push(after[..end].to_string());
        rest = &after[end + 5..];
    }
    found
}

/// The titles (the part before `|`) of [`items`].
pub fn titles(text: &str) -> Vec<String> {
    items(text).into_iter().map(|item| item.split('|').next().unwrap_or_default().to_string()).collect()
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.expect("read a dir entry");
        let source = entry.path();
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&source, &target);
        } else {
            fs::copy(&source, &target).unwrap_or_else(|e| panic!("copy {}: {e}", source.display()));
        }
    }
}

/// Replaces the file at `path` with `bytes` of the same length, keeping its modification
/// time, as `cp -p`, `rsync -t` or `touch -r` leave a file: only its bytes (and the change
/// time, which no tool can set) tell the edit apart.
pub fn rewrite_keeping_size_and_mtime(path: &Path, bytes: &[u8]) {
    let meta = fs::metadata(path).expect("stat the file to rewrite");
    assert_eq!(meta.len(), bytes.len() as u64, "the new bytes keep the size");
    let modified = meta.modified().expect("mtime is supported");
    fs::write(path, bytes).expect("rewrite the file");
    let file = fs::File::options().write(true).open(path).expect("open the rewritten file");
    file.set_modified(modified).expect("set mtime");
    assert_eq!(fs::metadata(path).unwrap().modified().unwrap(), modified);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_redacted_but_counts_are_not() {
        assert_eq!(
            redact_durations("built 12 pages, 3 sections, 40 files in 0.31s"),
            "built 12 pages, 3 sections, 40 files in [TIME]"
        );
        assert_eq!(redact_durations("done in 850µs."), "done in [TIME].");
        assert_eq!(redact_durations("done in 12 ms"), "done in [TIME]");
        assert_eq!(redact_durations("(1.5 seconds)"), "([TIME])");
        assert_eq!(redact_durations("line 3:8 v1.2"), "line 3:8 v1.2");
        assert_eq!(redact_durations("2 sections"), "2 sections");
    }

    #[test]
    fn items_and_fields_are_parsed() {
        let text = "title: Blog\n<li>A|/a/</li>\n<li>B|/b/</li>\n";
        assert_eq!(field(text, "title"), "Blog");
        assert_eq!(items(text), ["A|/a/", "B|/b/"]);
        assert_eq!(titles(text), ["A", "B"]);
    }
}
