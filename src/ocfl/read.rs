//! Reading an OCFL storage root written by `custos export --ocfl` back into
//! an archive: the latest version of each object, as import jobs with the
//! same restore as a bag (`ingest::bag`'s metadata and consent, and at
//! custodian level `restore`'s custodian state).
//!
//! Everything is checked before anything is written: the root's
//! declaration, each object's inventory and sidecars, every content file's
//! sha512 and the sha256 of the fixity block, and that each record's
//! payload is the file its digest names. One problem refuses the whole
//! root. An object custos did not write (no `metadata/records.json`) is
//! refused rather than guessed at: its consent state is unknown.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::*;
use crate::ingest::{Finish, Found, Job};
use crate::model::Kind;
use crate::restore::{self, JobState, Restorer};

/// The jobs of a root, and what restores custodian state; run them with
/// `ingest::import_atomic`, so a root is imported whole or not at all.
pub struct OcflImport {
    pub jobs: Vec<Job>,
    pub finish: Finish,
    pub objects: usize,
    /// Objects with metadata but no payload (a redacted item without text):
    /// nothing to import for them, as with bags.
    pub metadata_only: usize,
}

/// One object's head version, checked.
struct Object {
    id: String,
    version: String,
    /// logical path → content file
    files: BTreeMap<String, PathBuf>,
    /// content file → sha256
    sha256: BTreeMap<PathBuf, String>,
}

/// Checks the whole root and plans its import. Err (exit 2) lists every
/// problem, each naming the object and file at fault.
pub fn plan(root: &Path, agent: &str) -> Result<OcflImport> {
    let declared = std::fs::read(root.join(ROOT_NAMASTE)).ok();
    if declared.as_deref() != Some(ROOT_NAMASTE_BODY.as_bytes()) {
        return Err(Error::usage(format!(
            "{}: not an OCFL 1.1 storage root ({ROOT_NAMASTE} missing or wrong); nothing was imported",
            root.display()
        )));
    }
    let mut problems = Vec::new();
    let mut objects = Vec::new();
    for (oid, dir) in root::objects_in(root)? {
        match inventory::check(&dir, true) {
            Err(p) => problems.extend(p.into_iter().map(|p| format!("object {oid}: {p}"))),
            Ok(c) => {
                let inv = c.inventory;
                let mut files = BTreeMap::new();
                for (logical, digest) in inv.head_state() {
                    if let Some(content) = inv.manifest.get(&digest).and_then(|p| p.first()) {
                        files.insert(logical, dir.join(content));
                    }
                }
                let sha256 = c
                    .hashes
                    .into_iter()
                    .map(|(p, (_, s256))| (dir.join(p), s256))
                    .collect();
                objects.push(Object {
                    id: oid,
                    version: inv.head,
                    files,
                    sha256,
                });
            }
        }
    }
    let mut jobs = Vec::new();
    let mut states = Vec::new();
    let mut narrators = HashMap::new();
    let mut metadata_only = 0;
    for o in &objects {
        match plan_object(root, o, agent, &mut narrators) {
            Err(p) => problems.push(format!("object {}: {p}", o.id)),
            Ok(None) => metadata_only += 1,
            Ok(Some((job, state))) => {
                jobs.push(job);
                states.push(state);
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::usage(format!(
            "{}: {} problem(s), nothing was imported:\n  {}",
            root.display(),
            problems.len(),
            problems.join("\n  ")
        )));
    }
    // In the source's id order, so an import into a fresh archive keeps
    // the ids it was cited by (where the source had no gaps).
    let mut paired: Vec<(Job, JobState)> = jobs.into_iter().zip(states).collect();
    paired.sort_by_key(|(_, s)| s.source_id.map_or((1, 0), |id| (0, id)));
    let (jobs, states): (Vec<Job>, Vec<JobState>) = paired.into_iter().unzip();
    let restorer = Restorer {
        jobs: states,
        narrators,
        agent: agent.to_string(),
    };
    Ok(OcflImport {
        jobs,
        finish: Box::new(move |tx, log, outs, now| restorer.apply(tx, log, outs, now)),
        objects: objects.len(),
        metadata_only,
    })
}

/// The job of one object, or None when it has no payload. Err names the
/// file at fault.
fn plan_object(
    root: &Path,
    o: &Object,
    agent: &str,
    narrators: &mut HashMap<i64, crate::catalogue::narrators::NewNarrator>,
) -> std::result::Result<Option<(Job, JobState)>, String> {
    // The file on disk where there is one (`vN/content/...`), else the
    // logical path in the head version.
    let at = |logical: &str| match o.files.get(logical) {
        Some(p) => p.display().to_string(),
        None => format!("{logical} (in {})", o.version),
    };
    let records_file = o
        .files
        .get("metadata/records.json")
        .ok_or("no metadata/records.json in its head version: not a custos export, and custos imports nothing whose consent state it cannot know")?;
    let json = |p: &Path, logical: &str| -> std::result::Result<Value, String> {
        let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", at(logical)))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: not JSON: {e}", at(logical)))
    };
    let records = json(records_file, "metadata/records.json")?;
    let [record] = records.as_array().map(Vec::as_slice).unwrap_or_default() else {
        return Err(format!(
            "{}: not a list of exactly one record",
            at("metadata/records.json")
        ));
    };
    if let Some(n) = o.files.get(restore::NARRATORS_FILE) {
        let list = json(n, restore::NARRATORS_FILE)?;
        let parsed = restore::parse_narrators(&list)
            .map_err(|e| format!("{}: {e}", at(restore::NARRATORS_FILE)))?;
        for (id, n) in parsed {
            narrators.entry(id).or_insert(n);
        }
    }
    let Some(payload) = record.get("payload").and_then(Value::as_str) else {
        return Ok(None);
    };
    let file = o.files.get(payload).ok_or_else(|| {
        format!(
            "{}: names payload {payload:?}, which its head version does not hold",
            at("metadata/records.json")
        )
    })?;
    let want = record.get("payload_sha256").and_then(Value::as_str);
    let got = o.sha256.get(file).map(String::as_str);
    if want.is_none() || want != got {
        return Err(format!(
            "{}: its sha256 is {}, but its record says {}",
            at(payload),
            got.unwrap_or("?"),
            want.unwrap_or("nothing")
        ));
    }
    let state =
        restore::parse_item(record).map_err(|e| format!("{}: {e}", at("metadata/records.json")))?;
    let meta = crate::ingest::bag::meta_of(record);
    let kind = meta.kind.unwrap_or(Kind::Other);
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let origin = record
        .get("origin")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| Some(format!("OCFL object {}", o.id)));
    let detail = serde_json::json!({
        "ocfl_root": root.display().to_string(),
        "object": o.id,
        "version": o.version,
        "payload": payload,
    });
    let job = Job {
        path: file.clone(),
        found: Found::File { size },
        meta,
        origin,
        provenance_detail: Some(detail),
        // A custodian record's consent history is restored by the finish,
        // once the evidence it names has an id here.
        describer: if state.is_some() {
            None
        } else {
            crate::ingest::bag::consent_describer(record, agent)
        },
    };
    Ok(Some((
        job,
        JobState {
            payload: format!("object {} ({})", o.id, at(payload)),
            source_id: record.get("id").and_then(Value::as_i64),
            kind,
            state,
        },
    )))
}
