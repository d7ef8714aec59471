//! Items and their objects: inserting, reading one, listing, editing.
//!
//! Sort keys and editable fields come from allow-lists here; user text only
//! ever reaches SQL as a bound parameter.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::display_bytes;
use crate::edtf::Edtf;
use crate::error::{Error, Result};
use crate::model::{Intake, ItemId, Kind, Sha256};

/// Descriptive metadata of a new item.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub title: String,
    pub kind: Kind,
    pub description: Option<String>,
    pub creator: Option<String>,
    pub date: Option<Edtf>,
    pub language: Option<String>,
    pub collection: Option<String>,
    pub coverage: Option<Edtf>,
    pub rights: Option<String>,
    pub location: Option<String>,
    /// The access it starts with. A closed intake inserts the row closed,
    /// and `ops::access::intake` records the event that says so in the same
    /// transaction (the event's trigger then leaves the row as it is).
    pub intake: Intake,
}

#[cfg(test)]
impl NewItem {
    /// A new item with a title, a kind and an intake, and nothing else
    /// described: what tests of the catalogue's writers insert.
    pub(crate) fn bare(title: &str, kind: Kind, intake: Intake) -> NewItem {
        NewItem {
            title: title.into(),
            kind,
            description: None,
            creator: None,
            date: None,
            language: None,
            collection: None,
            coverage: None,
            rights: None,
            location: None,
            intake,
        }
    }
}

/// An item as the catalogue describes it; its origin fields come from its
/// first provenance record. This is the documented JSON shape of `list`.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRecord {
    pub id: ItemId,
    pub title: String,
    pub kind: Kind,
    pub date: Option<String>,
    pub sha256: Sha256,
    pub size: i64,
    pub media_type: String,
    pub original_name: Option<String>,
    pub origin: Option<String>,
    pub ingested_at: Option<String>,
    pub ingested_by: Option<String>,
    pub language: Option<String>,
    pub collection: Option<String>,
    pub creator: Option<String>,
    pub description: Option<String>,
    pub coverage: Option<String>,
    pub rights: Option<String>,
    pub location: Option<String>,
}

/// How many columns [`RECORD_COLUMNS`] are: what a query selecting more
/// after them counts from.
pub const RECORD_WIDTH: usize = 18;

/// The eighteen columns [`row_to_record`] reads, in order; they need
/// [`RECORD_FROM`] (aliases `i`, `o`, `p`).
pub const RECORD_COLUMNS: &str = "i.id, i.title, i.kind, i.date, o.sha256, o.size, o.media_type,
       p.original_name, p.origin, p.ingested_at, p.ingested_by,
       i.language, i.collection, i.creator, i.description,
       i.coverage, i.rights, i.location";

/// Items with their object and first provenance record.
pub const RECORD_FROM: &str = "
FROM items i
JOIN objects o ON o.id = i.object_id
LEFT JOIN provenance p ON p.id = (SELECT min(id) FROM provenance WHERE item_id = i.id)";

/// Reads the record from [`RECORD_COLUMNS`] at the start of a row.
pub fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<ItemRecord> {
    let name: Option<Vec<u8>> = r.get(7)?;
    Ok(ItemRecord {
        id: r.get(0)?,
        title: r.get(1)?,
        kind: r.get(2)?,
        date: r.get(3)?,
        sha256: r.get(4)?,
        size: r.get(5)?,
        media_type: r.get(6)?,
        original_name: name.map(|n| display_bytes(&n)),
        origin: r.get(8)?,
        ingested_at: r.get(9)?,
        ingested_by: r.get(10)?,
        language: r.get(11)?,
        collection: r.get(12)?,
        creator: r.get(13)?,
        description: r.get(14)?,
        coverage: r.get(15)?,
        rights: r.get(16)?,
        location: r.get(17)?,
    })
}

/// The object with digest ?1 and the item describing it if any, found
/// through the levels of digests (`digests::by_digest`).
pub const FIND_OBJECT: &str = concat!(
    "SELECT o.id, i.id FROM objects o LEFT JOIN items i ON i.object_id = o.id WHERE o.id = (",
    super::digests::by_digest!(),
    ")"
);

