//! `custos bag ...`: BagIt bags. `bag validate` checks one and lists every
//! problem; it needs no archive and never writes.

use crate::bagit;
use crate::cli::{BagCommand, BagValidateArgs};
use crate::error::{Error, Result};
use crate::output::{self, col, human_bytes, Column};

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
    if report.is_valid() {
        let algs: Vec<&str> = report.algorithms.iter().map(|a| a.name()).collect();
        super::note(format!(
            "{shown}: valid bag (BagIt {}): {} payload files, {}, checked with {}",
            report.version.as_deref().unwrap_or("?"),
            report.payload_files,
            human_bytes(report.payload_bytes),
            algs.join(", ")
        ));
        Ok(())
    } else {
        Err(Error::Failed(format!(
            "{shown}: not a valid bag: {} problem(s) listed",
            report.problems.len()
        )))
    }
}
