//! An item's own access history (`access_events`, migration 0008): each
//! change a row, recorded with its `access_change` event in the chained
//! log; the current state (`items.access_level`, `items.access_until`) is
//! derived from the latest row by a trigger in the same transaction.
//!
//! It validates what an access change may say and stores it; it does not
//! decide who may see what (`policy` reads the current state for that) and
//! never prints.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;

use super::events::{EventLog, EventType};
use crate::error::{Error, Result};
use crate::model::{ItemAccess, ItemId};

/// An access change to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccess {
    pub level: ItemAccess,
    /// The day the restriction ends (open on the day); None for open.
    pub until: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// One access event as stored (the `access ID --history` shape).
#[derive(Debug, Clone, Serialize)]
pub struct AccessRecord {
    pub id: i64,
    pub level: ItemAccess,
    pub until: Option<String>,
    pub reason: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

/// The current state: (level, until), open when no row names the item. A
/// deaccessioned item (migration 0016) reads as closed for good.
pub fn current(conn: &Connection, item: ItemId) -> Result<Option<(ItemAccess, Option<String>)>> {
    Ok(conn
        .prepare_cached("SELECT access_level, access_until FROM items WHERE id = ?1")?
        .query_row([item], |r| {
            let level = match r.get::<_, Option<String>>(0)?.as_deref() {
                None => ItemAccess::Open,
                Some(l) => l.parse().unwrap_or(ItemAccess::Closed),
            };
            Ok((level, r.get(1)?))
        })
        .optional()?)
}

/// Checks what a change may say, before any item is looked at.
pub fn check(new: &NewAccess, today: NaiveDate) -> Result<()> {
    if new.level == ItemAccess::Open && new.until.is_some() {
        return Err(Error::usage(
            "--until goes with --close or --restrict: it says when that restriction ends",
        ));
    }
    if let Some(u) = new.until {
        if u <= today {
            return Err(Error::usage(format!(
                "--until: {u} is not after today ({today}); the restriction would end before it began"
            )));
        }
    }
    if new.reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
        return Err(Error::usage("--reason cannot be empty"));
    }
    Ok(())
}

/// Whether `new` would change item `item`'s current state: its level, its
/// end day, or (when a reason is given) the reason of the latest change, so
/// a closure at intake can be given its real reason.
pub fn changes(conn: &Connection, item: ItemId, new: &NewAccess) -> Result<bool> {
    let until = new.until.map(|d| d.format("%Y-%m-%d").to_string());
    let Some((level, cur_until)) = current(conn, item)? else {
        return Err(Error::usage(format!("no item {item} in this archive")));
    };
    if level != new.level || cur_until != until {
        return Ok(true);
    }
    let Some(reason) = &new.reason else {
        return Ok(false);
    };
    let latest: Option<Option<String>> = conn
        .prepare_cached(
            "SELECT reason FROM access_events WHERE item_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([item], |r| r.get(0))
        .optional()?;
    Ok(latest.flatten().as_deref() != Some(reason.as_str()))
}

/// Appends `new` to item `item`'s access history with its `access_change`
/// event. Must run inside a write transaction; the caller has checked the
/// item is changeable (`items::ensure_changeable`).
pub fn record(
    conn: &Connection,
    log: &mut EventLog<'_>,
    item: ItemId,
    new: &NewAccess,
    agent: &str,
    now: &str,
) -> Result<i64> {
    let until = new.until.map(|d| d.format("%Y-%m-%d").to_string());
    let detail = json!({
        "access": new.level.as_str(),
        "until": until,
        "reason": new.reason,
    });
    let event = log.append(
        EventType::AccessChange,
        Some(item),
        agent,
        "success",
        Some(&detail),
        now,
    )?;
    conn.prepare_cached(
        "INSERT INTO access_events (item_id, level, until, reason, event_id, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![item, new.level, until, new.reason, event, now, agent])?;
    Ok(conn.last_insert_rowid())
}

/// The access history of an item, oldest first.
pub fn history(conn: &Connection, item: ItemId) -> Result<Vec<AccessRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, level, until, reason, recorded_at, recorded_by
           FROM access_events WHERE item_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([item], |r| {
            Ok(AccessRecord {
                id: r.get(0)?,
                level: r.get(1)?,
                until: r.get(2)?,
                reason: r.get(3)?,
                recorded_at: r.get(4)?,
                recorded_by: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The history as a custodian bag carries it (`access_history`).
pub fn bag_history(conn: &Connection, item: ItemId) -> Result<Vec<serde_json::Value>> {
    Ok(history(conn, item)?
        .into_iter()
        .map(|a| json!({"level": a.level, "until": a.until, "reason": a.reason}))
        .collect())
}

/// A bag record's `access_history`: None when the bag has none (made
/// below custodian or before items had access). Err names the field.
pub fn parse_bag_history(
    v: Option<&serde_json::Value>,
) -> std::result::Result<Option<Vec<NewAccess>>, String> {
    let Some(list) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (i, a) in list
        .as_array()
        .ok_or("access_history: not a list")?
        .iter()
        .enumerate()
    {
        let at = |e: String| format!("access_history[{i}]: {e}");
        let text = |k: &str| a.get(k).and_then(serde_json::Value::as_str);
        let level = text("level")
            .ok_or_else(|| at("no level".into()))?
            .parse::<ItemAccess>()
            .map_err(at)?;
        let until = text("until")
            .map(|u| super::consent::parse_day("until", u).map_err(|e| at(e.to_string())))
            .transpose()?;
        out.push(NewAccess {
            level,
            until,
            reason: text("reason").map(str::to_string),
        });
    }
    Ok(Some(out))
}

/// Replays a bag's access history onto a restored item, after its intake:
/// the bag's access replaces the intake's, and an item without access
/// history in the source (open) arrives open.
pub fn replay(
    conn: &Connection,
    log: &mut EventLog<'_>,
    item: ItemId,
    carried: &[NewAccess],
    agent: &str,
    now: &str,
) -> Result<()> {
    for a in carried {
        record(conn, log, item, a, agent, now)?;
    }
    let closed = current(conn, item)?.is_some_and(|(l, _)| l != ItemAccess::Open);
    if carried.is_empty() && closed {
        let open = NewAccess {
            level: ItemAccess::Open,
            until: None,
            reason: Some("as in the source bag".into()),
        };
        record(conn, log, item, &open, agent, now)?;
    }
    Ok(())
}
