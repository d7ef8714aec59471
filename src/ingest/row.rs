//! One file's rows in an import's transaction: decide new, duplicate or
//! refused against the catalogue, then write the object, item, provenance
//! and event rows (and, for an archive with a primary store, the store's
//! copy of each new object, already read back there).
//!
//! It runs on the single writer inside the chunk's transaction; it reads
//! and writes rows and the stored object it is told of, and never prints.

use std::collections::HashSet;
use std::path::Path;

use rusqlite::Connection;

use super::lookup::{deaccessioned, ObjectLookup};
use super::{file_uri, prepare, unreadable, FileOutcome, ImportOptions, Job, Status};
use crate::catalogue::display_bytes;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::items::{self, NewItem};
use crate::catalogue::provenance::{self, NewProvenance};
use crate::error::{Error, Result};
use crate::model::{ItemId, Kind, Sha256};
use crate::store;

/// What one chunk's transaction keeps between files.
pub(super) struct ChunkWriter<'c> {
    pub(super) log: EventLog<'c>,
    pub(super) lookup: ObjectLookup<'c>,
    /// New items' titles and texts, indexed after the transaction's other
    /// rows.
    pub(super) to_index: ToIndex,
}

/// Titles and texts waiting for the full-text index, and their bytes.
#[derive(Default)]
pub(super) struct ToIndex {
    items: Vec<(ItemId, String, Option<String>)>,
    bytes: usize,
}

impl ToIndex {
    pub(super) fn push(&mut self, id: ItemId, title: String, text: Option<String>) {
        self.bytes += title.len() + text.as_ref().map_or(0, String::len);
        self.items.push((id, title, text));
    }

    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }
}

impl<'c> ChunkWriter<'c> {
    pub(super) fn new(tx: &'c Connection) -> Result<Self> {
        Ok(ChunkWriter {
            log: EventLog::new(tx)?,
            lookup: ObjectLookup::new(tx)?,
            to_index: ToIndex::default(),
        })
    }

    /// Indexes the new items written since the last call, after every
    /// other row: FTS5 writes its pending terms out as a new segment at
    /// each later statement that opens a statement journal (an item insert
    /// with its triggers), so indexing last makes one segment per call,
    /// written at commit (see `items::index_text`). The texts are dropped.
    pub(super) fn index_new_items(&mut self, tx: &Connection) -> Result<()> {
        for (id, title, text) in std::mem::take(&mut self.to_index).items {
            items::index_text(tx, id, &title, text.as_deref())?;
        }
        Ok(())
    }
}

