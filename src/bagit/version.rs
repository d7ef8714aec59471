//! The BagIt versions custos reads — the drafts 0.93 to 0.97
//! (draft-kunze-bagit-00 … -14) and RFC 8493's 1.0 — the rules in which
//! they differ, and the bag declaration (`bagit.txt`) that says which
//! version and tag-file encoding a bag uses.
//!
//! Every difference between versions is a method of `Version`, so the
//! validator asks "does this version allow it?" and never compares version
//! strings itself. It reads only `bagit.txt`, and never writes.

use std::fs;
use std::path::Path;

use super::encoding::TagEncoding;
use super::{is_file, lines, ProblemKind, Report};

/// A BagIt version custos knows the rules of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    V0_93,
    V0_94,
    V0_95,
    V0_96,
    V0_97,
    V1_0,
}

impl Version {
    pub const ALL: &'static [Version] = &[
        Version::V0_93,
        Version::V0_94,
        Version::V0_95,
        Version::V0_96,
        Version::V0_97,
        Version::V1_0,
    ];

    pub fn parse(s: &str) -> Option<Version> {
        Version::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Version::V0_93 => "0.93",
            Version::V0_94 => "0.94",
            Version::V0_95 => "0.95",
            Version::V0_96 => "0.96",
            Version::V0_97 => "0.97",
            Version::V1_0 => "1.0",
        }
    }

    /// The tag file of bag metadata (Payload-Oxum and the rest): it was
    /// `package-info.txt` until 0.95 and is `bag-info.txt` since 0.96.
    pub fn info_file(self) -> &'static str {
        if self <= Version::V0_95 {
            "package-info.txt"
        } else {
            "bag-info.txt"
        }
    }

    /// RFC 8493 percent-encodes exactly `%0A`, `%0D` and `%25` in manifest
    /// and fetch paths, and any other `%` is an error. Before 1.0 names
    /// were written as they are (`data/%7Edir` is a folder named `%7Edir`):
    /// a path is taken literally, and decoded only when no file has the
    /// literal name (so line breaks written as `%0A`/`%0D`, as bagit-python
    /// writes them in 0.97 bags, still find their file).
    pub fn strict_percent_encoding(self) -> bool {
        self == Version::V1_0
    }

    /// 1.0: every payload file is listed in every payload manifest. Before,
    /// a file needed to be listed in at least one.
    pub fn every_manifest_lists_every_file(self) -> bool {
        self == Version::V1_0
    }

    /// A manifest listing the same path twice with the same checksum: an
    /// error in 1.0 ("listed only once"), tolerated with a warning before.
    /// Two different checksums for one path are an error in every version.
    pub fn same_entry_twice_is_error(self) -> bool {
        self == Version::V1_0
    }
}

/// What `bagit.txt` declares, with the rules used when it cannot be read:
/// those of 1.0 (the strictest) and UTF-8.
#[derive(Debug, Clone, Copy)]
pub struct Declared {
    pub version: Version,
    pub encoding: TagEncoding,
}

