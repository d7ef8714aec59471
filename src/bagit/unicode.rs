//! Payload names that differ from their manifest entry only in Unicode
//! normalisation. "Şuşa.txt" can be written as precomposed characters (NFC,
//! what most tools write into a manifest) or as letters plus combining marks
//! (NFD, what some file systems store, and what a bag copied through one
//! keeps). RFC 8493's security considerations warn of exactly this.
//!
//! A manifest entry that names no file exactly is matched to the one file
//! whose name has the same NFC form, and validation says so as a warning:
//! the bytes are still checked against the manifest's checksum, so nothing
//! unverified gets in. It must not match when the form is ambiguous (two
//! files, or a file that another entry names exactly): those stay missing
//! and unlisted. It never touches the file system.

use std::collections::{BTreeMap, HashMap};

use unicode_normalization::UnicodeNormalization;

/// The name compared across normalisation forms.
pub fn nfc(name: &str) -> String {
    name.nfc().collect()
}

/// Re-keys the entries of one manifest (decoded path → value) that name no
/// file on disk but match exactly one file by NFC form, to that file's
/// path. Returns (path as listed, path on disk) for each.
pub(super) fn reconcile<V>(
    entries: &mut BTreeMap<String, V>,
    on_disk: &HashMap<String, u64>,
) -> Vec<(String, String)> {
    let mut by_form: HashMap<String, Vec<&String>> = HashMap::new();
    for path in on_disk.keys() {
        by_form.entry(nfc(path)).or_default().push(path);
    }
    let unmatched: Vec<String> = entries
        .keys()
        .filter(|k| !on_disk.contains_key(*k))
        .cloned()
        .collect();
    let mut moved = Vec::new();
    for listed in unmatched {
        let Some([disk]) = by_form.get(&nfc(&listed)).map(Vec::as_slice) else {
            continue;
        };
        if entries.contains_key(*disk) {
            continue;
        }
        if let Some(v) = entries.remove(&listed) {
            entries.insert((*disk).clone(), v);
            moved.push((listed, (*disk).clone()));
        }
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    const NFC: &str = "data/\u{15e}u\u{15f}a.txt";
    const NFD: &str = "data/S\u{327}us\u{327}a.txt";

    fn disk(paths: &[&str]) -> HashMap<String, u64> {
        paths.iter().map(|p| (p.to_string(), 1)).collect()
    }

    fn listed(paths: &[&str]) -> BTreeMap<String, &'static str> {
        paths.iter().map(|p| (p.to_string(), "sum")).collect()
    }

    #[test]
    fn an_entry_finds_its_file_written_in_the_other_form() {
        for (on_disk, in_manifest) in [(NFD, NFC), (NFC, NFD)] {
            let mut entries = listed(&[in_manifest, "data/plain.txt"]);
            let moved = reconcile(&mut entries, &disk(&[on_disk, "data/plain.txt"]));
            assert_eq!(moved, vec![(in_manifest.to_string(), on_disk.to_string())]);
            assert!(entries.contains_key(on_disk) && !entries.contains_key(in_manifest));
            assert_eq!(entries.len(), 2);
        }
    }

    #[test]
    fn ambiguous_or_already_named_files_are_not_matched() {
        // Two files share the form: which one the entry meant is unknown.
        let mut entries = listed(&["data/S\u{327}u\u{15f}a.txt"]);
        assert!(reconcile(&mut entries, &disk(&[NFC, NFD])).is_empty());
        // The one file of that form is already another entry's.
        let mut entries = listed(&[NFC, NFD]);
        assert!(reconcile(&mut entries, &disk(&[NFD])).is_empty());
        assert_eq!(entries.len(), 2);
        // Exact names are never touched.
        let mut entries = listed(&[NFC]);
        assert!(reconcile(&mut entries, &disk(&[NFC])).is_empty());
    }
}
