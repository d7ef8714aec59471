//! Rows of `deaccessions` (migration 0016): which items left the
//! collection, why, who recorded it and when, and whether their bytes were
//! erased. Inserting a row makes the item deaccessioned (a trigger sets
//! `items.access_level`); the triggers refuse every undo.
//!
//! It reads and writes rows; it never decides who may see a deaccessioned
//! item (`policy::decide` does) and never touches files.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::model::ItemId;

/// One deaccession as stored (what its readers need of it).
#[derive(Debug, Clone)]
pub struct DeaccessionRecord {
    pub recorded_at: String,
}

pub fn get(conn: &Connection, item: ItemId) -> Result<Option<DeaccessionRecord>> {
    Ok(conn
        .prepare_cached("SELECT recorded_at FROM deaccessions WHERE item_id = ?1")?
        .query_row([item], |r| {
            Ok(DeaccessionRecord {
                recorded_at: r.get(0)?,
            })
        })
        .optional()?)
}

/// A new deaccession, recorded by the chained event `event_id`.
pub struct NewDeaccession<'a> {
    pub item: ItemId,
    pub reason: &'a str,
    pub accession_id: Option<i64>,
    pub event_id: i64,
    pub by: &'a str,
    pub now: &'a str,
}

pub fn insert(conn: &Connection, d: &NewDeaccession<'_>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO deaccessions (item_id, reason, accession_id, event_id, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        d.item,
        d.reason,
        d.accession_id,
        d.event_id,
        d.now,
        d.by
    ])?;
    Ok(())
}

/// Marks the bytes of every deaccessioned item stored in `object` erased.
pub fn mark_bytes_erased(conn: &Connection, object: i64, now: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE deaccessions SET bytes_erased_at = ?2
          WHERE bytes_erased_at IS NULL
            AND item_id IN (SELECT id FROM items WHERE object_id = ?1)",
    )?
    .execute(params![object, now])?;
    Ok(())
}

/// The items an accession brought in, in id order.
pub fn members_of(conn: &Connection, accession_id: i64) -> Result<Vec<ItemId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT item_id FROM accession_items WHERE accession_id = ?1 ORDER BY item_id",
    )?;
    let ids = stmt
        .query_map([accession_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Why an item must stay although someone asks to deaccession it: it is
/// the evidence of a standing consent or the donor agreement of an
/// accession (either would leave a record citing nothing).
pub fn still_cited(conn: &Connection, item: ItemId) -> Result<Option<String>> {
    let consent: Option<i64> = conn
        .prepare_cached(
            "SELECT c.item_id FROM consent_current c
              WHERE c.evidence_item_id = ?1 AND c.item_id <> ?1
                AND ifnull((SELECT i.access_level FROM items i WHERE i.id = c.item_id), '') <> 'deaccessioned'
              ORDER BY c.item_id LIMIT 1",
        )?
        .query_row([item], |r| r.get(0))
        .optional()?;
    if let Some(t) = consent {
        return Ok(Some(format!(
            "it is the evidence of the consent of item {t}; record that consent's new evidence first, or deaccession item {t} with it"
        )));
    }
    let accession: Option<String> = conn
        .prepare_cached("SELECT number FROM accessions WHERE agreement_item_id = ?1 LIMIT 1")?
        .query_row([item], |r| r.get(0))
        .optional()?;
    Ok(accession.map(|n| {
        format!("it is the donor agreement of accession {n:?}; an accession keeps its agreement")
    }))
}
