//! `restrict`: close a passage of a recording below a level, optionally
//! until a day, or lift a restriction; each a `passage_restriction` event
//! in the chained log, in one transaction.
//!
//! A passage only ever closes more than the item's consent; lifting one
//! reopens only what it closed. This operation never prints and never
//! decides visibility: `policy::passage` reads what it writes.

use chrono::NaiveDate;
use serde_json::json;

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::passages;
use crate::error::{Error, Result};
use crate::media::{Interval, TimeCode};
use crate::model::ItemId;
use crate::policy::passage::{Passage, PassageLevel};

/// A passage to close.
#[derive(Debug, Clone)]
pub struct Restrict {
    pub item: ItemId,
    pub from: TimeCode,
    pub to: TimeCode,
    pub level: PassageLevel,
    pub until: Option<NaiveDate>,
    pub reason: String,
    pub agent: String,
    pub today: NaiveDate,
}

/// Closes the passage; returns the restriction's number.
pub fn restrict(archive: &mut Archive, op: &Restrict) -> Result<i64> {
    if op.reason.trim().is_empty() {
        return Err(Error::usage("--reason must say why the passage is closed"));
    }
    if op.until.is_some_and(|u| u <= op.today) {
        return Err(Error::usage(format!(
            "--until {} is not in the future",
            op.until.map(|u| u.to_string()).unwrap_or_default()
        )));
    }
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let duration = super::transcript::recording(tx, op.item)?;
        let range = Interval::new(op.from, op.to, duration)
            .map_err(|e| Error::usage(format!("item {}: --from/--to: {e}", op.item)))?;
        let p = Passage {
            id: 0,
            range,
            level: op.level,
            until: op.until,
            reason: op.reason.clone(),
            lifted: false,
            recorded_at: now.clone(),
            recorded_by: op.agent.clone(),
        };
        let mut log = EventLog::new(tx)?;
        let detail = json!({
            "action": "restrict",
            "from": range.start.to_string(),
            "to": range.end.to_string(),
            "level": op.level.as_str(),
            "until": op.until.map(|u| u.to_string()),
            "reason": op.reason,
        });
        let event = log.append(
            EventType::PassageRestriction,
            Some(op.item),
            &op.agent,
            "success",
            Some(&detail),
            &now,
        )?;
        passages::insert(tx, op.item, &p, event, &op.agent, &now)
    })
}

/// Lifts restriction `id` of `item`.
pub fn lift(archive: &mut Archive, item: ItemId, id: i64, agent: &str) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        crate::catalogue::items::ensure_changeable(tx, item)?;
        if !passages::exists(tx, item, id)? {
            return Err(Error::usage(format!(
                "item {item} has no passage restriction {id} (see `custos restrict {item} --list`)"
            )));
        }
        let mut log = EventLog::new(tx)?;
        let detail = json!({ "action": "lift", "restriction": id });
        let event = log.append(
            EventType::PassageRestriction,
            Some(item),
            agent,
            "success",
            Some(&detail),
            &now,
        )?;
        if !passages::lift(tx, item, id, event)? {
            return Err(Error::usage(format!(
                "passage restriction {id} of item {item} is already lifted"
            )));
        }
        Ok(())
    })
}

/// Records, as a `passage_restriction` event with outcome `expired`, each
/// restriction whose `--until` day has come and that no event has ended
/// yet, and marks it ended by that event (as a lift is). The policy stopped
/// closing it on the day whether or not this ran; this puts the day it
/// reopened in the chained history. `verify` and `restrict` run it.
/// Returns the (item, restriction) pairs recorded.
pub fn record_expiries(
    archive: &mut Archive,
    agent: &str,
    today: NaiveDate,
) -> Result<Vec<(ItemId, i64)>> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let due = passages::expired_unrecorded(tx, today)?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let mut log = EventLog::new(tx)?;
        for (item, id, until) in &due {
            let detail = json!({ "action": "expire", "restriction": id, "until": until });
            let event = log.append(
                EventType::PassageRestriction,
                Some(*item),
                agent,
                "expired",
                Some(&detail),
                &now,
            )?;
            passages::lift(tx, *item, *id, event)?;
        }
        Ok(due.into_iter().map(|(i, id, _)| (i, id)).collect())
    })
}
