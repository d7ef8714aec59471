//! Import: walk → hash → dedupe → extract → store → commit, with a
//! provenance record and events for every file.
//!
//! Files are prepared in parallel in chunks (hash, copy, extract; see
//! `prepare`) while a single writer (`commit`) writes the previous chunks'
//! rows, so hashing and SQLite work overlap. A chunk's objects are made
//! durable before its rows are committed, so a crash never leaves a row
//! without its object. This module runs that pipeline and reports
//! outcomes; it does not print them.

pub mod bag;
mod commit;
pub mod extract;
pub mod interrupt;
mod job;
mod lookup;
#[cfg(test)]
pub(crate) use lookup::OBJECT_LOOKUP;
pub mod manifest;
pub mod manifest_update;
pub mod mediatype;
mod pdf;
mod prepare;
mod row;
pub mod source;
mod sources;
mod walk;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use rayon::prelude::*;

use crate::archive::Archive;
use crate::catalogue::display_bytes;
use crate::error::{Error, Result};
use crate::store::{self, Staging};
use commit::{stores_nothing, written_by, Committer};

pub use job::{Describer, FileOutcome, Finish, ImportOptions, ItemMeta, Job, Report, Status};
pub use prepare::EXTRACT_LIMIT;
pub use sources::ArchiveFence;
pub use walk::{walk, walk_fenced, Entry, Found};

/// How an import groups its files into chunks (prepared together,
/// committed together) and into transactions.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Files and bytes per chunk (one transaction each, unless merged).
    chunk_files: usize,
    chunk_bytes: u64,
    /// Files of consecutive all-duplicate chunks merged into one
    /// transaction at most.
    merged_duplicates: usize,
    /// Files of consecutive chunks with new objects merged into one
    /// transaction at most. Each commit syncs the WAL and flushes a new
    /// full-text segment that later merges rewrite, so fewer, larger
    /// commits are cheaper (BENCHMARKS.md, issue 17). Chunks stay small,
    /// so memory holds one chunk of prepared files; only their texts wait
    /// for the index, up to `merged_text`.
    merged_new: usize,
    /// Bytes of new text such a transaction holds back for the full-text
    /// index before it indexes them (see `ChunkWriter::index_new_items`):
    /// the size of FTS5's own buffer (`hashsize`, migration 0005).
    merged_text: usize,
    /// How long a merged transaction, of either kind, may wait for the
    /// next chunk to be hashed; one of new objects also takes no further
    /// chunk once this time has passed since it began. Other writers wait
    /// on it (their busy timeout is 5 s), and a re-import of large
    /// recordings hashes for minutes.
    merged_wait: Duration,
}

const CHUNKS: Limits = Limits {
    chunk_files: 512,
    chunk_bytes: 128 * 1024 * 1024,
    merged_duplicates: 8192,
    merged_new: 2048,
    merged_text: 32 * 1024 * 1024,
    merged_wait: Duration::from_secs(1),
};
const ONE_CHUNK: Limits = Limits {
    chunk_files: usize::MAX,
    chunk_bytes: u64::MAX,
    merged_duplicates: usize::MAX,
    merged_new: usize::MAX,
    merged_text: usize::MAX,
    merged_wait: Duration::ZERO,
};

/// Jobs for plain files and folders sharing one set of metadata; the
/// archive's own folder, where an input contains it, is a skipped entry.
pub fn jobs_for_paths(
    inputs: &[PathBuf],
    meta: &ItemMeta,
    origin: Option<&str>,
    fence: &ArchiveFence,
) -> Vec<Job> {
    walk_fenced(inputs, Some(fence))
        .into_iter()
        .map(|e| Job {
            path: e.path,
            found: e.found,
            meta: meta.clone(),
            origin: origin.map(str::to_string),
            provenance_detail: None,
            describer: None,
        })
        .collect()
}

