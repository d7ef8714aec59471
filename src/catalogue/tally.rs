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

/// A date as the year tallies key it (migration 0025): a day in standard
/// form becomes its year's last day; anything else is kept as it is.
fn by_year(date: &str) -> String {
    format!(
        "CASE WHEN {date} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' \
         THEN substr({date}, 1, 4) || '-12-31' ELSE {date} END"
    )
}

/// [`STATE`] as the year tallies hold it.
fn state_by_year() -> String {
    format!(
        "i.kind, i.is_evidence, i.consent_status, i.consent_scope, {},
     i.access_level, {}",
        by_year("i.consent_embargo"),
        by_year("i.access_until")
    )
}

/// The items a day tally counts: those with a date among their policy inputs.
const DATED: &str = "(i.consent_embargo IS NOT NULL OR i.access_until IS NOT NULL)";

/// The columns of the tallies of items (all but the narrators'), after
/// their group columns.
const ITEM_COLUMNS: &str = "kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, items, size";

/// How a tally is counted from the catalogue.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grain {
    /// Dates as the items hold them, every item (the narrators' tally, and
    /// every tally of a catalogue older than migration 0025).
    Exact,
    /// Dates by year, every item (`tally_X` since 0025).
    Year,
    /// Dates as the items hold them, dated items only (`tally_X_day`).
    Day,
}

/// One summary [`disagreements`] checks: what it is, its table (none for
/// the items' derived columns), its columns in table order, and a SELECT of
/// the same columns recounted from the catalogue.
struct Recount {
    what: String,
    table: Option<String>,
    columns: String,
    recount: String,
}

impl Recount {
    fn stored(&self) -> String {
        match &self.table {
            Some(table) => format!("SELECT {} FROM {table}", self.columns),
            None => "SELECT i.id, i.size, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo
               FROM items i"
                .into(),
        }
    }
}

/// The catalogue's schema as far as the recounts need it.
#[derive(Clone, Copy)]
struct Schema {
    /// Migration 0012's tables (an evidence flag also marks agreements).
    accessions: bool,
    /// Migration 0025's year and day tallies.
    years: bool,
}

impl Schema {
    const CURRENT: Schema = Schema {
        accessions: true,
        years: true,
    };

    fn read(conn: &Connection) -> Result<Schema> {
        let has = |name: &str| -> Result<bool> {
            Ok(conn
                .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")?
                .exists([name])?)
        };
        Ok(Schema {
            accessions: has("accessions")?,
            years: has("tally_items_day")?,
        })
    }
}

/// The tallies of items (all but the narrators') at one grain.
fn item_tallies(grain: Grain) -> Vec<Recount> {
    let (state, suffix, dated, how) = match grain {
        Grain::Exact => (STATE.to_string(), "", String::new(), ""),
        Grain::Year => (state_by_year(), "", String::new(), ", dates by year"),
        Grain::Day => (
            STATE.to_string(),
            "_day",
            format!(" WHERE {DATED}"),
            ", dated items by day",
        ),
    };
    let tally = |name: &str, what: &str, group: &str, recount: String| Recount {
        what: format!("{name}{suffix} ({what}{how})"),
        table: Some(format!("{name}{suffix}")),
        columns: format!("{group}{ITEM_COLUMNS}"),
        recount,
    };
    vec![
        tally(
            "tally_items",
            "holdings of the whole catalogue",
            "",
            format!("SELECT {state}, count(*), sum(i.size) FROM items i{dated} GROUP BY 1, 2, 3, 4, 5, 6, 7"),
        ),
        tally(
            "tally_vocab",
            "holdings with a term in each vocabulary",
            "vocab, ",
            format!(
                "SELECT v.vocab, {state}, count(*), sum(i.size)
                   FROM (SELECT DISTINCT it.item_id, t.vocab
                           FROM item_terms it JOIN terms t ON t.id = it.term_id) v
                   JOIN items i ON i.id = v.item_id{dated}
                  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
            ),
        ),
        tally(
            "tally_terms",
            "holdings per term",
            "term_id, ",
            format!(
                "SELECT it.term_id, {state}, count(*), sum(i.size)
                   FROM item_terms it JOIN items i ON i.id = it.item_id{dated}
                  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
            ),
        ),
        tally(
            "tally_holdings",
            "holdings by collection, language and decade",
            "collection, language, decade, ",
            format!(
                "SELECT i.collection, i.language, substr(i.date_lower, 1, 3), {state}, count(*), sum(i.size)
                   FROM items i{dated} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"
            ),
        ),
    ]
}

/// Every summary of a catalogue of this schema with its recount: the
/// tallies, then the items' derived columns.
fn recounts(schema: Schema) -> Vec<Recount> {
    let mut out = item_tallies(if schema.years {
        Grain::Year
    } else {
        Grain::Exact
    });
    out.push(Recount {
        what: "tally_narrators (testimonies per narrator)".into(),
        table: Some("tally_narrators".into()),
        columns: "narrator_id, kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, testimonies".into(),
        recount: format!(
            "SELECT t.narrator_id, {STATE}, count(*)
               FROM testimonies t JOIN items i ON i.id = t.item_id
              WHERE t.narrator_id IS NOT NULL
              GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
        ),
    });
    if schema.years {
        out.extend(item_tallies(Grain::Day));
    }
    let agreement = if schema.accessions {
        "\n                    OR EXISTS (SELECT 1 FROM accessions a WHERE a.agreement_item_id = i.id)"
    } else {
        ""
    };
    out.push(Recount {
        what: "items' derived columns (size, evidence or agreement flag, current consent)".into(),
        table: None,
        columns: String::new(),
        recount: format!(
            "SELECT i.id, o.size,
                    EXISTS (SELECT 1 FROM consent_events e WHERE e.evidence_item_id = i.id){agreement},
                    cc.status, cc.scope, cc.embargo_until
               FROM items i JOIN objects o ON o.id = i.object_id
               LEFT JOIN consent_current cc ON cc.item_id = i.id"
        ),
    });
    out
}

/// One message per summary that disagrees with its recount, naming how
/// many rows differ and the first of them. Empty when all agree.
pub fn disagreements(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for r in recounts(Schema::read(conn)?) {
        let (stored, recount, what) = (r.stored(), r.recount, r.what);
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
    for r in recounts(Schema::CURRENT) {
        if let Some(table) = r.table {
            conn.execute_batch(&format!(
                "DELETE FROM {table}; INSERT INTO {table} ({}) {};",
                r.columns, r.recount
            ))?;
        }
    }
    Ok(())
}

/// For a catalogue older than the tallies that cannot be upgraded (on
/// read-only media): TEMP tables of the same names, counted now, which the
/// reports then read as they read the real ones. `missing` names the
/// tallies the catalogue lacks (those added after its version). Nothing is
/// written to the archive; on a large catalogue this costs seconds on
/// every open. A year tally of an older catalogue keeps its days, which
/// decide as its years would, so only its day tally is stood in.
pub fn stand_in(conn: &Connection, missing: impl Fn(&str) -> bool) -> Result<()> {
    for r in recounts(Schema::CURRENT) {
        let Some(table) = r.table else { continue };
        if !missing(&table) {
            continue;
        }
        conn.execute_batch(&format!(
            "CREATE TEMP TABLE {table} ({});
             INSERT INTO temp.{table} ({}) {};",
            r.columns, r.columns, r.recount
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
