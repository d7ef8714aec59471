//! Segments of a recording (migration 0010) and their links to terms.
//!
//! Rows only; which segments a reader sees is decided by `policy::passage`.

use rusqlite::{params, Connection, OptionalExtension};

use crate::catalogue::terms;
use crate::error::Result;
use crate::media::TimeCode;
use crate::model::{ItemId, Vocab};
use crate::transcript::Segment;

/// One stored segment with its id.
#[derive(Debug, Clone)]
pub struct SegmentRecord {
    pub id: i64,
    pub segment: Segment,
}

pub fn insert(conn: &Connection, item: ItemId, s: &Segment) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO segments (item_id, start_ms, end_ms, title, synopsis, partial_transcript, keywords)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        item.0,
        s.start.millis(),
        s.end.millis(),
        s.title,
        s.synopsis,
        s.partial_transcript,
        serde_json::to_string(&s.keywords).unwrap_or_else(|_| "[]".into())
    ])?;
    let id = conn.last_insert_rowid();
    let text = fts_text(s);
    let span = (Some(s.start.millis()), Some(s.end.millis()));
    super::fts::put_timed(conn, item, &text, span, "segment")?;
    for (vocab, labels) in [
        (Vocab::Place, &s.places),
        (Vocab::Event, &s.events),
        (Vocab::Subject, &s.subjects),
    ] {
        for l in labels {
            let term = terms::ensure(conn, vocab, l)?;
            conn.prepare_cached("INSERT OR IGNORE INTO segment_terms (segment_id, item_id, term_id) VALUES (?1, ?2, ?3)")?
                .execute(params![id, item.0, term])?;
        }
    }
    Ok(id)
}

/// What the timed full-text index holds for a segment.
fn fts_text(s: &Segment) -> String {
    [
        Some(s.title.as_str()),
        s.synopsis.as_deref(),
        s.partial_transcript.as_deref(),
        Some(s.keywords.join(", ").as_str()),
    ]
    .into_iter()
    .flatten()
    .filter(|t| !t.is_empty())
    .collect::<Vec<_>>()
    .join("\n")
}

/// Removes segment `id` of `item` with its terms and its full-text entry;
/// false when the item has no such segment.
pub fn remove(conn: &Connection, item: ItemId, id: i64) -> Result<bool> {
    let Some(rec) = for_item(conn, item)?.into_iter().find(|r| r.id == id) else {
        return Ok(false);
    };
    let s = &rec.segment;
    // One entry: two segments may share their times and text.
    let rowid: Option<i64> = conn
        .query_row(
            "SELECT rowid FROM item_fts_timed
              WHERE item_id = ?1 AND source = 'segment' AND start_ms = ?2 AND end_ms = ?3
                AND text = ?4 LIMIT 1",
            params![item.0, s.start.millis(), s.end.millis(), fts_text(s)],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(rowid) = rowid {
        super::fts::remove_timed_row(conn, rowid)?;
    }
    conn.execute("DELETE FROM segment_terms WHERE segment_id = ?1", [id])?;
    conn.execute(
        "DELETE FROM segments WHERE id = ?1 AND item_id = ?2",
        params![id, item.0],
    )?;
    Ok(true)
}

/// Every segment of the item, by start time.
pub fn for_item(conn: &Connection, item: ItemId) -> Result<Vec<SegmentRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, start_ms, end_ms, title, synopsis, partial_transcript, keywords
           FROM segments WHERE item_id = ?1 ORDER BY start_ms, id",
    )?;
    let mut out = stmt
        .query_map(params![item.0], |r| {
            let kw: String = r.get(6)?;
            Ok(SegmentRecord {
                id: r.get(0)?,
                segment: Segment {
                    start: TimeCode(r.get(1)?),
                    end: TimeCode(r.get(2)?),
                    title: r.get(3)?,
                    synopsis: r.get(4)?,
                    partial_transcript: r.get(5)?,
                    keywords: serde_json::from_str(&kw).unwrap_or_default(),
                    ..Segment::default()
                },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut tstmt = conn.prepare_cached(
        "SELECT t.vocab, t.label FROM segment_terms st JOIN terms t ON t.id = st.term_id
          WHERE st.segment_id = ?1 ORDER BY st.rowid",
    )?;
    for rec in &mut out {
        let rows = tstmt
            .query_map(params![rec.id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (v, l) in rows {
            match v.as_str() {
                "place" => rec.segment.places.push(l),
                "event" => rec.segment.events.push(l),
                _ => rec.segment.subjects.push(l),
            }
        }
    }
    Ok(out)
}