/// Imports the jobs, returning one outcome per job in order. Errors are
/// for the import as a whole (catalogue or store unusable); a file that
/// cannot be read is a `failed` outcome and the rest go on.
pub fn import(
    archive: &mut Archive,
    jobs: impl IntoIterator<Item = Job>,
    opts: &ImportOptions,
    progress: &indicatif::ProgressBar,
) -> Result<Report> {
    run(archive, jobs, opts, progress, CHUNKS, None)
}

/// Imports the jobs in one transaction (one chunk, so every prepared text is
/// held until the end), then runs `finish` in it: all or nothing. On any
/// error no row is committed and the objects this run wrote are removed.
pub fn import_atomic(
    archive: &mut Archive,
    jobs: impl IntoIterator<Item = Job>,
    opts: &ImportOptions,
    progress: &indicatif::ProgressBar,
    finish: Finish,
) -> Result<Report> {
    run(archive, jobs, opts, progress, ONE_CHUNK, Some(finish))
}

fn run(
    archive: &mut Archive,
    jobs: impl IntoIterator<Item = Job>,
    opts: &ImportOptions,
    progress: &indicatif::ProgressBar,
    limits: Limits,
    finish: Option<Finish>,
) -> Result<Report> {
    // Leftovers of crashed imports were already cleaned when the command
    // opened the archive for writing (commands::open).
    let staging = if opts.dry_run {
        None
    } else {
        Some(Staging::new(&archive.staging_dir())?)
    };
    // An archive whose originals live on a primary store stages each new
    // object in an outbox of this import's own, sends it there and reads it
    // back before the rows commit; the outbox goes with the staging folder.
    let sender = match &staging {
        Some(_) => crate::sites::primary::Sender::of(archive)?,
        None => None,
    };
    let (objects, layout) = match (&sender, &staging) {
        (Some(_), Some(s)) => {
            let outbox = s.dir().join("outbox");
            std::fs::create_dir(&outbox).map_err(|e| Error::io(&outbox, e))?;
            (outbox, store::Layout::Flat)
        }
        _ => (archive.objects_dir(), store::Layout::Tree),
    };
    let place = store::Place {
        root: &objects,
        layout,
    };
    // Jobs are drawn a chunk at a time, so a long manifest streams.
    let mut jobs = jobs.into_iter();
    let chunks = std::iter::from_fn(move || next_chunk(&mut jobs, limits));
    let (tx, rx) =
        mpsc::sync_channel::<Vec<(Job, std::result::Result<prepare::Prepared, String>)>>(1);
    let mut report = Report::default();
    let checkpoints = match opts.dry_run {
        true => None,
        false => Some(archive.checkpoint_in_background()?),
    };
    let writer_failed = AtomicBool::new(false);
    let ran = std::thread::scope(|scope| -> Result<()> {
        let writer = scope.spawn(|| -> Result<Report> {
            let mut committer = Committer::new(opts, staging.as_ref(), place, sender.as_ref());
            committer.finish = finish;
            // Consecutive chunks of one kind share a transaction: those that
            // store no new object (a re-import's duplicates, whose rows land
            // on the same index pages), and those that do (whose texts are
            // then indexed once); each commit writes every page it dirtied
            // to the WAL again.
            let rx = rx; // the writer owns the receiving end
            let mut next = rx.recv().ok();
            while let Some(batch) = next.take() {
                let ended_by = if opts.dry_run || !stores_nothing(&batch) {
                    committer.commit(archive, batch, &rx, limits)
                } else {
                    committer.commit_light(archive, batch, &rx, limits)
                };
                let ended_by = match ended_by {
                    Ok(chunk) => chunk,
                    Err(e) => {
                        // Chunks hashed after the failed one stored objects
                        // no row will name: stop the hashing and remove them.
                        writer_failed.store(true, Ordering::Relaxed);
                        for batch in rx.iter() {
                            committer.discard(archive, &written_by(&batch));
                        }
                        return Err(e);
                    }
                };
                // A run that ends full or out of time leaves the next chunk
                // to be waited for outside its transaction (a closed
                // channel only says so again).
                next = match ended_by {
                    Some(chunk) => Some(chunk),
                    None => rx.recv().ok(),
                };
            }
            settle_digests(archive, &committer.report, opts)?;
            Ok(committer.report)
        });
        let ctx = prepare::Context {
            objects: place,
            staging: staging.as_ref(),
        };
        for chunk in chunks {
            if interrupt::requested() || writer_failed.load(Ordering::Relaxed) {
                break;
            }
            let prepared: Vec<_> = chunk
                .into_par_iter()
                .map(|job| {
                    let r = match &job.found {
                        // Files not yet begun are left alone; the writer
                        // still commits every object already stored.
                        Found::File { .. } if interrupt::requested() => {
                            Err(interrupt::NOT_REACHED.to_string())
                        }
                        Found::File { size } => {
                            let r = prepare::prepare(&job.path, &ctx);
                            progress.inc(*size);
                            r
                        }
                        Found::Skipped(s) | Found::Failed(s) => Err(s.clone()),
                    };
                    (job, r)
                })
                .collect();
            if tx.send(prepared).is_err() {
                break; // the writer stopped on an error; it reports it.
            }
        }
        drop(tx);
        report = writer.join().map_err(|_| {
            Error::Failed(
                "import writer thread panicked; nothing of its last batch was committed".into(),
            )
        })??;
        Ok(())
    });
    if let Some(c) = checkpoints {
        c.finish(archive)?;
    }
    ran?;
    progress.finish_and_clear();
    report.interrupted = interrupt::requested();
    if !opts.dry_run && report.count(Status::Imported) > 0 {
        // Refreshes planner statistics where a bulk load made them stale,
        // so queries keep their indexes; cheap when nothing changed much.
        archive.conn().execute_batch("PRAGMA optimize")?;
    }
    Ok(report)
}

