//! Changing items' own access (`custos access`): close, restrict to
//! research, or open items of any kind, optionally until a day, named by
//! id or by a query; one `access_change` event and one `access_events` row
//! per item that changes, all in one transaction, so a batch applies whole
//! or not at all.
//!
//! A query is matched as the custodian sees the catalogue (the one who
//! changes access sees every item). An item named by id must be
//! changeable (not purged); a purged item a query matches is skipped and
//! reported. This operation never prints and never decides visibility:
//! the policy reads the state it writes.

use chrono::NaiveDate;
use serde::Serialize;

use crate::archive::Archive;
use crate::catalogue::access::{self, NewAccess};
use crate::catalogue::events::EventLog;
use crate::catalogue::items;
use crate::error::{Error, Result};
use crate::model::{ItemAccess, ItemId};

pub use super::targets::Targets;
pub use crate::catalogue::access::AccessRecord;

/// One access change, applied to every target.
#[derive(Debug, Clone)]
pub struct SetAccess {
    pub targets: Targets,
    pub level: ItemAccess,
    pub until: Option<NaiveDate>,
    pub reason: Option<String>,
    pub agent: String,
    /// Report what would change; write nothing.
    pub dry_run: bool,
    pub today: NaiveDate,
}

/// What happened (or would happen) to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Changed,
    /// Already in that state: no event is written.
    Unchanged,
    /// Matched by a query but purged: a purged item takes no change.
    SkippedPurged,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: ItemId,
    pub was: ItemAccess,
    pub was_until: Option<String>,
    pub now: ItemAccess,
    pub until: Option<String>,
    pub outcome: Outcome,
}

/// Applies `op` to its targets (or, with `dry_run`, says what it would do).
pub fn set(archive: &mut Archive, op: &SetAccess) -> Result<Vec<Change>> {
    let new = NewAccess {
        level: op.level,
        until: op.until,
        reason: op.reason.clone(),
    };
    access::check(&new, op.today)?;
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let (ids, by_query) = op.targets.resolve(tx, op.today)?;
        let mut log = EventLog::new(tx)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let checked = items::ensure_changeable(tx, id);
            let (was, was_until) = access::current(tx, id)?
                .ok_or_else(|| Error::usage(format!("no item {id} in this archive")))?;
            let mut change = Change {
                id,
                was,
                was_until,
                now: new.level,
                until: new.until.map(|d| d.format("%Y-%m-%d").to_string()),
                outcome: Outcome::Changed,
            };
            if let Err(e) = checked {
                if !by_query {
                    return Err(e);
                }
                change.outcome = Outcome::SkippedPurged;
            } else if !access::changes(tx, id, &new)? {
                change.outcome = Outcome::Unchanged;
            } else if !op.dry_run {
                access::record(tx, &mut log, id, &new, &op.agent, &now)?;
            }
            out.push(change);
        }
        Ok(out)
    })
}

/// Records the intake state of a newly inserted item, inside the import's
/// transaction: a closed intake closes it (no end date) with its own
/// `access_change` event; an open intake writes nothing (open is the
/// state of an item without access history).
pub(crate) fn intake(
    conn: &rusqlite::Connection,
    log: &mut EventLog<'_>,
    id: ItemId,
    intake: crate::model::Intake,
    agent: &str,
    now: &str,
) -> Result<()> {
    if intake == crate::model::Intake::Open {
        return Ok(());
    }
    let new = NewAccess {
        level: ItemAccess::Closed,
        until: None,
        reason: Some("intake: closed until described".into()),
    };
    access::record(conn, log, id, &new, agent, now).map(|_| ())
}

/// Changes the archive's intake default (`custos settings intake`), with a
/// `metadata_modification` event about the archive.
pub fn set_intake(archive: &mut Archive, intake: crate::model::Intake, agent: &str) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let old = crate::catalogue::settings::get(tx, crate::archive::INTAKE_SETTING)?;
        crate::catalogue::settings::set(tx, crate::archive::INTAKE_SETTING, intake.as_str())?;
        let mut log = EventLog::new(tx)?;
        let detail = serde_json::json!({
            "setting": crate::archive::INTAKE_SETTING,
            "old": old,
            "new": intake.as_str(),
        });
        super::log_modification(&mut log, None, agent, &detail, &now)
    })
}
