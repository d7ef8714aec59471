//! Opening and creating archives: the folder layout, the SQLite connection
//! with its pragmas, the schema version, and write transactions.
//!
//! Opening never creates or writes anything until the file is known to be a
//! custos catalogue, so a foreign or damaged file is left exactly as found.
//! This module never prints and never decides what a reader may see.

mod checkpoint;
mod locate;
pub mod migrate;
pub mod pool;
mod sqlite_config;

use std::fs;
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::ffi::ErrorCode;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::model::Access;

pub use checkpoint::Background;
pub use locate::{locate, DB_FILE};
pub use sqlite_config::configure as configure_sqlite;

/// Marks a SQLite file as a custos catalogue ("CSTS").
/// The settings key of the intake default.
pub const INTAKE_SETTING: &str = "intake";
const APPLICATION_ID: i32 = 0x4353_5453;
const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Read commands: a read-only connection, so they can never write.
    Read,
    /// Commands that change the archive.
    Write,
}

pub struct InitOptions {
    pub default_access: Access,
    /// The access new items start with (`settings intake`).
    pub intake: crate::model::Intake,
}

pub struct Archive {
    root: PathBuf,
    conn: Connection,
}

impl Archive {
    /// Creates a new archive in `dir` (made if missing). Refuses an existing
    /// archive or a non-empty folder, so nothing of the user's is mixed in.
    pub fn init(dir: &Path, opts: &InitOptions) -> Result<Archive> {
        if dir.join(DB_FILE).exists() {
            return Err(Error::usage(format!(
                "{} is already a custos archive; nothing was changed",
                dir.display()
            )));
        }
        if dir.exists() {
            if !dir.is_dir() {
                return Err(Error::usage(format!(
                    "{} exists and is not a folder",
                    dir.display()
                )));
            }
            let mut entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
            if entries.next().is_some() {
                return Err(Error::usage(format!(
                    "{} is not empty and not a custos archive; choose an empty or new folder",
                    dir.display()
                )));
            }
        }
        match Self::create_layout(dir, opts) {
            Ok(a) => Ok(a),
            Err(e) => {
                Self::undo_init(dir);
                Err(e)
            }
        }
    }

    /// Removes what `init` made in `dir` (an archive nothing was imported
    /// into yet), so no half-made archive is left that later commands
    /// would trust. The folder itself stays.
    pub fn undo_init(dir: &Path) {
        for sub in [DB_FILE, "custos.db-wal", "custos.db-shm"] {
            let _ = fs::remove_file(dir.join(sub));
        }
        let _ = fs::remove_dir(dir.join("objects"));
        let _ = fs::remove_dir_all(dir.join("staging"));
    }

