//! `replicate` and `repair`: bring every object to the wanted number of
//! good copies, and put back damaged or missing copies at a site.
//!
//! The order for each copy is fixed: upload (the upload id of a large one
//! recorded first, so a killed run's upload is aborted by the next), read
//! the stored object back and hash it, and only if the digest matches
//! record the copy and log a `replication` event in one transaction. A kill
//! at any moment thus leaves no row claiming a copy that is not there, and
//! running again finishes the job (an object already at the site with the
//! right digest is adopted without uploading it again). Bytes are copied
//! only from a copy that was hashed just before (local or at another site),
//! never from an unverified one. Nothing is deleted from a site except with
//! `--prune`, and then only objects no item names.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use futures_util::StreamExt;

use crate::archive::Archive;
use crate::catalogue::copies::{self, Wanted};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::fixity::Outcome;
use crate::catalogue::sites::{self, SiteRow};
use crate::error::{Error, Result};
use crate::model::Sha256;
use crate::store;

use super::client::UploadNote;
use super::primary::Objects;
use super::purges::{self, PurgeReport};
use super::{key_of, sha_of_key, Remote};

/// Objects `replicate` has in flight at once: as many transfers as
/// `verify --site` reads at once by default.
const IN_FLIGHT: usize = 4;

pub struct ReplicateOptions {
    /// Copies wanted of each object, the local one included (default: the
    /// number given last time).
    pub copies: Option<u64>,
    pub agent: String,
}

pub struct RepairOptions {
    pub site: Option<String>,
    /// Also delete objects at the site that no item names.
    pub prune: bool,
    pub agent: String,
}

/// What a run did; `failures` non-empty means some work is left.
#[derive(Debug, Default)]
pub struct WorkReport {
    pub wanted: u64,
    pub copied: u64,
    pub adopted: u64,
    pub repaired: u64,
    pub pruned: u64,
    pub aborted_uploads: u64,
    pub purges: PurgeReport,
    /// Objects still short of the wanted number of copies.
    pub short: u64,
    pub failures: Vec<String>,
}

impl WorkReport {
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty() && self.purges.pending.is_empty() && self.short == 0
    }
}

/// The sites that could be reached now, after their leftovers were
/// cleaned and their owed purges finished; the others go to `failures`.
fn reach(
    archive: &mut Archive,
    only: Option<&str>,
    agent: &str,
    report: &mut WorkReport,
) -> Result<Vec<(SiteRow, Remote)>> {
    let rows = match only {
        Some(n) => vec![sites::require(archive.conn(), n)?],
        None => sites::all(archive.conn())?,
    };
    let mut out = Vec::new();
    for site in rows {
        let remote = match super::connect(&site).and_then(|r| r.probe().map(|()| r)) {
            Ok(r) => r,
            Err(e) => {
                let owed = copies::owed_purges(archive.conn(), Some(site.id))?.len() as u64;
                if owed > 0 {
                    report
                        .purges
                        .pending
                        .push((site.name.clone(), owed, e.to_string()));
                }
                report.failures.push(e.to_string());
                continue;
            }
        };
        report.aborted_uploads += abort_left_uploads(archive, site.id, &remote)?;
        if let Err(e) = purges::finish_at(archive, &site, &remote, agent, &mut report.purges) {
            let left = copies::owed_purges(archive.conn(), Some(site.id))?.len() as u64;
            report
                .purges
                .pending
                .push((site.name.clone(), left, e.to_string()));
        }
        out.push((site, remote));
    }
    Ok(out)
}

