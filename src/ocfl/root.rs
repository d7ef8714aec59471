//! The storage root and the objects in it, as the writer sees them:
//! creating a root (built beside the target and renamed into place) or
//! checking that an existing one is a custos root of the same archive and
//! level; finding its objects; removing an object whose item the level no
//! longer opens as it did (closed, newly redacted, evidence no longer
//! cited), so that no kept version holds what the level may not see; and
//! finishing a commit an interrupted export left between its two renames.
//! It never decides visibility itself (it asks `policy::decide`) and never
//! touches anything outside the root.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::inventory::{self, Inventory};
use super::*;
use crate::export::ExportOptions;
use crate::model::Access;
use crate::policy::{self, Decision};

/// Creates the storage root (in a new or empty folder) or checks that an
/// existing one is a custos root of the same archive and level; removes
/// what an interrupted export left at its top.
pub(super) fn prepare_root(root: &Path, access: Access, archive_id: &str) -> Result<()> {
    let ours = json!({
        "custos_archive": archive_id,
        "access": access,
        "description": "An OCFL 1.1 storage root written by custos export --ocfl: one object per item, as the access level may see it",
    });
    let empty = match std::fs::read_dir(root) {
        Ok(mut rd) => rd.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(Error::io(root, e)),
    };
    if empty {
        // Built whole beside the target and renamed into place (over an
        // empty folder, which rename(2) replaces): a root is complete or
        // absent.
        let parent = match root.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        mkdirs(&parent)?;
        let tmp = tempfile::Builder::new()
            .prefix(PARTIAL)
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?
            .keep();
        let built = (|| -> Result<()> {
            let layout = json!({
                "extension": LAYOUT,
                "description": "Hashed truncated n-tuple trees with the object id encapsulating directory (OCFL extension 0003, sha256, 3 tuples of 3)",
            });
            let config = json!({
                "extensionName": LAYOUT, "digestAlgorithm": "sha256",
                "tupleSize": 3, "numberOfTuples": 3,
            });
            let ext = tmp.join("extensions").join(LAYOUT);
            mkdirs(&ext)?;
            put(&ext.join("config.json"), &pretty(&config)?)?;
            put(&tmp.join("ocfl_layout.json"), &pretty(&layout)?)?;
            put(&tmp.join(CUSTOS_FILE), &pretty(&ours)?)?;
            put(&tmp.join(ROOT_NAMASTE), ROOT_NAMASTE_BODY.as_bytes())?;
            inventory::durable(&tmp)?;
            std::fs::rename(&tmp, root).map_err(|e| Error::io(root, e))?;
            inventory::sync_dir(&parent)
        })();
        if built.is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        return built;
    }
    let refuse = |why: String| {
        Error::usage(format!(
            "{}: {why}; export into a new or empty folder, or into a root made by custos export --ocfl from this archive at this level",
            root.display()
        ))
    };
    if std::fs::read(root.join(ROOT_NAMASTE)).ok().as_deref() != Some(ROOT_NAMASTE_BODY.as_bytes())
    {
        return Err(refuse(format!(
            "the folder is not empty and not an OCFL 1.1 storage root (no {ROOT_NAMASTE})"
        )));
    }
    let layout: Value = read_json(&root.join("ocfl_layout.json"))?;
    if layout.get("extension").and_then(Value::as_str) != Some(LAYOUT) {
        return Err(refuse(format!("its storage layout is not {LAYOUT}")));
    }
    let theirs: Value = read_json(&root.join(CUSTOS_FILE))?;
    let level = theirs.get("access").and_then(Value::as_str).unwrap_or("");
    let source = theirs
        .get("custos_archive")
        .and_then(Value::as_str)
        .unwrap_or("");
    if source != archive_id {
        return Err(refuse(format!(
            "it holds an export of archive {source:?}, not of this one ({archive_id}); one root holds one archive"
        )));
    }
    if level != access.to_string() {
        return Err(refuse(format!(
            "it holds an export at {level} level, not {access}; one root holds one access level, so that no object of one level stands among those of another"
        )));
    }
    remove_partials(root)
}

pub(super) fn read_json(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::usage(format!("{}: not valid JSON: {e}", path.display())))
}

pub(super) fn pretty(v: &Value) -> Result<Vec<u8>> {
    let mut b = serde_json::to_vec_pretty(v).map_err(|e| Error::Failed(e.to_string()))?;
    b.push(b'\n');
    Ok(b)
}

/// Writes a new file, owner-only like the archive's own files (made durable
/// with its folder by `inventory::durable`).
pub(super) fn put(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = create(path)?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))
}

pub(super) fn create(path: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

pub(super) fn mkdirs(dir: &Path) -> Result<()> {
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
        .create(dir)
        .map_err(|e| Error::io(dir, e))
}

pub(super) fn remove_partials(dir: &Path) -> Result<()> {
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        if e.file_name().to_string_lossy().starts_with(PARTIAL) {
            let p = e.path();
            let r = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
            r.map_err(|err| Error::io(&p, err))?;
        }
    }
    Ok(())
}

