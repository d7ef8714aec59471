//! `custos claim add|list|remove` and `custos report claims`: what the
//! sources say about a subject, side by side. Parses, calls
//! `ops::claims` or the reader, renders; every claim shown comes through
//! the policy (its source item must be open to the reader).

use std::path::Path;

use custos::archive::Mode;
use custos::cli::{AddClaimArgs, ClaimAction, ClaimArgs, ClaimSubjectArg, ReportArgs};
use custos::error::{Error, Result};
use custos::ops::claims::{self as op, AddClaim, SubjectName};
use custos::output::{self, col, Column};
use custos::reader::{ClaimSelect, ClaimSubject, Reader};

const LIST_COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("subject", "Subject"),
    col("property", "Property"),
    col("value", "Value"),
    col("kind", "Kind"),
    col("low", "Low"),
    col("high", "High"),
    col("source", "Source"),
    col("locator", "Locator"),
    col("quote", "Quote"),
    col("note", "Note"),
];

const REPORT_COLUMNS: &[Column] = &[
    col("subject", "Subject"),
    col("property", "Property"),
    col("disputed", "Disputed"),
    col("value", "Value"),
    col("kind", "Kind"),
    col("low", "Low"),
    col("high", "High"),
    col("source", "Source"),
    col("locator", "Locator"),
    col("claim", "Claim"),
];

pub fn run(archive_arg: Option<&Path>, a: ClaimArgs) -> Result<()> {
    match a.action {
        ClaimAction::Add(add) => {
            let AddClaimArgs {
                subject,
                property,
                value,
                source,
                locator,
                quote,
                note,
                text,
                by,
            } = *add;
            let mut archive = super::open(archive_arg, Mode::Write)?;
            let agent = super::agent(by.as_deref());
            let ch = op::add_claim(
                &mut archive,
                AddClaim {
                    subject: subject_name(subject),
                    property,
                    value,
                    as_text: text,
                    source,
                    locator,
                    quote,
                    note,
                },
                &agent,
            )?;
            super::note(format!(
                "claim {}: {} {} = {:?} ({})",
                ch.id, ch.subject, ch.property, ch.value, ch.kind
            ));
            Ok(())
        }
        ClaimAction::Remove { id, by } => {
            let mut archive = super::open(archive_arg, Mode::Write)?;
            let agent = super::agent(by.as_deref());
            let ch = op::remove_claim(&mut archive, id, &agent)?;
            super::note(format!(
                "claim {} removed: {} {} = {:?}",
                ch.id, ch.subject, ch.property, ch.value
            ));
            Ok(())
        }
        ClaimAction::List {
            subject,
            property,
            access,
            output,
        } => {
            let archive = super::open(archive_arg, Mode::Read)?;
            let level = super::access(&archive, &access)?;
            let reader = Reader::new(&archive, level, custos::clock::today());
            let sel = select(&reader, Some(subject), property)?;
            let rows = output::to_values(&reader.claims(&sel)?)?;
            let mut out = super::Stdout::new();
            output::render_list(out.w(), output.format, LIST_COLUMNS, &rows)?;
            out.finish()
        }
    }
}

fn subject_name(s: ClaimSubjectArg) -> SubjectName {
    match s {
        ClaimSubjectArg::Term(t) => SubjectName::Term {
            vocab: t.vocab,
            name: t.name,
        },
        ClaimSubjectArg::Item(i) => SubjectName::Item(i),
    }
}

/// The selection; a term subject this reader cannot find is refused as
/// `terms show` refuses it (exit 2), so the answer is the same whether the
/// term exists or is hidden.
fn select(
    reader: &Reader<'_>,
    subject: Option<ClaimSubjectArg>,
    property: Option<String>,
) -> Result<ClaimSelect> {
    let subject = match subject {
        None => None,
        Some(ClaimSubjectArg::Item(i)) => Some(ClaimSubject::Item(i)),
        Some(ClaimSubjectArg::Term(t)) => {
            let found = reader.claim_term(t.vocab, &t.name)?.ok_or_else(|| {
                Error::usage(format!(
                    "unknown subject: no {} term has the name {:?}",
                    t.vocab, t.name
                ))
            })?;
            Some(found)
        }
    };
    let property = match property {
        Some(p) => Some(op::clean_property(&p)?),
        None => None,
    };
    Ok(ClaimSelect {
        subject,
        property,
        source: None,
    })
}

pub fn report(archive_arg: Option<&Path>, a: &ReportArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let level = super::access(&archive, &a.access)?;
    let reader = Reader::new(&archive, level, custos::clock::today());
    let sel = select(&reader, a.subject.clone(), a.property.clone())?;
    let rows = output::to_values(&reader.claim_report(&sel, a.disputed)?)?;
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, REPORT_COLUMNS, &rows)?;
    out.finish()
}
