//! Fixity: re-hashing every object against the catalogue, finding files
//! that no row describes or that sit under a wrong name, checking SQLite's
//! integrity, the event chain and the facts the access policy reads
//! against it (`facts`), and recording each outcome.
//!
//! Objects are hashed in parallel, streaming in fixed-size chunks, so memory
//! does not grow with file size. It reports what it finds and records the
//! checks (when asked); it must NEVER repair, move, delete or rename a file
//! or a row — the one exception is `cleanup`, run only on the explicit
//! `verify --remove-untracked` — and it never prints (commands render the
//! report).

pub mod cleanup;
pub mod on_store;

/// The bytes of every stored object, for a progress bar.
pub fn stored_bytes(archive: &Archive) -> u64 {
    crate::catalogue::fixity::stored_bytes(archive.conn())
}
mod facts;
mod scan;
mod select;

pub use select::{parse_percent, Sample, Scope};

use std::path::Path;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256 as Hasher};

use crate::archive::Archive;
use crate::catalogue::chain::{self, ChainReport};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::fixity::{self as rows, Expected, Outcome};
use crate::error::{Error, Result};
use crate::model::{ItemId, Sha256};
use crate::store;
use scan::{check_one, hash_no_follow, stray_finding, walk_objects, Checked};

pub struct VerifyOptions {
    /// Only these items (no search for untracked files then).
    pub items: Vec<ItemId>,
    pub sample: Option<Sample>,
    /// Hashing threads; None: one per core.
    pub jobs: Option<usize>,
    /// A head recorded earlier that must still be in the chain.
    pub head: Option<String>,
    /// Write fixity events and rows. False for a backup copy being checked
    /// or an archive that cannot be written.
    pub record: bool,
    pub agent: String,
    pub depth: Depth,
}

/// What a run checks besides the objects it hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// SQLite's `quick_check` and `foreign_key_check`, the tallies, the
    /// policy's facts, the event chain (and a recorded head), and on a run
    /// of every object the search for untracked files.
    Archive,
    /// As `Archive`, with SQLite's full `integrity_check` (every index
    /// entry against its table, the full-text index against the text).
    ArchiveFull,
    /// The selected objects and nothing else: a quick look whose cost does
    /// not grow with the catalogue, vouching for neither the catalogue nor
    /// the history.
    ObjectsOnly,
}

impl Depth {
    pub fn as_str(self) -> &'static str {
        match self {
            Depth::Archive => "archive",
            Depth::ArchiveFull => "archive, integrity_check",
            Depth::ObjectsOnly => "objects only",
        }
    }
}

/// What kind of problem a finding is. `StaleStaging` is a notice (a crashed
/// import's leftovers, cleaned by the next write command), not damage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Changed,
    Missing,
    Untracked,
    Misnamed,
    IoError,
    Catalogue,
    ForeignKey,
    Chain,
    Head,
    /// A fact the access policy reads (consent, custodian key, redaction)
    /// disagrees with the history that recorded it.
    Policy,
    StaleStaging,
}

/// One problem: the documented row shape of `verify --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub damage: bool,
    pub item_id: Option<ItemId>,
    /// The digest the catalogue expects.
    pub sha256: Option<Sha256>,
    /// The digest found on disk, when it was read.
    pub actual_sha256: Option<Sha256>,
    /// Relative to the archive folder.
    pub path: Option<String>,
    pub event_id: Option<i64>,
    pub detail: String,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Changed => "changed",
            Kind::Missing => "missing",
            Kind::Untracked => "untracked",
            Kind::Misnamed => "misnamed",
            Kind::IoError => "io_error",
            Kind::Catalogue => "catalogue",
            Kind::ForeignKey => "foreign_key",
            Kind::Chain => "chain",
            Kind::Head => "head",
            Kind::Policy => "policy",
            Kind::StaleStaging => "stale_staging",
        }
    }
}

impl Finding {
    fn new(kind: Kind, detail: impl Into<String>) -> Finding {
        Finding {
            kind,
            damage: kind != Kind::StaleStaging,
            item_id: None,
            sha256: None,
            actual_sha256: None,
            path: None,
            event_id: None,
            detail: detail.into(),
        }
    }
}

