//! The snippets of an open item a query found by its words: FTS5's own
//! `snippet()` where the words were found as typed, and where they were
//! found only through folding (another script, another diacritic) a
//! snippet cut by `fold::snippet` from the same row, as written.
//!
//! It reads only the index the item was searched in at this level (the
//! unredacted one only for the custodian) and only timed hits the policy
//! lets the reader find; whether the item is open is the caller's business.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::fulltext::FtsTerm;
use crate::error::Result;
use crate::model::{Access, ItemId};
use crate::policy;
use crate::policy::view;

/// Words around a hit, as FTS5's `snippet()` is asked for them.
const WIDTH: usize = 12;
/// Cue and segment hits listed per item.
const TIMED_LIMIT: usize = 50;

fn phrases(terms: &[FtsTerm]) -> Vec<&str> {
    terms.iter().map(|t| t.folded.as_str()).collect()
}

/// The terms' FTS5 expressions (plain or folded) as one OR expression.
fn any_of(terms: &[FtsTerm], part: fn(&FtsTerm) -> &str) -> String {
    terms.iter().map(part).collect::<Vec<_>>().join(" OR ")
}

fn one_line(s: &str) -> String {
    // One line, so tables and TSV stay one row per item.
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The snippet of an open item from the FTS table that was searched: the
/// unredacted copy only for the custodian, and only for redacted items.
pub(super) fn item(
    conn: &Connection,
    id: ItemId,
    full: bool,
    terms: &[FtsTerm],
) -> Result<Option<String>> {
    let tables: &[&str] = if full {
        &["item_fts_full", "item_fts"]
    } else {
        &["item_fts"]
    };
    let match_expr = any_of(terms, |t| &t.plain);
    for table in tables {
        // Table names are the two fixed FTS tables above, never user text.
        let sql = format!(
            "SELECT snippet({table}, -1, '[', ']', '…', 12) FROM {table} WHERE {table} MATCH ?1 AND rowid = ?2"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params![match_expr, id])?;
        if let Some(r) = rows.next()? {
            let s: Option<String> = r.get(0)?;
            if let Some(s) = s.filter(|s| !s.trim().is_empty()) {
                return Ok(Some(one_line(&s)));
            }
        }
    }
    // Found through a twin: the same rows, cut in Rust.
    for table in tables {
        let sql = format!("SELECT title, body FROM {table} WHERE rowid = ?1");
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([id])?;
        if let Some(r) = rows.next()? {
            let (title, body): (String, String) = (r.get(0)?, r.get(1)?);
            for text in [body, title] {
                if let Some(s) = crate::fold::snippet(&text, &phrases(terms), WIDTH) {
                    return Ok(Some(one_line(&s)));
                }
            }
        }
    }
    Ok(None)
}

/// The cue and segment hits of an open item the reader may find, in time
/// order (`policy::passage::visible_hits` leaves out closed passages),
/// whether found as typed or through the folded twin.
pub(super) fn timed(
    conn: &Connection,
    id: ItemId,
    terms: &[FtsTerm],
    access: Access,
    today: NaiveDate,
) -> Result<Vec<view::TimedHit>> {
    let (cond, params) = policy::passage::visible_hits(access, today);
    let (plain, folded) = (any_of(terms, |t| &t.plain), any_of(terms, |t| &t.folded));
    // (rowid, start, end, snippet) of each hit.
    let mut hits: Vec<(i64, Option<i64>, Option<i64>, String)> = Vec::new();
    let sql = format!(
        "SELECT rowid, start_ms, end_ms, snippet(item_fts_timed, 0, '[', ']', '…', 10) FROM item_fts_timed
          WHERE item_fts_timed MATCH ? AND item_id = ? AND {cond}
          ORDER BY start_ms IS NULL, start_ms LIMIT {TIMED_LIMIT}"
    );
    let mut values: Vec<rusqlite::types::Value> = vec![plain.into(), id.0.into()];
    values.extend(params.iter().cloned().map(Into::into));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values.iter()), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
    })?;
    for row in rows {
        hits.push(row?);
    }
    let sql = format!(
        "SELECT item_fts_timed.rowid, start_ms, end_ms, item_fts_timed.text FROM item_fts_timed_fold
           JOIN item_fts_timed ON item_fts_timed.rowid = item_fts_timed_fold.rowid
          WHERE item_fts_timed_fold MATCH ? AND item_fts_timed.item_id = ? AND {cond}
          ORDER BY start_ms IS NULL, start_ms LIMIT {TIMED_LIMIT}"
    );
    let mut values: Vec<rusqlite::types::Value> = vec![folded.into(), id.0.into()];
    values.extend(params.into_iter().map(Into::into));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values.iter()), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
    })?;
    for row in rows {
        let (rowid, start, end, text) = row?;
        if hits.iter().any(|h| h.0 == rowid) {
            continue;
        }
        let snippet = crate::fold::snippet(&text, &phrases(terms), 10).unwrap_or(text);
        hits.push((rowid, start, end, snippet));
    }
    hits.sort_by_key(|h| (h.1.is_none(), h.1, h.0));
    hits.truncate(TIMED_LIMIT);
    let tc = |ms: Option<i64>| ms.map(|m| crate::media::TimeCode(m).clock('.'));
    Ok(hits
        .into_iter()
        .map(|(_, start, end, s)| view::TimedHit {
            start: tc(start),
            end: tc(end),
            snippet: one_line(&s),
        })
        .collect())
}
