//! The custodian's part of a custos bag: what an export at custodian level
//! carries beyond the item records so that importing it into another archive
//! restores what the custodian saw — narrators, testimonies, every consent
//! event with its evidence link, the redacted copies — and opens nothing.
//!
//! The export side ([`item_state`], [`narrators`]) reads catalogue rows of
//! items the policy already opened to the custodian. The import side
//! ([`parse_item`], [`Restorer`]) checks a bag's records before anything is
//! written, then applies them inside the import's one transaction and checks
//! that every restored item ends with the policy facts it had in the source;
//! anything else rolls the whole import back. Sealed values (legal
//! identities, redaction terms) travel as the ciphertext they are: this
//! module never opens them, and an archive with another key cannot either.
//! It never prints and never decides visibility (it compares policy facts).

use std::collections::{BTreeSet, HashMap};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::catalogue::consent::{self, NewConsent};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::narrators::{self, NarratorId, NewNarrator};
use crate::catalogue::testimonies::{self, TestimonyFields};
use crate::catalogue::{accessions, items, redactions};
use crate::error::{Error, Result};
use crate::ingest::{FileOutcome, Status};
use crate::model::{ItemId, Kind};
use crate::policy::{self, Facts};

mod parse;
mod recording;

pub use parse::{parse_item, parse_narrators, ItemState};

/// The tag file holding the narrators of a custodian-level bag.
pub const NARRATORS_FILE: &str = "metadata/narrators.json";
/// The key of an item record that holds its custodian state.
pub const KEY: &str = "custodian";

/// The custodian state of one exported item (the `custodian` object of its
/// record), and the narrator it names, if any.
pub fn item_state(
    conn: &Connection,
    id: ItemId,
    facts: &Facts,
) -> Result<(Value, Option<NarratorId>)> {
    let testimony = testimonies::get(conn, id)?;
    let narrator = testimony.as_ref().and_then(|t| t.narrator_id);
    let history: Vec<Value> = consent::history(conn, id)?
        .into_iter()
        .map(|c| {
            json!({"status": c.status, "scope": c.scope, "date": c.date,
                   "embargo_until": c.embargo_until, "evidence": c.evidence,
                   "reason": c.reason})
        })
        .collect();
    let redaction = if facts.redacted {
        let copy = items::redacted_copy(conn, id)?
            .ok_or_else(|| Error::Failed(format!("item {id}: redacted, but no redacted copy")))?;
        let sealed: Vec<String> = redactions::sealed_terms(conn, id)?
            .iter()
            .map(|s| B64.encode(s))
            .collect();
        json!({"title": copy.title, "description": copy.description, "text": copy.text,
               "sealed_terms": sealed})
    } else {
        Value::Null
    };
    let state = json!({
        "is_evidence": facts.is_evidence,
        "testimony": testimony.map(|t| json!({
            "narrator_id": t.narrator_id, "interview_date": t.interview_date,
            "interview_place": t.interview_place, "interviewer": t.interviewer})),
        "consent_history": history,
        "redaction": redaction,
        // The item's own access (issue 18), so a round trip keeps closures.
        "access_history": crate::catalogue::access::bag_history(conn, id)?,
        // Its accession, or the accessions it is the agreement of.
        "accessions": crate::catalogue::accessions::bag_state(conn, id)?,
        // A recording's closed passages, transcript and segments.
        "recording": recording::state(conn, id)?,
    });
    Ok((state, narrator))
}

/// The narrators named by exported testimonies, as the custodian sees them,
/// with each sealed identity as its ciphertext (base64).
pub fn narrators(conn: &Connection, ids: &BTreeSet<NarratorId>) -> Result<Value> {
    let all = policy::sql::all_items();
    let mut out = Vec::new();
    for id in ids {
        for n in narrators::list(conn, &all, Some(*id))? {
            let sealed = narrators::sealed_identity(conn, *id)?.flatten();
            out.push(json!({
                "id": n.id, "display": n.display, "anonymity": n.anonymity,
                "birth_year": n.birth_year, "place_of_origin": n.place_of_origin,
                "place_of_residence": n.place_of_residence, "notes": n.notes,
                "sealed_identity": sealed.map(|s| B64.encode(s)),
            }));
        }
    }
    Ok(Value::Array(out))
}

/// The items cited as consent evidence by the testimonies among `ids`,
/// and the donor agreements of the accessions they came in.
pub fn cited_evidence(
    conn: &Connection,
    ids: &[ItemId],
) -> Result<std::collections::HashSet<ItemId>> {
    let mut cited = std::collections::HashSet::new();
    for id in ids {
        cited.extend(
            consent::history(conn, *id)?
                .into_iter()
                .filter_map(|c| c.evidence),
        );
        // The donor agreement of the accession an exported item came in.
        cited.extend(accessions::agreement_of_member(conn, *id)?);
    }
    Ok(cited)
}

