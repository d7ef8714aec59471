//! What each verb answers, read through the library's query path at
//! `Access::Public` only: a harvestable record is an item the public level
//! sees in full (`access:open`, and the policy's view confirms it is open),
//! with its Dublin Core elements from the field registry, as `export`
//! writes them. Closed entries (id, kind and collection) are listed by
//! `custos list` but not harvested: they have no description to share, and
//! their dates are not public. It never reads at another level and never
//! decides visibility: the query's SQL and the views come from the policy.

use chrono::NaiveDate;
use custos::archive::Archive;
use custos::error::Result;
use custos::model::Access;
use custos::policy::view::{ListedItem, Standing};
use custos::query::fields::{self as qfields, Type};
use custos::query::{self, Pred, Query, Term};

use super::request::{error, ErrorCode, Kind, OaiError, Request, SetSpec, Start};
use super::token::{self, Token};
use super::Config;

/// One harvestable record: its header and its Dublin Core elements.
#[derive(Debug, Clone)]
pub struct Record {
    pub identifier: String,
    pub datestamp: String,
    pub sets: Vec<String>,
    pub dc: Vec<(&'static str, String)>,
}

/// The resumption token of a partial list (`value` empty on its last page).
#[derive(Debug, Clone)]
pub struct Resumption {
    pub value: String,
    pub complete_size: u64,
    pub cursor: u64,
}

#[derive(Debug, Clone)]
pub enum Content {
    Identify {
        earliest: String,
    },
    Formats,
    /// (setSpec, setName)
    Sets(Vec<(String, String)>),
    List {
        headers_only: bool,
        records: Vec<Record>,
        resumption: Option<Resumption>,
    },
    Record(Record),
}

pub type Answer = std::result::Result<Content, OaiError>;

/// Answers a valid request; `Err` only when the archive cannot be read.
pub fn answer(archive: &Archive, cfg: &Config, req: &Request, today: NaiveDate) -> Result<Answer> {
    let h = Harvest {
        archive,
        cfg,
        today,
    };
    Ok(match &req.kind {
        Kind::Identify => Ok(Content::Identify {
            earliest: h.earliest()?,
        }),
        Kind::Formats { identifier: None } => Ok(Content::Formats),
        Kind::Formats {
            identifier: Some(id),
        } => h.record(id)?.map(|_| Content::Formats),
        Kind::Sets => Ok(Content::Sets(h.sets()?)),
        Kind::Get { identifier } => h.record(identifier)?.map(Content::Record),
        Kind::List {
            headers_only,
            start,
        } => h.list(*headers_only, start)?,
    })
}

struct Harvest<'a> {
    archive: &'a Archive,
    cfg: &'a Config,
    today: NaiveDate,
}

fn field(name: &str) -> &'static qfields::Field {
    // The names are ours and the query tests bind them to the registry.
    qfields::lookup(name).unwrap_or(&qfields::FIELDS[0])
}

