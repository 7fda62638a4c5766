//! Issue 29: the output folder changes in one step. A build killed anywhere in the write, or
//! failing on a full disk, leaves the old tree or the new one, never a mix, and no temporary
//! file in it; an output folder that is a mount point builds.
//!
//! The kills use the hidden `QUIRE_KILL_AT` variable, which makes the build kill itself (as
//! `kill -9` would) when it reaches a named point of the write. Mounting needs root: where
//! it is refused, the tests that need it say so and skip.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{files, TestSite};

type Tree = BTreeMap<String, Vec<u8>>;

/// The fixture at its first version, and the trees its first and second versions build.
struct Versions {
    site: TestSite,
    old: Tree,
    new: Tree,
}

impl Versions {
    /// Builds both versions aside (in `tmp/old` and `tmp/new`) and leaves the site at its
    /// first version.
    fn new() -> Versions {
        let site = TestSite::from_fixture("atomic_output");
        // A static file big enough to fill a small disk as it is copied.
        site.write_bytes("static/big.bin", &vec![b'a'; 192 * 1024]);
        let aside = |name: &str| {
            let dir = site.tmp().join(name);
            site.build_with(&["-o", dir.to_str().unwrap()]).success();
            let tree = files(&dir);
            fs::remove_dir_all(&dir).unwrap();
            tree
        };
        let old = aside("old");
        second_version(&site);
        let new = aside("new");
        first_version(&site);
        assert_ne!(old, new);
        Versions { site, old, new }
    }

    /// `quire build -o OUTPUT`, killed at `point` of the write; whether it was killed.
    fn build_killed_at(&self, output: &Path, point: &str) -> bool {
        let mut cmd = self.site.command();
        cmd.env("QUIRE_KILL_AT", point).arg("build").arg("-o").arg(output);
        let status = cmd.output().expect("run the quire binary").status;
        if status.success() {
            return false;
        }
        assert_eq!(status.signal(), Some(9), "the build failed without being killed: {status:?}");
        true
    }

    fn build(&self, output: &Path) -> crate::support::Run {
        self.site.build_with(&["-o", output.to_str().unwrap()])
    }
}

/// One post edited, one gone, one new, a static file changed.
fn second_version(site: &TestSite) {
    site.write_file("content/blog/one.md", "---\ntitle: Post one, edited\ndate: 2024-01-03\n---\nEdited.\n");
    site.remove_file("content/blog/two.md");
    site.write_file(
        "content/blog/five.md",
        "---\ntitle: Post five\ndate: 2024-02-01\ntags: [five]\n---\nNew.\n",
    );
    site.write_bytes("static/big.bin", &vec![b'b'; 192 * 1024]);
    site.write_file("static/notes.txt", "second version\n");
}

fn first_version(site: &TestSite) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/atomic_output");
    for name in ["content/blog/one.md", "content/blog/two.md", "static/notes.txt"] {
        site.write_bytes(name, &fs::read(fixture.join(name)).unwrap());
    }
    let _ = fs::remove_file(site.root().join("content/blog/five.md"));
    site.write_bytes("static/big.bin", &vec![b'a'; 192 * 1024]);
}

/// Files and folders under `dir` whose names start with `.quire-` (staging, temporary files),
/// but the spare tree that a build keeps beside the output for the next.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in walk(dir) {
        let name = entry.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with(".quire-") && !name.starts_with(".quire-spare-") {
            found.push(entry);
        }
    }
    found
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            all.extend(walk(&path));
        }
        all.push(path);
    }
    all
}