pub fn replicate(archive: &mut Archive, opts: &ReplicateOptions) -> Result<WorkReport> {
    let wanted = match opts.copies {
        Some(n) => n,
        None => copies::wanted_copies(archive.conn())?.ok_or_else(|| {
            Error::usage(
                "how many copies? give --copies N (the local one counts: 3 = local + 2 sites)",
            )
        })?,
    };
    if wanted == 0 {
        return Err(Error::usage("--copies must be at least 1 (the local copy)"));
    }
    let site_count = sites::all(archive.conn())?.len() as u64;
    let objects = Objects::of(archive)?;
    // With a primary store there is no local copy: every copy is a site's.
    let local_copy = u64::from(objects.primary().is_none());
    if wanted - local_copy > site_count {
        return Err(Error::usage(if local_copy == 1 {
            format!(
                "{wanted} copies need {} sites besides the local archive; this archive has {site_count} (custos site add NAME URL)",
                wanted - 1
            )
        } else {
            format!(
                "{wanted} copies need {wanted} sites, the primary store among them; this archive has {site_count} (custos site add NAME URL)"
            )
        }));
    }
    if opts.copies.is_some() {
        archive.write(|tx| copies::set_wanted_copies(tx, wanted))?;
    }
    let mut report = WorkReport {
        wanted,
        ..WorkReport::default()
    };
    let reachable = reach(archive, None, &opts.agent, &mut report)?;
    let mut held: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    let mut good: BTreeMap<i64, u64> = BTreeMap::new();
    for c in copies::all(archive.conn(), None)? {
        held.entry(c.object_id).or_default().insert(c.site_id);
        if c.outcome == Outcome::Ok.as_str() {
            *good.entry(c.object_id).or_default() += 1;
        }
    }
    let wanted_objects = copies::wanted(archive.conn())?;
    let rt = super::runtime()?;
    let archive = RefCell::new(archive);
    // Each object's sites are tried in order, as one task; several objects
    // are in flight at once, because a site's time per request (three for
    // each object) is what a run of many small objects waits on. Every
    // catalogue write happens between two awaits, on this thread.
    let outcomes: Vec<(crate::model::ItemId, Vec<Result<bool>>)> = rt.block_on(
        futures_util::stream::iter(wanted_objects.iter().map(|obj| {
            let (archive, reachable, held, objects) = (&archive, &reachable, &held, &objects);
            let mut have = local_copy + good.get(&obj.object_id).copied().unwrap_or(0);
            async move {
                let mut tried = Vec::new();
                // Fetched from the primary store (and checked) only once a
                // site turns out to need it.
                let mut source = None;
                for (site, remote) in reachable {
                    if have >= wanted {
                        break;
                    }
                    if held
                        .get(&obj.object_id)
                        .is_some_and(|s| s.contains(&site.id))
                        || remote.down().is_some()
                    {
                        continue;
                    }
                    if source.is_none() {
                        match objects.fetch_async(&obj.sha256).await {
                            Ok(f) => source = Some(f),
                            Err(e) => {
                                tried.push(Err(e));
                                break;
                            }
                        }
                    }
                    let Some(local) = &source else { break };
                    let r = copy_async(
                        archive,
                        site,
                        remote,
                        obj,
                        local.path(),
                        &opts.agent,
                        "copied",
                    )
                    .await;
                    if r.is_ok() {
                        have += 1;
                    }
                    tried.push(r);
                }
                (obj.item_id, tried)
            }
        }))
        .buffer_unordered(IN_FLIGHT)
        .collect(),
    );
    for (item, tried) in outcomes {
        for r in tried {
            match r {
                Ok(true) => report.adopted += 1,
                Ok(false) => report.copied += 1,
                Err(e) => report.failures.push(format!("item {item}: {e}")),
            }
        }
    }
    let archive = archive.into_inner();
    gave_up(&reachable, &mut report);
    report.short = copies::under_wanted(archive.conn(), wanted)?;
    Ok(report)
}

/// Says which sites were left for the rest of the run after an error that
/// concerns the whole site (so a stalled or full site costs one timeout,
/// not one per object).
fn gave_up(reachable: &[(SiteRow, Remote)], report: &mut WorkReport) {
    for (site, remote) in reachable {
        if remote.down().is_some() {
            report.failures.push(format!(
                "site {}: nothing more was sent there in this run",
                site.name
            ));
        }
    }
}

/// Puts one object at one site from the verified local copy and records
/// it; true when the site already held the right bytes.
pub(crate) fn copy_one(
    archive: &mut Archive,
    site: &SiteRow,
    remote: &Remote,
    obj: &Wanted,
    agent: &str,
    outcome: &str,
) -> Result<bool> {
    let local = Objects::of(archive)?.fetch(&obj.sha256)?;
    copy_from(archive, site, remote, obj, local.path(), agent, outcome)
}

