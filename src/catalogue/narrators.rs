//! Narrators: the people whose testimonies the archive keeps. A display
//! form (what may be printed), anonymity, quasi-identifiers, and the legal
//! identity as sealed ciphertext only.
//!
//! This module stores and loads rows. It never holds a legal identity in
//! clear (callers seal it first, see `seal`), never decides who may see a
//! narrator (the testimony filter comes from `policy::sql`), and never prints.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;
pub use crate::model::NarratorId;
use crate::model::{Anonymity, ItemId};
use crate::policy::sql::{Filter, FACTS_JOIN};

/// A narrator to record; `sealed_identity` is already ciphertext.
#[derive(Debug, Clone)]
pub struct NewNarrator {
    pub display: Option<String>,
    pub anonymity: Anonymity,
    pub birth_year: Option<i32>,
    pub place_of_origin: Option<String>,
    pub place_of_residence: Option<String>,
    pub notes: Option<String>,
    pub sealed_identity: Option<Vec<u8>>,
}

/// A narrator as the catalogue describes it, before policy shaping. This is
/// the documented JSON shape of `narrator list` (and of `narrator show`,
/// which adds `legal_identity`).
#[derive(Debug, Clone, Serialize)]
pub struct NarratorRecord {
    pub id: NarratorId,
    pub display: Option<String>,
    pub anonymity: Anonymity,
    pub birth_year: Option<i32>,
    pub place_of_origin: Option<String>,
    pub place_of_residence: Option<String>,
    pub notes: Option<String>,
    /// Testimonies the reader may see this narrator through.
    pub testimonies: Vec<ItemId>,
    pub legal_identity_sealed: bool,
    pub created_at: String,
}

pub fn insert(conn: &Connection, n: &NewNarrator, now: &str) -> Result<NarratorId> {
    conn.prepare_cached(
        "INSERT INTO narrators (display, anonymity, birth_year, place_of_origin, place_of_residence, notes, sealed_identity, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        n.display,
        n.anonymity,
        n.birth_year,
        n.place_of_origin,
        n.place_of_residence,
        n.notes,
        n.sealed_identity,
        now
    ])?;
    Ok(NarratorId(conn.last_insert_rowid()))
}

pub fn exists(conn: &Connection, id: NarratorId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM narrators WHERE id = ?1")?
        .exists([id])?)
}

