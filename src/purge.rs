//! Purge: erasing a withdrawn testimony for good, so that no trace of what
//! it said, who said it or where it came from remains in the archive folder.
//!
//! Erased: the object's bytes (overwritten, then unlinked), extracted text,
//! both full-text entries, redactions and the redacted copy, provenance
//! records, subject terms used by nothing else, the testimony link, the
//! narrator (with the sealed identity) when no other testimony names them,
//! consent reasons, and the detail (and salt) of every event of the item.
//! What stays: the item row as a tombstone (id, kind `testimony`,
//! collection, title `(purged)`), its consent states and dates, the object
//! row marked `purged_at` with its digest replaced by a random value (a
//! digest would let whoever holds a copy of the recording prove it was
//! here), the event chain (it covers only detail hashes, so it still
//! verifies) and a `purge` event with date, agent and reason. Afterwards
//! the WAL is checkpointed and truncated, the full-text indexes are merged
//! and the file is vacuumed, so freed pages (already zeroed by
//! `secure_delete`) are gone. Only `policy::purgeable` decides what may be
//! purged; this module never prints.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::narrators::{self, NarratorId};
use crate::error::{Error, Result};
use crate::model::{ItemId, Sha256};
use crate::{policy, store};

pub struct PurgeOptions {
    pub item: ItemId,
    pub agent: String,
    pub reason: Option<String>,
}

/// What a purge did, for the summary.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// The item had been purged before; only the clean-up ran again.
    pub already_purged: bool,
    pub narrator_removed: bool,
    /// False when another process kept the WAL from being truncated.
    pub wal_truncated: bool,
}

pub fn purge(archive: &mut Archive, opts: &PurgeOptions) -> Result<Outcome> {
    let id = opts.item;
    let objects = archive.objects_dir();
    let now = crate::clock::now_rfc3339();
    let (already_purged, narrator_removed) = archive.write(|tx| {
        let facts = policy::sql::load_facts(tx, id)?
            .ok_or_else(|| Error::usage(format!("no item {id} in this archive")))?;
        policy::purgeable(&facts)
            .map_err(|why| Error::Refused(format!("item {id} cannot be purged: {why}")))?;
        let (sha, purged_at): (Sha256, Option<String>) = tx.query_row(
            "SELECT o.sha256, o.purged_at FROM items i JOIN objects o ON o.id = i.object_id WHERE i.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if purged_at.is_some() {
            return Ok((true, false));
        }
        // Copies at other sites become purges owed to them (finished by
        // `sites::finish_purges`), before the digest is erased below.
        crate::catalogue::copies::owe_purges_of_item(
            tx,
            id,
            &crate::sites::key_of(&sha),
            &now,
        )?;
        let narrator_removed = erase_rows(tx, id, &now)?;
        let detail = serde_json::json!({ "reason": opts.reason });
        EventLog::new(tx)?.append(
            EventType::Purge,
            Some(id),
            &opts.agent,
            "success",
            Some(&detail),
            &now,
        )?;
        // Last, so any failure above leaves the bytes; if the commit fails
        // after this, the item reads as damaged and a second purge finishes.
        erase_object(&objects, &sha)?;
        Ok((false, narrator_removed))
    })?;
    let wal_truncated = clean_database(archive)?;
    Ok(Outcome {
        already_purged,
        narrator_removed,
        wal_truncated,
    })
}

