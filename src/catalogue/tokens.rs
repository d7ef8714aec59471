//! Rows of web tokens and of the research access log (migration 0013).
//! A token is stored only as the SHA-256 of its secret; nothing here ever
//! sees or returns a secret.
//!
//! Plain SQL with bound parameters; no policy, no printing.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;

/// One token as stored (never its secret).
#[derive(Debug, Clone, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub access: String,
    pub created_at: String,
    pub created_by: String,
    pub expires: String,
    pub revoked_at: Option<String>,
}

/// One logged view or download.
#[derive(Debug, Clone, Serialize)]
pub struct AccessLogRow {
    pub at: String,
    pub token: Option<i64>,
    pub label: Option<String>,
    pub item: i64,
    pub what: String,
}

const COLUMNS: &str = "id, label, level, created_at, created_by, expires, revoked_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok(TokenRow {
        id: r.get(0)?,
        label: r.get(1)?,
        access: r.get(2)?,
        created_at: r.get(3)?,
        created_by: r.get(4)?,
        expires: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

pub struct NewToken<'a> {
    pub hash: &'a str,
    pub label: &'a str,
    pub access: &'a str,
    pub created_at: &'a str,
    pub created_by: &'a str,
    pub expires: &'a str,
}

pub fn insert(conn: &Connection, t: &NewToken<'_>) -> Result<i64> {
    conn.execute(
        "INSERT INTO web_tokens (hash, label, level, created_at, created_by, expires)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        (
            t.hash,
            t.label,
            t.access,
            t.created_at,
            t.created_by,
            t.expires,
        ),
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<TokenRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM web_tokens WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?)
}

pub fn by_hash(conn: &Connection, hash: &str) -> Result<Option<TokenRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM web_tokens WHERE hash = ?1"),
            [hash],
            row,
        )
        .optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<TokenRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM web_tokens ORDER BY id"))?;
    let rows = stmt.query_map([], row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Marks the token revoked at `at`; false when it already was.
pub fn revoke(conn: &Connection, id: i64, at: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE web_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        (id, at),
    )? == 1)
}

pub fn log_access(
    conn: &Connection,
    token: Option<i64>,
    item: i64,
    what: &str,
    at: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO research_access_log (token_id, item_id, what, at) VALUES (?1, ?2, ?3, ?4)",
        (token, item, what, at),
    )?;
    Ok(())
}

pub fn access_log(conn: &Connection) -> Result<Vec<AccessLogRow>> {
    let mut stmt = conn.prepare(
        "SELECT l.at, l.token_id, t.label, l.item_id, l.what
         FROM research_access_log l LEFT JOIN web_tokens t ON t.id = l.token_id
         ORDER BY l.id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(AccessLogRow {
                at: r.get(0)?,
                token: r.get(1)?,
                label: r.get(2)?,
                item: r.get(3)?,
                what: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
