//! One manifest row: every value parsed and checked on its own, then the
//! checks between columns of the same row (testimony fields on a
//! testimony, consent that hangs together, no legal name where an
//! anonymous narrator's public fields would show it).
//!
//! Reasons are written here without the value (the value travels in its
//! own field, withheld when it is or contains a legal name). Checks across
//! rows (duplicates, evidence) belong to `check`, not here.

use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use super::source::RawRow;
use super::{Evidence, Field, NarratorRef, Problem, Row, Secret};
use crate::edtf::Edtf;
use crate::model::{Anonymity, ConsentStatus, ItemId, Kind, Scope};

struct Ctx<'a> {
    row: u64,
    values: &'a [(Field, String)],
    problems: Vec<Problem>,
}

impl<'a> Ctx<'a> {
    fn get(&self, f: Field) -> Option<&'a str> {
        self.values
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, v)| v.as_str())
    }

    fn add(&mut self, f: Field, value: Option<&str>, reason: impl Into<String>) {
        self.problems.push(Problem {
            row: self.row,
            column: Some(f.name().to_string()),
            value: value.filter(|_| !f.is_sensitive()).map(str::to_string),
            reason: reason.into(),
        });
    }

    fn text(&self, f: Field) -> Option<String> {
        self.get(f).map(str::to_string)
    }

    fn vocab<T: FromStr + Copy + std::fmt::Display>(&mut self, f: Field, all: &[T]) -> Option<T> {
        let v = self.get(f)?;
        match v.parse::<T>() {
            Ok(t) => Some(t),
            Err(_) => {
                let known: Vec<String> = all.iter().map(|k| k.to_string()).collect();
                let reason = format!(
                    "unknown {}; expected one of: {}",
                    f.name(),
                    known.join(", ")
                );
                self.add(f, Some(v), reason);
                None
            }
        }
    }

    fn edtf(&mut self, f: Field) -> Option<Edtf> {
        let v = self.get(f)?;
        match Edtf::parse(v) {
            Ok(d) => Some(d),
            Err(e) => {
                let reason = format!(
                    "not an EDTF date ({}); e.g. 1991-03-12, 1991-03, 1991, 1991~, 1991-03/1991-06",
                    e.reason
                );
                self.add(f, Some(v), reason);
                None
            }
        }
    }

    /// A calendar day, `YYYY-MM-DD`: consent and embargo dates decide
    /// access, so they must name one day, not a range or a guess.
    fn day(&mut self, f: Field) -> Option<NaiveDate> {
        let v = self.get(f)?;
        let b = v.as_bytes();
        let shaped = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shaped {
            self.add(
                f,
                Some(v),
                "not a calendar day; write YYYY-MM-DD, e.g. 2019-04-02",
            );
            return None;
        }
        let n = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
        match NaiveDate::from_ymd_opt(n(0..4) as i32, n(5..7), n(8..10)) {
            Some(d) => Some(d),
            None => {
                self.add(f, Some(v), "no such day in the calendar");
                None
            }
        }
    }

    fn list(&self, f: Field) -> Vec<String> {
        self.get(f)
            .map(|v| {
                v.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A path relative to the manifest's folder that must name a file
    /// inside it, also after following links.
    fn file(&mut self, f: Field, base: &Path) -> Option<PathBuf> {
        let v = self.get(f)?.to_string();
        let p = Path::new(&v);
        if p.is_absolute() {
            self.add(
                f,
                Some(&v),
                "absolute paths are not allowed; give the path relative to the manifest's folder",
            );
            return None;
        }
        if p.components().any(|c| c == Component::ParentDir) {
            self.add(
                f,
                Some(&v),
                "'..' would leave the manifest's folder; keep the files in or below it",
            );
            return None;
        }
        let joined = base.join(p);
        let real = match joined.canonicalize() {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let hint = if v.contains('\\') {
                    "; use / between folders"
                } else {
                    ""
                };
                self.add(
                    f,
                    Some(&v),
                    format!("file not found next to the manifest{hint}"),
                );
                return None;
            }
            Err(e) => {
                self.add(f, Some(&v), format!("cannot be read: {e}"));
                return None;
            }
        };
        if !real.starts_with(base) {
            self.add(
                f,
                Some(&v),
                "leads outside the manifest's folder through a symbolic link",
            );
            return None;
        }
        if !real.is_file() {
            self.add(f, Some(&v), "is not a regular file");
            return None;
        }
        Some(real)
    }
}

/// The row (when its file was found: a row without a file cannot be
/// imported or cited), its problems, and whether it carries a legal name.
pub(super) fn parse(raw: RawRow, base: &Path) -> (Option<Row>, Vec<Problem>, bool) {
    let mut c = Ctx {
        row: raw.row,
        values: &raw.values,
        problems: raw.problems,
    };
    if c.get(Field::Path).is_none() {
        c.add(
            Field::Path,
            None,
            "required: the file this row describes, relative to the manifest's folder",
        );
    }
    let file = c.file(Field::Path, base);
    let language = match c.text(Field::Language) {
        Some(l) => match crate::language::check(&l) {
            Ok(code) => Some(code),
            Err(why) => {
                c.add(Field::Language, Some(&l), &why);
                None
            }
        },
        None => None,
    };
    let rights = match c.text(Field::Rights) {
        Some(r) => match crate::rights::check(&r) {
            Ok(v) => Some(v),
            Err(why) => {
                c.add(Field::Rights, Some(&r), &why);
                None
            }
        },
        None => None,
    };
    let birth_year = c.get(Field::BirthYear).and_then(|v| {
        let this_year = crate::clock::today().year();
        match v.parse::<u16>() {
            Ok(y) if v.len() == 4 && (1850..=this_year).contains(&i32::from(y)) => Some(y),
            _ => {
                let v = v.to_string();
                c.add(
                    Field::BirthYear,
                    Some(&v),
                    format!("not a year of birth (four digits, 1850–{this_year})"),
                );
                None
            }
        }
    });
    let narrator = c.get(Field::Narrator).map(|v| match v.parse::<i64>() {
        Ok(n) if n > 0 && v.bytes().all(|b| b.is_ascii_digit()) => NarratorRef::Id(n),
        _ => NarratorRef::Display(v.to_string()),
    });
    let evidence = match c.get(Field::Evidence) {
        Some(v) if v.bytes().all(|b| b.is_ascii_digit()) => match v.parse::<ItemId>() {
            Ok(id) => Some(Evidence::Item(id)),
            Err(_) => {
                let v = v.to_string();
                c.add(
                    Field::Evidence,
                    Some(&v),
                    "not an item id (a positive whole number)",
                );
                None
            }
        },
        Some(_) => c.file(Field::Evidence, base).map(Evidence::File),
        None => None,
    };
    let row = Row {
        row: raw.row,
        path: c.text(Field::Path).unwrap_or_default(),
        file: file.clone().unwrap_or_default(),
        title: c.text(Field::Title),
        kind: c.vocab(Field::Kind, Kind::ALL),
        origin: c.text(Field::Origin),
        date: c.edtf(Field::Date),
        language,
        collection: c.text(Field::Collection),
        creator: c.text(Field::Creator),
        description: c.text(Field::Description),
        events: c.list(Field::Events),
        places: c.list(Field::Places),
        subjects: c.list(Field::Subjects),
        narrator,
        anonymity: c.vocab(Field::Anonymity, Anonymity::ALL),
        birth_year,
        interviewer: c.text(Field::Interviewer),
        interview_date: c.edtf(Field::InterviewDate),
        interview_place: c.text(Field::InterviewPlace),
        consent_status: c.vocab(Field::ConsentStatus, ConsentStatus::ALL),
        consent_scope: c.vocab(Field::ConsentScope, Scope::ALL),
        consent_date: c.day(Field::ConsentDate),
        evidence,
        embargo_until: c.day(Field::EmbargoUntil),
        legal_name: c.get(Field::LegalName).map(Secret::new),
        accession: c.text(Field::Accession),
        coverage: c.edtf(Field::Coverage),
        rights,
        location: c.text(Field::Location),
        public_note: c.text(Field::PublicNote),
        custodial_note: c.text(Field::CustodialNote),
    };
    between_columns(&mut c, &row);
    let mut problems = c.problems;
    if let Some(name) = &row.legal_name {
        withhold(&mut problems, name.expose());
    }
    let sealed = row.legal_name.is_some();
    (file.map(|_| row), problems, sealed)
}

fn between_columns(c: &mut Ctx<'_>, r: &Row) {
    let testimony = r.kind == Some(Kind::Testimony);
    if !testimony {
        let kind = r.kind.map_or("not given".to_string(), |k| k.to_string());
        let present: Vec<Field> = c
            .values
            .iter()
            .map(|(f, _)| *f)
            .filter(|f| f.is_testimony_only())
            .collect();
        for f in present {
            c.add(f, None, format!("describes a testimony, but kind is {kind}; set kind to testimony or leave {f} empty"));
        }
    }
    if r.narrator.is_some() && c.get(Field::Anonymity).is_none() {
        c.add(
            Field::Anonymity,
            None,
            "required with a narrator: how may they be named? (named, pseudonymous, anonymous)",
        );
    }
    if r.legal_name.is_some() && r.narrator.is_none() {
        c.add(
            Field::LegalName,
            None,
            "a legal name needs a narrator on the same row",
        );
    }
    let status = c.get(Field::ConsentStatus).is_some();
    for f in [
        Field::ConsentScope,
        Field::ConsentDate,
        Field::Evidence,
        Field::EmbargoUntil,
    ] {
        if !status && c.get(f).is_some() {
            c.add(f, None, "needs consent_status on the same row");
        }
    }
    if let Some(s) = r.consent_status {
        if matches!(s, ConsentStatus::Granted | ConsentStatus::Restricted)
            && c.get(Field::ConsentScope).is_none()
        {
            c.add(
                Field::ConsentScope,
                None,
                format!("required when consent is {s}: archive, research, publication or public"),
            );
        }
        if s != ConsentStatus::Pending && c.get(Field::ConsentDate).is_none() {
            c.add(
                Field::ConsentDate,
                None,
                format!("required when consent is {s}: the day it was given or changed"),
            );
        }
    }
    if let Some(d) = r.consent_date {
        if d > crate::clock::today() {
            c.add(
                Field::ConsentDate,
                c.get(Field::ConsentDate).map(str::to_string).as_deref(),
                "is in the future",
            );
        }
    }
    if let (Some(from), Some(until)) = (r.consent_date, r.embargo_until) {
        if until <= from {
            let v = c.get(Field::EmbargoUntil).map(str::to_string);
            c.add(
                Field::EmbargoUntil,
                v.as_deref(),
                "the embargo ends on or before the consent date",
            );
        }
    }
    leaks(c, r);
}

/// For a narrator who is not to be named, the legal name must not sit in a
/// column the catalogue shows (or in the file's name, which provenance keeps).
fn leaks(c: &mut Ctx<'_>, r: &Row) {
    let (Some(name), Some(a)) = (&r.legal_name, r.anonymity) else {
        return;
    };
    if a == Anonymity::Named || name.expose().trim().is_empty() {
        return;
    }
    let needle = name.expose().to_lowercase();
    let public = [
        Field::Path,
        Field::Title,
        Field::Origin,
        Field::Creator,
        Field::Description,
        Field::Narrator,
        Field::Interviewer,
        Field::InterviewPlace,
        Field::Subjects,
        Field::Places,
        Field::Events,
        Field::Collection,
        Field::Evidence,
    ];
    for f in public {
        if c.get(f).is_some_and(|v| v.to_lowercase().contains(&needle)) {
            c.add(f, None, format!("contains the narrator's legal name, but the narrator is {a}; remove it (the value is not shown)"));
        }
    }
}

/// Any value on the row that contains the legal name is withheld.
fn withhold(problems: &mut [Problem], name: &str) {
    let needle = name.trim().to_lowercase();
    if needle.is_empty() {
        return;
    }
    for p in problems {
        if p.value
            .as_deref()
            .is_some_and(|v| v.to_lowercase().contains(&needle))
        {
            p.value = None;
            p.reason
                .push_str(" (the value is not shown: it contains the legal name)");
        }
    }
}
