//! Writing an OCFL storage root: the root's declaration and layout, one
//! object per exported item, and a new version of an object whose item
//! changed since the last export (none when nothing changed).
//!
//! A version is written into a hidden folder inside the object and renamed
//! to `vN` only when complete; the object root's inventory, replaced last by
//! rename, is what makes it the head. A new object is built whole in a
//! hidden folder of the root and renamed into place. So a failure never
//! leaves a half-written version visible, and the next export removes what
//! a crash left. What goes into an object comes from `export::select`
//! (the policy's decision, shared with bags); this module never widens it.
//! Versions are kept, with one exception that protects the policy: when an
//! item is now closed at the root's level, or newly redacted, its older
//! versions hold what the level may no longer see, so the object is removed
//! (and, if still open, written again as a new v1); a redacted item's
//! object keeps no history at all (a further redaction would leave the
//! name in the earlier version).

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::inventory::{self, DigestMap, Inventory, User, Version};
use super::root;
use super::*;
use crate::archive::Archive;
use crate::catalogue::events;
use crate::export::{self, ExportOptions, Exported};
use crate::policy;

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OcflSummary {
    pub items: u64,
    pub new_objects: u64,
    pub new_versions: u64,
    pub unchanged: u64,
    /// Objects removed because their item is now closed at this level or
    /// newly redacted (rewritten as a new v1 if still open).
    pub removed: u64,
    pub payload_withheld: u64,
    pub evidence_left_out: u64,
    pub event_log_head: String,
    /// The latest signed head was written at the root.
    pub signed_head: bool,
}

/// Logical path → (sha512, sha256) of the files of a new version.
type Sums = BTreeMap<String, (String, String)>;

/// One file of an object's new state: its logical path and bytes.
enum Source<'a> {
    Bytes(Vec<u8>),
    Payload(&'a Exported),
}

pub fn export(archive: &mut Archive, root: &Path, opts: &ExportOptions) -> Result<OcflSummary> {
    let archive_id = archive
        .setting("archive_id")?
        .ok_or_else(|| Error::Failed("the archive has no archive_id setting".into()))?;
    root::prepare_root(root, opts.access, &archive_id)?;
    let selection = export::select(archive, opts)?;
    let conn = archive.conn();
    let now = crate::clock::now_rfc3339();
    let mut summary = OcflSummary {
        items: selection.items.len() as u64,
        payload_withheld: selection.payload_withheld,
        evidence_left_out: selection.evidence_left_out,
        ..Default::default()
    };
    // Objects of this archive already in the root whose item the level no
    // longer opens, or opens only redacted, lose their history here.
    let existing = root::objects_in(root)?;
    for (oid, dir) in &existing {
        let Some(item) = item_of(&archive_id, oid) else {
            continue;
        };
        if root::narrowed(conn, dir, item, opts.access, opts.today)? {
            root::remove_object(root, dir)?;
            summary.removed += 1;
        }
    }
    let version_meta = |n: usize| Version {
        created: now.clone(),
        message: Some(format!(
            "custos export at {} access level{}",
            opts.access,
            if n > 1 {
                " (changed since the last)"
            } else {
                ""
            }
        )),
        user: Some(User {
            name: opts.agent.clone(),
            // OCFL asks for a URI; the agent is known to this archive only.
            address: Some(format!(
                "urn:custos:{archive_id}:agent:{}",
                percent_encoded(&opts.agent)
            )),
        }),
        state: DigestMap::new(),
    };
    for item in &selection.items {
        let oid = object_id(&archive_id, item.id);
        let mut files: Vec<(String, Source)> = Vec::new();
        if let Some(p) = &item.payload {
            files.push((format!("data/{}", p.name), Source::Payload(item)));
        }
        for (name, bytes) in export::metadata_files(std::slice::from_ref(&item.record))? {
            files.push((name.to_string(), Source::Bytes(bytes)));
        }
        if policy::bag_carries_custodian_state(opts.access) {
            files.push((
                crate::restore::NARRATORS_FILE.to_string(),
                Source::Bytes(export::narrators_file(conn, [item])?),
            ));
        }
        let dir = root.join(object_path(&oid));
        if dir.join(OBJECT_NAMASTE).exists() {
            let inv = match inventory::check(&dir, false).or_else(|_| {
                root::finish_interrupted_commit(&dir)?;
                inventory::check(&dir, false)
            }) {
                Ok(c) => c.inventory,
                Err(problems) => {
                    return Err(Error::Failed(format!(
                        "{}: the object of item {} is not valid OCFL ({}); nothing more was exported. Move it away or export into a new root",
                        dir.display(),
                        item.id,
                        problems.join("; ")
                    )))
                }
            };
            let next = inventory::version_number(&inv.head).unwrap_or(0) + 1;
            // A redacted item's earlier versions may hold a name redacted
            // since (a further `redact`): it keeps no history.
            let redacted = item.record.get("redacted").and_then(Value::as_bool) == Some(true);
            match add_version(&dir, inv, &files, version_meta(next as usize), !redacted)? {
                Added::Version => summary.new_versions += 1,
                Added::Nothing => summary.unchanged += 1,
                Added::Replace => {
                    root::remove_object(root, &dir)?;
                    summary.removed += 1;
                    new_object(root, &dir, &oid, &files, version_meta(1))?;
                    summary.new_objects += 1;
                }
            }
        } else {
            new_object(root, &dir, &oid, &files, version_meta(1))?;
            summary.new_objects += 1;
        }
    }
    summary.removed += root::remove_uncited_evidence(root, conn, &archive_id, opts)?;
    // As in a custodian bag: the latest signed head, where the level sees
    // event ids (it names them), beside the objects at the root, replaced
    // by each export.
    let (head_id, _) = events::head_with_id(conn)?;
    if policy::history::head_id(opts.access, head_id).is_some() {
        if let Some((text, sig)) = crate::head::kept(archive.root())? {
            let utf8 = |b: Vec<u8>| {
                String::from_utf8(b)
                    .map_err(|_| Error::Failed("the kept signed head is not UTF-8 text".into()))
            };
            crate::head::write_pair(
                &root.join(crate::head::KEPT),
                &utf8(text)?,
                &utf8(sig)?,
                true,
            )?;
            summary.signed_head = true;
        }
    }
    summary.event_log_head = events::head(conn)?.unwrap_or_else(|| events::GENESIS.to_string());
    let detail = json!({
        "ocfl": root.display().to_string(),
        "access": opts.access,
        "query": opts.query,
        "items": summary.items,
        "new_objects": summary.new_objects,
        "new_versions": summary.new_versions,
        "removed": summary.removed,
        "event_log_head": summary.event_log_head,
    });
    export::log_export(archive, &opts.agent, &detail)?;
    Ok(summary)
}

