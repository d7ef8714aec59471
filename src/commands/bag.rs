//! `custos bag ...`: BagIt bags. `bag validate` checks one (any BagIt
//! version from 0.93 to 1.0), lists every problem and says whether the bag
//! is valid, complete but invalid, or incomplete; it needs no archive and
//! never writes. Also `import --bag`: only a valid, complete bag is
//! imported; it is validated whole before the archive is opened, then
//! imported in one transaction, so a refused bag leaves nothing behind.

use std::path::Path;

use custos::archive::Mode;
use custos::bagit;
use custos::cli::{BagCommand, BagValidateArgs, ImportArgs};
use custos::error::{Error, Result};
use custos::ingest::source::{import_from, Bag, Source};
use custos::ingest::ImportOptions;
use custos::output::{self, col, human_bytes, Column};

const COLUMNS: &[Column] = &[
    col("problem", "Problem"),
    col("path", "Path"),
    col("detail", "Detail"),
];

pub fn run(cmd: BagCommand) -> Result<()> {
    match cmd {
        BagCommand::Validate(a) => validate(a),
    }
}

fn validate(a: BagValidateArgs) -> Result<()> {
    let report = bagit::validate(&a.dir)?;
    for w in &report.warnings {
        super::note(format!("warning: {}: {}", w.path, w.detail));
    }
    let rows: Vec<_> = report
        .problems
        .iter()
        .map(output::to_value)
        .collect::<Result<_>>()?;
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, COLUMNS, &rows)?;
    out.finish()?;
    let shown = a.dir.display();
    let version = report.version.as_deref().unwrap_or("?");
    match report.verdict() {
        bagit::Verdict::Valid => {
            let algs: Vec<&str> = report.algorithms.iter().map(|a| a.name()).collect();
            super::note(format!(
                "{shown}: valid bag (BagIt {version}): {} payload files, {}, checked with {}",
                report.payload_files,
                human_bytes(report.payload_bytes),
                algs.join(", ")
            ));
            Ok(())
        }
        bagit::Verdict::Incomplete => Err(Error::Failed(format!(
            "{shown}: incomplete bag (BagIt {version}): {} file(s) listed in fetch.txt are not in it; \
             everything present checks out. custos fetches nothing: download each listed URL to its path in the bag, then validate again",
            report.not_fetched().count()
        ))),
        bagit::Verdict::Invalid => {
            let pending = report.not_fetched().count();
            Err(Error::Failed(format!(
                "{shown}: not a valid bag (BagIt {version}): {} problem(s) listed{}",
                report.problems.len() - pending,
                if pending > 0 {
                    format!("; it is also incomplete ({pending} file(s) in fetch.txt not in it)")
                } else {
                    String::new()
                }
            )))
        }
    }
}

/// `custos import --bag DIR`.
pub(crate) fn import(archive_arg: Option<&Path>, a: &ImportArgs, dir: &Path) -> Result<()> {
    let report = bagit::validate(dir)?;
    if !report.valid {
        for p in &report.problems {
            let kind = serde_json::to_value(p.problem).unwrap_or_default();
            super::note(format!(
                "{}: {}: {}",
                kind.as_str().unwrap_or("problem"),
                p.path,
                p.detail
            ));
        }
        return Err(Error::usage(report.refusal().unwrap_or_default()));
    }
    let agent = super::agent(a.agent.as_deref());
    let source = Box::new(Bag {
        dir: dir.to_path_buf(),
        report,
        agent: agent.clone(),
    });
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let opts = ImportOptions {
        agent,
        method: source.method(),
        dry_run: a.dry_run,
        intake: super::import::intake(&archive, a)?,
        // A bag's records say what each item is; a duplicate whose state
        // differs is refused by the restore, never merged.
    };
    let plan = source.plan(&archive)?;
    let bar = super::progress(plan.bytes.unwrap_or(0));
    let outcomes = import_from(&mut archive, plan, &opts, &bar)?;
    super::import::report_outcomes(&outcomes, a.format, a.dry_run)
}
