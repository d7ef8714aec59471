//! Describing items: editing their metadata fields and linking or
//! unlinking vocabulary terms, for one item or a batch (ids or a query).
//! Each call is one transaction, so a batch applies whole or not at all;
//! each item that changes gets one `metadata_modification` event with what
//! changed. A dry run does the same work and rolls it back.
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
use crate::ops::targets::Targets;
use crate::redact;
use chrono::NaiveDate;
use rusqlite::Transaction;
use serde::Serialize;

/// Field changes for a batch of items: a value, or None to clear it.
pub struct Edit {
    pub targets: Targets,
    pub changes: Vec<(Field, Option<String>)>,
    pub agent: String,
    /// The custodian key, to check new values of a redacted item against
    /// its sealed terms (without it, such values are refused).
    pub key: KeyFile,
    /// Compute everything, keep nothing.
    pub dry_run: bool,
    pub today: NaiveDate,
}

/// What an edit did (or would do) to one item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemEdit {
    pub id: ItemId,
    /// The changes made; empty when every value was already so.
    pub changes: Vec<Change>,
    /// A purged item a query matched: left as it is.
    pub skipped_purged: bool,
}

/// The new values a reader below custodian would see beside a redacted
/// copy: these must not hold a redacted term.
fn shown(changes: &[(Field, Option<String>)]) -> Vec<(String, &str)> {
    changes
        .iter()
        .filter(|(f, _)| f.shown_beside_redacted_text())
        .filter_map(|(f, v)| Some((f.name().to_string(), v.as_deref()?)))
        .collect()
}

/// Field changes for one item: a value, or None to clear it.
pub type Changes = Vec<(Field, Option<String>)>;

/// Different changes for each of several items, in one transaction (a
/// manifest's `--update`): each item as [`edit`] changes it.
pub struct EditEach {
    pub edits: Vec<(ItemId, Changes)>,
    pub agent: String,
    pub key: KeyFile,
}

/// Runs `f` in a transaction that commits, or (dry run) rolls back.
fn transact<T>(
    archive: &mut Archive,
    dry_run: bool,
    f: impl FnOnce(&Transaction) -> Result<T>,
) -> Result<T> {
    if dry_run {
        archive.rehearse(f)
    } else {
        archive.write(f)
    }
}

/// Applies the edit to every target; returns what changed per item.
pub fn edit(archive: &mut Archive, op: &Edit) -> Result<Vec<ItemEdit>> {
    let now = crate::clock::now_rfc3339();
    transact(archive, op.dry_run, |tx| {
        let (ids, by_query) = op.targets.resolve(tx, op.today)?;
        let mut log = EventLog::new(tx)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Err(e) = items::ensure_changeable(tx, id) {
                if by_query && items::exists(tx, id)? {
                    out.push(ItemEdit {
                        id,
                        changes: Vec::new(),
                        skipped_purged: true,
                    });
                    continue;
                }
                return Err(e);
            }
            out.push(apply(
                tx,
                &mut log,
                id,
                &op.changes,
                &op.key,
                &op.agent,
                &now,
            )?);
        }
        Ok(out)
    })
}

/// Applies [`EditEach`] whole or not at all; returns what changed per item.
pub fn edit_each(archive: &mut Archive, op: &EditEach) -> Result<Vec<ItemEdit>> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let mut log = EventLog::new(tx)?;
        let mut out = Vec::with_capacity(op.edits.len());
        for (id, changes) in &op.edits {
            items::ensure_changeable(tx, *id)?;
            out.push(apply(tx, &mut log, *id, changes, &op.key, &op.agent, &now)?);
        }
        Ok(out)
    })
}