    fn create_layout(dir: &Path, opts: &InitOptions) -> Result<Archive> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true).mode(0o700);
        builder.create(dir).map_err(|e| Error::io(dir, e))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(dir, e))?;
        for sub in ["objects", "staging"] {
            let p = dir.join(sub);
            builder.create(&p).map_err(|e| Error::io(&p, e))?;
        }
        crate::store::init_staging(&dir.join("staging"))?;
        let db = dir.join(DB_FILE);
        // Created by us with 0600 first: SQLite gives its -wal and -shm files
        // the database file's mode.
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&db)
            .map_err(|e| Error::io(&db, e))?;
        let mut conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        apply_pragmas(&conn, Mode::Write)?;
        migrate::migrate(&mut conn)?;
        let mut archive = Archive {
            root: dir.to_path_buf(),
            conn,
        };
        let now = crate::clock::now_rfc3339();
        archive.write(|tx| {
            let mut set = tx.prepare("INSERT INTO settings (key, value) VALUES (?1, ?2)")?;
            set.execute(("archive_id", new_archive_id()))?;
            set.execute(("default_access", opts.default_access.as_str()))?;
            set.execute((INTAKE_SETTING, opts.intake.as_str()))?;
            set.execute(("created_at", &now))?;
            Ok(())
        })?;
        Ok(archive)
    }

    /// Opens the archive rooted at `root` (found by [`locate`]).
    pub fn open(root: &Path, mode: Mode) -> Result<Archive> {
        let db = root.join(DB_FILE);
        let marked = check_header(&db)?;
        let corrupt = |reason: String| Error::Corrupt {
            path: db.clone(),
            reason,
        };
        // Identify the file read-only first: a foreign database must not get
        // a WAL file or a schema from us. A file whose header carries our
        // application id is ours already; the probe, which parses the whole
        // schema once more (a third of a small command's time), is for a
        // header that does not say so yet (its id still in the WAL) or
        // says otherwise.
        if !marked {
            let probe = open_conn(
                root,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| corrupt(format!("cannot be opened as a catalogue: {e}")))?;
            let app: i32 = probe
                .pragma_query_value(None, "application_id", |r| r.get(0))
                .map_err(|e| corrupt(format!("damaged catalogue: {e}")))?;
            if app != APPLICATION_ID {
                return Err(corrupt(
                    "an SQLite database, but not a custos catalogue; nothing was changed".into(),
                ));
            }
        }
        let flags = match mode {
            Mode::Read => OpenFlags::SQLITE_OPEN_READ_ONLY,
            Mode::Write => OpenFlags::SQLITE_OPEN_READ_WRITE,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = open_conn(root, flags).map_err(|e| match e.sqlite_error_code() {
            // As the probe names them when it runs.
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                corrupt(format!("cannot be opened as a catalogue: {e}"))
            }
            _ => e.into(),
        })?;
        if mode == Mode::Write && conn.is_readonly("main")? {
            return Err(Error::ReadOnly(root.to_path_buf()));
        }
        apply_pragmas(&conn, mode)?;
        let version = migrate::current_version(&conn)?;
        if version != migrate::latest_version() {
            if mode == Mode::Read && version < migrate::latest_version() {
                // Read commands stay read-only; upgrading is a write. An
                // archive that cannot be written is read as it is.
                match Archive::open(root, Mode::Write) {
                    Ok(upgraded) => {
                        drop(upgraded);
                        drop(conn);
                        return Archive::open(root, Mode::Read);
                    }
                    Err(Error::ReadOnly(_)) => {
                        read_as_is(&conn, version)?;
                        begin_snapshot(&conn)?;
                        return Ok(Archive {
                            root: root.to_path_buf(),
                            conn,
                        });
                    }
                    Err(e) => return Err(e),
                }
            }
            migrate::migrate(&mut conn).map_err(|e| match e {
                Error::Corrupt { reason, .. } => corrupt(reason),
                other => other,
            })?;
            // A migration can rewrite every row in one transaction; fold
            // that WAL back now, or read-only commands (which cannot
            // checkpoint) would each re-index it on open. Best effort: a
            // reader holding the WAL only delays it.
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        if mode == Mode::Read {
            begin_snapshot(&conn)?;
        }
        Ok(Archive {
            root: root.to_path_buf(),
            conn,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// For installing per-connection hooks (authorizer, progress handler)
    /// on a read connection.
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Ends a read-mode archive's snapshot and takes a new one, so a
    /// long-lived reader (the web portal's pool) sees what was committed
    /// since. A write-mode archive has no snapshot to renew.
    pub fn renew_snapshot(&self) -> Result<()> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.conn.execute_batch("COMMIT")?;
        begin_snapshot(&self.conn)
    }

    pub fn objects_dir(&self) -> PathBuf {
        self.root.join("objects")
    }

    pub fn staging_dir(&self) -> PathBuf {
        self.root.join("staging")
    }
}

/// Starts the read transaction a read command runs in, to the end: every
/// query it makes sees one state of the catalogue (a `show` cannot pair
/// an item with another moment's consent), however long it takes and
/// whatever writers do meanwhile (WAL keeps the snapshot). The connection
/// is read-only, so the transaction is only ever closed, never committed.
fn begin_snapshot(conn: &Connection) -> Result<()> {
    conn.execute_batch("BEGIN DEFERRED")?;
    // A deferred transaction takes its snapshot at the first read: take it
    // now, so the state is the one at open.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
    Ok(())
}

impl Archive {
    /// Copies the catalogue to `dest` (an empty file or none) in one
    /// statement and one read snapshot, without free pages, so that what
    /// was purged does not travel in the copy's unused pages either.
    pub fn vacuum_into(&self, dest: &Path) -> Result<()> {
        let dest_str = dest.to_str().ok_or_else(|| {
            Error::usage(format!("{}: DEST must be a UTF-8 path", dest.display()))
        })?;
        // VACUUM runs outside any transaction; a read command's snapshot
        // ends here and a new one begins after.
        let in_snapshot = !self.conn.is_autocommit();
        if in_snapshot {
            self.conn.execute_batch("COMMIT")?;
        }
        let copied = self.conn.execute("VACUUM INTO ?1", [dest_str]);
        if in_snapshot {
            begin_snapshot(&self.conn)?;
        }
        copied.map_err(|e| {
            Error::Failed(format!(
                "{}: copying the catalogue failed: {e}",
                dest.display()
            ))
        })?;
        Ok(())
    }

    /// Runs `f` in a write transaction taken at its start (BEGIN IMMEDIATE),
    /// so writers queue on the busy timeout instead of failing half-way, and
    /// the event chain's head cannot move under us.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` as [`write`](Self::write) would, then rolls it back: a
    /// dry run computes exactly what the real run would change (checks,
    /// values, event details) and keeps nothing.
    pub fn rehearse<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.rollback()?;
        Ok(out)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The access newly imported items start with: the archive's `intake`
    /// setting; open for an archive made before intake existed (it keeps
    /// the behaviour it had; `custos settings intake closed` changes it).
    pub fn intake(&self) -> Result<crate::model::Intake> {
        match self.setting(INTAKE_SETTING)? {
            None => Ok(crate::model::Intake::Open),
            Some(s) => s.parse().map_err(|e: String| Error::Corrupt {
                path: self.root.join(DB_FILE),
                reason: format!("setting intake: {e}"),
            }),
        }
    }

    /// The access level used when a command is not given `--access`.
    pub fn default_access(&self) -> Result<Access> {
        Ok(self
            .setting("default_access")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(Access::Research))
    }
}

/// Opens the catalogue. A WAL catalogue on read-only media (or in a folder
/// we may not write) cannot get its `-shm` file; when no `-wal` holds
/// unmerged changes it is then opened immutable, which is exact because
/// nothing can change it there. With a non-empty `-wal` we refuse rather
/// than read a stale catalogue.
fn open_conn(root: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let db = root.join(DB_FILE);
    let first = Connection::open_with_flags(&db, flags).and_then(|c| {
        // Opening is lazy: read the schema now so a missing -shm shows here.
        c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(c)
    });
    let err = match first {
        Ok(c) => return Ok(c),
        Err(e) => e,
    };
    let wal = root.join(format!("{DB_FILE}-wal"));
    let wal_empty = fs::metadata(&wal).map(|m| m.len() == 0).unwrap_or(true);
    if err.sqlite_error_code() != Some(ErrorCode::CannotOpen) || writable(root) || !wal_empty {
        return Err(err);
    }
    let uri = format!("file:{}?immutable=1", uri_path(&db));
    Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// Whether this process may create files in `dir` (false on read-only media).
fn writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: access() reads a NUL-terminated path we own.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

/// Percent-encodes a path for an SQLite `file:` URI.
fn uri_path(p: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in p.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The oldest schema read without upgrading: from 4 on, items carry the
/// derived columns every read path filters on.
const OLDEST_READABLE: i64 = 4;

/// The schema version that added items' own access (0008_item_access),
/// which also rebuilt the tallies (0006_policy_tallies) with it.
const ITEM_ACCESS_ADDED: i64 = 8;

/// The schema version that added deaccession (0016_deaccession).
const DEACCESSION_ADDED: i64 = 16;

/// The schema version that added notes (0017_notes).
const NOTES_ADDED: i64 = 17;
/// Migration 0018 added the folded full-text twins.
const FOLD_ADDED: i64 = 18;
/// Migration 0023 added the holdings tally (by collection, language and
/// decade).
const HOLDINGS_TALLY_ADDED: i64 = 23;
/// The first version whose tallies key dates by year, beside day tallies
/// of the dated rows (migration 0025).
const TALLY_DAYS_ADDED: i64 = 25;
/// Migration 0028 keeps the digests in levels (`catalogue::digests`).
const DIGEST_LEVELS_ADDED: i64 = 28;
/// Migration 0029 keeps the prefixes of the largest level's digests.
const DIGEST_PREFIXES_ADDED: i64 = 29;

/// Prepares a catalogue that could not be upgraded (read-only media) to be
/// read at its own version: what later migrations derive is stood in for
/// by TEMP tables. Never writes to the archive.
fn read_as_is(conn: &Connection, version: i64) -> Result<()> {
    if version < OLDEST_READABLE {
        return Err(Error::Failed(format!(
            "the catalogue has schema version {version} and this custos reads version {OLDEST_READABLE} or later \
             without upgrading it; the archive is read-only, so it cannot be upgraded here. Copy the \
             archive folder to writable storage and run any custos command there once"
        )));
    }
    if version < ITEM_ACCESS_ADDED {
        // Every item of an older catalogue is open by its own access: a
        // TEMP view of the same name shadows the items table with the two
        // columns the policy reads, and an empty history stands in for
        // verify. The tallies are then recounted through that view.
        conn.execute_batch(
            "CREATE TEMP VIEW items AS
                 SELECT *, NULL AS access_level, NULL AS access_until FROM main.items;
             CREATE TEMP TABLE access_events (id INTEGER PRIMARY KEY, item_id INTEGER,
                 level TEXT, until TEXT, reason TEXT, event_id INTEGER,
                 recorded_at TEXT, recorded_by TEXT);",
        )?;
    }
    if version < ITEM_ACCESS_ADDED {
        crate::catalogue::tally::stand_in(conn, |_| true)?;
    } else if version < TALLY_DAYS_ADDED {
        crate::catalogue::tally::stand_in(conn, |table| {
            table.ends_with("_day") || (version < HOLDINGS_TALLY_ADDED && table == "tally_holdings")
        })?;
    }
    if version < DEACCESSION_ADDED {
        // Nothing was deaccessioned before deaccession existed; the
        // policy's facts and verify read this table.
        conn.execute_batch(
            "CREATE TEMP TABLE deaccessions (item_id INTEGER PRIMARY KEY, reason TEXT,
                 accession_id INTEGER, event_id INTEGER, recorded_at TEXT, recorded_by TEXT,
                 bytes_erased_at TEXT);",
        )?;
    }
    if version < NOTES_ADDED {
        conn.execute_batch(
            "CREATE TEMP TABLE item_notes (id INTEGER PRIMARY KEY, item_id INTEGER,
                 audience TEXT, text TEXT, recorded_at TEXT, recorded_by TEXT);",
        )?;
    }
    if version < FOLD_ADDED {
        // Empty twins: a catalogue from before 0018 is searched as written.
        conn.execute_batch(
            "CREATE VIRTUAL TABLE temp.item_fts_fold USING fts5(title, body, content = '');
             CREATE VIRTUAL TABLE temp.item_fts_full_fold USING fts5(title, body, content = '');
             CREATE VIRTUAL TABLE temp.item_fts_timed_fold USING fts5(text, content = '');",
        )?;
    }
    if version < DIGEST_LEVELS_ADDED {
        // Before 0028 objects.sha256 had an index of its own (UNIQUE): the
        // stand-in view finds a digest with it, as the levels would.
        conn.execute_batch(
            "CREATE TEMP VIEW object_digests (sha256, object_id) AS SELECT sha256, id FROM main.objects;
             CREATE TEMP TABLE object_digests_2 (sha256 TEXT PRIMARY KEY, object_id INTEGER) WITHOUT ROWID;",
        )?;
    }
    if version < DIGEST_PREFIXES_ADDED {
        // `verify --full` matches level 2 against its prefixes (0029): a
        // TEMP copy of what the migration would have written, one pass in
        // key order (level 2 is empty in the stand-in above).
        conn.execute_batch(
            "CREATE TEMP TABLE object_digest_prefixes (prefix TEXT PRIMARY KEY) WITHOUT ROWID;
             INSERT OR IGNORE INTO temp.object_digest_prefixes (prefix)
                 SELECT substr(sha256, 1, 8) FROM object_digests_2 ORDER BY sha256;",
        )?;
    }
    Ok(())
}

fn apply_pragmas(conn: &Connection, mode: Mode) -> Result<()> {
    let timeout = std::env::var("CUSTOS_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_BUSY_TIMEOUT);
    conn.busy_timeout(timeout)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    // FULL: an import that said "done" survives a power cut, WAL or not.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -32_768)?;
    // Readers map the catalogue: queries over a million rows read it faster
    // so. Writers do not: every mapped page they touch counts toward their
    // resident memory, which then grew with the catalogue (277 MiB importing
    // 100,000 files, 76 MiB without the map), for a few percent of speed.
    if mode == Mode::Write {
        conn.pragma_update(None, "mmap_size", 0)?;
    } else {
        conn.pragma_update(None, "mmap_size", 268_435_456_i64)?;
    }
    if mode == Mode::Write {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Purged testimony must not linger in freed pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        // After a checkpoint, a WAL grown by a large transaction is cut back
        // to this size instead of staying on disk at its peak.
        conn.pragma_update(None, "journal_size_limit", 67_108_864_i64)?;
    }
    Ok(())
}

/// Rejects, before SQLite sees it, a file that is empty, foreign, zeroed or
/// visibly truncated: SQLite would treat an empty file as a fresh database.
/// Checks the file's SQLite header for damage; true if it already carries
/// custos's application id.
fn check_header(db: &Path) -> Result<bool> {
    let corrupt = |reason: &str| Error::Corrupt {
        path: db.to_path_buf(),
        reason: format!("{reason}; nothing was changed"),
    };
    let mut f = fs::File::open(db).map_err(|e| Error::io(db, e))?;
    let len = f.metadata().map_err(|e| Error::io(db, e))?.len();
    if len == 0 {
        return Err(corrupt("empty file, not a custos catalogue"));
    }
    let mut header = [0u8; 100];
    if len < 100 || f.read_exact(&mut header).is_err() {
        return Err(corrupt("too short to be a catalogue (truncated?)"));
    }
    if &header[..16] != b"SQLite format 3\0" {
        return Err(corrupt("not a custos catalogue (not an SQLite database)"));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    if page_size < 512 || !page_size.is_power_of_two() {
        return Err(corrupt("damaged catalogue header"));
    }
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    let wal = db.with_file_name(format!("{DB_FILE}-wal"));
    if len % page_size != 0 || (pages * page_size > len && !wal.exists()) {
        return Err(corrupt("catalogue file is truncated"));
    }
    let app = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    Ok(app == APPLICATION_ID)
}

fn new_archive_id() -> String {
    let mut bytes = [0u8; 16];
    // The id only tells archives apart; a clock fallback is good enough.
    if getrandom::fill(&mut bytes).is_err() {
        let t = crate::clock::now().timestamp_nanos_opt().unwrap_or(0);
        bytes[..8].copy_from_slice(&t.to_le_bytes());
        bytes[8..12].copy_from_slice(&std::process::id().to_le_bytes());
    }
    crate::model::Sha256::from_digest(&bytes).to_string()
}
