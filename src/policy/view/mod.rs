//! The typed view of one catalogue record as a reader may see it, built by
//! destructuring the stored record field by field: a new field of
//! [`ItemRecord`] does not compile here until someone decides who may see
//! it. Serialises to the documented JSON shape of `show` and of the bag's
//! records (keys in the record's order, then `access` and the standing).
//!
//! Only the decision says what is granted; this module must not consult
//! consent or identity itself.

use serde::Serialize;

use super::present::RedactedCopy;
use super::{AccessClass, Decision, Gone};

mod claims;
mod listing;
mod notes;
mod recording;
mod related;

use crate::catalogue::items::ItemRecord;
use crate::model::{ItemId, Kind, Sha256};
pub use claims::*;
pub use listing::*;
pub use notes::*;
pub use recording::*;
pub use related::*;

#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub id: ItemId,
    pub title: Option<String>,
    pub kind: Kind,
    pub date: Option<String>,
    pub sha256: Option<Sha256>,
    pub size: Option<i64>,
    pub media_type: Option<String>,
    pub original_name: Option<String>,
    pub origin: Option<String>,
    pub ingested_at: Option<String>,
    pub ingested_by: Option<String>,
    pub language: Option<String>,
    pub collection: Option<String>,
    pub creator: Option<String>,
    pub description: Option<String>,
    pub coverage: Option<String>,
    pub rights: Option<String>,
    pub location: Option<String>,
    pub access: &'static str,
    #[serde(flatten)]
    pub standing: Standing,
}

/// Keys of an item record that a closed or withdrawn entry keeps.
pub const CLOSED_KEEPS: &[&str] = &["id", "kind", "collection"];

/// What a closed or withdrawn entry adds to its few fields.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Standing {
    Open {},
    Closed {
        closed_until: Option<String>,
    },
    Withdrawn {
        withdrawn_on: String,
        withdrawal_reason: Option<String>,
    },
    Deaccessioned {
        deaccessioned_on: String,
        deaccession_reason: Option<String>,
    },
}

/// The access word and standing of a tombstone.
pub(crate) fn tombstone(gone: Gone, on: &str, reason: &Option<String>) -> (&'static str, Standing) {
    match gone {
        Gone::Withdrawn => (
            "withdrawn",
            Standing::Withdrawn {
                withdrawn_on: on.to_string(),
                withdrawal_reason: reason.clone(),
            },
        ),
        Gone::Deaccessioned => (
            "deaccessioned",
            Standing::Deaccessioned {
                deaccessioned_on: on.to_string(),
                deaccession_reason: reason.clone(),
            },
        ),
    }
}