/// Checks `bagit.txt`: exactly two lines, `BagIt-Version: M.N` with a
/// version custos knows, then `Tag-File-Character-Encoding: ENCODING` with
/// an encoding it can decode; UTF-8 and without a byte-order mark itself
/// (every version; it is what lets a reader find the encoding of the rest).
pub fn check_declaration(dir: &Path, r: &mut Report) -> Declared {
    const NAME: &str = "bagit.txt";
    let mut declared = Declared {
        version: Version::V1_0,
        encoding: TagEncoding::Utf8,
    };
    let path = dir.join(NAME);
    if !is_file(&path) {
        r.problem(
            ProblemKind::NotABag,
            NAME,
            "no bagit.txt: this folder is not a BagIt bag",
        );
        return declared;
    }
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            r.problem(ProblemKind::Unreadable, NAME, e.to_string());
            return declared;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            "not UTF-8 text (bagit.txt itself is always UTF-8, whatever encoding it declares)",
        );
        return declared;
    };
    if text.starts_with('\u{feff}') {
        r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            "starts with a byte-order mark, which BagIt forbids",
        );
    }
    let found: Vec<&str> = lines(text.trim_start_matches('\u{feff}'))
        .filter(|l| !l.trim().is_empty())
        .collect();
    let field = |i: usize, label: &str| -> Option<String> {
        found
            .get(i)
            .and_then(|l| l.strip_prefix(label))
            .and_then(|rest| rest.strip_prefix(": "))
            .map(|v| v.trim().to_string())
    };
    match field(0, "BagIt-Version") {
        Some(v) => {
            match Version::parse(&v) {
                Some(known) => declared.version = known,
                None => r.problem(
                    ProblemKind::BadBagitTxt,
                    NAME,
                    format!(
                        "BagIt-Version {v:?} is not one custos reads (0.93, 0.94, 0.95, 0.96, 0.97, 1.0)"
                    ),
                ),
            }
            r.version = Some(v);
        }
        None => r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            "the first line must be \"BagIt-Version: M.N\"",
        ),
    }
    match field(1, "Tag-File-Character-Encoding") {
        Some(e) => match TagEncoding::from_label(&e) {
            Some(enc) => declared.encoding = enc,
            None => r.problem(
                ProblemKind::BadBagitTxt,
                NAME,
                format!(
                    "tag files in encoding {e:?}: not an encoding custos knows (UTF-8, UTF-16, ISO-8859-1, and the other IANA charsets a web browser reads)"
                ),
            ),
        },
        None => r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            "the second line must be \"Tag-File-Character-Encoding: ENCODING\"",
        ),
    }
    if found.len() > 2 {
        r.problem(
            ProblemKind::BadBagitTxt,
            NAME,
            format!("{} lines; bagit.txt holds exactly two", found.len()),
        );
    }
    declared
}

/// Reads a tag file in the declared encoding, never through a link. A
/// UTF-8 byte-order mark is skipped with a warning (RFC 8493 forbids it
/// only in `bagit.txt`); one in UTF-16 is how that encoding says its byte
/// order.
pub fn read_tag_text(dir: &Path, name: &str, enc: TagEncoding, r: &mut Report) -> Option<String> {
    let path = dir.join(name);
    if !is_file(&path) {
        // A link could point anywhere on this machine, and what it points
        // at would end up in the report and the archive's provenance.
        r.problem(
            ProblemKind::SpecialFile,
            name,
            "not a regular file (links are not followed: they could point outside the bag)",
        );
        return None;
    }
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            r.problem(ProblemKind::Unreadable, name, e.to_string());
            return None;
        }
    };
    match enc.decode(&bytes) {
        Ok(d) => {
            if d.bom && enc == TagEncoding::Utf8 {
                r.warn(
                    ProblemKind::ByteOrderMark,
                    name,
                    "starts with a UTF-8 byte-order mark, which BagIt tag files should not have; skipped",
                );
            }
            Some(d.text)
        }
        Err(e) => {
            r.problem(
                ProblemKind::BadEncoding,
                name,
                format!(
                    "bagit.txt declares {} tag files, but this one is {e}",
                    enc.name()
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_that_differ_by_version() {
        use Version::*;
        assert_eq!(
            Version::ALL
                .iter()
                .map(|v| v.info_file())
                .collect::<Vec<_>>(),
            [
                "package-info.txt",
                "package-info.txt",
                "package-info.txt",
                "bag-info.txt",
                "bag-info.txt",
                "bag-info.txt"
            ]
        );
        for v in [V0_93, V0_94, V0_95, V0_96, V0_97] {
            assert!(!v.strict_percent_encoding(), "{v:?}");
            assert!(!v.every_manifest_lists_every_file(), "{v:?}");
            assert!(!v.same_entry_twice_is_error(), "{v:?}");
        }
        assert!(V1_0.strict_percent_encoding());
        assert!(V1_0.every_manifest_lists_every_file());
        assert!(V1_0.same_entry_twice_is_error());
        for v in Version::ALL {
            assert_eq!(Version::parse(v.as_str()), Some(*v));
        }
        for bad in [".97", "0.98", "1", "1.00", "2.0", ""] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }
}
