//! The search page: the query language, a page of results with snippets,
//! and the facets. Every row comes from the library's query at the
//! reader's level. A page already read at this level on this catalogue
//! state and day is answered from [`super::results`]; a page that is not
//! is searched in the pool's heavy lane. Facets not yet counted for this
//! state are left out while they are counted in the background.
//!
//! Rendering only: no SQL, no visibility decisions, and every value goes
//! through askama's HTML escaping.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use custos::archive::Archive;
use custos::error::Result;
use custos::model::{Access, Kind};

use super::pages::{self, search_href, Section, COUNT_CAP, MAX_QUERY};
use super::results::Key;
use super::routes::{render, WebError};
use super::who::Who;
use super::AppState;

/// Results per page.
const PAGE: u64 = 20;
/// The last page served: a crawler cannot walk a million rows by offset.
const MAX_PAGE: u64 = 500;
/// How far a search page counts its matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Count {
    /// To the end of the page shown, and one more so that "Next" shows:
    /// the walk that finds the page's rows then finds the count too. A
    /// count to 200 was 40 % of a new search's CPU (2.5 against 4.4 ms
    /// one at a time on a million items), and a busy server's readers
    /// wait on that CPU.
    Page,
    /// To `pages::COUNT_CAP`, when the reader asks ("count them"), as the
    /// API always does.
    All,
}

