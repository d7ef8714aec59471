//! The file side of a fixity run: hashing one object, walking objects/
//! for files the catalogue did not lead to, and naming what each one is.
//!
//! Runs on worker threads; it reads files and the catalogue and must never
//! move, rename, delete or "fix" anything it finds.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::{rel_object, Finding, Kind};
use crate::catalogue::fixity::{Expected, Outcome};
use crate::catalogue::items;
use crate::error::{Error, Result};
use crate::model::Sha256;
use crate::store;

/// One object's check, as hashed.
#[derive(Debug)]
pub(super) struct Checked {
    pub(super) outcome: Outcome,
    pub(super) actual: Option<Sha256>,
    pub(super) bytes: u64,
    pub(super) error: Option<String>,
}

/// A file under objects/ the catalogue did not lead us to.
pub(super) struct Stray {
    pub(super) rel: PathBuf,
    /// The name is a digest at its right place (else it is misnamed anyway).
    pub(super) canonical: Option<Sha256>,
    pub(super) regular: bool,
}

pub(super) fn check_one(objects: &Path, e: &Expected) -> Checked {
    let path = store::object_path(objects, &e.sha256);
    match hash_no_follow(&path) {
        Ok(actual) => {
            let outcome = if actual == e.sha256 {
                Outcome::Ok
            } else {
                Outcome::Changed
            };
            Checked {
                outcome,
                actual: (outcome == Outcome::Changed).then_some(actual),
                bytes: e.size,
                error: None,
            }
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Checked {
            outcome: Outcome::Missing,
            actual: None,
            bytes: 0,
            error: None,
        },
        Err(err) => Checked {
            outcome: Outcome::IoError,
            actual: None,
            bytes: 0,
            error: Some(err.to_string()),
        },
    }
}

/// Hashes a file without following a symbolic link: an object must be the
/// bytes themselves, not a pointer that could be redirected.
pub(super) fn hash_no_follow(path: &Path) -> std::io::Result<Sha256> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: advice on an fd we own; it only tunes read-ahead.
        unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_SEQUENTIAL) };
    }
    store::hash_reader(f).map(|(sha, _)| sha)
}

/// Every file under objects/ that is not one of the expected objects at
/// its own place.
pub(super) fn walk_objects(objects: &Path, expected: &[Expected]) -> Result<Vec<Stray>> {
    let known: HashSet<&str> = expected.iter().map(|e| e.sha256.as_str()).collect();
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(objects)
        .min_depth(1)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(objects).to_path_buf();
            Error::io(path, e.into())
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(objects)
            .unwrap_or(entry.path())
            .to_path_buf();
        let canonical = canonical_digest(&rel);
        if canonical
            .as_ref()
            .is_some_and(|s| known.contains(s.as_str()))
        {
            continue;
        }
        out.push(Stray {
            rel,
            canonical,
            regular: entry.file_type().is_file(),
        });
    }
    Ok(out)
}

/// The digest a path names if it is exactly `ab/cd/abcd…` (lowercase hex).
pub(super) fn canonical_digest(rel: &Path) -> Option<Sha256> {
    let parts: Vec<&str> = rel.iter().map(|c| c.to_str()).collect::<Option<_>>()?;
    let [a, b, name] = parts.as_slice() else {
        return None;
    };
    let sha = Sha256::from_str(name).ok()?;
    (sha.as_str() == *name && &name[0..2] == *a && &name[2..4] == *b).then_some(sha)
}

pub(super) fn stray_finding(
    conn: &rusqlite::Connection,
    s: &Stray,
    hash: std::io::Result<Sha256>,
) -> Result<Option<Finding>> {
    let path = Path::new("objects").join(&s.rel).display().to_string();
    let mut f = match (&s.canonical, hash) {
        (_, Err(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        (Some(name), Ok(actual)) if *name == actual => {
            // Committed by an import that ran while we walked: not a stray.
            if items::find_object(conn, name)?.is_some() {
                return Ok(None);
            }
            let mut f = Finding::new(
                Kind::Untracked,
                "a file in objects/ that no catalogue row describes (an interrupted import's object is reused by importing the same file again)",
            );
            f.actual_sha256 = Some(actual);
            f
        }
        (_, Ok(actual)) => {
            let mut f = Finding::new(
                Kind::Misnamed,
                if s.canonical.is_some() {
                    "its name is not the SHA-256 of its bytes".to_string()
                } else {
                    format!(
                        "not where its hash puts it; its bytes belong at {}",
                        rel_object(&actual)
                    )
                },
            );
            f.actual_sha256 = Some(actual);
            f
        }
        (_, Err(e)) if !s.regular => Finding::new(
            Kind::Misnamed,
            format!("not a regular file (a link or special file): {e}"),
        ),
        (_, Err(e)) => Finding::new(Kind::IoError, format!("could not be read: {e}")),
    };
    f.path = Some(path);
    Ok(Some(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_hash_paths_are_canonical() {
        let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert!(canonical_digest(&Path::new("ba/78").join(sha)).is_some());
        assert!(canonical_digest(&Path::new("ba/79").join(sha)).is_none());
        assert!(canonical_digest(&Path::new("ba").join(sha)).is_none());
        let upper = sha.to_ascii_uppercase();
        assert!(canonical_digest(&Path::new("BA/78").join(upper)).is_none());
        assert!(canonical_digest(Path::new("ba/78/notes.txt")).is_none());
    }
}
