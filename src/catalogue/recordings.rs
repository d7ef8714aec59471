//! The technical metadata of recordings (migration 0010), keyed by object:
//! written once at import, read for `show` and the `duration` field.
//!
//! Rows only; who may see them is decided by `policy::view::recording`.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::media::Technical;
use crate::model::ItemId;

/// Records `t` for the object, unless the object already has a row (the
/// same bytes were characterised before).
pub fn insert(conn: &Connection, object_id: i64, t: &Technical) -> Result<()> {
    conn.execute(
        "INSERT INTO recordings (object_id, duration_ms, container, codec, sample_rate, channels, bit_depth, width, height, reader, problem)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(object_id) DO NOTHING",
        params![
            object_id,
            t.duration_ms,
            t.container,
            t.codec,
            t.sample_rate,
            t.channels,
            t.bit_depth,
            t.width,
            t.height,
            t.reader,
            t.problem
        ],
    )?;
    Ok(())
}

/// The technical metadata of item `id`'s recording, if it is one.
pub fn for_item(conn: &Connection, id: ItemId) -> Result<Option<Technical>> {
    Ok(conn
        .query_row(
            "SELECT r.duration_ms, r.container, r.codec, r.sample_rate, r.channels, r.bit_depth, r.width, r.height, r.reader, r.problem
             FROM items i JOIN recordings r ON r.object_id = i.object_id WHERE i.id = ?1",
            params![id.0],
            |r| {
                Ok(Technical {
                    duration_ms: r.get(0)?,
                    container: r.get(1)?,
                    codec: r.get(2)?,
                    sample_rate: r.get(3)?,
                    channels: r.get(4)?,
                    bit_depth: r.get(5)?,
                    width: r.get(6)?,
                    height: r.get(7)?,
                    reader: r.get(8)?,
                    problem: r.get(9)?,
                })
            },
        )
        .optional()?)
}
