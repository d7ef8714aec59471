//! Adding and removing notes on items (`custos note add|remove`): one note
//! per item named (by id or by a query, as the custodian sees the
//! catalogue), each recorded by one `metadata_modification` event, all in
//! one transaction. The event's detail holds the note's id and audience,
//! and the text only for a custodial note's custodian-only detail. It never
//! prints and never decides who sees a note.

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::{items, notes};
use crate::error::{Error, Result};
use crate::model::{ItemId, NoteAudience};

pub use super::targets::Targets;

#[derive(Debug, Clone)]
pub struct AddNote {
    pub targets: Targets,
    pub audience: NoteAudience,
    pub text: String,
    pub agent: String,
    pub today: chrono::NaiveDate,
}

/// Adds the note to every target; returns (item, note id) pairs.
pub fn add(archive: &mut Archive, op: &AddNote) -> Result<Vec<(ItemId, i64)>> {
    let text = op.text.trim();
    if text.is_empty() {
        return Err(Error::usage("a note cannot be empty"));
    }
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let (ids, _) = op.targets.resolve(tx, op.today)?;
        if ids.is_empty() {
            return Err(Error::usage("no item to add the note to"));
        }
        let mut log = EventLog::new(tx)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            items::ensure_changeable(tx, id)?;
            let note = notes::insert(tx, id, op.audience, text, &op.agent, &now)?;
            let detail = serde_json::json!({
                "note_added": note,
                "audience": op.audience,
                "text": text,
            });
            log.append(
                EventType::MetadataModification,
                Some(id),
                &op.agent,
                "success",
                Some(&detail),
                &now,
            )?;
            out.push((id, note));
        }
        Ok(out)
    })
}

pub fn remove(archive: &mut Archive, item: ItemId, note: i64, agent: &str) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        items::ensure_changeable(tx, item)?;
        let audience = notes::remove(tx, item, note)?;
        let detail = serde_json::json!({ "note_removed": note, "audience": audience });
        EventLog::new(tx)?.append(
            EventType::MetadataModification,
            Some(item),
            agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(())
    })
}

/// Adds to `item`, restored from a bag, each note its record carries that it
/// does not have yet (the same audience and text), each with its event.
pub(crate) fn restore(
    tx: &rusqlite::Connection,
    log: &mut EventLog<'_>,
    item: ItemId,
    carried: &[serde_json::Value],
    agent: &str,
    now: &str,
) -> Result<()> {
    if carried.is_empty() {
        return Ok(());
    }
    let have = notes::for_item(tx, item)?;
    for n in carried {
        let text = n.get("text").and_then(serde_json::Value::as_str);
        let audience = n
            .get("audience")
            .and_then(serde_json::Value::as_str)
            .map(str::parse::<NoteAudience>);
        let (Some(text), Some(Ok(audience))) = (text, audience) else {
            return Err(Error::usage(
                "a note without text or with an audience other than public or custodial",
            ));
        };
        if text.trim().is_empty()
            || have
                .iter()
                .any(|h| h.audience == audience && h.text == text)
        {
            continue;
        }
        let note = notes::insert(tx, item, audience, text, agent, now)?;
        let detail = serde_json::json!({
            "note_added": note,
            "audience": audience,
            "text": text,
            "restored": true,
        });
        log.append(
            EventType::MetadataModification,
            Some(item),
            agent,
            "success",
            Some(&detail),
            now,
        )?;
    }
    Ok(())
}
