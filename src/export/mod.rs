//! BagIt export: the items a reader at one access level may have, as a bag
//! any archive can verify.
//!
//! Only items the policy opens at that level are exported. Payload files are
//! named by item id and extension, never by original file name (names carry
//! people's names); a redacted item exports its redacted text below
//! custodian level, or no payload when it has none. Catalogue records,
//! provenance and event history go under `metadata/` as JSON and as CSV
//! with Dublin Core column names, all shaped by the policy. At custodian
//! level each record also carries the item's custodian state and the bag a
//! `metadata/narrators.json` (see `restore`), so an import elsewhere
//! restores what the custodian saw. This module never decides visibility
//! itself and never prints.
//!
//! The bag is written into a hidden folder beside the target and renamed
//! into place only once it is complete and validates; on any failure that
//! folder is removed, so a failed export leaves no partial bag.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::archive::Archive;
use crate::bagit::BagWriter;
use crate::catalogue::events::{self, EventLog, EventType};
use crate::catalogue::{items, provenance};
use crate::error::{Error, Result};
use crate::model::{Access, ItemId};
use crate::output;
use crate::policy::{self, Decision};
use crate::sites::primary::{ObjectRef, Objects};

/// Where a custodian bag carries the latest signed head (and `.minisig`
/// beside it, where `minisign -Vm` looks): a tag file, in the tag manifest.
pub const SIGNED_HEAD_TAG: &str = "metadata/signed-head.txt";

pub struct ExportOptions {
    pub access: Access,
    pub today: NaiveDate,
    /// The query the selection came from, recorded in bag-info.txt.
    pub query: String,
    /// None: every item open at the access level.
    pub selection: Option<Vec<ItemId>>,
    pub organization: String,
    pub agent: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportSummary {
    pub bag: PathBuf,
    pub items: u64,
    /// Items exported as metadata only (redacted, with no text to export).
    pub payload_withheld: u64,
    /// Consent evidence left out of a custodian bag because no testimony in
    /// it cites the item: an archive importing the bag could not keep it
    /// closed (see `restore`).
    pub evidence_left_out: u64,
    pub payload_bytes: u64,
    pub payload_oxum: String,
    /// The event log's head when the bag was made, also in bag-info.txt.
    pub event_log_head: String,
}

pub fn export(archive: &mut Archive, dest: &Path, opts: &ExportOptions) -> Result<ExportSummary> {
    let tmp = temp_beside(dest)?;
    let written = write_bag(archive, &tmp, dest, opts).and_then(|done| {
        // The bag is checked as any receiving archive would check it.
        let report = crate::bagit::validate(&tmp)?;
        if !report.valid {
            let first = report
                .problems
                .first()
                .map(|p| format!(": {}: {}", p.path, p.detail))
                .unwrap_or_default();
            return Err(Error::Failed(format!(
                "{}: the bag written does not validate ({} problem(s){first}); nothing was exported",
                dest.display(),
                report.problems.len(),
            )));
        }
        into_place(&tmp, dest)?;
        Ok(done)
    });
    let (summary, detail) = match written {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    log_export(archive, &opts.agent, &detail)?;
    Ok(summary)
}

/// Appends the `export` event every copy out of the archive records (a
/// bag, an OCFL root, a backup), with what it wrote in `detail`.
pub(crate) fn log_export(archive: &mut Archive, agent: &str, detail: &Value) -> Result<()> {
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        EventLog::new(tx)?.append(
            EventType::Export,
            None,
            agent,
            "success",
            Some(detail),
            &now,
        )?;
        Ok(())
    })
}