impl Count {
    /// How far the matches are counted for `page`.
    fn cap(self, page: u64) -> u64 {
        match self {
            Count::Page => page * PAGE,
            Count::All => (page * PAGE).max(COUNT_CAP),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    page: Option<u64>,
    count: Option<Count>,
}

#[derive(Clone)]
pub struct Hit {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub date: Option<String>,
    pub snippet: Option<String>,
}

/// One page of results as the level's search returned it: kept for reuse.
pub struct Outcome {
    /// The query's error (it did not parse), shown instead of results.
    error: Option<String>,
    /// Matches, counted up to the page's `Count::cap` + 1.
    total: i64,
    hits: Vec<Hit>,
}

#[derive(Template)]
#[template(path = "web/search.html")]
struct Search<'a> {
    level: Access,
    max_query: usize,
    q: String,
    error: Option<String>,
    /// "3 items", or "More than 20 items" past the count's cap.
    heading: String,
    /// Where the matches are counted to the API's cap, when this page's
    /// count stopped short of them.
    count_all: Option<String>,
    first: u64,
    results: Vec<Hit>,
    prev: Option<String>,
    next: Option<String>,
    /// The counts are being computed: the page says so instead of facets.
    counting: bool,
    facets: Vec<Section<'a>>,
}

/// The results' heading for a count of `total` capped at `cap`.
fn matches_heading(total: i64, cap: u64) -> String {
    if total > cap as i64 {
        format!("More than {} items", thousands(cap))
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

/// What one snapshot gives a search page: its catalogue state, the
/// results if known, the facets if counted.
struct Read {
    key: Option<Key>,
    outcome: Option<Arc<Outcome>>,
    /// The level's counts, for the facets.
    facets: Option<Arc<pages::Summary>>,
}

/// Looks up the page (and the facets) for the state `b` reads.
fn lookup(state: &AppState, b: &Archive, access: Access, asked: &Asked) -> Result<Read> {
    let today = custos::clock::today();
    let key = pages::version(b, access, today)?.map(|version| Key {
        access,
        version,
        day: today,
        query: asked.q.clone(),
        page: asked.page,
        counted_to: asked.cap(),
    });
    Ok(Read {
        outcome: key.as_ref().and_then(|k| state.results().get(k)),
        facets: pages::ready(state, b, access)?,
        key,
    })
}

/// What a reader asked for: the query, the page and how far to count.
#[derive(Debug, Clone)]
struct Asked {
    q: String,
    page: u64,
    count: Count,
}

impl Asked {
    fn cap(&self) -> u64 {
        self.count.cap(self.page)
    }
}

/// Runs the query at `access` on `b` for one page.
fn search_page(b: &Archive, access: Access, asked: &Asked) -> Result<Outcome> {
    let (q, page) = (asked.q.as_str(), asked.page);
    if q.is_empty() {
        return Ok(Outcome {
            error: None,
            total: 0,
            hits: Vec::new(),
        });
    }
    let parsed = match custos::query::parse_line(q) {
        Ok(parsed) => parsed,
        Err(e) => {
            return Ok(Outcome {
                error: Some(e.to_string()),
                total: 0,
                hits: Vec::new(),
            })
        }
    };
    let opts = custos::query::Options {
        access,
        today: custos::clock::today(),
        sort: None,
        limit: Some(PAGE),
        offset: (page - 1) * PAGE,
        extra: &[],
        dates: Default::default(),
    };
    let (listed, total) = custos::query::page_and_count(b, &parsed, &opts, asked.cap() + 1)?;
    let hits = custos::output::to_values(&listed)?
        .iter()
        .map(hit)
        .collect();
    Ok(Outcome {
        error: None,
        total,
        hits,
    })
}

fn hit(r: &Value) -> Hit {
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
    let asked = Asked {
        q: p.q.trim().to_string(),
        page: p.page.unwrap_or(1).clamp(1, MAX_PAGE),
        count: p.count.unwrap_or(Count::Page),
    };
    let access = who.access;
    // A short read first: a page read before on this state needs no
    // search, and so no place in the heavy lane.
    let (st, a) = (state.clone(), asked.clone());
    let mut read = state.read(move |b| lookup(&st, b, access, &a)).await?;
    let outcome = match read.outcome.take() {
        Some(o) => o,
        None => {
            let (st, a) = (state.clone(), asked.clone());
            let (found, again) = state
                .read_heavy(move |b| {
                    let outcome = Arc::new(search_page(b, access, &a)?);
                    // Kept under the state this snapshot read, which may
                    // be newer than the short read's.
                    let again = lookup(&st, b, access, &a)?;
                    if let Some(key) = again.key.clone() {
                        st.results().put(key, Arc::clone(&outcome));
                    }
                    Ok((outcome, again.facets))
                })
                .await?;
            read.facets = again.or(read.facets);
            found
        }
    };
    let counting = read.facets.is_none();
    if counting {
        pages::count_later(&state, access);
    }
    let (q, page, cap) = (asked.q.as_str(), asked.page, asked.cap());
    let shown = (page * PAGE) as i64;
    let status = if outcome.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let html = render(&Search {
        level: access,
        max_query: MAX_QUERY,
        prev: (page > 1).then(|| search_href(q, page - 1)),
        next: (outcome.total > shown && page < MAX_PAGE).then(|| search_href(q, page + 1)),
        count_all: (outcome.total > cap as i64 && asked.count == Count::Page)
            .then(|| count_all_href(q, page)),
        q: q.to_string(),
        error: outcome.error.clone(),
        heading: matches_heading(outcome.total, cap),
        first: (page - 1) * PAGE + 1,
        results: outcome.hits.clone(),
        counting,
        facets: read
            .facets
            .as_ref()
            .map(|s| s.facets(q))
            .unwrap_or_default(),
    })?;
    Ok((status, html).into_response())
}

/// The same page, counted to the API's cap.
fn count_all_href(q: &str, page: u64) -> String {
    format!("{}&count=all", search_href(q, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heading_says_more_than_the_cap_past_it() {
        let cap = Count::Page.cap(1);
        assert_eq!(cap, 20);
        assert_eq!(matches_heading(0, cap), "0 items");
        assert_eq!(matches_heading(1, cap), "1 item");
        assert_eq!(matches_heading(20, cap), "20 items");
        assert_eq!(matches_heading(21, cap), "More than 20 items");
        // Deep pages count to their own end, so "Next" still shows.
        assert_eq!(Count::Page.cap(60), 1_200);
        assert_eq!(
            matches_heading(1_201, Count::Page.cap(60)),
            "More than 1,200 items"
        );
        // Asked to count, a page counts to the API's cap.
        assert_eq!(Count::All.cap(1), 10_000);
        assert_eq!(matches_heading(9_999, Count::All.cap(1)), "9,999 items");
        assert_eq!(
            matches_heading(10_001, Count::All.cap(1)),
            "More than 10,000 items"
        );
    }

    #[test]
    fn the_count_link_keeps_the_query_and_the_page() {
        assert_eq!(count_all_href("a b", 1), "/search?q=a+b&count=all");
        assert_eq!(count_all_href("a", 3), "/search?q=a&page=3&count=all");
    }
}
