//! Whether a file's bytes are already in the archive, asked once per file
//! by the committer: the object, its item, and whether that item was
//! deaccessioned (its bytes are then skipped, never silently taken back).
//! It reads only.

use rusqlite::Connection;

use super::{FileOutcome, Status};
use crate::error::Result;
use crate::model::{ItemId, Sha256};

/// The object with digest ?1, its item, and whether that item was
/// deaccessioned. The digest is found in its index's levels, the largest
/// only behind its prefix (`catalogue::digests::by_new_digest`: most files
/// of an import are new), then the object by id.
pub(crate) const OBJECT_LOOKUP: &str = concat!(
    "SELECT o.id, i.id, ifnull(i.access_level, '') = 'deaccessioned'
       FROM objects o LEFT JOIN items i ON i.object_id = o.id
      WHERE o.id = (",
    crate::catalogue::digests::by_new_digest!(),
    ")"
);

/// "Are these bytes known?", asked once per file of a chunk. It is the
/// query of [`items::find_object`], but held for the whole chunk instead of
/// going through rusqlite's statement cache: the cache calls
/// `sqlite3_clear_bindings` when a statement is returned, and SQLite expires
/// (and so re-parses and re-plans) any statement with a `col = ?` term on
/// that call. Profiling showed re-preparation at ~17% of the writer
/// thread in a re-import.
pub(super) struct ObjectLookup<'c> {
    stmt: rusqlite::Statement<'c>,
}

impl<'c> ObjectLookup<'c> {
    pub(super) fn new(conn: &'c Connection) -> Result<Self> {
        Ok(ObjectLookup {
            stmt: conn.prepare(OBJECT_LOOKUP)?,
        })
    }

    /// The object, its item, and whether that item was deaccessioned.
    pub(super) fn find(&mut self, sha: &Sha256) -> Result<Option<(i64, Option<ItemId>, bool)>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .stmt
            .query_row([sha], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, Option<bool>>(2)?.unwrap_or(false),
                ))
            })
            .optional()?)
    }
}

/// A file whose bytes left the collection as a deaccessioned item: it is
/// not taken back in silently, nor added to the tombstone's provenance.
pub(super) struct Deaccessioned {
    item: ItemId,
    on: String,
}

impl Deaccessioned {
    pub(super) fn outcome(self, path: String, sha: Sha256) -> FileOutcome {
        FileOutcome {
            path,
            status: Status::Skipped,
            id: None,
            sha256: Some(sha),
            reason: Some(format!(
                "these bytes were deaccessioned as item {} on {}; not imported again (`custos show {}` as custodian says why)",
                self.item, self.on, self.item
            )),
        }
    }
}

pub(super) fn deaccessioned(conn: &Connection, item: ItemId) -> Result<Option<Deaccessioned>> {
    Ok(
        crate::catalogue::deaccessions::get(conn, item)?.map(|d| Deaccessioned {
            item,
            on: d.recorded_at.chars().take(10).collect(),
        }),
    )
}
