//! Redaction rows: the sealed terms of an item, its redacted copy, and the
//! two full-text indexes (`item_fts` holds what readers below custodian may
//! search, `item_fts_full` the unredacted text of redacted items).
//!
//! Terms arrive here sealed; this module never sees them in clear, never
//! computes a redaction (that is `redact`) and never prints.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::model::{ItemId, Vocab};
use crate::policy::present::RedactedCopy;

/// The original (unredacted) title, description and extracted text.
#[derive(Clone)]
pub struct Original {
    pub title: String,
    pub description: Option<String>,
    pub text: Option<String>,
}

// Debug would print testimony text into logs and panics.
impl std::fmt::Debug for Original {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Original([REDACTED])")
    }
}

/// Sealed term lists of the item, oldest first.
pub fn sealed_terms(conn: &Connection, item: ItemId) -> Result<Vec<Vec<u8>>> {
    let mut stmt =
        conn.prepare_cached("SELECT sealed_terms FROM redactions WHERE item_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([item], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert(conn: &Connection, item: ItemId, sealed: &[u8], now: &str) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO redactions (item_id, sealed_terms, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![item, sealed, now])?;
    Ok(conn.last_insert_rowid())
}

pub fn original(conn: &Connection, item: ItemId) -> Result<Option<Original>> {
    Ok(conn
        .prepare_cached(
            "SELECT i.title, i.description, t.text FROM items i
             LEFT JOIN item_text t ON t.item_id = i.id WHERE i.id = ?1",
        )?
        .query_row([item], |r| {
            Ok(Original {
                title: r.get(0)?,
                description: r.get(1)?,
                text: r.get(2)?,
            })
        })
        .optional()?)
}

/// Stores the redacted copy and re-indexes: the public index gets the
/// redacted title and text, the custodian's index the original.
pub fn store(conn: &Connection, item: ItemId, orig: &Original, copy: &RedactedCopy) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO redacted_text (item_id, title, description, text) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (item_id) DO UPDATE SET title = excluded.title,
            description = excluded.description, text = excluded.text",
    )?
    .execute(params![item, copy.title, copy.description, copy.text])?;
    use super::fts::{replace, Doc};
    let (copy_text, orig_text) = (copy.text.as_deref(), orig.text.as_deref());
    replace(
        conn,
        Doc::Public,
        item,
        &copy.title,
        copy_text.unwrap_or(""),
    )?;
    replace(conn, Doc::Full, item, &orig.title, orig_text.unwrap_or(""))
}

pub fn is_redacted(conn: &Connection, item: ItemId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM redacted_text WHERE item_id = ?1")?
        .exists([item])?)
}

/// A value shown with an item outside its title, description and text.
#[derive(Clone)]
pub enum Linked {
    Creator(String),
    Collection(String),
    Term {
        id: i64,
        vocab: Vocab,
        label: String,
    },
    /// A field of the testimony record (`interview_place`, `interviewer`).
    Testimony {
        field: &'static str,
        value: String,
    },
    /// A field of the narrator (display form or a quasi-identifier).
    Narrator {
        id: i64,
        field: &'static str,
        value: String,
    },
}

// The values may be the very names being redacted.
impl std::fmt::Debug for Linked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Linked([REDACTED])")
    }
}

/// The item's creator, collection, the labels of the terms linked to it,
/// and its testimony's interview place, interviewer and narrator's display
/// form and quasi-identifiers: what redaction does not rewrite, so must not
/// hold a redacted term.
pub fn linked(conn: &Connection, item: ItemId) -> Result<Vec<Linked>> {
    let mut out = Vec::new();
    let row: Option<(Option<String>, Option<String>)> = conn
        .prepare_cached("SELECT creator, collection FROM items WHERE id = ?1")?
        .query_row([item], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((creator, collection)) = row {
        out.extend(creator.map(Linked::Creator));
        out.extend(collection.map(Linked::Collection));
    }
    const TESTIMONY: [&str; 2] = ["interview_place", "interviewer"];
    const NARRATOR: [&str; 4] = ["display", "place_of_origin", "place_of_residence", "notes"];
    let row = conn
        .prepare_cached(
            "SELECT t.interview_place, t.interviewer, n.id, n.display, n.place_of_origin,
                    n.place_of_residence, n.notes
             FROM testimonies t LEFT JOIN narrators n ON n.id = t.narrator_id
             WHERE t.item_id = ?1",
        )?
        .query_row([item], |r| {
            let text = |i: usize| r.get::<_, Option<String>>(i);
            Ok((
                [text(0)?, text(1)?],
                r.get::<_, Option<i64>>(2)?,
                [text(3)?, text(4)?, text(5)?, text(6)?],
            ))
        })
        .optional()?;
    if let Some((testimony, narrator, fields)) = row {
        for (field, value) in TESTIMONY.into_iter().zip(testimony) {
            out.extend(value.map(|value| Linked::Testimony { field, value }));
        }
        if let Some(id) = narrator {
            for (field, value) in NARRATOR.into_iter().zip(fields) {
                out.extend(value.map(|value| Linked::Narrator { id, field, value }));
            }
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT tm.id, tm.vocab, tm.label FROM item_terms it
         JOIN terms tm ON tm.id = it.term_id WHERE it.item_id = ?1 ORDER BY tm.id",
    )?;
    let terms = stmt.query_map([item], |r| {
        Ok(Linked::Term {
            id: r.get(0)?,
            vocab: r.get(1)?,
            label: r.get(2)?,
        })
    })?;
    for t in terms {
        out.push(t?);
    }
    Ok(out)
}

/// Redacted items linked to the term `term_id`.
pub fn redacted_items_with_term(conn: &Connection, term_id: i64) -> Result<Vec<ItemId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT it.item_id FROM item_terms it
         JOIN redacted_text rt ON rt.item_id = it.item_id
         WHERE it.term_id = ?1 ORDER BY it.item_id",
    )?;
    let rows = stmt.query_map([term_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The redacted testimonies of a narrator.
pub fn redacted_testimonies_of(conn: &Connection, narrator: i64) -> Result<Vec<ItemId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.item_id FROM testimonies t
         JOIN redacted_text rt ON rt.item_id = t.item_id
         WHERE t.narrator_id = ?1 ORDER BY t.item_id",
    )?;
    let rows = stmt.query_map([narrator], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