/// The digests of the objects this import added wait in level 0 of their
/// index; merging them down now (`catalogue::digests::settle`), while the
/// background checkpointer still runs, keeps level 0 small for the next
/// writer. Its own transaction: the import's rows are committed already.
fn settle_digests(archive: &mut Archive, report: &Report, opts: &ImportOptions) -> Result<()> {
    let imported = report.count(Status::Imported);
    if opts.dry_run || imported == 0 {
        return Ok(());
    }
    archive
        .write(|tx| crate::catalogue::digests::settle(tx))
        .map(|_| ())
        .map_err(|e| {
            Error::Failed(format!(
                "{imported} file(s) were imported and committed, but merging the index of object digests afterwards failed ({e}); the catalogue is consistent, and the next import merges it"
            ))
        })
}

fn next_chunk(jobs: &mut impl Iterator<Item = Job>, limits: Limits) -> Option<Vec<Job>> {
    let mut cur = Vec::new();
    let mut bytes = 0u64;
    for j in jobs.by_ref() {
        if let Found::File { size } = j.found {
            bytes += size;
        }
        cur.push(j);
        if cur.len() >= limits.chunk_files || bytes >= limits.chunk_bytes {
            break;
        }
    }
    (!cur.is_empty()).then_some(cur)
}

pub(super) fn unreadable(path: String, found: &Found, reason: String) -> FileOutcome {
    let status = match found {
        Found::Skipped(_) => Status::Skipped,
        _ if reason == interrupt::NOT_REACHED => Status::Skipped,
        _ => Status::Failed,
    };
    FileOutcome {
        path,
        status,
        id: None,
        sha256: None,
        reason: Some(reason),
    }
}

/// `file://` plus the absolute path; bytes that are not UTF-8 are escaped.
pub fn file_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    format!(
        "file://{}",
        display_bytes(abs.as_os_str().as_encoded_bytes())
    )
}

#[cfg(test)]
mod tests;
