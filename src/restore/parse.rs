//! Reading a bag's custodian state before anything is written: each
//! record's `custodian` object ([`parse_item`]) and the narrators file
//! ([`parse_narrators`]), checked whole, and the policy facts an item must
//! end with ([`ItemState::expected_facts`]).
//!
//! It parses and compares; it writes nothing and never prints.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::NaiveDate;
use serde_json::Value;

use super::KEY;
use crate::catalogue::consent::{self, NewConsent};
use crate::catalogue::narrators::NewNarrator;
use crate::edtf::Edtf;
use crate::model::{Anonymity, ConsentStatus, Kind, Scope};
use crate::policy::present::RedactedCopy;
use crate::policy::{Consent, Facts};

/// One consent event to restore; `evidence` is the source archive's id.
#[derive(Debug, Clone)]
pub(super) struct ConsentIn {
    pub(super) new: NewConsent,
    pub(super) evidence: Option<i64>,
}

/// The custodian state of one bag item, parsed and checked.
#[derive(Debug, Clone)]
pub struct ItemState {
    pub source_id: i64,
    pub(super) is_evidence: bool,
    pub(super) testimony: Option<(Option<i64>, TestimonyFieldsIn)>,
    pub(super) consent: Vec<ConsentIn>,
    pub(super) redaction: Option<(RedactedCopy, Vec<Vec<u8>>)>,
    /// The item's own access history; None from a bag made before items
    /// had one (the import's intake then decides).
    pub(super) access: Option<Vec<crate::catalogue::access::NewAccess>>,
    /// The accessions it came in or is the agreement of (issue 18).
    pub(super) accessions: Value,
    /// A recording's restrictions, transcript and segments (issue 12).
    pub(super) recording: Option<super::recording::RecordingIn>,
}

#[derive(Debug, Clone)]
pub(super) struct TestimonyFieldsIn {
    pub(super) interview_date: Option<Edtf>,
    pub(super) interview_place: Option<String>,
    pub(super) interviewer: Option<String>,
}

pub(super) fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn parse_enum<T: std::str::FromStr<Err = String>>(
    v: &Value,
    key: &str,
) -> std::result::Result<Option<T>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => s.parse().map(Some).map_err(|e| format!("{key}: {e}")),
        Some(other) => Err(format!("{key}: {other} is not a string")),
    }
}

fn parse_day(v: &Value, key: &str) -> std::result::Result<Option<NaiveDate>, String> {
    match str_of(v, key) {
        None => Ok(None),
        Some(s) => consent::parse_day(key, &s)
            .map(Some)
            .map_err(|e| e.to_string()),
    }
}

fn sealed(v: &Value, what: &str) -> std::result::Result<Vec<u8>, String> {
    v.as_str()
        .and_then(|s| B64.decode(s).ok())
        .ok_or_else(|| format!("{what} is not base64 ciphertext"))
}

/// The custodian state of a record, if it has one. Err names the field.
pub fn parse_item(record: &Value) -> std::result::Result<Option<ItemState>, String> {
    let Some(state) = record.get(KEY).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let source_id = record
        .get("id")
        .and_then(Value::as_i64)
        .ok_or("the record has no id")?;
    let testimony = match state.get("testimony").filter(|t| !t.is_null()) {
        None => None,
        Some(t) => Some((
            t.get("narrator_id").and_then(Value::as_i64),
            TestimonyFieldsIn {
                interview_date: str_of(t, "interview_date")
                    .map(|d| {
                        d.parse::<Edtf>()
                            .map_err(|e| format!("interview_date: {e}"))
                    })
                    .transpose()?,
                interview_place: str_of(t, "interview_place"),
                interviewer: str_of(t, "interviewer"),
            },
        )),
    };
    let mut consent = Vec::new();
    for (i, c) in state
        .get("consent_history")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = |e: String| format!("consent_history[{i}]: {e}");
        consent.push(ConsentIn {
            new: NewConsent {
                status: parse_enum::<ConsentStatus>(c, "status")
                    .map_err(at)?
                    .ok_or_else(|| at("no status".into()))?,
                scope: parse_enum::<Scope>(c, "scope").map_err(at)?,
                date: parse_day(c, "date")
                    .map_err(at)?
                    .ok_or_else(|| at("no date".into()))?,
                evidence: None,
                embargo_until: parse_day(c, "embargo_until").map_err(at)?,
                reason: str_of(c, "reason"),
            },
            evidence: c.get("evidence").and_then(Value::as_i64),
        });
    }
    let redaction = match state.get("redaction").filter(|r| !r.is_null()) {
        None => None,
        Some(r) => {
            let terms = r
                .get("sealed_terms")
                .and_then(Value::as_array)
                .filter(|a| !a.is_empty())
                .ok_or("redaction: no sealed_terms")?
                .iter()
                .map(|t| sealed(t, "redaction.sealed_terms"))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let copy = RedactedCopy {
                title: str_of(r, "title").ok_or("redaction: no title")?,
                description: str_of(r, "description"),
                text: str_of(r, "text"),
            };
            Some((copy, terms))
        }
    };
    let access = crate::catalogue::access::parse_bag_history(state.get("access_history"))?;
    let recording = super::recording::parse(state.get("recording"))?;
    Ok(Some(ItemState {
        recording,
        access,
        accessions: state.get("accessions").cloned().unwrap_or(Value::Null),
        source_id,
        is_evidence: state
            .get("is_evidence")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        testimony,
        consent,
        redaction,
    }))
}

