//! Recording consent for a testimony: a grant, a restriction, a
//! withdrawal, or a new embargo date, appended to the consent history with
//! its `consent_change` event in one transaction; the current state
//! follows from the history.
//!
//! A restriction narrows a consent given: on a testimony with none
//! (pending, so closed) it is refused rather than opening it at its scope.
//! A new grant keeps what it does not change: the evidence link, the note
//! and an embargo of the consent it follows carry over unless given anew,
//! so re-granting (to widen a scope, say) never silently drops the signed
//! release or lifts an embargo. An embargo is moved or lifted only by
//! [`embargo`]. The checks live with the rows (`catalogue::consent::record`:
//! a testimony only, not purged, a restriction only narrows); this module
//! never prints.

use chrono::NaiveDate;

use crate::archive::Archive;
use crate::catalogue::consent::{self, ConsentRecord};
use crate::catalogue::events::EventLog;
use crate::error::{Error, Result};
use crate::model::{ConsentStatus, ItemId};

pub use crate::catalogue::consent::NewConsent;

/// What a new grant took over from the consent it follows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    pub evidence: Option<ItemId>,
    pub embargo_until: Option<NaiveDate>,
    pub note: bool,
}

impl Kept {
    pub fn is_empty(&self) -> bool {
        *self == Kept::default()
    }
}

/// Appends `new` to item `id`'s consent history; a grant first takes over
/// what it leaves out from the current consent (see the module).
pub fn record(archive: &mut Archive, id: ItemId, new: &NewConsent, agent: &str) -> Result<Kept> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let mut new = new.clone();
        let current = consent::current(tx, id)?;
        let testimony = crate::catalogue::items::get(tx, id)?
            .is_some_and(|r| r.kind == crate::model::Kind::Testimony);
        if new.status == ConsentStatus::Restricted && current.is_none() && testimony {
            // Pending is closed: a "restriction" of nothing would open the
            // testimony at its scope. (A manifest may still record a
            // restricted consent as the first one: that is its column.)
            crate::catalogue::items::ensure_changeable(tx, id)?;
            return Err(Error::usage(format!(
                "item {id} has no consent recorded (it is closed below custodian), so there is nothing to restrict; record the consent the narrator gave with `custos consent {id} grant --scope ...`, then restrict it"
            )));
        }
        let kept = match (new.status, current) {
            (ConsentStatus::Granted, Some(cur)) if cur.status != ConsentStatus::Withdrawn => {
                carry_over(&mut new, &cur)?
            }
            _ => Kept::default(),
        };
        let mut log = EventLog::new(tx)?;
        consent::record(tx, &mut log, id, &new, agent, &now)?;
        Ok(kept)
    })
}

fn carry_over(new: &mut NewConsent, cur: &ConsentRecord) -> Result<Kept> {
    let mut kept = Kept::default();
    if new.evidence.is_none() && cur.evidence.is_some() {
        new.evidence = cur.evidence;
        kept.evidence = cur.evidence;
    }
    if new.embargo_until.is_none() {
        if let Some(until) = &cur.embargo_until {
            let until = consent::parse_day("stored embargo", until)?;
            new.embargo_until = Some(until);
            kept.embargo_until = Some(until);
        }
    }
    if new.reason.is_none() && cur.reason.is_some() {
        new.reason = cur.reason.clone();
        kept.note = true;
    }
    Ok(kept)
}

/// A new embargo date for the current consent, or (None) none: the same
/// status, scope, evidence and note, recorded as a new event dated `date`.
pub struct Embargo {
    pub until: Option<NaiveDate>,
    pub date: NaiveDate,
    pub reason: Option<String>,
}

pub fn embargo(archive: &mut Archive, id: ItemId, e: &Embargo, agent: &str) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let cur = consent::current(tx, id)?.ok_or_else(|| {
            Error::usage(format!(
                "item {id} has no consent recorded, so there is no embargo to change; record it with `custos consent {id} grant --scope ... --embargo-until DATE`"
            ))
        })?;
        let stored = cur
            .embargo_until
            .as_deref()
            .map(|d| consent::parse_day("stored embargo", d))
            .transpose()?;
        match cur.status {
            ConsentStatus::Withdrawn => {
                return Err(Error::usage(format!(
                    "item {id}: consent is withdrawn; the testimony stays closed and takes no embargo"
                )))
            }
            ConsentStatus::Restricted if e.until.is_none_or(|u| stored.is_some_and(|s| u < s)) => {
                return Err(Error::usage(format!(
                    "item {id}: its consent is restricted, and a restriction only narrows: an embargo can be extended, not lifted or shortened. If the narrator agreed to more, record it with `custos consent {id} grant --scope ...`"
                )))
            }
            _ => {}
        }
        if e.until == stored {
            return Err(Error::usage(format!(
                "item {id}: the embargo is already {}; nothing was recorded",
                stored.map_or("none".to_string(), |d| format!("until {d}"))
            )));
        }
        let new = NewConsent {
            status: cur.status,
            scope: cur.scope,
            date: e.date,
            evidence: cur.evidence,
            embargo_until: e.until,
            reason: e.reason.clone().or(cur.reason),
        };
        let mut log = EventLog::new(tx)?;
        consent::record(tx, &mut log, id, &new, agent, &now).map(|_| ())
    })
}
