//! The policy tallies (migration 0006) and the derived item columns
//! (migration 0004), recounted from the rows they summarise.
//!
//! Triggers keep both; `custos verify` calls [`disagreements`] so a tally
//! that drifted from the catalogue is reported, never trusted silently. It
//! reads only; it must not repair (verify never repairs), and it never
//! reads a title, text or name: tallies hold counts, sizes and ids.

use rusqlite::Connection;

use crate::error::Result;

/// The policy inputs a tally row is keyed by, as read from `items i`.
const STATE: &str = "i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo,
     i.access_level, i.access_until";

/// The tally tables with their columns, in the order of [`recounts`].
const TALLIES: &[(&str, &str)] = &[
    (
        "tally_items",
        "kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, items, size",
    ),
    (
        "tally_vocab",
        "vocab, kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, items, size",
    ),
    (
        "tally_terms",
        "term_id, kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, items, size",
    ),
    (
        "tally_narrators",
        "narrator_id, kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, testimonies",
    ),
    (
        "tally_holdings",
        "collection, language, decade, kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, items, size",
    ),
];

/// (what, stored rows, the same rows recounted from the catalogue). Both
/// SELECTs give the same columns in the same order; for the tallies (the
/// first five, in [`TALLIES`] order) that is the table's column order.
fn recounts() -> Vec<(&'static str, String, String)> {
    recounts_with(true)
}

/// The recounts; `accessions`: whether the catalogue has migration 0012's
/// tables (a read-only catalogue of an older custos is checked as it is).
fn recounts_with(accessions: bool) -> Vec<(&'static str, String, String)> {
    let agreement = if accessions {
        "\n                    OR EXISTS (SELECT 1 FROM accessions a WHERE a.agreement_item_id = i.id)"
    } else {
        ""
    };
    vec![
        (
            "tally_items (holdings of the whole catalogue)",
            format!("SELECT {STATE}, i.items, i.size FROM tally_items i"),
            format!("SELECT {STATE}, count(*), sum(i.size) FROM items i GROUP BY 1, 2, 3, 4, 5, 6, 7"),
        ),
        (
            "tally_vocab (holdings with a term in each vocabulary)",
            format!("SELECT i.vocab, {STATE}, i.items, i.size FROM tally_vocab i"),
            format!(
                "SELECT v.vocab, {STATE}, count(*), sum(i.size)
                   FROM (SELECT DISTINCT it.item_id, t.vocab
                           FROM item_terms it JOIN terms t ON t.id = it.term_id) v
                   JOIN items i ON i.id = v.item_id
                  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
            ),
        ),
        (
            "tally_terms (holdings per term)",
            format!("SELECT i.term_id, {STATE}, i.items, i.size FROM tally_terms i"),
            format!(
                "SELECT it.term_id, {STATE}, count(*), sum(i.size)
                   FROM item_terms it JOIN items i ON i.id = it.item_id
                  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
            ),
        ),
        (
            "tally_narrators (testimonies per narrator)",
            format!("SELECT i.narrator_id, {STATE}, i.testimonies FROM tally_narrators i"),
            format!(
                "SELECT t.narrator_id, {STATE}, count(*)
                   FROM testimonies t JOIN items i ON i.id = t.item_id
                  WHERE t.narrator_id IS NOT NULL
                  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
            ),
        ),
        (
            "tally_holdings (holdings by collection, language and decade)",
            format!(
                "SELECT i.collection, i.language, i.decade, {STATE}, i.items, i.size
                   FROM tally_holdings i"
            ),
            format!(
                "SELECT i.collection, i.language, substr(i.date_lower, 1, 3), {STATE}, count(*), sum(i.size)
                   FROM items i GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"
            ),
        ),
        (
            "items' derived columns (size, evidence or agreement flag, current consent)",
            "SELECT i.id, i.size, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo
               FROM items i"
                .into(),
            format!(
                "SELECT i.id, o.size,
                    EXISTS (SELECT 1 FROM consent_events e WHERE e.evidence_item_id = i.id){agreement},
                    cc.status, cc.scope, cc.embargo_until
               FROM items i JOIN objects o ON o.id = i.object_id
               LEFT JOIN consent_current cc ON cc.item_id = i.id"
            ),
        ),
    ]
}

