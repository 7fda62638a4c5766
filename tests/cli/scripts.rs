//! The shell scripts under `scripts/` that tests and CI rely on.

use std::path::Path;
use std::process::Command;

/// `scripts/lib/web.sh`'s `quire_bin_path`, run in the repository with `CARGO_TARGET_DIR` set.
fn quire_bin_path_with_target_dir(target_dir: &Path) -> String {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("bash")
        .args(["-c", "source scripts/lib/web.sh && quire_bin_path"])
        .current_dir(repo)
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .expect("run bash");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("a UTF-8 path").trim_end().to_string()
}

#[test]
fn issue_22_the_scripts_find_the_binary_in_cargo_target_dir() {
    let target = tempfile::tempdir().expect("create a temp dir");
    let path = quire_bin_path_with_target_dir(target.path());
    assert_eq!(Path::new(&path), target.path().join("debug").join("quire"));
}