/// One bag job as the restorer knows it: its payload path, the source id
/// and kind of its record, and its custodian state.
#[derive(Debug, Clone)]
pub struct JobState {
    pub payload: String,
    pub source_id: Option<i64>,
    pub kind: Kind,
    pub state: Option<ItemState>,
}

/// Applies the custodian state of a bag once every item has its id.
pub struct Restorer {
    pub jobs: Vec<JobState>,
    pub narrators: HashMap<i64, NewNarrator>,
    pub agent: String,
}

impl Restorer {
    /// Runs in the import's transaction, after every item is inserted; any
    /// error rolls the whole bag back.
    pub fn apply(
        self,
        tx: &Connection,
        log: &mut EventLog<'_>,
        outs: &[FileOutcome],
        now: &str,
    ) -> Result<()> {
        for o in outs {
            if matches!(o.status, Status::Failed | Status::Skipped) {
                return Err(Error::usage(format!(
                    "{}: {}; nothing of the bag was imported",
                    o.path,
                    o.reason.as_deref().unwrap_or("not imported")
                )));
            }
        }
        let ids: HashMap<i64, ItemId> = self
            .jobs
            .iter()
            .zip(outs)
            .filter_map(|(j, o)| Some((j.source_id?, o.id?)))
            .collect();
        let mut made: HashMap<i64, NarratorId> = HashMap::new();
        let mut restored = Vec::new();
        for (job, out) in self.jobs.iter().zip(outs) {
            let (Some(state), Some(id)) = (&job.state, out.id) else {
                continue;
            };
            if out.status == Status::Duplicate {
                self.check_duplicate(tx, job, state, id)?;
                continue;
            }
            self.apply_one(tx, log, state, id, &ids, &mut made, now)
                .map_err(|e| refused(job, e))?;
            restored.push((job, state, id));
        }
        // Last, when every consent event is in: an item arrives exactly as
        // closed as it was, or not at all.
        for (job, state, id) in restored {
            let want = state.expected_facts(job.kind, &self.narrators);
            let got = policy::sql::load_facts(tx, id)?.map(|f| state.compared(f));
            if got.as_ref() != Some(&want) {
                let why = if want.is_evidence && !got.is_some_and(|g| g.is_evidence) {
                    "it is consent evidence in the source, but no testimony in this bag names it, so it would arrive open; export it together with the testimony it is evidence for"
                } else {
                    "its consent, evidence or redaction state could not be restored as it was"
                };
                return Err(refused(job, Error::usage(why)));
            }
        }
        Ok(())
    }

