//! What of the event log (`custos log`) a reader below custodian sees.
//!
//! Events about an item follow the item's decision (`view::events`).
//! This module decides the rest: which events about no item may be listed,
//! and how a listing is numbered. Below custodian a listing must not let a
//! reader count or place what is hidden from them: events about no item
//! (a narrator created, edited or revealed, a key made, an export or a
//! backup, a vocabulary renamed) are left out, except the archive-wide
//! fixity checks of `verify` (they name nothing and only say the archive
//! was checked); the archive's event ids and chain hashes are withheld,
//! and rows are numbered by their position in the listing instead. It
//! reads no catalogue and never prints.

use super::view::{self, EventEntry};
use crate::catalogue::events::Event;
use crate::model::Access;

/// Types of the events about no item that a reader below custodian sees.
pub const ARCHIVE_EVENTS_BELOW_CUSTODIAN: &[&str] = &["fixity_check"];

/// An event about no item as this reader may see it; None when left out.
pub fn archive_event(access: Access, record: Event) -> Option<EventEntry> {
    if access == Access::Custodian {
        return Some(view::event(record, true, true));
    }
    if !ARCHIVE_EVENTS_BELOW_CUSTODIAN.contains(&record.kind.as_str()) {
        return None;
    }
    // Shaped as an open item's events are: no detail, no chain keys.
    Some(view::event(record, false, false))
}

/// The listing in order; below custodian `id` is the row's position in it
/// (1..n), which tells nothing of the events left out.
pub fn number(access: Access, mut rows: Vec<EventEntry>) -> Vec<EventEntry> {
    if access != Access::Custodian {
        for (n, r) in rows.iter_mut().enumerate() {
            r.id = Some(n as i64 + 1);
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

    fn ev(id: i64, kind: &str) -> Event {
        Event {
            id,
            at: "2026-01-01T00:00:00Z".into(),
            kind: kind.into(),
            item_id: None,
            agent: "a".into(),
            outcome: "success".into(),
            detail: Some(serde_json::json!({"narrator": 3})),
            detail_salt: None,
            detail_hash: "d".into(),
            prev_hash: "p".into(),
            hash: "h".into(),
        }
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
                assert!(archive_event(access, ev(7, kind)).is_none(), "{kind}");
            }
            let run = serde_json::to_value(archive_event(access, ev(7, "fixity_check")).unwrap())
                .unwrap();
            for k in ["id", "detail", "detail_hash", "prev_hash", "hash"] {
                assert!(run[k].is_null(), "{k}: {run}");
            }
            assert_eq!(head_id(access, 9), None);
        }
        let all = archive_event(Access::Custodian, ev(7, "creation")).unwrap();
        assert_eq!(all.id, Some(7));
        assert!(all.detail.is_some() && all.hash.as_deref() == Some("h"));
        assert_eq!(head_id(Access::Custodian, 9), Some(9));
    }

    #[test]
    fn numbered_by_position_below_custodian() {
        let rows = || {
            vec![
                view::event(ev(4, "ingestion"), true, true),
                view::event(ev(9, "ingestion"), true, true),
            ]
        };
        let ids = |rows: Vec<EventEntry>| rows.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(number(Access::Public, rows())), [Some(1), Some(2)]);
        assert_eq!(ids(number(Access::Custodian, rows())), [Some(4), Some(9)]);
    }
}
