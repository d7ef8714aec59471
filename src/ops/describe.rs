//! Describing an item: editing its metadata fields and linking or
//! unlinking vocabulary terms. Each call is one transaction; each change
//! is a `metadata_modification` event with what it changed.
//!
//! It refuses what would open a closed item or bring a redacted name back
//! (`catalogue::items::set_field`, `redact::check_new_values`); it never
//! prints.

use crate::archive::Archive;
use crate::catalogue::events::EventLog;
use crate::catalogue::items::{self, Change, Field};
use crate::catalogue::terms;
use crate::error::{Error, Result};
use crate::keys::KeyFile;
use crate::model::{ItemId, Vocab};
use crate::redact;

/// Field changes for one item: a value, or None to clear it.
pub struct Edit {
    pub id: ItemId,
    pub changes: Vec<(Field, Option<String>)>,
    pub agent: String,
    /// The custodian key, to check new values of a redacted item against
    /// its sealed terms (without it, such values are refused).
    pub key: KeyFile,
}

impl Edit {
    /// The new values a reader below custodian would see beside a redacted
    /// copy: these must not hold a redacted term.
    fn shown(&self) -> Vec<(String, &str)> {
        self.changes
            .iter()
            .filter(|(f, _)| f.shown_beside_redacted_text())
            .filter_map(|(f, v)| Some((f.name().to_string(), v.as_deref()?)))
            .collect()
    }
}

/// Applies the edit; returns the changes made (none when every value was
/// already so).
pub fn edit(archive: &mut Archive, op: &Edit) -> Result<Vec<Change>> {
    let now = crate::clock::now_rfc3339();
    let shown = op.shown();
    archive.write(|tx| {
        items::ensure_changeable(tx, op.id)?;
        redact::check_new_values(tx, op.id, &op.key, &shown)?;
        let mut changes = Vec::new();
        for (field, value) in &op.changes {
            if let Some(c) = items::set_field(tx, op.id, *field, value.as_deref(), &now)? {
                changes.push(c);
            }
        }
        if !changes.is_empty() {
            let detail = serde_json::json!({ "changes": changes });
            super::log_modification(
                &mut EventLog::new(tx)?,
                Some(op.id),
                &op.agent,
                &detail,
                &now,
            )?;
        }
        Ok(changes)
    })
}

/// Terms to link to (or unlink from) one item.
pub struct Tag {
    pub id: ItemId,
    pub terms: Vec<(Vocab, String)>,
    pub untag: bool,
    pub agent: String,
    /// As for [`Edit::key`]: new terms of a redacted item are checked.
    pub key: KeyFile,
}

#[derive(Debug, Clone, Copy)]
pub struct TagOutcome {
    pub changed: usize,
    pub unchanged: usize,
}

pub fn tag(archive: &mut Archive, op: &Tag) -> Result<TagOutcome> {
    if op.terms.is_empty() {
        return Err(Error::usage(
            "name at least one term: --event, --place, --subject or --agent",
        ));
    }
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        if !items::exists(tx, op.id)? {
            return Err(Error::usage(format!("no item {} in this archive", op.id)));
        }
        if !op.untag {
            let labels: Vec<(String, &str)> = op
                .terms
                .iter()
                .map(|(v, l)| (format!("{v} term"), l.as_str()))
                .collect();
            redact::check_new_values(tx, op.id, &op.key, &labels)?;
        }
        let mut log = EventLog::new(tx)?;
        let mut changed = 0;
        for (vocab, label) in &op.terms {
            let done = if op.untag {
                terms::untag(tx, op.id, *vocab, label)?
            } else {
                terms::tag(tx, op.id, *vocab, label)?
            };
            if done {
                changed += 1;
                let detail = serde_json::json!({
                    "field": vocab.as_str(),
                    "action": if op.untag { "untag" } else { "tag" },
                    "term": label,
                });
                super::log_modification(&mut log, Some(op.id), &op.agent, &detail, &now)?;
            }
        }
        Ok(TagOutcome {
            changed,
            unchanged: op.terms.len() - changed,
        })
    })
}
