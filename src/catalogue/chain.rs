//! Verifying the event log's hash chain: every hash recomputed in id order,
//! every `prev_hash` link and the id sequence checked, erased details
//! allowed only where a later purge explains them.
//!
//! It reads the log and reports the FIRST broken event (later ones cannot be
//! trusted once one link fails); it never repairs, rewrites or appends. A
//! chain alone can be recomputed by whoever rewrites it, so a head recorded
//! elsewhere (a backup, a printout) is checked here too.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Serialize;

use super::events::{detail_hash, event_hash, Canonical, GENESIS};
use crate::error::Result;

/// The first event at which the chain fails, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub event_id: i64,
    pub problem: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ChainReport {
    /// Events read (up to and including the first break).
    pub events: u64,
    /// The stored hash of the newest event (GENESIS for an empty log).
    pub head: String,
    pub broken: Option<Break>,
    /// For a recorded head that was asked about: the id of the event whose
    /// recomputed hash it is, found on an unbroken stretch of the chain.
    pub head_found_at: Option<i64>,
}

/// Walks the whole log. `recorded_head` is a head printed or stored earlier;
/// it counts as found only if an event verified from genesis hashes to it
/// (so never GENESIS itself).
pub fn verify(conn: &Connection, recorded_head: Option<&str>) -> Result<ChainReport> {
    let recorded = recorded_head.map(str::to_ascii_lowercase);
    let purged = last_purge_per_item(conn)?;
    let empty_detail = detail_hash(None, None);
    let mut stmt = conn.prepare(
        "SELECT id, at, type, item_id, agent, outcome, detail, detail_salt, detail_hash, prev_hash, hash
         FROM events ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut report = ChainReport {
        events: 0,
        head: GENESIS.to_string(),
        broken: None,
        // GENESIS is the chain's starting value, not an event's hash: a
        // history emptied of every event would otherwise "still hold" it.
        head_found_at: None,
    };
    let mut prev = GENESIS.to_string();
    let mut expected_id = 1i64;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let at: String = r.get(1)?;
        let kind: String = r.get(2)?;
        let item_id: Option<i64> = r.get(3)?;
        let agent: String = r.get(4)?;
        let outcome: String = r.get(5)?;
        let detail: Option<String> = r.get(6)?;
        let salt: Option<Vec<u8>> = r.get(7)?;
        let stored_detail_hash: String = r.get(8)?;
        let prev_hash: String = r.get(9)?;
        let hash: String = r.get(10)?;
        report.events += 1;
        report.head = hash.clone();
        let problem = if id != expected_id {
            Some(if id > expected_id {
                format!(
                    "events {}..{} before it are missing (deleted from the history)",
                    expected_id,
                    id - 1
                )
            } else {
                format!("its id should be {expected_id}")
            })
        } else if prev_hash != prev {
            Some(format!(
                "its prev_hash does not match the hash of {} (history edited, removed or reordered before it)",
                if id == 1 { "genesis".to_string() } else { format!("event {}", id - 1) }
            ))
        } else {
            let recomputed = event_hash(&Canonical {
                id,
                at: &at,
                kind: &kind,
                item_id,
                agent: &agent,
                outcome: &outcome,
                detail_hash: &stored_detail_hash,
                prev_hash: &prev_hash,
            });
            if recomputed != hash {
                Some("its fields do not match its hash (the event was edited)".to_string())
            } else {
                detail_problem(
                    id,
                    item_id,
                    detail.as_deref(),
                    salt.as_deref(),
                    &stored_detail_hash,
                    &empty_detail,
                    &purged,
                )
            }
        };
        if let Some(problem) = problem {
            report.broken = Some(Break {
                event_id: id,
                problem,
            });
            break;
        }
        if recorded.as_deref() == Some(hash.as_str()) {
            report.head_found_at = Some(id);
        }
        prev = hash;
        expected_id = id + 1;
    }
    Ok(report)
}

/// A detail must hash to what the chain covers; an erased one (detail and
/// salt NULL) is accepted only when a purge of its item comes later.
fn detail_problem(
    id: i64,
    item_id: Option<i64>,
    detail: Option<&str>,
    salt: Option<&[u8]>,
    stored: &str,
    empty: &str,
    purged: &HashMap<i64, i64>,
) -> Option<String> {
    match (detail, salt) {
        (None, None) if stored == empty => None,
        (None, None) => {
            let explained = item_id
                .and_then(|i| purged.get(&i))
                .is_some_and(|&purge_id| purge_id > id);
            (!explained).then(|| {
                "its detail was erased, but no later purge of its item explains it".to_string()
            })
        }
        (d, s) if detail_hash(s, d) == stored => None,
        _ => Some("its detail does not match the detail hash (the detail was edited)".to_string()),
    }
}

