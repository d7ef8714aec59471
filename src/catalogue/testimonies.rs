//! Testimonies: the link from an item to its narrator, with interview date,
//! place and interviewer.
//!
//! Setting a testimony makes the item's kind `testimony`, so from then on
//! the consent policy governs it. This module never decides visibility and
//! never prints.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::narrators::NarratorId;
use crate::edtf::Edtf;
use crate::error::Result;
use crate::model::ItemId;

/// What `testimony set` and `import --narrator` record. Fields left None
/// keep what was recorded before.
#[derive(Debug, Clone)]
pub struct TestimonyFields {
    pub narrator: NarratorId,
    pub interview_date: Option<Edtf>,
    pub interview_place: Option<String>,
    pub interviewer: Option<String>,
}

/// A testimony row: the shape `testimony` fields take in JSON.
#[derive(Debug, Clone, Serialize)]
pub struct TestimonyRecord {
    pub item_id: ItemId,
    pub narrator_id: Option<NarratorId>,
    pub interview_date: Option<String>,
    pub interview_place: Option<String>,
    pub interviewer: Option<String>,
}

/// Links `item` to the narrator and makes it a testimony. Returns the event
/// detail describing the change (it names ids and fields the custodian
/// wrote; a purge erases it with the item's other event details).
pub fn set(
    conn: &Connection,
    item: ItemId,
    f: &TestimonyFields,
    now: &str,
) -> Result<serde_json::Value> {
    super::items::ensure_changeable(conn, item)?;
    let before = get(conn, item)?;
    // The kind first: the catalogue accepts a testimony row only for an
    // item that is a testimony (migration 0007).
    let old_kind: String =
        conn.query_row("SELECT kind FROM items WHERE id = ?1", [item], |r| r.get(0))?;
    conn.prepare_cached(
        "UPDATE items SET kind = 'testimony', updated_at = ?2 WHERE id = ?1 AND kind <> 'testimony'",
    )?
    .execute(params![item, now])?;
    conn.prepare_cached(
        "INSERT INTO testimonies (item_id, narrator_id, interview_date, interview_place, interviewer)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (item_id) DO UPDATE SET
            narrator_id = excluded.narrator_id,
            interview_date = coalesce(excluded.interview_date, interview_date),
            interview_place = coalesce(excluded.interview_place, interview_place),
            interviewer = coalesce(excluded.interviewer, interviewer)",
    )?
    .execute(params![
        item,
        f.narrator,
        f.interview_date.as_ref().map(Edtf::as_str),
        f.interview_place,
        f.interviewer
    ])?;
    Ok(serde_json::json!({
        "testimony": {
            "narrator_id": f.narrator,
            "previous_narrator_id": before.and_then(|b| b.narrator_id),
            "interview_date": f.interview_date.as_ref().map(Edtf::as_str),
            "interview_place": f.interview_place,
            "interviewer": f.interviewer,
        },
        "kind": { "old": old_kind, "new": "testimony" },
    }))
}

pub fn get(conn: &Connection, item: ItemId) -> Result<Option<TestimonyRecord>> {
    Ok(conn
        .prepare_cached(
            "SELECT item_id, narrator_id, interview_date, interview_place, interviewer
             FROM testimonies WHERE item_id = ?1",
        )?
        .query_row([item], |r| {
            Ok(TestimonyRecord {
                item_id: r.get(0)?,
                narrator_id: r.get(1)?,
                interview_date: r.get(2)?,
                interview_place: r.get(3)?,
                interviewer: r.get(4)?,
            })
        })
        .optional()?)
}

/// A testimony as `show` presents it: the interview, and its narrator's
/// display form and anonymity (never the sealed identity).
#[derive(Debug, Clone, Serialize)]
pub struct TestimonyView {
    pub narrator_id: Option<NarratorId>,
    pub narrator: Option<String>,
    pub anonymity: Option<crate::model::Anonymity>,
    pub interview_date: Option<String>,
    pub interview_place: Option<String>,
    pub interviewer: Option<String>,
}

pub fn view(conn: &Connection, item: ItemId) -> Result<Option<TestimonyView>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(
            "SELECT t.narrator_id, n.display, n.anonymity, t.interview_date, t.interview_place, t.interviewer
             FROM testimonies t LEFT JOIN narrators n ON n.id = t.narrator_id WHERE t.item_id = ?1",
        )?
        .query_row([item], |r| {
            Ok(TestimonyView {
                narrator_id: r.get(0)?,
                narrator: r.get(1)?,
                anonymity: r.get(2)?,
                interview_date: r.get(3)?,
                interview_place: r.get(4)?,
                interviewer: r.get(5)?,
            })
        })
        .optional()?)
}
