//! Writing claims: add one (the subject found, the value parsed into its
//! kind and interval, the source item checked), or remove one. One
//! transaction each with one `claim_change` event about the source item,
//! so a purge of that item erases what the event said.
//!
//! It never prints and decides no visibility; it never merges a claim
//! with another, even an identical one from another source.

use serde::Serialize;

use crate::archive::Archive;
use crate::catalogue::claims::{self, NewClaim, Subject};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::{items, terms};
use crate::error::{Error, Result};
use crate::model::{ItemId, Vocab};

/// A claim's subject as the user named it.
#[derive(Debug, Clone)]
pub enum SubjectName {
    Term { vocab: Vocab, name: String },
    Item(ItemId),
}

/// What `claim add` is given.
#[derive(Debug, Clone)]
pub struct AddClaim {
    pub subject: SubjectName,
    pub property: String,
    pub value: String,
    /// Keep the value as text whatever it looks like.
    pub as_text: bool,
    pub source: ItemId,
    pub locator: Option<String>,
    pub quote: Option<String>,
    pub note: Option<String>,
}

/// What a claim operation did, for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimChange {
    pub id: i64,
    pub action: &'static str,
    pub subject: String,
    pub property: String,
    pub value: String,
    pub kind: &'static str,
}

/// A property name: lower case, words joined by `_`, letters and digits.
pub fn clean_property(p: &str) -> Result<String> {
    let clean = p
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase();
    let ok = !clean.is_empty()
        && clean.chars().count() <= 64
        && clean
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if !ok {
        return Err(Error::usage(format!(
            "property {p:?}: write a name of letters, digits and _ (e.g. fatalities, injured, displaced, date, perpetrator)"
        )));
    }
    Ok(clean)
}

fn optional(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn subject(tx: &rusqlite::Connection, s: &SubjectName) -> Result<Subject> {
    match s {
        SubjectName::Term { vocab, name } => {
            let (id, label) = terms::find(tx, *vocab, name)?.ok_or_else(|| {
                Error::usage(format!(
                    "unknown subject: no {vocab} term has the name {name:?} (`custos terms --vocab {vocab}` lists them; tag an item to create one)"
                ))
            })?;
            Ok(Subject::Term {
                id,
                vocab: *vocab,
                label,
            })
        }
        SubjectName::Item(i) => {
            if items::get(tx, *i)?.is_none() {
                return Err(Error::usage(format!("unknown subject: no item {i}")));
            }
            items::ensure_changeable(tx, *i)?;
            Ok(Subject::Item(*i))
        }
    }
}

fn subject_text(s: &Subject) -> String {
    match s {
        Subject::Term { vocab, label, .. } => format!("{vocab}:{label}"),
        Subject::Item(i) => i.to_string(),
    }
}

pub fn add_claim(archive: &mut Archive, a: AddClaim, agent: &str) -> Result<ClaimChange> {
    let property = clean_property(&a.property)?;
    let value = a.value.trim().to_string();
    let parsed = crate::claims::parse(&property, &value, a.as_text)
        .map_err(|e| Error::usage(format!("value: {e}")))?;
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let subject = subject(tx, &a.subject)?;
        if items::get(tx, a.source)?.is_none() {
            return Err(Error::usage(format!("--source: no item {}", a.source)));
        }
        items::ensure_changeable(tx, a.source)?;
        let c = NewClaim {
            subject,
            property,
            value,
            parsed,
            source_item: a.source,
            locator: optional(a.locator),
            quote: optional(a.quote),
            note: optional(a.note),
        };
        let id = claims::insert(tx, &c, &now, agent)?;
        let detail = serde_json::json!({
            "claim": id, "action": "add", "subject": subject_text(&c.subject),
            "property": c.property, "value": c.value, "kind": c.parsed.kind.as_str(),
            "locator": c.locator, "quote": c.quote, "note": c.note,
        });
        EventLog::new(tx)?.append(
            EventType::ClaimChange,
            Some(a.source),
            agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(ClaimChange {
            id,
            action: "add",
            subject: subject_text(&c.subject),
            property: c.property,
            value: c.value,
            kind: c.parsed.kind.as_str(),
        })
    })
}

pub fn remove_claim(archive: &mut Archive, id: i64, agent: &str) -> Result<ClaimChange> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let c = claims::delete(tx, id)?;
        let detail = serde_json::json!({
            "claim": id, "action": "remove", "subject": subject_text(&c.subject),
            "property": c.property, "value": c.value,
        });
        EventLog::new(tx)?.append(
            EventType::ClaimChange,
            Some(c.source_item),
            agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(ClaimChange {
            id,
            action: "remove",
            subject: subject_text(&c.subject),
            property: c.property,
            value: c.value,
            kind: c.kind.as_str(),
        })
    })
}