/// The record as this reader may see it; None when the item is hidden.
pub fn item(
    decision: &Decision,
    class: AccessClass,
    record: ItemRecord,
    redacted: Option<&RedactedCopy>,
) -> Option<ItemView> {
    let ItemRecord {
        id,
        title,
        kind,
        date,
        sha256,
        size,
        media_type,
        original_name,
        origin,
        ingested_at,
        ingested_by,
        language,
        collection,
        creator,
        description,
        coverage,
        rights,
        location,
    } = record;
    // What a closed or withdrawn entry keeps: id, kind and collection.
    let entry = |access: &'static str, standing: Standing| ItemView {
        id,
        title: None,
        kind,
        date: None,
        sha256: None,
        size: None,
        media_type: None,
        original_name: None,
        origin: None,
        ingested_at: None,
        ingested_by: None,
        language: None,
        collection: collection.clone(),
        creator: None,
        description: None,
        coverage: None,
        rights: None,
        location: None,
        access,
        standing,
    };
    match decision {
        Decision::Hidden => None,
        Decision::Closed { until } => Some(entry(
            "closed",
            Standing::Closed {
                closed_until: until.map(|d| d.to_string()),
            },
        )),
        Decision::Tombstone { gone, on, reason } => {
            let (word, standing) = tombstone(*gone, on, reason);
            Some(entry(word, standing))
        }
        Decision::Open(g) => {
            let copy = redacted.filter(|_| g.redact);
            let origin_if = |v: Option<String>| v.filter(|_| g.origin);
            Some(ItemView {
                id,
                title: Some(copy.map_or(title, |r| r.title.clone())),
                kind,
                date,
                sha256: Some(sha256).filter(|_| g.digest),
                size: Some(size).filter(|_| g.digest),
                media_type: Some(media_type),
                original_name: origin_if(original_name),
                origin: origin_if(origin),
                ingested_at,
                ingested_by,
                language,
                collection,
                creator,
                description: match copy {
                    Some(r) => r.description.clone(),
                    None => description,
                },
                coverage,
                rights,
                // Where an original is shelved is custodial detail, and a
                // folder's label can name a narrator: it goes with origin.
                location: origin_if(location),
                access: class.as_str(),
                standing: Standing::Open {},
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::policy::{present, Grant};

    fn record() -> ItemRecord {
        ItemRecord {
            id: ItemId(7),
            title: "Title CANARY".into(),
            kind: Kind::Testimony,
            date: Some("1990-01".into()),
            sha256: Sha256::from_digest(&[7; 32]),
            size: 1234,
            media_type: "text/plain".into(),
            original_name: Some("name.txt".into()),
            origin: Some("file:///x".into()),
            ingested_at: Some("2026-01-01T00:00:00Z".into()),
            ingested_by: Some("tester".into()),
            language: Some("en".into()),
            collection: Some("Box 1".into()),
            creator: Some("Someone".into()),
            description: Some("About CANARY".into()),
            coverage: Some("1988/1990".into()),
            rights: Some("CC-BY-4.0".into()),
            location: Some("Box 3".into()),
        }
    }

    /// Every decision, grant and redaction: a closed or withdrawn entry
    /// keeps only its few keys, and an open one loses exactly what its
    /// grant withholds.
    #[test]
    fn the_view_keeps_what_each_decision_grants() {
        let copy = present::RedactedCopy {
            title: "Title [redacted]".into(),
            description: Some("About [redacted]".into()),
            text: None,
        };
        let mut decisions = vec![
            Decision::Closed { until: None },
            Decision::Closed {
                until: NaiveDate::from_ymd_opt(2031, 1, 1),
            },
            Decision::Tombstone {
                gone: Gone::Withdrawn,
                on: "2026-02-01".into(),
                reason: Some("asked".into()),
            },
            Decision::Tombstone {
                gone: Gone::Deaccessioned,
                on: "2026-02-02".into(),
                reason: Some("returned".into()),
            },
        ];
        for bits in 0..32u8 {
            decisions.push(Decision::Open(Grant {
                redact: bits & 1 != 0,
                quasi_identifiers: bits & 2 != 0,
                origin: bits & 4 != 0,
                custodial_detail: bits & 8 != 0,
                digest: bits & 16 != 0,
            }));
        }
        assert!(item(&Decision::Hidden, AccessClass::Open, record(), None).is_none());
        let standing_keys = [
            "access",
            "closed_until",
            "withdrawn_on",
            "withdrawal_reason",
            "deaccessioned_on",
            "deaccession_reason",
        ];
        for d in &decisions {
            for class in [AccessClass::Open, AccessClass::Restricted] {
                for redacted in [None, Some(&copy)] {
                    let v =
                        serde_json::to_value(item(d, class, record(), redacted).unwrap()).unwrap();
                    let shown = |k: &str| !v[k].is_null();
                    match d {
                        Decision::Open(g) => {
                            assert_eq!(shown("sha256"), g.digest, "{d:?}");
                            assert_eq!(shown("size"), g.digest, "{d:?}");
                            assert_eq!(shown("origin"), g.origin, "{d:?}");
                            assert_eq!(shown("original_name"), g.origin, "{d:?}");
                            assert_eq!(shown("location"), g.origin, "{d:?}");
                            let redacts = g.redact && redacted.is_some();
                            assert_eq!(v.to_string().contains("CANARY"), !redacts, "{d:?}");
                            assert_eq!(v["access"], class.as_str());
                        }
                        _ => {
                            for (k, val) in v.as_object().unwrap() {
                                if !val.is_null() {
                                    assert!(
                                        CLOSED_KEEPS.contains(&k.as_str())
                                            || standing_keys.contains(&k.as_str()),
                                        "{d:?} shows {k}"
                                    );
                                }
                            }
                            assert!(!v.to_string().contains("CANARY"));
                        }
                    }
                }
            }
        }
    }

    /// A heading shows its title only where the item is open.
    #[test]
    fn a_heading_keeps_its_title_only_when_open() {
        let h = || Heading {
            id: ItemId(3),
            title: "CANARY".into(),
            kind: Kind::Testimony,
            collection: Some("C".into()),
        };
        let closed = Decision::Closed { until: None };
        let v = serde_json::to_value(heading(&closed, AccessClass::Closed, h()).unwrap()).unwrap();
        assert!(v["title"].is_null() && v["collection"] == "C" && v["access"] == "closed");
        let open = Decision::Open(Grant::FULL);
        let v = serde_json::to_value(heading(&open, AccessClass::Open, h()).unwrap()).unwrap();
        assert_eq!(v["title"], "CANARY");
        assert!(heading(&Decision::Hidden, AccessClass::Open, h()).is_none());
    }
}
