//! Spreadsheet manifests (CSV with a header row, or JSON Lines): one row
//! per file to register, with its descriptive, testimony and consent
//! metadata. This module reads and checks them; it imports nothing.
//!
//! Two passes, both streaming: [`check`] reads the whole manifest once and
//! reports every problem (row as a spreadsheet shows it — the header is row
//! 1 — column, value, reason), keeping only small per-row state (the set of
//! files seen, evidence references to resolve at the end); [`rows`] reads it
//! again and yields typed [`Row`]s one at a time for the importer, so memory
//! never grows with the manifest. Cross-row checks (duplicates, evidence)
//! happen only in `check`, which must pass first.
//!
//! It must never put a legal name into a message: a `legal_name` value is a
//! [`Secret`] that does not print, problems about it carry no value, and any
//! other value on that row that contains the name is withheld too. Item ids
//! given as evidence are returned for the caller to check against the
//! archive; this module never opens the catalogue.

mod row;
mod source;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::edtf::Edtf;
use crate::error::{Error, Result};
use crate::ingest::ItemMeta;
use crate::model::{Anonymity, ConsentStatus, ItemId, Kind, Scope};

/// The manifest columns, as the README documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Path,
    Title,
    Kind,
    Origin,
    Date,
    Language,
    Collection,
    Creator,
    Description,
    Events,
    Places,
    Subjects,
    Narrator,
    Anonymity,
    BirthYear,
    Interviewer,
    InterviewDate,
    InterviewPlace,
    ConsentStatus,
    ConsentScope,
    ConsentDate,
    Evidence,
    EmbargoUntil,
    LegalName,
    Accession,
    Coverage,
    Rights,
    Location,
    /// A public note on the new item (`custos note`).
    PublicNote,
    /// A custodial note on the new item.
    CustodialNote,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Path,
        Field::Title,
        Field::Kind,
        Field::Origin,
        Field::Date,
        Field::Language,
        Field::Collection,
        Field::Creator,
        Field::Description,
        Field::Events,
        Field::Places,
        Field::Subjects,
        Field::Narrator,
        Field::Anonymity,
        Field::BirthYear,
        Field::Interviewer,
        Field::InterviewDate,
        Field::InterviewPlace,
        Field::ConsentStatus,
        Field::ConsentScope,
        Field::ConsentDate,
        Field::Evidence,
        Field::EmbargoUntil,
        Field::LegalName,
        Field::Accession,
        Field::Coverage,
        Field::Rights,
        Field::Location,
        Field::PublicNote,
        Field::CustodialNote,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Path => "path",
            Field::Title => "title",
            Field::Kind => "kind",
            Field::Origin => "origin",
            Field::Date => "date",
            Field::Language => "language",
            Field::Collection => "collection",
            Field::Creator => "creator",
            Field::Description => "description",
            Field::Events => "events",
            Field::Places => "places",
            Field::Subjects => "subjects",
            Field::Narrator => "narrator",
            Field::Anonymity => "anonymity",
            Field::BirthYear => "birth_year",
            Field::Interviewer => "interviewer",
            Field::InterviewDate => "interview_date",
            Field::InterviewPlace => "interview_place",
            Field::ConsentStatus => "consent_status",
            Field::ConsentScope => "consent_scope",
            Field::ConsentDate => "consent_date",
            Field::Evidence => "evidence",
            Field::EmbargoUntil => "embargo_until",
            Field::LegalName => "legal_name",
            Field::Accession => "accession",
            Field::Coverage => "coverage",
            Field::Rights => "rights",
            Field::Location => "location",
            Field::PublicNote => "public_note",
            Field::CustodialNote => "custodial_note",
        }
    }

    /// Column names match case-insensitively, ignoring surrounding spaces.
    pub fn from_name(s: &str) -> Option<Field> {
        let s = s.trim();
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }

    /// A column whose values must never appear in any message.
    pub fn is_sensitive(self) -> bool {
        self == Field::LegalName
    }

    /// Columns that only make sense for a testimony.
    pub fn is_testimony_only(self) -> bool {
        matches!(
            self,
            Field::Narrator
                | Field::Anonymity
                | Field::BirthYear
                | Field::Interviewer
                | Field::InterviewDate
                | Field::InterviewPlace
                | Field::ConsentStatus
                | Field::ConsentScope
                | Field::ConsentDate
                | Field::Evidence
                | Field::EmbargoUntil
                | Field::LegalName
        )
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a manifest is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Skip columns (CSV) or keys (JSON Lines) that are not manifest fields
    /// instead of reporting them.
    pub ignore_unknown: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    /// By extension: `.csv`; `.jsonl` / `.ndjson`.
    pub fn from_path(p: &Path) -> Result<Format> {
        let ext = p
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("jsonl") | Some("ndjson") => Ok(Format::Jsonl),
            _ => Err(Error::usage(format!(
                "{}: a manifest is a .csv file (with a header row) or a .jsonl file (one JSON object per line)",
                p.display()
            ))),
        }
    }
}