/// Narrators (all, or the one `only`), each with the testimonies `through`
/// selects (a `policy::sql` filter over `items i` with `FACTS_JOIN`).
pub fn list(
    conn: &Connection,
    through: &Filter,
    only: Option<NarratorId>,
) -> Result<Vec<NarratorRecord>> {
    let sql = format!(
        "SELECT nr.id, nr.display, nr.anonymity, nr.birth_year, nr.place_of_origin,
                nr.place_of_residence, nr.notes, nr.sealed_identity IS NOT NULL, nr.created_at,
                (SELECT json_group_array(i.id) FROM items i {FACTS_JOIN}
                  WHERE t.narrator_id = nr.id AND i.kind = 'testimony' AND {})
         FROM narrators nr {} ORDER BY nr.id",
        through.sql,
        if only.is_some() {
            "WHERE nr.id = ?"
        } else {
            ""
        }
    );
    let mut params: Vec<Value> = through.params.clone();
    if let Some(id) = only {
        params.push(Value::Integer(id.0));
    }
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(params), |r| {
        let ids: String = r.get(9)?;
        let mut testimonies: Vec<ItemId> = serde_json::from_str::<Vec<i64>>(&ids)
            .unwrap_or_default()
            .into_iter()
            .map(ItemId)
            .collect();
        testimonies.sort();
        Ok(NarratorRecord {
            id: r.get(0)?,
            display: r.get(1)?,
            anonymity: r.get(2)?,
            birth_year: r.get(3)?,
            place_of_origin: r.get(4)?,
            place_of_residence: r.get(5)?,
            notes: r.get(6)?,
            legal_identity_sealed: r.get(7)?,
            created_at: r.get(8)?,
            testimonies,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The sealed identity: None when there is no such narrator, Some(None)
/// when none was recorded.
pub fn sealed_identity(conn: &Connection, id: NarratorId) -> Result<Option<Option<Vec<u8>>>> {
    Ok(conn
        .prepare_cached("SELECT sealed_identity FROM narrators WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

pub fn set_sealed_identity(conn: &Connection, id: NarratorId, sealed: &[u8]) -> Result<()> {
    conn.prepare_cached("UPDATE narrators SET sealed_identity = ?2 WHERE id = ?1")?
        .execute(params![id, sealed])?;
    Ok(())
}

/// A narrator field `narrator edit` may change; names are the allow-list
/// of column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Display,
    Anonymity,
    BirthYear,
    PlaceOfOrigin,
    PlaceOfResidence,
    Notes,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Display => "display",
            Field::Anonymity => "anonymity",
            Field::BirthYear => "birth_year",
            Field::PlaceOfOrigin => "place_of_origin",
            Field::PlaceOfResidence => "place_of_residence",
            Field::Notes => "notes",
        }
    }

    pub const CLEARABLE: &'static [Field] = &[
        Field::Display,
        Field::BirthYear,
        Field::PlaceOfOrigin,
        Field::PlaceOfResidence,
        Field::Notes,
    ];
}

/// One change `narrator edit` makes: a field and its new value (None
/// clears it). Typed, so no caller builds SQL values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NarratorChange {
    Display(Option<String>),
    Anonymity(Anonymity),
    BirthYear(Option<i32>),
    PlaceOfOrigin(Option<String>),
    PlaceOfResidence(Option<String>),
    Notes(Option<String>),
}

impl NarratorChange {
    pub fn field(&self) -> Field {
        match self {
            NarratorChange::Display(_) => Field::Display,
            NarratorChange::Anonymity(_) => Field::Anonymity,
            NarratorChange::BirthYear(_) => Field::BirthYear,
            NarratorChange::PlaceOfOrigin(_) => Field::PlaceOfOrigin,
            NarratorChange::PlaceOfResidence(_) => Field::PlaceOfResidence,
            NarratorChange::Notes(_) => Field::Notes,
        }
    }

    /// The change that clears the field named `name` (`place-of-origin` or
    /// `place_of_origin`), if it can be cleared.
    pub fn clearing(name: &str) -> Option<NarratorChange> {
        let field = Field::CLEARABLE
            .iter()
            .copied()
            .find(|f| f.name() == name.replace('-', "_"))?;
        Some(match field {
            Field::Display => NarratorChange::Display(None),
            Field::BirthYear => NarratorChange::BirthYear(None),
            Field::PlaceOfOrigin => NarratorChange::PlaceOfOrigin(None),
            Field::PlaceOfResidence => NarratorChange::PlaceOfResidence(None),
            Field::Notes => NarratorChange::Notes(None),
            Field::Anonymity => return None,
        })
    }

    /// The new free text, which a reader may see beside a redacted
    /// testimony of this narrator (anonymity is a fixed word, not text).
    pub fn text(&self) -> Option<&str> {
        match self {
            NarratorChange::Display(t)
            | NarratorChange::PlaceOfOrigin(t)
            | NarratorChange::PlaceOfResidence(t)
            | NarratorChange::Notes(t) => t.as_deref(),
            NarratorChange::Anonymity(_) | NarratorChange::BirthYear(_) => None,
        }
    }

    fn value(&self) -> Value {
        let text = |t: &Option<String>| t.clone().map_or(Value::Null, Value::Text);
        match self {
            NarratorChange::Display(t)
            | NarratorChange::PlaceOfOrigin(t)
            | NarratorChange::PlaceOfResidence(t)
            | NarratorChange::Notes(t) => text(t),
            NarratorChange::Anonymity(a) => Value::Text(a.to_string()),
            NarratorChange::BirthYear(y) => y.map_or(Value::Null, |y| Value::Integer(y.into())),
        }
    }
}

/// Applies one change; true when the value changed.
pub fn set_field(conn: &Connection, id: NarratorId, change: &NarratorChange) -> Result<bool> {
    let col = change.field().name();
    let value = change.value();
    let old: Value = conn.query_row(
        &format!("SELECT {col} FROM narrators WHERE id = ?1"),
        [id],
        |r| r.get(0),
    )?;
    if old == value {
        return Ok(false);
    }
    conn.execute(
        &format!("UPDATE narrators SET {col} = ?2 WHERE id = ?1"),
        params![id, value],
    )?;
    Ok(true)
}

/// Deletes the narrator (and so its sealed identity) unless a testimony
/// still names it; true when deleted.
pub fn delete_if_unused(conn: &Connection, id: NarratorId) -> Result<bool> {
    let used = conn
        .prepare_cached("SELECT 1 FROM testimonies WHERE narrator_id = ?1")?
        .exists([id])?;
    if used {
        return Ok(false);
    }
    conn.prepare_cached("DELETE FROM narrators WHERE id = ?1")?
        .execute([id])?;
    Ok(true)
}
