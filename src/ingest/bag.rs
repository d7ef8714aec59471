//! Jobs for importing a validated BagIt bag: one per payload file, with the
//! bag's `bag-info.txt` kept as provenance and, when the bag is a custos
//! export, each item's metadata and consent restored from
//! `metadata/records.json` — at custodian level its whole custodian state
//! (see `restore`), applied once every item has its id.
//!
//! It never imports an unvalidated bag (the caller validates first), never
//! follows links out of the bag, and never lets an item arrive more open
//! than its record says: an item with a consent history arrives as a
//! testimony, whatever kind its record names.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::{Describer, Finish, Found, ItemMeta, Job};
use crate::bagit::unicode::nfc;
use crate::bagit::Report;
use crate::catalogue::consent::{self, NewConsent};
use crate::edtf::Edtf;
use crate::error::{Error, Result};
use crate::model::{ConsentStatus, Kind, Scope};
use crate::restore::{self, JobState, Restorer};

/// The jobs of a bag, and what restores its custodian state: run them with
/// [`super::import_atomic`], so a bag is imported whole or not at all.
pub struct BagImport {
    pub jobs: Vec<Job>,
    pub finish: Finish,
}

/// Builds the jobs for a bag that `report` found valid; a record that
/// cannot be restored refuses the bag here, before anything is written.
pub fn plan(dir: &Path, report: &Report, agent: &str) -> Result<BagImport> {
    let jobs = jobs(dir, report, agent)?;
    let records = custos_records(dir)?;
    let custodian_level = report
        .info_value("Custos-Access-Level")
        .and_then(|l| l.trim().parse::<crate::model::Access>().ok())
        .is_some_and(crate::policy::bag_carries_custodian_state);
    if custodian_level && !records.is_empty() && !dir.join(restore::NARRATORS_FILE).is_file() {
        return Err(Error::usage(format!(
            "{}: a custodian-level bag from an older custos, without the consent evidence, narrators and redactions of its items; importing it could open what its archive kept closed. Export it again with this version; nothing was imported",
            dir.display()
        )));
    }
    let narrators = match read_json(&dir.join(restore::NARRATORS_FILE))? {
        None => Default::default(),
        Some(v) => restore::parse_narrators(&v).map_err(|e| {
            Error::usage(format!(
                "{}: {e}",
                dir.join(restore::NARRATORS_FILE).display()
            ))
        })?,
    };
    let mut states = Vec::with_capacity(jobs.len());
    for job in &jobs {
        let rel = job
            .path
            .strip_prefix(dir)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let record = records.get(&nfc(&rel));
        let state = match record {
            None => None,
            Some(r) => restore::parse_item(r).map_err(|e| {
                Error::usage(format!(
                    "{}: the record of {rel}: {e}; nothing was imported",
                    dir.join("metadata/records.json").display()
                ))
            })?,
        };
        states.push(JobState {
            payload: rel,
            source_id: record.and_then(|r| r.get("id")).and_then(Value::as_i64),
            kind: job.meta.kind.unwrap_or(Kind::Other),
            state,
        });
    }
    // In the source's id order, so a bag imported into a fresh archive
    // keeps the ids it was cited by (where the source had no gaps).
    let mut paired: Vec<(Job, JobState)> = jobs.into_iter().zip(states).collect();
    paired.sort_by_key(|(_, s)| s.source_id.map_or((1, 0), |id| (0, id)));
    let (jobs, states): (Vec<Job>, Vec<JobState>) = paired.into_iter().unzip();
    // What each record says as a source (issue 13), restored after the items.
    let incoming = crate::claims::bag::Incoming {
        jobs: states
            .iter()
            .map(|s| {
                let claims = records
                    .get(&nfc(&s.payload))
                    .and_then(|r| r.get("claims"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                (s.source_id, claims)
            })
            .collect(),
        terms: states
            .iter()
            .map(|s| {
                records
                    .get(&nfc(&s.payload))
                    .and_then(|r| r.get("terms"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect(),
        agent: agent.to_string(),
    };
    let notes: Vec<Vec<Value>> = states
        .iter()
        .map(|s| {
            records
                .get(&nfc(&s.payload))
                .and_then(|r| r.get("notes"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let note_agent = agent.to_string();
    let restorer = Restorer {
        jobs: states,
        narrators,
        agent: agent.to_string(),
    };
    Ok(BagImport {
        jobs,
        finish: Box::new(move |tx, log, outs, now| {
            restorer.apply(tx, log, outs, now)?;
            incoming.apply(tx, log, outs, now)?;
            for (carried, out) in notes.iter().zip(outs) {
                if let Some(item) = out.id {
                    crate::ops::notes::restore(tx, log, item, carried, &note_agent, now)
                        .map_err(|e| Error::usage(format!("{}: its notes: {e}", out.path)))?;
                }
            }
            Ok(())
        }),
    })
}

/// Builds the jobs for a bag that `report` found valid.
pub fn jobs(dir: &Path, report: &Report, agent: &str) -> Result<Vec<Job>> {
    if !report.valid {
        return Err(Error::usage(format!("{}: not a valid bag", dir.display())));
    }
    let mut info = serde_json::Map::new();
    for (label, value) in &report.info {
        info.insert(label.clone(), value.clone().into());
    }
    info.insert("bag".into(), dir.display().to_string().into());
    let organization = report.info_value("Source-Organization").map(str::to_string);
    let records = custos_records(dir)?;
    let mut jobs = Vec::new();
    for entry in walkdir::WalkDir::new(dir.join("data"))
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| Error::Failed(format!("{}: {e}", dir.display())))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let rel = path
            .strip_prefix(dir)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let record = records.get(&nfc(&rel));
        let mut detail = info.clone();
        detail.insert("payload".into(), rel.clone().into());
        let origin = record
            .and_then(|r| r.get("origin"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| organization.as_ref().map(|o| format!("BagIt bag from {o}")));
        let custodian = record.is_some_and(|r| r.get(restore::KEY).is_some_and(|s| !s.is_null()));
        jobs.push(Job {
            found: Found::File {
                size: entry.metadata().map(|m| m.len()).unwrap_or(0),
            },
            meta: record.map(meta_of).unwrap_or_default(),
            origin,
            provenance_detail: Some(Value::Object(detail)),
            // A custodian record's consent history is restored by `plan`'s
            // finish, once the evidence it names has an id here.
            describer: record
                .filter(|_| !custodian)
                .and_then(|r| consent_describer(r, agent)),
            path,
        });
    }
    Ok(jobs)
}

/// payload path (in NFC: a copy of the bag may store names in another
/// normalisation form, see `bagit::unicode`) → record, for bags written by
/// `custos export`.
fn custos_records(dir: &Path) -> Result<HashMap<String, Value>> {
    let path = dir.join("metadata/records.json");
    let Some(value) = read_json(&path)? else {
        return Ok(HashMap::new());
    };
    let records: Vec<Value> = serde_json::from_value(value).map_err(|e| {
        Error::usage(format!(
            "{}: not custos export metadata: {e}",
            path.display()
        ))
    })?;
    Ok(records
        .into_iter()
        .filter_map(|r| {
            r.get("payload")
                .and_then(Value::as_str)
                .map(|p| (nfc(p), r.clone()))
        })
        .collect())
}

/// A JSON tag file of the bag, if present.
fn read_json(path: &Path) -> Result<Option<Value>> {
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::usage(format!(
            "{}: not custos export metadata: {e}",
            path.display()
        ))
    })
}

fn text(r: &Value, key: &str) -> Option<String> {
    r.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

pub(crate) fn meta_of(r: &Value) -> ItemMeta {
    // Consent governs an item with a consent history, whatever kind its
    // record names: it arrives as a testimony, so the consent applies.
    let governed = r.get("consent").is_some_and(|c| !c.is_null())
        || restore::parse_item(r)
            .ok()
            .flatten()
            .is_some_and(|s| s.is_testimony());
    ItemMeta {
        title: text(r, "title"),
        kind: if governed {
            Some(Kind::Testimony)
        } else {
            text(r, "kind").and_then(|k| k.parse::<Kind>().ok())
        },
        date: text(r, "date").and_then(|d| d.parse::<Edtf>().ok()),
        language: text(r, "language"),
        creator: text(r, "creator"),
        description: text(r, "description"),
        collection: text(r, "collection"),
        coverage: text(r, "coverage").and_then(|d| d.parse::<Edtf>().ok()),
        // A bag from elsewhere may carry any text here: only a statement
        // custos would accept is kept as the item's rights.
        rights: text(r, "rights").and_then(|v| crate::rights::check(&v).ok()),
        location: text(r, "location"),
        accession: None,
        // A bag's notes are restored after its items (`ops::notes::restore`).
        notes: Vec::new(),
        terms: r
            .get("terms")
            .and_then(Value::as_array)
            .map(|ts| {
                ts.iter()
                    .filter_map(|t| {
                        let vocab = t.get("vocab")?.as_str()?.parse().ok()?;
                        Some((vocab, t.get("label")?.as_str()?.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Restores the exported consent state of a testimony, as one event, on
/// the item the bag's file becomes. A duplicate keeps its own consent: the
/// bag's record never overrides what this archive already decided.
struct RestoreConsent {
    new: NewConsent,
    agent: String,
}

impl Describer for RestoreConsent {
    fn new_item(
        &self,
        conn: &rusqlite::Connection,
        id: crate::model::ItemId,
        log: &mut crate::catalogue::events::EventLog<'_>,
        now: &str,
    ) -> Result<()> {
        consent::record(conn, log, id, &self.new, &self.agent, now).map(|_| ())
    }
}

pub(crate) fn consent_describer(r: &Value, agent: &str) -> Option<Arc<dyn Describer>> {
    let c = r.get("consent")?;
    let status: ConsentStatus = text(c, "status")?.parse().ok()?;
    if status == ConsentStatus::Pending {
        return None;
    }
    let new = NewConsent {
        status,
        scope: text(c, "scope").and_then(|s| s.parse::<Scope>().ok()),
        date: consent::parse_day("consent date", &text(c, "date")?).ok()?,
        evidence: None,
        embargo_until: text(c, "embargo_until")
            .and_then(|d| consent::parse_day("embargo", &d).ok()),
        reason: Some("restored from a custos BagIt export".into()),
    };
    Some(Arc::new(RestoreConsent {
        new,
        agent: agent.to_string(),
    }))
}
