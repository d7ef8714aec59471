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
//! first. Its name carries the server's process id, so a server that was
//! killed (and could not remove its cache) has it removed by the next one
//! that makes a cache in the same temp directory. Copies are written atomically (`access_copy::write_file`). It
//! decides nothing about who may hear what: the key is asked for under
//! the reader's level, which refuses as `access_copy` does.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use custos::error::{Error, Result};
use custos::model::Sha256;

/// The most the cache holds, in bytes.
pub const LIMIT: u64 = 1 << 30;

/// The start of a cache directory's name; the server's process id and a
/// random part follow.
const PREFIX: &str = "custos-access-copies-";

static DIR: Mutex<Option<tempfile::TempDir>> = Mutex::new(None);

fn dir() -> Result<PathBuf> {
    let mut guard = DIR
        .lock()
        .map_err(|_| Error::Failed("the access-copy cache failed earlier".into()))?;
    if let Some(d) = guard.as_ref() {
        return Ok(d.path().to_path_buf());
    }
    let tmp = std::env::temp_dir();
    remove_orphans(&tmp);
    let d = tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(&tmp)
        .map_err(|e| Error::io(tmp.clone(), e))?;
    let path = d.path().to_path_buf();
    *guard = Some(d);
    Ok(path)
}

/// Removes the caches that servers which are no longer running left in
/// `tmp` (killed, so they could not): only directories of this user whose
/// name gives a process id that is gone. Errors leave a cache in place.
fn remove_orphans(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        let Ok(m) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        if m.is_dir() && m.uid() == me && pid > 0 && !running(pid) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Whether a process `pid` exists (signal 0 checks without sending).
fn running(pid: libc::pid_t) -> bool {
    // SAFETY: kill with signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
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
    use super::{prune, remove_orphans, PREFIX};
    use std::time::{Duration, SystemTime};

    #[test]
    fn only_the_caches_of_servers_no_longer_running_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = child.id();
        child.wait().unwrap();
        let mk = |name: &str| {
            let d = tmp.path().join(name);
            std::fs::create_dir(&d).unwrap();
            std::fs::write(d.join("copy"), b"x").unwrap();
            d
        };
        let orphan = mk(&format!("{PREFIX}{gone}-a1b2c3"));
        let ours = mk(&format!("{PREFIX}{}-d4e5f6", std::process::id()));
        let init = mk(&format!("{PREFIX}1-g7h8i9"));
        let unnamed = mk(&format!("{PREFIX}Xy12Ab"));
        let other = mk("someone-elses");
        remove_orphans(tmp.path());
        assert!(!orphan.exists(), "the dead server's cache is removed");
        for kept in [ours, init, unnamed, other] {
            assert!(kept.join("copy").exists(), "{} kept", kept.display());
        }
    }

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
