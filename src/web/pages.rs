//! The catalogue pages: home (holdings) and search (the query language,
//! facets, pages of results with snippets). Every number and row comes
//! from the library's reports and queries at the reader's level.
//!
//! Rendering only: no SQL, no visibility decisions, and every value goes
//! through askama's HTML escaping.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use std::sync::Arc;

use chrono::NaiveDate;

use custos::archive::pool::Borrowed;
use custos::archive::Archive;
use custos::error::Result;
use custos::model::{Access, Kind, Vocab};
use custos::report::{self, GroupBy, Which};

use super::routes::{render, WebError};
use super::who::Who;
use super::AppState;

/// The longest query the search takes (characters).
pub const MAX_QUERY: usize = 500;
/// Results per page.
const PAGE: u64 = 20;
/// The last page served: a crawler cannot walk a million rows by offset.
const MAX_PAGE: u64 = 500;
/// Matches are counted up to this many, then shown as "more than": a
/// word in every item of a million would take seconds to count.
pub const COUNT_CAP: u64 = 10_000;

pub struct Row {
    pub label: String,
    pub count: i64,
    pub href: Option<String>,
}

pub struct Section {
    pub title: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "web/home.html")]
struct Home {
    level: Access,
    max_query: usize,
    sections: Vec<Section>,
}

/// A search URL for the query `q` (form-encoded), at `page`.
pub fn search_href(q: &str, page: u64) -> String {
    let enc: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
    if page > 1 {
        format!("/search?q={enc}&page={page}")
    } else {
        format!("/search?q={enc}")
    }
}

/// The query term that selects `value` of `field`, quoted where needed;
/// None where the value cannot be written as one term.
pub fn term(field: &str, value: &str) -> Option<String> {
    if value.contains('"') || value.is_empty() {
        return None;
    }
    if value
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        Some(format!("{field}:{value}"))
    } else {
        Some(format!("{field}:\"{value}\""))
    }
}

/// The date range of a decade label such as `1990s`.
fn decade_term(label: &str) -> Option<String> {
    let y: i32 = label.strip_suffix('s')?.parse().ok()?;
    Some(format!("date:{y}..{}", y + 9))
}

/// The whole-collection counts at one level: the holdings the home page
/// lists and the facets every search page shows. They do not depend on
/// the query, so they are computed once per level and catalogue version
/// (see `state::LevelCache`); links are added per page.
pub struct Summary {
    holdings: Vec<Counted>,
    terms: Vec<(Vocab, String, i64)>,
}

struct Counted {
    by: GroupBy,
    title: String,
    rows: Vec<(String, i64)>,
}

/// The report's key column for `by`.
fn key_of(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Kind => "kind",
        GroupBy::Decade => "decade",
        GroupBy::Place => "place",
        GroupBy::Event => "event",
        GroupBy::Language => "language",
        GroupBy::Collection => "collection",
    }
}

const SUMMARY_BY: [GroupBy; 5] = [
    GroupBy::Kind,
    GroupBy::Decade,
    GroupBy::Place,
    GroupBy::Event,
    GroupBy::Language,
];

/// Computes the summary at `access` on `today`: the level's own reports.
fn summarize(archive: &Archive, access: Access, today: NaiveDate) -> Result<Summary> {
    let reader = report::Reader { access, today };
    let mut holdings = Vec::new();
    for by in SUMMARY_BY {
        let rep = report::make(archive, reader, Which::Holdings(by))?;
        let key = key_of(by);
        let mut title = String::new();
        let mut rows = Vec::new();
        for s in rep.sections {
            title = s.title;
            for r in s.rows {
                let label = match r.get(key) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => continue,
                    Some(v) => v.to_string(),
                };
                let count = r.get("count").and_then(Value::as_i64).unwrap_or(0);
                rows.push((label, count));
            }
        }
        holdings.push(Counted { by, title, rows });
    }
    let terms = custos::reader::Reader::new(archive, access, today)
        .terms(None)?
        .into_iter()
        .filter(|t| matches!(t.vocab, Vocab::Place | Vocab::Event | Vocab::Subject))
        .map(|t| (t.vocab, t.label, t.items))
        .collect();
    Ok(Summary { holdings, terms })
}

/// The summary at the reader's level for the state `b` reads. The state
/// is named by the head of the chained history, read on `b` itself: every
/// change to what the catalogue describes appends an event in its own
/// transaction, while the research access log (a write on every research
/// item view) does not, so a reader's views do not make the next search
/// recount the whole collection.
fn summary(state: &AppState, b: &Borrowed<'_>, access: Access) -> Result<Arc<Summary>> {
    let today = custos::clock::today();
    let head = custos::reader::Reader::new(b, access, today).head()?.head;
    // The first 16 hex digits of a SHA-256 name the state well enough.
    let version = head.get(..16).and_then(|h| u64::from_str_radix(h, 16).ok());
    state.summary(version, access, today, || summarize(b, access, today))
}

impl Summary {
    /// The holdings by `by`, each row linking to the search `within` it.
    fn section(&self, by: GroupBy, within: &str) -> Section {
        let Some(c) = self.holdings.iter().find(|c| c.by == by) else {
            return Section {
                title: String::new(),
                rows: Vec::new(),
            };
        };
        let key = key_of(by);
        let rows = c
            .rows
            .iter()
            .map(|(label, count)| {
                let t = match by {
                    GroupBy::Decade => decade_term(label),
                    _ => term(key, label),
                };
                Row {
                    label: label.clone(),
                    count: *count,
                    href: t.map(|t| search_href(format!("{within} {t}").trim(), 1)),
                }
            })
            .collect();
        Section {
            title: c.title.clone(),
            rows,
        }
    }

