//! The verdict on a bag: every problem found, named by kind and file, and
//! what was read on the way (version, `bag-info.txt`, payload totals). The
//! JSON shape of `Problem` is the documented `bag validate --format json`
//! row. Nothing here reads the file system.

use std::path::PathBuf;

use serde::Serialize;

use super::Algorithm;

/// Why a bag is not valid. The JSON spelling is part of the documented
/// `bag validate --format json` shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// No `bagit.txt`: this folder is not a bag.
    NotABag,
    BadBagitTxt,
    BadBagInfo,
    NoDataDir,
    NoPayloadManifest,
    /// A manifest names an algorithm we cannot compute, so it cannot be verified.
    UnsupportedAlgorithm,
    /// Weak (MD5/SHA-1) checksums only; a warning, not a failure.
    WeakAlgorithm,
    /// A payload file named in another Unicode normalisation form than its
    /// manifest entry (NFC/NFD); a warning: its checksum is still checked.
    NameNormalization,
    BadManifestLine,
    BadPercentEncoding,
    UnsafePath,
    /// A payload manifest lists something outside `data/`.
    NotPayload,
    DuplicateEntry,
    MissingFile,
    /// A payload file no payload manifest lists.
    UnlistedFile,
    /// A payload file missing from one of several payload manifests (BagIt 1.0).
    NotInManifest,
    ChecksumMismatch,
    BadOxum,
    OxumMismatch,
    FetchUnsupported,
    /// A symbolic link or other non-regular file in the payload.
    SpecialFile,
    Unreadable,
}

/// One reason, naming the file at fault (as written in the manifest, i.e.
/// percent-encoded, so it fits on one line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub problem: ProblemKind,
    pub path: String,
    pub detail: String,
}

/// The verdict on a bag and what was learnt reading it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub bag: PathBuf,
    pub valid: bool,
    /// `BagIt-Version` as declared, when readable.
    pub version: Option<String>,
    /// `bag-info.txt` fields in file order (a label may repeat).
    pub info: Vec<(String, String)>,
    /// Algorithms of the payload manifests found.
    pub algorithms: Vec<Algorithm>,
    pub payload_files: u64,
    pub payload_bytes: u64,
    pub problems: Vec<Problem>,
    /// Worth knowing, not making the bag invalid (weak checksums, names in
    /// another Unicode normalisation form).
    pub warnings: Vec<Problem>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    /// The first `bag-info.txt` value of `label` (labels compare case-insensitively).
    pub fn info_value(&self, label: &str) -> Option<&str> {
        self.info
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(label))
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn problem(&mut self, problem: ProblemKind, path: &str, detail: impl Into<String>) {
        self.problems.push(Problem {
            problem,
            path: path.to_string(),
            detail: detail.into(),
        });
    }
}
