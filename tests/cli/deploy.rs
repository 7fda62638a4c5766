//! `quire deploy` against a real S3-compatible server (s3s-fs, started and stopped by each
//! test on a free port with a fresh data folder) and against `file://` folders.
//!
//! s3s-fs comes from `cargo install s3s-fs --features binary` (scripts/test installs it). Without
//! it these tests fail, unless `QUIRE_SKIP_S3=1` says to skip them (scripts/test sets that only
//! when the install failed, and says so loudly). The `file://` tests need nothing.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{files, mtimes, Run, TestSite};

const ACCESS_KEY: &str = "QUIRETESTKEY";
const SECRET_KEY: &str = "quire-test-secret-do-not-print-0123";
const BUCKET: &str = "site";

#[test]
fn first_deploy_sends_every_file_with_its_headers() {
    let Some(server) = S3Server::start() else { return };
    let site = site_for(&server);
    site.build().success();
    let run = deploy(&site, &[]).success();
    let built = files(&site.public());
    assert!(
        run.stdout().contains(&format!("{} uploaded, 0 deleted, 0 unchanged", built.len())),
        "{}",
        run.stdout()
    );
    for (key, bytes) in &built {
        if key.ends_with(".css") {
            continue;
        }
        assert_eq!(&server.object(key), bytes, "{key}");
    }
    let page = server.metadata("posts/first/index.html");
    assert!(page.contains(r#""content_type":"text/html; charset=utf-8""#), "{page}");
    assert!(page.contains("public, max-age=0, must-revalidate"), "{page}");
    // The matcher: gzipped on upload, its own Cache-Control.
    let css = server.metadata("css/site.css");
    assert!(css.contains("public, max-age=600") && css.contains("gzip"), "{css}");
    assert_eq!(&server.object("css/site.css")[..2], &[0x1f, 0x8b]);
}

#[test]
fn a_second_deploy_with_no_change_writes_nothing() {
    let Some(server) = S3Server::start() else { return };
    let site = site_for(&server);
    site.build().success();
    deploy(&site, &[]).success();
    let before = mtimes(&server.data);
    let run = deploy(&site, &["--verbose"]).success();
    assert!(run.stdout().contains("is up to date: nothing sent"), "{}", run.stdout());
    assert!(!run.stderr().contains("PUT ") && !run.stderr().contains("DELETE "), "{}", run.stderr());
    assert_eq!(mtimes(&server.data), before, "the server's files changed");
}

#[test]
fn editing_one_post_uploads_one_file_and_deleting_one_deletes_one() {
    let Some(server) = S3Server::start() else { return };
    let site = site_for(&server);
    site.build().success();
    deploy(&site, &[]).success();

    site.write_file(
        "content/posts/first.md",
        "---\ntitle: The first post\ndate: 2024-03-05\n---\nNew text.\n",
    );
    site.build().success();
    let run = deploy(&site, &["--verbose"]).success();
    assert!(run.stdout().contains(" 1 uploaded, 0 deleted"), "{}", run.stdout());
    assert!(run.stderr().contains("PUT posts/first/index.html"), "{}", run.stderr());
    assert!(String::from_utf8_lossy(&server.object("posts/first/index.html")).contains("New text."));

    site.remove_file("content/posts/second.md");
    site.build().success();
    let run = deploy(&site, &["--verbose"]).success();
    assert!(run.stdout().contains(" 1 deleted"), "{}", run.stdout());
    assert!(run.stderr().contains("DELETE posts/second/index.html"), "{}", run.stderr());
    assert!(!server.object_path("posts/second/index.html").exists());
}

#[test]
fn more_deletes_than_max_deletes_are_refused_before_anything_is_sent() {
    let Some(server) = S3Server::start() else { return };
    let site = site_for(&server);
    site.build().success();
    deploy(&site, &[]).success();
    site.remove_file("content/posts/second.md");
    site.build().success();
    let before = mtimes(&server.data);
    let run = deploy(&site, &["--max-deletes", "0"]).failure();
    let report = run.stderr();
    assert!(report.contains("1 objects would be deleted, more than `--max-deletes` (0)"), "{report}");
    assert!(report.contains("--force"), "{report}");
    assert_eq!(mtimes(&server.data), before, "a refused deploy wrote to the server");
    // `--force` goes past the limit.
    assert!(deploy(&site, &["--max-deletes", "0", "--force"]).success().stdout().contains(" 1 deleted"));
}

#[test]
fn a_dry_run_lists_the_work_and_writes_nothing() {
    let Some(server) = S3Server::start() else { return };
    let site = site_for(&server);
    site.build().success();
    let before = mtimes(&server.data);
    let run = deploy(&site, &["--dry-run"]).success();
    let out = run.stdout();
    assert!(out.contains("would upload posts/first/index.html (new)"), "{out}");
    assert!(out.contains("nothing was sent"), "{out}");
    assert_eq!(mtimes(&server.data), before);
    assert!(!server.object_path("index.html").exists());
}

#[test]
fn a_stopped_server_is_a_clear_error_and_a_retry_completes() {
    let Some(mut server) = S3Server::start() else { return };
    let site = site_for(&server);
    site.build().success();
    deploy(&site, &[]).success();
    site.write_file("content/posts/first.md", "---\ntitle: The first post\ndate: 2024-03-05\n---\nEdited.\n");
    site.build().success();

    server.stop();
    let report = deploy(&site, &[]).failure().stderr();
    assert!(report.contains("could not deploy to `bucket`"), "{report}");
    assert!(report.contains("could not be reached"), "{report}");

    server.restart();
    let run = deploy(&site, &[]).success();
    assert!(run.stdout().contains(" 1 uploaded"), "{}", run.stdout());
}

/// A server that fails partway through: a file where the bucket needs a folder makes every
/// upload under `posts/` fail while the others succeed. The failed keys are listed, no page
/// goes up before its assets, and once the obstacle is gone a retry sends only what is missing.
#[test]
fn uploads_that_fail_midway_are_listed_and_a_retry_sends_the_rest() {
    let Some(server) = S3Server::start() else { return };
    let site = site_for(&server);
    site.build().success();
    let blocker = server.object_path("posts");
    fs::create_dir_all(blocker.parent().unwrap()).unwrap();
    fs::write(&blocker, "not a folder").unwrap();

    let report = deploy(&site, &[]).failure().stderr();
    assert!(report.contains("failed to deploy to `bucket`"), "{report}");
    assert!(report.contains("posts/first/index.html"), "{report}");
    assert!(report.contains("nothing was deleted"), "{report}");
    assert!(server.object_path("css/site.css").exists(), "the assets went first");

    fs::remove_file(&blocker).unwrap();
    let run = deploy(&site, &[]).success();
    let out = run.stdout();
    assert!(out.contains(" 0 deleted") && !out.contains(" 0 uploaded"), "{out}");
    assert_eq!(
        server.object("posts/first/index.html"),
        fs::read(site.output("posts/first/index.html")).unwrap()
    );
    assert!(deploy(&site, &[]).success().stdout().contains("is up to date"));
}

#[test]
fn wrong_credentials_are_a_clear_error_that_never_shows_the_secret() {
    let Some(server) = S3Server::start() else { return };
    let site = site_for(&server);
    site.build().success();
    let wrong = "wrong-secret-that-must-stay-hidden";
    let mut cmd = site.command();
    cmd.args(["deploy"]).env("AWS_ACCESS_KEY_ID", ACCESS_KEY).env("AWS_SECRET_ACCESS_KEY", wrong);
    let run = site.run_command(cmd).failure();
    let all = run.all_output();
    assert!(all.contains("403") && all.contains("AWS_SECRET_ACCESS_KEY"), "{all}");
    assert!(!all.contains(wrong) && !all.contains(SECRET_KEY), "a secret was printed:\n{all}");

    let mut cmd = site.command();
    cmd.args(["deploy"]).env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY");
    let all = site.run_command(cmd).failure().all_output();
    assert!(all.contains("no S3 credentials in the environment"), "{all}");
}

#[test]
fn a_bucket_that_does_not_exist_is_named_with_a_hint() {
    let Some(server) = S3Server::start() else { return };
    let site = TestSite::from_fixture("deploy");
    add_target(
        &site,
        "bucket",
        &format!("s3://no-such-bucket/www?region=us-east-1&endpoint={}", server.endpoint()),
    );
    site.build().success();
    let report = deploy(&site, &[]).failure().stderr();
    assert!(report.contains("NoSuchBucket"), "{report}");
    assert!(report.contains("the bucket does not exist"), "{report}");
}

#[test]
fn a_file_target_gets_the_site_and_then_only_changes() {
    let site = TestSite::from_fixture("deploy");
    let folder = site.tmp().join("www");
    fs::create_dir(&folder).unwrap();
    add_target(&site, "folder", &format!("file://{}", folder.display()));
    site.build().success();
    site.write_file("public/.git/HEAD", "ref: refs/heads/main\n");
    site.write_file("public/.well-known/security.txt", "Contact: mailto:me@example.com\n");
    let run = site.run(&["deploy", "--target", "folder"]).success();
    assert!(run.stdout().contains("11 uploaded"), "{}", run.stdout());
    assert!(!folder.join(".git").exists(), "dot-files are not the site");
    fs::remove_dir_all(site.output(".git")).unwrap();
    let built = files(&site.public());
    let copied = files(&folder);
    assert_eq!(copied.keys().collect::<Vec<_>>(), built.keys().collect::<Vec<_>>());
    for (key, bytes) in &built {
        if key.ends_with(".css") {
            // The matcher gzips stylesheets in a folder too.
            assert_eq!(&copied[key][..2], &[0x1f, 0x8b], "{key}");
        } else {
            assert!(&copied[key] == bytes, "`{key}` differs");
        }
    }

    assert!(site.run(&["deploy", "--target", "folder"]).success().stdout().contains("is up to date"));
    site.remove_file("content/posts/second.md");
    site.build().success();
    assert!(site.run(&["deploy", "--target", "folder"]).success().stdout().contains(" 1 deleted"));
    assert!(!folder.join("posts/second/index.html").exists());
}

#[test]
fn a_missing_folder_or_target_or_build_is_a_clear_error() {
    let site = TestSite::from_fixture("deploy");
    let report = site.run(&["deploy"]).failure().stderr();
    assert!(report.contains("config.toml has no `[[deploy.targets]]`"), "{report}");

    add_target(&site, "folder", &format!("file://{}", site.tmp().join("absent").display()));
    let report = site.run(&["deploy"]).failure().stderr();
    assert!(report.contains("nothing to deploy") && report.contains("quire build"), "{report}");

    site.build().success();
    let report = site.run(&["deploy"]).failure().stderr();
    assert!(report.contains("absent") && report.contains("create the folder first"), "{report}");
    let report = site.run(&["deploy", "--target", "prod"]).failure().stderr();
    assert!(report.contains("no target `prod`; the targets are `folder`"), "{report}");
}

/// The fixture with a target `bucket` on `server`.
fn site_for(server: &S3Server) -> TestSite {
    let site = TestSite::from_fixture("deploy");
    add_target(
        &site,
        "bucket",
        &format!("s3://{BUCKET}/www?region=us-east-1&endpoint={}", server.endpoint()),
    );
    site
}

fn add_target(site: &TestSite, name: &str, url: &str) {
    let config = site.root().join("config.toml");
    let mut text = fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[[deploy.targets]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
    fs::write(config, text).unwrap();
}

/// `quire deploy ARGS` with the server's credentials in the environment.
fn deploy(site: &TestSite, args: &[&str]) -> Run {
    let mut cmd = site.command();
    cmd.arg("deploy").args(args);
    cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY).env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    let run = site.run_command(cmd);
    assert!(!run.all_output().contains(SECRET_KEY), "the secret was printed");
    run
}

/// A running s3s-fs with its own data folder and port, stopped when dropped.
struct S3Server {
    program: PathBuf,
    child: Option<Child>,
    port: u16,
    data: PathBuf,
    _tmp: tempfile::TempDir,
}

impl S3Server {
    /// Starts a server with an empty bucket; `None` when s3s-fs is missing and skipping is allowed.
    fn start() -> Option<S3Server> {
        let Some(program) = find_s3s_fs() else {
            let skip = std::env::var_os("QUIRE_SKIP_S3").is_some_and(|v| !v.is_empty() && v != "0");
            if skip {
                eprintln!("\n!!! SKIPPED a deploy test: QUIRE_SKIP_S3 is set and s3s-fs is missing !!!\n");
                return None;
            }
            panic!(
                "the deploy tests need `s3s-fs` on PATH or in ~/.cargo/bin: \
                 `cargo install s3s-fs --version 0.14.1 --features binary --locked`, or set QUIRE_SKIP_S3=1 to skip them"
            );
        };
        let tmp = tempfile::Builder::new().prefix("quire-s3").tempdir().unwrap();
        let data = tmp.path().join("data");
        fs::create_dir_all(data.join(BUCKET)).unwrap();
        let mut server = S3Server { program, child: None, port: 0, data, _tmp: tmp };
        // A free port, asked of the system; another process may take it before s3s-fs binds
        // it, so a server that exits at start gets another port, three times at most.
        for _ in 0..3 {
            server.port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            if server.try_start() {
                return Some(server);
            }
        }
        panic!("s3s-fs exited at start three times (on ports taken by others?)");
    }

    /// Starts the server again on its port and data, after [`S3Server::stop`].
    fn restart(&mut self) {
        assert!(self.try_start(), "s3s-fs exited at start on port {}", self.port);
    }

    /// Starts the server on its port and data and waits until it accepts connections; false
    /// if it exited instead.
    fn try_start(&mut self) -> bool {
        let child = Command::new(&self.program)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&self.data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if self.child.as_mut().unwrap().try_wait().unwrap().is_some() {
                self.child = None;
                return false;
            }
            assert!(Instant::now() < deadline, "s3s-fs did not listen on port {} within 30 s", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// Stops the server and waits until it has exited.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Where s3s-fs keeps the object `key` (under the target's prefix `www`).
    fn object_path(&self, key: &str) -> PathBuf {
        self.data.join(BUCKET).join("www").join(key)
    }

    fn object(&self, key: &str) -> Vec<u8> {
        fs::read(self.object_path(key)).unwrap_or_else(|e| panic!("no object `{key}`: {e}"))
    }

    /// The headers s3s-fs stored for `key`, as its JSON.
    fn metadata(&self, key: &str) -> String {
        let name = format!(
            ".bucket-{}.object-{}.metadata.json",
            base64_url(BUCKET.as_bytes()),
            base64_url(format!("www/{key}").as_bytes())
        );
        fs::read_to_string(self.data.join(&name))
            .unwrap_or_else(|e| panic!("no metadata for `{key}` ({name}): {e}"))
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn find_s3s_fs() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    if let Some(cargo_home) = std::env::var_os("CARGO_HOME") {
        dirs.push(Path::new(&cargo_home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|dir| dir.join("s3s-fs")).find(|candidate| candidate.is_file())
}

/// Base64 with the URL alphabet and no padding, as s3s-fs names its metadata files.
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn the_build_writes_redirects_and_headers_files_when_asked() {
    let site = TestSite::from_fixture("aliases");
    site.build().success();
    assert!(!site.output("_redirects").exists() && !site.output("_headers").exists());
    let config = site.root().join("config.toml");
    let mut text = fs::read_to_string(&config).unwrap();
    text.push_str(
        "\n[deploy]\nredirects_file = true\nheaders_file = true\n\n[[deploy.matchers]]\n\
         pattern = \"images/**\"\ncache_control = \"public, max-age=86400\"\n",
    );
    fs::write(&config, text).unwrap();
    site.build().success();
    let redirects = site.read("_redirects");
    assert!(
        redirects.contains("\n/old/moved/ /blog/moved/ 301\n/2019/05/moved.html /blog/moved/ 301\n"),
        "{redirects}"
    );
    let headers = site.read("_headers");
    assert!(headers.contains("/images/*\n  Cache-Control: public, max-age=86400\n"), "{headers}");
}

#[test]
fn a_matcher_pattern_that_is_not_a_glob_is_a_config_error_at_its_line() {
    let site = TestSite::from_fixture("deploy");
    let config = site.root().join("config.toml");
    let text = fs::read_to_string(&config).unwrap().replace("\"**/*.css\"", "\"css/[a\"");
    fs::write(&config, text).unwrap();
    let report = site.build().failure().stderr();
    assert!(report.contains("config.toml:8"), "{report}");
    assert!(report.contains("`css/[a` is not a glob pattern"), "{report}");
}
