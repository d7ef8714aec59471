//! `verify --site NAME`: re-hash the copies held at one site, streamed and
//! a few at a time (memory stays at a few chunks per transfer whatever the
//! objects' sizes), optionally a seeded sample; record each outcome on its
//! copy row and log `fixity_check` events; list what the site holds that
//! the catalogue does not (untracked) and the purges still owed to it.
//!
//! It changes nothing at the site; `repair` does that.

use std::collections::BTreeSet;

use futures_util::StreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256 as Hasher};

use crate::archive::Archive;
use crate::catalogue::copies::{self, CopyRow};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::fixity::Outcome;
use crate::catalogue::sites;
use crate::error::{Error, Result};
use crate::model::ItemId;

use super::key_of;

pub struct VerifySiteOptions {
    pub site: String,
    /// Check about this percentage of the copies (0 < p ≤ 100).
    pub sample: Option<f64>,
    pub seed: u64,
    /// Transfers at once.
    pub jobs: usize,
    /// Only the copies of these items (then no search for untracked keys).
    pub items: Vec<ItemId>,
    pub agent: String,
}

/// One copy that is not as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Damaged {
    pub item_id: Option<ItemId>,
    pub outcome: Outcome,
}

/// What checking a site found.
#[derive(Debug, Clone, Serialize)]
pub struct SiteCheck {
    pub site: String,
    pub checked: u64,
    /// The bytes of the copies read.
    pub bytes: u64,
    pub ok: u64,
    pub damaged: Vec<Damaged>,
    /// Keys at the site no copy row names (not listed when sampling).
    pub untracked: Vec<String>,
    pub pending_purges: u64,
    pub sampled: bool,
}

impl SiteCheck {
    pub fn is_good(&self) -> bool {
        self.damaged.is_empty() && self.untracked.is_empty() && self.pending_purges == 0
    }
}

/// Whether a copy falls in the sample: a hash of the seed and the object,
/// so the same seed picks the same copies.
fn in_sample(seed: u64, object: i64, percent: f64) -> bool {
    let mut h = Hasher::new();
    h.update(seed.to_le_bytes());
    h.update(object.to_le_bytes());
    let d = h.finalize();
    let v = u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    (v % 1_000_000) as f64 / 10_000.0 < percent
}

pub fn verify_site(archive: &mut Archive, opts: &VerifySiteOptions) -> Result<SiteCheck> {
    let site = sites::require(archive.conn(), &opts.site)?;
    let remote = super::connect(&site)?;
    remote.probe()?;
    let rows: Vec<CopyRow> = copies::all(archive.conn(), Some(site.id))?;
    let tracked: BTreeSet<String> = rows.iter().map(|c| key_of(&c.sha256)).collect();
    let chosen: Vec<CopyRow> = match opts.sample {
        Some(p) => rows
            .into_iter()
            .filter(|c| in_sample(opts.seed, c.object_id, p))
            .collect(),
        None => rows,
    };
    let partial = opts.sample.is_some() || !opts.items.is_empty();
    let chosen: Vec<CopyRow> = if opts.items.is_empty() {
        chosen
    } else {
        chosen
            .into_iter()
            .filter(|c| c.item_id.is_some_and(|i| opts.items.contains(&i)))
            .collect()
    };
    let rt = super::runtime()?;
    let remote_ref = &remote;
    let total = chosen.len();
    // Once the site as a whole fails (stalled, unreachable), the copies not
    // read yet are left as they were: their bytes were not seen, so nothing
    // is recorded about them, and the run ends with the site's error.
    let results: Vec<(CopyRow, Outcome)> = rt.block_on(
        futures_util::stream::iter(chosen)
            .map(|c| async move {
                if remote_ref.down().is_some() {
                    return None;
                }
                let outcome = match remote_ref.hash(&key_of(&c.sha256)).await {
                    Ok(Some((sha, _))) if sha == c.sha256 => Outcome::Ok,
                    Ok(Some(_)) => Outcome::Changed,
                    Ok(None) => Outcome::Missing,
                    Err(_) if remote_ref.down().is_some() => return None,
                    Err(_) => Outcome::IoError,
                };
                Some((c, outcome))
            })
            .buffer_unordered(opts.jobs.max(1))
            .filter_map(|r| async move { r })
            .collect(),
    );
    let down = remote.down();
    let owed = copies::owed_purges(archive.conn(), Some(site.id))?;
    let owed_keys: BTreeSet<&str> = owed.iter().map(|p| p.key.as_str()).collect();
    let untracked = if partial || down.is_some() {
        Vec::new()
    } else {
        remote
            .list_objects()?
            .into_iter()
            .filter(|k| !tracked.contains(k) && !owed_keys.contains(k.as_str()))
            .collect()
    };
    let mut check = SiteCheck {
        site: site.name.clone(),
        checked: results.len() as u64,
        bytes: results.iter().map(|(c, _)| c.size).sum(),
        ok: 0,
        damaged: Vec::new(),
        untracked,
        pending_purges: owed.len() as u64,
        sampled: partial,
    };
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let mut log = EventLog::new(tx)?;
        for (c, outcome) in &results {
            copies::set_outcome(tx, site.id, c.object_id, *outcome, &now)?;
            if *outcome != Outcome::Ok {
                let detail = serde_json::json!({ "site": site.name });
                log.append(
                    EventType::FixityCheck,
                    c.item_id,
                    &opts.agent,
                    outcome.as_str(),
                    Some(&detail),
                    &now,
                )?;
            }
        }
        Ok(())
    })?;
    for (c, outcome) in results {
        if outcome == Outcome::Ok {
            check.ok += 1;
        } else {
            check.damaged.push(Damaged {
                item_id: c.item_id,
                outcome,
            });
        }
    }
    check.damaged.sort_by_key(|d| d.item_id.map(|i| i.0));
    if let Some(why) = down {
        return Err(Error::Site(format!(
            "{why}; {} of {total} copies were checked before it failed (their outcomes are recorded; the rest keep their last)",
            check.checked
        )));
    }
    let summary = serde_json::json!({
        "site": check.site,
        "checked": check.checked,
        "ok": check.ok,
        "damaged": check.damaged.len(),
        "untracked": check.untracked.len(),
        "pending_purges": check.pending_purges,
        "sample": opts.sample,
        "seed": opts.sample.map(|_| opts.seed),
    });
    archive.write(|tx| {
        EventLog::new(tx)?.append(
            EventType::FixityCheck,
            None,
            &opts.agent,
            if check.is_good() {
                "success"
            } else {
                "failure"
            },
            Some(&summary),
            &now,
        )?;
        Ok(())
    })?;
    Ok(check)
}

#[cfg(test)]
mod tests {
    #[test]
    fn samples_are_seeded_and_about_the_size_asked() {
        let pick = |seed| {
            (0..10_000)
                .filter(|o| super::in_sample(seed, *o, 5.0))
                .collect::<Vec<_>>()
        };
        let a = pick(7);
        assert_eq!(a, pick(7));
        assert_ne!(a, pick(8));
        assert!((400..600).contains(&a.len()), "{}", a.len());
        assert!((0..100).all(|o| super::in_sample(1, o, 100.0)));
    }
}
