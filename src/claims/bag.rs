//! Claims in bags. Out: each exported record carries the claims its item
//! makes as a source (`claims`, shaped by the policy at the export's level,
//! exactly as `claim list` shows them there), and `metadata/claims.csv`
//! lists them. In: importing a custos bag restores those claims against the
//! new ids — a term subject by its label (created when new, as tagging
//! does), an item subject only when that item is in the bag — with the
//! value parsed again here rather than trusted, each restored claim one
//! `claim_change` event. A claim already present is not added twice.
//!
//! Names of terms travel the same way: each record's `terms` carry their
//! `names` as the export's level sees them (a name's source only where its
//! item is open), and an import adds the names a term here lacks, their
//! source mapped to the new id when that item is in the bag, each one
//! `name_change` event.
//!
//! It decides no visibility (the export passes what the policy let
//! through) and never prints.

use std::collections::HashMap;

use rusqlite::{params, Connection};
use serde_json::Value;

use crate::catalogue::claims::{self as rows, NewClaim, Select, Subject};
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::terms;
use crate::error::{Error, Result};
use crate::ingest::FileOutcome;
use crate::model::{Access, ItemId, Vocab};
use crate::policy::{self, view};

/// The claims item `id` makes as a source, as a reader at `access` may
/// see them (empty where the item is not open to that reader).
pub(crate) fn of_source(
    conn: &Connection,
    id: ItemId,
    access: Access,
    today: chrono::NaiveDate,
) -> Result<Vec<Value>> {
    let Some(facts) = policy::sql::load_facts(conn, id)? else {
        return Ok(Vec::new());
    };
    let source = view::Source {
        decision: policy::decide(access, &facts, today),
        redacted: facts.redacted,
    };
    let mut out = Vec::new();
    let sel = Select {
        source: Some(id),
        ..Select::default()
    };
    for r in rows::select(conn, &sel)? {
        let subject_item = match &r.subject {
            Subject::Item(i) => Some(
                policy::sql::load_facts(conn, *i)?
                    .map(|f| policy::decide(access, &f, today))
                    .unwrap_or(policy::Decision::Hidden),
            ),
            Subject::Term { .. } => None,
        };
        if let Some(v) = view::claim(r, &source, subject_item.as_ref()) {
            out.push(crate::output::to_value(&v)?);
        }
    }
    Ok(out)
}

/// The names of term `vocab:label`, as a reader at `access` may see them.
pub(crate) fn names_of_term(
    conn: &Connection,
    vocab: Vocab,
    label: &str,
    access: Access,
    today: chrono::NaiveDate,
) -> Result<Vec<Value>> {
    let Some((term, _)) = terms::find(conn, vocab, label)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for r in crate::catalogue::names::list(conn, term)? {
        let source = match r.source_item {
            Some(item) => policy::sql::load_facts(conn, item)?.map(|f| view::Source {
                decision: policy::decide(access, &f, today),
                redacted: f.redacted,
            }),
            None => None,
        };
        out.push(crate::output::to_value(&view::name(r, source.as_ref()))?);
    }
    Ok(out)
}

/// Columns of `metadata/claims.csv`.
pub const CSV_COLUMNS: [&str; 12] = [
    "id",
    "subject",
    "property",
    "value",
    "kind",
    "low",
    "high",
    "source",
    "locator",
    "quote",
    "note",
    "created_at",
];

/// Rows of `metadata/claims.csv`, from the records' `claims`.
pub(crate) fn csv_rows(records: &[Value]) -> Vec<Vec<String>> {
    records
        .iter()
        .flat_map(|r| r["claims"].as_array().cloned().unwrap_or_default())
        .map(|c| {
            CSV_COLUMNS
                .iter()
                .map(|k| crate::output::plain(c.get(*k)))
                .collect()
        })
        .collect()
}

/// What a bag's records say as sources, aligned with the import's jobs.
pub struct Incoming {
    /// Per job: the source archive's item id and the claims of its record.
    pub jobs: Vec<(Option<i64>, Vec<Value>)>,
    /// Per job: the terms of its record, with their names.
    pub terms: Vec<Vec<Value>>,
    pub agent: String,
}

fn field<'a>(c: &'a Value, key: &str) -> Option<&'a str> {
    c.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

