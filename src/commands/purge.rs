//! `custos purge ID --yes`: erase a withdrawn testimony for good.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::PurgeArgs;
use custos::error::{Error, Result};
use custos::purge::{self, PurgeOptions};

pub fn run(archive_arg: Option<&Path>, a: PurgeArgs) -> Result<()> {
    let id = a.id;
    if !a.yes {
        return Err(Error::usage(format!(
            "purge erases item {id} for good (bytes, text, provenance, event details); run again with --yes to confirm"
        )));
    }
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let outcome = purge::purge(
        &mut archive,
        &PurgeOptions {
            item: id,
            agent: super::agent(a.agent.as_deref()),
            reason: a.reason.filter(|r| !r.trim().is_empty()),
        },
    )?;
    if outcome.already_purged {
        super::note(format!(
            "item {id} was already purged; the catalogue file was cleaned again"
        ));
    } else {
        super::note(format!(
            "item {id} purged{}",
            if outcome.narrator_removed {
                "; its narrator and sealed identity were erased too"
            } else {
                ""
            }
        ));
    }
    // The bytes at other sites go too; a site out of reach keeps the purge
    // owed (shown by `site list` and `verify --site`) until the next run.
    let agent = super::agent(a.agent.as_deref());
    let sites = custos::sites::finish_purges(&mut archive, &agent, None)?;
    if sites.done > 0 {
        super::note(format!("deleted at sites: {} cop(ies)", sites.done));
    }
    for (site, n, why) in &sites.pending {
        super::note(format!("site {site}: {n} purge(s) still owed ({why})"));
    }
    if !outcome.wal_truncated {
        return Err(Error::Failed(format!(
            "another process has the archive open, so the write-ahead log could not be truncated and may still hold erased data; close it and run `custos purge {id} --yes` again"
        )));
    }
    if !sites.pending.is_empty() {
        return Err(Error::Site(format!(
            "item {id} is purged here, but not yet at every site; `custos replicate` or `custos repair` finishes it once the site is back"
        )));
    }
    Ok(())
}