#[derive(Debug)]
pub struct VerifyReport {
    pub findings: Vec<Finding>,
    /// Objects re-hashed against the catalogue, and their bytes.
    pub checked: u64,
    pub bytes: u64,
    pub ok: u64,
    /// Empty (no events, no head) when `depth` left the chain unchecked.
    pub chain: ChainReport,
    pub scope: Scope,
    pub depth: Depth,
    pub elapsed: Duration,
    /// Where the summary event went, when recorded.
    pub summary_event: Option<i64>,
    /// Why the checks were not recorded although asked to be.
    pub not_recorded: Option<String>,
    /// Each object hashed and its result, until they are recorded.
    results: Vec<(Expected, Checked)>,
}

impl VerifyReport {
    pub fn damaged(&self) -> bool {
        self.findings.iter().any(|f| f.damage)
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }
}

pub fn verify(
    archive: &mut Archive,
    opts: &VerifyOptions,
    progress: &indicatif::ProgressBar,
) -> Result<VerifyReport> {
    let started = Instant::now();
    // Reading the event log and the object rows through a memory map would
    // leave them all resident; through the page cache memory stays flat.
    archive.conn().pragma_update(None, "mmap_size", 0)?;
    let root = archive.root().to_path_buf();
    let depth = opts.depth;
    if depth == Depth::ObjectsOnly && opts.head.is_some() {
        return Err(Error::usage(
            "a recorded head is checked against the event chain, which a run of the objects only leaves out",
        ));
    }
    std::thread::scope(|scope| {
        let whole = depth != Depth::ObjectsOnly;
        // SQLite's own checks read the whole catalogue on one core: they run
        // on their own read-only connection while the objects are hashed.
        let catalogue =
            whole.then(|| scope.spawn(|| catalogue_findings(&root, depth == Depth::ArchiveFull)));
        // So does the event chain: re-hashing every event is one core's work.
        let chain = whole.then(|| scope.spawn(|| chain_findings(&root, opts.head.as_deref())));
        let report = check_objects(archive, opts, progress, started);
        let mut findings = match catalogue {
            Some(h) => joined(h)?,
            None => Vec::new(),
        };
        let (chain, mut chain_findings) = match chain {
            Some(h) => joined(h)?,
            None => (ChainReport::default(), Vec::new()),
        };
        let mut report = report?;
        findings.append(&mut chain_findings);
        findings.append(&mut report.findings);
        report.findings = findings;
        report.chain = chain;
        finish(archive, opts, report, started)
    })
}