/// Writes `files` under `vdir/content/` with their digests. Returns the
/// state (sha512 → logical paths), and logical path → (sha512, sha256).
fn write_content<'s>(
    vdir: &Path,
    files: impl IntoIterator<Item = &'s (String, Source<'s>)>,
) -> Result<(DigestMap, Sums)> {
    let mut state = DigestMap::new();
    let mut sums = BTreeMap::new();
    for (logical, src) in files {
        let dest = vdir.join(CONTENT_DIR).join(logical);
        if let Some(parent) = dest.parent() {
            root::mkdirs(parent)?;
        }
        let mut out = BufWriter::new(root::create(&dest)?);
        let mut got = None;
        match src {
            Source::Bytes(b) => {
                got = Some(hash_copy(&mut b.as_slice(), &mut out).map_err(|e| Error::io(&dest, e))?)
            }
            Source::Payload(item) => {
                let p = item.payload.as_ref().ok_or_else(|| {
                    Error::Failed(format!("item {}: no payload to write", item.id))
                })?;
                export::copy_payload(item.id, p, |r| {
                    let (s512, s256) = hash_copy(r, &mut out).map_err(|e| Error::io(&dest, e))?;
                    let sha = s256
                        .parse::<crate::model::Sha256>()
                        .map_err(Error::Failed)?;
                    got = Some((s512, s256));
                    Ok(sha)
                })?;
            }
        }
        out.into_inner()
            .map_err(|e| Error::io(&dest, e.into_error()))?;
        let (s512, s256) =
            got.ok_or_else(|| Error::Failed(format!("{}: not hashed", dest.display())))?;
        state.entry(s512.clone()).or_default().push(logical.clone());
        sums.insert(logical.clone(), (s512, s256));
    }
    Ok((state, sums))
}

/// The digests of `files` without writing them (an original is checked
/// against its SHA-256 on the way).
fn hash_sources(files: &[(String, Source)]) -> Result<Sums> {
    let mut sums = Sums::new();
    for (logical, src) in files {
        let got = match src {
            Source::Bytes(b) => hash_copy(&mut b.as_slice(), &mut std::io::sink())
                .map_err(|e| Error::Failed(format!("{logical}: {e}")))?,
            Source::Payload(item) => {
                let p = item.payload.as_ref().ok_or_else(|| {
                    Error::Failed(format!("item {}: no payload to write", item.id))
                })?;
                let mut got = None;
                export::copy_payload(item.id, p, |r| {
                    let (s512, s256) = hash_copy(r, &mut std::io::sink())
                        .map_err(|e| Error::Failed(format!("item {}: {e}", item.id)))?;
                    let sha = s256
                        .parse::<crate::model::Sha256>()
                        .map_err(Error::Failed)?;
                    got = Some((s512, s256));
                    Ok(sha)
                })?;
                got.ok_or_else(|| Error::Failed(format!("{logical}: not hashed")))?
            }
        };
        sums.insert(logical.clone(), got);
    }
    Ok(sums)
}

