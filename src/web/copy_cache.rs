//! The cache of built access copies for `/items/N/audio`: building a copy
//! decodes and re-encodes the whole recording, so each built copy is kept
//! under its key (`Reader::access_copy_key`: the object's digest, media
//! type and the ranges silenced for the reader today) and served from
//! there until a change gives a new key. A stale copy is never served: a
//! passage added or lifted changes the key, not a timestamp.
//!
//! The cache is a private directory (mode 0700) made in the system's temp
//! directory at the first request and removed when the server stops; it
//! holds at most [`LIMIT`] bytes, the least recently used copies removed
//! first. Copies are written atomically (`access_copy::write_file`). It
//! decides nothing about who may hear what: the key is asked for under
//! the reader's level, which refuses as `access_copy` does.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use custos::error::{Error, Result};
use custos::model::Sha256;

/// The most the cache holds, in bytes.
pub const LIMIT: u64 = 1 << 30;

static DIR: Mutex<Option<tempfile::TempDir>> = Mutex::new(None);

fn dir() -> Result<PathBuf> {
    let mut guard = DIR
        .lock()
        .map_err(|_| Error::Failed("the access-copy cache failed earlier".into()))?;
    if let Some(d) = guard.as_ref() {
        return Ok(d.path().to_path_buf());
    }
    let d = tempfile::Builder::new()
        .prefix("custos-access-copies-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let path = d.path().to_path_buf();
    *guard = Some(d);
    Ok(path)
}

/// Removes the cache directory (at shutdown).
pub fn clear() {
    if let Ok(mut guard) = DIR.lock() {
        guard.take();
    }
}

/// The cached copy under `key`, built into place by `build` (which must
/// write its destination atomically) when absent.
pub fn get_or_build(key: &Sha256, build: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
    let dir = dir()?;
    let path = dir.join(key.as_str());
    if path.is_file() {
        // Recently used: the last to be removed. Failing to mark it only
        // makes it an earlier candidate.
        if let Ok(f) = std::fs::File::options().write(true).open(&path) {
            let _ = f.set_modified(SystemTime::now());
        }
        return Ok(path);
    }
    build(&path)?;
    prune(&dir, LIMIT, &path);
    Ok(path)
}

/// Removes the least recently used copies (never `keep`) until the cache
/// holds at most `limit` bytes. Errors only leave it larger.
fn prune(dir: &Path, limit: u64, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            let name = e.file_name();
            // Copies being written are temp files beside their target.
            if !m.is_file() || name.to_string_lossy().starts_with('.') {
                return None;
            }
            Some((m.modified().ok()?, m.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    files.sort();
    for (_, len, p) in files {
        if total <= limit {
            break;
        }
        if p == keep {
            continue;
        }
        if std::fs::remove_file(&p).is_ok() {
            total -= len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::prune;
    use std::time::{Duration, SystemTime};

    #[test]
    fn the_least_recently_used_copies_go_first_and_the_new_one_stays() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = SystemTime::now() - Duration::from_secs(100);
        for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
            let p = dir.path().join(name);
            std::fs::write(&p, [0u8; 100]).unwrap();
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(t0 + Duration::from_secs(i as u64 * 10))
                .unwrap();
        }
        // "a" is the oldest but was just built: it stays.
        prune(dir.path(), 250, &dir.path().join("a"));
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec!["a", "d"]);
    }
}
