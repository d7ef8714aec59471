//! The allow-list of query fields: name, type, the SQL each stands for, who
//! may filter on it, and an example. `custos fields` prints this table.
//!
//! Field names reach SQL only from here; user values never do (they are
//! bound parameters). This module must not decide what a reader sees: the
//! `vis` column only tells the compiler which policy predicate a term on the
//! field needs, and the predicates themselves come from `policy::sql`.

use serde::Serialize;

use crate::model::Vocab;

/// How a field's values are written and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// Case-insensitive substring; `:=` exact.
    Text,
    /// Hex digest: a prefix, or all 64 digits.
    Digest,
    /// Whole number; ranges.
    Integer,
    /// Bytes with optional unit (KB, MB, GB, KiB, MiB, GiB); ranges.
    Size,
    /// A recording's length (`media::TimeCode::parse_duration`); ranges.
    Duration,
    /// Full text of a recording's cues (`cue`) or segments (`segment`).
    Timed(&'static str),
    /// EDTF date of the document: matches when the intervals overlap.
    Date,
    /// EDTF period the item is about (`coverage`): overlap, as for Date.
    Coverage,
    /// A day: embargo end.
    Day,
    /// RFC 3339 timestamp, queried by day, month or year.
    Timestamp,
    /// One of a closed set of values.
    Enum(&'static [&'static str]),
    /// The policy's access class (open/restricted/closed/withdrawn).
    Access,
    /// A controlled-vocabulary term.
    Term(Vocab),
    /// Consent evidence: none, any, or an item id.
    Evidence,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Text => "text",
            Type::Digest => "sha256",
            Type::Integer => "integer",
            Type::Size => "size",
            Type::Duration => "duration",
            Type::Timed(_) => "full text",
            Type::Date | Type::Coverage => "edtf date",
            Type::Day => "date",
            Type::Timestamp => "timestamp",
            Type::Enum(_) | Type::Access => "choice",
            Type::Term(_) => "term",
            Type::Evidence => "evidence",
        }
    }
}

/// What a reader must be granted for a term on this field to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vis {
    /// Shown even on closed entries (id, kind, collection, access).
    Listed,
    /// Only open items may match.
    Open,
    /// Only open items whose origin the grant shows (testimonies' origins
    /// are hidden below custodian).
    Origin,
    /// Only open items whose narrator's quasi-identifiers the grant shows
    /// (an anonymous narrator's interviewer and place stay with the
    /// custodian).
    QuasiIdentifier,
    /// Custodial detail: refused below custodian.
    Custodial,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: Type,
    /// The SQL expression over `items i`, `objects o`, the policy's facts
    /// join (`cc`, `t`, `n`), `redacted_text rx`, or `provenance pv`
    /// (inside an EXISTS). Unused for terms, access and evidence.
    pub sql: &'static str,
    /// Below custodian, match the redacted copy (`rx`) when there is one.
    pub redacted_sql: Option<&'static str>,
    /// ORDER BY expression, if the field can be sorted on.
    pub sort: Option<&'static str>,
    pub vis: Vis,
    pub example: &'static str,
    pub about: &'static str,
}

const KINDS: &[&str] = &[
    "article",
    "testimony",
    "report",
    "letter",
    "photo",
    "audio",
    "video",
    "other",
];
const ANONYMITY: &[&str] = &["named", "pseudonymous", "anonymous"];
const CONSENT: &[&str] = &["pending", "granted", "restricted", "withdrawn"];
const SCOPES: &[&str] = &["archive", "research", "publication", "public"];
pub const ACCESS_CLASSES: &[&str] = &["open", "restricted", "closed", "withdrawn", "deaccessioned"];

const fn f(
    name: &'static str,
    ty: Type,
    sql: &'static str,
    sort: Option<&'static str>,
    vis: Vis,
    example: &'static str,
    about: &'static str,
) -> Field {
    Field {
        name,
        ty,
        sql,
        redacted_sql: None,
        sort,
        vis,
        example,
        about,
    }
}

