//! Signed heads: a short statement of the event log's head (archive id,
//! event count, head event id and hash, time) signed with a minisign key,
//! so the history can be checked against a head kept where whoever
//! rewrites the archive cannot reach (`log --head --sign`, `verify --head
//! FILE --pubkey KEY.pub`).
//!
//! The statement is plain text and its signature a `.minisig` file beside
//! it, so `minisign -Vm FILE -p KEY.pub` verifies it without custos. This
//! module reads the log and writes statement files; it never changes the
//! catalogue, never prints, and never trusts a statement before its
//! signature is checked. A statement holds no secret and no item data.

pub mod keys;

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use crate::catalogue::chain::Break;
use crate::catalogue::{events, settings};
use crate::error::{Error, Result};
pub use keys::{Protection, Public, Secret};

/// First line of every statement: names the format and its version.
const MAGIC: &str = "custos signed head, format 1";

/// The latest signed head, kept in the archive folder (and copied by
/// `backup` to the same place in the copy, and by `export` into bags).
pub const KEPT: &str = "signed-head.txt";

/// The signature's file name for statement `file`: `FILE.minisig`, where
/// `minisign -Vm FILE` looks for it.
pub fn signature_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_os_string();
    s.push(".minisig");
    PathBuf::from(s)
}

/// What a signed head states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub archive_id: String,
    pub events: u64,
    pub head_event_id: i64,
    pub head_hash: String,
    pub signed_at: String,
}

impl Statement {
    /// The head of the archive's log now (see [`Statement::current`]).
    pub fn of(archive: &crate::archive::Archive, now: &str) -> Result<Statement> {
        Statement::current(archive.conn(), now)
    }

    /// The head of `conn`'s log now. Refused for an empty log: there is no
    /// event to vouch for yet.
    pub(crate) fn current(conn: &Connection, now: &str) -> Result<Statement> {
        let archive_id = settings::get(conn, settings::ARCHIVE_ID)?
            .ok_or_else(|| Error::Failed("the archive has no archive_id setting".into()))?;
        let (head_event_id, head_hash) = events::head_with_id(conn)?;
        if head_event_id == 0 {
            return Err(Error::usage(
                "the event log is empty: there is no head to sign yet (import something first)",
            ));
        }
        let events = count(conn)?;
        Ok(Statement {
            archive_id,
            events,
            head_event_id,
            head_hash,
            signed_at: now.to_string(),
        })
    }

    /// The statement file's text: `key: value` lines under the magic line;
    /// `#` lines are for the human reading a printout.
    pub fn to_text(&self) -> String {
        format!(
            "{MAGIC}\n\
             archive_id: {}\n\
             events: {}\n\
             head_event_id: {}\n\
             head_hash: {}\n\
             signed_at: {}\n\
             # Check the signature without custos: minisign -Vm THIS-FILE -p KEY.pub\n\
             # Check the archive against it: custos verify --head THIS-FILE --pubkey KEY.pub\n",
            self.archive_id, self.events, self.head_event_id, self.head_hash, self.signed_at
        )
    }

    /// The signed comment `minisign -V` prints: the head at a glance.
    pub fn trusted_comment(&self) -> String {
        format!(
            "custos head: archive {} events {} event {} hash {} at {}",
            self.archive_id, self.events, self.head_event_id, self.head_hash, self.signed_at
        )
    }

    /// Parses a statement's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Statement> {
        let bad = |what: String| {
            Error::Failed(format!(
                "{}: not a custos head statement: {what}",
                path.display()
            ))
        };
        let mut lines = text.lines();
        if lines.next().map(str::trim_end) != Some(MAGIC) {
            return Err(bad(format!("the first line is not {MAGIC:?}")));
        }
        let mut fields = std::collections::HashMap::new();
        for (n, line) in lines.enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line
                .split_once(": ")
                .ok_or_else(|| bad(format!("line {}: expected `key: value`", n + 2)))?;
            if fields.insert(k, v).is_some() {
                return Err(bad(format!("line {}: {k} given twice", n + 2)));
            }
        }
        let field = |k: &str| {
            fields
                .get(k)
                .map(|v| v.to_string())
                .ok_or_else(|| bad(format!("no {k} line")))
        };
        let number = |k: &str| {
            field(k)?
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(format!("{k} is not a positive whole number")))
        };
        let head_hash = field("head_hash")?;
        if head_hash.len() != 64
            || !head_hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(bad("head_hash is not 64 lower-case hex digits".into()));
        }
        Ok(Statement {
            archive_id: field("archive_id")?,
            events: number("events")? as u64,
            head_event_id: number("head_event_id")?,
            head_hash,
            signed_at: field("signed_at")?,
        })
    }
}

/// A statement file and its signature, checked with `public`. The statement
/// is parsed only once the signature holds.
pub fn read_signed(file: &Path, public: &Public) -> Result<Statement> {
    let data = fs::read(file).map_err(|e| Error::io(file, e))?;
    let sig_path = signature_path(file);
    let sig = fs::read_to_string(&sig_path).map_err(|e| Error::io(&sig_path, e))?;
    keys::verify(public, &data, &sig, &sig_path)?;
    let text = String::from_utf8(data)
        .map_err(|_| Error::Failed(format!("{}: not UTF-8 text", file.display())))?;
    Statement::parse(&text, file)
}