fn joined<T>(h: std::thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    match h.join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The event chain, and the recorded head if one was given, on a read-only
/// connection of its own (no memory map, as for the catalogue checks).
fn chain_findings(root: &Path, head: Option<&str>) -> Result<(ChainReport, Vec<Finding>)> {
    let archive = Archive::open(root, crate::archive::Mode::Read)?;
    let conn = archive.conn();
    conn.pragma_update(None, "mmap_size", 0)?;
    let mut findings = Vec::new();
    let chain = chain::verify(conn, head)?;
    if let Some(b) = &chain.broken {
        let mut f = Finding::new(
            Kind::Chain,
            format!("event log broken at event {}: {}", b.event_id, b.problem),
        );
        f.event_id = Some(b.event_id);
        findings.push(f);
    }
    if let (Some(h), None) = (head, chain.head_found_at) {
        let detail = if h == crate::catalogue::events::GENESIS {
            "the recorded head is 64 zeros, the chain's starting value, not the hash of any event: it vouches for nothing; record the head `custos log --head` prints once the log has events".to_string()
        } else {
            format!("the recorded head {h} is not in this archive's verified history: the history was rewritten, broken before it, or the head belongs to another archive")
        };
        findings.push(Finding::new(Kind::Head, detail));
    }
    Ok((chain, findings))
}

/// `integrity_check` (or `quick_check`) and `foreign_key_check`, on a
/// connection of their own. Its memory map is off: the check reads every
/// page once, and mapped pages would count toward this process's resident
/// memory for the whole catalogue.
///
/// The quick check skips what FTS5 adds to it, re-tokenizing every stored
/// text to compare it with the full-text index (about two thirds of a full
/// check's time): the index is derived data that can be rebuilt, and its
/// pages are still checked as b-trees like every other table's. SQLite
/// skips a virtual table whose module is not registered, so the quick
/// check's connection drops its modules before anything opens the index.
fn catalogue_findings(root: &Path, full: bool) -> Result<Vec<Finding>> {
    let mut archive = Archive::open(root, crate::archive::Mode::Read)?;
    if !full {
        let conn = archive.conn_mut();
        // SAFETY: a valid handle of a connection we own, used on this
        // thread only; a NULL keep-list drops every virtual table module.
        let rc =
            unsafe { rusqlite::ffi::sqlite3_drop_modules(conn.handle(), std::ptr::null_mut()) };
        if rc != rusqlite::ffi::SQLITE_OK {
            return Err(Error::Failed(format!(
                "cannot prepare the catalogue check (sqlite3_drop_modules: {rc})"
            )));
        }
    }
    let conn = archive.conn();
    conn.pragma_update(None, "mmap_size", 0)?;
    let mut findings = Vec::new();
    let pragma = if full {
        "integrity_check"
    } else {
        "quick_check"
    };
    for msg in rows::integrity_problems(conn, full)? {
        findings.push(Finding::new(Kind::Catalogue, format!("{pragma}: {msg}")));
    }
    for msg in rows::foreign_key_problems(conn)? {
        findings.push(Finding::new(Kind::ForeignKey, msg));
    }
    for msg in crate::catalogue::tally::disagreements(conn)? {
        findings.push(Finding::new(Kind::Catalogue, msg));
    }
    // The levels of digests are an index kept by triggers (migration
    // 0028): integrity_check sees their b-trees but cannot match them with
    // objects, so the full check does, as it does SQLite's own indexes.
    if full {
        if let Some(msg) = crate::catalogue::digests::disagreement(conn)? {
            findings.push(Finding::new(Kind::Catalogue, msg));
        }
    }
    findings.append(&mut facts::findings(conn)?);
    Ok(findings)
}

/// The objects: everything but SQLite's own checks and the chain.
fn check_objects(
    archive: &Archive,
    opts: &VerifyOptions,
    progress: &indicatif::ProgressBar,
    started: Instant,
) -> Result<VerifyReport> {
    let conn = archive.conn();
    let mut findings = Vec::new();

    let (mut selected, scope) = select::select(conn, &opts.items, opts.sample)?;
    let objects = archive.objects_dir();
    on_store::keep_local(conn, &objects, &mut selected)?;
    let strays = if scope == Scope::Full && opts.depth != Depth::ObjectsOnly {
        walk_objects(&objects, &selected)?
    } else {
        Vec::new()
    };
    let total: u64 = selected.iter().map(|e| e.size).sum();
    progress.set_length(total);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::Failed(format!("cannot start hashing threads: {e}")))?;
    let (checked, stray_hashes) = pool.install(|| {
        let checked: Vec<Checked> = selected
            .par_iter()
            .map(|e| {
                let c = check_one(&objects, e);
                progress.inc(e.size);
                c
            })
            .collect();
        let strays: Vec<std::io::Result<Sha256>> = strays
            .par_iter()
            .map(|s| hash_no_follow(&objects.join(&s.rel)))
            .collect();
        (checked, strays)
    });
    progress.finish_and_clear();

    let mut ok = 0u64;
    let mut bytes = 0u64;
    for (e, c) in selected.iter().zip(&checked) {
        bytes += c.bytes;
        let rel = rel_object(&e.sha256);
        let mut f = match c.outcome {
            Outcome::Ok => {
                ok += 1;
                continue;
            }
            Outcome::Changed => Finding::new(
                Kind::Changed,
                "the bytes differ from those ingested (expected sha256 vs actual)",
            ),
            Outcome::Missing => Finding::new(Kind::Missing, "the object file is gone"),
            Outcome::IoError => Finding::new(
                Kind::IoError,
                format!(
                    "could not be read: {}",
                    c.error.as_deref().unwrap_or("unknown error")
                ),
            ),
        };
        f.item_id = e.item_id;
        f.sha256 = Some(e.sha256.clone());
        f.actual_sha256 = c.actual.clone();
        f.path = Some(rel);
        findings.push(f);
    }
    for (s, h) in strays.iter().zip(stray_hashes) {
        if let Some(f) = stray_finding(conn, s, h)? {
            findings.push(f);
        }
    }
    for p in store::stale_staging(&archive.staging_dir()) {
        let mut f = Finding::new(
            Kind::StaleStaging,
            "leftover of an interrupted import; the next write command removes it",
        );
        f.path = Some(rel_to(archive.root(), &p));
        findings.push(f);
    }

    Ok(VerifyReport {
        findings,
        checked: checked.len() as u64,
        bytes,
        ok,
        chain: ChainReport::default(),
        scope,
        depth: opts.depth,
        elapsed: started.elapsed(),
        summary_event: None,
        not_recorded: None,
        results: selected.into_iter().zip(checked).collect(),
    })
}

