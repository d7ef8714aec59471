//! `custos replicate` and the report it shares with `repair`: parse, call
//! `custos::sites`, say what was done on stderr, and exit with what is
//! left (14 a site failed, 1 copies still short).

use std::path::Path;

use custos::archive::Mode;
use custos::cli::ReplicateArgs;
use custos::error::{Error, Result};
use custos::sites::{self, ReplicateOptions, WorkReport};

pub fn run(archive_arg: Option<&Path>, a: ReplicateArgs) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let report = sites::replicate(
        &mut archive,
        &ReplicateOptions {
            copies: a.copies,
            agent: super::agent(a.agent.as_deref()),
        },
    )?;
    finish(&report, "replicate")
}

/// Says what a run did and turns what is left into the exit status.
pub(crate) fn finish(r: &WorkReport, what: &str) -> Result<()> {
    super::note(format!(
        "{what}: {} copied, {} already there, {} repaired, {} pruned, {} interrupted upload(s) cleaned, {} purge(s) finished at sites",
        r.copied, r.adopted, r.repaired, r.pruned, r.aborted_uploads, r.purges.done
    ));
    for f in &r.failures {
        super::note(f);
    }
    for (site, n, why) in &r.purges.pending {
        super::note(format!("site {site}: {n} purge(s) still owed ({why})"));
    }
    if r.short > 0 {
        super::note(format!(
            "{} object(s) still have fewer than {} good copies",
            r.short, r.wanted
        ));
    }
    if r.is_complete() {
        return Ok(());
    }
    let site_failed = !r.purges.pending.is_empty();
    let msg = format!("{what} did not finish; run it again once the problems above are fixed");
    if site_failed || !r.failures.is_empty() {
        Err(Error::Site(msg))
    } else {
        Err(Error::Failed(msg))
    }
}
