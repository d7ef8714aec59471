//! `custos verify`: check objects, catalogue and history; list what is wrong.
//!
//! It renders the findings and the summary; the checking lives in
//! `custos::fixity`. It must not repair anything (`--remove-untracked`, the
//! one explicit exception, calls `fixity::cleanup`), and unlike other write
//! commands it does not clean staging/: it lists the leftovers instead.

use std::path::{Path, PathBuf};

use custos::archive::{self, Archive, Mode};
use custos::cli::VerifyArgs;
use custos::error::{Error, Result};
use custos::fixity::{self, Depth, Finding, Kind, Sample, VerifyOptions, VerifyReport};
use custos::head;
use custos::output::{self, col, hash_col, Column};

pub const FINDING_COLUMNS: &[Column] = &[
    col("kind", "Problem"),
    col("item_id", "Item"),
    hash_col("sha256", "Expected SHA-256"),
    col("actual_sha256", "Actual SHA-256"),
    col("path", "Path"),
    col("detail", "Detail"),
];

const ALL_COLUMNS: &[Column] = &[
    col("kind", "kind"),
    col("damage", "damage"),
    col("item_id", "item_id"),
    col("sha256", "sha256"),
    col("actual_sha256", "actual_sha256"),
    col("path", "path"),
    col("event_id", "event_id"),
    col("detail", "detail"),
];

pub fn run(archive_arg: Option<&Path>, a: VerifyArgs) -> Result<()> {
    if let Some(site) = a.site.clone() {
        return super::site::verify(archive_arg, a, site);
    }
    let root = archive::locate(archive_arg)?;
    let (mut archive, record) = open_for_verify(&root)?;
    let (signed, head_hash) = match (a.head.as_deref().map(head_arg).transpose()?, &a.pubkey) {
        (Some(HeadArg::File(file)), Some(key)) => {
            let public = head::Public::read(key)?;
            let s = head::read_signed(&file, &public)?;
            head::check_archive(&s, &archive, &file)?;
            let hash = s.head_hash.clone();
            (Some((file, s)), Some(hash))
        }
        (Some(HeadArg::File(file)), None) => {
            return Err(Error::usage(format!(
                "--head {}: a signed head statement needs --pubkey KEY.pub (the public key of the key that signed it)",
                file.display()
            )))
        }
        (Some(HeadArg::Hash(_)), Some(_)) => {
            return Err(Error::usage(
                "--pubkey checks a signed head statement FILE; a bare head hash has no signature",
            ))
        }
        (Some(HeadArg::Hash(h)), None) => (None, Some(h)),
        (None, _) => (None, None),
    };
    let opts = VerifyOptions {
        items: a.items.clone(),
        sample: a.sample.map(|percent| Sample {
            percent,
            seed: a.seed,
        }),
        jobs: a.jobs.map(usize::from),
        head: head_hash,
        record,
        agent: super::agent(a.agent.as_deref()),
        depth: match (a.objects_only, a.full) {
            (true, _) => Depth::ObjectsOnly,
            (false, true) => Depth::ArchiveFull,
            (false, false) => Depth::Archive,
        },
    };
    if a.remove_untracked && !record {
        return Err(Error::usage(
            "--remove-untracked: the archive cannot be written, so nothing can be removed",
        ));
    }
    // Before verify appends its own events, which would take the ids of
    // removed ones.
    let head_problem = match &signed {
        Some((_, s)) => head::extension_problem(&archive, s)?,
        None => None,
    };
    let total = fixity::stored_bytes(&archive);
    let mut report = fixity::verify(&mut archive, &opts, &super::progress(total))?;
    let store_failed = check_store(&mut archive, &opts, record, &mut report)?;
    if a.remove_untracked {
        remove_untracked(&mut archive, &mut report, &opts.agent)?;
    }
    if let Some((file, s)) = &signed {
        let problem = head::with_chain(head_problem, s, report.chain.broken.as_ref());
        signed_head_findings(&mut report, file, s, problem);
    }
    let rows: Vec<_> = report
        .findings
        .iter()
        .map(output::to_value)
        .collect::<Result<_>>()?;
    let cols = match a.output.format {
        output::Format::Table => FINDING_COLUMNS,
        _ => ALL_COLUMNS,
    };
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, cols, &rows)?;
    out.finish()?;
    summarise(&report, store_failed.is_some());
    if record {
        super::restrict::note_expiries(&mut archive, &opts.agent)?;
    }
    if let Some(why) = &report.not_recorded {
        super::note(format!("the results were not recorded: {why}"));
    }
    if let Some(e) = store_failed {
        return Err(e);
    }
    if report.damaged() {
        let n = report.findings.iter().filter(|f| f.damage).count();
        return Err(Error::Failed(format!(
            "verification failed: {n} problem(s); nothing was repaired"
        )));
    }
    Ok(())
}

