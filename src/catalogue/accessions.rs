//! Accession records (migration 0012): a number, a donor, the day the
//! material was received, the donor agreement (an item, or a note), extent
//! and note; and which accession each item came in.
//!
//! It stores and reads rows; it decides nothing about who may see them
//! (`report::accessions` asks the policy) and never prints.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::ItemId;

/// An accession to record.
#[derive(Debug, Clone)]
pub struct NewAccession {
    pub number: String,
    pub donor: String,
    pub received: NaiveDate,
    pub agreement_item: Option<ItemId>,
    pub agreement_note: Option<String>,
    pub extent: Option<String>,
    pub note: Option<String>,
}

/// One accession as stored.
#[derive(Debug, Clone, Serialize)]
pub struct AccessionRecord {
    pub id: i64,
    pub number: String,
    pub donor: String,
    pub received: String,
    pub agreement_item: Option<ItemId>,
    pub agreement_note: Option<String>,
    pub extent: Option<String>,
    pub note: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

const COLUMNS: &str = "id, number, donor, received, agreement_item_id, agreement_note, extent, note, recorded_at, recorded_by";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccessionRecord> {
    Ok(AccessionRecord {
        id: r.get(0)?,
        number: r.get(1)?,
        donor: r.get(2)?,
        received: r.get(3)?,
        agreement_item: r.get(4)?,
        agreement_note: r.get(5)?,
        extent: r.get(6)?,
        note: r.get(7)?,
        recorded_at: r.get(8)?,
        recorded_by: r.get(9)?,
    })
}

/// Inserts the accession; a number in use is refused naming it.
pub fn insert(conn: &Connection, a: &NewAccession, by: &str, now: &str) -> Result<i64> {
    if find(conn, &a.number)?.is_some() {
        return Err(Error::usage(format!(
            "accession {:?} exists already; accession numbers are unique (see `custos accession list`)",
            a.number
        )));
    }
    conn.prepare_cached(
        "INSERT INTO accessions (number, donor, received, agreement_item_id, agreement_note, extent, note, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        a.number,
        a.donor,
        a.received.format("%Y-%m-%d").to_string(),
        a.agreement_item,
        a.agreement_note,
        a.extent,
        a.note,
        now,
        by
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn find(conn: &Connection, number: &str) -> Result<Option<AccessionRecord>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM accessions WHERE number = ?1"
        ))?
        .query_row([number], record)
        .optional()?)
}

/// Links an item to an accession (an item comes in one accession: a
/// second link is refused naming the first).
pub fn link(conn: &Connection, item: ItemId, accession: &AccessionRecord) -> Result<bool> {
    let current: Option<String> = conn
        .prepare_cached(
            "SELECT a.number FROM accession_items x JOIN accessions a ON a.id = x.accession_id WHERE x.item_id = ?1",
        )?
        .query_row([item], |r| r.get(0))
        .optional()?;
    match current {
        Some(n) if n == accession.number => Ok(false),
        Some(n) => Err(Error::usage(format!(
            "item {item} came in accession {n:?}, not {:?}; an item belongs to one accession",
            accession.number
        ))),
        None => {
            conn.prepare_cached(
                "INSERT INTO accession_items (item_id, accession_id) VALUES (?1, ?2)",
            )?
            .execute(params![item, accession.id])?;
            Ok(true)
        }
    }
}

/// The donor agreement of the accession `item` came in, if it has one.
pub fn agreement_of_member(conn: &Connection, item: ItemId) -> Result<Option<ItemId>> {
    Ok(conn
        .prepare_cached(
            "SELECT a.agreement_item_id FROM accession_items x JOIN accessions a ON a.id = x.accession_id
             WHERE x.item_id = ?1 AND a.agreement_item_id IS NOT NULL",
        )?
        .query_row([item], |r| r.get(0))
        .optional()?)
}

/// The accessions an item belongs to or is the agreement of, as a
/// custodian-level bag carries them (ids are the source archive's).
pub fn bag_state(conn: &Connection, item: ItemId) -> Result<serde_json::Value> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, EXISTS (SELECT 1 FROM accession_items x WHERE x.accession_id = a.id AND x.item_id = ?1)
         FROM accessions a
         WHERE a.agreement_item_id = ?1 OR a.id IN (SELECT accession_id FROM accession_items WHERE item_id = ?1)
         ORDER BY a.id"
    ))?;
    let rows = stmt.query_map([item], |r| Ok((record(r)?, r.get::<_, bool>(10)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (a, member) = row?;
        out.push(serde_json::json!({
            "number": a.number, "donor": a.donor, "received": a.received,
            "agreement": a.agreement_item, "agreement_note": a.agreement_note,
            "extent": a.extent, "note": a.note, "member": member,
        }));
    }
    Ok(serde_json::Value::Array(out))
}

/// Restores what [`bag_state`] wrote for item `id`: each accession found by
/// number or recorded (its agreement mapped to this archive's id by
/// `map`, which makes that item the custodian's), and the item linked where
/// it was a member. Returns whether an accession was recorded.
pub fn restore(
    conn: &Connection,
    id: ItemId,
    state: &serde_json::Value,
    map: impl Fn(i64) -> Option<ItemId>,
    by: &str,
    now: &str,
) -> Result<Vec<String>> {
    let mut made = Vec::new();
    for a in state.as_array().map(Vec::as_slice).unwrap_or_default() {
        let text = |k: &str| a.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let number = text("number").ok_or_else(|| Error::usage("an accession without a number"))?;
        let existing = find(conn, &number)?;
        let record = match existing {
            Some(r) => r,
            None => {
                let received = text("received")
                    .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                    .ok_or_else(|| Error::usage(format!("accession {number}: no day received")))?;
                let new = NewAccession {
                    number: number.clone(),
                    donor: text("donor").unwrap_or_default(),
                    received,
                    agreement_item: a.get("agreement").and_then(|v| v.as_i64()).and_then(&map),
                    agreement_note: text("agreement_note"),
                    extent: text("extent"),
                    note: text("note"),
                };
                insert(conn, &new, by, now)?;
                made.push(number.clone());
                find(conn, &number)?.ok_or_else(|| Error::Failed("accession vanished".into()))?
            }
        };
        if a.get("member").and_then(|v| v.as_bool()) == Some(true) {
            link(conn, id, &record)?;
        }
    }
    Ok(made)
}
