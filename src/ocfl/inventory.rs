//! The OCFL inventory (`inventory.json`) and its sidecar: the typed form,
//! writing both durably, and checking an object on disk against them —
//! the sidecar digest, the copy in the head version's folder, and (deep)
//! every content file's sha512 and the sha256 of the fixity block.
//!
//! It reports every problem it finds, naming the file; it never repairs an
//! object and never trusts a path from an inventory that would leave the
//! object's folder.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{
    hash_file, sha512_hex, INVENTORY, INVENTORY_TYPE, OBJECT_NAMASTE, OBJECT_NAMASTE_BODY, SIDECAR,
};
use crate::error::{Error, Result};

/// digest → paths (content paths in the manifest and fixity, logical paths
/// in a version's state).
pub type DigestMap = BTreeMap<String, Vec<String>>;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Inventory {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "digestAlgorithm")]
    pub digest_algorithm: String,
    pub head: String,
    #[serde(
        rename = "contentDirectory",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub content_directory: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fixity: BTreeMap<String, DigestMap>,
    pub manifest: DigestMap,
    pub versions: BTreeMap<String, Version>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Version {
    pub created: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    pub state: DigestMap,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// The number of a version name (`v3` → 3; zero-padded names are not
/// written by custos and refused on reading).
pub fn version_number(name: &str) -> Option<u32> {
    let n = name.strip_prefix('v')?;
    if n.starts_with('0') || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

impl Inventory {
    /// The head version's state as logical path → sha512.
    pub fn head_state(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Some(v) = self.versions.get(&self.head) {
            for (d, paths) in &v.state {
                for p in paths {
                    out.insert(p.clone(), d.clone());
                }
            }
        }
        out
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut v = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Failed(format!("cannot write {INVENTORY}: {e}")))?;
        v.push(b'\n');
        Ok(v)
    }
}

/// Writes `inventory.json` and its sidecar into `dir`. With `atomic`, each
/// is made durable under a temp name and renamed over the old one (the
/// object root's inventory is the commit point of a version); without, the
/// caller makes the folder [`durable`] before it comes into view.
pub fn write(dir: &Path, bytes: &[u8], atomic: bool) -> Result<()> {
    let sidecar = format!("{}  {INVENTORY}\n", sha512_hex(bytes));
    let put = |name: &str, data: &[u8]| -> Result<()> {
        let target = dir.join(name);
        let tmp = if atomic {
            dir.join(format!("{}{name}", super::PARTIAL))
        } else {
            target.clone()
        };
        let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        f.write_all(data).map_err(|e| Error::io(&tmp, e))?;
        if atomic {
            f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        }
        if atomic {
            std::fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e))?;
        }
        Ok(())
    };
    put(INVENTORY, bytes)?;
    put(SIDECAR, sidecar.as_bytes())?;
    if atomic {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Makes everything written under `dir` durable before it is renamed into
/// view: on Linux one `syncfs` (as the store does for a batch), elsewhere
/// an fsync of each file and folder.
pub fn durable(dir: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::io::AsRawFd;
        let d = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
        // SAFETY: syncfs on an fd we own.
        if unsafe { libc::syncfs(d.as_raw_fd()) } == 0 {
            return Ok(());
        }
    }
    for entry in walkdir::WalkDir::new(dir).contents_first(true) {
        let entry = entry.map_err(|e| Error::Failed(format!("{}: {e}", dir.display())))?;
        std::fs::File::open(entry.path())
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(entry.path(), e))?;
    }
    Ok(())
}

pub fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// An object checked on disk: its inventory and, for a deep check, the
/// content path → (sha512, sha256) of every file the manifest lists.
pub struct Checked {
    pub inventory: Inventory,
    pub hashes: BTreeMap<String, (String, String)>,
}