impl ItemState {
    /// The facts as the restore compares them: with the item's own access
    /// only where the bag carries it.
    pub(super) fn compared(&self, f: Facts) -> Facts {
        if self.access.is_some() {
            f
        } else {
            f.without_own_access()
        }
    }

    /// Whether the item must arrive as a testimony: consent governs an item
    /// with a consent history, whatever kind its record names.
    pub fn is_testimony(&self) -> bool {
        self.testimony.is_some() || !self.consent.is_empty()
    }

    /// The policy facts the item had in the source, which it must have here.
    pub fn expected_facts(&self, kind: Kind, narrators: &HashMap<i64, NewNarrator>) -> Facts {
        Facts {
            kind: if self.is_testimony() {
                Kind::Testimony
            } else {
                kind
            },
            consent: self.consent.last().map(|c| Consent {
                status: c.new.status,
                scope: c.new.scope,
                date: c.new.date.format("%Y-%m-%d").to_string(),
                embargo_until: c.new.embargo_until,
                reason: c.new.reason.clone(),
            }),
            anonymity: self
                .testimony
                .as_ref()
                .and_then(|(n, _)| n.and_then(|n| narrators.get(&n)))
                .map(|n| n.anonymity),
            is_evidence: self.is_evidence,
            redacted: self.redaction.is_some(),
            // As the bag carries it (open when its history is empty); a bag
            // without access history is compared without it (see
            // `compared`).
            item_access: self
                .access
                .as_ref()
                .and_then(|h| h.last())
                .map_or(crate::model::ItemAccess::Open, |a| a.level),
            item_access_until: self
                .access
                .as_ref()
                .and_then(|h| h.last())
                .and_then(|a| a.until),
            // A bag never carries a deaccessioned item: only open items
            // are exported.
            deaccessioned: None,
        }
    }
}

/// The narrators of a bag's `metadata/narrators.json`, by source id.
pub fn parse_narrators(v: &Value) -> std::result::Result<HashMap<i64, NewNarrator>, String> {
    let mut out = HashMap::new();
    for (i, n) in v
        .as_array()
        .ok_or("not a list of narrators")?
        .iter()
        .enumerate()
    {
        let at = |e: &str| format!("narrator [{i}]: {e}");
        let id = n
            .get("id")
            .and_then(Value::as_i64)
            .ok_or_else(|| at("no id"))?;
        let anonymity: Anonymity = parse_enum(n, "anonymity")
            .map_err(|e| at(&e))?
            .ok_or_else(|| at("no anonymity"))?;
        let sealed_identity = match n.get("sealed_identity").filter(|s| !s.is_null()) {
            None => None,
            Some(s) => Some(sealed(s, "sealed_identity").map_err(|e| at(&e))?),
        };
        out.insert(
            id,
            NewNarrator {
                display: str_of(n, "display"),
                anonymity,
                birth_year: n
                    .get("birth_year")
                    .and_then(Value::as_i64)
                    .and_then(|y| i32::try_from(y).ok()),
                place_of_origin: str_of(n, "place_of_origin"),
                place_of_residence: str_of(n, "place_of_residence"),
                notes: str_of(n, "notes"),
                sealed_identity,
            },
        );
    }
    Ok(out)
}
