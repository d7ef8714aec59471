//! `custos import --manifest FILE [--check]`: every row checked first, then
//! the files imported, then narrators, testimonies and consent recorded.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::ImportArgs;
use custos::error::{Error, Result};
use custos::ingest::source::{import_from, Manifest as ManifestSource, Source};
use custos::ingest::{self, manifest, manifest_update, ImportOptions};
use custos::ops;

pub fn run(archive_arg: Option<&Path>, a: &ImportArgs, path: &Path) -> Result<()> {
    let opts = custos::manifest::Options {
        ignore_unknown: a.ignore_unknown,
    };
    // Checked over a read-only connection: a refused manifest must leave
    // the archive's files exactly as they were.
    let reader = super::open(archive_arg, Mode::Read)?;
    let fence = ingest::ArchiveFence::new(reader.root())?;
    let (checked, problems) = manifest::validate(&reader, path, &opts, &fence)?;
    if !problems.is_empty() {
        for p in &problems {
            super::note(format!("{}: {p}", path.display()));
        }
        return Err(Error::usage(format!(
            "{}: {} problem(s) in {} row(s); nothing was imported",
            path.display(),
            problems.len(),
            checked.rows
        )));
    }
    if a.check {
        super::note(format!(
            "{}: {} row(s), no problems",
            path.display(),
            checked.rows
        ));
        return Ok(());
    }
    if checked.legal_names > 0 {
        super::note(format!(
            "warning: {} still holds {} legal name(s) in clear text; they are sealed in the archive, but keep the manifest safe or destroy it",
            path.display(),
            checked.legal_names
        ));
    }
    let mode = if a.dry_run { Mode::Read } else { Mode::Write };
    drop(reader);
    let mut archive = super::open(archive_arg, mode)?;
    let agent = super::agent(a.agent.as_deref());
    let source = Box::new(ManifestSource {
        path: path.to_path_buf(),
        opts,
    });
    let import_opts = ImportOptions {
        agent: agent.clone(),
        method: source.method(),
        dry_run: a.dry_run,
        intake: super::import::intake(&archive, a)?,
        // Phase 2 describes duplicates and new items alike (describe_row).
    };
    let plan = source.plan(&archive)?;
    let bar = super::progress(plan.bytes.unwrap_or(0));
    let report = import_from(&mut archive, plan, &import_opts, &bar)?;
    // Interrupted: the files in stay undescribed, that is closed (pending),
    // until the same import is run again.
    if !a.dry_run && !report.interrupted {
        let d = manifest::describe(&mut archive, path, &opts, &report.outcomes, &agent)?;
        super::note(format!(
            "described: testimonies {}, narrators created {}, consent records {}",
            d.testimonies, d.narrators_created, d.consents
        ));
        for (row, why) in &d.failed {
            super::note(format!(
                "{}: row {row}: not described: {why}",
                path.display()
            ));
        }
        if ingest::interrupt::requested() {
            super::import::report_outcomes(&report, a.format, a.dry_run)?;
            return Err(Error::Failed(
                "interrupted while describing: the files above are in; rows not yet described keep their testimonies closed (pending) until the same import is run again".into(),
            ));
        }
        if !d.failed.is_empty() {
            super::import::report_outcomes(&report, a.format, a.dry_run)?;
            return Err(Error::Failed(format!(
                "{} row(s) could not be described; their files are in, closed until fixed; run the same import again after fixing them",
                d.failed.len()
            )));
        }
    }
    let refused = updates(&mut archive, a, path, &opts, &report.outcomes, &agent)?;
    super::import::report_outcomes(&report, a.format, a.dry_run)?;
    if refused > 0 {
        return Err(Error::Failed(format!(
            "{refused} value(s) for items already in the archive were refused (above); fix the manifest and run it again"
        )));
    }
    Ok(())
}

/// Values rows give items that were already in the archive: applied with
/// --update (one transaction), else reported as ignored. Returns how many
/// were refused as conflicts.
fn updates(
    archive: &mut custos::archive::Archive,
    a: &ImportArgs,
    path: &Path,
    opts: &custos::manifest::Options,
    outcomes: &[custos::ingest::FileOutcome],
    agent: &str,
) -> Result<usize> {
    let diff = manifest_update::differences(archive, path, opts, outcomes)?;
    let m = path.display();
    for c in &diff.conflicts {
        super::note(format!("{m}: {c}"));
    }
    let shown = |v: &Option<String>| v.as_deref().map_or("(empty)".into(), |v| format!("{v:?}"));
    for d in &diff.changes {
        let what = format!(
            "{m}: row {}, {}: item {} has {}, the row gives {:?}",
            d.row,
            d.field.name(),
            d.item,
            shown(&d.old),
            d.new
        );
        super::note(if !a.update {
            format!("{what}: ignored (use --update to change it)")
        } else if a.dry_run {
            format!("{what}: would change")
        } else {
            format!("{what}: changed")
        });
    }
    if a.update && !a.dry_run && !diff.changes.is_empty() {
        let done = ops::edit_each(
            archive,
            &ops::EditEach {
                edits: diff.by_item(),
                agent: agent.to_string(),
                key: custos::keys::KeyFile::new(None),
            },
        )?;
        super::note(format!(
            "updated {} item(s) already in the archive",
            done.iter().filter(|e| !e.changes.is_empty()).count()
        ));
    }
    // Without --update nothing was going to change: a conflict is one more
    // value ignored, reported above.
    Ok(if a.update { diff.conflicts.len() } else { 0 })
}