/// Reads one inventory and checks its sidecar; a problem names the file.
fn read_one(dir: &Path, problems: &mut Vec<String>) -> Option<(Inventory, String)> {
    let path = dir.join(INVENTORY);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            problems.push(format!("{}: cannot be read: {e}", path.display()));
            return None;
        }
    };
    let digest = sha512_hex(&bytes);
    let side = dir.join(SIDECAR);
    match std::fs::read_to_string(&side) {
        Err(e) => problems.push(format!("{}: cannot be read: {e}", side.display())),
        Ok(s) => {
            let mut words = s.split_whitespace();
            let (d, name) = (words.next(), words.next());
            if name != Some(INVENTORY) || words.next().is_some() {
                problems.push(format!(
                    "{}: not a sidecar of the form \"<sha512>  inventory.json\"",
                    side.display()
                ));
            } else if d.map(str::to_ascii_lowercase).as_deref() != Some(digest.as_str()) {
                problems.push(format!(
                    "{}: the sha512 of inventory.json is {digest}, not the sidecar's {}",
                    path.display(),
                    d.unwrap_or("")
                ));
            }
        }
    }
    match serde_json::from_slice::<Inventory>(&bytes) {
        Ok(inv) => Some((inv, digest)),
        Err(e) => {
            problems.push(format!("{}: not an OCFL inventory: {e}", path.display()));
            None
        }
    }
}

/// A content path of the inventory, if it stays inside the object.
fn safe(obj: &Path, rel: &str) -> Option<PathBuf> {
    let ok = !rel.is_empty()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'));
    ok.then(|| obj.join(rel))
}

