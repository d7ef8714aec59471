//! `custos access ID... --close|--restrict research|--open` (or `--query Q`),
//! and `custos access ID --history`: an item's own access, whatever its kind.

use std::io::IsTerminal;
use std::path::Path;

use custos::archive::Mode;
use custos::cli::ItemAccessArgs;
use custos::error::{Error, Result};
use custos::model::{ItemAccess, RestrictTo};
use custos::ops::access::{self, Outcome, SetAccess, Targets};
use custos::output::{self, col, Column};
use custos::reader::Reader;

const HISTORY_COLUMNS: &[Column] = &[
    col("id", "#"),
    col("access", "Access"),
    col("until", "Until"),
    col("reason", "Reason"),
    col("recorded_at", "Recorded at"),
    col("recorded_by", "By"),
];

const CHANGE_COLUMNS: &[Column] = &[
    col("id", "Item"),
    col("was", "Was"),
    col("was_until", "Until"),
    col("now", "Now"),
    col("until", "Until"),
    col("outcome", "Outcome"),
];

pub fn run(archive_arg: Option<&Path>, a: ItemAccessArgs) -> Result<()> {
    if a.history {
        return history(archive_arg, a);
    }
    let level = match (a.close, a.restrict, a.open) {
        (true, None, false) => ItemAccess::Closed,
        (false, Some(RestrictTo::Research), false) => ItemAccess::Research,
        (false, None, true) => ItemAccess::Open,
        _ => {
            return Err(Error::usage(
                "give one of --close, --restrict research or --open",
            ))
        }
    };
    let targets = match a.query.as_deref() {
        Some(q) => Targets::Query(custos::query::parse_line(q)?),
        None => Targets::Ids(a.ids.clone()),
    };
    // A dry run resolves the targets in a write transaction it never
    // writes to, so what it lists is what a real run would change.
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let op = SetAccess {
        targets,
        level,
        until: a.until,
        reason: a.reason.clone(),
        agent: super::agent(a.by.as_deref()),
        dry_run: a.dry_run,
        today: custos::clock::today(),
    };
    if !a.dry_run && !a.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let would = access::set(
            &mut archive,
            &SetAccess {
                dry_run: true,
                ..op.clone()
            },
        )?;
        let n = would
            .iter()
            .filter(|c| c.outcome == Outcome::Changed)
            .count();
        if n > CONFIRM_ABOVE && !confirm(n, level)? {
            super::note("nothing was changed");
            return Ok(());
        }
    }
    let changes = access::set(&mut archive, &op)?;
    let count = |o: Outcome| changes.iter().filter(|c| c.outcome == o).count();
    if a.dry_run {
        let rows = output::to_values(&changes)?;
        let mut out = super::Stdout::new();
        output::render_list(out.w(), a.output.format, CHANGE_COLUMNS, &rows)?;
        out.finish()?;
        super::note(format!(
            "dry run: {} item(s) would change, {} already {level}; nothing was changed",
            count(Outcome::Changed),
            count(Outcome::Unchanged)
        ));
    } else {
        let until = a.until.map(|d| format!(" until {d}")).unwrap_or_default();
        for c in changes.iter().filter(|c| c.outcome == Outcome::Changed) {
            super::note(format!(
                "item {}: {} (was {})",
                c.id,
                describe(level),
                c.was
            ));
        }
        super::note(format!(
            "{} item(s) now {level}{until}, {} already so",
            count(Outcome::Changed),
            count(Outcome::Unchanged)
        ));
    }
    for c in changes
        .iter()
        .filter(|c| c.outcome == Outcome::SkippedPurged)
    {
        super::note(format!("item {}: skipped: it was purged", c.id));
    }
    Ok(())
}

/// A batch larger than this asks on a terminal before it writes.
const CONFIRM_ABOVE: usize = 20;

fn confirm(n: usize, level: ItemAccess) -> Result<bool> {
    eprint!("custos: this changes the access of {n} items to {level}; go ahead? [y/N] ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("stdin", e))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

fn describe(level: ItemAccess) -> &'static str {
    match level {
        ItemAccess::Open => "opened",
        ItemAccess::Closed => "closed below custodian",
        ItemAccess::Research => "restricted to research",
    }
}

fn history(archive_arg: Option<&Path>, a: ItemAccessArgs) -> Result<()> {
    let [id] = a.ids[..] else {
        return Err(Error::usage(
            "--history shows one item: give exactly one ID",
        ));
    };
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let rows = output::to_values(
        &Reader::new(&archive, access, custos::clock::today()).access_history(id)?,
    )?;
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, HISTORY_COLUMNS, &rows)?;
    out.finish()
}
