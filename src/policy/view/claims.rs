//! Views of what the sources say: a term's names (with the item that
//! attests each) and claims (what one source item says about a subject).
//! Both are evidence drawn from items, so each is shaped by the decision
//! of its source item: a claim is seen only where its source is open, and
//! a name's source (item and locator) only where that item is open. A
//! redacted source counts as not open below custodian: its locator, quote
//! or value could carry the redacted name.
//!
//! The records are destructured field by field, so a new stored field
//! does not compile here until someone decides who may see it. This
//! module reads no catalogue and never prints.

use serde::Serialize;

use super::super::Decision;
use crate::catalogue::names::NameRecord;
use crate::model::ItemId;

/// The decision of a source item, and whether it is redacted.
#[derive(Debug, Clone)]
pub struct Source {
    pub decision: Decision,
    pub redacted: bool,
}

/// Whether evidence drawn from this source may be shown: the item is open
/// to the reader, and not redacted unless the reader sees originals.
pub fn source_open(s: &Source) -> bool {
    matches!(&s.decision, Decision::Open(g) if !(g.redact && s.redacted))
}

/// One name of a term as a reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct NameView {
    pub name: String,
    pub label: bool,
    pub lang: Option<String>,
    pub script: Option<String>,
    pub form: Option<String>,
    pub used_by: Option<String>,
    pub period: Option<String>,
    /// The attesting item and where in it; None where it is not open.
    pub source: Option<ItemId>,
    pub locator: Option<String>,
    pub citation: Option<String>,
}

/// A name, with its source only when `source` (the decision of its source
/// item, None when it has none or it is missing) is open.
pub fn name(r: NameRecord, source: Option<&Source>) -> NameView {
    let NameRecord {
        id: _,
        term_id: _,
        text,
        lang,
        script,
        form,
        used_by,
        source_item,
        locator,
        citation,
        period,
        is_label,
    } = r;
    let shown = source.is_some_and(source_open);
    NameView {
        name: text,
        label: is_label,
        lang,
        script,
        form,
        used_by,
        period,
        source: source_item.filter(|_| shown),
        // A locator without its item is harmless only when there was none.
        locator: locator.filter(|_| shown || source_item.is_none()),
        citation,
    }
}

/// One claim as a reader sees it: whole, or not at all.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimView {
    pub id: i64,
    /// `vocab:label` of a term, or the item id as text.
    pub subject: String,
    pub subject_term: Option<i64>,
    pub subject_item: Option<ItemId>,
    pub property: String,
    pub value: String,
    pub kind: &'static str,
    /// The interval: numbers, or first and last days for a date; null for
    /// an open end and for text.
    pub low: serde_json::Value,
    pub high: serde_json::Value,
    pub source: ItemId,
    pub locator: Option<String>,
    pub quote: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

fn number(v: Option<f64>) -> serde_json::Value {
    match v {
        // Whole numbers print as integers (48, not 48.0).
        Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => serde_json::Value::from(n as i64),
        Some(n) => serde_json::Value::from(n),
        None => serde_json::Value::Null,
    }
}

/// A claim where its source (and, for a claim about an item, that item)
/// lets the reader see it; None otherwise.
pub fn claim(
    r: crate::catalogue::claims::ClaimRecord,
    source: &Source,
    subject_item: Option<&Decision>,
) -> Option<ClaimView> {
    use crate::catalogue::claims::{ClaimRecord, Subject};
    if !source_open(source) {
        return None;
    }
    // A claim about an item must not confirm an item the reader cannot find.
    if matches!(subject_item, Some(Decision::Hidden)) {
        return None;
    }
    let ClaimRecord {
        id,
        subject,
        property,
        value,
        kind,
        low,
        high,
        low_day,
        high_day,
        source_item,
        locator,
        quote,
        note,
        created_at,
        created_by,
    } = r;
    let (subject, subject_term, subject_item) = match subject {
        Subject::Term { id, vocab, label } => (format!("{vocab}:{label}"), Some(id), None),
        Subject::Item(i) => (i.to_string(), None, Some(i)),
    };
    let (low, high) = if kind == crate::claims::ClaimKind::Date {
        (
            low_day.map_or(serde_json::Value::Null, serde_json::Value::from),
            high_day.map_or(serde_json::Value::Null, serde_json::Value::from),
        )
    } else {
        (number(low), number(high))
    };
    Some(ClaimView {
        id,
        subject,
        subject_term,
        subject_item,
        property,
        value,
        kind: kind.as_str(),
        low,
        high,
        source: source_item,
        locator,
        quote,
        note,
        created_at,
        created_by,
    })
}
