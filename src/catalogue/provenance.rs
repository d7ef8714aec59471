//! Provenance records: every arrival of an object's bytes, with origin,
//! original name and path, method, time and agent.
//!
//! Records are only ever added, never changed: a duplicate arrival is a new
//! record on the existing item.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::display_bytes;
use crate::error::Result;
use crate::model::{ItemId, Method};

pub struct NewProvenance<'a> {
    pub origin: &'a str,
    pub original_name: &'a [u8],
    pub original_path: &'a [u8],
    pub method: Method,
    pub ingested_at: &'a str,
    pub ingested_by: &'a str,
    pub detail: Option<&'a serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProvenanceRecord {
    pub id: i64,
    pub origin: String,
    pub original_name: String,
    pub original_path: String,
    pub method: Method,
    pub ingested_at: String,
    pub ingested_by: String,
    pub detail: Option<serde_json::Value>,
}

pub fn insert(conn: &Connection, item: ItemId, p: &NewProvenance<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO provenance (item_id, origin, original_name, original_path, method, ingested_at, ingested_by, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        item,
        p.origin,
        p.original_name,
        p.original_path,
        p.method,
        p.ingested_at,
        p.ingested_by,
        p.detail.map(|d| d.to_string()),
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn for_item(conn: &Connection, item: ItemId) -> Result<Vec<ProvenanceRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, origin, original_name, original_path, method, ingested_at, ingested_by, detail
         FROM provenance WHERE item_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([item], |r| {
        let name: Vec<u8> = r.get(2)?;
        let path: Vec<u8> = r.get(3)?;
        let detail: Option<String> = r.get(7)?;
        Ok(ProvenanceRecord {
            id: r.get(0)?,
            origin: r.get(1)?,
            original_name: display_bytes(&name),
            original_path: display_bytes(&path),
            method: r.get(4)?,
            ingested_at: r.get(5)?,
            ingested_by: r.get(6)?,
            detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