#[allow(clippy::too_many_arguments)]
fn copy_from(
    archive: &mut Archive,
    site: &SiteRow,
    remote: &Remote,
    obj: &Wanted,
    source: &std::path::Path,
    agent: &str,
    outcome: &str,
) -> Result<bool> {
    let archive = RefCell::new(archive);
    super::runtime()?.block_on(copy_async(
        &archive, site, remote, obj, source, agent, outcome,
    ))
}

/// [`copy_from`] as one task of several in flight: the catalogue is
/// borrowed only for each write, never across an await, so tasks polled on
/// one thread take turns with it.
#[allow(clippy::too_many_arguments)]
async fn copy_async(
    archive: &RefCell<&mut Archive>,
    site: &SiteRow,
    remote: &Remote,
    obj: &Wanted,
    source: &std::path::Path,
    agent: &str,
    outcome: &str,
) -> Result<bool> {
    let key = key_of(&obj.sha256);
    let already = remote.hash(&key).await?;
    let adopted = matches!(&already, Some((sha, _)) if *sha == obj.sha256);
    if !adopted {
        remote
            .upload(
                source,
                &key,
                &obj.sha256,
                &mut record_uploads(archive, site.id, &key),
            )
            .await?;
        #[cfg(feature = "failpoints")]
        {
            // Crash tests: the store keeps other bytes than were sent.
            let corrupt = (|| {
                fail::fail_point!("sites::after_upload", |_| true);
                false
            })();
            if corrupt {
                remote.overwrite_for_test(&key).await?;
            }
        }
        match remote.hash(&key).await? {
            Some((sha, _)) if sha == obj.sha256 => {}
            Some(_) => {
                return Err(Error::Site(format!(
                    "site {}: the stored copy of {key} does not match its digest after upload; not recorded",
                    site.name
                )))
            }
            None => {
                return Err(Error::Site(format!(
                    "site {}: {key} is not there after upload; not recorded",
                    site.name
                )))
            }
        }
    }
    #[cfg(feature = "failpoints")]
    fail::fail_point!("sites::before_record");
    let now = crate::clock::now_rfc3339();
    archive.borrow_mut().write(|tx| {
        copies::record(tx, site.id, obj.object_id, obj.size, Outcome::Ok, &now)?;
        let detail = serde_json::json!({
            "site": site.name,
            "outcome": if adopted { "already there" } else { outcome },
        });
        EventLog::new(tx)?.append(
            EventType::Replication,
            Some(obj.item_id),
            agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(())
    })?;
    Ok(adopted)
}

/// Aborts the uploads to a site that a killed run left open (their ids
/// were recorded before their first part) and removes a folder site's
/// partial files; returns how many.
pub(super) fn abort_left_uploads(
    archive: &mut Archive,
    site_id: i64,
    remote: &Remote,
) -> Result<u64> {
    let mut n = 0;
    for up in copies::uploads(archive.conn(), site_id)? {
        super::runtime()?.block_on(remote.abort(&up.key, &up.upload_id))?;
        archive.write(|tx| copies::upload_ended(tx, site_id, &up.key, &up.upload_id))?;
        n += 1;
    }
    Ok(n + remote.clean_local_leftovers() as u64)
}

/// Records the upload id of a large upload to `site` before its first
/// part, and drops it when the upload ended, each in its own transaction
/// (borrowing the catalogue only for the write, never across an await).
pub(super) fn record_uploads<'a, 'b: 'a>(
    archive: &'a RefCell<&'b mut Archive>,
    site_id: i64,
    key: &'a str,
) -> impl FnMut(UploadNote<'_>) -> Result<()> + use<'a, 'b> {
    move |n| {
        let now = crate::clock::now_rfc3339();
        let mut archive = archive.borrow_mut();
        match n {
            UploadNote::Started(id) => {
                archive.write(|tx| copies::upload_started(tx, site_id, key, id, &now))
            }
            UploadNote::Ended(id) => archive.write(|tx| copies::upload_ended(tx, site_id, key, id)),
        }
    }
}

