//! The verdict on a bag — valid, complete but invalid, or incomplete — with
//! every problem found, named by kind and file, and what was read on the way
//! (version, `bag-info.txt`, payload totals). The JSON shape of `Problem` is
//! the documented `bag validate --format json` row. Nothing here reads the
//! file system.

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
    /// A file listed in `fetch.txt` that is not in the bag: the bag is
    /// incomplete (custos fetches nothing).
    NotFetched,
    /// A `fetch.txt` line that is not `URL LENGTH PATH`, or names a path
    /// outside the payload or in no payload manifest.
    BadFetchLine,
    /// A tag file that cannot be read in the encoding `bagit.txt` declares.
    BadEncoding,
    /// A manifest path written with a leading `./`; a warning: it is read
    /// relative to the bag as any other path.
    DotSlashPath,
    /// A byte-order mark at the start of a UTF-8 tag file other than
    /// `bagit.txt`; a warning: it is skipped.
    ByteOrderMark,
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

/// What a bag is, as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Complete, and every check passed.
    Valid,
    /// Something is wrong with what is there (whether or not files are
    /// also still to fetch).
    Invalid,
    /// Everything present checks out, but files listed in `fetch.txt` are
    /// not in the bag yet.
    Incomplete,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Incomplete => "incomplete",
        }
    }
}

/// The verdict on a bag and what was learnt reading it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub bag: PathBuf,
    /// Valid and complete: the same as `verdict == Verdict::Valid`.
    pub valid: bool,
    pub verdict: Verdict,
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

    /// Valid when nothing is wrong; incomplete when the only reasons are
    /// files still to fetch; otherwise invalid.
    pub fn verdict(&self) -> Verdict {
        if self.problems.is_empty() {
            Verdict::Valid
        } else if self
            .problems
            .iter()
            .all(|p| p.problem == ProblemKind::NotFetched)
        {
            Verdict::Incomplete
        } else {
            Verdict::Invalid
        }
    }

    /// The files `fetch.txt` lists that are not in the bag.
    pub fn not_fetched(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.problem == ProblemKind::NotFetched)
    }

    /// Why a bag that is not valid cannot be imported, and what to do: for
    /// an incomplete bag, how to complete it (custos fetches nothing from
    /// the network). `None` for a valid bag.
    pub fn refusal(&self) -> Option<String> {
        let shown = self.bag.display();
        match self.verdict() {
            Verdict::Valid => None,
            Verdict::Incomplete => Some(format!(
                "{shown} is an incomplete bag: {} file(s) listed in fetch.txt are not in it, and custos fetches nothing from the network. \
                 Complete it first: download each URL in fetch.txt to the path beside it, inside the bag (for example `curl -o {shown}/PATH URL`), \
                 then check it with `custos bag validate {shown}` and import again; nothing was imported",
                self.not_fetched().count()
            )),
            Verdict::Invalid => {
                let pending = self.not_fetched().count();
                Some(format!(
                    "{shown} is not a valid bag ({} problem(s) above{}); nothing was imported",
                    self.problems.len() - pending,
                    if pending > 0 {
                        format!(", and {pending} file(s) in fetch.txt still to fetch")
                    } else {
                        String::new()
                    }
                ))
            }
        }
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

    pub(super) fn warn(&mut self, problem: ProblemKind, path: &str, detail: impl Into<String>) {
        self.warnings.push(Problem {
            problem,
            path: path.to_string(),
            detail: detail.into(),
        });
    }
}
