//! Importing a spreadsheet manifest: validate everything first, then import
//! the files with their item metadata and terms (phase 1, the ordinary
//! pipeline), then describe them — narrators, testimonies, consent — from a
//! second streaming pass over the rows (phase 2).
//!
//! Phase 2 is idempotent and runs after the files are in: a crash between
//! the phases leaves testimonies without consent, that is pending and
//! closed — the safe state — and re-running the same import completes them.
//! Legal names are sealed on the way in and never printed. This module
//! reports; it does not print.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

use super::{FileOutcome, Found, Job, Status};
use crate::archive::Archive;
use crate::catalogue::consent::{self, NewConsent};
use crate::catalogue::display_bytes;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::narrators::{self, NarratorId, NewNarrator};
use crate::catalogue::testimonies::{self, TestimonyFields};
use crate::catalogue::{items, settings};
use crate::error::{Error, Result};
use crate::manifest::{self, Checked, Evidence, NarratorRef, Options, Problem, Row};
use crate::model::{Anonymity, ConsentStatus, ItemId, Kind};

/// Rows described per transaction in phase 2.
const DESCRIBE_BATCH: usize = 500;

/// Every problem with the manifest, including those only the archive can
/// tell (evidence and narrator ids that do not exist, legal names without a
/// custodian key, files inside the archive itself). Nothing is written.
pub fn validate(
    archive: &crate::archive::Archive,
    path: &Path,
    opts: &Options,
    fence: &super::ArchiveFence,
) -> Result<(Checked, Vec<Problem>)> {
    let conn = archive.conn();
    let checked = manifest::check(path, opts)?;
    let mut problems = checked.problems.clone();
    if !problems.is_empty() {
        return Ok((checked, problems));
    }
    for (row, id) in &checked.evidence_ids {
        if !items::exists(conn, *id)? {
            problems.push(problem(
                *row,
                "evidence",
                Some(id.to_string()),
                format!("no item {id} in this archive"),
            ));
        }
    }
    if checked.legal_names > 0 && settings::custodian_recipient(conn)?.is_none() {
        problems.push(problem(
            1,
            "legal_name",
            None,
            "legal names are sealed to the custodian key, and this archive has none: run `custos key init` first".into(),
        ));
    }
    for row in manifest::rows(path, opts)? {
        let row = row?;
        if let Some(why) = fence.row_problem(&row.file) {
            problems.push(problem(
                row.row,
                "file",
                Some(display_bytes(row.file.as_os_str().as_encoded_bytes())),
                why,
            ));
        }
        if let Some(NarratorRef::Id(n)) = &row.narrator {
            if !narrators::exists(conn, NarratorId(*n))? {
                problems.push(problem(
                    row.row,
                    "narrator",
                    Some(n.to_string()),
                    format!("no narrator {n} in this archive"),
                ));
            }
        }
        if let Some(number) = &row.accession {
            if crate::catalogue::accessions::find(conn, number.trim())?.is_none() {
                problems.push(problem(
                    row.row,
                    "accession",
                    Some(number.clone()),
                    format!("no accession {number:?} in this archive; record it first with `custos accession add`"),
                ));
            }
        }
    }
    Ok((checked, problems))
}

fn problem(row: u64, column: &str, value: Option<String>, reason: String) -> Problem {
    Problem {
        row,
        column: Some(column.into()),
        value,
        reason,
    }
}

/// Phase 1: one job per row, streamed from the manifest.
pub fn jobs(path: &Path, opts: &Options) -> Result<impl Iterator<Item = Job>> {
    let manifest_name = path.display().to_string();
    let rows = manifest::rows(path, opts)?;
    Ok(rows.map(move |row| match row {
        Ok(r) => Job {
            found: match std::fs::symlink_metadata(&r.file) {
                Ok(m) if m.is_file() => Found::File { size: m.len() },
                Ok(_) => Found::Skipped("not a regular file".into()),
                Err(e) => Found::Failed(format!("cannot be read: {e}")),
            },
            meta: r.item_meta(),
            origin: r.origin.clone(),
            provenance_detail: Some(json!({ "manifest": manifest_name, "row": r.row })),
            describer: None,
            path: r.file,
        },
        // The file changed since it was checked: fail that row alone.
        Err(e) => Job {
            found: Found::Failed(format!("manifest changed while importing: {e}")),
            meta: Default::default(),
            origin: None,
            provenance_detail: None,
            describer: None,
            path: Path::new(&manifest_name).to_path_buf(),
        },
    }))
}

