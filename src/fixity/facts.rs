//! The facts the access policy reads, checked against the hash-chained
//! history: consent (`consent_current`, `consent_events`), items' own
//! access (`items.access_level`/`access_until`, `access_events`), the custodian
//! recipient in `settings`, and redaction state (`redactions`,
//! `redacted_text`).
//!
//! The policy reads these tables directly, so whoever edits the database
//! can open a closed testimony (`consent_current`), unredact one (delete a
//! `redacted_text` row) or have new legal names sealed to their own key
//! (swap the recipient). Each such fact is derived from, or recorded by, an
//! event whose detail the chain covers; here every row is compared with
//! that event and each disagreement is a finding naming the table and row.
//! It trusts the event details only as far as the chain verifies (checked
//! alongside); a chain rewritten whole is caught only by `verify --head`.
//! It reads only: it must never repair, and never print a reason, name or
//! text (findings name ids, statuses, scopes and dates).

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use serde_json::Value;

use super::{Finding, Kind};
use crate::catalogue::settings::CUSTODIAN_RECIPIENT;
use crate::error::Result;
use crate::model::ItemId;

/// Findings of one check beyond this many are summed up in one more, so
/// a catalogue damaged wholesale does not print a million lines.
const PER_CHECK: usize = 50;

pub(super) fn findings(conn: &Connection) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for check in [
        consent_current as fn(&Connection) -> Result<Vec<Finding>>,
        consent_history,
        custodian_recipient,
        redactions,
        item_access_current,
        item_access_history,
        deaccessions,
    ] {
        let mut found = check(conn)?;
        if found.len() > PER_CHECK {
            let more = found.len() - PER_CHECK;
            found.truncate(PER_CHECK);
            found.push(Finding::new(
                Kind::Policy,
                format!("and {more} more disagreement(s) of the same kind"),
            ));
        }
        out.append(&mut found);
    }
    Ok(out)
}

fn finding(item: Option<i64>, event: Option<i64>, detail: String) -> Finding {
    let mut f = Finding::new(Kind::Policy, detail);
    f.item_id = item.map(ItemId);
    f.event_id = event;
    f
}

/// The columns of a consent state, in `consent_events` and `consent_current` alike.
const CONSENT_COLUMNS: [&str; 6] = [
    "status",
    "scope",
    "date",
    "evidence_item_id",
    "embargo_until",
    "reason",
];

