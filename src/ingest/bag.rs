//! Jobs for importing a validated BagIt bag: one per payload file, with the
//! bag's `bag-info.txt` kept as provenance and, when the bag is a custos
//! export, each item's metadata and consent restored from
//! `metadata/records.json`.
//!
//! It never imports an unvalidated bag (the caller validates first) and
//! never follows links out of the bag.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::{AfterInsert, Found, ItemMeta, Job};
use crate::bagit::unicode::nfc;
use crate::bagit::Report;
use crate::catalogue::consent::{self, NewConsent};
use crate::edtf::Edtf;
use crate::error::{Error, Result};
use crate::model::{ConsentStatus, Kind, Scope};

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
        jobs.push(Job {
            found: Found::File {
                size: entry.metadata().map(|m| m.len()).unwrap_or(0),
            },
            meta: record.map(meta_of).unwrap_or_default(),
            origin,
            provenance_detail: Some(Value::Object(detail)),
            after_insert: record.and_then(|r| consent_hook(r, agent)),
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
    if !path.is_file() {
        return Ok(HashMap::new());
    }
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let records: Vec<Value> = serde_json::from_slice(&bytes).map_err(|e| {
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

fn text(r: &Value, key: &str) -> Option<String> {
    r.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

fn meta_of(r: &Value) -> ItemMeta {
    ItemMeta {
        title: text(r, "title"),
        kind: text(r, "kind").and_then(|k| k.parse::<Kind>().ok()),
        date: text(r, "date").and_then(|d| d.parse::<Edtf>().ok()),
        language: text(r, "language"),
        creator: text(r, "creator"),
        description: text(r, "description"),
        collection: text(r, "collection"),
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

/// Restores the exported consent state of a testimony, as one event.
fn consent_hook(r: &Value, agent: &str) -> Option<Arc<AfterInsert>> {
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
    let agent = agent.to_string();
    let hook: AfterInsert = Box::new(move |conn, id, log, now| {
        consent::record(conn, log, id, &new, &agent, now).map(|_| ())
    });
    Some(Arc::new(hook))
}