/// The object row for these bytes, and the item describing it if any.
pub fn find_object(conn: &Connection, sha: &Sha256) -> Result<Option<(i64, Option<ItemId>)>> {
    Ok(conn
        .prepare_cached(FIND_OBJECT)?
        .query_row([sha], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub fn insert_object(
    conn: &Connection,
    sha: &Sha256,
    size: u64,
    media_type: &str,
    now: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO objects (sha256, size, media_type, stored_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![sha, size as i64, media_type, now])?;
    Ok(conn.last_insert_rowid())
}

pub fn insert_item(conn: &Connection, object_id: i64, item: &NewItem, now: &str) -> Result<ItemId> {
    conn.prepare_cached(
        // size and date_span are derived columns (migration 0004), set here
        // rather than by a trigger so each new row is written once.
        "INSERT INTO items (object_id, title, kind, description, creator, date, date_lower, date_upper, language, collection, created_at, updated_at, size, date_span,
                            coverage, coverage_lower, coverage_upper, rights, location, access_level)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11,
                 coalesce((SELECT size FROM objects WHERE id = ?1), 0),
                 CAST(julianday(?8) - julianday(?7) AS INTEGER),
                 ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        object_id,
        item.title,
        item.kind,
        item.description,
        item.creator,
        item.date.as_ref().map(Edtf::as_str),
        item.date.as_ref().and_then(Edtf::lower),
        item.date.as_ref().and_then(Edtf::upper),
        item.language,
        item.collection,
        now,
        item.coverage.as_ref().map(Edtf::as_str),
        item.coverage.as_ref().and_then(Edtf::lower),
        item.coverage.as_ref().and_then(Edtf::upper),
        item.rights,
        item.location,
        match item.intake {
            Intake::Closed => Some(crate::model::ItemAccess::Closed),
            Intake::Open => None,
        },
    ])?;
    Ok(ItemId(conn.last_insert_rowid()))
}

/// Stores extracted text and indexes it with the title for full-text search.
/// Stores a new item's extracted text. Its full-text entry is written
/// apart, by [`index_text`].
pub fn insert_text(conn: &Connection, id: ItemId, text: Option<&str>) -> Result<()> {
    if let Some(t) = text {
        conn.prepare_cached("INSERT INTO item_text (item_id, text) VALUES (?1, ?2)")?
            .execute(params![id, t])?;
    }
    Ok(())
}

/// Adds a new item's title and text to the full-text index.
///
/// Once a transaction has written to FTS5, every later statement that
/// needs a statement journal (any that fires a trigger, such as an insert
/// into `items`) makes FTS5 flush its pending terms as a new segment. A
/// writer of many items therefore indexes them after their other rows:
/// one segment per batch instead of one per item.
pub fn index_text(conn: &Connection, id: ItemId, title: &str, text: Option<&str>) -> Result<()> {
    super::fts::put(conn, super::fts::Doc::Public, id, title, text.unwrap_or(""))
}

pub fn get(conn: &Connection, id: ItemId) -> Result<Option<ItemRecord>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE i.id = ?1"
        ))?
        .query_row([id], row_to_record)
        .optional()?)
}

pub fn exists(conn: &Connection, id: ItemId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM items WHERE id = ?1")?
        .exists([id])?)
}

/// Refuses a change to an item that does not exist or was purged. Every
/// write operation on an item checks this first; the catalogue's guards
/// (migration 0007) refuse the same writes should any path miss it.
pub fn ensure_changeable(conn: &Connection, id: ItemId) -> Result<()> {
    let state: Option<(bool, bool)> = conn
        .prepare_cached(
            "SELECT o.purged_at IS NOT NULL, ifnull(i.access_level, '') = 'deaccessioned'
               FROM items i JOIN objects o ON o.id = i.object_id WHERE i.id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match state {
        None => Err(Error::usage(format!("no item {id} in this archive"))),
        Some((_, true)) => Err(Error::usage(format!(
            "item {id} was deaccessioned: it left the collection for good and takes no further change (`custos show {id}` gives the day and reason)"
        ))),
        Some((true, false)) => Err(Error::usage(format!(
            "item {id} was purged: a purged testimony takes no further consent, terms, testimony, redaction or edits; its tombstone stays as it is"
        ))),
        Some((false, false)) => Ok(()),
    }
}

/// One metadata field an `edit` may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Title,
    Kind,
    Date,
    Language,
    Creator,
    Description,
    Collection,
    Coverage,
    Rights,
    Location,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::Title,
        Field::Kind,
        Field::Date,
        Field::Language,
        Field::Creator,
        Field::Description,
        Field::Collection,
        Field::Coverage,
        Field::Rights,
        Field::Location,
    ];

    /// The field's entry in the registry (`crate::fields`).
    pub fn def(self) -> &'static crate::fields::FieldDef {
        // Every variant is in the registry: `fields::tests` checks it.
        crate::fields::get(self.name()).unwrap_or(&crate::fields::ITEM_FIELDS[0])
    }

    /// Whether `edit --clear` may empty it (title and kind are required).
    pub fn clearable(self) -> bool {
        self.def().edit == crate::fields::Edit::Clearable
    }

    /// Shown to readers below custodian beside a redacted item's redacted
    /// copy (title and description are replaced by it), so a new value must
    /// not hold a redacted term.
    pub fn shown_beside_redacted_text(self) -> bool {
        self.def().beside_redacted
    }

    /// The field an `--clear NAME` names.
    pub fn clearable_named(name: &str) -> Result<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.name() == name && f.clearable())
            .ok_or_else(|| {
                let names: Vec<&str> = crate::fields::clearable().map(|f| f.name).collect();
                Error::usage(format!(
                    "--clear {name:?}: only {} can be cleared",
                    names.join(", ")
                ))
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Kind => "kind",
            Field::Date => "date",
            Field::Language => "language",
            Field::Creator => "creator",
            Field::Description => "description",
            Field::Collection => "collection",
            Field::Coverage => "coverage",
            Field::Rights => "rights",
            Field::Location => "location",
        }
    }
}

