//! The claims about a term (`/terms/event/Harbour%20fire/claims`): every
//! claim `custos claim list event:"Harbour fire"` gives at the reader's
//! level, each with its source item and locator (a claim is shown only
//! where its source is open to the reader: `policy::view::claim`), and
//! whether its property is disputed among them. Every visible claim is
//! kept; none is picked as the true one. A term the reader may not know
//! answers the one 404, as a missing one. `/api/terms/…/claims` answers
//! the same claims as `custos claim list … --format json` prints them.
//!
//! Rendering only; the reader decides what is shown.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use serde_json::Value;

use custos::model::{Access, Vocab};
use custos::policy::view::ClaimView;
use custos::reader::{ClaimSelect, ClaimSubject, Reader};

use super::routes::{render, WebError};
use super::who::Who;
use super::AppState;

pub struct Claim {
    pub property: String,
    pub value: String,
    pub kind: &'static str,
    pub source: i64,
    pub locator: Option<String>,
    pub quote: Option<String>,
    pub note: Option<String>,
    pub disputed: bool,
}

#[derive(Template)]
#[template(path = "web/claims.html")]
struct ClaimsPage {
    level: Access,
    vocab: Vocab,
    label: String,
    term_href: String,
    claims: Vec<Claim>,
}

/// The path of a term's claims page.
pub fn href(vocab: &str, label: &str) -> String {
    format!("{}/claims", super::term::href(vocab, label))
}

/// The term's label and its claims the reader may see, each with whether
/// its property is disputed; None for the one 404.
#[allow(clippy::type_complexity)]
fn found(
    archive: &custos::archive::Archive,
    access: Access,
    vocab: Vocab,
    name: &str,
) -> custos::error::Result<Option<(String, Vec<(ClaimView, bool)>)>> {
    let reader = Reader::new(archive, access, custos::clock::today());
    let Some(subject) = reader.claim_term(vocab, name)? else {
        return Ok(None);
    };
    let label = match &subject {
        ClaimSubject::Term { label, .. } => label.clone(),
        ClaimSubject::Item(_) => return Ok(None),
    };
    let sel = ClaimSelect {
        subject: Some(subject),
        ..ClaimSelect::default()
    };
    let disputed: HashMap<i64, bool> = reader
        .claim_report(&sel, false)?
        .into_iter()
        .map(|r| (r.claim, r.disputed))
        .collect();
    let claims = reader
        .claims(&sel)?
        .into_iter()
        .map(|c| {
            let d = disputed.get(&c.id).copied().unwrap_or(false);
            (c, d)
        })
        .collect();
    Ok(Some((label, claims)))
}

pub async fn page(
    State(state): State<AppState>,
    who: Who,
    Path((vocab, name)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let vocab: Vocab = vocab.parse().map_err(|_| WebError::NotFound)?;
    let access = who.access;
    let found = state
        .read(move |archive| found(archive, access, vocab, &name))
        .await?;
    let Some((label, claims)) = found else {
        return Err(WebError::NotFound);
    };
    let claims = claims
        .into_iter()
        .map(|(c, disputed)| Claim {
            disputed,
            property: c.property,
            value: c.value,
            kind: c.kind,
            source: c.source.0,
            locator: c.locator,
            quote: c.quote,
            note: c.note,
        })
        .collect();
    render(&ClaimsPage {
        level: access,
        vocab,
        term_href: super::term::href(vocab.as_str(), &label),
        label,
        claims,
    })
}

/// `/api/terms/event/Harbour%20fire/claims`: the rows `custos claim list
/// event:"Harbour fire" --format json` prints at the reader's level, where
/// the page exists; the API's 404 elsewhere.
pub async fn api(
    State(state): State<AppState>,
    who: Who,
    Path((vocab, name)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let vocab: Vocab = vocab.parse().map_err(|_| WebError::ApiNotFound)?;
    let access = who.access;
    let rows = state
        .read(move |archive| match found(archive, access, vocab, &name)? {
            Some((_, claims)) => {
                let views: Vec<ClaimView> = claims.into_iter().map(|(c, _)| c).collect();
                custos::output::to_values(&views).map(Some)
            }
            None => Ok(None),
        })
        .await?;
    match rows {
        Some(rows) => Ok(super::api::json(StatusCode::OK, &Value::Array(rows))),
        None => Err(WebError::ApiNotFound),
    }
}
