//! Shaping what a reader gets from a decision beside an item's record
//! (which `view` builds, typed): its text, consent, provenance, events,
//! and its narrator.
//!
//! Shapes are built by removing, never by adding: whatever a decision does
//! not grant is set to null (keys stay, so CSV columns and JSON shapes are
//! stable). Only the decision says what is granted; this module must not
//! consult consent or identity itself.

use serde_json::{Map, Value};

use super::{Decision, Grant};

/// The redacted copy of an item, made when the custodian redacted it.
#[derive(Debug, Clone, Default)]
pub struct RedactedCopy {
    pub title: String,
    pub description: Option<String>,
    pub text: Option<String>,
}

/// Keys that tell where a file came from, and so may name people.
const ORIGIN_KEYS: &[&str] = &["origin", "original_name", "original_path"];

fn null_keys(obj: &mut Map<String, Value>, keys: &[&str]) {
    for k in keys {
        if let Some(v) = obj.get_mut(*k) {
            *v = Value::Null;
        }
    }
}

/// The item's text as this reader may see it.
pub fn text(
    decision: &Decision,
    full: Option<&str>,
    redacted: Option<&RedactedCopy>,
) -> Option<String> {
    match decision {
        Decision::Open(g) if g.redact && redacted.is_some() => {
            redacted.and_then(|r| r.text.clone())
        }
        Decision::Open(_) => full.map(str::to_string),
        _ => None,
    }
}

/// Provenance records (JSON objects) for this reader: none unless the item
/// is open; origin fields only where the grant allows.
pub fn provenance(decision: &Decision, records: Vec<Value>) -> Vec<Value> {
    match decision {
        Decision::Open(g) => records
            .into_iter()
            .map(|mut r| {
                if let (false, Some(obj)) = (g.origin, r.as_object_mut()) {
                    null_keys(obj, ORIGIN_KEYS);
                }
                r
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Keys of an event that place it in the archive's whole history: its id
/// and the chain's hashes. Below custodian they are withheld, since gaps
/// between ids count the events a reader may not see (narrators created,
/// hidden testimonies changed) and the chain shows where they lie.
pub const EVENT_CHAIN_KEYS: &[&str] = &["id", "detail_hash", "prev_hash", "hash"];

/// Events (JSON objects) for this reader. Details (old and new values,
/// origins, reasons) are custodial; a tombstone keeps its history but no
/// details, since they may quote withdrawn content. Below custodian the
/// [`EVENT_CHAIN_KEYS`] are withheld too.
pub fn events(decision: &Decision, records: Vec<Value>) -> Vec<Value> {
    let with_detail = matches!(decision, Decision::Open(g) if g.custodial_detail);
    let with_chain = !matches!(decision, Decision::Open(g) if !g.custodial_detail);
    let any = matches!(decision, Decision::Open(_) | Decision::Tombstone { .. });
    if !any {
        return Vec::new();
    }
    records
        .into_iter()
        .map(|mut r| {
            if let Some(obj) = r.as_object_mut() {
                if !with_detail {
                    null_keys(obj, &["detail"]);
                }
                if !with_chain {
                    null_keys(obj, EVENT_CHAIN_KEYS);
                }
            }
            r
        })
        .collect()
}

/// Narrator fields that can identify a person who chose anonymity.
pub const QUASI_IDENTIFIERS: &[&str] = &[
    "birth_year",
    "place_of_origin",
    "place_of_residence",
    "notes",
    "interviewer",
    "interview_place",
];

/// A narrator or testimony record (JSON object) with quasi-identifiers
/// removed unless granted.
pub fn narrator(grant: &Grant, mut record: Value) -> Value {
    if !grant.quasi_identifiers {
        if let Some(obj) = record.as_object_mut() {
            null_keys(obj, QUASI_IDENTIFIERS);
        }
    }
    record
}

/// Narrator fields for the custodian alone: whether an identity is sealed,
/// and when the record was made.
pub const NARRATOR_CUSTODIAL: &[&str] = &["legal_identity_sealed", "created_at"];

/// A narrator record as [`narrator`] shapes it, with custodial fields also
/// removed unless granted.
pub fn narrator_record(grant: &Grant, record: Value) -> Value {
    let mut record = narrator(grant, record);
    if !grant.custodial_detail {
        if let Some(obj) = record.as_object_mut() {
            null_keys(obj, NARRATOR_CUSTODIAL);
        }
    }
    record
}

/// The current consent of an item, as `show` gives it: null unless the
/// item is open to this reader; `pending` for a testimony without consent;
/// the reason only with custodial detail.
pub fn consent(decision: &Decision, facts: &super::Facts) -> Value {
    match (decision, &facts.consent) {
        (Decision::Open(g), Some(c)) => serde_json::json!({
            "status": c.status,
            "scope": c.scope,
            "date": c.date,
            "embargo_until": c.embargo_until.map(|d| d.to_string()),
            "reason": if g.custodial_detail { c.reason.clone() } else { None },
        }),
        (Decision::Open(_), None) if facts.kind == crate::model::Kind::Testimony => {
            serde_json::json!({ "status": "pending" })
        }
        _ => Value::Null,
    }
}
