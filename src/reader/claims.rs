//! Reading claims as a reader may see them: each claim only where its
//! source item is open to the reader (`policy::view::claim`), and the
//! claims report, which marks a subject's property disputed from the
//! visible claims alone. It loads rows and asks the policy; it never
//! decides visibility itself and never prints.

use std::collections::HashMap;

use serde::Serialize;

use super::Reader;
use crate::catalogue::claims::{self, Select, Subject};
use crate::claims::{disputed, Interval};
use crate::error::Result;
use crate::model::ItemId;
use crate::policy::{self, view};

pub use crate::catalogue::claims::{Select as ClaimSelect, Subject as ClaimSubject};

/// One row of `report claims`: a claim beside the others about the same
/// subject and property, and whether they disagree.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRow {
    pub subject: String,
    pub property: String,
    pub value: String,
    pub kind: &'static str,
    pub low: serde_json::Value,
    pub high: serde_json::Value,
    pub source: ItemId,
    pub locator: Option<String>,
    pub quote: Option<String>,
    pub claim: i64,
    pub disputed: bool,
}

impl Reader<'_> {
    /// The claims `sel` selects that this reader may see.
    pub fn claims(&self, sel: &Select) -> Result<Vec<view::ClaimView>> {
        let mut sources: HashMap<ItemId, Option<view::Source>> = HashMap::new();
        let mut out = Vec::new();
        for r in claims::select(self.conn, sel)? {
            let source = match sources.entry(r.source_item) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(self.source(r.source_item)?)
                }
            };
            let Some(source) = source.as_ref() else {
                continue;
            };
            let subject_item = match &r.subject {
                Subject::Item(i) => Some(
                    self.source(*i)?
                        .map(|s| s.decision)
                        .unwrap_or(policy::Decision::Hidden),
                ),
                Subject::Term { .. } => None,
            };
            if let Some(v) = view::claim(r, source, subject_item.as_ref()) {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// The claims report: every visible claim, grouped by subject and
    /// property, each row marked with whether its group is disputed;
    /// `only_disputed` keeps the disputed groups only.
    pub fn claim_report(&self, sel: &Select, only_disputed: bool) -> Result<Vec<ClaimRow>> {
        let visible = self.claims(sel)?;
        let mut groups: Vec<((String, String), Vec<view::ClaimView>)> = Vec::new();
        for c in visible {
            let key = (c.subject.clone(), c.property.to_lowercase());
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, g)) => g.push(c),
                None => groups.push((key, vec![c])),
            }
        }
        let mut rows = Vec::new();
        for (_, group) in groups {
            let intervals: Vec<Interval> = group.iter().map(interval).collect();
            let d = disputed(&intervals);
            if only_disputed && !d {
                continue;
            }
            for c in group {
                rows.push(ClaimRow {
                    subject: c.subject,
                    property: c.property,
                    value: c.value,
                    kind: c.kind,
                    low: c.low,
                    high: c.high,
                    source: c.source,
                    locator: c.locator,
                    quote: c.quote,
                    claim: c.id,
                    disputed: d,
                });
            }
        }
        Ok(rows)
    }
}

/// The interval `dispute` compares, from a visible claim.
fn interval(c: &view::ClaimView) -> Interval {
    match c.kind {
        "text" => Interval::Text(c.value.clone()),
        "date" => Interval::Days {
            low: c.low.as_str().map(str::to_string),
            high: c.high.as_str().map(str::to_string),
        },
        _ => Interval::Number {
            low: c.low.as_f64(),
            high: c.high.as_f64(),
        },
    }
}

impl Reader<'_> {
    /// The term a claim subject names (any of its names), where this reader
    /// may know it: at custodian, or where the reader sees an item carrying
    /// it or a claim about it. Otherwise None, as for a term that does not
    /// exist, so the answer cannot confirm a hidden term.
    pub fn claim_term(&self, vocab: crate::model::Vocab, name: &str) -> Result<Option<Subject>> {
        let Some((id, label)) = crate::catalogue::terms::find(self.conn, vocab, name)? else {
            return Ok(None);
        };
        let subject = Subject::Term { id, vocab, label };
        if policy::sees_everything(self.access)
            || crate::catalogue::names::open_items(self.conn, id, self.access, self.today)? > 0
        {
            return Ok(Some(subject));
        }
        let sel = Select {
            subject: Some(subject.clone()),
            ..Select::default()
        };
        Ok((!self.claims(&sel)?.is_empty()).then_some(subject))
    }
}