/// `consent_current` holds exactly the latest `consent_events` row of each
/// item (the items' own consent columns are checked against it with the
/// tallies).
fn consent_current(conn: &Connection) -> Result<Vec<Finding>> {
    let differs: Vec<String> = CONSENT_COLUMNS
        .iter()
        .map(|c| format!("c.{c} IS NOT e.{c}"))
        .collect();
    let sql = format!(
        "WITH latest AS (SELECT item_id, max(id) AS id FROM consent_events GROUP BY item_id)
         SELECT coalesce(l.item_id, c.item_id), l.id, c.event_id,
                e.status, c.status, e.scope, c.scope, e.date, c.date,
                e.evidence_item_id, c.evidence_item_id, e.embargo_until, c.embargo_until,
                e.reason IS NOT c.reason
           FROM latest l
           FULL JOIN consent_current c ON c.item_id = l.item_id
           LEFT JOIN consent_events e ON e.id = l.id
          WHERE l.id IS NULL OR c.item_id IS NULL OR c.event_id IS NOT l.id OR {}
          ORDER BY 1",
        differs.join(" OR ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let item: i64 = r.get(0)?;
        let latest: Option<i64> = r.get(1)?;
        let current_event: Option<i64> = r.get(2)?;
        let detail = match (latest, current_event) {
            (None, _) => format!(
                "consent_current row of item {item} has no consent_events row behind it (status {}): the current consent was written outside custos",
                text(r.get(4)?)
            ),
            (Some(l), None) => format!(
                "item {item} has consent_events (latest row {l}, status {}) but no consent_current row: the current consent was deleted",
                text(r.get(3)?)
            ),
            (Some(l), Some(c)) => {
                let mut diffs = Vec::new();
                if c != l {
                    diffs.push(format!("event_id {c} vs latest row {l}"));
                }
                for (i, name) in ["status", "scope", "date", "evidence_item_id", "embargo_until"]
                    .iter()
                    .enumerate()
                {
                    let want = text(r.get(3 + 2 * i)?);
                    let have = text(r.get(4 + 2 * i)?);
                    if want != have {
                        diffs.push(format!("{name} {have} vs {want}"));
                    }
                }
                if r.get::<_, bool>(13)? {
                    diffs.push("reason differs".into());
                }
                format!(
                    "consent_current row of item {item} disagrees with its latest consent_events row {l}: {}",
                    diffs.join(", ")
                )
            }
        };
        out.push(finding(Some(item), None, detail));
    }
    Ok(out)
}

/// A value as a finding shows it: ids, statuses, scopes and dates only.
fn text(v: rusqlite::types::Value) -> String {
    match v {
        rusqlite::types::Value::Null => "none".into(),
        rusqlite::types::Value::Integer(i) => i.to_string(),
        rusqlite::types::Value::Text(t) => t,
        other => format!("{other:?}"),
    }
}

/// One consent_events row.
struct ConsentRow {
    id: i64,
    item: i64,
    /// status, scope, date, evidence, embargo_until, reason as JSON values,
    /// in the shape the logged event's detail has them.
    fields: [(&'static str, Value); 6],
}

/// Each `consent_events` row was recorded with a `consent_change` (or
/// `withdrawal`) event in the same transaction; they pair up, per item, in
/// id order, and agree field by field where the detail was not erased by
/// a purge.
fn consent_history(conn: &Connection) -> Result<Vec<Finding>> {
    let mut rows_stmt = conn.prepare(
        "SELECT id, item_id, status, scope, date, evidence_item_id, embargo_until, reason
           FROM consent_events ORDER BY item_id, id",
    )?;
    let mut rows = rows_stmt.query_map([], |r| {
        let s = |i: usize| -> rusqlite::Result<Value> {
            Ok(r.get::<_, Option<String>>(i)?
                .map_or(Value::Null, Value::String))
        };
        Ok(ConsentRow {
            id: r.get(0)?,
            item: r.get(1)?,
            fields: [
                ("status", s(2)?),
                ("scope", s(3)?),
                ("date", s(4)?),
                (
                    "evidence",
                    r.get::<_, Option<i64>>(5)?.map_or(Value::Null, Value::from),
                ),
                ("embargo_until", s(6)?),
                ("reason", s(7)?),
            ],
        })
    })?;
    let mut events_stmt = conn.prepare(
        "SELECT id, item_id, type, detail FROM events
          WHERE type IN ('consent_change', 'withdrawal') ORDER BY item_id, id",
    )?;
    let mut events = events_stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<i64>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    let mut row = rows.next().transpose()?;
    let mut event = events.next().transpose()?;
    loop {
        // The next item either side holds, in item order (NULL items first).
        let item = match (&row, &event) {
            (None, None) => break,
            (Some(r), None) => Some(r.item),
            (None, Some(e)) => e.1,
            (Some(r), Some(e)) => e.1.map(|i| i.min(r.item)),
        };
        let mut item_rows = Vec::new();
        while let Some(r) = row.take() {
            if Some(r.item) != item {
                row = Some(r);
                break;
            }
            item_rows.push(r);
            row = rows.next().transpose()?;
        }
        let mut item_events = Vec::new();
        while let Some(e) = event.take() {
            if e.1 != item {
                event = Some(e);
                break;
            }
            item_events.push(e);
            event = events.next().transpose()?;
        }
        let Some(item) = item else {
            for e in item_events {
                out.push(finding(
                    None,
                    Some(e.0),
                    format!("event {} is a {} event naming no item", e.0, e.2),
                ));
            }
            continue;
        };
        if item_rows.len() != item_events.len() {
            out.push(finding(
                Some(item),
                None,
                format!(
                    "item {item} has {} consent_events row(s) but its history logs {} consent event(s) (consent_change, withdrawal): consent rows were added or deleted outside custos",
                    item_rows.len(),
                    item_events.len()
                ),
            ));
            continue;
        }
        for (r, (event_id, _, kind, detail)) in item_rows.iter().zip(&item_events) {
            if let Some(why) = row_vs_event(r, kind, detail.as_deref()) {
                out.push(finding(
                    Some(item),
                    Some(*event_id),
                    format!(
                        "consent_events row {} of item {item} disagrees with its logged {kind} event {event_id}: {why}",
                        r.id
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn row_vs_event(r: &ConsentRow, kind: &str, detail: Option<&str>) -> Option<String> {
    let withdrawn = r.fields[0].1 == "withdrawn";
    if withdrawn != (kind == "withdrawal") {
        return Some(format!(
            "status {} but the event is a {kind}",
            r.fields[0].1
        ));
    }
    // Erased by a purge (the chain check makes sure one explains it).
    let detail: Value = serde_json::from_str(detail?).ok()?;
    let diffs: Vec<String> = r
        .fields
        .iter()
        .filter(|(name, v)| detail.get(*name).unwrap_or(&Value::Null) != v)
        .map(|(name, v)| {
            if *name == "reason" {
                "reason differs".to_string()
            } else {
                format!(
                    "{name} {} vs logged {}",
                    show(v),
                    show(detail.get(*name).unwrap_or(&Value::Null))
                )
            }
        })
        .collect();
    (!diffs.is_empty()).then(|| diffs.join(", "))
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The recipient in `settings` is the one `key init` recorded in its
/// event; a key is never replaced, so there is at most one.
fn custodian_recipient(conn: &Connection) -> Result<Vec<Finding>> {
    let stored = crate::catalogue::settings::get(conn, CUSTODIAN_RECIPIENT)?;
    let mut stmt = conn.prepare(
        "SELECT id, detail FROM events
          WHERE type = 'creation' AND item_id IS NULL AND detail LIKE '%custodian_recipient%'
          ORDER BY id",
    )?;
    let logged: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(id, d)| {
            let v: Value = serde_json::from_str(&d).ok()?;
            Some((id, v.get(CUSTODIAN_RECIPIENT)?.as_str()?.to_string()))
        })
        .collect();
    let mut out = Vec::new();
    if logged.len() > 1 {
        let ids: Vec<String> = logged.iter().map(|(id, _)| id.to_string()).collect();
        out.push(finding(
            None,
            logged.last().map(|l| l.0),
            format!(
                "the history records {} custodian keys (events {}), but a key is never replaced",
                logged.len(),
                ids.join(", ")
            ),
        ));
    }
    match (stored, logged.last()) {
        (None, None) => {}
        (Some(s), Some((_, l))) if s == *l => {}
        (Some(s), None) => out.push(finding(
            None,
            None,
            format!(
                "settings row {CUSTODIAN_RECIPIENT} holds {s}, but no `key init` event records a custodian key: new legal names and redaction terms would be sealed to a key the history does not know"
            ),
        )),
        (None, Some((id, l))) => out.push(finding(
            None,
            Some(*id),
            format!(
                "event {id} records custodian key {l}, but settings has no {CUSTODIAN_RECIPIENT} row"
            ),
        )),
        (Some(s), Some((id, l))) => out.push(finding(
            None,
            Some(*id),
            format!(
                "settings row {CUSTODIAN_RECIPIENT} holds {s}, but event {id} (key init) recorded {l}: new legal names and redaction terms would be sealed to the wrong key"
            ),
        )),
    }
    Ok(out)
}

/// Each redaction wrote one `redactions` row, the `redacted_text` row and
/// one `redaction` event; a purge deletes both rows and keeps the events.
fn redactions(conn: &Connection) -> Result<Vec<Finding>> {
    let counts = |sql: &str| -> Result<BTreeMap<i64, i64>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let rows = counts("SELECT item_id, count(*) FROM redactions GROUP BY item_id")?;
    let texts = counts("SELECT item_id, 1 FROM redacted_text")?;
    let events = counts(
        "SELECT item_id, count(*) FROM events
          WHERE type = 'redaction' AND item_id IS NOT NULL GROUP BY item_id",
    )?;
    let purged: BTreeSet<i64> = {
        let mut stmt = conn.prepare(
            "SELECT i.id FROM items i JOIN objects o ON o.id = i.object_id
              WHERE o.purged_at IS NOT NULL",
        )?;
        let ids = stmt.query_map([], |r| r.get(0))?;
        ids.collect::<rusqlite::Result<_>>()?
    };
    let items: BTreeSet<i64> = rows
        .keys()
        .chain(texts.keys())
        .chain(events.keys())
        .copied()
        .collect();
    let mut out = Vec::new();
    for item in items {
        let n_rows = rows.get(&item).copied().unwrap_or(0);
        let has_text = texts.contains_key(&item);
        let n_events = events.get(&item).copied().unwrap_or(0);
        let why = if purged.contains(&item) {
            (n_rows > 0 || has_text)
                .then(|| "it was purged, yet redactions or redacted_text rows remain".to_string())
        } else if n_rows > 0 && !has_text {
            Some(format!(
                "it has {n_rows} redactions row(s) but no redacted_text row: readers below custodian would get the unredacted text"
            ))
        } else if n_rows == 0 && has_text {
            Some("it has a redacted_text row but no redactions row".to_string())
        } else if n_rows != n_events {
            Some(format!(
                "it has {n_rows} redactions row(s) but its history logs {n_events} redaction event(s)"
            ))
        } else {
            None
        };
        if let Some(why) = why {
            out.push(finding(Some(item), None, format!("item {item}: {why}")));
        }
    }
    Ok(out)
}

/// `items.access_level` and `items.access_until` hold exactly the latest
/// `access_events` row of each item (NULL level for open), and NULL for an
/// item without access history; 'deaccessioned' (no end) exactly for an
/// item with a `deaccessions` row: whoever sets them by hand to open a
/// closed or deaccessioned item is found here.
pub(super) fn item_access_current(conn: &Connection) -> Result<Vec<Finding>> {
    let mut stmt = conn.prepare(
        "WITH latest AS (SELECT item_id, max(id) AS id FROM access_events GROUP BY item_id),
         want AS (
           SELECT i.id, l.id AS latest,
                  CASE WHEN d.item_id IS NOT NULL THEN 'deaccessioned'
                       WHEN e.level = 'open' THEN NULL ELSE e.level END AS level,
                  CASE WHEN d.item_id IS NOT NULL THEN NULL ELSE e.until END AS until,
                  i.access_level, i.access_until, d.item_id IS NOT NULL AS gone
             FROM items i
             LEFT JOIN latest l ON l.item_id = i.id
             LEFT JOIN access_events e ON e.id = l.id
             LEFT JOIN deaccessions d ON d.item_id = i.id)
         SELECT id, CASE WHEN gone THEN -1 ELSE latest END, level, until, access_level, access_until
           FROM want
          WHERE access_level IS NOT level OR access_until IS NOT until
          ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let item: i64 = r.get(0)?;
        let latest: Option<i64> = r.get(1)?;
        let want = format!("{} until {}", text(r.get(2)?), text(r.get(3)?));
        let have = format!("{} until {}", text(r.get(4)?), text(r.get(5)?));
        let detail = match latest {
            Some(-1) => format!(
                "item {item} has access {have}, but it was deaccessioned (its deaccessions row): a deaccession is never undone"
            ),
            None => format!(
                "item {item} has access {have} but no access_events or deaccessions row behind it: its access was written outside custos"
            ),
            Some(l) => format!(
                "item {item} has access {have}, but its latest access_events row {l} says {want}"
            ),
        };
        out.push(finding(Some(item), None, detail));
    }
    Ok(out)
}

/// Each `access_events` row names the `access_change` event that recorded
/// it, about the same item, whose detail (unless erased by a purge) says
/// the same level and end day.
pub(super) fn item_access_history(conn: &Connection) -> Result<Vec<Finding>> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.item_id, a.event_id, a.level, a.until, e.type, e.item_id, e.detail
           FROM access_events a LEFT JOIN events e ON e.id = a.event_id
          ORDER BY a.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (id, item, event): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let level: String = r.get(3)?;
        let until: Option<String> = r.get(4)?;
        let kind: Option<String> = r.get(5)?;
        let about: Option<i64> = r.get(6)?;
        let detail: Option<String> = r.get(7)?;
        let problem = if kind.as_deref() != Some("access_change") || about != Some(item) {
            Some(format!(
                "access_events row {id} of item {item} names event {event}, which is not an access_change event about that item"
            ))
        } else {
            detail.and_then(|d| {
                let v: Value = serde_json::from_str(&d).unwrap_or(Value::Null);
                let logged = (v["access"].as_str(), v["until"].as_str());
                (logged != (Some(level.as_str()), until.as_deref())).then(|| {
                    format!(
                        "access_events row {id} of item {item} says {level} until {}, but its event {event} logged {} until {}",
                        until.as_deref().unwrap_or("none"),
                        logged.0.unwrap_or("none"),
                        logged.1.unwrap_or("none")
                    )
                })
            })
        };
        if let Some(p) = problem {
            out.push(finding(Some(item), Some(event), p));
        }
    }
    Ok(out)
}

/// Each `deaccessions` row names the `deaccession` event that recorded it,
/// about the same item, whose detail says the same reason: a row added by
/// hand (to hide an item) or an event's reason rewritten is found here.
pub(super) fn deaccessions(conn: &Connection) -> Result<Vec<Finding>> {
    let mut stmt = conn.prepare(
        "SELECT d.item_id, d.event_id, d.reason, e.type, e.item_id, e.detail
           FROM deaccessions d LEFT JOIN events e ON e.id = d.event_id
          ORDER BY d.item_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (item, event): (i64, i64) = (r.get(0)?, r.get(1)?);
        let reason: String = r.get(2)?;
        let kind: Option<String> = r.get(3)?;
        let about: Option<i64> = r.get(4)?;
        let detail: Option<String> = r.get(5)?;
        let logged = detail
            .and_then(|d| serde_json::from_str::<Value>(&d).ok())
            .and_then(|v| v["reason"].as_str().map(str::to_string));
        let problem = if kind.as_deref() != Some("deaccession") || about != Some(item) {
            Some(format!(
                "the deaccession of item {item} names event {event}, which is not a deaccession event about that item"
            ))
        } else if logged.as_deref() != Some(reason.as_str()) {
            Some(format!(
                "the deaccession of item {item} gives a reason other than its event {event} logged"
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            out.push(finding(Some(item), Some(event), p));
        }
    }
    Ok(out)
}