/// One message per summary that disagrees with its recount, naming how
/// many rows differ and the first of them. Empty when all agree.
pub fn disagreements(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let accessions = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accessions'")?
        .exists([])?;
    for (what, stored, recount) in recounts_with(accessions) {
        // Recounted once into a TEMP table (a read-only connection may
        // write those): at a million items a recount takes seconds, and
        // both comparisons need it.
        conn.execute_batch(&format!(
            "DROP TABLE IF EXISTS temp.tally_recount;
             CREATE TEMP TABLE tally_recount AS {recount};"
        ))?;
        let recounted = "SELECT * FROM temp.tally_recount";
        let only_stored = first_row(conn, &format!("{stored} EXCEPT {recounted}"))?;
        let only_recounted = first_row(conn, &format!("{recounted} EXCEPT {stored}"))?;
        conn.execute_batch("DROP TABLE temp.tally_recount")?;
        if only_stored.0 + only_recounted.0 == 0 {
            continue;
        }
        let mut msg = format!(
            "{what} disagrees with a recount of the catalogue: {} stored row(s) not recounted, {} recounted row(s) not stored",
            only_stored.0, only_recounted.0
        );
        if let Some(row) = only_stored.1 {
            msg.push_str(&format!("; first stored: ({row})"));
        }
        if let Some(row) = only_recounted.1 {
            msg.push_str(&format!("; first recounted: ({row})"));
        }
        msg.push_str(". The catalogue's rows are the truth; these summaries are derived from them");
        out.push(msg);
    }
    Ok(out)
}

/// Recounts every tally from the catalogue, replacing what it held. For
/// bulk loads that drop the tally triggers while they write (the benchmark
/// catalogue); the triggers keep the tallies otherwise.
#[cfg(any(test, feature = "bench"))]
pub fn rebuild(conn: &Connection) -> Result<()> {
    for ((table, _), (_, _, recount)) in TALLIES.iter().zip(recounts()) {
        conn.execute_batch(&format!(
            "DELETE FROM {table}; INSERT INTO {table} {recount};"
        ))?;
    }
    Ok(())
}

/// For a catalogue older than the tallies that cannot be upgraded (on
/// read-only media): TEMP tables of the same names, counted now, which the
/// reports then read as they read the real ones. `missing` names the
/// tallies the catalogue lacks (those added after its version). Nothing is
/// written to the archive; on a large catalogue this costs seconds on
/// every open.
pub fn stand_in(conn: &Connection, missing: impl Fn(&str) -> bool) -> Result<()> {
    for ((table, columns), (_, _, recount)) in TALLIES.iter().zip(recounts()) {
        if !missing(table) {
            continue;
        }
        conn.execute_batch(&format!(
            "CREATE TEMP TABLE {table} ({columns});
             INSERT INTO temp.{table} ({columns}) {recount};"
        ))?;
    }
    Ok(())
}

/// How many rows a query gives, and the first of them as text.
fn first_row(conn: &Connection, sql: &str) -> Result<(u64, Option<String>)> {
    let mut stmt = conn.prepare(sql)?;
    let width = stmt.column_count();
    let mut rows = stmt.query([])?;
    let mut n = 0u64;
    let mut first = None;
    while let Some(r) = rows.next()? {
        if first.is_none() {
            let mut cells = Vec::with_capacity(width);
            for c in 0..width {
                let v: rusqlite::types::Value = r.get(c)?;
                cells.push(match v {
                    rusqlite::types::Value::Null => "NULL".to_string(),
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Real(f) => f.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Blob(b) => format!("<{} bytes>", b.len()),
                });
            }
            first = Some(cells.join(", "));
        }
        n += 1;
    }
    Ok((n, first))
}

#[cfg(test)]
mod tests;
