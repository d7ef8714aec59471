//! A small pool of read-mode archives for a long-running reader (the web
//! portal): each borrower gets an archive whose read snapshot was renewed
//! when it was handed out, so one request reads one consistent state and
//! the next request sees what writers committed meanwhile.
//!
//! Three disciplines keep a busy reader responsive: heavy borrowers
//! (searches) may hold at most `max - reserved` archives, so light ones
//! (item pages) always find one; a borrowing can be cancelled, which
//! interrupts its SQL and returns the archive at once; and pooled archives
//! do not map the catalogue. (Which state a snapshot reads, for reusing
//! results, is the head of the chained history read on it: see the web's
//! count cache.)
//!
//! It only opens read-only connections; it never writes, never decides
//! what a reader may see, and never holds a snapshot between borrowings
//! longer than the archive sits idle in the pool.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};

use rusqlite::InterruptHandle;

use crate::archive::{Archive, Mode};
use crate::error::{Error, Result};

/// Prepared statements each pooled archive keeps (rusqlite keeps 16 by
/// default): an item page alone runs about twenty different statements, so
/// with 16 each page evicted the statements the next one needed and parsed
/// them again.
const STATEMENTS_KEPT: usize = 128;

/// Which share of the pool a borrower draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Short reads (an item page): may take any idle archive.
    Light,
    /// Long reads (a search): at most `max - reserved` at once.
    Heavy,
}

/// Read-mode archives kept open for reuse, at most `max` at a time: each
/// holds a page cache, so the pool's memory is bounded by its size, not by
/// how many requests arrive at once (the rest wait for one to return).
pub struct ReadPool {
    root: PathBuf,
    state: Mutex<Lending>,
    returned: Condvar,
    max: usize,
    heavy_max: usize,
}

struct Lending {
    idle: Vec<Archive>,
    lent: usize,
    heavy: usize,
}

/// One borrowed archive; returned to the pool when dropped.
pub struct Borrowed<'p> {
    pool: &'p ReadPool,
    archive: Option<Archive>,
    lane: Lane,
}

/// Cancels one borrowing from another thread: before the archive is lent
/// the borrowing gives up; while it is lent its running SQL is interrupted
/// (the borrower's read then fails with "interrupted").
#[derive(Default)]
pub struct Cancel {
    state: Mutex<CancelState>,
}

#[derive(Default)]
struct CancelState {
    cancelled: bool,
    handle: Option<InterruptHandle>,
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    pub fn cancel(&self) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.cancelled = true;
        if let Some(h) = &st.handle {
            h.interrupt();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .cancelled
    }

    /// Arms the interrupt for `archive`, unless already cancelled.
    fn arm(&self, archive: &Archive) -> Result<()> {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if st.cancelled {
            return Err(cancelled());
        }
        st.handle = Some(archive.conn().get_interrupt_handle());
        Ok(())
    }

    /// Disarms it: after this no interrupt can reach the connection, which
    /// goes back to the pool for another borrower.
    fn disarm(&self) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .handle = None;
    }
}

fn cancelled() -> Error {
    Error::Failed("the read was cancelled (time limit)".into())
}

impl ReadPool {
    /// Opens one archive now, so a missing or foreign archive is an error
    /// at start rather than at the first request. No lane is reserved.
    pub fn open(root: &Path, max: usize) -> Result<ReadPool> {
        ReadPool::with_reserve(root, max, 0)
    }

