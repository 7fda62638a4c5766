//! What a deploy does, from the built files and the remote listing: which files to upload
//! (assets first, pages after), which remote objects to delete, what is unchanged. Pure: it
//! neither reads the site nor talks to the target.

use std::collections::HashMap;

use crate::deploy::headers::is_page;
use crate::deploy::local::LocalFile;

/// An object already at the target, keyed relative to the target's prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteObject {
    /// Its key under the target's prefix, with `/`.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// The MD5 of its bytes, when the target says it (an S3 or GCS ETag) or it was read.
    pub md5: Option<[u8; 16]>,
}

/// Why a file is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The target does not have it.
    New,
    /// The target's copy differs.
    Changed,
    /// `--force`: sent although the target's copy looks the same.
    Forced,
}

/// Whether every file is sent, changed or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Force {
    /// Only new and changed files.
    No,
    /// Every file (to change headers of files whose bytes did not change).
    Yes,
}

/// The work of one deploy.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files other than pages, uploaded first (indexes into the local files).
    pub assets: Vec<(usize, Reason)>,
    /// Pages, uploaded once every asset is there.
    pub pages: Vec<(usize, Reason)>,
    /// Remote keys the build no longer makes, deleted last.
    pub deletes: Vec<String>,
    /// Files the target already has as they are.
    pub unchanged: usize,
}

impl Plan {
    /// Compares `local` with `remote`.
    pub fn new(local: &[LocalFile], remote: &[RemoteObject], force: Force) -> Plan {
        let by_key: HashMap<&str, &RemoteObject> = remote.iter().map(|r| (r.key.as_str(), r)).collect();
        let mut plan = Plan::default();
        for (index, file) in local.iter().enumerate() {
            let reason = match by_key.get(file.key.as_str()) {
                None => Some(Reason::New),
                Some(remote) if remote.size != file.size || remote.md5 != Some(file.md5) => {
                    Some(Reason::Changed)
                }
                Some(_) if force == Force::Yes => Some(Reason::Forced),
                Some(_) => None,
            };
            match reason {
                None => plan.unchanged += 1,
                Some(reason) if is_page(&file.key) => plan.pages.push((index, reason)),
                Some(reason) => plan.assets.push((index, reason)),
            }
        }
        let local_keys: std::collections::HashSet<&str> = local.iter().map(|f| f.key.as_str()).collect();
        plan.deletes =
            remote.iter().filter(|r| !local_keys.contains(r.key.as_str())).map(|r| r.key.clone()).collect();
        plan.deletes.sort();
        plan
    }

    /// The uploads in the order they are sent: assets, then pages.
    pub fn uploads(&self) -> impl Iterator<Item = &(usize, Reason)> {
        self.assets.iter().chain(&self.pages)
    }

    /// How many files are uploaded.
    pub fn upload_count(&self) -> usize {
        self.assets.len() + self.pages.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::headers::Matchers;

    fn local(key: &str, bytes: &[u8]) -> LocalFile {
        LocalFile {
            key: key.into(),
            source_path: key.into(),
            size: bytes.len() as u64,
            md5: crate::deploy::local::md5(bytes),
            headers: Matchers::default().headers(key),
        }
    }

    fn remote(key: &str, bytes: &[u8]) -> RemoteObject {
        RemoteObject {
            key: key.into(),
            size: bytes.len() as u64,
            md5: Some(crate::deploy::local::md5(bytes)),
        }
    }

    #[test]
    fn new_and_changed_files_are_sent_assets_before_pages_and_gone_files_deleted() {
        let files = [local("index.html", b"home"), local("style.css", b"new"), local("same.png", b"png")];
        let there =
            [remote("style.css", b"old"), remote("same.png", b"png"), remote("gone/index.html", b"x")];
        let plan = Plan::new(&files, &there, Force::No);
        assert_eq!(plan.assets, vec![(1, Reason::Changed)]);
        assert_eq!(plan.pages, vec![(0, Reason::New)]);
        assert_eq!(plan.deletes, vec!["gone/index.html".to_string()]);
        assert_eq!(plan.unchanged, 1);
        let order: Vec<usize> = plan.uploads().map(|(i, _)| *i).collect();
        assert_eq!(order, vec![1, 0]);
    }

    #[test]
    fn an_unknown_remote_hash_counts_as_changed_and_force_sends_everything() {
        let files = [local("a.txt", b"abc")];
        let unknown = [RemoteObject { key: "a.txt".into(), size: 3, md5: None }];
        assert_eq!(Plan::new(&files, &unknown, Force::No).assets, vec![(0, Reason::Changed)]);
        let same = [remote("a.txt", b"abc")];
        assert_eq!(Plan::new(&files, &same, Force::No).unchanged, 1);
        assert_eq!(Plan::new(&files, &same, Force::Yes).assets, vec![(0, Reason::Forced)]);
    }
}