/// Adds the version's new content to the manifest and the fixity block,
/// removing from `vdir` any file whose bytes the object already holds.
fn register(inv: &mut Inventory, vname: &str, vdir: &Path, sums: &Sums) -> Result<()> {
    for (logical, (s512, s256)) in sums {
        let content = format!("{vname}/{CONTENT_DIR}/{logical}");
        if inv.manifest.contains_key(s512) {
            let dup = vdir.join(CONTENT_DIR).join(logical);
            std::fs::remove_file(&dup).map_err(|e| Error::io(&dup, e))?;
            continue;
        }
        inv.manifest.insert(s512.clone(), vec![content.clone()]);
        inv.fixity
            .entry("sha256".into())
            .or_default()
            .entry(s256.clone())
            .or_default()
            .push(content);
    }
    // OCFL asks for no empty folders in content: drop those deduplication
    // emptied (deepest first).
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new(vdir.join(CONTENT_DIR))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.path().to_path_buf())
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(&d); // fails, as it should, when not empty
    }
    Ok(())
}

fn new_object(
    root: &Path,
    dir: &Path,
    oid: &str,
    files: &[(String, Source)],
    mut version: Version,
) -> Result<()> {
    let tmp = tempfile::Builder::new()
        .prefix(PARTIAL)
        .tempdir_in(root)
        .map_err(|e| Error::io(root, e))?
        .keep();
    let built = (|| -> Result<()> {
        root::put(&tmp.join(OBJECT_NAMASTE), OBJECT_NAMASTE_BODY.as_bytes())?;
        let vdir = tmp.join("v1");
        let (state, sums) = write_content(&vdir, files)?;
        version.state = state;
        let mut inv = Inventory {
            id: oid.to_string(),
            kind: INVENTORY_TYPE.into(),
            digest_algorithm: "sha512".into(),
            head: "v1".into(),
            content_directory: None,
            fixity: BTreeMap::new(),
            manifest: DigestMap::new(),
            versions: BTreeMap::from([("v1".to_string(), version)]),
        };
        register(&mut inv, "v1", &vdir, &sums)?;
        let bytes = inv.to_bytes()?;
        inventory::write(&vdir, &bytes, false)?;
        inventory::write(&tmp, &bytes, false)?;
        inventory::durable(&tmp)?;
        if let Some(parent) = dir.parent() {
            root::mkdirs(parent)?;
        }
        std::fs::rename(&tmp, dir).map_err(|e| Error::io(dir, e))?;
        if let Some(parent) = dir.parent() {
            inventory::sync_dir(parent)?;
        }
        Ok(())
    })();
    if built.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    built
}

/// What [`add_version`] did.
enum Added {
    Version,
    Nothing,
    /// The state changed, but the object may keep no history: the caller
    /// writes it anew.
    Replace,
}

/// Writes version head+1 of the object at `dir` if its state differs from
/// the head's (or asks for the object to be replaced, without
/// `keep_history`).
fn add_version(
    dir: &Path,
    mut inv: Inventory,
    files: &[(String, Source)],
    mut version: Version,
    keep_history: bool,
) -> Result<Added> {
    // What a crash left: partial folders, and a version folder the root
    // inventory never committed.
    root::remove_partials(dir)?;
    let head = inventory::version_number(&inv.head)
        .ok_or_else(|| Error::Failed(format!("{}: bad head {:?}", dir.display(), inv.head)))?;
    let next = format!("v{}", head + 1);
    let stale = dir.join(&next);
    if stale.exists() {
        std::fs::remove_dir_all(&stale).map_err(|e| Error::io(&stale, e))?;
    }
    // Hashed before anything is written: an unchanged item (most, on a
    // re-export) costs reads only, and a changed one stores only the files
    // the object does not hold yet.
    let planned = hash_sources(files)?;
    let now: BTreeSet<(String, String)> = planned
        .iter()
        .map(|(l, (d, _))| (l.clone(), d.clone()))
        .collect();
    let before: BTreeSet<(String, String)> = inv.head_state().into_iter().collect();
    if now == before {
        return Ok(Added::Nothing);
    }
    if !keep_history {
        return Ok(Added::Replace);
    }
    let tmp = tempfile::Builder::new()
        .prefix(PARTIAL)
        .tempdir_in(dir)
        .map_err(|e| Error::io(dir, e))?
        .keep();
    let done = (|| -> Result<Added> {
        let fresh = files.iter().filter(|(l, _)| {
            planned
                .get(l)
                .is_none_or(|(d, _)| !inv.manifest.contains_key(d))
        });
        let (_, written) = write_content(&tmp, fresh)?;
        for (l, sums) in &written {
            if planned.get(l) != Some(sums) {
                return Err(Error::Failed(format!(
                    "{}: {l} changed while it was exported; export again",
                    dir.display()
                )));
            }
        }
        let mut state = DigestMap::new();
        for (l, (d, _)) in &planned {
            state.entry(d.clone()).or_default().push(l.clone());
        }
        version.state = state;
        register(&mut inv, &next, &tmp, &written)?;
        inv.head = next.clone();
        inv.versions.insert(next.clone(), version);
        let bytes = inv.to_bytes()?;
        inventory::write(&tmp, &bytes, false)?;
        inventory::durable(&tmp)?;
        std::fs::rename(&tmp, dir.join(&next)).map_err(|e| Error::io(dir.join(&next), e))?;
        inventory::sync_dir(dir)?;
        // The commit point: the object's own inventory names the new head.
        inventory::write(dir, &bytes, true)?;
        Ok(Added::Version)
    })();
    if done.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    done
}
