//! The home page (holdings) and the whole-collection counts it shares
//! with the search page's facets. Every number comes from the library's
//! reports at the reader's level; counts not yet computed for the
//! catalogue's current state are computed in the background while the
//! page says so, so no reader waits for a million-item count.
//!
//! Rendering only: no SQL, no visibility decisions, and every value goes
//! through askama's HTML escaping.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde_json::Value;

use std::sync::Arc;

use chrono::NaiveDate;

use custos::archive::pool::Borrowed;
use custos::archive::Archive;
use custos::error::Result;
use custos::model::{Access, Vocab};
use custos::report::{self, GroupBy, Which};

use super::routes::{render, WebError};
use super::who::Who;
use super::AppState;

/// The longest query the search takes (characters).
pub const MAX_QUERY: usize = 500;
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
    /// The counts are being computed: the page says so instead.
    counting: bool,
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

/// The catalogue state `b` reads, named by the head of the chained
/// history read on `b` itself: every change to what the catalogue
/// describes appends an event in its own transaction, while the research
/// access log (a write on every research item view) does not, so a
/// reader's views do not make the next search recount the whole
/// collection. None for an empty history.
pub fn version(b: &Archive, access: Access, today: NaiveDate) -> Result<Option<u64>> {
    let head = custos::reader::Reader::new(b, access, today).head()?.head;
    // The first 16 hex digits of a SHA-256 name the state well enough.
    Ok(head.get(..16).and_then(|h| u64::from_str_radix(h, 16).ok()))
}

/// The summary at the reader's level for the state `b` reads, computed
/// here if missing (the background task's way).
fn summary(state: &AppState, b: &Borrowed<'_>, access: Access) -> Result<Arc<Summary>> {
    let today = custos::clock::today();
    let version = version(b, access, today)?;
    state.summary(version, access, today, || summarize(b, access, today))
}

/// The summary at the reader's level for the state `b` reads, if already
/// computed; never computes it (see [`count_later`]).
pub fn ready(state: &AppState, b: &Archive, access: Access) -> Result<Option<Arc<Summary>>> {
    let today = custos::clock::today();
    Ok(state.summary_ready(version(b, access, today)?, access, today))
}

/// Starts computing the level's summary in the background, unless a
/// computation is already running: the page that found none renders
/// without it, and a later one finds it.
pub fn count_later(state: &AppState, access: Access) {
    if !state.claim_counting(access) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        warm(state.clone(), access).await;
        state.counted(access);
    });
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

    pub fn facets(&self, q: &str) -> Vec<Section> {
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

/// Computes the level's summary on a heavy-lane snapshot; failures are
/// reported on standard error (the next page that misses it retries).
async fn warm(state: AppState, access: Access) {
    let st = state.clone();
    let warmed = state
        .read_heavy(move |b| summary(&st, b, access).map(|_| ()))
        .await;
    if let Err(e) = warmed {
        eprintln!(
            "custos: serve: counting the holdings failed: {}",
            custos::output::escape::terminal_line(&e.to_string())
        );
    }
}

pub async fn home(State(state): State<AppState>, who: Who) -> Result<Html<String>, WebError> {
    let st = state.clone();
    let sections = state
        .read(move |b| {
            Ok(ready(&st, b, who.access)?.map(|sum| {
                [
                    GroupBy::Kind,
                    GroupBy::Decade,
                    GroupBy::Place,
                    GroupBy::Event,
                ]
                .into_iter()
                .map(|by| sum.section(by, ""))
                .collect::<Vec<_>>()
            }))
        })
        .await?;
    if sections.is_none() {
        count_later(&state, who.access);
    }
    render(&Home {
        level: who.access,
        max_query: MAX_QUERY,
        counting: sections.is_none(),
        sections: sections.unwrap_or_default(),
    })
}