/// Refuses a statement of another archive.
pub fn check_archive(s: &Statement, archive: &crate::archive::Archive, file: &Path) -> Result<()> {
    let ours = settings::get(archive.conn(), settings::ARCHIVE_ID)?.unwrap_or_default();
    if s.archive_id != ours {
        return Err(Error::Failed(format!(
            "{}: the signed head is of ANOTHER ARCHIVE ({}); this archive is {ours}",
            file.display(),
            s.archive_id
        )));
    }
    Ok(())
}

/// Why a log does not extend a signed head: the first event at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub event_id: i64,
    pub why: String,
    /// An event the head covers is gone (reported before any edit).
    missing: bool,
}

/// Whether the log in `conn` still holds the signed head: every event up to
/// it present, the head event still holding the signed hash, and no fewer
/// events. Run it before anything appends (verify records its checks),
/// then add the chain's verdict with [`with_chain`].
pub fn extension_problem(
    archive: &crate::archive::Archive,
    s: &Statement,
) -> Result<Option<Problem>> {
    extension_problem_in(archive.conn(), s)
}

pub(crate) fn extension_problem_in(conn: &Connection, s: &Statement) -> Result<Option<Problem>> {
    let last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?;
    if let Some(missing) = first_missing(conn, s.head_event_id)? {
        let why = if missing > last {
            format!(
                "events {missing}..{} are missing: the signed head covers {} event(s), this history ends at event {last} (truncated)",
                s.head_event_id, s.head_event_id
            )
        } else {
            format!(
                "event {missing} is missing: deleted from the history the signed head covers (events 1..{})",
                s.head_event_id
            )
        };
        return Ok(Some(Problem {
            event_id: missing,
            why,
            missing: true,
        }));
    }
    let stored: Option<String> = conn
        .query_row(
            "SELECT hash FROM events WHERE id = ?1",
            [s.head_event_id],
            |r| r.get(0),
        )
        .optional()?;
    if stored.as_deref() != Some(s.head_hash.as_str()) {
        return Ok(Some(Problem {
            event_id: s.head_event_id,
            why: format!(
                "event {} no longer has the signed hash {} (it has {}): the history up to it was rewritten and its hashes recomputed",
                s.head_event_id,
                s.head_hash,
                stored.unwrap_or_default()
            ),
            missing: false,
        }));
    }
    let count = count(conn)?;
    if count < s.events {
        return Ok(Some(Problem {
            event_id: last + 1,
            why: format!(
                "the history holds {count} event(s), fewer than the {} the signed head counted",
                s.events
            ),
            missing: true,
        }));
    }
    Ok(None)
}

/// Adds the chain check's first break (`broken`): an event the head covers
/// that no longer matches its hash is named before the head's own hash
/// (which a forger may have recomputed), after any missing event.
pub fn with_chain(
    found: Option<Problem>,
    s: &Statement,
    broken: Option<&Break>,
) -> Option<Problem> {
    if found.as_ref().is_some_and(|p| p.missing) {
        return found;
    }
    match broken.filter(|b| b.event_id <= s.head_event_id) {
        Some(b) => Some(Problem {
            event_id: b.event_id,
            why: format!(
                "event {} was changed: {}; the signed head covers events 1..{}",
                b.event_id, b.problem, s.head_event_id
            ),
            missing: false,
        }),
        None => found,
    }
}

fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The smallest id in 1..=upto with no event, if any.
fn first_missing(conn: &Connection, upto: i64) -> Result<Option<i64>> {
    // Ids are unique integers: all of 1..=upto are there exactly when
    // there are upto of them, a count the primary key answers quickly.
    let present: i64 = conn.query_row(
        "SELECT count(*) FROM events WHERE id BETWEEN 1 AND ?1",
        [upto],
        |r| r.get(0),
    )?;
    if present == upto {
        return Ok(None);
    }
    let has_first: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM events WHERE id = 1)",
        [],
        |r| r.get(0),
    )?;
    if !has_first {
        return Ok(Some(1));
    }
    let gap: Option<i64> = conn.query_row(
        "SELECT min(e.id) + 1 FROM events e
          WHERE e.id < ?1 AND NOT EXISTS (SELECT 1 FROM events f WHERE f.id = e.id + 1)",
        [upto],
        |r| r.get(0),
    )?;
    Ok(gap)
}

/// Writes `text` and its signature as `file` and `file.minisig`, each to a
/// temp file beside it first. `replace`: the kept copy in the archive is
/// replaced; elsewhere an existing statement is never overwritten.
pub fn write_pair(file: &Path, text: &str, sig: &str, replace: bool) -> Result<()> {
    let sig_path = signature_path(file);
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    if !replace {
        for p in [file, sig_path.as_path()] {
            if p.exists() {
                return Err(Error::usage(format!(
                    "{} already exists; custos never overwrites a signed head (choose another --out)",
                    p.display()
                )));
            }
        }
    }
    let staged_sig = stage(&sig_path, sig.as_bytes())?;
    let staged_text = stage(file, text.as_bytes())?;
    // The signature goes first: a crash between the two renames leaves a
    // pair that fails verification loudly, never a statement that passes
    // with a stale signature.
    place(staged_sig, &sig_path, replace)?;
    place(staged_text, file, replace)
}

