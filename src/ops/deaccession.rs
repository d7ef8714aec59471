//! Deaccession (`custos deaccession`): items of any kind leave the
//! collection for good, named by id or by the accession they came in. Each
//! gets one `deaccession` event and one `deaccessions` row, all in one
//! transaction; from then on the policy hides it below custodian and shows
//! the custodian a tombstone with its day and reason, and the catalogue's
//! triggers refuse any change to it.
//!
//! `--purge-bytes` also erases the stored object (overwritten, then
//! unlinked, as purge does), its extracted text and its full-text entries,
//! and owes the erasure to every site holding a copy. No other item can
//! share those bytes: the catalogue holds one item per distinct content
//! (`items.object_id` is unique), a re-import being a duplicate of it.
//! The object row keeps
//! its digest, so the same bytes imported again are recognised as
//! deaccessioned rather than silently taken back. The bytes go last, after
//! every row is written, so a failure leaves them; a second run finishes.
//! It never prints and never decides visibility.

use serde::Serialize;

use crate::archive::Archive;
use crate::catalogue::accessions;
use crate::catalogue::deaccessions::{self, NewDeaccession};
use crate::catalogue::events::{EventLog, EventType};
use crate::error::{Error, Result};
use crate::model::{ItemId, Sha256};

/// Which items leave.
#[derive(Debug, Clone)]
pub enum Which {
    Ids(Vec<ItemId>),
    /// Every item that came in the accession with this number.
    Accession(String),
}

#[derive(Debug, Clone)]
pub struct Deaccession {
    pub which: Which,
    pub reason: String,
    pub purge_bytes: bool,
    pub agent: String,
    /// Say what would happen; write nothing.
    pub dry_run: bool,
}

/// What happened (or would happen) to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Deaccessioned,
    /// Deaccessioned before; nothing more to do.
    Already,
}

/// What became of the item's stored bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bytes {
    /// Kept (no `--purge-bytes`).
    Kept,
    Erased,
    /// Erased by an earlier run.
    AlreadyErased,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: ItemId,
    pub outcome: Outcome,
    pub bytes: Bytes,
}

pub fn deaccession(archive: &mut Archive, op: &Deaccession) -> Result<Vec<Change>> {
    let reason = op.reason.trim();
    if reason.is_empty() {
        return Err(Error::usage(
            "--reason cannot be empty: it is what the history keeps of why the item left",
        ));
    }
    let objects = archive.objects_dir();
    let now = crate::clock::now_rfc3339();
    let mut erase: Vec<Sha256> = Vec::new();
    let changes = archive.write(|tx| {
        let (ids, accession) = match &op.which {
            Which::Ids(ids) => (dedup(ids), None),
            Which::Accession(number) => {
                let a = accessions::find(tx, number.trim())?.ok_or_else(|| {
                    Error::usage(format!(
                        "no accession {number:?} in this archive (`custos report accessions` lists them)"
                    ))
                })?;
                let members = deaccessions::members_of(tx, a.id)?;
                if members.is_empty() {
                    return Err(Error::usage(format!(
                        "accession {:?} has no items to deaccession",
                        a.number
                    )));
                }
                (members, Some(a))
            }
        };
        let mut log = EventLog::new(tx)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let (object, sha, purged): (i64, Sha256, bool) = tx
                .prepare_cached(
                    "SELECT o.id, o.sha256, o.purged_at IS NOT NULL FROM items i JOIN objects o ON o.id = i.object_id WHERE i.id = ?1",
                )?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(|_| Error::usage(format!("no item {id} in this archive")))?;
            let before = deaccessions::get(tx, id)?;
            if purged && before.is_none() {
                return Err(Error::usage(format!(
                    "item {id} was purged: its tombstone stays as it is"
                )));
            }
            if before.is_none() {
                if let Some(why) = deaccessions::still_cited(tx, id)? {
                    return Err(Error::Refused(format!(
                        "item {id} cannot be deaccessioned: {why}"
                    )));
                }
            }
            let change = Change {
                id,
                outcome: if before.is_some() {
                    Outcome::Already
                } else {
                    Outcome::Deaccessioned
                },
                bytes: match (op.purge_bytes, purged) {
                    (false, _) => Bytes::Kept,
                    (true, true) => Bytes::AlreadyErased,
                    (true, false) => Bytes::Erased,
                },
            };
            if op.dry_run {
                out.push(change);
                continue;
            }
            if before.is_none() {
                let detail = serde_json::json!({
                    "reason": reason,
                    "accession": accession.as_ref().map(|a| &a.number),
                    "purge_bytes": op.purge_bytes,
                });
                let event = log.append(
                    EventType::Deaccession,
                    Some(id),
                    &op.agent,
                    "success",
                    Some(&detail),
                    &now,
                )?;
                deaccessions::insert(
                    tx,
                    &NewDeaccession {
                        item: id,
                        reason,
                        accession_id: accession.as_ref().map(|a| a.id),
                        event_id: event,
                        by: &op.agent,
                        now: &now,
                    },
                )?;
            }
            if change.bytes == Bytes::Erased {
                if before.is_some() {
                    let detail = serde_json::json!({ "bytes_erased": true });
                    log.append(
                        EventType::Deaccession,
                        Some(id),
                        &op.agent,
                        "bytes erased",
                        Some(&detail),
                        &now,
                    )?;
                }
                erase_rows(tx, id, object, &sha, &now)?;
                erase.push(sha);
            }
            out.push(change);
        }
        Ok(out)
    })?;
    // Last, after the rows are committed: a failure here leaves the
    // object marked erased but present, and a second run (or `verify
    // --remove-untracked`) removes it.
    for sha in &erase {
        crate::purge::erase_object(&objects, sha)?;
    }
    // A removed row is only a tombstone in the full-text index's segment
    // until the segment is merged, and the freed pages and the WAL still
    // hold the text: merge, truncate and vacuum, as purge does.
    if !erase.is_empty() {
        crate::purge::clean_database(archive)?;
    }
    Ok(changes)
}

/// What goes with the bytes: the text extracted from them, its full-text
/// entries, and the copies at other sites (owed a purge); the object row is
/// marked erased, keeping its digest.
fn erase_rows(
    tx: &rusqlite::Connection,
    id: ItemId,
    object: i64,
    sha: &Sha256,
    now: &str,
) -> Result<()> {
    crate::catalogue::copies::owe_purges_of_item(tx, id, &crate::sites::key_of(sha), now)?;
    crate::catalogue::fts::erase(tx, id)?;
    tx.execute("DELETE FROM item_text WHERE item_id = ?1", [id])?;
    tx.execute(
        "UPDATE objects SET purged_at = ?2 WHERE id = ?1",
        rusqlite::params![object, now],
    )?;
    deaccessions::mark_bytes_erased(tx, object, now)?;
    Ok(())
}

fn dedup(ids: &[ItemId]) -> Vec<ItemId> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}
