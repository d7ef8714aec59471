//! Typed views of what belongs to an item or stands beside it: its
//! provenance, its events, its testimony, and narrators. Each is built by
//! destructuring the catalogue's record, so a new field does not compile
//! until someone decides who may see it.
//!
//! Only the decision (or the narrator's grant) says what is granted; this
//! module must not consult consent or identity itself.

use serde::Serialize;
use serde_json::Value;

use super::super::{Decision, Grant};
use crate::catalogue::consent::ConsentRecord;
use crate::catalogue::events::Event;
use crate::catalogue::narrators::NarratorRecord;
use crate::catalogue::provenance::ProvenanceRecord;
use crate::catalogue::testimonies::TestimonyView;
use crate::model::{Anonymity, ConsentStatus, ItemId, Method, NarratorId, Scope, Vocab};

/// One vocabulary term an item is tagged with.
#[derive(Debug, Clone, Serialize)]
pub struct TermEntry {
    pub vocab: Vocab,
    pub label: String,
}

/// The item's places, events, subjects and agents: only where the item is
/// open (a closed testimony's place can say who spoke).
pub fn item_terms(decision: &Decision, terms: Vec<(Vocab, String)>) -> Vec<TermEntry> {
    if !matches!(decision, Decision::Open(_)) {
        return Vec::new();
    }
    terms
        .into_iter()
        .map(|(vocab, label)| TermEntry { vocab, label })
        .collect()
}

/// One provenance record as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ProvenanceEntry {
    pub id: i64,
    pub origin: Option<String>,
    pub original_name: Option<String>,
    pub original_path: Option<String>,
    pub method: Method,
    pub ingested_at: String,
    pub ingested_by: String,
    pub detail: Option<Value>,
}

/// Provenance for this reader: none unless the item is open; where the
/// file came from only with the origin grant (a path can name people).
pub fn provenance(decision: &Decision, records: Vec<ProvenanceRecord>) -> Vec<ProvenanceEntry> {
    let Decision::Open(g) = decision else {
        return Vec::new();
    };
    records
        .into_iter()
        .map(|r| {
            let ProvenanceRecord {
                id,
                origin,
                original_name,
                original_path,
                method,
                ingested_at,
                ingested_by,
                detail,
            } = r;
            let o = |v: String| Some(v).filter(|_| g.origin);
            ProvenanceEntry {
                id,
                origin: o(origin),
                original_name: o(original_name),
                original_path: o(original_path),
                method,
                ingested_at,
                ingested_by,
                detail,
            }
        })
        .collect()
}