fn term(pred: Pred) -> Term {
    Term {
        negated: false,
        pred,
        col: 1,
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Harvest<'_> {
    fn options(&self, limit: Option<u64>, sort: &'static str) -> query::Options<'static> {
        query::Options {
            access: Access::Public,
            today: self.today,
            sort: Some(sort),
            limit,
            offset: 0,
            extra: &[],
            dates: Default::default(),
        }
    }

    /// The query for the open items of a selection (None: the set is
    /// unknown, so nothing matches), after item number `after`.
    fn query(
        &self,
        set: Option<&str>,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
        after: i64,
    ) -> Option<Query> {
        let mut terms = vec![term(Pred::Choice {
            field: field("access"),
            value: "open",
        })];
        match set.map(SetSpec::parse) {
            None => {}
            Some(None) => return None,
            Some(Some(SetSpec::Kind(k))) => terms.push(term(Pred::Choice {
                field: field("kind"),
                value: k,
            })),
            Some(Some(SetSpec::Collection(c))) => terms.push(term(Pred::Text {
                field: field("collection"),
                value: c,
                exact: true,
            })),
        }
        if from.is_some() || until.is_some() {
            terms.push(term(Pred::Days {
                field: field("ingested_at"),
                lo: from.map(day),
                hi: until.map(day),
            }));
        }
        if after > 0 {
            terms.push(term(Pred::Number {
                field: field("id"),
                lo: Some(after.saturating_add(1)),
                hi: None,
            }));
        }
        Some(Query { any: vec![terms] })
    }

    /// The records of the rows the policy shows in full.
    fn records(&self, rows: &[ListedItem]) -> Result<Vec<Record>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            if let Some(r) = self.to_record(row)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    fn to_record(&self, row: &ListedItem) -> Result<Option<Record>> {
        // Belt and braces: the query asked for open items; the view says
        // whether this one is open to the public reader.
        if !matches!(row.item.standing, Standing::Open {}) || row.item.access != "open" {
            return Ok(None);
        }
        let Some(datestamp) = row.item.ingested_at.as_deref().and_then(|s| s.get(..10)) else {
            return Ok(None);
        };
        let v = custos::output::to_value(&row.item)?;
        let id = row.item.id.0;
        let mut dc = Vec::new();
        for (element, key) in custos::fields::dublin_core() {
            let value = custos::output::plain(v.get(key));
            if value.is_empty() {
                continue;
            }
            match (element, key) {
                // The item page is what a harvester can point its readers at.
                ("dc:identifier", _) => {
                    dc.push(("dc:identifier", format!("{}/items/{id}", self.cfg.site_url)))
                }
                ("custos:collection", _) => dc.push(("dc:relation", value)),
                (e, _) if e.starts_with("dc:") => dc.push((e, value)),
                // custos's own elements (the digest) are not Dublin Core.
                _ => {}
            }
        }
        let mut sets = Vec::new();
        if let Some(k) = v.get("kind").and_then(|k| k.as_str()) {
            if let Some(s) = SetSpec::parse(&format!("kind:{k}")) {
                sets.push(s.spec());
            }
        }
        if let Some(c) = row.item.collection.as_ref().filter(|c| !c.is_empty()) {
            sets.push(SetSpec::Collection(c.clone()).spec());
        }
        Ok(Some(Record {
            identifier: format!("oai:{}:{id}", self.cfg.repository_id),
            datestamp: datestamp.to_string(),
            sets,
            dc,
        }))
    }

    /// The record with this OAI identifier, or idDoesNotExist — for a
    /// hidden or closed item exactly as for a missing one.
    fn record(&self, identifier: &str) -> Result<std::result::Result<Record, OaiError>> {
        let missing = || {
            Err(error(
                ErrorCode::IdDoesNotExist,
                "no record has this identifier",
            ))
        };
        let Some(n) = super::request::item_number(identifier, &self.cfg.repository_id) else {
            return Ok(missing());
        };
        let Some(mut q) = self.query(None, None, None, 0) else {
            return Ok(missing());
        };
        q.any[0].push(term(Pred::Number {
            field: field("id"),
            lo: Some(n),
            hi: Some(n),
        }));
        let rows = query::run(self.archive, &q, &self.options(Some(1), "id"))?;
        Ok(match self.records(&rows)?.into_iter().next() {
            Some(r) => Ok(r),
            None => missing(),
        })
    }

    fn earliest(&self) -> Result<String> {
        let q = self.query(None, None, None, 0).unwrap_or_default();
        let rows = query::run(self.archive, &q, &self.options(Some(1), "ingested_at"))?;
        Ok(self
            .records(&rows)?
            .into_iter()
            .next()
            .map(|r| r.datestamp)
            .unwrap_or_else(|| day(self.today)))
    }

    /// A set for each kind and each collection with a harvestable record.
    fn sets(&self) -> Result<Vec<(String, String)>> {
        let mut sets = Vec::new();
        if let Type::Enum(kinds) = field("kind").ty {
            for k in kinds {
                let s = SetSpec::Kind(k);
                if self.count(Some(&s.spec()))? > 0 {
                    sets.push((s.spec(), format!("Kind: {k}")));
                }
            }
        }
        let report = custos::report::make(
            self.archive,
            custos::report::Reader {
                access: Access::Public,
                today: self.today,
            },
            custos::report::Which::Holdings(custos::report::GroupBy::Collection),
        )?;
        for section in &report.sections {
            for row in &section.rows {
                let Some(c) = row.get("collection").and_then(|c| c.as_str()) else {
                    continue;
                };
                let s = SetSpec::Collection(c.to_string());
                if !c.is_empty() && self.count(Some(&s.spec()))? > 0 {
                    sets.push((s.spec(), format!("Collection: {c}")));
                }
            }
        }
        Ok(sets)
    }

    fn count(&self, set: Option<&str>) -> Result<u64> {
        match self.query(set, None, None, 0) {
            Some(q) => Ok(query::count(self.archive, &q, &self.options(None, "id"))?.max(0) as u64),
            None => Ok(0),
        }
    }

    fn list(&self, headers_only: bool, start: &Start) -> Result<Answer> {
        let tok = match start {
            Start::Resume(t) => t.clone(),
            Start::Fresh(sel) => {
                let size = match self.query(sel.set.as_deref(), sel.from, sel.until, 0) {
                    Some(q) => {
                        query::count(self.archive, &q, &self.options(None, "id"))?.max(0) as u64
                    }
                    None => 0,
                };
                Token {
                    headers_only,
                    selection: sel.clone(),
                    after: 0,
                    cursor: 0,
                    complete_size: size,
                }
            }
        };
        let sel = &tok.selection;
        let page = self.cfg.page_size.max(1);
        let mut records = Vec::new();
        let mut after = tok.after;
        let mut more = false;
        // Rows the view turns out not to show are skipped; read on until
        // the page is full or the list ends.
        while records.len() < page {
            let Some(q) = self.query(sel.set.as_deref(), sel.from, sel.until, after) else {
                break;
            };
            let want = (page - records.len()) as u64;
            let rows = query::run(self.archive, &q, &self.options(Some(want + 1), "id"))?;
            more = rows.len() as u64 > want;
            let taken = &rows[..rows.len().min(want as usize)];
            if let Some(last) = taken.last() {
                after = last.item.id.0;
            }
            records.extend(self.records(taken)?);
            if !more {
                break;
            }
        }
        if records.is_empty() {
            return Ok(Err(if matches!(start, Start::Resume(_)) {
                // The list shrank under the harvester (items closed since).
                error(
                    ErrorCode::NoRecordsMatch,
                    "no more records match; the list changed since it began",
                )
            } else {
                error(ErrorCode::NoRecordsMatch, "no records match this request")
            }));
        }
        let cursor = tok.cursor;
        let sent = cursor + records.len() as u64;
        let resumption = if more {
            Some(Resumption {
                value: token::encode(&Token {
                    after,
                    cursor: sent,
                    complete_size: tok.complete_size.max(sent + 1),
                    ..tok.clone()
                }),
                complete_size: tok.complete_size.max(sent + 1),
                cursor,
            })
        } else if matches!(start, Start::Resume(_)) {
            // The last page of a list that was split: an empty token.
            Some(Resumption {
                value: String::new(),
                complete_size: tok.complete_size.max(sent),
                cursor,
            })
        } else {
            None
        };
        Ok(Ok(Content::List {
            headers_only,
            records,
            resumption,
        }))
    }
}
