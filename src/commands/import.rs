//! `custos import`: files and folders in, one outcome per file out.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{ImportArgs, MetaArgs};
use custos::edtf::Edtf;
use custos::error::{Error, Result};
use std::sync::Arc;

use custos::ingest::source::{import_from, Files, Source};
use custos::ingest::{self, Describer, ImportOptions, ItemMeta, Status};
use custos::model::Kind;
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
    if let Some(root) = a.ocfl.clone() {
        return super::ocfl::import(archive_arg, &a, &root);
    }
    let mut meta = item_meta(&a.meta)?;
    meta.terms = super::tag::term_list(&a.terms, &[])?;
    meta.accession = a.accession.clone();
    let agent = super::agent(a.agent.as_deref());
    let mut archive = super::open(archive_arg, Mode::Write)?;
    if let Some(number) = &a.accession {
        custos::ops::accession::require(&archive, number)?;
    }
    let describer = testimony_describer(&archive, &a, &mut meta)?;
    let bar = super::progress_growing();
    let source = Box::new(Files {
        paths: a.paths.clone(),
        meta,
        origin: a.origin.clone(),
        describer,
        found: super::grow_progress(&bar),
    });
    let opts = ImportOptions {
        agent,
        method: source.method(),
        dry_run: a.dry_run,
        intake: intake(&archive, &a)?,
    };
    let plan = source.plan(&archive)?;
    if let Some(bytes) = plan.bytes {
        super::show_progress_if_long(&bar, bytes);
    }
    let report = import_from(&mut archive, plan, &opts, &bar)?;
    report_outcomes(&report, a.format, a.dry_run)
}

/// The access new items start with: `--intake`, else the archive's setting.
pub(crate) fn intake(
    archive: &custos::archive::Archive,
    a: &ImportArgs,
) -> Result<custos::model::Intake> {
    match a.intake.intake.or(super::defaults().intake) {
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
        if !dry_run {
            for line in imported_ids(report) {
                super::note(line);
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
            "{failed} file(s) failed; {}. Fix the cause and run the same import again",
            what_was_kept(report, dry_run)
        )));
    }
    Ok(())
}

/// What a failed import still did, so nobody reads "the others were
/// imported" when there were none.
fn what_was_kept(report: &ingest::Report, dry_run: bool) -> String {
    let imported = report.count(Status::Imported);
    let duplicates = report.count(Status::Duplicate);
    match (dry_run, imported, duplicates) {
        (true, _, _) => "nothing was stored (dry run)".to_string(),
        (false, 0, 0) => "nothing was imported".to_string(),
        (false, 0, d) => format!("nothing new was imported ({d} already in the archive)"),
        (false, i, _) => format!("the {i} file(s) counted as imported are in the archive"),
    }
}

/// Up to this many files, a table import names each file's item; beyond
/// it, the new items as ranges of ids.
const ITEMS_NAMED: usize = 20;

/// Which item each file became, for a person reading the summary: one line
/// per file for a small import, else the new items' ids as ranges.
fn imported_ids(report: &ingest::Report) -> Vec<String> {
    let done: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| matches!(o.status, Status::Imported | Status::Duplicate))
        .filter_map(|o| Some((o.id?, o)))
        .collect();
    if done.len() <= ITEMS_NAMED {
        return done
            .iter()
            .map(|(id, o)| match o.status {
                Status::Duplicate => format!("item {id} (already in the archive): {}", o.path),
                _ => format!("item {id}: {}", o.path),
            })
            .collect();
    }
    let mut ids: Vec<i64> = done
        .iter()
        .filter(|(_, o)| o.status == Status::Imported)
        .map(|(id, _)| id.0)
        .collect();
    ids.sort_unstable();
    if ids.is_empty() {
        return Vec::new();
    }
    let mut ranges: Vec<String> = Vec::new();
    let mut start = ids[0];
    let mut prev = ids[0];
    for &id in &ids[1..] {
        if id != prev + 1 {
            ranges.push(range(start, prev));
            start = id;
        }
        prev = id;
    }
    ranges.push(range(start, prev));
    vec![format!("new items: {}", ranges.join(", "))]
}

fn range(a: i64, b: i64) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}–{b}")
    }
}

/// With `--narrator N`, the describer that makes each new item a
/// testimony of N (and the kind `testimony`), and the item a duplicate
/// belongs to too; with `--kind testimony` alone, one that does the latter
/// (a new item gets the kind from its metadata). Checked before anything
/// is imported.
fn testimony_describer(
    archive: &custos::archive::Archive,
    a: &ImportArgs,
    meta: &mut ItemMeta,
) -> Result<Option<Arc<dyn Describer>>> {
    let agent = super::agent(a.agent.as_deref());
    let Some(narrator) = a.narrator else {
        let i = &a.interview;
        if i.interview_date.is_some() || i.interview_place.is_some() || i.interviewer.is_some() {
            return Err(Error::usage(
                "--interview-date, --interview-place and --interviewer describe a testimony; give --narrator N too",
            ));
        }
        return Ok((meta.kind == Some(Kind::Testimony))
            .then(|| custos::ops::testimony::describer(None, agent)));
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
    Ok(Some(custos::ops::testimony::describer(Some(fields), agent)))
}

/// Validates the metadata flags before anything is read or written.
pub(crate) fn item_meta(m: &MetaArgs) -> Result<ItemMeta> {
    let date = m
        .date
        .as_deref()
        .map(str::parse::<Edtf>)
        .transpose()
        .map_err(|e| Error::usage(format!("--date: {e}")))?;
    let coverage = m
        .coverage
        .as_deref()
        .map(str::parse::<Edtf>)
        .transpose()
        .map_err(|e| Error::usage(format!("--coverage: {e}")))?;
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
        language: nonempty("language", &m.language)?
            .map(|l| custos::language::check(&l))
            .transpose()
            .map_err(|e| Error::usage(format!("--language: {e}")))?,
        creator: nonempty("creator", &m.creator)?,
        description: nonempty("description", &m.description)?,
        collection: nonempty("collection", &m.collection)?,
        coverage,
        rights: m
            .rights
            .as_deref()
            .map(custos::rights::check)
            .transpose()
            .map_err(|e| Error::usage(format!("--rights: {e}")))?,
        location: nonempty("location", &m.location)?,
        terms: Vec::new(),
        accession: None,
        notes: Vec::new(),
    })
}