    fn facets(&self, q: &str) -> Vec<Section> {
        let mut out = vec![
            self.section(GroupBy::Kind, q),
            self.section(GroupBy::Decade, q),
            self.section(GroupBy::Language, q),
        ];
        for (vocab, title) in [
            (Vocab::Place, "Places"),
            (Vocab::Event, "Events"),
            (Vocab::Subject, "Subjects"),
        ] {
            let rows = self
                .terms
                .iter()
                .filter(|(v, _, _)| *v == vocab)
                .map(|(_, label, count)| Row {
                    label: label.clone(),
                    count: *count,
                    href: term(vocab.as_str(), label)
                        .map(|t| search_href(format!("{q} {t}").trim(), 1)),
                })
                .collect();
            out.push(Section {
                title: title.into(),
                rows,
            });
        }
        out
    }
}

/// Computes the anonymous level's summary at start, off the clock: the
/// first readers then find it cached, instead of all waiting for it
/// within their time limit.
pub async fn warm(state: AppState, access: Access) {
    let st = state.clone();
    let warmed = state
        .read_heavy(move |b| summary(&st, b, access).map(|_| ()))
        .await;
    if let Err(e) = warmed {
        eprintln!(
            "custos: serve: counting the holdings at start failed: {}",
            custos::output::escape::terminal_line(&e.to_string())
        );
    }
}

pub async fn home(State(state): State<AppState>, who: Who) -> Result<Html<String>, WebError> {
    let st = state.clone();
    let sections = state
        .read_heavy(move |b| {
            let sum = summary(&st, b, who.access)?;
            Ok([
                GroupBy::Kind,
                GroupBy::Decade,
                GroupBy::Place,
                GroupBy::Event,
            ]
            .into_iter()
            .map(|by| sum.section(by, ""))
            .collect::<Vec<_>>())
        })
        .await?;
    render(&Home {
        level: who.access,
        max_query: MAX_QUERY,
        sections,
    })
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    page: Option<u64>,
}

pub struct Hit {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub date: Option<String>,
    pub snippet: Option<String>,
}

#[derive(Template)]
#[template(path = "web/search.html")]
struct Search {
    level: Access,
    max_query: usize,
    q: String,
    error: Option<String>,
    /// "3 items", or "More than 10,000 items" past the count's cap.
    heading: String,
    first: u64,
    results: Vec<Hit>,
    prev: Option<String>,
    next: Option<String>,
    facets: Vec<Section>,
}

/// The results' heading for a capped count of `total`.
fn matches_heading(total: i64) -> String {
    if total > COUNT_CAP as i64 {
        format!("More than {} items", thousands(COUNT_CAP))
    } else if total == 1 {
        "1 item".into()
    } else {
        format!("{} items", thousands(total.max(0) as u64))
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub async fn search(
    State(state): State<AppState>,
    who: Who,
    Query(p): Query<SearchParams>,
) -> Result<Response, WebError> {
    if p.q.chars().count() > MAX_QUERY {
        return Err(WebError::BadRequest(format!(
            "a query may be at most {MAX_QUERY} characters"
        )));
    }
    let page = p.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let q = p.q.trim().to_string();
    let qq = q.clone();
    let st = state.clone();
    let (outcome, facets) = state
        .read_heavy(move |archive| {
            let facets = summary(&st, archive, who.access)?.facets(&qq);
            let parsed = if qq.is_empty() {
                None
            } else {
                match custos::query::parse_line(&qq) {
                    Ok(parsed) => Some(parsed),
                    Err(e) => return Ok((Err(e.to_string()), facets)),
                }
            };
            let Some(parsed) = parsed else {
                return Ok((Ok((0, Vec::new())), facets));
            };
            let opts = custos::query::Options {
                access: who.access,
                today: custos::clock::today(),
                sort: None,
                limit: Some(PAGE),
                offset: (page - 1) * PAGE,
                extra: &[],
                dates: Default::default(),
            };
            let total = custos::query::count_capped(archive, &parsed, &opts, COUNT_CAP + 1)?;
            let listed = custos::query::run(archive, &parsed, &opts)?;
            Ok((Ok((total, custos::output::to_values(&listed)?)), facets))
        })
        .await?;
    let (error, total, rows) = match outcome {
        Ok((total, rows)) => (None, total, rows),
        Err(e) => (Some(e), 0, Vec::new()),
    };
    let results = rows
        .iter()
        .map(|r| {
            let id = r.get("id").and_then(Value::as_i64).unwrap_or(0);
            Hit {
                id,
                title: r
                    .get("title")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("Item {id} (closed)"), str::to_string),
                kind: r
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or(Kind::Other.as_str())
                    .to_string(),
                date: r.get("date").and_then(Value::as_str).map(str::to_string),
                snippet: r.get("snippet").and_then(Value::as_str).map(str::to_string),
            }
        })
        .collect();
    let shown = (page * PAGE) as i64;
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let html = render(&Search {
        level: who.access,
        max_query: MAX_QUERY,
        prev: (page > 1).then(|| search_href(&q, page - 1)),
        next: (total > shown && page < MAX_PAGE).then(|| search_href(&q, page + 1)),
        q,
        error,
        heading: matches_heading(total),
        first: (page - 1) * PAGE + 1,
        results,
        facets,
    })?;
    Ok((status, html).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heading_says_more_than_the_cap_past_it() {
        assert_eq!(matches_heading(0), "0 items");
        assert_eq!(matches_heading(1), "1 item");
        assert_eq!(matches_heading(9_999), "9,999 items");
        assert_eq!(matches_heading(10_000), "10,000 items");
        assert_eq!(matches_heading(10_001), "More than 10,000 items");
    }
}