/// Records the checks (when asked) once every finding is in.
fn finish(
    archive: &mut Archive,
    opts: &VerifyOptions,
    mut report: VerifyReport,
    started: Instant,
) -> Result<VerifyReport> {
    report.elapsed = started.elapsed();
    if opts.record {
        // A long run must not lose its findings to a writer holding the
        // lock: they are reported all the same, only not recorded.
        match record(archive, opts, &report) {
            Ok(id) => report.summary_event = Some(id),
            Err(Error::Busy) => report.not_recorded = Some(Error::Busy.to_string()),
            Err(e) => return Err(e),
        }
    }
    report.results = Vec::new();
    Ok(report)
}

/// One transaction: each checked object's latest outcome (the `fixity`
/// row, stamped with the run's time), an event per item only where the
/// check found a problem, and the run's summary event (item_id NULL) with
/// the counts and `outcomes_sha256`, a digest over every object's outcome.
/// A run of 20,000 objects so writes 20,001 rows and one event instead of
/// 20,001 events, which kept the run's cost (and the next run's chain
/// check) growing with the archive.
fn record(archive: &mut Archive, opts: &VerifyOptions, report: &VerifyReport) -> Result<i64> {
    let now = crate::clock::now_rfc3339();
    let summary = serde_json::json!({
        "scope": report.scope.as_str(),
        "checks": opts.depth.as_str(),
        "sample": opts.sample.map(|s| serde_json::json!({"percent": s.percent, "seed": s.seed})),
        "checked": report.checked,
        "ok": report.ok,
        "bytes": report.bytes,
        "changed": report.count(Kind::Changed),
        "missing": report.count(Kind::Missing),
        "io_errors": report.count(Kind::IoError),
        "untracked": report.count(Kind::Untracked),
        "misnamed": report.count(Kind::Misnamed),
        "catalogue_problems": report.count(Kind::Catalogue) + report.count(Kind::ForeignKey),
        "policy_problems": report.count(Kind::Policy),
        "chain": match (opts.depth, &report.chain.broken) {
            (Depth::ObjectsOnly, _) => "not checked".to_string(),
            (_, Some(b)) => format!("broken at event {}", b.event_id),
            (_, None) => "ok".to_string(),
        },
        "head_checked": opts.head,
        "head_found": opts.head.as_ref().map(|_| report.chain.head_found_at.is_some()),
        "outcomes_sha256": outcomes_digest(&report.results),
    });
    let damaged = report.damaged();
    archive.write(|tx| {
        let mut log = EventLog::new(tx)?;
        for (e, c) in &report.results {
            if c.outcome == Outcome::Ok {
                continue;
            }
            if let Some(item) = e.item_id {
                let detail = serde_json::json!({
                    "result": c.outcome.as_str(),
                    "algorithm": "SHA-256",
                    "sha256": e.sha256,
                    "actual_sha256": c.actual,
                    "error": c.error,
                });
                log.append(
                    EventType::FixityCheck,
                    Some(item),
                    &opts.agent,
                    "failure",
                    Some(&detail),
                    &now,
                )?;
            }
        }
        let outcome = if damaged { "failure" } else { "success" };
        let run = log.append(
            EventType::FixityCheck,
            None,
            &opts.agent,
            outcome,
            Some(&summary),
            &now,
        )?;
        for (e, c) in &report.results {
            rows::record(tx, e.object_id, &now, c.outcome, c.actual.as_ref(), run)?;
        }
        Ok(run)
    })
}

/// SHA-256 over one line per object checked, in object id order:
/// `<expected sha256> <outcome> <actual sha256 or ->` and a newline. The
/// summary event carries it, so the run vouches for every per-object
/// outcome (the `fixity` rows stamped with its time) without an event each.
fn outcomes_digest<'a>(results: impl IntoIterator<Item = &'a (Expected, Checked)>) -> Sha256 {
    let mut h = Hasher::new();
    for (e, c) in results {
        let actual = c.actual.as_ref().map_or("-", |a| a.as_str());
        h.update(format!("{} {} {}\n", e.sha256.as_str(), c.outcome.as_str(), actual).as_bytes());
    }
    Sha256::from_digest(&h.finalize())
}

fn rel_object(sha: &Sha256) -> String {
    store::object_path(Path::new("objects"), sha)
        .display()
        .to_string()
}

fn rel_to(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}
