//! Writing the names of terms: add a name, remove one, choose the label.
//! One transaction each, with one `name_change` event (about the name's
//! source item when it has one, so a purge of that item erases the
//! event's detail too).
//!
//! A term linked to a redacted item takes no new name or label here (the
//! name could bring a redacted name back, and it cannot be checked against
//! the sealed terms without the key). It never prints and decides no
//! visibility.

use serde::Serialize;

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::names::{self, NewName};
use crate::catalogue::terms;
use crate::error::{Error, Result};
use crate::model::{ItemId, Vocab};
use crate::redact;

/// What a name operation changed, for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct NameChange {
    pub vocab: Vocab,
    pub term: i64,
    /// The term's label after the change.
    pub label: String,
    pub action: &'static str,
    pub name: String,
}

fn term_of(conn: &rusqlite::Connection, vocab: Vocab, name: &str) -> Result<(i64, String)> {
    terms::find(conn, vocab, name)?.ok_or_else(|| {
        Error::usage(format!(
            "no {vocab} term has the name {name:?}; `custos terms --vocab {vocab}` lists them"
        ))
    })
}

fn log(
    tx: &rusqlite::Connection,
    item: Option<ItemId>,
    agent: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    EventLog::new(tx)?.append(
        EventType::NameChange,
        item,
        agent,
        "success",
        Some(detail),
        &now,
    )?;
    Ok(())
}

/// Adds a name to the term that `term` names (by any of its names).
pub fn add_name(
    archive: &mut Archive,
    vocab: Vocab,
    term: &str,
    name: NewName,
    agent: &str,
) -> Result<NameChange> {
    let text = terms::clean_label(vocab, &name.text)?;
    let name = NewName { text, ..name };
    archive.write(|tx| {
        let (id, label) = term_of(tx, vocab, term)?;
        redact::check_relabel(tx, vocab, &label)?;
        if let Some(item) = name.source_item {
            if crate::catalogue::items::get(tx, item)?.is_none() {
                return Err(Error::usage(format!("--source: no item {item}")));
            }
        }
        names::add(tx, id, &name)?;
        let detail = serde_json::json!({
            "vocab": vocab.as_str(), "term": id, "action": "add", "name": name.text,
            "lang": name.lang, "script": name.script, "form": name.form,
            "used_by": name.used_by, "source": name.source_item.map(|i| i.0),
            "locator": name.locator, "citation": name.citation, "period": name.period,
        });
        log(tx, name.source_item, agent, &detail)?;
        Ok(NameChange {
            vocab,
            term: id,
            label,
            action: "add",
            name: name.text.clone(),
        })
    })
}

/// Removes one name of the term (never its label).
pub fn remove_name(
    archive: &mut Archive,
    vocab: Vocab,
    term: &str,
    name: &str,
    agent: &str,
) -> Result<NameChange> {
    archive.write(|tx| {
        let (id, label) = term_of(tx, vocab, term)?;
        let gone = names::remove(tx, id, name)?;
        let detail = serde_json::json!({
            "vocab": vocab.as_str(), "term": id, "action": "remove", "name": gone.text,
        });
        log(tx, gone.source_item, agent, &detail)?;
        Ok(NameChange {
            vocab,
            term: id,
            label,
            action: "remove",
            name: gone.text,
        })
    })
}

/// Makes one of the term's names its display label.
pub fn set_label(
    archive: &mut Archive,
    vocab: Vocab,
    term: &str,
    name: &str,
    agent: &str,
) -> Result<NameChange> {
    archive.write(|tx| {
        let (id, label) = term_of(tx, vocab, term)?;
        redact::check_relabel(tx, vocab, &label)?;
        let old = names::set_label(tx, vocab, id, name)?;
        let (_, new) = term_of(tx, vocab, name)?;
        let detail = serde_json::json!({
            "vocab": vocab.as_str(), "term": id, "action": "label", "old": old, "new": new,
        });
        log(tx, None, agent, &detail)?;
        Ok(NameChange {
            vocab,
            term: id,
            label: new.clone(),
            action: "label",
            name: new,
        })
    })
}
