//! Where a previewed file waits for the "Import" click: a folder of its
//! own under the temp folder, one file per preview. A preview waits at most
//! an hour; every preview and import sweeps older files away, and an
//! expired preview cannot be imported (the person previews again).

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

/// How long a preview may wait for its import.
pub const PREVIEW_LIFETIME: Duration = Duration::from_secs(3600);

/// The folder of waiting previews.
pub fn folder() -> PathBuf {
    std::env::temp_dir().join("dondoc-imports")
}

fn expired(path: &Path, now: SystemTime) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|at| now.duration_since(at).ok())
        .is_none_or(|age| age > PREVIEW_LIFETIME)
}

/// Removes every preview older than the lifetime; how many went.
pub fn sweep(folder: &Path, now: SystemTime) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && expired(p, now))
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// The waiting file's bytes, removed from the folder; `None` when it is
/// missing or has expired (an expired one is removed too).
pub fn take(path: &Path, now: SystemTime) -> Option<Vec<u8>> {
    let fresh = !expired(path, now);
    let bytes = std::fs::read(path).ok();
    let _ = std::fs::remove_file(path);
    bytes.filter(|_| fresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_preview_is_swept_and_cannot_be_taken_a_fresh_one_stays() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let old = dir.path().join("1-old");
        let fresh = dir.path().join("1-fresh");
        for path in [&old, &fresh] {
            std::fs::write(path, b"x").unwrap();
        }
        let two_hours_ago = now - Duration::from_secs(7200);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
        assert_eq!(take(&old, now), None, "expired");
        std::fs::write(&old, b"x").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
        assert_eq!(sweep(dir.path(), now), 1);
        assert!(!old.exists() && fresh.exists());
        assert_eq!(take(&fresh, now), Some(b"x".to_vec()));
        assert!(!fresh.exists(), "taken once");
    }
}
