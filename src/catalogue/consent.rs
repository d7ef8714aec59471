//! Consent histories: appending dated consent events to a testimony and
//! keeping `consent_current` (the latest) in step, in one transaction.
//!
//! It validates what a consent event may say (dates, scope, evidence, the
//! order of history) and stores it; it does not decide who may see what —
//! `policy` reads the current state for that.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::events::{EventLog, EventType};
use crate::error::{Error, Result};
use crate::model::{ConsentStatus, ItemId, Kind, Scope};

/// A consent event to record.
#[derive(Debug, Clone)]
pub struct NewConsent {
    pub status: ConsentStatus,
    pub scope: Option<Scope>,
    pub date: NaiveDate,
    pub evidence: Option<ItemId>,
    pub embargo_until: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// One consent event as stored (the `consent history` shape).
#[derive(Debug, Clone, Serialize)]
pub struct ConsentRecord {
    pub id: i64,
    pub status: ConsentStatus,
    pub scope: Option<Scope>,
    pub date: String,
    pub embargo_until: Option<String>,
    pub evidence: Option<ItemId>,
    pub reason: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

/// Parses a calendar date given for `field`, rejecting impossible days.
pub fn parse_day(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        Error::usage(format!(
            "{field}: {s:?} is not a calendar date (YYYY-MM-DD, e.g. 2019-05-02)"
        ))
    })
}

/// Records a consent event for a testimony and updates its current state.
/// Must run inside a write transaction.
pub fn record(
    conn: &Connection,
    log: &mut EventLog<'_>,
    item: ItemId,
    c: &NewConsent,
    agent: &str,
    now: &str,
) -> Result<i64> {
    super::items::ensure_changeable(conn, item)?;
    let kind: Option<Kind> = conn
        .query_row("SELECT kind FROM items WHERE id = ?1", [item], |r| r.get(0))
        .optional()?;
    match kind {
        None => return Err(Error::usage(format!("no item {item} in this archive"))),
        Some(Kind::Testimony) => {}
        Some(k) => {
            return Err(Error::usage(format!(
                "item {item} is a {k}, and consent is recorded for testimonies; make it one with `custos edit {item} --kind testimony`"
            )))
        }
    }
    let current = current(conn, item)?;
    if let Some(cur) = &current {
        let cur_date = parse_day("stored consent date", &cur.date)?;
        if c.date < cur_date {
            return Err(Error::usage(format!(
                "--date: {} is before the current consent of item {item} ({}, dated {}); history is recorded in order",
                c.date, cur.status, cur.date
            )));
        }
    }
    match c.status {
        ConsentStatus::Withdrawn => match current.as_ref().map(|r| r.status) {
            None => {
                return Err(Error::usage(format!(
                    "item {item} has no consent recorded, so there is none to withdraw"
                )))
            }
            Some(ConsentStatus::Withdrawn) => {
                return Err(Error::usage(format!(
                    "item {item}: consent is already withdrawn"
                )))
            }
            _ => {}
        },
        ConsentStatus::Granted | ConsentStatus::Restricted if c.scope.is_none() => {
            return Err(Error::usage(
                "--scope is required: archive, research, publication or public",
            ))
        }
        _ => {}
    }
    if c.status == ConsentStatus::Restricted {
        check_narrows(item, current.as_ref(), c)?;
    }
    if let Some(until) = c.embargo_until {
        if until < c.date {
            return Err(Error::usage(format!(
                "--embargo-until: {until} is before the consent date {}",
                c.date
            )));
        }
    }
    if let Some(ev) = c.evidence {
        if ev == item {
            return Err(Error::usage("--evidence: a testimony cannot be its own evidence; name the item holding the release"));
        }
        if !super::items::exists(conn, ev)? {
            return Err(Error::usage(format!(
                "--evidence: no item {ev} in this archive; import the release form first"
            )));
        }
    }
    let date = c.date.format("%Y-%m-%d").to_string();
    let embargo = c.embargo_until.map(|d| d.format("%Y-%m-%d").to_string());
    conn.execute(
        "INSERT INTO consent_events (item_id, status, scope, date, evidence_item_id, embargo_until, reason, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![item, c.status, c.scope, date, c.evidence, embargo, c.reason, now, agent],
    )?;
    let event_id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO consent_current (item_id, event_id, status, scope, date, evidence_item_id, embargo_until, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (item_id) DO UPDATE SET event_id = excluded.event_id, status = excluded.status,
           scope = excluded.scope, date = excluded.date, evidence_item_id = excluded.evidence_item_id,
           embargo_until = excluded.embargo_until, reason = excluded.reason",
        params![item, event_id, c.status, c.scope, date, c.evidence, embargo, c.reason],
    )?;
    let detail = serde_json::json!({
        "status": c.status,
        "scope": c.scope,
        "date": date,
        "embargo_until": embargo,
        "evidence": c.evidence,
        "reason": c.reason,
    });
    let kind = if c.status == ConsentStatus::Withdrawn {
        EventType::Withdrawal
    } else {
        EventType::ConsentChange
    };
    log.append(kind, Some(item), agent, "success", Some(&detail), now)?;
    Ok(event_id)
}

/// A restriction only ever closes more than the consent it follows: it may
/// not widen the scope of a consent given, nor end its embargo sooner, nor
/// reopen a withdrawn testimony (a renewed consent is a new grant, recorded
/// as such). As the first consent of a testimony it records a consent given
/// with restrictions, as manifests do.
fn check_narrows(item: ItemId, current: Option<&ConsentRecord>, c: &NewConsent) -> Result<()> {
    let cur = match current {
        Some(cur) if matches!(cur.status, ConsentStatus::Granted | ConsentStatus::Restricted) => cur,
        Some(cur) if cur.status == ConsentStatus::Withdrawn => {
            return Err(Error::usage(format!(
                "item {item}: consent is withdrawn, and a restriction cannot reopen it; if the narrator consents again, record it with `custos consent {item} grant --scope ...`"
            )))
        }
        _ => return Ok(()),
    };
    if let (Some(new), Some(old)) = (c.scope, cur.scope) {
        if crate::policy::widens(new, old) {
            return Err(Error::usage(format!(
                "--scope {new}: wider than the current scope of item {item} ({old}); a restriction only narrows (a wider consent is a new grant: `custos consent {item} grant --scope {new}`)"
            )));
        }
    }
    if let Some(old) = cur.embargo_until.as_deref() {
        let old = parse_day("stored embargo", old)?;
        if c.embargo_until.is_none_or(|new| new < old) {
            return Err(Error::usage(format!(
                "--embargo-until: item {item} is embargoed until {old}; a restriction cannot end an embargo sooner (give --embargo-until {old} or later)"
            )));
        }
    }
    Ok(())
}

pub fn current(conn: &Connection, item: ItemId) -> Result<Option<ConsentRecord>> {
    Ok(history(conn, item)?.pop())
}

/// Every consent event of an item, oldest first.
pub fn history(conn: &Connection, item: ItemId) -> Result<Vec<ConsentRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, status, scope, date, embargo_until, evidence_item_id, reason, recorded_at, recorded_by
         FROM consent_events WHERE item_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([item], |r| {
        Ok(ConsentRecord {
            id: r.get(0)?,
            status: r.get(1)?,
            scope: r.get(2)?,
            date: r.get(3)?,
            embargo_until: r.get(4)?,
            evidence: r.get(5)?,
            reason: r.get(6)?,
            recorded_at: r.get(7)?,
            recorded_by: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