/// Where the originals are kept at a primary store, checks them there too
/// (not when the archive cannot record the outcomes).
/// A store that cannot be reached is returned, to fail the command once the
/// local findings are shown.
fn check_store(
    archive: &mut Archive,
    opts: &VerifyOptions,
    record: bool,
    report: &mut VerifyReport,
) -> Result<Option<Error>> {
    let Some(site) = custos::sites::primary::of(archive)? else {
        return Ok(None);
    };
    if !record {
        super::note(format!(
            "the originals at the primary store (site {}) were not checked: the archive cannot be written, so their outcomes could not be recorded",
            site.name,
        ));
        return Ok(None);
    }
    match fixity::on_store::check(archive, opts, report) {
        Ok(_) => Ok(None),
        Err(e @ Error::Site(_)) => {
            super::note(format!(
                "the originals at the primary store were not checked: {e}"
            ));
            Ok(Some(e))
        }
        Err(e) => Err(e),
    }
}

/// Deletes the untracked objects found and drops them from the findings;
/// those kept stay findings, with the reason added.
fn remove_untracked(archive: &mut Archive, report: &mut VerifyReport, agent: &str) -> Result<()> {
    let candidates: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Untracked)
        .filter_map(|f| f.actual_sha256.clone())
        .collect();
    if candidates.is_empty() {
        super::note("no untracked objects to remove");
        return Ok(());
    }
    let removal = fixity::cleanup::remove_untracked(archive, &candidates, agent)?;
    if removal
        .kept
        .iter()
        .any(|(_, why)| why == fixity::cleanup::IMPORT_RUNNING)
    {
        super::note(format!(
            "nothing was removed: {}",
            fixity::cleanup::IMPORT_RUNNING
        ));
    }
    report.findings.retain(|f| {
        !(f.kind == Kind::Untracked
            && f.actual_sha256
                .as_ref()
                .is_some_and(|s| removal.removed.contains(s)))
    });
    for f in report
        .findings
        .iter_mut()
        .filter(|f| f.kind == Kind::Untracked)
    {
        if let Some((_, why)) = removal
            .kept
            .iter()
            .find(|(s, _)| f.actual_sha256.as_ref() == Some(s))
        {
            f.detail = format!("{}; not removed: {why}", f.detail);
        }
    }
    super::note(format!(
        "removed {} untracked object(s){}",
        removal.removed.len(),
        removal
            .event_id
            .map(|id| format!(", logged as event {id}"))
            .unwrap_or_default()
    ));
    Ok(())
}

/// Verify records its checks, so it opens for writing; an archive that
/// cannot be written (read-only media, permissions) is still checked.
pub(crate) fn open_for_verify(root: &Path) -> Result<(Archive, bool)> {
    match Archive::open(root, Mode::Write) {
        Ok(a) => Ok((a, true)),
        Err(Error::ReadOnly(_)) => {
            super::note("the archive is read-only: checking without recording the results");
            Ok((Archive::open(root, Mode::Read)?, false))
        }
        Err(e) => Err(e),
    }
}

/// `--head`: 64 hex digits are a hash, anything else a statement file
/// (or its `.minisig`, which names the statement beside it).
enum HeadArg {
    Hash(String),
    File(PathBuf),
}

