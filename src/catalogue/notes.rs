//! Rows of `item_notes` (migration 0017): an item's notes, each public or
//! custodial. It reads and writes rows; which notes a reader sees is
//! decided by `policy::view::notes`, never here.

use rusqlite::{params, Connection};

use crate::error::{Error, Result};
use crate::model::{ItemId, NoteAudience};

/// One note as stored.
#[derive(Debug, Clone)]
pub struct NoteRecord {
    pub id: i64,
    pub audience: NoteAudience,
    pub text: String,
    pub recorded_at: String,
    pub recorded_by: String,
}

pub fn insert(
    conn: &Connection,
    item: ItemId,
    audience: NoteAudience,
    text: &str,
    by: &str,
    now: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO item_notes (item_id, audience, text, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![item, audience, text, now, by])?;
    Ok(conn.last_insert_rowid())
}

/// The item's notes, oldest first.
pub fn for_item(conn: &Connection, item: ItemId) -> Result<Vec<NoteRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, audience, text, recorded_at, recorded_by FROM item_notes
          WHERE item_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([item], |r| {
            Ok(NoteRecord {
                id: r.get(0)?,
                audience: r.get(1)?,
                text: r.get(2)?,
                recorded_at: r.get(3)?,
                recorded_by: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Removes note `note` of `item`; its audience, for the event. A note of
/// another item is refused with the command that lists this item's.
pub fn remove(conn: &Connection, item: ItemId, note: i64) -> Result<NoteAudience> {
    let audience: Option<NoteAudience> = {
        use rusqlite::OptionalExtension;
        conn.prepare_cached("SELECT audience FROM item_notes WHERE id = ?1 AND item_id = ?2")?
            .query_row(params![note, item], |r| r.get(0))
            .optional()?
    };
    let Some(audience) = audience else {
        return Err(Error::usage(format!(
            "item {item} has no note {note} (`custos note list {item}` lists its notes)"
        )));
    };
    conn.prepare_cached("DELETE FROM item_notes WHERE id = ?1")?
        .execute([note])?;
    Ok(audience)
}
