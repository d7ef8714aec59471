//! Import: walk → hash → dedupe → extract → store → commit, with a
//! provenance record and events for every file.
//!
//! Files are prepared in parallel in chunks (hash, copy, extract; see
//! `prepare`) while a single writer commits the previous chunk, so hashing
//! and SQLite work overlap. A chunk's objects are made durable before its
//! rows are committed, so a crash never leaves a row without its object.
//! This module reports outcomes; it does not print them.

pub mod bag;
pub mod extract;
pub mod interrupt;
mod job;
mod lookup;
pub mod manifest;
pub mod manifest_update;
pub mod mediatype;
mod pdf;
mod prepare;
mod row;
pub mod source;
mod sources;
mod walk;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rusqlite::Connection;

use crate::archive::Archive;
use crate::catalogue::display_bytes;
use crate::catalogue::items;
use crate::error::{Error, Result};
use crate::model::Sha256;
use crate::store::{self, Staging};
use lookup::deaccessioned;
use row::{commit_one, record_sent, ChunkWriter};

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
    /// commits are cheaper (BENCHMARKS.md, issue 17); chunks stay small,
    /// so memory holds one chunk's texts, not the transaction's.
    merged_new: usize,
    /// Bytes of new text such a transaction holds back for the full-text
    /// index before it indexes them (see `ChunkWriter::index_new_items`):
    /// the size of FTS5's own buffer (`hashsize`, migration 0005).
    merged_text: usize,
    /// How long such a transaction may wait for the next chunk to be
    /// hashed: other writers wait on it (their busy timeout is 5 s), and a
    /// re-import of large recordings hashes for minutes.
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
            // Consecutive chunks that stored no new object (duplicates of a
            // re-import) share one transaction: their rows land on the same
            // index pages (provenance and events by item), and each commit
            // writes every page it dirtied to the WAL again.
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

/// Sent objects smaller than this stay in an import's outbox until the
/// import ends (see `Committer::commit`).
const OUTBOX_KEEPS_BELOW: u64 = 1024 * 1024;

type PreparedJob = (Job, std::result::Result<prepare::Prepared, String>);

/// The object files a chunk's preparation wrote.
fn written_by(batch: &[PreparedJob]) -> Vec<PathBuf> {
    batch
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().and_then(|p| p.written.clone()))
        .collect()
}