/// Checks the object at `obj`: NAMASTE, inventory and sidecar, the head
/// version's copy of both, the structure of the inventory, and with `deep`
/// every content file. Err lists every problem found.
pub fn check(obj: &Path, deep: bool) -> std::result::Result<Checked, Vec<String>> {
    let mut problems = Vec::new();
    let namaste = obj.join(OBJECT_NAMASTE);
    match std::fs::read(&namaste) {
        Ok(b) if b == OBJECT_NAMASTE_BODY.as_bytes() => {}
        _ => problems.push(format!(
            "{}: missing, or not \"{}\"",
            namaste.display(),
            OBJECT_NAMASTE_BODY.trim_end()
        )),
    }
    let Some((inv, digest)) = read_one(obj, &mut problems) else {
        return Err(problems);
    };
    let at = obj.join(INVENTORY);
    if inv.kind != INVENTORY_TYPE {
        problems.push(format!(
            "{}: type is {:?}, not {INVENTORY_TYPE:?}",
            at.display(),
            inv.kind
        ));
    }
    if inv.digest_algorithm != "sha512" {
        problems.push(format!(
            "{}: digestAlgorithm is {:?}; custos reads sha512 inventories",
            at.display(),
            inv.digest_algorithm
        ));
    }
    let content_dir = inv.content_directory.as_deref().unwrap_or("content");
    let head = version_number(&inv.head);
    match head {
        None => problems.push(format!(
            "{}: head {:?} is not a version name",
            at.display(),
            inv.head
        )),
        Some(n) => {
            for k in 1..=n {
                if !inv.versions.contains_key(&format!("v{k}")) {
                    problems.push(format!("{}: version v{k} is missing", at.display()));
                }
            }
            if inv.versions.len() != n as usize {
                problems.push(format!(
                    "{}: versions other than v1..{} are listed",
                    at.display(),
                    inv.head
                ));
            }
            let vdir = obj.join(&inv.head);
            if let Some((_, d)) = read_one(&vdir, &mut problems) {
                if d != digest {
                    problems.push(format!(
                        "{}: differs from the object's {INVENTORY}",
                        vdir.join(INVENTORY).display()
                    ));
                }
            }
        }
    }
    for (v, version) in &inv.versions {
        for (d, paths) in &version.state {
            if !inv.manifest.contains_key(d) {
                problems.push(format!(
                    "{}: {v} names digest {d} for {}, which the manifest lacks",
                    at.display(),
                    paths.join(", ")
                ));
            }
        }
    }
    let mut hashes = BTreeMap::new();
    for (d, paths) in &inv.manifest {
        for p in paths {
            let ok_prefix = p.split('/').nth(1) == Some(content_dir)
                && p.split('/').next().and_then(version_number).is_some();
            let Some(file) = safe(obj, p).filter(|_| ok_prefix) else {
                problems.push(format!(
                    "{}: manifest path {p:?} is not a content path of the object",
                    at.display()
                ));
                continue;
            };
            if !deep {
                continue;
            }
            match hash_file(&file) {
                Err(e) => problems.push(e.to_string()),
                Ok((s512, s256)) => {
                    if &s512 != d {
                        problems.push(format!(
                            "{}: its sha512 is {s512}, but the inventory says {d}",
                            file.display()
                        ));
                    }
                    hashes.insert(p.clone(), (s512, s256));
                }
            }
        }
    }
    if deep {
        for (alg, map) in &inv.fixity {
            if alg != "sha256" {
                continue; // only sha256 is known to custos; sha512 was checked above
            }
            for (d, paths) in map {
                for p in paths {
                    match hashes.get(p) {
                        Some((_, s256)) if s256 == &d.to_ascii_lowercase() => {}
                        Some((_, s256)) => problems.push(format!(
                            "{}: its sha256 is {s256}, but the inventory's fixity block says {d}",
                            obj.join(p).display()
                        )),
                        None => problems.push(format!(
                            "{}: fixity names {p:?}, which the manifest does not list",
                            at.display()
                        )),
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(Checked {
            inventory: inv,
            hashes,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names_are_v_and_a_number_without_padding() {
        assert_eq!(version_number("v1"), Some(1));
        assert_eq!(version_number("v12"), Some(12));
        for bad in ["v0", "v01", "1", "v", "v1a", "V1", "v-1"] {
            assert_eq!(version_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn inventory_paths_never_leave_the_object() {
        let obj = Path::new("/o");
        assert_eq!(
            safe(obj, "v1/content/a.txt"),
            Some(obj.join("v1/content/a.txt"))
        );
        for bad in [
            "",
            "/etc/passwd",
            "v1/../../x",
            "v1/./a",
            "v1//a",
            "v1\\..\\a",
        ] {
            assert_eq!(safe(obj, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn an_object_whose_manifest_points_outside_is_refused_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let obj = dir.path();
        std::fs::write(obj.join(OBJECT_NAMASTE), OBJECT_NAMASTE_BODY).unwrap();
        let mut inv = Inventory {
            id: "urn:x".into(),
            kind: INVENTORY_TYPE.into(),
            digest_algorithm: "sha512".into(),
            head: "v1".into(),
            content_directory: None,
            fixity: BTreeMap::new(),
            manifest: DigestMap::from([(
                "ab".into(),
                vec!["v1/content/../../../etc/passwd".into()],
            )]),
            versions: BTreeMap::from([(
                "v1".into(),
                Version {
                    created: "2026-01-01T00:00:00Z".into(),
                    message: None,
                    user: None,
                    state: DigestMap::from([("ab".into(), vec!["a".into()])]),
                },
            )]),
        };
        let bytes = inv.to_bytes().unwrap();
        std::fs::create_dir(obj.join("v1")).unwrap();
        write(&obj.join("v1"), &bytes, false).unwrap();
        write(obj, &bytes, false).unwrap();
        let problems = check(obj, true).err().unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("etc/passwd") && p.contains("not a content path")),
            "{problems:?}"
        );
        // A state digest missing from the manifest is named too.
        inv.manifest.clear();
        let bytes = inv.to_bytes().unwrap();
        write(&obj.join("v1"), &bytes, false).unwrap();
        write(obj, &bytes, false).unwrap();
        let problems = check(obj, true).err().unwrap();
        assert!(
            problems.iter().any(|p| p.contains("manifest lacks")),
            "{problems:?}"
        );
    }
}