fn stage(target: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".custos-head-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(target, e))?;
    Ok(tmp)
}

fn place(tmp: tempfile::NamedTempFile, target: &Path, replace: bool) -> Result<()> {
    if replace {
        tmp.persist(target)
            .map_err(|e| Error::io(target, e.error))?;
    } else {
        tmp.persist_noclobber(target)
            .map_err(|e| Error::io(target, e.error))?;
    }
    Ok(())
}

/// The kept statement and signature in `root`, when both exist.
pub fn kept(root: &Path) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let file = root.join(KEPT);
    let read = |p: &Path| match fs::read(p) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(p, e)),
    };
    Ok(match (read(&file)?, read(&signature_path(&file))?) {
        (Some(t), Some(s)) => Some((t, s)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::events::{EventLog, EventType};

    fn db(n: i64) -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::archive::migrate::migrate(&mut c).unwrap();
        c.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('archive_id', 'fictional-1')",
            [],
        )
        .unwrap();
        let mut log = EventLog::new(&c).unwrap();
        for _ in 0..n {
            log.append(
                EventType::Ingestion,
                None,
                "t",
                "success",
                None,
                "2026-01-01T00:00:00Z",
            )
            .unwrap();
        }
        c
    }

    #[test]
    fn a_statement_reads_back_what_it_says() {
        let c = db(3);
        let s = Statement::current(&c, "2026-11-29T08:00:00Z").unwrap();
        assert_eq!((s.events, s.head_event_id), (3, 3));
        let back = Statement::parse(&s.to_text(), Path::new("h.txt")).unwrap();
        assert_eq!(back, s);
        assert!(Statement::parse("hello\n", Path::new("h.txt")).is_err());
        let no_hash = s.to_text().replace("head_hash", "head_hush");
        assert!(Statement::parse(&no_hash, Path::new("h.txt")).is_err());
        assert!(Statement::current(&db(0), "x").is_err(), "nothing to sign");
    }

    #[test]
    fn a_log_that_still_extends_the_head_passes_and_one_that_does_not_is_named() {
        let check = |c: &Connection, s: &Statement, b: Option<&Break>| {
            with_chain(extension_problem_in(c, s).unwrap(), s, b).map(|p| (p.event_id, p.why))
        };
        let c = db(3);
        let s = Statement::current(&c, "t").unwrap();
        assert_eq!(check(&c, &s, None), None);
        let mut log = EventLog::new(&c).unwrap();
        log.append(EventType::Export, None, "t", "success", None, "t")
            .unwrap();
        assert_eq!(check(&c, &s, None), None, "appended");
        let late = Break {
            event_id: 4,
            problem: "edited".into(),
        };
        assert_eq!(
            check(&c, &s, Some(&late)),
            None,
            "a break after the head is the chain's finding"
        );

        c.execute("DELETE FROM events WHERE id >= 3", []).unwrap();
        let (id, why) = check(&c, &s, None).unwrap();
        assert_eq!(id, 3, "{why}");
        assert!(why.contains("truncated"), "{why}");

        let c = db(4);
        let s = Statement::current(&c, "t").unwrap();
        c.execute("DELETE FROM events WHERE id = 2", []).unwrap();
        let b = Break {
            event_id: 3,
            problem: "events 2..2 before it are missing".into(),
        };
        assert_eq!(check(&c, &s, Some(&b)).unwrap().0, 2);

        let c = db(3);
        let s = Statement::current(&c, "t").unwrap();
        let b = Break {
            event_id: 2,
            problem: "edited".into(),
        };
        assert_eq!(check(&c, &s, Some(&b)).unwrap().0, 2);
        c.execute("UPDATE events SET hash = 'x' WHERE id = 3", [])
            .unwrap();
        assert_eq!(
            check(&c, &s, Some(&b)).unwrap().0,
            2,
            "the first changed event"
        );
        let (id, why) = check(&c, &s, None).unwrap();
        assert_eq!(id, 3);
        assert!(why.contains("rewritten"), "{why}");
    }

    #[test]
    fn pairs_are_written_whole_and_never_over_a_kept_copy_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("h.txt");
        write_pair(&f, "a", "sig a", false).unwrap();
        assert!(write_pair(&f, "b", "sig b", false).is_err());
        assert_eq!(fs::read_to_string(&f).unwrap(), "a");
        write_pair(&f, "b", "sig b", true).unwrap();
        assert_eq!(fs::read_to_string(signature_path(&f)).unwrap(), "sig b");
        assert!(kept(dir.path()).unwrap().is_none());
        write_pair(&dir.path().join(KEPT), "k", "s", true).unwrap();
        assert_eq!(
            kept(dir.path()).unwrap(),
            Some((b"k".to_vec(), b"s".to_vec()))
        );
        let leftovers = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".custos-head-")
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}
