//! The narrator page (`/narrators/4`): a narrator as `narrator show` gives
//! them at the reader's level (`Reader::narrators`: the display form, never
//! a legal name; an anonymous narrator's birth year, places and notes never
//! below custodian), with links to the testimonies open to the reader. A
//! narrator with no testimony open at that level answers the one 404, as a
//! missing one: a narrator's existence alone can say who spoke.
//! `/api/narrators/4` answers the same record as JSON, as `custos narrator
//! show 4 --format json` prints it, exactly where the page exists.
//!
//! Rendering only; the reader decides what is shown.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};

use custos::model::{Access, Anonymity, NarratorId};
use custos::policy::view::NarratorEntry;
use custos::policy::Decision;
use custos::reader::Reader;

use super::routes::{render, WebError};
use super::who::Who;
use super::AppState;

pub struct Testimony {
    pub id: i64,
    pub title: String,
}

#[derive(Template)]
#[template(path = "web/narrator.html")]
struct NarratorPage {
    level: Access,
    display: String,
    anonymity: Anonymity,
    fields: Vec<(&'static str, String)>,
    testimonies: Vec<Testimony>,
}

/// The narrator as `Reader::narrators` shapes them for `access`, and the
/// testimonies open to the reader; None where the page and the API answer
/// the one 404 (missing, hidden, or no testimony open at this level).
fn found(
    archive: &custos::archive::Archive,
    access: Access,
    id: NarratorId,
) -> custos::error::Result<Option<(NarratorEntry, Vec<Testimony>)>> {
    let reader = Reader::new(archive, access, custos::clock::today());
    let Some(n) = reader.narrators(Some(id))?.pop() else {
        return Ok(None);
    };
    let mut testimonies = Vec::new();
    for t in &n.testimonies {
        // Only what the reader may open; the listing agrees, and this
        // keeps the page right if it ever did not.
        let Some(read) = reader.item(*t)? else {
            continue;
        };
        if !matches!(read.decision, Decision::Open(_)) {
            continue;
        }
        testimonies.push(Testimony {
            id: t.0,
            title: read
                .view
                .title
                .clone()
                .unwrap_or_else(|| format!("Item {t}")),
        });
    }
    Ok((!testimonies.is_empty()).then_some((n, testimonies)))
}

pub async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(raw): Path<String>,
) -> Result<Html<String>, WebError> {
    let id: NarratorId = raw.parse().map_err(|_| WebError::NotFound)?;
    let access = who.access;
    let Some((n, testimonies)) = state
        .read(move |archive| found(archive, access, id))
        .await?
    else {
        return Err(WebError::NotFound);
    };
    let fields = [
        ("Born", n.birth_year.map(|y| y.to_string())),
        ("Place of origin", n.place_of_origin),
        ("Place of residence", n.place_of_residence),
        ("Notes", n.notes),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    render(&NarratorPage {
        level: access,
        display: n.display.unwrap_or_else(|| format!("Narrator {}", n.id)),
        anonymity: n.anonymity,
        fields,
        testimonies,
    })
}

/// `/api/narrators/4`: what `custos narrator show 4 --format json` prints
/// at the reader's level, where the page exists; the API's 404 elsewhere.
pub async fn api(
    State(state): State<AppState>,
    who: Who,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let id: NarratorId = raw.parse().map_err(|_| WebError::ApiNotFound)?;
    let access = who.access;
    let value = state
        .read(move |archive| match found(archive, access, id)? {
            Some((n, _)) => {
                let mut v = custos::output::to_value(&n)?;
                // The shape `narrator show` prints; a legal identity is
                // revealed only to the custodian on the command line.
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("legal_identity".into(), serde_json::Value::Null);
                }
                Ok(Some(v))
            }
            None => Ok(None),
        })
        .await?;
    match value {
        Some(v) => Ok(super::api::json(StatusCode::OK, &v)),
        None => Err(WebError::ApiNotFound),
    }
}