/// What phase 2 did.
#[derive(Debug, Default)]
pub struct Described {
    pub testimonies: u64,
    pub narrators_created: u64,
    pub consents: u64,
    /// (row, reason) for rows that could not be described.
    pub failed: Vec<(u64, String)>,
}

/// Phase 2: narrators, testimonies and consent for the rows whose files are
/// now in the archive (imported or already there).
pub fn describe(
    archive: &mut Archive,
    path: &Path,
    opts: &Options,
    outcomes: &[FileOutcome],
    agent: &str,
) -> Result<Described> {
    let ids: HashMap<&str, ItemId> = outcomes
        .iter()
        .filter(|o| matches!(o.status, Status::Imported | Status::Duplicate))
        .filter_map(|o| o.id.map(|id| (o.path.as_str(), id)))
        .collect();
    let recipient = settings::custodian_recipient(archive.conn())?;
    let mut out = Described::default();
    let mut rows = manifest::rows(path, opts)?.peekable();
    // Ctrl-C stops between batches; rows not yet described stay closed.
    while rows.peek().is_some() && !super::interrupt::requested() {
        let batch: Vec<Row> = rows.by_ref().take(DESCRIBE_BATCH).collect::<Result<_>>()?;
        let now = crate::clock::now_rfc3339();
        archive.write(|tx| {
            let mut log = EventLog::new(tx)?;
            for row in &batch {
                let Some(item) = ids
                    .get(display_bytes(row.file.as_os_str().as_encoded_bytes()).as_str())
                    .copied()
                else {
                    continue;
                };
                tx.execute_batch("SAVEPOINT manifest_row")?;
                match describe_row(
                    tx,
                    &mut log,
                    row,
                    item,
                    &ids,
                    recipient.as_ref(),
                    agent,
                    &now,
                    &mut out,
                ) {
                    Ok(()) => tx.execute_batch("RELEASE manifest_row")?,
                    Err(e) => {
                        tx.execute_batch("ROLLBACK TO manifest_row; RELEASE manifest_row")?;
                        // The event log head may have moved inside the savepoint.
                        log = EventLog::new(tx)?;
                        out.failed.push((row.row, e.to_string()));
                    }
                }
            }
            Ok(())
        })?;
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn describe_row(
    tx: &Connection,
    log: &mut EventLog<'_>,
    row: &Row,
    item: ItemId,
    ids: &HashMap<&str, ItemId>,
    recipient: Option<&crate::seal::Recipient>,
    agent: &str,
    now: &str,
    out: &mut Described,
) -> Result<()> {
    if row.kind != Some(Kind::Testimony) {
        return Ok(());
    }
    if let Some(r) = &row.narrator {
        let narrator = narrator_for(tx, log, r, row, recipient, agent, now, out)?;
        let same = testimonies::get(tx, item)?.is_some_and(|t| {
            t.narrator_id == Some(narrator)
                && t.interview_date.as_deref() == row.interview_date.as_ref().map(|d| d.as_str())
                && t.interview_place == row.interview_place
                && t.interviewer == row.interviewer
        });
        if !same {
            let detail = testimonies::set(
                tx,
                item,
                &TestimonyFields {
                    narrator,
                    interview_date: row.interview_date.clone(),
                    interview_place: row.interview_place.clone(),
                    interviewer: row.interviewer.clone(),
                },
                now,
            )?;
            log.append(
                EventType::MetadataModification,
                Some(item),
                agent,
                "success",
                Some(&detail),
                now,
            )?;
            out.testimonies += 1;
        }
    }
    let Some(status) = row.consent_status else {
        return Ok(());
    };
    if status == ConsentStatus::Pending {
        return Ok(());
    }
    let evidence = match &row.evidence {
        None => None,
        Some(Evidence::Item(id)) => Some(*id),
        Some(Evidence::File(p)) => Some(
            ids.get(display_bytes(p.as_os_str().as_encoded_bytes()).as_str())
                .copied()
                .ok_or_else(|| Error::Failed("its evidence file was not imported".into()))?,
        ),
    };
    let date = row
        .consent_date
        .ok_or_else(|| Error::usage("consent_date is required with a consent status"))?;
    let history = consent::history(tx, item)?;
    if let Some(cur) = history.last() {
        let same = cur.status == status
            && cur.scope == row.consent_scope
            && cur.date == date.format("%Y-%m-%d").to_string()
            && cur.embargo_until == row.embargo_until.map(|d| d.format("%Y-%m-%d").to_string())
            && cur.evidence == evidence;
        if same {
            return Ok(()); // already recorded by an earlier run
        }
    }
    let reason = Some(format!("recorded from manifest row {}", row.row));
    if status == ConsentStatus::Withdrawn && history.is_empty() {
        // The manifest records a withdrawal as the state it found; the
        // history needs something to withdraw from.
        let pending = NewConsent {
            status: ConsentStatus::Pending,
            scope: None,
            date,
            evidence: None,
            embargo_until: None,
            reason: reason.clone(),
        };
        consent::record(tx, log, item, &pending, agent, now)?;
    }
    let new = NewConsent {
        status,
        scope: row.consent_scope,
        date,
        evidence,
        embargo_until: row.embargo_until,
        reason,
    };
    consent::record(tx, log, item, &new, agent, now)?;
    out.consents += 1;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn narrator_for(
    tx: &Connection,
    log: &mut EventLog<'_>,
    r: &NarratorRef,
    row: &Row,
    recipient: Option<&crate::seal::Recipient>,
    agent: &str,
    now: &str,
    out: &mut Described,
) -> Result<NarratorId> {
    let sealed = match (&row.legal_name, recipient) {
        (Some(name), Some(to)) => Some(crate::seal::seal(to, name.expose().as_bytes())?),
        (Some(_), None) => {
            return Err(Error::usage(
                "legal_name needs a custodian key: run `custos key init`",
            ))
        }
        (None, _) => None,
    };
    let existing = match r {
        NarratorRef::Id(n) => Some(NarratorId(*n)),
        NarratorRef::Display(d) => tx
            .prepare_cached("SELECT id FROM narrators WHERE display = ?1 ORDER BY id LIMIT 1")?
            .query_row([d], |r| r.get::<_, i64>(0))
            .optional()?
            .map(NarratorId),
    };
    if let Some(id) = existing {
        if let Some(s) = &sealed {
            if narrators::sealed_identity(tx, id)?.flatten().is_none() {
                narrators::set_sealed_identity(tx, id, s)?;
            }
        }
        return Ok(id);
    }
    let NarratorRef::Display(display) = r else {
        return Err(Error::usage("narrator id does not exist"));
    };
    let id = narrators::insert(
        tx,
        &NewNarrator {
            display: Some(display.clone()),
            anonymity: row.anonymity.unwrap_or(Anonymity::Anonymous),
            birth_year: row.birth_year.map(i32::from),
            place_of_origin: None,
            place_of_residence: None,
            notes: None,
            sealed_identity: sealed,
        },
        now,
    )?;
    // Names no value: narrator events outlive any purge.
    let detail = json!({ "narrator": id, "created": true });
    log.append(
        EventType::MetadataModification,
        None,
        agent,
        "success",
        Some(&detail),
        now,
    )?;
    out.narrators_created += 1;
    Ok(id)
}