    /// A pool of `max` archives of which `reserved` are kept from heavy
    /// borrowers (at least one archive stays open to them).
    pub fn with_reserve(root: &Path, max: usize, reserved: usize) -> Result<ReadPool> {
        let max = max.max(1);
        let first = open_pooled(root)?;
        Ok(ReadPool {
            root: root.to_path_buf(),
            state: Mutex::new(Lending {
                idle: vec![first],
                lent: 0,
                heavy: 0,
            }),
            returned: Condvar::new(),
            max,
            heavy_max: max.saturating_sub(reserved).max(1),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How many heavy borrowers may hold an archive at once.
    pub fn heavy_max(&self) -> usize {
        self.heavy_max
    }

    /// A light borrowing (see [`ReadPool::get_in`]).
    pub fn get(&self) -> Result<Borrowed<'_>> {
        self.get_in(Lane::Light)
    }

    /// An archive reading the catalogue as it is now, for one request;
    /// waits while `max` are lent (or, for a heavy borrower, while its
    /// share is). A borrower must not borrow again before it returns what
    /// it holds.
    pub fn get_in(&self, lane: Lane) -> Result<Borrowed<'_>> {
        self.get_cancellable(lane, None)
    }

    fn get_cancellable(&self, lane: Lane, cancel: Option<&Cancel>) -> Result<Borrowed<'_>> {
        let idle = {
            let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            while (st.idle.is_empty() && st.lent >= self.max)
                || (lane == Lane::Heavy && st.heavy >= self.heavy_max)
            {
                if cancel.is_some_and(Cancel::is_cancelled) {
                    return Err(cancelled());
                }
                // Timed, so a cancelled waiter notices without a return.
                st = self
                    .returned
                    .wait_timeout(st, std::time::Duration::from_millis(100))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            st.lent += 1;
            if lane == Lane::Heavy {
                st.heavy += 1;
            }
            st.idle.pop()
        };
        let opened = match idle {
            Some(a) => a.renew_snapshot().map(|()| a),
            None => open_pooled(&self.root),
        };
        match opened {
            Ok(a) => Ok(Borrowed {
                pool: self,
                archive: Some(a),
                lane,
            }),
            Err(e) => {
                self.give_back(None, lane);
                Err(e)
            }
        }
    }

    /// Runs `f` on an archive of `lane` unless `cancel` fires first; if it
    /// fires while `f` runs, `f`'s SQL is interrupted. The archive is back
    /// in the pool when this returns, whatever happened.
    pub fn lend<T>(
        &self,
        lane: Lane,
        cancel: &Cancel,
        f: impl FnOnce(&Borrowed<'_>) -> Result<T>,
    ) -> Result<T> {
        let b = self.get_cancellable(lane, Some(cancel))?;
        cancel.arm(&b)?;
        let out = f(&b);
        cancel.disarm();
        drop(b);
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        out
    }

    fn give_back(&self, archive: Option<Archive>, lane: Lane) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.lent = st.lent.saturating_sub(1);
        if lane == Lane::Heavy {
            st.heavy = st.heavy.saturating_sub(1);
        }
        if let Some(a) = archive {
            st.idle.push(a);
        }
        self.returned.notify_all();
    }
}

/// A pooled archive does not map the catalogue: every mapped page a
/// connection touches counts in the server's resident memory, once per
/// connection (eight maps of up to 256 MiB), while its page cache is
/// bounded (`cache_size`) and the kernel's file cache serves the rest.
/// The page cache is 8 MiB rather than a command's 32: the pool's memory
/// is eight of them, and a page the kernel already caches costs a copy,
/// not a disk read.
///
/// The query planner does not look at bound values (SQLite's query planner
/// stability guarantee). Otherwise, with the catalogue's STAT4 samples,
/// SQLite marks a statement stale each time a value its plan could use is
/// bound anew, and parses it again at its next step: an item page's
/// statements (which bind the item id and join on `item_id`) were parsed
/// twice on every page, a quarter of the portal's CPU under load.
fn open_pooled(root: &Path) -> Result<Archive> {
    let a = Archive::open(root, Mode::Read)?;
    a.conn().pragma_update(None, "mmap_size", 0)?;
    a.conn().pragma_update(None, "cache_size", -8_192)?;
    a.conn().set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    a.conn()
        .set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
    Ok(a)
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
        self.pool.give_back(a, self.lane);
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::InitOptions;
    use crate::model::{Access, Intake};

    /// A new empty archive (open intake) in a temporary folder, with its
    /// writer.
    fn fresh() -> (tempfile::TempDir, PathBuf, Archive) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("a");
        let w = Archive::init(
            &root,
            &InitOptions {
                default_access: Access::Public,
                intake: Intake::Open,
            },
        )
        .unwrap();
        (dir, root, w)
    }