#[test]
fn issue_29_a_build_killed_anywhere_in_the_exchange_leaves_the_old_tree_or_the_new() {
    let versions = Versions::new();
    let output = versions.site.tmp().join("out/public");
    for (point, expected) in
        [("staged", &versions.old), ("exchange", &versions.old), ("exchanged", &versions.new)]
    {
        let _ = fs::remove_dir_all(&output);
        first_version(&versions.site);
        versions.build(&output).success();
        assert_eq!(&files(&output), &versions.old);
        second_version(&versions.site);
        assert!(versions.build_killed_at(&output, point), "the build did not reach `{point}`");
        assert!(files(&output) == *expected, "killed at `{point}`, the output is neither as expected");
        assert_eq!(leftovers(&output), Vec::<PathBuf>::new(), "killed at `{point}`");
        versions.build(&output).success();
        assert_eq!(files(&output), versions.new, "the build after the one killed at `{point}`");
        assert_eq!(leftovers(output.parent().unwrap()), Vec::<PathBuf>::new(), "after `{point}`");
    }
}

/// A tmpfs or bind mount, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// A tmpfs at `dir` with mount `options`; `None` (having said why) where mounting is refused.
    fn tmpfs(dir: &Path, options: &str) -> Option<Mount> {
        fs::create_dir_all(dir).unwrap();
        Mount::run(dir, Command::new("mount").args(["-t", "tmpfs", "-o", options, "tmpfs"]).arg(dir))
    }

    /// `dir` bind-mounted on itself, as Docker's `-v ./public:/site/public` makes it.
    fn bind(dir: &Path) -> Option<Mount> {
        fs::create_dir_all(dir).unwrap();
        Mount::run(dir, Command::new("mount").arg("--bind").arg(dir).arg(dir))
    }

    fn run(dir: &Path, command: &mut Command) -> Option<Mount> {
        match command.output() {
            Ok(out) if out.status.success() => Some(Mount(dir.to_path_buf())),
            Ok(out) => {
                eprintln!("skipped: cannot mount here ({})", String::from_utf8_lossy(&out.stderr).trim());
                None
            }
            Err(error) => {
                eprintln!("skipped: cannot run `mount` ({error})");
                None
            }
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn issue_29_an_output_folder_that_is_a_tmpfs_or_a_bind_mount_builds() {
    let versions = Versions::new();
    for kind in ["tmpfs", "bind"] {
        let output = versions.site.tmp().join(format!("{kind}/public"));
        let mount = match kind {
            "tmpfs" => Mount::tmpfs(&output, "size=16m"),
            _ => Mount::bind(&output),
        };
        let Some(_mount) = mount else { return };
        first_version(&versions.site);
        versions.build(&output).success();
        assert_eq!(files(&output), versions.old, "{kind}: a first build writes every file");
        fs::write(output.join(".keep"), "a dot-file of the user's").unwrap();
        second_version(&versions.site);
        versions.build(&output).success();
        let mut expected = versions.new.clone();
        expected.insert(".keep".into(), b"a dot-file of the user's".to_vec());
        assert_eq!(files(&output), expected, "{kind}: a second build updates it");
        assert_eq!(leftovers(&output), Vec::<PathBuf>::new(), "{kind}");
    }
}

#[test]
fn issue_29_a_build_killed_anywhere_while_moving_into_a_mount_point_is_finished_by_the_next() {
    let versions = Versions::new();
    let output = versions.site.tmp().join("mounted");
    let Some(_mount) = Mount::tmpfs(&output, "size=16m") else { return };
    let points = ["staged", "journal", "removal:1", "moved"].into_iter().map(String::from);
    let mut points: Vec<String> = points.chain((1..=200).map(|n| format!("move:{n}"))).collect();
    points.sort_by_key(|point| point.starts_with("move:"));
    let mut killed_while_moving = 0;
    for point in points {
        fs::read_dir(&output).unwrap().for_each(|entry| {
            let path = entry.unwrap().path();
            if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) }.unwrap();
        });
        first_version(&versions.site);
        versions.build(&output).success();
        second_version(&versions.site);
        if !versions.build_killed_at(&output, &point) {
            assert!(point.starts_with("move:"), "the build never reached `{point}`");
            assert_eq!(files(&output), versions.new);
            break;
        }
        killed_while_moving += usize::from(point.starts_with("move:"));
        // The next build finishes the moves before it even reads the site, which here fails.
        versions.site.write_file("content/broken.md", "---\ntitle: [unclosed\n---\n");
        versions.build(&output).failure();
        versions.site.remove_file("content/broken.md");
        // Before its journal, the build had changed nothing; after it, the moves are finished.
        let expected = if point == "staged" { &versions.old } else { &versions.new };
        assert!(files(&output) == *expected, "killed at `{point}`: not the tree expected");
        assert_eq!(leftovers(&output), Vec::<PathBuf>::new(), "killed at `{point}`");
    }
    assert!(killed_while_moving > 3, "only {killed_while_moving} kills fell among the moves");
}

