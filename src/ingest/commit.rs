//! The writer's half of an import: one transaction at a time, it decides
//! new, duplicate or refused for each prepared file against the catalogue,
//! writes the rows (`row.rs`), and commits only after the objects they name
//! are durable. Consecutive chunks share a transaction ([`Limits`]): runs
//! that store nothing, and runs that store new objects, whose texts are
//! indexed once at the end. When a transaction fails, the objects its
//! chunks wrote (and those of chunks hashed after it) are removed.
//!
//! It never hashes or reads the files (`prepare.rs` does, in parallel) and
//! never prints.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use rusqlite::Connection;

use super::lookup::deaccessioned;
use super::row::{commit_one, record_sent, ChunkWriter};
use super::{prepare, unreadable, FileOutcome, Finish, ImportOptions, Job, Limits, Report, Status};
use crate::archive::Archive;
use crate::catalogue::display_bytes;
use crate::catalogue::items;
use crate::error::Result;
use crate::model::Sha256;
use crate::store::{self, Staging};

/// Sent objects smaller than this stay in an import's outbox until the
/// import ends (see `Committer::commit`).
const OUTBOX_KEEPS_BELOW: u64 = 1024 * 1024;

pub(super) type PreparedJob = (Job, std::result::Result<prepare::Prepared, String>);

/// The object files a chunk's preparation wrote.
pub(super) fn written_by(batch: &[PreparedJob]) -> Vec<PathBuf> {
    batch
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().and_then(|p| p.written.clone()))
        .collect()
}

/// A chunk whose files were all already in the store (or unreadable): its
/// transaction holds no text and waits on no object sync.
pub(super) fn stores_nothing(batch: &[PreparedJob]) -> bool {
    batch.iter().all(|(_, r)| match r {
        Ok(p) => p.written.is_none() && p.already_stored,
        Err(_) => true,
    })
}

/// The next chunk of a run of chunks sharing a transaction, waited for
/// until `deadline`: the chunk when it is of the run's kind (`joins`);
/// otherwise the run ends, handing on the chunk that ended it, or None when
/// none came in time or the chunks have ended.
fn next_of_run(
    rest: &mpsc::Receiver<Vec<PreparedJob>>,
    deadline: Instant,
    joins: impl Fn(&[PreparedJob]) -> bool,
) -> std::result::Result<Vec<PreparedJob>, Option<Vec<PreparedJob>>> {
    match rest.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(b) if joins(&b) => Ok(b),
        Ok(b) => Err(Some(b)),
        Err(_) => Err(None),
    }
}

/// The sequential half: decides new or duplicate against the catalogue and
/// writes rows, consecutive chunks of one kind in one transaction.
pub(super) struct Committer<'o> {
    opts: &'o ImportOptions,
    /// This import's staging folder (None for a dry run).
    staging: Option<&'o Staging>,
    pub(super) report: Report,
    /// Digests a dry run has already counted as imported.
    dry_seen: HashSet<Sha256>,
    /// Run in the next (for `import_atomic`: the only) chunk's transaction.
    pub(super) finish: Option<Finish>,
    /// Where prepared objects are: `objects/`, or the outbox of an import
    /// to a primary store.
    objects: store::Place<'o>,
    sender: Option<&'o crate::sites::primary::Sender>,
}

impl<'o> Committer<'o> {
    pub(super) fn new(
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
    pub(super) fn commit(
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
                let staged = written_by(&first);
                let unsent = sender.unsent(archive.conn(), &staged)?;
                sender.send(archive, &unsent)?;
                staged
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
                    match next_of_run(rest, deadline, |b| !stores_nothing(b)) {
                        Ok(b) => batch = b,
                        Err(ended_by) => break ended_by,
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
                fail::fail_point!("ingest::before_commit", |_| Err(crate::error::Error::Failed(
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
    pub(super) fn discard(&self, archive: &Archive, written: &[PathBuf]) {
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
    pub(super) fn commit_light(
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
                match next_of_run(rest, deadline, stores_nothing) {
                    Ok(b) => batch = b,
                    Err(ended_by) => break ended_by,
                }
            };
            // An object already in the store but not yet in the catalogue
            // (left by a crash) becomes a new item here; index it too.
            chunk.index_new_items(tx)?;
            #[cfg(feature = "failpoints")]
            fail::fail_point!("ingest::before_commit", |_| Err(crate::error::Error::Failed(
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
