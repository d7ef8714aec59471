//! Claims as stored (migration 0009): what one source item says about one
//! subject (a term or an item), the value as written with its kind and
//! interval. Rows only: visibility is the policy's (`policy::view::claim`),
//! and this module never prints and never logs events.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::claims::{ClaimKind, ParsedValue};
use crate::error::{Error, Result};
use crate::model::{ItemId, Vocab};

/// What a claim is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Term {
        id: i64,
        vocab: Vocab,
        label: String,
    },
    Item(ItemId),
}

/// One claim as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRecord {
    pub id: i64,
    pub subject: Subject,
    pub property: String,
    pub value: String,
    pub kind: ClaimKind,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub low_day: Option<String>,
    pub high_day: Option<String>,
    pub source_item: ItemId,
    pub locator: Option<String>,
    pub quote: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

/// A new claim, checked by the caller.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub subject: Subject,
    pub property: String,
    pub value: String,
    pub parsed: ParsedValue,
    pub source_item: ItemId,
    pub locator: Option<String>,
    pub quote: Option<String>,
    pub note: Option<String>,
}

const COLUMNS: &str = "c.id, c.subject_term, t.vocab, t.label, c.subject_item, c.property, c.value,
    c.kind, c.low, c.high, c.low_day, c.high_day, c.source_item, c.locator, c.quote, c.note,
    c.created_at, c.created_by";
const FROM: &str = "FROM claims c LEFT JOIN terms t ON t.id = c.subject_term";

fn record(r: &Row<'_>) -> rusqlite::Result<ClaimRecord> {
    let subject = match r.get::<_, Option<i64>>(1)? {
        Some(id) => Subject::Term {
            id,
            vocab: r.get(2)?,
            label: r.get(3)?,
        },
        None => Subject::Item(r.get(4)?),
    };
    let kind: String = r.get(7)?;
    Ok(ClaimRecord {
        id: r.get(0)?,
        subject,
        property: r.get(5)?,
        value: r.get(6)?,
        kind: ClaimKind::parse(&kind).unwrap_or(ClaimKind::Text),
        low: r.get(8)?,
        high: r.get(9)?,
        low_day: r.get(10)?,
        high_day: r.get(11)?,
        source_item: r.get(12)?,
        locator: r.get(13)?,
        quote: r.get(14)?,
        note: r.get(15)?,
        created_at: r.get(16)?,
        created_by: r.get(17)?,
    })
}

pub fn insert(conn: &Connection, c: &NewClaim, at: &str, by: &str) -> Result<i64> {
    let (term, item) = match &c.subject {
        Subject::Term { id, .. } => (Some(*id), None),
        Subject::Item(i) => (None, Some(*i)),
    };
    conn.prepare_cached(
        "INSERT INTO claims (subject_term, subject_item, property, value, kind, low, high, low_day,
            high_day, source_item, locator, quote, note, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        term,
        item,
        c.property,
        c.value,
        c.parsed.kind.as_str(),
        c.parsed.low,
        c.parsed.high,
        c.parsed.low_day,
        c.parsed.high_day,
        c.source_item,
        c.locator,
        c.quote,
        c.note,
        at,
        by
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<ClaimRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} {FROM} WHERE c.id = ?1"))?
        .query_row([id], record)
        .optional()?)
}

pub fn delete(conn: &Connection, id: i64) -> Result<ClaimRecord> {
    let c = get(conn, id)?.ok_or_else(|| {
        Error::usage(format!(
            "no claim {id}; `custos claim list SUBJECT` lists them"
        ))
    })?;
    conn.execute("DELETE FROM claims WHERE id = ?1", [id])?;
    Ok(c)
}

/// Which claims to read; every filter is a bound parameter.
#[derive(Debug, Clone, Default)]
pub struct Select {
    pub subject: Option<Subject>,
    pub property: Option<String>,
    pub source: Option<ItemId>,
}

/// Claims in subject, property, id order.
pub fn select(conn: &Connection, s: &Select) -> Result<Vec<ClaimRecord>> {
    let (term, item) = match &s.subject {
        Some(Subject::Term { id, .. }) => (Some(*id), None),
        Some(Subject::Item(i)) => (None, Some(i.0)),
        None => (None, None),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} {FROM}
         WHERE (?1 IS NULL OR c.subject_term = ?1) AND (?2 IS NULL OR c.subject_item = ?2)
           AND (?3 IS NULL OR lower(c.property) = lower(?3)) AND (?4 IS NULL OR c.source_item = ?4)
         ORDER BY c.subject_term IS NULL, t.vocab, t.key, c.subject_item, lower(c.property), c.id"
    ))?;
    let rows = stmt.query_map(
        params![term, item, s.property, s.source.map(|i| i.0)],
        record,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