/// What purge does to each catalogue table that describes an item (the
/// statements take the item id). `testimonies` and `items` are handled
/// apart (the narrator may go too; the item row stays as a tombstone). A
/// schema test requires every table that names an item to be here or
/// there, so a new table cannot keep what a purge should erase.
pub const ERASES: &[(&str, &str)] = &[
    ("item_text", "DELETE FROM item_text WHERE item_id = ?1"),
    // A `changed` check's actual digest could identify the bytes.
    (
        "fixity",
        "DELETE FROM fixity WHERE object_id = (SELECT object_id FROM items WHERE id = ?1)",
    ),
    ("redactions", "DELETE FROM redactions WHERE item_id = ?1"),
    (
        "redacted_text",
        "DELETE FROM redacted_text WHERE item_id = ?1",
    ),
    ("item_terms", "DELETE FROM item_terms WHERE item_id = ?1"),
    ("provenance", "DELETE FROM provenance WHERE item_id = ?1"),
    (
        "consent_events",
        "UPDATE consent_events SET reason = NULL WHERE item_id = ?1",
    ),
    (
        "consent_current",
        "UPDATE consent_current SET reason = NULL WHERE item_id = ?1",
    ),
    // A closure's reason may say what the item held.
    (
        "access_events",
        "UPDATE access_events SET reason = NULL WHERE item_id = ?1",
    ),
    (
        "events",
        "UPDATE events SET detail = NULL, detail_salt = NULL WHERE item_id = ?1",
    ),
    // What the item said (claims from it, or about it) goes with it; a name
    // it attested goes too, unless it is its term's label, which then
    // keeps no trace of where it came from.
    (
        "claims",
        "DELETE FROM claims WHERE source_item = ?1 OR subject_item = ?1",
    ),
    (
        "term_names",
        "DELETE FROM term_names WHERE source_item = ?1
         AND key <> (SELECT t.key FROM terms t WHERE t.id = term_names.term_id)",
    ),
    (
        "term_names",
        "UPDATE term_names SET source_item = NULL, locator = NULL WHERE source_item = ?1",
    ),
    // Which accession it came in is where it came from, as provenance is.
    (
        "accession_items",
        "DELETE FROM accession_items WHERE item_id = ?1",
    ),
    // Who read the withdrawn testimony on the web, and when (issue 15).
    (
        "research_access_log",
        "DELETE FROM research_access_log WHERE item_id = ?1",
    ),
    // An agreement is never a testimony (`ops::accession` refuses one), so
    // this never matches; kept so no path leaves a purged item named.
    (
        "accessions",
        "UPDATE accessions SET agreement_item_id = NULL WHERE agreement_item_id = ?1",
    ),
    // A note can say what the item said, or who said it.
    ("item_notes", "DELETE FROM item_notes WHERE item_id = ?1"),
    // A deaccessioned item is never purged (`policy::purgeable` refuses
    // it), so this never matches, and would be refused by the catalogue if
    // it did: a deaccession is never undone. Listed so that every table
    // naming an item is accounted for here.
    (
        "deaccessions",
        "DELETE FROM deaccessions WHERE item_id = ?1",
    ),
    // Recordings (issue 12): what was said, indexed and closed, and the
    // technical metadata of the bytes.
    ("cues", "DELETE FROM cues WHERE item_id = ?1"),
    ("transcripts", "DELETE FROM transcripts WHERE item_id = ?1"),
    (
        "item_fts_timed_fold",
        "INSERT INTO item_fts_timed_fold (item_fts_timed_fold, rank) SELECT 'secure-delete', 1 WHERE ?1 IS NOT NULL",
    ),
    // The twin first: its rows are found through the timed index's rowids.
    (
        "item_fts_timed_fold",
        "DELETE FROM item_fts_timed_fold WHERE rowid IN (SELECT rowid FROM item_fts_timed WHERE item_id = ?1)",
    ),
    (
        "item_fts_timed",
        "INSERT INTO item_fts_timed (item_fts_timed, rank) SELECT 'secure-delete', 1 WHERE ?1 IS NOT NULL",
    ),
    (
        "item_fts_timed",
        "DELETE FROM item_fts_timed WHERE item_id = ?1",
    ),
    (
        "segment_terms",
        "DELETE FROM segment_terms WHERE item_id = ?1",
    ),
    ("segments", "DELETE FROM segments WHERE item_id = ?1"),
    ("passages", "DELETE FROM passages WHERE item_id = ?1"),
    (
        "recordings",
        "DELETE FROM recordings WHERE object_id = (SELECT object_id FROM items WHERE id = ?1)",
    ),
];

/// Tables purge rewrites by hand in [`erase_rows`].
pub const REWRITES: &[&str] = &["testimonies", "items"];