fn head_arg(h: &str) -> Result<HeadArg> {
    let t = h.trim();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(HeadArg::Hash(t.to_ascii_lowercase()));
    }
    let p = PathBuf::from(h);
    // The signature given for the statement: the statement is beside it.
    let p = match h.strip_suffix(".minisig").map(PathBuf::from) {
        Some(statement) if statement.is_file() => statement,
        _ => p,
    };
    if p.is_file() {
        Ok(HeadArg::File(p))
    } else {
        Err(Error::usage(format!(
            "--head {h:?}: neither a head hash (64 hex digits, as printed by `custos log --head`) nor an existing signed head file (`custos log --head --sign`)"
        )))
    }
}

/// The signed head's own verdict replaces the generic head finding: it
/// names the first event missing or changed, and the statement's file.
fn signed_head_findings(
    report: &mut VerifyReport,
    file: &Path,
    s: &head::Statement,
    problem: Option<head::Problem>,
) {
    match problem {
        Some(p) => {
            report.findings.retain(|f| f.kind != Kind::Head);
            report.findings.push(Finding {
            kind: Kind::Head,
            damage: true,
            item_id: None,
            sha256: None,
            actual_sha256: None,
            path: Some(file.display().to_string()),
            event_id: Some(p.event_id),
            detail: format!(
                "the history does not extend the signed head (event {}, {} event(s), signed {}): {}",
                s.head_event_id, s.events, s.signed_at, p.why
            ),
            })
        }
        // The hash check of `fixity` stays the last word if it disagrees.
        None if report.count(Kind::Head) > 0 => {}
        None => super::note(format!(
            "the signed head in {} (event {}, {} event(s), signed {}) is extended by this history",
            file.display(),
            s.head_event_id,
            s.events,
            s.signed_at
        )),
    }
}

fn summarise(r: &VerifyReport, store_unchecked: bool) {
    let secs = r.elapsed.as_secs_f64().max(1e-3);
    super::note(format!(
        "checked {} object(s) ({}, scope {}) in {:.2} s, {}/s: {} ok",
        r.checked,
        output::human_bytes(r.bytes),
        r.scope.as_str(),
        secs,
        output::human_bytes((r.bytes as f64 / secs) as u64),
        r.ok
    ));
    let objects_only = r.depth == Depth::ObjectsOnly;
    match &r.chain.broken {
        None if objects_only => {
            super::note("event log, catalogue and untracked files: not checked (--objects-only)")
        }
        None => super::note(format!(
            "event log: {} event(s), chain intact, head {}",
            r.chain.events, r.chain.head
        )),
        Some(b) => super::note(format!(
            "event log: BROKEN at event {}: {}",
            b.event_id, b.problem
        )),
    }
    if let Some(id) = r.chain.head_found_at {
        if r.findings.iter().all(|f| f.kind != Kind::Head) {
            super::note(format!("the recorded head is in the history (event {id})"));
        }
    }
    let kinds = [
        (Kind::Changed, "changed"),
        (Kind::Missing, "missing"),
        (Kind::Untracked, "untracked"),
        (Kind::Misnamed, "misnamed"),
        (Kind::IoError, "I/O errors"),
        (Kind::Catalogue, "catalogue"),
        (Kind::ForeignKey, "foreign key"),
        (Kind::Chain, "chain"),
        (Kind::Head, "head"),
        (Kind::Policy, "policy facts"),
        (Kind::StaleStaging, "staging leftovers"),
    ];
    let parts: Vec<String> = kinds
        .iter()
        .filter_map(|(k, name)| {
            let n = r.count(*k);
            (n > 0).then(|| format!("{n} {name}"))
        })
        .collect();
    if parts.is_empty() && store_unchecked {
        super::note(
            "nothing wrong in what could be checked here; the originals at the store were not checked (see above)",
        );
    } else if parts.is_empty() && objects_only {
        super::note(
            "the objects checked hold; run verify without --objects-only for the catalogue, the event chain and untracked files",
        );
    } else if parts.is_empty() {
        super::note("everything holds");
    } else {
        super::note(format!("found: {}", parts.join(", ")));
    }
}