impl Incoming {
    /// Restores the claims once every item has its id (inside the import's
    /// transaction: an error rolls the whole bag back).
    pub fn apply(
        self,
        tx: &Connection,
        log: &mut EventLog<'_>,
        outs: &[FileOutcome],
        now: &str,
    ) -> Result<()> {
        let ids: HashMap<i64, ItemId> = self
            .jobs
            .iter()
            .zip(outs)
            .filter_map(|((src, _), o)| Some(((*src)?, o.id?)))
            .collect();
        for ((_, claims), out) in self.jobs.iter().zip(outs) {
            let Some(source) = out.id else { continue };
            for c in claims {
                let bad = |what: &str| {
                    Error::usage(format!(
                        "{}: a claim of its record: {what}; nothing of the bag was imported",
                        out.path
                    ))
                };
                let subject = match (
                    c.get("subject_item").and_then(Value::as_i64),
                    field(c, "subject"),
                ) {
                    // About an item outside this bag: nothing here to attach it to.
                    (Some(old), _) => match ids.get(&old) {
                        Some(new) => Subject::Item(*new),
                        None => continue,
                    },
                    (None, Some(s)) => {
                        let (v, label) = s
                            .split_once(':')
                            .ok_or_else(|| bad("subject is not VOCAB:LABEL"))?;
                        let vocab: Vocab = v
                            .parse()
                            .map_err(|_| bad("subject has no known vocabulary"))?;
                        let id = terms::ensure(tx, vocab, label)?;
                        let label = terms::find(tx, vocab, label)?
                            .map(|(_, l)| l)
                            .unwrap_or_default();
                        Subject::Term { id, vocab, label }
                    }
                    _ => return Err(bad("no subject")),
                };
                let property = field(c, "property").ok_or_else(|| bad("no property"))?;
                let value = field(c, "value").ok_or_else(|| bad("no value"))?;
                let as_text = field(c, "kind") == Some("text");
                let parsed = crate::claims::parse(property, value, as_text).map_err(|e| bad(&e))?;
                let locator = field(c, "locator").map(str::to_string);
                if exists(tx, &subject, property, value, source, locator.as_deref())? {
                    continue;
                }
                let new = NewClaim {
                    subject,
                    property: property.to_string(),
                    value: value.to_string(),
                    parsed,
                    source_item: source,
                    locator,
                    quote: field(c, "quote").map(str::to_string),
                    note: field(c, "note").map(str::to_string),
                };
                let by = field(c, "created_by").unwrap_or(&self.agent);
                let at = field(c, "created_at").unwrap_or(now);
                let id = rows::insert(tx, &new, at, by)?;
                let detail = serde_json::json!({
                    "claim": id, "action": "restore", "property": new.property, "value": new.value,
                });
                log.append(
                    EventType::ClaimChange,
                    Some(source),
                    &self.agent,
                    "success",
                    Some(&detail),
                    now,
                )?;
            }
        }
        for term in self.terms.iter().flatten() {
            restore_names(tx, log, term, &ids, &self.agent, now)?;
        }
        Ok(())
    }
}

/// Adds the names of one record's term that the term here lacks. A name
/// whose source item is not in the bag keeps where it came from as a
/// citation; a term whose items here are redacted takes no new name (as
/// `terms name add` refuses).
fn restore_names(
    tx: &Connection,
    log: &mut EventLog<'_>,
    term: &Value,
    ids: &HashMap<i64, ItemId>,
    agent: &str,
    now: &str,
) -> Result<()> {
    let (Some(vocab), Some(label)) = (
        field(term, "vocab").and_then(|v| v.parse::<Vocab>().ok()),
        field(term, "label"),
    ) else {
        return Ok(());
    };
    let Some(names) = term.get("names").and_then(Value::as_array) else {
        return Ok(());
    };
    let Some((term_id, _)) = terms::find(tx, vocab, label)? else {
        return Ok(());
    };
    if crate::redact::check_relabel(tx, vocab, label).is_err() {
        return Ok(());
    }
    let have: Vec<String> = crate::catalogue::names::list(tx, term_id)?
        .into_iter()
        .map(|n| terms::key(&n.text))
        .collect();
    for n in names {
        let Some(text) = field(n, "name") else {
            continue;
        };
        let Ok(text) = terms::clean_label(vocab, text) else {
            continue;
        };
        if have.contains(&terms::key(&text)) {
            continue;
        }
        let old = n.get("source").and_then(Value::as_i64);
        let source_item = old.and_then(|o| ids.get(&o).copied());
        let s = |k: &str| field(n, k).map(str::to_string);
        let citation = match (source_item, old) {
            (None, Some(o)) => Some(s("citation").unwrap_or_else(|| {
                let at = s("locator").map(|l| format!(", {l}")).unwrap_or_default();
                format!("item {o} of the archive the bag came from{at}")
            })),
            _ => s("citation"),
        };
        let name = crate::catalogue::names::NewName {
            text,
            lang: s("lang"),
            script: s("script"),
            form: s("form"),
            used_by: s("used_by"),
            source_item,
            locator: s("locator").filter(|_| source_item.is_some()),
            citation,
            period: s("period"),
        };
        crate::catalogue::names::add(tx, term_id, &name)?;
        let detail = serde_json::json!({
            "vocab": vocab.as_str(), "term": term_id, "action": "restore", "name": name.text,
            "lang": name.lang, "script": name.script, "form": name.form,
            "used_by": name.used_by, "source": name.source_item.map(|i| i.0),
            "locator": name.locator, "citation": name.citation, "period": name.period,
        });
        log.append(
            EventType::NameChange,
            name.source_item,
            agent,
            "success",
            Some(&detail),
            now,
        )?;
    }
    Ok(())
}

fn exists(
    tx: &Connection,
    subject: &Subject,
    property: &str,
    value: &str,
    source: ItemId,
    locator: Option<&str>,
) -> Result<bool> {
    let (term, item) = match subject {
        Subject::Term { id, .. } => (Some(*id), None),
        Subject::Item(i) => (None, Some(i.0)),
    };
    let n: i64 = tx.query_row(
        "SELECT count(*) FROM claims WHERE subject_term IS ?1 AND subject_item IS ?2
         AND property = ?3 AND value = ?4 AND source_item = ?5 AND locator IS ?6",
        params![term, item, property, value, source, locator],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}
