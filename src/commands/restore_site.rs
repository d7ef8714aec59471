//! `custos backup --site NAME` and `custos restore --site NAME|URL DIR`:
//! parse, call `custos::sites::backup`, say what happened.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::RestoreArgs;
use custos::error::{Error, Result};
use custos::sites::backup::{self, RestoreFrom};

pub fn backup(archive_arg: Option<&Path>, site: &str, agent: Option<&str>) -> Result<()> {
    let mut archive = super::open(archive_arg, Mode::Write)?;
    let done = backup::backup_to_site(&mut archive, site, &super::agent(agent))?;
    super::note(format!(
        "catalogue snapshot at site {} under {} ({} object(s) copied there first)",
        done.site, done.prefix, done.copied
    ));
    let mut out = super::Stdout::new();
    writeln!(out.w(), "{}", done.head).map_err(Error::stdout)?;
    out.finish()
}

pub fn run(archive_arg: Option<&Path>, a: RestoreArgs) -> Result<()> {
    let site = if a.site.contains("://") {
        backup::site_from_url(&a.site, a.endpoint, a.region, a.credentials_file, a.profile)?
    } else {
        let archive = super::open(archive_arg, Mode::Read)?;
        backup::site_named(&archive, &a.site)?
    };
    let done = backup::restore_from_site(
        &RestoreFrom { site },
        &a.dir,
        &super::agent(a.agent.as_deref()),
    )?;
    for f in &done.failures {
        super::note(format!("not restored: {f}"));
    }
    super::note(format!(
        "restored {} object(s) into {}",
        done.objects,
        done.dir.display()
    ));
    let mut out = super::Stdout::new();
    writeln!(out.w(), "{}", done.head).map_err(Error::stdout)?;
    out.finish()?;
    if done.failures.is_empty() && !done.damaged {
        Ok(())
    } else {
        Err(Error::Failed(format!(
            "the restored archive in {} is INCOMPLETE or damaged; run `custos --archive {} verify` for the list",
            done.dir.display(),
            done.dir.display()
        )))
    }
}
