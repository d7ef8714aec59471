//! The `sites` rows: where copies of the originals are kept, and where the
//! credentials for each come from (a file path or a profile name, never the
//! credentials themselves).
//!
//! It reads and writes rows; it never contacts a site and never prints.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

/// A site as stored.
#[derive(Debug, Clone)]
pub struct SiteRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub credentials_file: Option<String>,
    pub profile: Option<String>,
    pub added_at: String,
}

const COLUMNS: &str = "id, name, url, endpoint, region, credentials_file, profile, added_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SiteRow> {
    Ok(SiteRow {
        id: r.get(0)?,
        name: r.get(1)?,
        url: r.get(2)?,
        endpoint: r.get(3)?,
        region: r.get(4)?,
        credentials_file: r.get(5)?,
        profile: r.get(6)?,
        added_at: r.get(7)?,
    })
}

pub fn all(conn: &Connection) -> Result<Vec<SiteRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM sites ORDER BY id"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn by_name(conn: &Connection, name: &str) -> Result<Option<SiteRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM sites WHERE name = ?1"))?
        .query_row([name], row)
        .optional()?)
}

/// The site, or the usage error naming the sites there are.
pub fn require(conn: &Connection, name: &str) -> Result<SiteRow> {
    if let Some(s) = by_name(conn, name)? {
        return Ok(s);
    }
    let names: Vec<String> = all(conn)?.into_iter().map(|s| s.name).collect();
    Err(Error::usage(if names.is_empty() {
        format!("no site named {name:?}: this archive has no sites yet (custos site add NAME URL)")
    } else {
        format!(
            "no site named {name:?}; the sites are: {}",
            names.join(", ")
        )
    }))
}

pub fn insert(conn: &Connection, s: &SiteRow) -> Result<i64> {
    if by_name(conn, &s.name)?.is_some() {
        return Err(Error::usage(format!(
            "a site named {:?} already exists; nothing was changed",
            s.name
        )));
    }
    conn.prepare_cached(
        "INSERT INTO sites (name, url, endpoint, region, credentials_file, profile, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        s.name,
        s.url,
        s.endpoint,
        s.region,
        s.credentials_file,
        s.profile,
        s.added_at
    ])?;
    Ok(conn.last_insert_rowid())
}