/// Every object under the root: id (from its inventory) → folder.
pub(super) fn objects_in(root: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    let mut walk = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        let entry = entry.map_err(|e| Error::Failed(format!("{}: {e}", root.display())))?;
        if !entry.file_type().is_dir() || entry.path() == root {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name == "extensions" && entry.depth() == 1 || name.starts_with(PARTIAL) {
            walk.skip_current_dir();
            continue;
        }
        if entry.path().join(OBJECT_NAMASTE).exists() {
            walk.skip_current_dir();
            let inv = entry.path().join(INVENTORY);
            let id = read_json(&inv)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
                .ok_or_else(|| {
                    Error::usage(format!(
                        "{}: an object without a readable inventory id",
                        inv.display()
                    ))
                })?;
            out.insert(id, entry.path().to_path_buf());
        }
    }
    Ok(out)
}

/// Consent evidence stays in a root only while an item open there cites
/// it (what `export::select` requires within one export): a release whose
/// testimony was withdrawn since would arrive open wherever the root is
/// imported. Returns how many objects it removed.
pub(super) fn remove_uncited_evidence(
    root: &Path,
    conn: &rusqlite::Connection,
    archive_id: &str,
    opts: &ExportOptions,
) -> Result<u64> {
    let mut open = Vec::new();
    let mut evidence = Vec::new();
    for (oid, dir) in objects_in(root)? {
        let Some(item) = item_of(archive_id, &oid) else {
            continue;
        };
        let Some(facts) = policy::sql::load_facts(conn, item)? else {
            continue;
        };
        if matches!(
            policy::decide(opts.access, &facts, opts.today),
            Decision::Open(_)
        ) {
            open.push(item);
        }
        if facts.is_evidence {
            evidence.push((item, dir));
        }
    }
    if evidence.is_empty() {
        return Ok(0);
    }
    let cited = crate::restore::cited_evidence(conn, &open)?;
    let mut removed = 0;
    for (item, dir) in evidence {
        if !cited.contains(&item) {
            remove_object(root, &dir)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// An export stopped between replacing the object's inventory and its
/// sidecar leaves a new inventory with the old sidecar; the inventory is
/// then byte for byte the head version's, whose own sidecar vouches for
/// it, and only the object's sidecar is written again. Anything else is
/// left for the caller to refuse.
pub(super) fn finish_interrupted_commit(dir: &Path) -> std::result::Result<(), Vec<String>> {
    let fail = |e: String| vec![e];
    let bytes = std::fs::read(dir.join(INVENTORY)).map_err(|e| fail(e.to_string()))?;
    let head = serde_json::from_slice::<Inventory>(&bytes)
        .map_err(|e| fail(e.to_string()))?
        .head;
    if inventory::version_number(&head).is_none() {
        return Err(fail(format!("bad head {head:?}")));
    }
    let vdir = dir.join(&head);
    let copy = std::fs::read(vdir.join(INVENTORY)).map_err(|e| fail(e.to_string()))?;
    let side = std::fs::read_to_string(vdir.join(SIDECAR)).map_err(|e| fail(e.to_string()))?;
    let digest = sha512_hex(&bytes);
    if copy != bytes || side.split_whitespace().next() != Some(digest.as_str()) {
        return Err(fail("not an interrupted commit".into()));
    }
    inventory::write(dir, &bytes, true).map_err(|e| fail(e.to_string()))
}

/// Whether the object of `item` holds more than the level now opens: the
/// item is closed (or gone), or redacted now but not in the object's head.
pub(super) fn narrowed(
    conn: &rusqlite::Connection,
    dir: &Path,
    item: crate::model::ItemId,
    access: Access,
    today: NaiveDate,
) -> Result<bool> {
    let Some(facts) = policy::sql::load_facts(conn, item)? else {
        return Ok(true);
    };
    let Decision::Open(grant) = policy::decide(access, &facts, today) else {
        return Ok(true);
    };
    if !(grant.redact && facts.redacted) {
        return Ok(false);
    }
    // Redacted now: was the head written redacted too?
    let head_redacted = inventory::check(dir, false).ok().and_then(|c| {
        let state = c.inventory.head_state();
        let digest = state.get("metadata/records.json")?;
        let path = c.inventory.manifest.get(digest)?.first()?.clone();
        let records: Value = read_json(&dir.join(path)).ok()?;
        records.get(0)?.get("redacted")?.as_bool()
    });
    Ok(head_redacted != Some(true))
}

/// Removes an object: renamed aside first, so no half-removed object is
/// ever seen under its id; then the tuple folders it leaves empty.
pub(super) fn remove_object(root: &Path, dir: &Path) -> Result<()> {
    let aside = tempfile::Builder::new()
        .prefix(PARTIAL)
        .tempdir_in(root)
        .map_err(|e| Error::io(root, e))?
        .keep();
    let target = aside.join("object");
    std::fs::rename(dir, &target).map_err(|e| Error::io(dir, e))?;
    if let Some(parent) = dir.parent() {
        inventory::sync_dir(parent)?;
    }
    std::fs::remove_dir_all(&aside).map_err(|e| Error::io(&aside, e))?;
    let mut up = dir.parent();
    while let Some(p) = up.filter(|p| *p != root) {
        if std::fs::remove_dir(p).is_err() {
            break; // not empty: other objects share the tuple
        }
        up = p.parent();
    }
    Ok(())
}
