//! `custos export --ocfl ROOT` and `custos import --ocfl ROOT`: OCFL 1.1
//! storage roots out and in (the library side is `custos::ocfl`). Import
//! checks the whole root (the `ingest::source::Ocfl` plan) before anything
//! is written, then imports in one transaction, so a refused root leaves
//! nothing behind.

use std::path::Path;

use custos::archive::{Archive, Mode};
use custos::cli::ImportArgs;
use custos::error::Result;
use custos::export::ExportOptions;
use custos::ingest::source::{import_from, Ocfl, Source};
use custos::ingest::ImportOptions;

pub(crate) fn export(archive: &mut Archive, root: &Path, opts: &ExportOptions) -> Result<()> {
    let s = custos::ocfl::export(archive, root, opts)?;
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
    if s.signed_head {
        notes.push(format!(
            "the latest signed head is at {}",
            root.join(custos::head::KEPT).display()
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
    let source = Box::new(Ocfl {
        root: root.to_path_buf(),
        agent: agent.clone(),
    });
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let opts = ImportOptions {
        agent,
        method: source.method(),
        dry_run: a.dry_run,
        // As for a bag: the intake, then the access a custodian root's
        // records carry, replayed by the restore.
        intake: super::import::intake(&archive, a)?,
    };
    // The whole root is checked here, before anything is written.
    let plan = source.plan(&archive)?;
    for n in &plan.notes {
        super::note(n);
    }
    let bar = super::progress(plan.bytes.unwrap_or(0));
    let outcomes = import_from(&mut archive, plan, &opts, &bar)?;
    super::import::report_outcomes(&outcomes, a.format, a.dry_run)
}