/// Puts back every copy whose last check found it changed or missing, at
/// one site or all, from a copy hashed just before.
pub fn repair(archive: &mut Archive, opts: &RepairOptions) -> Result<WorkReport> {
    let mut report = WorkReport::default();
    let reachable = reach(archive, opts.site.as_deref(), &opts.agent, &mut report)?;
    let all_copies = copies::all(archive.conn(), None)?;
    let wanted: BTreeMap<i64, Wanted> = copies::wanted(archive.conn())?
        .into_iter()
        .map(|w| (w.object_id, w))
        .collect();
    for (site, remote) in &reachable {
        for bad in all_copies
            .iter()
            .filter(|c| c.site_id == site.id && c.outcome != Outcome::Ok.as_str())
        {
            let Some(obj) = wanted.get(&bad.object_id) else {
                continue;
            };
            if remote.down().is_some() {
                break;
            }
            match repair_one(archive, site, remote, obj, &reachable, &opts.agent) {
                Ok(()) => report.repaired += 1,
                Err(e) => report.failures.push(format!("item {}: {e}", obj.item_id)),
            }
        }
        if opts.prune {
            match prune(archive, site, remote, &opts.agent) {
                Ok(n) => report.pruned += n,
                Err(e) => report.failures.push(e.to_string()),
            }
        }
    }
    gave_up(&reachable, &mut report);
    if let Some(w) = copies::wanted_copies(archive.conn())? {
        report.wanted = w;
        report.short = copies::under_wanted(archive.conn(), w)?;
    }
    Ok(report)
}

fn repair_one(
    archive: &mut Archive,
    site: &SiteRow,
    remote: &Remote,
    obj: &Wanted,
    others: &[(SiteRow, Remote)],
    agent: &str,
) -> Result<()> {
    let local = store::object_path(&archive.objects_dir(), &obj.sha256);
    let local_good = store::hash_file(&local).is_ok_and(|(sha, _)| sha == obj.sha256);
    if local_good {
        copy_from(archive, site, remote, obj, &local, agent, "repaired")?;
        return Ok(());
    }
    // The local copy is damaged too: fetch one that hashes right elsewhere.
    let staging = store::Staging::new(&archive.staging_dir())?;
    let rt = super::runtime()?;
    let key = key_of(&obj.sha256);
    for (other, other_remote) in others.iter().filter(|(s, _)| s.id != site.id) {
        let tmp = staging.dir().join(format!("repair-{}", other.id));
        let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        match rt.block_on(other_remote.download(&key, &mut f)) {
            Ok(Some((sha, _))) if sha == obj.sha256 => {
                drop(f);
                let r = copy_from(archive, site, remote, obj, &tmp, agent, "repaired");
                let _ = std::fs::remove_file(&tmp);
                return r.map(|_| ());
            }
            _ => {
                let _ = std::fs::remove_file(&tmp);
            }
        }
    }
    Err(Error::Failed(format!(
        "no good copy of {key} to repair site {} from: neither objects/ nor another site holds one that hashes right",
        site.name
    )))
}

/// Deletes objects at the site that no item names (never one an item
/// names, whatever its state).
fn prune(archive: &mut Archive, site: &SiteRow, remote: &Remote, agent: &str) -> Result<u64> {
    let named: BTreeSet<Sha256> = copies::wanted(archive.conn())?
        .into_iter()
        .map(|w| w.sha256)
        .collect();
    let owed: BTreeSet<String> = copies::owed_purges(archive.conn(), Some(site.id))?
        .into_iter()
        .map(|p| p.key)
        .collect();
    let rt = super::runtime()?;
    let mut n = 0;
    for key in remote.list_objects()? {
        let named_here = sha_of_key(&key).is_some_and(|sha| named.contains(&sha));
        if named_here || owed.contains(&key) {
            continue;
        }
        rt.block_on(remote.delete(&key))?;
        n += 1;
    }
    if n > 0 {
        let now = crate::clock::now_rfc3339();
        archive.write(|tx| {
            let detail = serde_json::json!({ "site": site.name, "pruned": n });
            EventLog::new(tx)?.append(
                EventType::Deletion,
                None,
                agent,
                "success",
                Some(&detail),
                &now,
            )?;
            Ok(())
        })?;
    }
    Ok(n)
}