/// A value that must not be shown: it prints as `[sealed]`, in `{}` and
/// `{:?}` alike, so it cannot slip into a message or a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The clear value, for sealing it. Never for display.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[sealed]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[sealed]")
    }
}

/// The `narrator` column: an existing narrator's id (digits) or the display
/// form of a new one ("D. from Sumgait", a pseudonym, a full name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NarratorRef {
    Id(i64),
    Display(String),
}

/// The `evidence` column: the item holding the signed release or recorded
/// consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// An item already in the archive; `check` lists these for the caller to
    /// look up.
    Item(ItemId),
    /// A file of this same manifest, canonical, so it equals that row's
    /// [`Row::file`]. It may come later in the manifest than the row citing it.
    File(PathBuf),
}

/// One validated manifest row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row as a spreadsheet numbers it (CSV: header is 1), or the line
    /// of a JSON Lines manifest.
    pub row: u64,
    /// As written in the manifest, relative to its folder.
    pub path: String,
    /// The file itself, canonical (inside the manifest's folder).
    pub file: PathBuf,
    pub title: Option<String>,
    pub kind: Option<Kind>,
    pub origin: Option<String>,
    pub date: Option<Edtf>,
    pub language: Option<String>,
    pub collection: Option<String>,
    pub creator: Option<String>,
    pub description: Option<String>,
    pub events: Vec<String>,
    pub places: Vec<String>,
    pub subjects: Vec<String>,
    pub narrator: Option<NarratorRef>,
    pub anonymity: Option<Anonymity>,
    pub birth_year: Option<u16>,
    pub interviewer: Option<String>,
    pub interview_date: Option<Edtf>,
    pub interview_place: Option<String>,
    pub consent_status: Option<ConsentStatus>,
    pub consent_scope: Option<Scope>,
    pub consent_date: Option<NaiveDate>,
    pub evidence: Option<Evidence>,
    pub embargo_until: Option<NaiveDate>,
    pub legal_name: Option<Secret>,
    pub accession: Option<String>,
    pub coverage: Option<Edtf>,
    pub rights: Option<String>,
    pub location: Option<String>,
    pub public_note: Option<String>,
    pub custodial_note: Option<String>,
}

impl Row {
    /// The item-level fields, as the importer takes them.
    pub fn item_meta(&self) -> ItemMeta {
        ItemMeta {
            title: self.title.clone(),
            kind: self.kind,
            date: self.date.clone(),
            language: self.language.clone(),
            creator: self.creator.clone(),
            description: self.description.clone(),
            collection: self.collection.clone(),
            coverage: self.coverage.clone(),
            rights: self.rights.clone(),
            location: self.location.clone(),
            accession: self.accession.clone(),
            notes: [
                (crate::model::NoteAudience::Public, &self.public_note),
                (crate::model::NoteAudience::Custodial, &self.custodial_note),
            ]
            .into_iter()
            .filter_map(|(a, n)| n.clone().map(|n| (a, n)))
            .collect(),
            terms: self
                .events
                .iter()
                .map(|t| (crate::model::Vocab::Event, t.clone()))
                .chain(
                    self.places
                        .iter()
                        .map(|t| (crate::model::Vocab::Place, t.clone())),
                )
                .chain(
                    self.subjects
                        .iter()
                        .map(|t| (crate::model::Vocab::Subject, t.clone())),
                )
                .collect(),
        }
    }
}

