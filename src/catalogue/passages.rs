//! Passage restrictions (migration 0010): a time range of a recording
//! closed below a level, optionally until a day. Rows are never deleted;
//! lifting records the event that lifted it.
//!
//! Rows only; what a closed passage hides is decided by `policy::passage`.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::media::{Interval, TimeCode};
use crate::model::ItemId;
use crate::policy::passage::{Passage, PassageLevel};

pub fn insert(
    conn: &Connection,
    item: ItemId,
    p: &Passage,
    event_id: i64,
    agent: &str,
    now: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO passages (item_id, start_ms, end_ms, level, until, reason, event_id, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            item.0,
            p.range.start.millis(),
            p.range.end.millis(),
            p.level.as_str(),
            p.until.map(|d| d.format("%Y-%m-%d").to_string()),
            p.reason,
            event_id,
            now,
            agent
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Every restriction of the item, lifted ones included, oldest first.
pub fn for_item(conn: &Connection, item: ItemId) -> Result<Vec<Passage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, start_ms, end_ms, level, until, reason, lifted_event IS NOT NULL, recorded_at, recorded_by
           FROM passages WHERE item_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map(params![item.0], |r| {
            let level: String = r.get(3)?;
            let until: Option<String> = r.get(4)?;
            Ok(Passage {
                id: r.get(0)?,
                range: Interval {
                    start: TimeCode(r.get(1)?),
                    end: TimeCode(r.get(2)?),
                },
                level: PassageLevel::parse(&level).unwrap_or(PassageLevel::Custodian),
                until: until.and_then(|u| chrono::NaiveDate::parse_from_str(&u, "%Y-%m-%d").ok()),
                reason: r.get(5)?,
                lifted: r.get(6)?,
                recorded_at: r.get(7)?,
                recorded_by: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Marks restriction `id` of `item` lifted; false when there is no such
/// restriction standing.
pub fn lift(conn: &Connection, item: ItemId, id: i64, event_id: i64) -> Result<bool> {
    let n = conn.execute(
        "UPDATE passages SET lifted_event = ?3 WHERE id = ?2 AND item_id = ?1 AND lifted_event IS NULL",
        params![item.0, id, event_id],
    )?;
    Ok(n == 1)
}

/// Restrictions whose end day has come (on or before `today`) and that no
/// event has ended yet: (item, restriction, until).
pub fn expired_unrecorded(
    conn: &Connection,
    today: chrono::NaiveDate,
) -> Result<Vec<(ItemId, i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT item_id, id, until FROM passages
          WHERE lifted_event IS NULL AND until IS NOT NULL AND until <= ?1
          ORDER BY id",
    )?;
    let rows = stmt
        .query_map([today.format("%Y-%m-%d").to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Whether the item has restriction `id` at all.
pub fn exists(conn: &Connection, item: ItemId, id: i64) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM passages WHERE id = ?2 AND item_id = ?1",
            params![item.0, id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// When and by whom each lifted restriction of the item was lifted, by
/// restriction id.
pub fn lifts(conn: &Connection, item: ItemId) -> Result<Vec<(i64, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, e.at, e.agent FROM passages p JOIN events e ON e.id = p.lifted_event
          WHERE p.item_id = ?1 ORDER BY e.id",
    )?;
    let rows = stmt
        .query_map(params![item.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