/// A change as recorded in the metadata-modification event.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Sets one field (None clears it), returning the change, or None when the
/// value was already that.
pub fn set_field(
    conn: &Connection,
    id: ItemId,
    field: Field,
    value: Option<&str>,
    now: &str,
) -> Result<Option<Change>> {
    let old: Option<String> = conn.query_row(
        &format!("SELECT {} FROM items WHERE id = ?1", field.name()),
        [id],
        |r| r.get(0),
    )?;
    if old.as_deref() == value {
        return Ok(None);
    }
    ensure_changeable(conn, id)?;
    if field == Field::Kind && old.as_deref() == Some(Kind::Testimony.as_str()) {
        return Err(Error::usage(format!(
            "item {id} is a testimony, and stays one: its consent (or the lack of it) governs who may see it, and a metadata edit cannot lift that; to open it, record consent with `custos consent {id} grant`"
        )));
    }
    // A redacted item's public index holds the redacted title: the caller
    // (`ops::edit`) recomputes the redacted copy and both indexes after the
    // change, in the same transaction, and the original title never
    // reaches the public index.
    let redacted = super::redactions::is_redacted(conn, id)?;
    match field {
        Field::Date | Field::Coverage => {
            let d = value
                .map(str::parse::<Edtf>)
                .transpose()
                .map_err(|e| Error::usage(format!("--{}: {e}", field.name())))?;
            // The column names come from the enum, never from the user.
            let c = field.name();
            conn.execute(
                &format!("UPDATE items SET {c} = ?2, {c}_lower = ?3, {c}_upper = ?4, updated_at = ?5 WHERE id = ?1"),
                params![
                    id,
                    d.as_ref().map(Edtf::as_str),
                    d.as_ref().and_then(Edtf::lower),
                    d.as_ref().and_then(Edtf::upper),
                    now
                ],
            )?;
        }
        Field::Title | Field::Kind => {
            let v =
                value.ok_or_else(|| Error::usage(format!("--{} cannot be empty", field.name())))?;
            conn.execute(
                &format!(
                    "UPDATE items SET {} = ?2, updated_at = ?3 WHERE id = ?1",
                    field.name()
                ),
                params![id, v, now],
            )?;
            if field == Field::Title && !redacted {
                super::fts::set_title(conn, id, v)?;
            }
        }
        _ => {
            conn.execute(
                &format!(
                    "UPDATE items SET {} = ?2, updated_at = ?3 WHERE id = ?1",
                    field.name()
                ),
                params![id, value, now],
            )?;
        }
    }
    Ok(Some(Change {
        field: field.name(),
        old,
        new: value.map(str::to_string),
    }))
}

/// The extracted text of an item, if any was stored.
pub fn text(conn: &Connection, id: ItemId) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT text FROM item_text WHERE item_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// The redacted copy of a redacted item (what readers below custodian get).
pub fn redacted_copy(
    conn: &Connection,
    id: ItemId,
) -> Result<Option<crate::policy::present::RedactedCopy>> {
    Ok(conn
        .prepare_cached("SELECT title, description, text FROM redacted_text WHERE item_id = ?1")?
        .query_row([id], |r| {
            Ok(crate::policy::present::RedactedCopy {
                title: r.get(0)?,
                description: r.get(1)?,
                text: r.get(2)?,
            })
        })
        .optional()?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_record_width_counts_the_record_columns() {
        assert_eq!(
            super::RECORD_COLUMNS.split(',').count(),
            super::RECORD_WIDTH
        );
    }
}
