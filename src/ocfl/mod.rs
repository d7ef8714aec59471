//! OCFL 1.1 (Oxford Common File Layout) storage roots out and in: `export
//! --ocfl ROOT` writes one OCFL object per exported item, `import --ocfl
//! ROOT` reads the latest version of each object back.
//!
//! What an object holds is exactly what a bag exported at the same level
//! holds for that item (`export::select` decides it through the policy;
//! this module never decides visibility): the payload under `data/`, the
//! item's records under `metadata/`. The storage hierarchy follows the
//! registered extension `0003-hash-and-id-n-tuple-storage-layout` (see
//! [`object_path`]). Digests are sha512 as OCFL recommends, with the
//! SHA-256 custos knows in each inventory's `fixity` block. This module
//! never prints; it writes only inside the storage root it is given.

mod inventory;
mod read;
mod root;
mod write;

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256, Sha512};

use crate::error::{Error, Result};

pub use read::{plan, OcflImport};
pub use write::{export, OcflSummary};

/// The storage root's NAMASTE declaration.
const ROOT_NAMASTE: &str = "0=ocfl_1.1";
const ROOT_NAMASTE_BODY: &str = "ocfl_1.1\n";
/// An object's NAMASTE declaration.
const OBJECT_NAMASTE: &str = "0=ocfl_object_1.1";
const OBJECT_NAMASTE_BODY: &str = "ocfl_object_1.1\n";
const INVENTORY: &str = "inventory.json";
const SIDECAR: &str = "inventory.json.sha512";
const INVENTORY_TYPE: &str = "https://ocfl.io/1.1/spec/#inventory";
const CONTENT_DIR: &str = "content";
/// The storage layout: a registered extension the independent validator
/// (ocfl-py) accepts. 0004 would hash without keeping the id readable, and
/// ocfl-py 2.1 reports E071 for it; 0002 (flat) puts every object in one
/// folder under its raw id, which holds `:` and grows without bound.
pub const LAYOUT: &str = "0003-hash-and-id-n-tuple-storage-layout";
/// What the storage root says about the export (access level, archive):
/// a root holds one level of one archive, never a mix.
const CUSTOS_FILE: &str = "custos-export.json";
/// Prefix of folders being written; a crash may leave one, which the next
/// export removes.
const PARTIAL: &str = ".custos-partial-";

/// The object id of an item of an archive: stable across exports.
pub fn object_id(archive_id: &str, item: crate::model::ItemId) -> String {
    format!("urn:custos:{archive_id}:item:{item}")
}

/// The item an object id names, if it is one of this archive's.
fn item_of(archive_id: &str, object_id: &str) -> Option<crate::model::ItemId> {
    object_id
        .strip_prefix(&format!("urn:custos:{archive_id}:item:"))?
        .parse::<i64>()
        .ok()
        .map(crate::model::ItemId)
}

/// The object's folder relative to the storage root, by extension 0003
/// with its defaults (sha256, three tuples of three): the digest's tuples,
/// then the id percent-encoded (all but `A-Za-z0-9-_`, lowercase hex).
pub fn object_path(id: &str) -> PathBuf {
    let digest = hex(&Sha256::digest(id.as_bytes()));
    let mut enc = percent_encoded(id);
    if enc.len() > 100 {
        enc = format!("{}-{digest}", &enc[..100]);
    }
    let mut p = PathBuf::new();
    for i in 0..3 {
        p.push(&digest[i * 3..i * 3 + 3]);
    }
    p.push(enc);
    p
}

/// `s` with every byte but `A-Za-z0-9-_` percent-encoded (lowercase hex),
/// as extension 0003 names folders; also safe inside a URN.
fn percent_encoded(s: &str) -> String {
    let mut enc = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02x}"));
        }
    }
    enc
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 0xf)] as char);
    }
    s
}

/// sha512 and sha256 of what `r` yields, copied to `out` on the way.
fn hash_copy(r: &mut dyn Read, out: &mut dyn std::io::Write) -> std::io::Result<(String, String)> {
    let mut s512 = Sha512::new();
    let mut s256 = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        s512.update(&buf[..n]);
        s256.update(&buf[..n]);
        out.write_all(&buf[..n])?;
    }
    Ok((hex(&s512.finalize()), hex(&s256.finalize())))
}

/// sha512 and sha256 of a file.
fn hash_file(path: &Path) -> Result<(String, String)> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    hash_copy(&mut f, &mut std::io::sink()).map_err(|e| Error::io(path, e))
}

fn sha512_hex(bytes: &[u8]) -> String {
    hex(&Sha512::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_0003_matches_the_extensions_examples() {
        // The examples of the extension's specification.
        assert_eq!(object_path("object-01"), Path::new("3c0/ff4/240/object-01"));
        assert_eq!(
            object_path("..hor/rib:le-$id"),
            Path::new("487/326/d8c/%2e%2ehor%2frib%3ale-%24id")
        );
    }

    #[test]
    fn object_ids_name_the_archive_and_item() {
        let id = object_id("a1b2", crate::model::ItemId(17));
        assert_eq!(id, "urn:custos:a1b2:item:17");
        assert_eq!(item_of("a1b2", &id), Some(crate::model::ItemId(17)));
        assert_eq!(item_of("other", &id), None);
        assert_eq!(item_of("a1b2", "urn:custos:a1b2:item:x"), None);
    }
}