/// One event as the reader may see it. Below custodian `id` is the row's
/// position in the listing (`history::number`), and the chain keys are
/// withheld: ids and hashes would count and place what is hidden.
#[derive(Debug, Clone, Serialize)]
pub struct EventEntry {
    pub id: Option<i64>,
    pub at: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub item_id: Option<ItemId>,
    pub agent: String,
    pub outcome: String,
    pub detail: Option<Value>,
    pub detail_hash: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// Events of an item for this reader. Details (old and new values,
/// origins, reasons) are custodial; a tombstone keeps its history but no
/// details, since they may quote withdrawn content; an open item's events
/// below custodian lose their chain keys.
pub fn events(decision: &Decision, records: Vec<Event>) -> Vec<EventEntry> {
    let with_detail = matches!(decision, Decision::Open(g) if g.custodial_detail);
    let with_chain = !matches!(decision, Decision::Open(g) if !g.custodial_detail);
    if !matches!(decision, Decision::Open(_) | Decision::Tombstone { .. }) {
        return Vec::new();
    }
    records
        .into_iter()
        .map(|e| event(e, with_detail, with_chain))
        .collect()
}

/// One event, with its detail and chain keys only where granted.
pub(in crate::policy) fn event(e: Event, with_detail: bool, with_chain: bool) -> EventEntry {
    let Event {
        id,
        at,
        kind,
        item_id,
        agent,
        outcome,
        detail,
        detail_salt: _,
        detail_hash,
        prev_hash,
        hash,
    } = e;
    let chain = |v: String| Some(v).filter(|_| with_chain);
    EventEntry {
        id: Some(id).filter(|_| with_chain),
        at,
        kind,
        item_id,
        agent,
        outcome,
        detail: detail.filter(|_| with_detail),
        detail_hash: chain(detail_hash),
        prev_hash: chain(prev_hash),
        hash: chain(hash),
    }
}

/// An item's testimony as the reader may see it: the narrator's display
/// form and anonymity; where and by whom it was recorded only with the
/// quasi-identifier grant (they can identify a narrator who chose
/// anonymity).
#[derive(Debug, Clone, Serialize)]
pub struct TestimonyEntry {
    pub narrator_id: Option<NarratorId>,
    pub narrator: Option<String>,
    pub anonymity: Option<Anonymity>,
    pub interview_date: Option<String>,
    pub interview_place: Option<String>,
    pub interviewer: Option<String>,
}

pub fn testimony(grant: &Grant, t: TestimonyView) -> TestimonyEntry {
    let TestimonyView {
        narrator_id,
        narrator,
        anonymity,
        interview_date,
        interview_place,
        interviewer,
    } = t;
    let q = |v: Option<String>| v.filter(|_| grant.quasi_identifiers);
    TestimonyEntry {
        narrator_id,
        narrator,
        anonymity,
        interview_date,
        interview_place: q(interview_place),
        interviewer: q(interviewer),
    }
}

/// A narrator as the reader may see them: quasi-identifiers only with
/// that grant; whether an identity is sealed and when the record was made
/// only with custodial detail. The documented shape of `narrator list`.
#[derive(Debug, Clone, Serialize)]
pub struct NarratorEntry {
    pub id: NarratorId,
    pub display: Option<String>,
    pub anonymity: Anonymity,
    pub birth_year: Option<i32>,
    pub place_of_origin: Option<String>,
    pub place_of_residence: Option<String>,
    pub notes: Option<String>,
    pub testimonies: Vec<ItemId>,
    pub legal_identity_sealed: Option<bool>,
    pub created_at: Option<String>,
}

pub fn narrator(grant: &Grant, r: NarratorRecord) -> NarratorEntry {
    let NarratorRecord {
        id,
        display,
        anonymity,
        birth_year,
        place_of_origin,
        place_of_residence,
        notes,
        testimonies,
        legal_identity_sealed,
        created_at,
    } = r;
    let q = grant.quasi_identifiers;
    let c = grant.custodial_detail;
    NarratorEntry {
        id,
        display,
        anonymity,
        birth_year: birth_year.filter(|_| q),
        place_of_origin: place_of_origin.filter(|_| q),
        place_of_residence: place_of_residence.filter(|_| q),
        notes: notes.filter(|_| q),
        testimonies,
        legal_identity_sealed: Some(legal_identity_sealed).filter(|_| c),
        created_at: Some(created_at).filter(|_| c),
    }
}

/// One row of an item's consent history as the reader may see it: the
/// reason and the evidence link only with custodial detail.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentEntry {
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

pub fn consent(grant: &Grant, r: ConsentRecord) -> ConsentEntry {
    let ConsentRecord {
        id,
        status,
        scope,
        date,
        embargo_until,
        evidence,
        reason,
        recorded_at,
        recorded_by,
    } = r;
    let c = grant.custodial_detail;
    ConsentEntry {
        id,
        status,
        scope,
        date,
        embargo_until,
        evidence: evidence.filter(|_| c),
        reason: reason.filter(|_| c),
        recorded_at,
        recorded_by,
    }
}

/// One row of an item's own access history as a reader may see it: the
/// reason is custodial detail.
#[derive(Debug, Clone, Serialize)]
pub struct AccessEntry {
    pub id: i64,
    pub access: crate::model::ItemAccess,
    pub until: Option<String>,
    pub reason: Option<String>,
    pub recorded_at: String,
    pub recorded_by: String,
}

pub fn access(grant: &Grant, r: crate::catalogue::access::AccessRecord) -> AccessEntry {
    let crate::catalogue::access::AccessRecord {
        id,
        level,
        until,
        reason,
        recorded_at,
        recorded_by,
    } = r;
    AccessEntry {
        id,
        access: level,
        until,
        reason: reason.filter(|_| grant.custodial_detail),
        recorded_at,
        recorded_by,
    }
}
