//! The snippets of an open item a query found by its words, cut by
//! `fold::snippet` from the text as written, whether the words were found
//! as typed or only through folding (another script, another diacritic):
//! the item-level indexes keep no text of their own (migration 0021); a
//! timed hit found as typed gets FTS5's own `snippet()`.
//!
//! It reads only the index the item was searched in at this level (the
//! unredacted one only for the custodian) and only timed hits the policy
//! lets the reader find; whether the item is open is the caller's business.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::fulltext::FtsTerm;
use crate::catalogue::fts::{self, Doc};
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

/// The snippet of an open item from the index that was searched: the
/// unredacted copy only for the custodian, and only for redacted items. It
/// is cut from the text that index was built from (`fts::indexed_text`:
/// the redacted copy in the public index), wherever the words were found
/// as typed or through folding.
pub(super) fn item(
    conn: &Connection,
    id: ItemId,
    full: bool,
    terms: &[FtsTerm],
) -> Result<Option<String>> {
    let docs: &[Doc] = if full {
        &[Doc::Full, Doc::Public]
    } else {
        &[Doc::Public]
    };
    for doc in docs {
        if let Some((title, body)) = fts::indexed_text(conn, *doc, id)? {
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
