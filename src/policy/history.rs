//! What of the event log (`custos log`) a reader below custodian sees.
//!
//! Events about an item follow the item's decision (`present::events`).
//! This module decides the rest: which events about no item may be listed,
//! and how a listing is numbered. Below custodian a listing must not let a
//! reader count or place what is hidden from them: events about no item
//! (a narrator created, edited or revealed, a key made, an export or a
//! backup, a vocabulary renamed) are left out, except the archive-wide
//! fixity checks of `verify` (they name nothing and only say the archive
//! was checked); the archive's event ids and chain hashes are withheld,
//! and rows are numbered by their position in the listing instead. It
//! reads no catalogue and never prints.

use serde_json::Value;

use super::present;
use super::{Decision, Grant};
use crate::model::Access;

/// Types of the events about no item that a reader below custodian sees.
pub const ARCHIVE_EVENTS_BELOW_CUSTODIAN: &[&str] = &["fixity_check"];

/// An event about no item as this reader may see it; None when left out.
pub fn archive_event(access: Access, record: Value) -> Option<Value> {
    if access == Access::Custodian {
        return Some(record);
    }
    let kind = record.get("type").and_then(Value::as_str).unwrap_or("");
    if !ARCHIVE_EVENTS_BELOW_CUSTODIAN.contains(&kind) {
        return None;
    }
    // Shaped as an open item's events are: no detail, no chain keys.
    let below = Decision::Open(Grant {
        custodial_detail: false,
        ..Grant::FULL
    });
    present::events(&below, vec![record]).pop()
}

/// The listing in order; below custodian `id` is the row's position in it
/// (1..n), which tells nothing of the events left out.
pub fn number(access: Access, mut rows: Vec<Value>) -> Vec<Value> {
    if access != Access::Custodian {
        for (n, r) in rows.iter_mut().enumerate() {
            if let Some(obj) = r.as_object_mut() {
                obj.insert("id".into(), (n as u64 + 1).into());
            }
        }
    }
    rows
}

/// The event id of the log's head as this reader may see it: the count of
/// all events, so the custodian's alone.
pub fn head_id(access: Access, id: i64) -> Option<i64> {
    (access == Access::Custodian).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(id: i64, kind: &str) -> Value {
        json!({"id": id, "type": kind, "item_id": null, "detail": {"narrator": 3},
               "detail_hash": "d", "prev_hash": "p", "hash": "h"})
    }

    #[test]
    fn below_custodian_only_fixity_runs_without_chain_or_detail() {
        for access in [Access::Public, Access::Research] {
            for kind in [
                "creation",
                "reveal",
                "metadata_modification",
                "export",
                "purge",
            ] {
                assert_eq!(archive_event(access, ev(7, kind)), None, "{kind}");
            }
            let run = archive_event(access, ev(7, "fixity_check")).unwrap();
            for k in ["id", "detail", "detail_hash", "prev_hash", "hash"] {
                assert!(run[k].is_null(), "{k}: {run}");
            }
            assert_eq!(head_id(access, 9), None);
        }
        assert_eq!(
            archive_event(Access::Custodian, ev(7, "creation")),
            Some(ev(7, "creation"))
        );
        assert_eq!(head_id(Access::Custodian, 9), Some(9));
    }

    #[test]
    fn numbered_by_position_below_custodian() {
        let rows = vec![ev(4, "ingestion"), ev(9, "ingestion")];
        let ids = |rows: Vec<Value>| rows.iter().map(|r| r["id"].clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(number(Access::Public, rows.clone())),
            [json!(1), json!(2)]
        );
        assert_eq!(ids(number(Access::Custodian, rows)), [json!(4), json!(9)]);
    }
}