pub const FIELDS: &[Field] = &[
    f(
        "id",
        Type::Integer,
        "i.id",
        Some("i.id"),
        Vis::Listed,
        "id:10..20",
        "catalogue number",
    ),
    Field {
        redacted_sql: Some("coalesce(rx.title, i.title)"),
        ..f(
            "title",
            Type::Text,
            "i.title",
            Some("i.title COLLATE NOCASE"),
            Vis::Open,
            "title:courier",
            "title (the redacted title below custodian)",
        )
    },
    f(
        "kind",
        Type::Enum(KINDS),
        "i.kind",
        Some("i.kind"),
        Vis::Listed,
        "kind:testimony",
        "article, testimony, report, letter, photo, audio, video, other",
    ),
    f(
        "date",
        Type::Date,
        "i.date",
        Some("i.date_lower"),
        Vis::Open,
        "date:1988..1990",
        "date of the document (EDTF); ranges match overlapping dates",
    ),
    f(
        "language",
        Type::Text,
        "i.language",
        Some("i.language"),
        Vis::Open,
        "language:en",
        "language code",
    ),
    f(
        "collection",
        Type::Text,
        "i.collection",
        Some("i.collection"),
        Vis::Listed,
        "collection:letters",
        "collection name",
    ),
    f(
        "creator",
        Type::Text,
        "i.creator",
        Some("i.creator COLLATE NOCASE"),
        Vis::Open,
        "creator:castell",
        "author, photographer, interviewer",
    ),
    Field {
        redacted_sql: Some(
            "CASE WHEN rx.item_id IS NULL THEN i.description ELSE rx.description END",
        ),
        ..f(
            "description",
            Type::Text,
            "i.description",
            None,
            Vis::Open,
            "description:bakery",
            "description (redacted below custodian)",
        )
    },
    f(
        "coverage",
        Type::Coverage,
        "i.coverage",
        Some("i.coverage_lower"),
        Vis::Open,
        "coverage:1988..1991",
        "the period the item is about (EDTF); ranges match overlapping periods",
    ),
    f(
        "rights",
        Type::Text,
        "i.rights",
        Some("i.rights"),
        Vis::Open,
        "rights:CC-BY",
        "rights statement: rightsstatements.org URI or SPDX licence",
    ),
    f(
        "location",
        Type::Text,
        "i.location",
        Some("i.location COLLATE NOCASE"),
        Vis::Origin,
        "location:\"box 12\"",
        "where the physical original is held (box, folder, shelf)",
    ),
    f(
        "interviewer",
        Type::Text,
        "t.interviewer",
        Some("t.interviewer COLLATE NOCASE"),
        Vis::QuasiIdentifier,
        "interviewer:sarkis",
        "who recorded a testimony (not for anonymous narrators below custodian)",
    ),
    f(
        "interview_place",
        Type::Text,
        "t.interview_place",
        Some("t.interview_place COLLATE NOCASE"),
        Vis::QuasiIdentifier,
        "interview_place:corran",
        "where a testimony was recorded (not for anonymous narrators below custodian)",
    ),
    f(
        "note",
        Type::Text,
        "nt.text",
        None,
        Vis::Open,
        "note:flattened",
        "a note's text: public notes, and custodial ones for the custodian",
    ),
    f(
        "origin",
        Type::Text,
        "pv.origin",
        None,
        Vis::Origin,
        "origin:\"Harrow Courier\"",
        "where any arrival came from (donor, URL, citation)",
    ),
    // A redacted item's digest and size are the original's: the policy
    // hides them below custodian, so they must not match or sort there.
    Field {
        redacted_sql: Some(crate::policy::sql::DIGEST_BELOW_CUSTODIAN),
        ..f(
            "sha256",
            Type::Digest,
            "o.sha256",
            Some("o.sha256"),
            Vis::Open,
            "sha256:3f2a",
            "SHA-256 of the bytes: a prefix or all 64 digits",
        )
    },
    // A redacted item's digest and size are the original's: the policy
    // hides them below custodian, so they must not match or sort there.
    Field {
        redacted_sql: Some(crate::policy::sql::SIZE_BELOW_CUSTODIAN),
        ..f(
            "size",
            Type::Size,
            "o.size",
            Some("o.size"),
            Vis::Open,
            "size:1KB..2MB",
            "size in bytes; KB/MB/GB (1000) or KiB/MiB/GiB (1024)",
        )
    },
    f(
        "media_type",
        Type::Text,
        "o.media_type",
        Some("o.media_type"),
        Vis::Open,
        "media_type:pdf",
        "media type, e.g. application/pdf",
    ),
    f(
        "ingested_at",
        Type::Timestamp,
        "i.created_at",
        Some("i.created_at"),
        Vis::Open,
        "ingested_at:2026-03",
        "when the item was first ingested (UTC day, month or year)",
    ),
    f(
        "ingested_by",
        Type::Text,
        "pv.ingested_by",
        None,
        Vis::Open,
        "ingested_by:lena",
        "who ingested any arrival",
    ),
    f(
        "event",
        Type::Term(Vocab::Event),
        "",
        None,
        Vis::Open,
        "event:\"velmora unrest\"",
        "event term",
    ),
    f(
        "place",
        Type::Term(Vocab::Place),
        "",
        None,
        Vis::Open,
        "place:velmora",
        "place term",
    ),
    f(
        "subject",
        Type::Term(Vocab::Subject),
        "",
        None,
        Vis::Open,
        "subject:rescue",
        "subject term",
    ),
    f(
        "agent",
        Type::Term(Vocab::Agent),
        "",
        None,
        Vis::Open,
        "agent:\"memory project\"",
        "agent term (person or organisation)",
    ),
    f(
        "narrator",
        Type::Text,
        "n.display",
        Some("n.display COLLATE NOCASE"),
        Vis::Open,
        "narrator:brenkel",
        "narrator's display form (never a sealed identity)",
    ),
    f(
        "anonymity",
        Type::Enum(ANONYMITY),
        "n.anonymity",
        Some("n.anonymity"),
        Vis::Open,
        "anonymity:anonymous",
        "named, pseudonymous, anonymous",
    ),
    f(
        "consent",
        Type::Enum(CONSENT),
        "CASE WHEN i.kind = 'testimony' THEN coalesce(cc.status, 'pending') END",
        None,
        Vis::Open,
        "consent:granted",
        "current consent of a testimony (none recorded: pending)",
    ),
    f(
        "scope",
        Type::Enum(SCOPES),
        "cc.scope",
        None,
        Vis::Open,
        "scope:public",
        "scope of the current consent",
    ),
    f(
        "embargo",
        Type::Day,
        "cc.embargo_until",
        Some("cc.embargo_until"),
        Vis::Open,
        "embargo:2030..",
        "embargo end date; embargo:none for none",
    ),
    f(
        "access",
        Type::Access,
        "",
        None,
        Vis::Listed,
        "access:closed",
        "open, restricted, closed, withdrawn (today)",
    ),
    f(
        "evidence",
        Type::Evidence,
        "cc.evidence_item_id",
        None,
        Vis::Custodial,
        "evidence:none",
        "consent evidence: none, any, or the evidence item's id (custodian only)",
    ),
    // A recording's length (migration 0010), in milliseconds.
    f(
        "duration",
        Type::Duration,
        "(SELECT r.duration_ms FROM recordings r WHERE r.object_id = o.id)",
        Some("(SELECT r.duration_ms FROM recordings r WHERE r.object_id = o.id)"),
        Vis::Open,
        "duration:10m..1h",
        "a recording's length: seconds, HH:MM:SS, or with units (90s, 10m, 1h30m)",
    ),
    // What is said and indexed in recordings (migration 0010); hits in a
    // passage closed to the reader are not found (`policy::passage`).
    f(
        "transcript",
        Type::Timed("cue"),
        "",
        None,
        Vis::Open,
        "transcript:cellar",
        "words said in a recording's transcript (cue by cue)",
    ),
    f(
        "segment",
        Type::Timed("segment"),
        "",
        None,
        Vis::Open,
        "segment:bridge",
        "words of a recording's segments: title, synopsis, keywords",
    ),
];

impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

pub fn lookup(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// The known field closest to a misspelt name, if any is close.
pub fn closest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    FIELDS
        .iter()
        .map(|f| (strsim::damerau_levenshtein(&lower, f.name), f.name))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// One row of `custos fields`.
#[derive(Debug, Serialize)]
pub struct FieldInfo {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub sortable: bool,
    pub example: &'static str,
    pub description: &'static str,
}

pub fn describe() -> Vec<FieldInfo> {
    FIELDS
        .iter()
        .map(|f| FieldInfo {
            name: f.name,
            ty: f.ty.name(),
            sortable: f.sort.is_some(),
            example: f.example,
            description: f.about,
        })
        .collect()
}
