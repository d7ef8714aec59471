//! Transcripts and their cues (migration 0010): set (the old one kept as
//! history), read the current one or the history.
//!
//! Rows only; which cues a reader sees is decided by `policy::passage`.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::media::TimeCode;
use crate::model::ItemId;
use crate::transcript::{Cue, Format};

/// One stored transcript (without its cues).
#[derive(Debug, Clone)]
pub struct TranscriptRecord {
    pub id: i64,
    pub format: String,
    pub current: bool,
    pub recorded_at: String,
    pub recorded_by: String,
    pub cues: i64,
}

/// The current transcript's id, if any.
pub fn current(conn: &Connection, item: ItemId) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM transcripts WHERE item_id = ?1 AND current = 1",
            params![item.0],
            |r| r.get(0),
        )
        .optional()?)
}

/// Stores `cues` as the item's current transcript; the previous one stays
/// as history. Returns the new transcript's id.
#[allow(clippy::too_many_arguments)]
pub fn set(
    conn: &Connection,
    item: ItemId,
    format: Format,
    cues: &[Cue],
    event_id: i64,
    agent: &str,
    now: &str,
) -> Result<i64> {
    conn.execute(
        "UPDATE transcripts SET current = 0 WHERE item_id = ?1 AND current = 1",
        params![item.0],
    )?;
    conn.execute(
        "INSERT INTO transcripts (item_id, format, current, event_id, recorded_at, recorded_by)
         VALUES (?1, ?2, 1, ?3, ?4, ?5)",
        params![item.0, format.as_str(), event_id, now, agent],
    )?;
    let tid = conn.last_insert_rowid();
    // Only the current transcript is searched.
    super::fts::remove_timed_source(conn, item, "cue")?;
    for c in cues {
        let span = (c.start.map(TimeCode::millis), c.end.map(TimeCode::millis));
        super::fts::put_timed(conn, item, &c.text, span, "cue")?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO cues (transcript_id, item_id, seq, start_ms, end_ms, speaker, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, c) in cues.iter().enumerate() {
        stmt.execute(params![
            tid,
            item.0,
            i as i64,
            c.start.map(TimeCode::millis),
            c.end.map(TimeCode::millis),
            c.speaker,
            c.text
        ])?;
    }
    Ok(tid)
}

/// The cues of transcript `tid`, in order.
pub fn cues(conn: &Connection, tid: i64) -> Result<Vec<Cue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT start_ms, end_ms, speaker, text FROM cues WHERE transcript_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map(params![tid], |r| {
            Ok(Cue {
                start: r.get::<_, Option<i64>>(0)?.map(TimeCode),
                end: r.get::<_, Option<i64>>(1)?.map(TimeCode),
                speaker: r.get(2)?,
                text: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every transcript the item has had, oldest first.
pub fn history(conn: &Connection, item: ItemId) -> Result<Vec<TranscriptRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.format, t.current, t.recorded_at, t.recorded_by,
                (SELECT count(*) FROM cues c WHERE c.transcript_id = t.id)
           FROM transcripts t WHERE t.item_id = ?1 ORDER BY t.id",
    )?;
    let rows = stmt
        .query_map(params![item.0], |r| {
            Ok(TranscriptRecord {
                id: r.get(0)?,
                format: r.get(1)?,
                current: r.get::<_, i64>(2)? == 1,
                recorded_at: r.get(3)?,
                recorded_by: r.get(4)?,
                cues: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