    #[test]
    fn a_borrowed_archive_sees_what_was_committed_before_it_was_lent() {
        let (_dir, root, mut w) = fresh();
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

    /// With the catalogue's STAT4 samples, SQLite would mark a statement
    /// stale whenever a new value is bound where its plan could use it, and
    /// parse it again at the next step; a pooled reader binds a new item id
    /// on every page, so its statements must stay parsed.
    #[test]
    fn a_pooled_reader_parses_a_statement_once_whatever_is_bound() {
        let (_dir, root, mut w) = fresh();
        // A test table with a skewed indexed column, analysed so that
        // STAT4 has samples of it (the catalogue's own tables are analysed
        // by the import's `PRAGMA optimize`).
        w.write(|tx| {
            tx.execute_batch(
                "CREATE TABLE probe (id INTEGER PRIMARY KEY, k INTEGER);
                 CREATE INDEX probe_k ON probe (k);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 INSERT INTO probe (k) SELECT CASE WHEN i % 50 = 0 THEN i ELSE 1 END FROM n;
                 ANALYZE;",
            )?;
            Ok(())
        })
        .unwrap();
        let pool = ReadPool::open(&root, 1).unwrap();
        let sql = "SELECT count(*) FROM probe WHERE k = ?1";
        for k in [1, 50, 100, 1] {
            let b = pool.get().unwrap();
            let n: i64 = b
                .conn()
                .prepare_cached(sql)
                .unwrap()
                .query_row([k], |r| r.get(0))
                .unwrap();
            assert!(n >= 1);
        }
        let b = pool.get().unwrap();
        let stmt = b.conn().prepare_cached(sql).unwrap();
        assert_eq!(
            stmt.get_status(rusqlite::StatementStatus::RePrepare),
            0,
            "the statement was parsed again for a new bound value"
        );
    }

    #[test]
    fn no_more_than_max_archives_are_lent_at_once() {
        let (_dir, root, w) = fresh();
        drop(w);
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
    #[test]
    fn heavy_borrowers_leave_the_reserved_archives_to_light_ones() {
        let (_d, root, _w) = fresh();
        let pool = std::sync::Arc::new(ReadPool::with_reserve(&root, 3, 1).unwrap());
        let h1 = pool.get_in(Lane::Heavy).unwrap();
        let h2 = pool.get_in(Lane::Heavy).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let p = pool.clone();
        let waiter = std::thread::spawn(move || {
            let _h3 = p.get_in(Lane::Heavy).unwrap();
            tx.send(()).unwrap();
        });
        // The third heavy borrower waits though an archive is free...
        assert!(rx
            .recv_timeout(std::time::Duration::from_millis(300))
            .is_err());
        // ...which a light borrower gets at once.
        let light = pool.get().unwrap();
        assert_eq!(pool.state.lock().unwrap().lent, 3);
        drop(light);
        assert!(rx
            .recv_timeout(std::time::Duration::from_millis(300))
            .is_err());
        drop(h1);
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("a heavy archive returned lets the next heavy borrower in");
        waiter.join().unwrap();
        drop(h2);
        let st = pool.state.lock().unwrap();
        assert_eq!((st.lent, st.heavy), (0, 0));
    }

    #[test]
    fn pooled_archives_do_not_map() {
        let (_d, root, _w) = fresh();
        let pool = ReadPool::open(&root, 2).unwrap();
        let a = pool.get().unwrap();
        let mmap: i64 = a
            .conn()
            .query_row("PRAGMA mmap_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mmap, 0);
    }

    #[test]
    fn a_cancelled_borrowing_interrupts_its_sql_and_returns_the_archive() {
        let (_d, root, _w) = fresh();
        let pool = std::sync::Arc::new(ReadPool::open(&root, 1).unwrap());
        let cancel = std::sync::Arc::new(Cancel::new());
        let (p, c) = (pool.clone(), cancel.clone());
        let started = std::time::Instant::now();
        let worker = std::thread::spawn(move || {
            p.lend(Lane::Heavy, &c, |a| {
                // Minutes of work unless interrupted.
                let n: i64 = a.conn().query_row(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000) SELECT count(*) FROM c",
                    [],
                    |r| r.get(0),
                )?;
                Ok(n)
            })
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        cancel.cancel();
        let out = worker.join().unwrap();
        assert!(out.is_err(), "{out:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let st = pool.state.lock().unwrap();
        assert_eq!((st.lent, st.heavy, st.idle.len()), (0, 0, 1));
        drop(st);
        // The archive returned reads normally for the next borrower.
        assert_eq!(pool.get().unwrap().setting("probe").unwrap(), None);
    }

    #[test]
    fn a_borrowing_cancelled_while_waiting_never_runs() {
        let (_d, root, _w) = fresh();
        let pool = std::sync::Arc::new(ReadPool::open(&root, 1).unwrap());
        let held = pool.get().unwrap();
        let cancel = std::sync::Arc::new(Cancel::new());
        let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (p, c, r) = (pool.clone(), cancel.clone(), ran.clone());
        let worker = std::thread::spawn(move || {
            p.lend(Lane::Light, &c, |_| {
                r.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            })
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        cancel.cancel();
        // It gives up while the only archive is still held.
        assert!(worker.join().unwrap().is_err());
        assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
        drop(held);
        assert_eq!(pool.state.lock().unwrap().lent, 0);
    }
}
