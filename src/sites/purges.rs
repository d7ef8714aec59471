//! Purges owed to sites: a purge erases the local bytes at once and leaves
//! one `site_purges` row per site that held a copy; this finishes them —
//! deletes the key at the site, confirms it is gone, then drops the row and
//! logs a `deletion` event. A site that cannot be reached keeps its rows,
//! which `site list` and `verify --site` show until the next run.
//!
//! It never deletes anything but the keys of purged objects.

use crate::archive::Archive;
use crate::catalogue::copies;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::sites::{self, SiteRow};
use crate::error::Result;

use super::Remote;

/// What finishing purges did.
#[derive(Debug, Default, Clone)]
pub struct PurgeReport {
    pub done: u64,
    /// Sites where purges are still owed, with why.
    pub pending: Vec<(String, u64, String)>,
}

/// Finishes the purges owed to every site (or to `only`).
pub fn finish_purges(
    archive: &mut Archive,
    agent: &str,
    only: Option<&str>,
) -> Result<PurgeReport> {
    let mut report = PurgeReport::default();
    for site in sites::all(archive.conn())? {
        if only.is_some_and(|n| n != site.name) {
            continue;
        }
        let owed = copies::owed_purges(archive.conn(), Some(site.id))?;
        if owed.is_empty() {
            continue;
        }
        let remote = super::connect(&site).and_then(|r| r.probe().map(|()| r));
        match remote {
            Ok(remote) => {
                if let Err(e) = finish_at(archive, &site, &remote, agent, &mut report) {
                    let left = copies::owed_purges(archive.conn(), Some(site.id))?.len() as u64;
                    report
                        .pending
                        .push((site.name.clone(), left, e.to_string()));
                }
            }
            Err(e) => report
                .pending
                .push((site.name.clone(), owed.len() as u64, e.to_string())),
        }
    }
    Ok(report)
}

/// Finishes the purges owed to one reachable site.
pub(crate) fn finish_at(
    archive: &mut Archive,
    site: &SiteRow,
    remote: &Remote,
    agent: &str,
    report: &mut PurgeReport,
) -> Result<()> {
    let rt = super::runtime()?;
    for owed in copies::owed_purges(archive.conn(), Some(site.id))? {
        rt.block_on(remote.delete(&owed.key))?;
        let now = crate::clock::now_rfc3339();
        archive.write(|tx| {
            copies::purge_done(tx, site.id, &owed.key)?;
            let detail = serde_json::json!({ "site": site.name, "reason": "purge" });
            EventLog::new(tx)?.append(
                EventType::Deletion,
                owed.item_id,
                agent,
                "success",
                Some(&detail),
                &now,
            )?;
            Ok(())
        })?;
        report.done += 1;
    }
    Ok(())
}
