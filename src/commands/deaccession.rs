//! `custos deaccession ID... --reason R [--purge-bytes]` (or `--accession
//! NUMBER`): items leave the collection for good.

use std::io::IsTerminal;
use std::path::Path;

use custos::archive::Mode;
use custos::cli::DeaccessionArgs;
use custos::error::{Error, Result};
use custos::ops::deaccession::{self, Bytes, Deaccession, Outcome, Which};
use custos::output::{self, col, Column};

const COLUMNS: &[Column] = &[
    col("id", "Item"),
    col("outcome", "Outcome"),
    col("bytes", "Bytes"),
];

pub fn run(archive_arg: Option<&Path>, a: DeaccessionArgs) -> Result<()> {
    let which = match &a.accession {
        Some(n) => Which::Accession(n.clone()),
        None => Which::Ids(a.ids.clone()),
    };
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if a.purge_bytes && !a.yes && !a.dry_run && !terminal {
        return Err(Error::usage(
            "--purge-bytes erases the stored files for good; run again with --yes to confirm",
        ));
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let agent = super::agent(a.by.as_deref());
    let op = Deaccession {
        which,
        reason: a.reason.clone(),
        purge_bytes: a.purge_bytes,
        agent: agent.clone(),
        dry_run: a.dry_run,
    };
    if terminal && !a.yes && !a.dry_run {
        let would = deaccession::deaccession(
            &mut archive,
            &Deaccession {
                dry_run: true,
                ..op.clone()
            },
        )?;
        let n = would
            .iter()
            .filter(|c| c.outcome == Outcome::Deaccessioned || c.bytes == Bytes::Erased)
            .count();
        let what = if a.purge_bytes {
            "deaccessions them and erases their bytes"
        } else {
            "deaccessions them"
        };
        eprint!("custos: this {what} for good ({n} item(s)); go ahead? [y/N] ");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Error::io("stdin", e))?;
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            super::note("nothing was changed");
            return Ok(());
        }
    }
    let changes = deaccession::deaccession(&mut archive, &op)?;
    let count = |o: Outcome| changes.iter().filter(|c| c.outcome == o).count();
    let erased = changes.iter().filter(|c| c.bytes == Bytes::Erased).count();
    if a.dry_run || a.output.format != custos::output::Format::Table {
        let rows = output::to_values(&changes)?;
        let mut out = super::Stdout::new();
        output::render_list(out.w(), a.output.format, COLUMNS, &rows)?;
        out.finish()?;
    }
    if a.dry_run {
        super::note(format!(
            "dry run: {} item(s) would be deaccessioned, {} already are; {} would have their bytes erased; nothing was changed",
            count(Outcome::Deaccessioned),
            count(Outcome::Already),
            erased
        ));
        return Ok(());
    }
    for c in &changes {
        let bytes = match c.bytes {
            Bytes::Kept => "",
            Bytes::Erased => "; its bytes were erased",
            Bytes::AlreadyErased => "; its bytes were erased before",
        };
        let what = match c.outcome {
            Outcome::Deaccessioned => "deaccessioned",
            Outcome::Already => "was already deaccessioned",
        };
        super::note(format!("item {}: {what}{bytes}", c.id));
    }
    super::note(format!(
        "{} item(s) deaccessioned, {} already so",
        count(Outcome::Deaccessioned),
        count(Outcome::Already)
    ));
    if erased > 0 {
        // Copies at other sites go too; a site out of reach keeps the
        // erasure owed until the next `replicate` or `repair`.
        let sites = custos::sites::finish_purges(&mut archive, &agent, None)?;
        if sites.done > 0 {
            super::note(format!("deleted at sites: {} cop(ies)", sites.done));
        }
        if !sites.pending.is_empty() {
            for (site, n, why) in &sites.pending {
                super::note(format!("site {site}: {n} erasure(s) still owed ({why})"));
            }
            return Err(Error::Site(
                "the bytes are erased here, but not yet at every site; `custos replicate` or `custos repair` finishes it once the site is back".into(),
            ));
        }
    }
    Ok(())
}