    /// The same bytes are already an item here: it keeps its own state,
    /// which must be the source's unless the source item was a plain open
    /// document (a duplicate never opens anything; merging two consent
    /// histories is not something to guess at).
    fn check_duplicate(
        &self,
        tx: &Connection,
        job: &JobState,
        state: &ItemState,
        id: ItemId,
    ) -> Result<()> {
        // A duplicate keeps the access of the item it joins.
        let want = state
            .expected_facts(job.kind, &self.narrators)
            .without_own_access();
        let plain = want.kind != Kind::Testimony && !want.is_evidence && !want.redacted;
        let got = policy::sql::load_facts(tx, id)?.map(Facts::without_own_access);
        if plain || got.as_ref() == Some(&want) {
            return Ok(());
        }
        Err(refused(
            job,
            Error::usage(format!(
                "the same bytes are already item {id} in this archive, with another consent, evidence or redaction state; custos does not merge them: import into a fresh archive, or give item {id} the same state first"
            )),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_one(
        &self,
        tx: &Connection,
        log: &mut EventLog<'_>,
        state: &ItemState,
        id: ItemId,
        ids: &HashMap<i64, ItemId>,
        made: &mut HashMap<i64, NarratorId>,
        now: &str,
    ) -> Result<()> {
        // A testimony row needs a narrator; one without keeps the kind only.
        if let Some((Some(n), f)) = &state.testimony {
            let target = match made.get(n) {
                Some(t) => *t,
                None => {
                    let new = self.narrators.get(n).ok_or_else(|| {
                        Error::usage(format!("its narrator {n} is not in {NARRATORS_FILE}"))
                    })?;
                    let t = narrators::insert(tx, new, now)?;
                    let detail = json!({"narrator": t, "legal_identity_sealed": new.sealed_identity.is_some(), "restored_from_bag": true});
                    log.append(
                        EventType::Creation,
                        None,
                        &self.agent,
                        "success",
                        Some(&detail),
                        now,
                    )?;
                    made.insert(*n, t);
                    t
                }
            };
            let fields = TestimonyFields {
                narrator: target,
                interview_date: f.interview_date.clone(),
                interview_place: f.interview_place.clone(),
                interviewer: f.interviewer.clone(),
            };
            let detail = testimonies::set(tx, id, &fields, now)?;
            log.append(
                EventType::MetadataModification,
                Some(id),
                &self.agent,
                "success",
                Some(&detail),
                now,
            )?;
        }
        for c in &state.consent {
            // An evidence item left out of the bag stays home, closed; the
            // link to it cannot come along.
            let new = NewConsent {
                evidence: c.evidence.and_then(|e| ids.get(&e).copied()),
                ..c.new.clone()
            };
            consent::record(tx, log, id, &new, &self.agent, now)?;
        }
        if let Some(history) = &state.access {
            crate::catalogue::access::replay(tx, log, id, history, &self.agent, now)?;
        }
        let map = |source: i64| ids.get(&source).copied();
        for number in accessions::restore(tx, id, &state.accessions, map, &self.agent, now)? {
            let detail = json!({"number": number, "restored_from_bag": true});
            log.append(
                EventType::Accession,
                None,
                &self.agent,
                "success",
                Some(&detail),
                now,
            )?;
        }
        if let Some(r) = &state.recording {
            recording::restore(tx, log, id, r, &self.agent, now)?;
        }
        if let Some((copy, sealed)) = &state.redaction {
            for s in sealed {
                redactions::insert(tx, id, s, now)?;
            }
            let orig = redactions::original(tx, id)?
                .ok_or_else(|| Error::Failed(format!("item {id} vanished during import")))?;
            redactions::store(tx, id, &orig, copy)?;
            let detail = json!({"term_lists": sealed.len(), "restored_from_bag": true});
            log.append(
                EventType::Redaction,
                Some(id),
                &self.agent,
                "success",
                Some(&detail),
                now,
            )?;
        }
        Ok(())
    }
}

fn refused(job: &JobState, e: Error) -> Error {
    let source = job
        .source_id
        .map(|s| format!(" (item {s} of the exporting archive)"))
        .unwrap_or_default();
    Error::usage(format!(
        "{}{source}: cannot be restored: {e}; nothing of the bag was imported",
        job.payload
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anonymity, ConsentStatus, Scope};
    use chrono::NaiveDate;

    fn record(state: Value) -> Value {
        json!({"id": 7, "kind": "article", KEY: state})
    }

    #[test]
    fn a_consent_history_makes_a_testimony_and_sets_the_expected_facts() {
        let r = record(json!({
            "is_evidence": false, "testimony": null, "redaction": null,
            "consent_history": [
                {"status": "granted", "scope": "public", "date": "2018-01-01"},
                {"status": "restricted", "scope": "research", "date": "2019-01-01",
                 "embargo_until": "2030-01-01", "reason": "asked", "evidence": 3}
            ]
        }));
        let s = parse_item(&r).unwrap().unwrap();
        assert!(s.is_testimony());
        let f = s.expected_facts(Kind::Article, &HashMap::new());
        assert_eq!(f.kind, Kind::Testimony);
        let c = f.consent.unwrap();
        assert_eq!(
            (c.status, c.scope),
            (ConsentStatus::Restricted, Some(Scope::Research))
        );
        assert_eq!(c.embargo_until, NaiveDate::from_ymd_opt(2030, 1, 1));
        assert_eq!(s.consent[1].evidence, Some(3));
    }

    #[test]
    fn bad_state_is_refused_naming_the_field() {
        let bad = |state: Value, what: &str| {
            let e = parse_item(&record(state)).unwrap_err();
            assert!(e.contains(what), "{e}");
        };
        bad(
            json!({"consent_history": [{"status": "maybe", "date": "2018-01-01"}]}),
            "consent_history[0]: status",
        );
        bad(
            json!({"consent_history": [{"status": "granted", "date": "01/02/2018"}]}),
            "consent_history[0]: date",
        );
        bad(
            json!({"redaction": {"title": "[redacted]", "sealed_terms": ["%%%"]}}),
            "sealed_terms",
        );
        bad(
            json!({"redaction": {"title": "x", "sealed_terms": []}}),
            "sealed_terms",
        );
        assert!(parse_item(&json!({"id": 1, "kind": "article"}))
            .unwrap()
            .is_none());
    }

    #[test]
    fn narrators_keep_their_sealed_identity_as_ciphertext() {
        let n = parse_narrators(&json!([
            {"id": 4, "display": "D.", "anonymity": "anonymous", "birth_year": 1951,
             "sealed_identity": B64.encode(b"age-ciphertext")}
        ]))
        .unwrap();
        assert_eq!(
            n[&4].sealed_identity.as_deref(),
            Some(&b"age-ciphertext"[..])
        );
        assert_eq!(n[&4].anonymity, Anonymity::Anonymous);
        assert!(parse_narrators(&json!([{"id": 1, "anonymity": "famous"}])).is_err());
    }
}
