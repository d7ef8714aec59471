//! Checkpoints on a thread of their own while a long write runs (an
//! import): the writer's connection checkpoints only when the WAL has grown
//! large (to start it again from its beginning), and a second connection
//! copies the committed WAL frames into the catalogue in the background, on
//! the other core.
//!
//! With SQLite's default, the commit that takes the WAL past 1,000 pages
//! also checkpoints it, on the writer's thread: an import's writer spent a
//! twelfth of its time there, while the hashing threads left a core idle.
//! This changes when pages reach the main file, never what a commit
//! guarantees: a commit is durable in the WAL (`synchronous=FULL`) before
//! it returns, checkpointed or not, and a crash leaves the WAL for the next
//! open to replay. The background thread must not run a checkpoint that
//! waits on or blocks the writer (only PASSIVE ones), and it never reads
//! or writes rows.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::{Archive, DB_FILE};
use crate::error::Result;

/// How often the background connection looks for new frames. An import
/// commits a chunk every few hundred milliseconds.
const EVERY: Duration = Duration::from_millis(100);

/// SQLite's default `wal_autocheckpoint`, put back when the guard ends.
const DEFAULT_AUTOCHECKPOINT: i64 = 1000;

/// The WAL size, in pages, at which the writer's own commit checkpoints
/// while the background thread runs (32 MiB). The background thread has
/// already copied nearly every frame by then, so the writer's checkpoint is
/// short; what it buys is a WAL that starts again from its beginning. A
/// WAL that only grows makes every frame an append, and the file system
/// then allocates and zeroes each new block (11 % of an import's samples
/// on ext4, `zero_user_segments` under `pwrite`), while frames written over
/// an earlier WAL's blocks cost only the copy.
const WRITER_CHECKPOINT_PAGES: i64 = 8192;

/// Checkpoints in the background until [`Background::finish`] or drop.
pub struct Background {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Archive {
    /// Turns off checkpointing at this connection's commits and starts a
    /// background checkpointer on a connection of its own. Where that
    /// connection cannot be opened, nothing changes (checkpoints stay at
    /// the commits) and the write goes on.
    pub fn checkpoint_in_background(&self) -> Result<Background> {
        let conn = match Connection::open_with_flags(
            self.root.join(DB_FILE),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ) {
            Ok(c) => c,
            Err(_) => return Ok(Background::none()),
        };
        // Same durability as the writer: the main file is synced before the
        // WAL may be reused.
        conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn
            .pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("custos-checkpoint".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    passive(&conn);
                }
            });
        match spawned {
            Ok(thread) => Ok(Background {
                stop: Some(stop),
                thread: Some(thread),
            }),
            Err(_) => {
                self.conn
                    .pragma_update(None, "wal_autocheckpoint", DEFAULT_AUTOCHECKPOINT)?;
                Ok(Background::none())
            }
        }
    }
}

/// One PASSIVE checkpoint: it copies what no reader still needs and never
/// waits. A failure (a busy lock) is left to the next round or to the
/// checkpoint SQLite runs when the last connection closes.
fn passive(conn: &Connection) {
    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
}

impl Background {
    fn none() -> Self {
        Background {
            stop: None,
            thread: None,
        }
    }

    /// Stops the background thread and gives checkpoints back to the
    /// writer's commits.
    pub fn finish(mut self, archive: &Archive) -> Result<()> {
        let was_running = self.thread.is_some();
        self.join();
        if was_running {
            archive
                .conn
                .pragma_update(None, "wal_autocheckpoint", DEFAULT_AUTOCHECKPOINT)?;
        }
        Ok(())
    }

    fn join(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.join();
    }
}

/// Settings rows named `k…` in the main file alone, WAL ignored: what
/// checkpoints have copied so far (None while a copy is half-way).
#[cfg(test)]
fn in_main_file(db: &std::path::Path) -> Option<i64> {
    let uri = format!("file:{}?immutable=1", db.display());
    let conn = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .ok()?;
    conn.query_row(
        "SELECT count(*) FROM settings WHERE key GLOB 'k*'",
        [],
        |r| r.get(0),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{InitOptions, Mode};

    fn put(a: &mut Archive, range: std::ops::Range<i32>) {
        for i in range {
            a.write(|tx| {
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, 'x')",
                    [format!("k{i}")],
                )?;
                Ok(())
            })
            .unwrap();
        }
    }

    fn autocheckpoint(a: &Archive) -> i64 {
        a.conn()
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn commits_reach_the_main_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("a");
        let opts = InitOptions {
            default_access: crate::model::Access::Research,
            intake: crate::model::Intake::Open,
        };
        drop(Archive::init(&root, &opts).unwrap());
        let db = root.join(DB_FILE);
        let mut a = Archive::open(&root, Mode::Write).unwrap();
        // Without any checkpointer, commits stay in the WAL: what the
        // check below would see if the background thread did nothing.
        a.conn()
            .pragma_update(None, "wal_autocheckpoint", 0)
            .unwrap();
        put(&mut a, 0..5);
        assert_eq!(in_main_file(&db), Some(0));
        let bg = a.checkpoint_in_background().unwrap();
        assert_eq!(
            autocheckpoint(&a),
            WRITER_CHECKPOINT_PAGES,
            "the writer checkpoints only a large WAL"
        );
        put(&mut a, 5..50);
        let mut seen = None;
        for _ in 0..100 {
            std::thread::sleep(EVERY);
            seen = in_main_file(&db);
            if seen == Some(50) {
                break;
            }
        }
        assert_eq!(seen, Some(50), "every commit reached the main file");
        bg.finish(&a).unwrap();
        assert_eq!(autocheckpoint(&a), DEFAULT_AUTOCHECKPOINT);
    }
}
