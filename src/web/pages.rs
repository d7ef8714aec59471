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

/// One counted value, borrowed from the level's [`Summary`].
pub struct Row<'a> {
    pub label: &'a str,
    pub count: i64,
    pub href: Option<String>,
}

pub struct Section<'a> {
    pub title: &'a str,
    pub rows: Vec<Row<'a>>,
}

#[derive(Template)]
#[template(path = "web/home.html")]
struct Home<'a> {
    level: Access,
    max_query: usize,
    /// The counts are being computed: the page says so instead.
    counting: bool,
    sections: Vec<Section<'a>>,
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
    terms: Vec<(Vocab, Entry)>,
}

struct Counted {
    by: GroupBy,
    title: String,
    rows: Vec<Entry>,
}

/// A value with its count and, where it can be written as one, the query
/// term that selects it, form-encoded once here: every search page links
/// each of the hundreds of values to its query plus that term, and
/// encoding them per page was a fifth of the portal's CPU under load.
struct Entry {
    label: String,
    count: i64,
    term: Option<String>,
}

impl Entry {
    fn new(label: String, count: i64, term: Option<String>) -> Entry {
        let term = term.map(|t| form_urlencoded::byte_serialize(t.as_bytes()).collect());
        Entry { label, count, term }
    }

    /// The row linking to the search `prefix` (see [`search_prefix`]) plus
    /// this value's term.
    fn row<'a>(&'a self, prefix: &str) -> Row<'a> {
        Row {
            label: &self.label,
            count: self.count,
            href: self.term.as_ref().map(|t| {
                let mut href = String::with_capacity(prefix.len() + t.len());
                href.push_str(prefix);
                href.push_str(t);
                href
            }),
        }
    }
}

/// The start of a search URL for the query `within` followed by one more
/// term: what `search_href(format!("{within} {term}").trim(), 1)` gives,
/// less the term (form encoding maps each byte on its own, a space to `+`).
fn search_prefix(within: &str) -> String {
    let within = within.trim_start();
    if within.is_empty() {
        "/search?q=".to_string()
    } else {
        let enc: String = form_urlencoded::byte_serialize(within.as_bytes()).collect();
        format!("/search?q={enc}+")
    }
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
                let term = match by {
                    GroupBy::Decade => decade_term(&label),
                    _ => term(key, &label),
                };
                rows.push(Entry::new(label, count, term));
            }
        }
        holdings.push(Counted { by, title, rows });
    }
    let terms = custos::reader::Reader::new(archive, access, today)
        .terms(None)?
        .into_iter()
        .filter(|t| matches!(t.vocab, Vocab::Place | Vocab::Event | Vocab::Subject))
        .map(|t| {
            let term = term(t.vocab.as_str(), &t.label);
            (t.vocab, Entry::new(t.label, t.items, term))
        })
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
    /// The holdings by `by`, each row linking to the search `prefix` (see
    /// [`search_prefix`]) narrowed to it.
    fn section(&self, by: GroupBy, prefix: &str) -> Section<'_> {
        let Some(c) = self.holdings.iter().find(|c| c.by == by) else {
            return Section {
                title: "",
                rows: Vec::new(),
            };
        };
        Section {
            title: &c.title,
            rows: c.rows.iter().map(|e| e.row(prefix)).collect(),
        }
    }

    /// The facets of a search page for the query `q`: each value links to
    /// `q` narrowed to it.
    pub fn facets(&self, q: &str) -> Vec<Section<'_>> {
        let prefix = search_prefix(q);
        let mut out = vec![
            self.section(GroupBy::Kind, &prefix),
            self.section(GroupBy::Decade, &prefix),
            self.section(GroupBy::Language, &prefix),
        ];
        for (vocab, title) in [
            (Vocab::Place, "Places"),
            (Vocab::Event, "Events"),
            (Vocab::Subject, "Subjects"),
        ] {
            let rows = self
                .terms
                .iter()
                .filter(|(v, _)| *v == vocab)
                .map(|(_, e)| e.row(&prefix))
                .collect();
            out.push(Section { title, rows });
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
    let summary = state.read(move |b| ready(&st, b, who.access)).await?;
    if summary.is_none() {
        count_later(&state, who.access);
    }
    let prefix = search_prefix("");
    let sections = summary.as_ref().map(|sum| {
        [
            GroupBy::Kind,
            GroupBy::Decade,
            GroupBy::Place,
            GroupBy::Event,
        ]
        .into_iter()
        .map(|by| sum.section(by, &prefix))
        .collect::<Vec<_>>()
    });
    render(&Home {
        level: who.access,
        max_query: MAX_QUERY,
        counting: sections.is_none(),
        sections: sections.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A facet's link, built from the prefix made once per page and the
        /// term encoded once per summary, is the link of the query plus the
        /// term written whole, for any query and value.
        #[test]
        fn a_facet_link_is_the_search_for_the_query_plus_the_term(
            q in "[ a-zA-Z0-9:.\"&=+%é Ա-ֆა-ჰА-я]{0,24}",
            value in "[ a-zA-Z0-9:._\"&=+%é Ա-ֆ-]{0,16}",
            count in 0i64..1_000_000,
        ) {
            let t = term("place", &value);
            let e = Entry::new(value.clone(), count, t.clone());
            let row = e.row(&search_prefix(&q));
            let want = t.map(|t| search_href(format!("{q} {t}").trim(), 1));
            prop_assert_eq!(row.href, want);
            prop_assert_eq!(row.label, value.as_str());
            prop_assert_eq!(row.count, count);
        }
    }

    #[test]
    fn a_decade_links_to_its_date_range() {
        let e = Entry::new("1990s".into(), 3, decade_term("1990s"));
        assert_eq!(
            e.row(&search_prefix("kind:letter")).href.as_deref(),
            Some("/search?q=kind%3Aletter+date%3A1990..1999")
        );
        assert_eq!(
            e.row(&search_prefix("")).href.as_deref(),
            Some("/search?q=date%3A1990..1999")
        );
    }
}