/// One item's changes, checked against its redaction, with its event.
fn apply(
    tx: &Transaction,
    log: &mut EventLog<'_>,
    id: ItemId,
    wanted: &[(Field, Option<String>)],
    key_file: &KeyFile,
    agent: &str,
    now: &str,
) -> Result<ItemEdit> {
    redact::check_new_values(tx, id, key_file, &shown(wanted))?;
    // Title and description are redacted below custodian: the copy
    // is made again from the new values, which needs the key that
    // unseals the item's terms.
    let rewrites_copy = wanted
        .iter()
        .any(|(f, _)| matches!(f, Field::Title | Field::Description));
    let key = if rewrites_copy && crate::catalogue::redactions::is_redacted(tx, id)? {
        Some(key_file.find(tx)?.ok_or_else(|| {
            Error::usage(format!(
                "item {id} has redactions: its new title or description must be redacted \
                 again with its sealed terms; give --key FILE (the custodian's key), or keep \
                 the key where `custos key init` wrote it"
            ))
        })?)
    } else {
        None
    };
    let mut changes = Vec::new();
    for (field, value) in wanted {
        // Surrounding spaces would split a collection in reports.
        let value = match field {
            Field::Collection => value.as_deref().map(str::trim),
            _ => value.as_deref(),
        };
        if let Some(c) = items::set_field(tx, id, *field, value, now)? {
            changes.push(c);
        }
    }
    if let (Some(key), false) = (&key, changes.is_empty()) {
        redact::reapply(tx, id, key)?;
    }
    if !changes.is_empty() {
        let detail = serde_json::json!({ "changes": changes });
        super::log_modification(log, Some(id), agent, &detail, now)?;
    }
    Ok(ItemEdit {
        id,
        changes,
        skipped_purged: false,
    })
}

/// Terms to link to (or unlink from) a batch of items.
pub struct Tag {
    pub targets: Targets,
    pub terms: Vec<(Vocab, String)>,
    pub untag: bool,
    pub agent: String,
    /// As for [`Edit::key`]: new terms of a redacted item are checked.
    pub key: KeyFile,
    pub dry_run: bool,
    pub today: NaiveDate,
}

/// What tagging did (or would do) to one item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemTags {
    pub id: ItemId,
    pub changed: usize,
    pub unchanged: usize,
    pub skipped_purged: bool,
}

pub fn tag(archive: &mut Archive, op: &Tag) -> Result<Vec<ItemTags>> {
    if op.terms.is_empty() {
        return Err(Error::usage(
            "name at least one term: --event, --place, --subject or --agent-term",
        ));
    }
    let now = crate::clock::now_rfc3339();
    let labels: Vec<(String, &str)> = op
        .terms
        .iter()
        .map(|(v, l)| (format!("{v} term"), l.as_str()))
        .collect();
    transact(archive, op.dry_run, |tx| {
        let (ids, by_query) = op.targets.resolve(tx, op.today)?;
        let mut log = EventLog::new(tx)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if !items::exists(tx, id)? {
                return Err(Error::usage(format!("no item {id} in this archive")));
            }
            let changeable = items::ensure_changeable(tx, id);
            if !by_query {
                changeable?;
            } else if changeable.is_err() {
                out.push(ItemTags {
                    id,
                    changed: 0,
                    unchanged: 0,
                    skipped_purged: true,
                });
                continue;
            }
            if !op.untag {
                redact::check_new_values(tx, id, &op.key, &labels)?;
            }
            let mut changed = 0;
            for (vocab, label) in &op.terms {
                let done = if op.untag {
                    terms::untag(tx, id, *vocab, label)?
                } else {
                    terms::tag(tx, id, *vocab, label)?
                };
                if done {
                    changed += 1;
                    let detail = serde_json::json!({
                        "field": vocab.as_str(),
                        "action": if op.untag { "untag" } else { "tag" },
                        "term": label,
                    });
                    super::log_modification(&mut log, Some(id), &op.agent, &detail, &now)?;
                }
            }
            out.push(ItemTags {
                id,
                changed,
                unchanged: op.terms.len() - changed,
                skipped_purged: false,
            });
        }
        Ok(out)
    })
}
