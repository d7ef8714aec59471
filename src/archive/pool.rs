//! A small pool of read-mode archives for a long-running reader (the web
//! portal): each borrower gets an archive whose read snapshot was renewed
//! when it was handed out, so one request reads one consistent state and
//! the next request sees what writers committed meanwhile.
//!
//! It only opens read-only connections; it never writes, never decides
//! what a reader may see, and never holds a snapshot between borrowings
//! longer than the archive sits idle in the pool.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use crate::archive::{Archive, Mode};
use crate::error::Result;

/// Read-mode archives kept open for reuse, at most `max` at a time: each
/// holds a page cache, so the pool's memory is bounded by its size, not by
/// how many requests arrive at once (the rest wait for one to return).
pub struct ReadPool {
    root: PathBuf,
    state: Mutex<Lending>,
    returned: Condvar,
    max: usize,
}

struct Lending {
    idle: Vec<Archive>,
    lent: usize,
}

/// One borrowed archive; returned to the pool when dropped.
pub struct Borrowed<'p> {
    pool: &'p ReadPool,
    archive: Option<Archive>,
}

impl ReadPool {
    /// Opens one archive now, so a missing or foreign archive is an error
    /// at start rather than at the first request.
    pub fn open(root: &Path, max: usize) -> Result<ReadPool> {
        let first = Archive::open(root, Mode::Read)?;
        Ok(ReadPool {
            root: root.to_path_buf(),
            state: Mutex::new(Lending {
                idle: vec![first],
                lent: 0,
            }),
            returned: Condvar::new(),
            max: max.max(1),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// An archive reading the catalogue as it is now, for one request;
    /// waits while `max` are lent. A borrower must not borrow again before
    /// it returns what it holds.
    pub fn get(&self) -> Result<Borrowed<'_>> {
        let idle = {
            let mut st = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            while st.idle.is_empty() && st.lent >= self.max {
                st = self
                    .returned
                    .wait(st)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            st.lent += 1;
            st.idle.pop()
        };
        let opened = match idle {
            Some(a) => a.renew_snapshot().map(|()| a),
            None => Archive::open(&self.root, Mode::Read),
        };
        match opened {
            Ok(a) => Ok(Borrowed {
                pool: self,
                archive: Some(a),
            }),
            Err(e) => {
                self.give_back(None);
                Err(e)
            }
        }
    }

    fn give_back(&self, archive: Option<Archive>) {
        let mut st = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        st.lent = st.lent.saturating_sub(1);
        if let Some(a) = archive {
            st.idle.push(a);
        }
        self.returned.notify_one();
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
        let a = self.archive.take();
        self.pool.give_back(a);
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

    #[test]
    fn no_more_than_max_archives_are_lent_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("a");
        Archive::init(
            &root,
            &InitOptions {
                default_access: Access::Public,
                intake: Intake::Open,
            },
        )
        .unwrap();
        let pool = std::sync::Arc::new(ReadPool::open(&root, 2).unwrap());
        let a = pool.get().unwrap();
        let b = pool.get().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let p = pool.clone();
        let waiter = std::thread::spawn(move || {
            let _c = p.get().unwrap();
            tx.send(()).unwrap();
        });
        // The third borrower waits while two are lent...
        assert!(rx
            .recv_timeout(std::time::Duration::from_millis(300))
            .is_err());
        drop(a);
        // ...and gets the one returned.
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("served once one was returned");
        waiter.join().unwrap();
        drop(b);
        assert_eq!(pool.state.lock().unwrap().lent, 0);
    }
}
