//! The process's resident memory, for the debug laps of a build: peak memory is what made
//! 100,000-post builds slower than linear, so each stage reports what it left behind.

/// Resident memory in MB, where the system tells it (Linux `/proc`); `None` elsewhere.
pub fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / 1_000_000)
}

/// `" (resident N MB)"`, or nothing where it is not known: to append to a debug line.
pub fn note() -> String {
    resident_mb().map(|mb| format!(" (resident {mb} MB)")).unwrap_or_default()
}