/// A chunk whose files were all already in the store (or unreadable): its
/// transaction holds no text and waits on no object sync.
fn stores_nothing(batch: &[PreparedJob]) -> bool {
    batch.iter().all(|(_, r)| match r {
        Ok(p) => p.written.is_none() && p.already_stored,
        Err(_) => true,
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

/// The sequential half: decides new or duplicate against the catalogue and
/// writes rows, one transaction per chunk.
struct Committer<'o> {
    opts: &'o ImportOptions,
    /// This import's staging folder (None for a dry run).
    staging: Option<&'o Staging>,
    report: Report,
    /// Digests a dry run has already counted as imported.
    dry_seen: HashSet<Sha256>,
    /// Run in the next (for `import_atomic`: the only) chunk's transaction.
    finish: Option<Finish>,
    /// Where prepared objects are: `objects/`, or the outbox of an import
    /// to a primary store.
    objects: store::Place<'o>,
    sender: Option<&'o crate::sites::primary::Sender>,
}

impl<'o> Committer<'o> {
    fn new(
        opts: &'o ImportOptions,
        staging: Option<&'o Staging>,
        objects: store::Place<'o>,
        sender: Option<&'o crate::sites::primary::Sender>,
    ) -> Self {
        Committer {
            opts,
            staging,
            objects,
            sender,
            report: Report::default(),
            dry_seen: HashSet::new(),
            finish: None,
        }
    }

    /// Commits a chunk that stores objects, and the chunks after it that
    /// also do, in one transaction (see [`Limits::merged_new`]), writing
    /// each chunk's rows as it arrives. Returns the chunk that ended the
    /// run when it stores nothing; None when the run is full, its time to
    /// wait is up, or the chunks have ended.
    fn commit(
        &mut self,
        archive: &mut Archive,
        first: Vec<PreparedJob>,
        rest: &mpsc::Receiver<Vec<PreparedJob>>,
        limits: Limits,
    ) -> Result<Option<Vec<PreparedJob>>> {
        let objects = self.objects;
        if self.opts.dry_run {
            for (job, r) in first {
                let o = self.dry_outcome(archive.conn(), &job, r)?;
                self.report.outcomes.push(o);
            }
            return Ok(None);
        }
        // To a primary store, before the transaction: each new object is
        // sent and read back, or nothing of the batch is committed. Such a
        // batch, and an atomic import's, is a transaction of its own.
        let sent: HashSet<Sha256> = match self.sender {
            Some(sender) => {
                let unsent = sender.unsent(archive.conn(), &written_by(&first))?;
                sender.send(archive, &unsent)?;
                written_by(&first)
                    .iter()
                    .filter_map(|p| crate::sites::primary::digest_of(p))
                    .collect()
            }
            None => HashSet::new(),
        };
        let sender = self.sender;
        let merges = sender.is_none() && self.finish.is_none();
        let deadline = Instant::now() + limits.merged_wait;
        let now = crate::clock::now_rfc3339();
        let opts = self.opts;
        let finish = self.finish.take();
        // Every object the transaction's chunks wrote, removed again when
        // it does not commit.
        let mut written: Vec<PathBuf> = Vec::new();
        let committed = archive.write(|tx| {
            std::thread::scope(|scope| {
                let mut chunk = ChunkWriter::new(tx)?;
                let mut outs = Vec::new();
                // Each chunk's objects are made durable on a thread of its
                // own while this one writes the rows that point at them;
                // the rows commit only after every sync has returned.
                // Syncing waits on the disk, so overlapping it hides most
                // of its time. (An outbox for a primary store needs no
                // sync: the store's copy, read back, is the durable one.)
                let mut syncs = Vec::new();
                let mut batch = first;
                let after = loop {
                    let new = written_by(&batch);
                    written.extend(new.iter().cloned());
                    syncs.push(scope.spawn(move || match sender {
                        Some(_) => Ok(()),
                        None => store::sync_batch(objects.root, &new),
                    }));
                    let from = outs.len();
                    for (job, r) in &batch {
                        outs.push(commit_one(tx, &mut chunk, objects, job, r, opts, &now)?);
                    }
                    if let Some(sender) = sender {
                        record_sent(tx, sender.site_id(), &outs[from..], &sent, &now)?;
                    }
                    // Other writers wait on this transaction: past its
                    // time it ends even when the next chunk is ready.
                    if !merges || outs.len() >= limits.merged_new || Instant::now() >= deadline {
                        break None;
                    }
                    if chunk.to_index.bytes() >= limits.merged_text {
                        chunk.index_new_items(tx)?;
                    }
                    match rest.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                        Ok(b) if !stores_nothing(&b) => batch = b,
                        Ok(b) => break Some(b),
                        Err(_) => break None,
                    }
                };
                chunk.index_new_items(tx)?;
                if let Some(finish) = finish {
                    finish(tx, &mut chunk.log, &outs, &now)?;
                }
                // Durable objects first; only then may the rows that point
                // at them commit.
                for synced in syncs {
                    match synced.join() {
                        Ok(r) => r?,
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
                #[cfg(feature = "failpoints")]
                fail::fail_point!("ingest::before_commit", |_| Err(Error::Failed(
                    "injected commit failure (fail point ingest::before_commit); nothing of this batch was committed".into()
                )));
                Ok((outs, after))
            })
        });
        let (outcomes, after) = match committed {
            Ok(o) => o,
            Err(e) => {
                // Nothing of this transaction committed.
                self.discard(archive, &written);
                return Err(e);
            }
        };
        #[cfg(feature = "failpoints")]
        fail::fail_point!("ingest::after_commit");
        if sender.is_some() {
            // Sent and recorded: the outbox copies have done their job. Large
            // ones go now, so the outbox stays small; small ones with the
            // staging folder at the end, because ext4 makes every new file
            // skip the inodes freed in the last seconds (a many-file import
            // that deleted as it went spent most of its time there).
            for p in &written {
                if std::fs::metadata(p).is_ok_and(|m| m.len() >= OUTBOX_KEEPS_BELOW) {
                    let _ = std::fs::remove_file(p);
                }
            }
        }
        self.report.outcomes.extend(outcomes);
        Ok(after)
    }

    /// Removes objects this import wrote that no committed row names,
    /// rather than leave them untracked (see the store's rule for imports
    /// running side by side).
    fn discard(&self, archive: &Archive, written: &[PathBuf]) {
        let Some(staging) = self.staging else {
            return;
        };
        let conn = archive.conn();
        let claimed = |p: &Path| {
            let sha = p
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.parse().ok());
            sha.is_none_or(|sha| items::find_object(conn, &sha).map_or(true, |o| o.is_some()))
        };
        let _ = store::remove_uncommitted(&archive.staging_dir(), staging, written, claimed);
    }

    /// Commits a run of chunks that store nothing in one transaction,
    /// writing each chunk's rows as it arrives, so that only the commit is
    /// left once the last one is hashed. Returns the chunk that ended the
    /// run when one stores objects; None when the run is full, its time to
    /// wait is up, or the chunks have ended.
    fn commit_light(
        &mut self,
        archive: &mut Archive,
        first: Vec<PreparedJob>,
        rest: &mpsc::Receiver<Vec<PreparedJob>>,
        limits: Limits,
    ) -> Result<Option<Vec<PreparedJob>>> {
        let deadline = Instant::now() + limits.merged_wait;
        let objects = self.objects;
        let opts = self.opts;
        let now = crate::clock::now_rfc3339();
        let (outcomes, after) = archive.write(|tx| {
            let mut chunk = ChunkWriter::new(tx)?;
            let mut outs = Vec::new();
            let mut batch = first;
            let after = loop {
                for (job, r) in &batch {
                    outs.push(commit_one(tx, &mut chunk, objects, job, r, opts, &now)?);
                }
                if outs.len() >= limits.merged_duplicates {
                    break None;
                }
                match rest.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(b) if stores_nothing(&b) => batch = b,
                    Ok(b) => break Some(b),
                    Err(_) => break None,
                }
            };
            // An object already in the store but not yet in the catalogue
            // (left by a crash) becomes a new item here; index it too.
            chunk.index_new_items(tx)?;
            #[cfg(feature = "failpoints")]
            fail::fail_point!("ingest::before_commit", |_| Err(Error::Failed(
                "injected commit failure (fail point ingest::before_commit); nothing of this batch was committed".into()
            )));
            Ok((outs, after))
        })?;
        self.report.outcomes.extend(outcomes);
        Ok(after)
    }

    fn dry_outcome(
        &mut self,
        conn: &Connection,
        job: &Job,
        r: std::result::Result<prepare::Prepared, String>,
    ) -> Result<FileOutcome> {
        let path = display_bytes(job.path.as_os_str().as_encoded_bytes());
        Ok(match r {
            Err(reason) => unreadable(path, &job.found, reason),
            Ok(p) => {
                let known = items::find_object(conn, &p.sha)?.and_then(|(_, i)| i);
                if let Some(gone) = known.map(|i| deaccessioned(conn, i)).transpose()?.flatten() {
                    return Ok(gone.outcome(path, p.sha));
                }
                let conflict = match (known, &job.describer) {
                    (Some(item), Some(h)) => h.conflict(conn, item)?,
                    _ => None,
                };
                if let Some(why) = conflict {
                    return Ok(FileOutcome {
                        path,
                        status: Status::Failed,
                        id: known,
                        sha256: Some(p.sha),
                        reason: Some(why),
                    });
                }
                let status = if known.is_some() || !self.dry_seen.insert(p.sha.clone()) {
                    Status::Duplicate
                } else {
                    Status::Imported
                };
                FileOutcome {
                    path,
                    status,
                    id: known,
                    sha256: Some(p.sha),
                    reason: Some("dry run: nothing written".into()),
                }
            }
        })
    }
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
