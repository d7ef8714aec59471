//! Archive-wide settings (`settings` table): the archive id and the public
//! custodian recipient.
//!
//! Only public values live here; a secret key must never be stored in the
//! archive. This module does not print.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::seal::Recipient;

pub const ARCHIVE_ID: &str = "archive_id";
pub const CUSTODIAN_RECIPIENT: &str = "custodian_recipient";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Sets `key` to `value`, replacing what it was.
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

/// The archive's custodian recipient, None before `custos key init`.
pub fn custodian_recipient(conn: &Connection) -> Result<Option<Recipient>> {
    get(conn, CUSTODIAN_RECIPIENT)?
        .map(|s| s.parse())
        .transpose()
}

/// The recipient, or the usage error that tells the user to make one.
pub fn require_recipient(conn: &Connection, for_what: &str) -> Result<Recipient> {
    custodian_recipient(conn)?.ok_or_else(|| {
        Error::usage(format!(
            "{for_what} needs the archive's custodian key, and none is set up; run `custos key init` first"
        ))
    })
}

/// Stores the recipient; refuses to replace one (what was sealed to the old
/// key would become unreadable with the new one).
pub fn set_custodian_recipient(conn: &Connection, r: &Recipient) -> Result<()> {
    if get(conn, CUSTODIAN_RECIPIENT)?.is_some() {
        return Err(Error::usage(
            "this archive already has a custodian key; nothing was changed",
        ));
    }
    conn.prepare_cached("INSERT INTO settings (key, value) VALUES (?1, ?2)")?
        .execute((CUSTODIAN_RECIPIENT, r.as_string()))?;
    Ok(())
}
