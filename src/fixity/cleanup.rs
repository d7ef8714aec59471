//! `verify --remove-untracked`: deleting the object files that no catalogue
//! row names, the leftovers of an import killed between storing its
//! objects and committing their rows.
//!
//! The only part of fixity that deletes, and only on that explicit
//! request. A candidate is removed only if, inside the write lock (so no
//! import can commit meanwhile) and while no import is running (an import
//! holds objects it has stored but not yet committed), no row names its
//! digest and its bytes still hash to its name. The removals are logged as
//! one `deletion` event with the count and the digests. It never touches a
//! file that is misnamed, a link, or anything outside `objects/`.

use serde::Serialize;

use super::scan::hash_no_follow;
use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::items;
use crate::error::Result;
use crate::model::Sha256;
use crate::store;

/// Why nothing is removed while an import runs.
pub const IMPORT_RUNNING: &str = "an import is running, and objects it has stored may not have their rows yet; run `custos verify --remove-untracked` again when it has finished";

#[derive(Debug, Default, Serialize)]
pub struct Removal {
    pub removed: Vec<Sha256>,
    /// Candidates left in place, with the reason.
    pub kept: Vec<(Sha256, String)>,
    pub event_id: Option<i64>,
}

/// Removes those of `candidates` (digests `verify` found untracked) that
/// are still untracked once the write lock is held.
pub fn remove_untracked(
    archive: &mut Archive,
    candidates: &[Sha256],
    agent: &str,
) -> Result<Removal> {
    let objects = archive.objects_dir();
    let staging = archive.staging_dir();
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let mut out = Removal::default();
        let Some(_no_imports) = store::hold_off_imports(&staging)? else {
            out.kept = candidates
                .iter()
                .map(|s| (s.clone(), IMPORT_RUNNING.to_string()))
                .collect();
            return Ok(out);
        };
        for sha in candidates {
            if items::find_object(tx, sha)?.is_some() {
                out.kept
                    .push((sha.clone(), "a catalogue row names it now".into()));
                continue;
            }
            let path = store::object_path(&objects, sha);
            match hash_no_follow(&path) {
                Ok(actual) if actual == *sha => {}
                Ok(_) => {
                    out.kept.push((
                        sha.clone(),
                        "its bytes changed since they were checked".into(),
                    ));
                    continue;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    out.kept
                        .push((sha.clone(), format!("could not be read: {e}")));
                    continue;
                }
            }
            match store::remove_object(&objects, sha) {
                Ok(()) => out.removed.push(sha.clone()),
                Err(e) => out.kept.push((sha.clone(), e.to_string())),
            }
        }
        if !out.removed.is_empty() {
            let detail = serde_json::json!({
                "reason": "untracked objects removed (verify --remove-untracked)",
                "count": out.removed.len(),
                "sha256": out.removed,
            });
            out.event_id = Some(EventLog::new(tx)?.append(
                EventType::Deletion,
                None,
                agent,
                "success",
                Some(&detail),
                &now,
            )?);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::InitOptions;
    use crate::model::Access;

    /// A file under its own hash name in objects/, with no row.
    fn plant(archive: &Archive, bytes: &[u8]) -> Sha256 {
        let staging = store::Staging::new(&archive.staging_dir()).unwrap();
        let staged = staging.copy_in(bytes).unwrap();
        let sha = staged.sha.clone();
        staged.persist(&archive.objects_dir()).unwrap();
        sha
    }

    #[test]
    fn only_candidates_still_untracked_under_the_lock_are_removed() {
        let d = tempfile::tempdir().unwrap();
        let mut archive = Archive::init(
            &d.path().join("a"),
            &InitOptions {
                default_access: Access::Research,
                intake: crate::model::Intake::Closed,
            },
        )
        .unwrap();
        let stray = plant(&archive, b"stray");
        let named = plant(&archive, b"named since verify looked");
        let now = crate::clock::now_rfc3339();
        archive
            .write(|tx| items::insert_object(tx, &named, 25, "text/plain", &now).map(drop))
            .unwrap();
        let gone = Sha256::from_digest(&<sha2::Sha256 as sha2::Digest>::digest(b"gone"));
        let r = remove_untracked(&mut archive, &[stray.clone(), named.clone(), gone], "t").unwrap();
        assert_eq!(r.removed, vec![stray.clone()]);
        assert_eq!(r.kept.len(), 1);
        assert_eq!(r.kept[0].0, named);
        assert!(r.kept[0].1.contains("row names it"));
        assert!(!store::object_path(&archive.objects_dir(), &stray).exists());
        assert!(store::object_path(&archive.objects_dir(), &named).exists());
        let detail: String = archive
            .conn()
            .query_row(
                "SELECT detail FROM events WHERE type = 'deletion' AND id = ?1",
                [r.event_id.unwrap()],
                |row| row.get(0),
            )
            .unwrap();
        assert!(detail.contains(stray.as_str()) && detail.contains("\"count\":1"));
    }
}
