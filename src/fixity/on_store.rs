//! `verify` of an archive whose originals are kept at a primary store
//! (`init --objects`): the store's copies are re-hashed there (as
//! `verify --site` does, recording each outcome on its copy row), and what
//! that finds joins the local report as findings of the same kinds.
//!
//! It reads the store and records outcomes; it never repairs, and it never
//! names a key except for an untracked object (a digest can identify an
//! item's bytes, and the findings of a damaged copy name the item instead).

use crate::archive::Archive;
use crate::catalogue::fixity::Outcome;
use crate::error::Result;
use crate::sites::{self, VerifySiteOptions};

use super::{Finding, Kind, VerifyReport};

/// Where the originals are at a primary store (checked there by
/// [`check`]), drops from `selected` those with no copy under `objects`:
/// only copies that happen to be here are hashed here.
pub(super) fn keep_local(
    conn: &rusqlite::Connection,
    objects: &std::path::Path,
    selected: &mut Vec<crate::catalogue::fixity::Expected>,
) -> Result<()> {
    if sites::primary::site(conn)?.is_some() {
        selected.retain(|e| crate::store::object_path(objects, &e.sha256).is_file());
    }
    Ok(())
}

/// Checks the primary store's copies and adds what it finds to `report`;
/// false when the archive has no primary store.
pub fn check(
    archive: &mut Archive,
    opts: &super::VerifyOptions,
    report: &mut VerifyReport,
) -> Result<bool> {
    let Some(site) = sites::primary::site(archive.conn())? else {
        return Ok(false);
    };
    let check = sites::verify_site(
        archive,
        &VerifySiteOptions {
            site: site.name.clone(),
            sample: opts.sample.map(|s| s.percent),
            seed: opts.sample.map(|s| s.seed).unwrap_or(0),
            jobs: opts.jobs.unwrap_or(4),
            items: opts.items.clone(),
            agent: opts.agent.clone(),
        },
    )?;
    report.checked += check.checked;
    report.bytes += check.bytes;
    report.ok += check.ok;
    for d in &check.damaged {
        let (kind, what) = match d.outcome {
            Outcome::Changed => (Kind::Changed, "its bytes there differ from those ingested"),
            Outcome::Missing => (Kind::Missing, "it is not there"),
            Outcome::IoError | Outcome::Ok => (Kind::IoError, "it could not be read there"),
        };
        let mut f = Finding::new(
            kind,
            format!(
                "the original at the primary store (site {}): {what}; `custos repair` puts it back from another copy",
                check.site
            ),
        );
        f.item_id = d.item_id;
        report.findings.push(f);
    }
    for key in &check.untracked {
        let mut f = Finding::new(
            Kind::Untracked,
            format!(
                "at the primary store (site {}), named by no item",
                check.site
            ),
        );
        f.path = Some(key.clone());
        f.actual_sha256 = sites::sha_of_key(key);
        report.findings.push(f);
    }
    if check.pending_purges > 0 {
        // Bytes still there that a purge erased everywhere else.
        report.findings.push(Finding::new(
            Kind::Untracked,
            format!(
                "the primary store (site {}) still owes {} purge(s); `custos replicate` or `custos repair` finishes them",
                check.site, check.pending_purges
            ),
        ));
    }
    Ok(true)
}