/// One thing wrong with a manifest. `value` is `None` when it must not be
/// shown (a legal name, or a value containing one) or when the problem is
/// not about one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub row: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.row)?;
        if let Some(c) = &self.column {
            write!(f, ", {c}")?;
        }
        if let Some(v) = &self.value {
            let short: String = v.chars().take(60).collect();
            let more = if short.len() < v.len() { "…" } else { "" };
            write!(f, " {short:?}{more}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// The outcome of [`check`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checked {
    /// Data rows read.
    pub rows: u64,
    pub problems: Vec<Problem>,
    /// Evidence given as item ids, by row: the caller checks they exist.
    pub evidence_ids: Vec<(u64, ItemId)>,
    /// Rows that carry a legal name (the manifest itself holds names in
    /// clear, which the caller warns about).
    pub legal_names: u64,
}

impl Checked {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads the whole manifest once and reports every problem. Errors only
/// when the manifest cannot be read at all (missing, unknown format).
pub fn check(manifest: &Path, opts: &Options) -> Result<Checked> {
    let base = base_dir(manifest)?;
    let mut src = source::open(manifest, opts)?;
    let mut out = Checked::default();
    // Small per-row state: each file seen (for duplicates and evidence) and
    // evidence paths to resolve once every row is known.
    let mut seen: HashMap<PathBuf, u64> = HashMap::new();
    let mut pending: Vec<(u64, Option<String>, PathBuf)> = Vec::new();
    while let Some(rec) = src.next_record() {
        let rec = rec?;
        let raw = match rec {
            source::Record::Problem(p) => {
                out.problems.push(p);
                continue;
            }
            source::Record::BadRow(p) => {
                out.rows += 1;
                out.problems.push(p);
                continue;
            }
            source::Record::Row(raw) => raw,
        };
        out.rows += 1;
        let (row, mut problems, sealed) = row::parse(raw, &base);
        out.legal_names += u64::from(sealed);
        if let Some(r) = row {
            match seen.get(&r.file) {
                Some(first) => problems.push(Problem {
                    row: r.row,
                    column: Some("path".into()),
                    value: None,
                    reason: format!("the same file is already listed in row {first}"),
                }),
                None => {
                    seen.insert(r.file.clone(), r.row);
                }
            }
            match &r.evidence {
                Some(Evidence::Item(id)) => out.evidence_ids.push((r.row, *id)),
                Some(Evidence::File(f)) if *f == r.file => problems.push(Problem {
                    row: r.row,
                    column: Some("evidence".into()),
                    value: None,
                    reason: "a row cannot be its own evidence".into(),
                }),
                Some(Evidence::File(f)) => {
                    pending.push((r.row, evidence_text(&r, &base), f.clone()))
                }
                None => {}
            }
        }
        out.problems.extend(problems);
    }
    for (row, text, file) in pending {
        if !seen.contains_key(&file) {
            out.problems.push(Problem {
                row,
                column: Some("evidence".into()),
                value: text,
                reason: "is neither a path listed in this manifest nor an item id".into(),
            });
        }
    }
    out.problems.sort_by_key(|p| p.row);
    Ok(out)
}

/// The evidence path as the report shows it: relative to the manifest's
/// folder, withheld when it contains the row's legal name.
fn evidence_text(r: &Row, base: &Path) -> Option<String> {
    let Some(Evidence::File(f)) = &r.evidence else {
        return None;
    };
    let text = f.strip_prefix(base).unwrap_or(f).to_string_lossy();
    let named = r.legal_name.as_ref().is_some_and(|n| {
        let n = n.expose().trim().to_lowercase();
        !n.is_empty() && text.to_lowercase().contains(&n)
    });
    (!named).then(|| text.into_owned())
}

/// The second pass: validated rows one at a time, for import. Each row is
/// checked again (files can change between passes); a row that no longer
/// passes ends the iteration with an error naming it.
pub fn rows(manifest: &Path, opts: &Options) -> Result<Rows> {
    Ok(Rows {
        base: base_dir(manifest)?,
        src: source::open(manifest, opts)?,
    })
}

pub struct Rows {
    base: PathBuf,
    src: source::Source,
}

impl Iterator for Rows {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        loop {
            let rec = match self.src.next_record()? {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            };
            return Some(match rec {
                source::Record::Problem(p) | source::Record::BadRow(p) => Err(changed(&p)),
                source::Record::Row(raw) => match row::parse(raw, &self.base) {
                    (Some(r), problems, _) if problems.is_empty() => Ok(r),
                    (_, problems, _) => match problems.first() {
                        Some(p) => Err(changed(p)),
                        None => continue,
                    },
                },
            });
        }
    }
}

fn changed(p: &Problem) -> Error {
    Error::usage(format!(
        "the manifest or its files changed after they were checked: {p}; check it again"
    ))
}

/// The manifest's folder, canonical: every path must stay inside it.
fn base_dir(manifest: &Path) -> Result<PathBuf> {
    let parent = match manifest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    parent.canonicalize().map_err(|e| Error::io(parent, e))
}
