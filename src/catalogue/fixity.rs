//! The catalogue side of fixity: which objects should exist, each object's
//! latest check (the `fixity` table), and SQLite's own consistency checks.
//!
//! It reads and records outcomes; it does not hash files (that is
//! `crate::fixity`) and it never repairs a row.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;
use crate::model::{ItemId, Sha256};

/// An object the catalogue says is in the store.
#[derive(Debug, Clone)]
pub struct Expected {
    pub object_id: i64,
    pub sha256: Sha256,
    pub size: u64,
    pub item_id: Option<ItemId>,
}

/// Every object whose bytes should be present (purged ones are not), by id.
pub fn expected(conn: &Connection) -> Result<Vec<Expected>> {
    let mut stmt = conn.prepare(
        "SELECT o.id, o.sha256, o.size, i.id FROM objects o
         LEFT JOIN items i ON i.object_id = o.id
         WHERE o.purged_at IS NULL ORDER BY o.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Expected {
            object_id: r.get(0)?,
            sha256: r.get(1)?,
            size: r.get::<_, i64>(2)?.max(0) as u64,
            item_id: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The objects of these items whose bytes should be present, by object id
/// (each once, however often its item is named). One indexed look-up per
/// item: a check of a few items does not read the whole catalogue.
pub fn expected_of_items(conn: &Connection, items: &[ItemId]) -> Result<Vec<Expected>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.sha256, o.size, i.id FROM items i
         JOIN objects o ON o.id = i.object_id
         WHERE i.id = ?1 AND o.purged_at IS NULL",
    )?;
    let mut out = Vec::new();
    for item in items {
        let found = stmt
            .query_row([item.0], |r| {
                Ok(Expected {
                    object_id: r.get(0)?,
                    sha256: r.get(1)?,
                    size: r.get::<_, i64>(2)?.max(0) as u64,
                    item_id: r.get(3)?,
                })
            })
            .optional()?;
        out.extend(found);
    }
    out.sort_by_key(|e| e.object_id);
    out.dedup_by_key(|e| e.object_id);
    Ok(out)
}

/// The outcome of checking one object, as stored and as shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Changed,
    Missing,
    IoError,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Changed => "changed",
            Outcome::Missing => "missing",
            Outcome::IoError => "io_error",
        }
    }
}

/// Replaces the object's latest check, naming the run (its summary event).
pub fn record(
    conn: &Connection,
    object_id: i64,
    checked_at: &str,
    outcome: Outcome,
    actual: Option<&Sha256>,
    run_event_id: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO fixity (object_id, checked_at, outcome, actual_sha256, run_event_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![object_id, checked_at, outcome.as_str(), actual, run_event_id])?;
    Ok(())
}

/// An item's latest fixity check: the `fixity` field of `show`.
#[derive(Debug, Clone, Serialize)]
pub struct LastCheck {
    pub checked_at: String,
    pub outcome: String,
    pub actual_sha256: Option<String>,
}

pub fn last_for_item(conn: &Connection, item: ItemId) -> Result<Option<LastCheck>> {
    // An archive read where it cannot be upgraded may predate the table.
    let has_table = conn
        .prepare_cached("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'fixity'")?
        .exists([])?;
    if !has_table {
        return Ok(None);
    }
    // Where the originals are kept at a primary store, their last check is
    // the one of the store's copy (`verify` records it on the copy row); a
    // local check, if any, is only of a copy that happened to be here.
    if let Some(store) = crate::catalogue::settings::get(conn, crate::sites::primary::SETTING)? {
        return Ok(conn
            .prepare_cached(
                "SELECT c.verified_at, c.outcome, NULL FROM copies c
                 JOIN sites s ON s.id = c.site_id AND s.name = ?2
                 JOIN items i ON i.object_id = c.object_id WHERE i.id = ?1",
            )?
            .query_row(rusqlite::params![item, store], |r| {
                Ok(LastCheck {
                    checked_at: r.get(0)?,
                    outcome: r.get(1)?,
                    actual_sha256: r.get(2)?,
                })
            })
            .optional()?);
    }
    Ok(conn
        .prepare_cached(
            "SELECT f.checked_at, f.outcome, f.actual_sha256 FROM fixity f
             JOIN items i ON i.object_id = f.object_id WHERE i.id = ?1",
        )?
        .query_row([item], |r| {
            Ok(LastCheck {
                checked_at: r.get(0)?,
                outcome: r.get(1)?,
                actual_sha256: r.get(2)?,
            })
        })
        .optional()?)
}

/// `PRAGMA integrity_check` (`full`, with each item-level full-text index
/// against its text) or `PRAGMA quick_check` messages; empty when all is
/// well. The quick check covers every page, record
/// and b-tree but does not cross-check each index's entries against its
/// table's rows, which makes it several times faster on a large catalogue.
pub fn integrity_problems(conn: &Connection, full: bool) -> Result<Vec<String>> {
    let pragma = if full {
        "PRAGMA integrity_check"
    } else {
        "PRAGMA quick_check"
    };
    let mut stmt = conn.prepare(pragma)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let msgs: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
    let mut msgs: Vec<String> = msgs.into_iter().filter(|m| m != "ok").collect();
    if full {
        // The item-level indexes keep no text for SQLite to compare them
        // with (migration 0021): they are compared with a fresh index of
        // the text tables instead.
        msgs.append(&mut super::fts::disagreements_with_text(conn)?);
    }
    Ok(msgs)
}

/// `PRAGMA foreign_key_check`, one message per dangling reference.
pub fn foreign_key_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| {
        let table: String = r.get(0)?;
        let rowid: Option<i64> = r.get(1)?;
        let parent: String = r.get(2)?;
        Ok(format!(
            "{table} row {} refers to a missing {parent} row",
            rowid.map(|n| n.to_string()).unwrap_or_else(|| "?".into())
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Bytes of every object whose file should be present: a progress bar's
/// total (0 when the catalogue cannot say).
pub fn stored_bytes(conn: &Connection) -> u64 {
    conn.query_row(
        "SELECT coalesce(sum(size), 0) FROM objects WHERE purged_at IS NULL",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n.max(0) as u64)
    .unwrap_or(0)
}
