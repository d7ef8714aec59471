//! `custos import`: files and folders in, one outcome per file out.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{ImportArgs, MetaArgs};
use custos::edtf::Edtf;
use custos::error::{Error, Result};
use custos::ingest::{self, Found, ImportOptions, ItemMeta, Status};
use custos::model::{Kind, Method};
use custos::output::{self, col, Format};

pub fn run(archive_arg: Option<&Path>, a: ImportArgs) -> Result<()> {
    // Ctrl-C stops the import cleanly instead of killing it mid-chunk.
    ingest::interrupt::install()?;
    if let Some(m) = a.manifest.clone() {
        return super::import_manifest::run(archive_arg, &a, &m);
    }
    if let Some(dir) = a.bag.clone() {
        return super::bag::import(archive_arg, &a, &dir);
    }
    let mut meta = item_meta(&a.meta)?;
    meta.terms = super::tag::term_list(&a.terms, &[])?;
    let agent = super::agent(a.agent.as_deref());
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let (hook, on_duplicate) = testimony_hook(&archive, &a, &mut meta)?;
    // Before anything is read: the archive never imports itself.
    let fence = ingest::ArchiveFence::new(archive.root())?;
    fence.refuse_inside(&a.paths)?;
    let mut jobs = ingest::jobs_for_paths(&a.paths, &meta, a.origin.as_deref(), &fence);
    for j in &mut jobs {
        j.after_insert = hook.clone();
    }
    let method = Method::File;
    let files = jobs
        .iter()
        .filter(|j| matches!(j.found, Found::File { .. }))
        .count();
    if meta.title.is_some() && files > 1 {
        return Err(Error::usage(format!(
            "--title names one item, but {files} files were given; leave it out to take each title from its document"
        )));
    }
    let total: u64 = jobs
        .iter()
        .map(|j| {
            if let Found::File { size } = j.found {
                size
            } else {
                0
            }
        })
        .sum();
    let opts = ImportOptions {
        agent,
        method,
        dry_run: a.dry_run,
        intake: intake(&archive, &a)?,
        on_duplicate,
    };
    let bar = super::progress(total);
    bar.set_length(total);
    let report = ingest::import(&mut archive, jobs, &opts, &bar)?;
    report_outcomes(&report, a.format, a.dry_run)
}

/// The access new items start with: `--intake`, else the archive's setting.
pub(crate) fn intake(
    archive: &custos::archive::Archive,
    a: &ImportArgs,
) -> Result<custos::model::Intake> {
    match a.intake.intake {
        Some(i) => Ok(i),
        None => archive.intake(),
    }
}

/// Per-file records on stdout (or failures on stderr for tables), the
/// summary on stderr, and exit 1 if any file failed.
pub(crate) fn report_outcomes(
    report: &ingest::Report,
    format: Format,
    dry_run: bool,
) -> Result<()> {
    let rows: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| format != Format::Table || matches!(o.status, Status::Failed | Status::Skipped))
        .map(output::to_value)
        .collect::<Result<_>>()?;
    const COLS: &[output::Column] = &[
        col("path", "path"),
        col("status", "status"),
        col("id", "id"),
        col("sha256", "sha256"),
        col("reason", "reason"),
    ];
    let mut out = super::Stdout::new();
    if format == Format::Table {
        // The table is for a person: only what needs attention, on stderr.
        for o in &report.outcomes {
            // Files an interrupted import did not reach are counted below.
            let not_reached = o.reason.as_deref() == Some(ingest::interrupt::NOT_REACHED);
            if matches!(o.status, Status::Failed | Status::Skipped) && !not_reached {
                let status = if o.status == Status::Failed {
                    "failed"
                } else {
                    "skipped"
                };
                super::note(format!(
                    "{status}: {}: {}",
                    o.path,
                    o.reason.as_deref().unwrap_or("")
                ));
            }
        }
    } else {
        output::render_list(out.w(), format, COLS, &rows)?;
    }
    out.finish()?;
    let failed = report.count(Status::Failed);
    let not_reached = report
        .outcomes
        .iter()
        .filter(|o| o.reason.as_deref() == Some(ingest::interrupt::NOT_REACHED))
        .count();
    super::note(format!(
        "{}imported {}, duplicates {}, skipped {}, failed {}",
        if dry_run { "dry run: would have " } else { "" },
        report.count(Status::Imported),
        report.count(Status::Duplicate),
        report.count(Status::Skipped) - not_reached,
        failed
    ));
    if report.interrupted {
        return Err(Error::Failed(format!(
            "interrupted: stopped cleanly. Every file counted above is in the archive with its rows and nothing half-stored was left behind; {not_reached} file(s) under way were not stored and later ones were not looked at. Run the same import again to finish"
        )));
    }
    if failed > 0 {
        return Err(Error::Failed(format!(
            "{failed} file(s) failed; the others were imported. Fix the cause and run the same import again"
        )));
    }
    Ok(())
}

/// The hooks of an import that describes testimonies: for new items and
/// for duplicates of items already in the archive.
type TestimonyHooks = (
    Option<std::sync::Arc<ingest::AfterInsert>>,
    Option<std::sync::Arc<dyn ingest::OnDuplicate>>,
);

/// With `--narrator N`, the hook that makes each new item a testimony of N
/// (and the kind `testimony`), and the one that does the same to the item
/// a duplicate belongs to; with `--kind testimony` alone, only the latter
/// (a new item gets the kind from its metadata). Checked before anything
/// is imported.
fn testimony_hook(
    archive: &custos::archive::Archive,
    a: &ImportArgs,
    meta: &mut ItemMeta,
) -> Result<TestimonyHooks> {
    let agent = super::agent(a.agent.as_deref());
    let Some(narrator) = a.narrator else {
        let i = &a.interview;
        if i.interview_date.is_some() || i.interview_place.is_some() || i.interviewer.is_some() {
            return Err(Error::usage(
                "--interview-date, --interview-place and --interviewer describe a testimony; give --narrator N too",
            ));
        }
        let dup = (meta.kind == Some(Kind::Testimony))
            .then(|| custos::ops::testimony::duplicate_hook(None, agent));
        return Ok((None, dup));
    };
    match meta.kind {
        None | Some(Kind::Testimony) => meta.kind = Some(Kind::Testimony),
        Some(k) => {
            return Err(Error::usage(format!(
                "--narrator makes items testimonies, but --kind {k} was given"
            )))
        }
    }
    let fields = super::testimony::fields(archive, narrator, &a.interview)?;
    let dup = custos::ops::testimony::duplicate_hook(Some(fields.clone()), agent.clone());
    Ok((
        Some(custos::ops::testimony::import_hook(fields, agent)),
        Some(dup),
    ))
}

/// Validates the metadata flags before anything is read or written.
pub(crate) fn item_meta(m: &MetaArgs) -> Result<ItemMeta> {
    let date = m
        .date
        .as_deref()
        .map(str::parse::<Edtf>)
        .transpose()
        .map_err(|e| Error::usage(format!("--date: {e}")))?;
    let nonempty = |field: &str, v: &Option<String>| -> Result<Option<String>> {
        match v {
            Some(s) if s.trim().is_empty() => {
                Err(Error::usage(format!("--{field} cannot be empty")))
            }
            other => Ok(other.clone()),
        }
    };
    Ok(ItemMeta {
        title: nonempty("title", &m.title)?,
        kind: m.kind,
        date,
        language: nonempty("language", &m.language)?,
        creator: nonempty("creator", &m.creator)?,
        description: nonempty("description", &m.description)?,
        collection: nonempty("collection", &m.collection)?,
        terms: Vec::new(),
    })
}
