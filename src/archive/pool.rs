//! A small pool of read-mode archives for a long-running reader (the web
//! portal): each borrower gets an archive whose read snapshot was renewed
//! when it was handed out, so one request reads one consistent state and
//! the next request sees what writers committed meanwhile.
//!
//! It only opens read-only connections; it never writes, never decides
//! what a reader may see, and never holds a snapshot between borrowings
//! longer than the archive sits idle in the pool.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::archive::{Archive, Mode};
use crate::error::Result;

/// Read-mode archives kept open for reuse.
pub struct ReadPool {
    root: PathBuf,
    idle: Mutex<Vec<Archive>>,
    /// How many idle archives are kept; more may be lent at once, the
    /// extra ones are opened on demand and closed when returned.
    keep: usize,
}

/// One borrowed archive; returned to the pool when dropped.
pub struct Borrowed<'p> {
    pool: &'p ReadPool,
    archive: Option<Archive>,
}

impl ReadPool {
    /// Opens one archive now, so a missing or foreign archive is an error
    /// at start rather than at the first request.
    pub fn open(root: &Path, keep: usize) -> Result<ReadPool> {
        let first = Archive::open(root, Mode::Read)?;
        Ok(ReadPool {
            root: root.to_path_buf(),
            idle: Mutex::new(vec![first]),
            keep: keep.max(1),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// An archive reading the catalogue as it is now, for one request.
    pub fn get(&self) -> Result<Borrowed<'_>> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let archive = match idle {
            Some(a) => {
                a.renew_snapshot()?;
                a
            }
            None => Archive::open(&self.root, Mode::Read)?,
        };
        Ok(Borrowed {
            pool: self,
            archive: Some(archive),
        })
    }
}

impl std::ops::Deref for Borrowed<'_> {
    type Target = Archive;
    fn deref(&self) -> &Archive {
        // Only `drop` takes the archive out.
        self.archive
            .as_ref()
            .expect("a borrowed archive until dropped")
    }
}

impl Drop for Borrowed<'_> {
    fn drop(&mut self) {
        let Some(a) = self.archive.take() else { return };
        if let Ok(mut idle) = self.pool.idle.lock() {
            if idle.len() < self.pool.keep {
                idle.push(a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::InitOptions;
    use crate::model::{Access, Intake};

    #[test]
    fn a_borrowed_archive_sees_what_was_committed_before_it_was_lent() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("a");
        let mut w = Archive::init(
            &root,
            &InitOptions {
                default_access: Access::Public,
                intake: Intake::Open,
            },
        )
        .unwrap();
        let pool = ReadPool::open(&root, 2).unwrap();
        let read = |pool: &ReadPool| pool.get().unwrap().setting("probe").unwrap();
        assert_eq!(read(&pool), None);
        w.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('probe', 'x')",
                [],
            )?;
            Ok(())
        })
        .unwrap();
        // The same pooled connection, now with a new snapshot.
        assert_eq!(read(&pool).as_deref(), Some("x"));
        // While lent, an archive keeps its snapshot.
        let held = pool.get().unwrap();
        w.write(|tx| {
            tx.execute("UPDATE settings SET value = 'y' WHERE key = 'probe'", [])?;
            Ok(())
        })
        .unwrap();
        assert_eq!(held.setting("probe").unwrap().as_deref(), Some("x"));
        assert_eq!(read(&pool).as_deref(), Some("y"));
    }
}