/// Erases the catalogue rows of the item; true when its narrator went too.
fn erase_rows(tx: &Connection, id: ItemId, now: &str) -> Result<bool> {
    // Secure deletion: FTS5 otherwise keeps deleted tokens in its
    // segments until merged.
    crate::catalogue::fts::erase(tx, id)?;
    let term_ids: Vec<i64> = {
        let mut stmt = tx.prepare(
            "SELECT term_id FROM item_terms WHERE item_id = ?1
             UNION SELECT term_id FROM segment_terms WHERE item_id = ?1",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (_, sql) in ERASES {
        tx.execute(sql, [id])?;
    }
    for term in term_ids {
        // A term only this testimony used (a village, a neighbour) names it.
        tx.execute(
            "DELETE FROM terms WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM item_terms WHERE term_id = ?1)
             AND NOT EXISTS (SELECT 1 FROM claims WHERE subject_term = ?1)
             AND NOT EXISTS (SELECT 1 FROM segment_terms WHERE term_id = ?1)",
            [term],
        )?;
    }
    let narrator: Option<Option<NarratorId>> = tx
        .query_row(
            "SELECT narrator_id FROM testimonies WHERE item_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    tx.execute("DELETE FROM testimonies WHERE item_id = ?1", [id])?;
    let narrator_removed = match narrator.flatten() {
        Some(n) => narrators::delete_if_unused(tx, n)?,
        None => false,
    };
    tx.execute(
        "UPDATE items SET title = '(purged)', description = NULL, creator = NULL, date = NULL,
                date_lower = NULL, date_upper = NULL, language = NULL,
                coverage = NULL, coverage_lower = NULL, coverage_upper = NULL, rights = NULL,
                location = NULL, updated_at = ?2
         WHERE id = ?1",
        params![id, now],
    )?;
    tx.execute(
        "UPDATE objects SET sha256 = ?2, size = 0, media_type = 'application/octet-stream', purged_at = ?3
         WHERE id = (SELECT object_id FROM items WHERE id = ?1)",
        params![id, random_digest(), now],
    )?;
    Ok(narrator_removed)
}

/// A stand-in for the erased digest: random, so it matches no file.
fn random_digest() -> Sha256 {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        let t = crate::clock::now().timestamp_nanos_opt().unwrap_or(0);
        bytes[..8].copy_from_slice(&t.to_le_bytes());
        bytes[8..12].copy_from_slice(&std::process::id().to_le_bytes());
    }
    use sha2::Digest;
    Sha256::from_digest(&sha2::Sha256::digest(bytes))
}

/// Overwrites the object with zeros (best effort against recovery from the
/// disk; journaling and copy-on-write file systems may keep old blocks),
/// then unlinks it and the folders it leaves empty. A missing file is fine:
/// a purge interrupted after this point is run again.
pub(crate) fn erase_object(objects: &Path, sha: &Sha256) -> Result<()> {
    let path = store::object_path(objects, sha);
    let meta = match fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&path, e)),
    };
    if meta.is_file() {
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(&path, e))?;
        let mut f = fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let zeros = vec![0u8; 64 * 1024];
        let mut left = meta.len();
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            f.write_all(&zeros[..n]).map_err(|e| Error::io(&path, e))?;
            left -= n as u64;
        }
        f.sync_all().map_err(|e| Error::io(&path, e))?;
    }
    fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| *d != objects) {
        if let Ok(f) = fs::File::open(d) {
            let _ = f.sync_all();
        }
        // Fails (and stops) at the first folder that still holds objects.
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    if let Ok(f) = fs::File::open(objects) {
        let _ = f.sync_all();
    }
    Ok(())
}

/// Merges the full-text indexes, truncates the WAL and vacuums, so erased
/// rows survive neither in freed pages nor in old WAL frames. Returns false
/// when a reader kept the WAL from being truncated.
pub fn clean_database(archive: &mut Archive) -> Result<bool> {
    archive.write(|tx| {
        for t in crate::catalogue::fts::ALL_TABLES {
            tx.execute(&format!("INSERT INTO {t} ({t}) VALUES ('optimize')"), [])?;
        }
        Ok(())
    })?;
    let conn = archive.conn();
    let checkpoint = |conn: &Connection| -> Result<bool> {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok(busy == 0)
    };
    let first = checkpoint(conn)?;
    conn.execute_batch("VACUUM")?;
    // VACUUM in WAL mode writes the rebuilt pages through the WAL.
    let second = checkpoint(conn)?;
    Ok(first && second)
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// Every table that names an item (a foreign key to `items`, or an
    /// `item_id` column) is erased or rewritten by purge, and is known to
    /// the read path: the raw SQL reader tombstones it, or the policy says
    /// why it need not.
    #[test]
    fn every_table_that_names_an_item_is_purged_and_read_through_the_policy() {
        let mut c = Connection::open_in_memory().unwrap();
        crate::archive::migrate::migrate(&mut c).unwrap();
        let tables: Vec<String> = c
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut naming = Vec::new();
        for t in &tables {
            let fk: bool = c
                .prepare(&format!(
                    "SELECT count(*) FROM pragma_foreign_key_list('{t}') WHERE \"table\" = 'items'"
                ))
                .unwrap()
                .query_row([], |r| r.get::<_, i64>(0))
                .unwrap()
                > 0;
            let column: bool = c
                .prepare(&format!(
                    "SELECT count(*) FROM pragma_table_info('{t}') WHERE name = 'item_id'"
                ))
                .unwrap()
                .query_row([], |r| r.get::<_, i64>(0))
                .unwrap()
                > 0;
            if fk || column {
                naming.push(t.clone());
            }
        }
        assert!(naming.len() >= 8, "{naming:?}");
        for t in &naming {
            let purged =
                super::ERASES.iter().any(|(n, _)| n == t) || super::REWRITES.contains(&t.as_str());
            assert!(
                purged,
                "table {t} names an item but purge does not handle it"
            );
            let read = crate::policy::sql::ITEM_TABLES.iter().any(|(n, ..)| n == t)
                || crate::policy::sql::ITEM_TABLES_OTHERWISE
                    .iter()
                    .any(|(n, _)| n == t);
            assert!(
                read,
                "table {t} names an item but the read path does not know it"
            );
        }
    }
}