/// The site's builds on a small tmpfs filled up to a little less each time: each either
/// succeeds with the new tree or fails with the old one, and leaves nothing of its own.
fn fill_the_disk_at_each_step(output_in_mount: &str) {
    let versions = Versions::new();
    let disk = versions.site.tmp().join("disk");
    let output = disk.join(output_in_mount);
    let Some(_mount) = Mount::tmpfs(&disk, "size=4m") else { return };
    let (mut failed, mut succeeded) = (0, 0);
    for free_kb in (0..=640).step_by(16) {
        let filler = disk.join(".filler");
        let _ = fs::remove_file(&filler);
        first_version(&versions.site);
        versions.build(&output).success();
        fill(&filler, free_kb * 1024);
        second_version(&versions.site);
        let run = versions.build(&output);
        let tree = files(&output);
        let tree: Tree = tree.into_iter().filter(|(path, _)| !path.starts_with(".filler")).collect();
        if run.status.success() {
            succeeded += 1;
            assert!(tree == versions.new, "{free_kb} KB free: the build succeeded with another tree");
        } else {
            failed += 1;
            assert!(run.stderr.to_lowercase().contains("no space left"), "{free_kb} KB free: {}", run.stderr);
            assert!(!run.stderr.contains("/.quire-"), "the hidden tree is not named: {}", run.stderr);
            assert!(tree == versions.old, "{free_kb} KB free: a failed build changed the output");
        }
        assert_eq!(leftovers(&disk), Vec::<PathBuf>::new(), "{free_kb} KB free");
    }
    assert!(failed > 2 && succeeded > 0, "{failed} builds failed, {succeeded} succeeded");
}

/// Fills the file system of `filler` until `free` bytes are left (to the page).
fn fill(filler: &Path, free: usize) {
    use std::io::Write as _;
    let mut file = fs::File::create(filler).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0;
    loop {
        match file.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => written += n,
        }
    }
    file.set_len(written.saturating_sub(free) as u64).unwrap();
}

#[test]
fn issue_29_a_full_disk_at_any_step_of_the_exchange_leaves_the_old_tree() {
    fill_the_disk_at_each_step("public");
}

#[test]
fn issue_29_a_full_disk_at_any_step_of_the_moves_into_a_mount_point_leaves_the_old_tree() {
    fill_the_disk_at_each_step("");
}

#[test]
fn issue_29_symlinks_out_of_the_site_are_refused_in_content_static_and_theme() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("hostname"), "the machine's name").unwrap();
    let target = fs::canonicalize(outside.path()).unwrap();
    for (link, to) in [
        ("static/h.txt", target.join("hostname")),
        ("static/etc", target.clone()),
        ("content/blog/secret.md", target.join("hostname")),
        ("themes/t/static/key", target.join("hostname")),
    ] {
        let site = TestSite::from_fixture("theme_override");
        let path = site.root().join(link);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&to, &path).unwrap();
        let run = site.build().failure();
        let said = format!("the symbolic link `{link}` points to `{}`, outside the site", to.display());
        assert!(run.stderr.contains(&said), "{link}: {}", run.stderr);
        assert!(run.stderr.contains("allow_external_symlinks"), "{link}: {}", run.stderr);
        assert!(!site.public().exists(), "{link}: nothing is written");
        let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
        site.write_file("config.toml", &format!("allow_external_symlinks = true\n{config}"));
        site.build().success();
    }
}
