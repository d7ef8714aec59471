//! `custos export --ocfl ROOT` and `custos import --ocfl ROOT`: OCFL 1.1
//! storage roots out and in (the library side is `crate::ocfl`). Import
//! checks the whole root before the archive is opened, then imports in one
//! transaction, so a refused root leaves nothing behind.

use std::path::Path;

use crate::archive::{Archive, Mode};
use crate::cli::ImportArgs;
use crate::error::Result;
use crate::export::ExportOptions;
use crate::ingest::{self, Found, ImportOptions};
use crate::model::Method;

pub(crate) fn export(archive: &mut Archive, root: &Path, opts: &ExportOptions) -> Result<()> {
    let s = crate::ocfl::export(archive, root, opts)?;
    let mut notes = Vec::new();
    if s.removed > 0 {
        notes.push(format!(
            "{} object(s) removed with their history (written anew if still open): their item is now closed at this level, redacted or changed while redacted, or no longer cited as consent evidence",
            s.removed
        ));
    }
    if s.payload_withheld > 0 {
        notes.push(format!(
            "{} redacted item(s) without text exported as metadata only",
            s.payload_withheld
        ));
    }
    if s.evidence_left_out > 0 {
        notes.push(format!(
            "{} consent evidence item(s) left out, as no exported testimony cites them",
            s.evidence_left_out
        ));
    }
    super::note(format!(
        "exported {} item(s) at {} level to OCFL root {}: {} new object(s), {} new version(s), {} unchanged{}; event log head {}",
        s.items,
        opts.access,
        root.display(),
        s.new_objects,
        s.new_versions,
        s.unchanged,
        notes.iter().map(|n| format!("; {n}")).collect::<String>(),
        s.event_log_head
    ));
    Ok(())
}

/// `custos import --ocfl ROOT`.
pub(crate) fn import(archive_arg: Option<&Path>, a: &ImportArgs, root: &Path) -> Result<()> {
    let agent = super::agent(a.agent.as_deref());
    let plan = crate::ocfl::plan(root, &agent)?;
    if plan.metadata_only > 0 {
        super::note(format!(
            "{} object(s) hold metadata only (a redacted item without text) and are not imported",
            plan.metadata_only
        ));
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let total: u64 = plan
        .jobs
        .iter()
        .map(|j| match j.found {
            Found::File { size } => size,
            _ => 0,
        })
        .sum();
    let opts = ImportOptions {
        agent,
        // The catalogue knows file, manifest and bag; an OCFL object is a
        // package like a bag, and its provenance detail names the object.
        method: Method::Bag,
        dry_run: a.dry_run,
        on_duplicate: None,
    };
    let bar = super::progress(total);
    bar.set_length(total);
    let outcomes = if a.dry_run {
        ingest::import(&mut archive, plan.jobs, &opts, &bar)?
    } else {
        ingest::import_atomic(&mut archive, plan.jobs, &opts, &bar, plan.finish)?
    };
    super::import::report_outcomes(&outcomes, a.format, a.dry_run)
}