pub(super) fn commit_one(
    tx: &Connection,
    chunk: &mut ChunkWriter<'_>,
    objects: store::Place<'_>,
    job: &Job,
    r: &std::result::Result<prepare::Prepared, String>,
    opts: &ImportOptions,
    now: &str,
) -> Result<FileOutcome> {
    let path = display_bytes(job.path.as_os_str().as_encoded_bytes());
    let p = match r {
        Err(reason) => return Ok(unreadable(path, &job.found, reason.clone())),
        Ok(p) => p,
    };
    let origin = job.origin.clone().unwrap_or_else(|| file_uri(&job.path));
    let name = job.path.file_name().unwrap_or_default().as_encoded_bytes();
    let abs = std::path::absolute(&job.path).unwrap_or_else(|_| job.path.clone());
    let prov = NewProvenance {
        origin: &origin,
        original_name: name,
        original_path: abs.as_os_str().as_encoded_bytes(),
        method: opts.method,
        ingested_at: now,
        ingested_by: &opts.agent,
        detail: job.provenance_detail.as_ref(),
    };
    let existing = chunk.lookup.find(&p.sha)?;
    let log = &mut chunk.log;
    if let Some((_, Some(item), true)) = existing {
        if let Some(gone) = deaccessioned(tx, item)? {
            return Ok(gone.outcome(path, p.sha.clone()));
        }
    }
    if let Some((_, Some(item), _)) = existing {
        if let Some(why) = match &job.describer {
            Some(d) => d.conflict(tx, item)?,
            None => None,
        } {
            return Ok(FileOutcome {
                path,
                status: Status::Failed,
                id: Some(item),
                sha256: Some(p.sha.clone()),
                reason: Some(why),
            });
        }
        provenance::insert(tx, item, &prov)?;
        let detail = serde_json::json!({ "origin": origin, "duplicate": true });
        log.append(
            EventType::Ingestion,
            Some(item),
            &opts.agent,
            "duplicate",
            Some(&detail),
            now,
        )?;
        let mut reason = "same bytes already in the archive; provenance record added".to_string();
        if let Some(d) = &job.describer {
            if let Some(what) = d.duplicate(tx, item, log, now)? {
                reason.push_str("; ");
                reason.push_str(&what);
            }
        }
        return Ok(FileOutcome {
            path,
            status: Status::Duplicate,
            id: Some(item),
            sha256: Some(p.sha.clone()),
            reason: Some(reason),
        });
    }
    let object_file = objects.path(&p.sha);
    let mut extracted = p.extracted.clone();
    let mut technical = p.technical.clone();
    if p.already_stored && p.written.is_none() {
        // A leftover object with no row (an interrupted import): trust it
        // only after re-hashing, and make it durable before committing.
        match store::hash_file(&object_file) {
            Ok((sha, _)) if sha == p.sha => {
                store::sync_batch(objects.root, std::slice::from_ref(&object_file))?;
                extracted = prepare::extract_stored(&object_file, &p.media_type, p.size);
                technical = crate::media::probe::characterise(&object_file, &p.media_type);
            }
            _ => {
                return Ok(FileOutcome {
                    path,
                    status: Status::Failed,
                    id: None,
                    sha256: Some(p.sha.clone()),
                    reason: Some(format!(
                        "a damaged file already stands at {}; run `custos verify` and remove it, then import again",
                        object_file.display()
                    )),
                })
            }
        }
    }
    let object_id = match existing {
        Some((oid, None, _)) => oid,
        _ => items::insert_object(tx, &p.sha, p.size, &p.media_type, now)?,
    };
    if let Some(t) = &technical {
        crate::catalogue::recordings::insert(tx, object_id, t)?;
    }
    let title = job
        .meta
        .title
        .clone()
        .or_else(|| extracted.title.clone())
        .unwrap_or_else(|| title_from_name(&job.path));
    let new = NewItem {
        title,
        kind: job.meta.kind.unwrap_or_else(|| Kind::guess(&p.media_type)),
        description: job.meta.description.clone(),
        creator: job.meta.creator.clone(),
        date: job.meta.date.clone(),
        language: job.meta.language.clone(),
        coverage: job.meta.coverage.clone(),
        rights: job.meta.rights.clone(),
        location: job.meta.location.clone(),
        collection: job
            .meta
            .collection
            .as_deref()
            .map(|c| crate::catalogue::collections::spelling(tx, c))
            .transpose()?,
        intake: opts.intake,
    };
    let id = items::insert_item(tx, object_id, &new, now)?;
    items::insert_text(tx, id, extracted.text.as_deref())?;
    chunk.to_index.push(id, new.title.clone(), extracted.text);
    provenance::insert(tx, id, &prov)?;
    for (vocab, label) in &job.meta.terms {
        crate::catalogue::terms::tag(tx, id, *vocab, label)?;
    }
    if let Some(number) = &job.meta.accession {
        crate::ops::accession::link_new_item(tx, id, number)?;
    }
    for (audience, text) in &job.meta.notes {
        crate::catalogue::notes::insert(tx, id, *audience, text.trim(), &opts.agent, now)?;
    }
    let mut ingest = serde_json::json!({
        "origin": origin,
        "method": opts.method,
        "size": p.size,
        "media_type": p.media_type,
    });
    if let Some(number) = &job.meta.accession {
        ingest["accession"] = number.trim().into();
    }
    if !job.meta.notes.is_empty() {
        ingest["notes"] = job
            .meta
            .notes
            .iter()
            .map(|(a, t)| serde_json::json!({ "audience": a, "text": t.trim() }))
            .collect();
    }
    if !job.meta.terms.is_empty() {
        // The terms given at import are part of what was ingested.
        ingest["terms"] = job
            .meta
            .terms
            .iter()
            .map(|(v, l)| serde_json::json!({ "vocab": v, "label": l }))
            .collect();
    }
    let damaged = technical.as_ref().and_then(|t| t.problem.clone());
    if let Some(why) = &damaged {
        // The reason stays with the ingestion, as well as on the recording.
        ingest["recording_problem"] = why.clone().into();
    }
    log.append(
        EventType::Ingestion,
        Some(id),
        &opts.agent,
        "success",
        Some(&ingest),
        now,
    )?;
    let digest = serde_json::json!({ "algorithm": "SHA-256", "digest": p.sha });
    log.append(
        EventType::MessageDigestCalculation,
        Some(id),
        &opts.agent,
        "success",
        Some(&digest),
        now,
    )?;
    crate::ops::access::intake(tx, log, id, opts.intake, &opts.agent, now)?;
    if let Some(d) = &job.describer {
        d.new_item(tx, id, log, now)?;
    }
    Ok(FileOutcome {
        path,
        status: Status::Imported,
        id: Some(id),
        sha256: Some(p.sha.clone()),
        reason: damaged.map(|why| format!("recording: {why}")),
    })
}

fn title_from_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .or_else(|| path.file_name())
        .map(|s| display_bytes(s.as_encoded_bytes()))
        .unwrap_or_default();
    if stem.trim().is_empty() {
        "(untitled)".into()
    } else {
        stem
    }
}

/// Records the primary store's copy of each object this batch catalogued;
/// an object not confirmed there fails the batch (nothing commits).
pub(super) fn record_sent(
    tx: &Connection,
    site: i64,
    outs: &[FileOutcome],
    sent: &HashSet<Sha256>,
    now: &str,
) -> Result<()> {
    for o in outs.iter().filter(|o| o.status == Status::Imported) {
        let Some(sha) = &o.sha256 else { continue };
        if !sent.contains(sha) {
            return Err(Error::Failed(format!(
                "{}: its bytes were not confirmed at the primary store; nothing of this batch was committed, import it again",
                o.path
            )));
        }
        crate::catalogue::copies::record_by_digest(tx, site, sha, now)?;
    }
    Ok(())
}
