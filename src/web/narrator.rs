//! The narrator page (`/narrators/4`): a narrator as `narrator show` gives
//! them at the reader's level (`Reader::narrators`: the display form, never
//! a legal name; an anonymous narrator's birth year, places and notes never
//! below custodian), with links to the testimonies open to the reader. A
//! narrator with no testimony open at that level answers the one 404, as a
//! missing one: a narrator's existence alone can say who spoke.
//!
//! Rendering only; the reader decides what is shown.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;

use custos::model::{Access, Anonymity, NarratorId};
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

pub async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(raw): Path<String>,
) -> Result<Html<String>, WebError> {
    let id: NarratorId = raw.parse().map_err(|_| WebError::NotFound)?;
    let access = who.access;
    let found = state
        .read(move |archive| {
            let reader = Reader::new(archive, access, custos::clock::today());
            let Some(n) = reader.narrators(Some(id))?.pop() else {
                return Ok(None);
            };
            let mut testimonies = Vec::new();
            for t in &n.testimonies {
                // Only what the reader may open; the listing agrees, and
                // this keeps the page right if it ever did not.
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
            Ok(Some((n, testimonies)))
        })
        .await?;
    let Some((n, testimonies)) = found else {
        return Err(WebError::NotFound);
    };
    if testimonies.is_empty() {
        return Err(WebError::NotFound);
    }
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