fn last_purge_per_item(conn: &Connection) -> Result<HashMap<i64, i64>> {
    let mut stmt = conn.prepare(
        "SELECT item_id, max(id) FROM events WHERE type = 'purge' AND item_id IS NOT NULL GROUP BY item_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::events::{EventLog, EventType};
    use crate::model::ItemId;

    fn db_with_events(n: i64) -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::archive::migrate::migrate(&mut c).unwrap();
        let mut log = EventLog::new(&c).unwrap();
        for i in 1..=n {
            let d = serde_json::json!({ "n": i });
            log.append(
                EventType::Ingestion,
                Some(ItemId(i)),
                "tester",
                "success",
                Some(&d),
                "2026-01-01T00:00:00Z",
            )
            .unwrap();
        }
        c
    }

    fn broken_at(c: &Connection) -> Option<i64> {
        verify(c, None).unwrap().broken.map(|b| b.event_id)
    }

    #[test]
    fn an_intact_chain_verifies_and_finds_its_head() {
        let c = db_with_events(5);
        let head = super::super::events::head(&c).unwrap().unwrap();
        let r = verify(&c, Some(&head)).unwrap();
        assert_eq!(r.broken, None);
        assert_eq!(r.events, 5);
        assert_eq!(r.head, head);
        assert_eq!(r.head_found_at, Some(5));
        assert_eq!(verify(&c, Some(GENESIS)).unwrap().head_found_at, None);
        let empty = db_with_events(0);
        assert_eq!(verify(&empty, Some(GENESIS)).unwrap().head_found_at, None);
        assert_eq!(
            verify(&c, Some(&"a".repeat(64))).unwrap().head_found_at,
            None
        );
    }

    #[test]
    fn edits_deletions_and_reorders_name_the_first_broken_event() {
        let c = db_with_events(5);
        c.execute("UPDATE events SET agent = 'mallory' WHERE id = 3", [])
            .unwrap();
        assert_eq!(broken_at(&c), Some(3));

        let c = db_with_events(5);
        c.execute("DELETE FROM events WHERE id = 2", []).unwrap();
        let b = verify(&c, None).unwrap().broken.unwrap();
        assert_eq!(b.event_id, 3);
        assert!(b.problem.contains("missing"), "{}", b.problem);

        let c = db_with_events(5);
        c.execute_batch(
            "UPDATE events SET id = -2 WHERE id = 2;
             UPDATE events SET id = 2 WHERE id = 4;
             UPDATE events SET id = 4 WHERE id = -2;",
        )
        .unwrap();
        assert_eq!(broken_at(&c), Some(2));

        let c = db_with_events(5);
        c.execute("UPDATE events SET detail = '{\"n\":99}' WHERE id = 4", [])
            .unwrap();
        let b = verify(&c, None).unwrap().broken.unwrap();
        assert_eq!(b.event_id, 4);
        assert!(b.problem.contains("detail"), "{}", b.problem);
    }

    #[test]
    fn a_rewritten_history_no_longer_holds_the_old_head() {
        let c = db_with_events(3);
        let old_head = super::super::events::head(&c).unwrap().unwrap();
        // Rewrite event 2 and recompute every hash after it, as a forger would.
        c.execute("UPDATE events SET agent = 'mallory' WHERE id = 2", [])
            .unwrap();
        let mut prev = c
            .query_row("SELECT hash FROM events WHERE id = 1", [], |r| {
                r.get::<_, String>(0)
            })
            .unwrap();
        for id in 2..=3i64 {
            let (at, kind, item, agent, outcome, dh): (String, String, Option<i64>, String, String, String) = c
                .query_row(
                    "SELECT at, type, item_id, agent, outcome, detail_hash FROM events WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .unwrap();
            let h = event_hash(&Canonical {
                id,
                at: &at,
                kind: &kind,
                item_id: item,
                agent: &agent,
                outcome: &outcome,
                detail_hash: &dh,
                prev_hash: &prev,
            });
            c.execute(
                "UPDATE events SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
                rusqlite::params![id, prev, h],
            )
            .unwrap();
            prev = h;
        }
        let r = verify(&c, Some(&old_head)).unwrap();
        assert_eq!(
            r.broken, None,
            "a consistent forgery passes the chain alone"
        );
        assert_eq!(r.head_found_at, None, "but not the recorded head");
    }

    #[test]
    fn erased_details_need_a_later_purge() {
        let c = db_with_events(3);
        c.execute(
            "UPDATE events SET detail = NULL, detail_salt = NULL WHERE id = 2",
            [],
        )
        .unwrap();
        assert_eq!(broken_at(&c), Some(2));
        let mut log = EventLog::new(&c).unwrap();
        // A purge of another item does not explain it.
        log.append(
            EventType::Purge,
            Some(ItemId(3)),
            "t",
            "success",
            None,
            "2026-01-02T00:00:00Z",
        )
        .unwrap();
        assert_eq!(broken_at(&c), Some(2));
        log.append(
            EventType::Purge,
            Some(ItemId(2)),
            "t",
            "success",
            None,
            "2026-01-02T00:00:00Z",
        )
        .unwrap();
        assert_eq!(broken_at(&c), None);
    }
}
