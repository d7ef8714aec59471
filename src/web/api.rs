//! The JSON API: `/api/items?q=…` answers what `custos query --format json`
//! prints, `/api/items/17` what `custos show 17 --format json` prints, at
//! the reader's level. A hidden item is a 404 exactly as a missing one.
//! `/api/items?q=…&count=true` answers `{"count": N, "more": false}`,
//! counting no further than 10,000 (then `"more": true`).
//!
//! It serializes the library's views; it builds no record of its own.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::item::parse_id;
use super::pages::{COUNT_CAP, MAX_QUERY};
use super::routes::WebError;
use super::who::Who;
use super::AppState;

/// The most rows one call returns.
const MAX_LIMIT: u64 = 1_000;

#[derive(Debug, Deserialize)]
pub struct ItemsParams {
    #[serde(default)]
    q: String,
    limit: Option<u64>,
    #[serde(default)]
    offset: u64,
    /// `count=true`: the number of matches instead of the rows.
    #[serde(default)]
    count: bool,
}

pub(super) fn json(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

pub async fn items(
    State(state): State<AppState>,
    who: Who,
    Query(p): Query<ItemsParams>,
) -> Result<Response, WebError> {
    if p.q.chars().count() > MAX_QUERY {
        return Ok(json(
            StatusCode::BAD_REQUEST,
            &serde_json::json!({ "error": format!("q may be at most {MAX_QUERY} characters") }),
        ));
    }
    let parsed = match custos::query::parse_line(&p.q) {
        Ok(q) => q,
        Err(e) => {
            return Ok(json(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({ "error": e.to_string() }),
            ))
        }
    };
    let limit = p.limit.unwrap_or(100).min(MAX_LIMIT);
    let offset = p.offset;
    let access = who.access;
    if p.count {
        let n = state
            .read_heavy(move |archive| {
                let opts = custos::query::Options {
                    access,
                    today: custos::clock::today(),
                    sort: None,
                    limit: None,
                    offset: 0,
                    extra: &[],
                    dates: Default::default(),
                };
                custos::query::count_capped(archive, &parsed, &opts, COUNT_CAP + 1)
            })
            .await?;
        // Past the cap the count stops: `more` says there are more.
        let more = n > COUNT_CAP as i64;
        return Ok(json(
            StatusCode::OK,
            &serde_json::json!({ "count": n.min(COUNT_CAP as i64), "more": more }),
        ));
    }
    let rows = state
        .read_heavy(move |archive| {
            let opts = custos::query::Options {
                access,
                today: custos::clock::today(),
                sort: None,
                limit: Some(limit),
                offset,
                extra: &[],
                dates: Default::default(),
            };
            custos::output::to_values(&custos::query::run(archive, &parsed, &opts)?)
        })
        .await?;
    Ok(json(StatusCode::OK, &Value::Array(rows)))
}

pub async fn item(
    State(state): State<AppState>,
    who: Who,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&raw).map_err(|_| WebError::ApiNotFound)?;
    let access = who.access;
    let value = state
        .read(move |archive| crate::commands::show::item_json(archive, access, id))
        .await?;
    match value {
        Some(v) => {
            state
                .log_use(access, who.token, id, custos::ops::token::Use::View)
                .await?;
            Ok(json(StatusCode::OK, &v))
        }
        None => Err(WebError::ApiNotFound),
    }
}
