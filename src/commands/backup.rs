//! `custos backup DEST`: a consistent, verified copy of the archive
//! (`custos::backup`), and what it says about it.

use std::path::Path;

use custos::archive;
use custos::backup::{self, BackupOptions};
use custos::cli::BackupArgs;
use custos::error::{Error, Result};
use custos::output;

pub fn run(archive_arg: Option<&Path>, a: BackupArgs) -> Result<()> {
    if let Some(site) = &a.site {
        return super::restore_site::backup(archive_arg, site, a.agent.as_deref());
    }
    let Some(dest) = a.dest else {
        return Err(Error::usage("backup needs DEST or --site NAME"));
    };
    let root = archive::locate(archive_arg)?;
    let done = backup::backup(
        &root,
        &BackupOptions {
            dest,
            jobs: a.jobs.map(usize::from),
            agent: super::agent(a.agent.as_deref()),
        },
    )?;
    for f in &done.failures {
        super::note(format!("not copied: {f}"));
    }
    let mut out = super::Stdout::new();
    writeln!(out.w(), "{}", done.head).map_err(Error::stdout)?;
    out.finish()?;
    if let Some(e) = &done.not_logged {
        super::note(format!(
            "the backup was not noted in the archive's log: {e}"
        ));
    }
    if !done.is_good() {
        for d in &done.damage {
            super::note(format!("copy: {d}"));
        }
        return Err(Error::Failed(format!(
            "backup in {} is INCOMPLETE or damaged ({} object(s) not copied); run `custos verify` on the archive, fix it, and back up again to a new folder",
            done.dest.display(),
            done.failures.len()
        )));
    }
    super::note(format!(
        "backed up {} object(s) ({}) to {}; the copy verifies; head {} (event {}) written to {}",
        done.objects,
        output::human_bytes(done.bytes),
        done.dest.display(),
        done.head,
        done.head_id,
        done.head_file.display()
    ));
    if let Some(file) = &done.signed_head {
        super::note(format!(
            "the latest signed head was copied to {}",
            file.display()
        ));
    }
    Ok(())
}
