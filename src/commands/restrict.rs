//! `custos restrict ITEM --from T --to T --reason R`, `--list`, `--lift N`:
//! passage restrictions of a recording. Parse, call, render.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{PassageArgs, PassageLevelArg};
use custos::error::{Error, Result};
use custos::ops::passage::{self, Restrict};
use custos::output::{self, col, Column};
use custos::policy::passage::PassageLevel;
use custos::reader::Reader;

const COLUMNS: &[Column] = &[
    col("id", "#"),
    col("from", "From"),
    col("to", "To"),
    col("level", "Closed below"),
    col("until", "Until"),
    col("reason", "Reason"),
    col("lifted", "Lifted"),
    col("recorded_at", "Recorded at"),
    col("recorded_by", "By"),
];

pub fn run(archive_arg: Option<&Path>, a: PassageArgs) -> Result<()> {
    if a.list {
        let archive = super::open(archive_arg, Mode::Read)?;
        let access = super::access(&archive, &a.access)?;
        let rows = Reader::new(&archive, access, custos::clock::today()).passages(a.id)?;
        let mut out = super::Stdout::new();
        output::render_list(
            out.w(),
            a.output.format,
            COLUMNS,
            &output::to_values(&rows)?,
        )?;
        return out.finish();
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let agent = super::agent(a.by.as_deref());
    note_expiries(&mut archive, &agent)?;
    if let Some(n) = a.lift {
        passage::lift(&mut archive, a.id, n, &agent)?;
        super::note(format!("item {}: passage restriction {n} lifted", a.id));
        return Ok(());
    }
    let (Some(from), Some(to), Some(reason)) = (a.from, a.to, a.reason) else {
        return Err(Error::usage(
            "give --from, --to and --reason (or --list, or --lift N)",
        ));
    };
    let n = passage::restrict(
        &mut archive,
        &Restrict {
            item: a.id,
            from,
            to,
            level: match a.level {
                PassageLevelArg::Custodian => PassageLevel::Custodian,
                PassageLevelArg::Research => PassageLevel::Research,
            },
            until: a.until,
            reason,
            agent,
            today: custos::clock::today(),
        },
    )?;
    super::note(format!(
        "item {}: passage {from}–{to} closed (restriction {n})",
        a.id
    ));
    Ok(())
}

/// Puts in the history each passage restriction whose end day has come
/// (`ops::passage::record_expiries`), and says so.
pub(crate) fn note_expiries(archive: &mut custos::archive::Archive, agent: &str) -> Result<()> {
    for (item, n) in passage::record_expiries(archive, agent, custos::clock::today())? {
        super::note(format!(
            "item {item}: passage restriction {n} ended on its day; recorded in the history"
        ));
    }
    Ok(())
}