/// A new hidden folder beside `dest` (same file system, so the final rename
/// is atomic); refuses a `dest` that is not a new or empty folder.
fn temp_beside(dest: &Path) -> Result<PathBuf> {
    match std::fs::read_dir(dest) {
        Ok(mut rd) => {
            if rd.next().is_some() {
                return Err(Error::usage(format!(
                    "{}: the folder is not empty; a bag is written only into a new or empty folder",
                    dest.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(dest, e)),
    }
    let name = dest
        .file_name()
        .ok_or_else(|| Error::usage(format!("{}: not a folder name", dest.display())))?;
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
        .create(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".partial-");
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?
        .keep();
    // BagWriter writes only into a new folder; it creates it owner-only.
    std::fs::remove_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
    Ok(tmp)
}

/// Renames the finished bag over `dest` (absent, or an empty folder, which
/// rename(2) replaces) and makes the new name durable.
fn into_place(tmp: &Path, dest: &Path) -> Result<()> {
    std::fs::rename(tmp, dest).map_err(|e| Error::io(dest, e))?;
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(parent)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(parent, e))?;
    }
    Ok(())
}

/// One item as an export at one access level carries it: its record,
/// shaped by the policy (with `payload` and `payload_sha256` already set),
/// and the bytes to export, if the level allows any.
pub(crate) struct Exported {
    pub id: ItemId,
    pub record: Value,
    pub payload: Option<Payload>,
    /// The narrator whose custodian record goes with the item (custodian
    /// level only).
    pub narrator: Option<crate::catalogue::narrators::NarratorId>,
}

/// The payload of one exported item: its file name (`<id>.<ext>`, never
/// the original name) and where its bytes come from.
pub(crate) struct Payload {
    pub name: String,
    pub source: PayloadSource,
}

pub(crate) enum PayloadSource {
    /// The stored original, which must hash to this SHA-256 (the writer
    /// checks it while copying).
    Original(ObjectRef, crate::model::Sha256),
    /// The redacted text the level gets instead of the original.
    Text(String),
    /// The recording with the passages closed at the level silenced
    /// (`recording.rs`), made while it is copied.
    AccessCopy {
        original: ObjectRef,
        media_type: String,
        closed: Vec<crate::media::Interval>,
    },
}

/// What one export at one level holds, decided once for every format that
/// writes it (the bag here, OCFL in `ocfl`).
pub(crate) struct Selection {
    pub items: Vec<Exported>,
    /// Items exported as metadata only (redacted, with no text to export).
    pub payload_withheld: u64,
    pub evidence_left_out: u64,
}

/// The items an export at `opts.access` holds, in id order, each shaped by
/// the policy exactly as a bag carries it.
pub(crate) fn select(archive: &Archive, opts: &ExportOptions) -> Result<Selection> {
    let ids = selected(archive, opts)?;
    let objects = std::sync::Arc::new(Objects::of(archive)?);
    let conn = archive.conn();
    let mut out = Selection {
        items: Vec::new(),
        payload_withheld: 0,
        evidence_left_out: 0,
    };
    let cited = if policy::bag_carries_custodian_state(opts.access) {
        crate::restore::cited_evidence(conn, &ids)?
    } else {
        Default::default()
    };
    for id in &ids {
        let (Some(record), Some(facts)) =
            (items::get(conn, *id)?, policy::sql::load_facts(conn, *id)?)
        else {
            continue;
        };
        if facts.is_evidence && !cited.contains(id) {
            // Only custodians ever see evidence, and a release whose
            // testimony stays home (withdrawn, or not selected) would
            // arrive open wherever the export is imported.
            out.evidence_left_out += 1;
            continue;
        }
        let decision = policy::decide(opts.access, &facts, opts.today);
        let Decision::Open(grant) = decision else {
            continue; // the SQL selection agrees with decide; this is a second lock
        };
        let redacted = if facts.redacted {
            items::redacted_copy(conn, *id)?
        } else {
            None
        };
        let class = policy::access_class(&facts, opts.today);
        let view = policy::view::item(&decision, class, record.clone(), redacted.as_ref())
            .ok_or_else(|| Error::Failed(format!("item {id} could not be shaped for export")))?;
        let mut value = output::to_value(&view)?;
        let payload = if grant.redact && facts.redacted {
            match redacted.as_ref().and_then(|r| r.text.clone()) {
                Some(text) => Some(Payload {
                    name: format!("{id}.txt"),
                    source: PayloadSource::Text(text),
                }),
                None => {
                    out.payload_withheld += 1;
                    None
                }
            }
        } else {
            Some(Payload {
                name: format!("{id}.{}", extension(&record)),
                source: PayloadSource::Original(
                    ObjectRef::new(objects.clone(), record.sha256.clone()),
                    record.sha256.clone(),
                ),
            })
        };
        let payload_sha256 = payload.as_ref().and_then(|p| match &p.source {
            PayloadSource::Original(_, sha) => Some(sha.to_string()),
            PayloadSource::Text(t) => {
                use sha2::Digest;
                Some(
                    crate::model::Sha256::from_digest(&sha2::Sha256::digest(t.as_bytes()))
                        .to_string(),
                )
            }
            PayloadSource::AccessCopy { .. } => None,
        });
        let obj = value
            .as_object_mut()
            .ok_or_else(|| Error::Failed("record is not an object".into()))?;
        if matches!(
            payload.as_ref().map(|p| &p.source),
            Some(PayloadSource::Text(_))
        ) {
            // The redacted text is not the original: its digest would let
            // anyone confirm a guess of the original, so it stays home.
            obj.insert("sha256".into(), Value::Null);
            obj.insert("size".into(), Value::Null);
            obj.insert("media_type".into(), "text/plain".into());
        }
        obj.insert(
            "payload".into(),
            payload.as_ref().map(|p| format!("data/{}", p.name)).into(),
        );
        obj.insert("payload_sha256".into(), payload_sha256.into());
        obj.insert("redacted".into(), (grant.redact && facts.redacted).into());
        let mut payload = payload;
        if recording::shape(conn, *id, opts, &decision, &facts, &mut payload, obj)? {
            out.payload_withheld += 1;
        }
        obj.insert(
            "consent".into(),
            match &facts.consent {
                Some(c) => json!({"status": c.status, "scope": c.scope, "date": c.date,
                                  "embargo_until": c.embargo_until.map(|d| d.to_string())}),
                None => Value::Null,
            },
        );
        // What the item says as a source, as the export's level sees it.
        obj.insert(
            "claims".into(),
            crate::claims::bag::of_source(conn, *id, opts.access, opts.today)?.into(),
        );
        let prov = output::to_values(&policy::view::provenance(
            &decision,
            provenance::for_item(conn, *id)?,
        ))?;
        let evs = output::to_values(&policy::view::events(
            &decision,
            events::for_item(conn, *id)?,
        ))?;
        let terms: Vec<Value> = crate::catalogue::terms::for_item(conn, *id)?
            .into_iter()
            .map(|(vocab, label)| {
                let names = crate::claims::bag::names_of_term(
                    conn,
                    vocab,
                    &label,
                    opts.access,
                    opts.today,
                )?;
                Ok(json!({"vocab": vocab, "label": label, "names": names}))
            })
            .collect::<Result<_>>()?;
        obj.insert("terms".into(), terms.into());
        // The notes the bag's level sees (`policy::view::notes`).
        let notes = policy::view::notes(
            &decision,
            &facts,
            crate::catalogue::notes::for_item(conn, *id)?,
        );
        obj.insert("notes".into(), output::to_values(&notes)?.into());
        obj.insert("provenance".into(), prov.into());
        obj.insert("events".into(), evs.into());
        let mut narrator = None;
        if policy::bag_carries_custodian_state(opts.access) && grant == policy::Grant::FULL {
            let (state, n) = crate::restore::item_state(conn, *id, &facts)?;
            obj.insert(crate::restore::KEY.into(), state);
            narrator = n;
        }
        out.items.push(Exported {
            id: *id,
            record: value,
            payload,
            narrator,
        });
    }
    Ok(out)
}

/// Copies one payload with `add` (which returns the SHA-256 of what it
/// wrote), and refuses an original whose stored bytes no longer match.
pub(crate) fn copy_payload(
    id: ItemId,
    payload: &Payload,
    add: impl FnOnce(&mut dyn std::io::Read) -> Result<crate::model::Sha256>,
) -> Result<()> {
    match &payload.source {
        PayloadSource::Text(t) => add(&mut t.as_bytes()).map(|_| ()),
        PayloadSource::AccessCopy {
            original,
            media_type,
            closed,
        } => recording::copy(original.open()?.path(), media_type, closed, add),
        PayloadSource::Original(src, sha) => {
            let src = src.open()?;
            let src = src.path();
            let mut f = File::open(src).map_err(|e| Error::io(src, e))?;
            let got = add(&mut f)?;
            if &got != sha {
                return Err(Error::Failed(format!(
                    "item {id}: its stored object does not match its SHA-256 {sha}; run `custos verify` before exporting"
                )));
            }
            Ok(())
        }
    }
}

/// The custodian records of the narrators of `items` (custodian level), as
/// the bag's `metadata/narrators.json` holds them.
pub(crate) fn narrators_file<'a>(
    conn: &rusqlite::Connection,
    items: impl IntoIterator<Item = &'a Exported>,
) -> Result<Vec<u8>> {
    let ids: BTreeSet<_> = items.into_iter().filter_map(|e| e.narrator).collect();
    let list = crate::restore::narrators(conn, &ids)?;
    serde_json::to_vec_pretty(&list)
        .map_err(|e| Error::Failed(format!("cannot write narrators.json: {e}")))
}

/// Writes the whole bag at `root`; `dest` is where it will stand (for the
/// summary and the event). Returns the summary and the export event detail.
fn write_bag(
    archive: &mut Archive,
    root: &Path,
    dest: &Path,
    opts: &ExportOptions,
) -> Result<(ExportSummary, Value)> {
    let selection = select(archive, opts)?;
    let mut bag = BagWriter::create(root)?;
    let conn = archive.conn();
    let mut records = Vec::new();
    for item in &selection.items {
        if let Some(p) = &item.payload {
            copy_payload(item.id, p, |r| {
                bag.add_payload(&p.name, r).map(|entry| entry.sha256)
            })?;
        }
        records.push(item.record.clone());
    }
    for (name, bytes) in metadata_files(&records)? {
        bag.add_tag_file(name, &bytes)?;
    }
    if policy::bag_carries_custodian_state(opts.access) {
        bag.add_tag_file(
            crate::restore::NARRATORS_FILE,
            &narrators_file(conn, &selection.items)?,
        )?;
    }
    // The latest signed head names event ids and counts, so it goes only
    // where the policy shows the head's event id (custodian bags).
    let (head_id, _) = events::head_with_id(conn)?;
    if policy::history::head_id(opts.access, head_id).is_some() {
        if let Some((text, sig)) = crate::head::kept(archive.root())? {
            bag.add_tag_file(SIGNED_HEAD_TAG, &text)?;
            bag.add_tag_file(&format!("{SIGNED_HEAD_TAG}.minisig"), &sig)?;
        }
    }
    let head = events::head(conn)?.unwrap_or_else(|| events::GENESIS.to_string());
    let archive_id = archive.setting("archive_id")?.unwrap_or_default();
    let info = vec![
        ("Source-Organization".to_string(), opts.organization.clone()),
        (
            "External-Description".to_string(),
            format!(
                "custos export of {} item(s) at {} access level",
                records.len(),
                opts.access
            ),
        ),
        (
            "External-Identifier".to_string(),
            format!("custos:{archive_id}"),
        ),
        ("Custos-Access-Level".to_string(), opts.access.to_string()),
        ("Custos-Query".to_string(), opts.query.clone()),
        ("Custos-Event-Log-Head".to_string(), head.clone()),
    ];
    let summary = bag.finish(&info)?;
    let detail = json!({
        "bag": dest.display().to_string(),
        "access": opts.access,
        "query": opts.query,
        "items": records.len(),
        "payload_oxum": summary.payload_oxum,
        "event_log_head": head,
    });
    let summary = ExportSummary {
        bag: dest.to_path_buf(),
        items: records.len() as u64,
        payload_withheld: selection.payload_withheld,
        evidence_left_out: selection.evidence_left_out,
        payload_bytes: summary.payload_bytes,
        payload_oxum: summary.payload_oxum,
        event_log_head: head,
    };
    Ok((summary, detail))
}

/// Ids open to the reader, in id order, within the selection if any.
fn selected(archive: &Archive, opts: &ExportOptions) -> Result<Vec<ItemId>> {
    let filter = policy::sql::open(opts.access, opts.today);
    let sql = format!(
        "SELECT i.id FROM items i {} WHERE {} ORDER BY i.id",
        policy::sql::FACTS_JOIN,
        filter.sql
    );
    let mut stmt = archive.conn().prepare(&sql)?;
    let all: Vec<ItemId> = stmt
        .query_map(rusqlite::params_from_iter(filter.params.iter()), |r| {
            r.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(match &opts.selection {
        None => all,
        Some(sel) => {
            let wanted: std::collections::HashSet<_> = sel.iter().collect();
            all.into_iter().filter(|i| wanted.contains(i)).collect()
        }
    })
}

/// The payload extension: the original's if it is a plain short one, else
/// the usual one for the media type, else `bin`.
fn extension(r: &items::ItemRecord) -> String {
    let from_name = r
        .original_name
        .as_deref()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.bytes().all(|b| b.is_ascii_alphanumeric()));
    from_name.unwrap_or_else(|| extension_for(&r.media_type).to_string())
}

/// The extension people expect for a media type. mime_guess lists a type's
/// extensions alphabetically, so its first pick for `text/plain` is `asm`:
/// it is asked only where it knows exactly one.
pub(crate) fn extension_for(media_type: &str) -> &'static str {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let known = match essence.as_str() {
        "text/plain" => "txt",
        "text/markdown" => "md",
        "text/html" => "html",
        "text/csv" => "csv",
        "text/xml" | "application/xml" => "xml",
        "application/json" => "json",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "application/rtf" | "text/rtf" => "rtf",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/tiff" => "tif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" | "audio/vnd.wave" => "wav",
        "audio/flac" | "audio/x-flac" => "flac",
        "audio/ogg" => "ogg",
        "audio/mp4" | "audio/x-m4a" => "m4a",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        "video/quicktime" => "mov",
        "video/x-matroska" => "mkv",
        "application/octet-stream" => "bin",
        _ => "",
    };
    if !known.is_empty() {
        return known;
    }
    match mime_guess::get_mime_extensions_str(&essence) {
        Some([only]) => only,
        _ => "bin",
    }
}

mod metadata;
mod recording;

pub(crate) use metadata::metadata_files;

#[cfg(test)]
mod tests {
    use super::extension_for;

    #[test]
    fn payload_extensions_are_the_usual_ones() {
        for (media_type, ext) in [
            ("text/plain", "txt"),
            ("text/plain; charset=utf-8", "txt"),
            ("TEXT/HTML", "html"),
            ("text/markdown", "md"),
            ("application/pdf", "pdf"),
            ("image/jpeg", "jpg"),
            ("image/tiff", "tif"),
            ("audio/mpeg", "mp3"),
            ("application/octet-stream", "bin"),
            ("application/x-never-heard-of", "bin"),
            ("", "bin"),
            ("application/vnd.oasis.opendocument.text", "odt"),
        ] {
            assert_eq!(extension_for(media_type), ext, "{media_type}");
        }
    }
}
