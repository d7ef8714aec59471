//! The item page (`/items/17`) and a recording's access copy
//! (`/items/17/audio`, with HTTP range requests). A hidden item and a
//! missing one both answer the one not-found response of
//! `routes::not_found_response`.
//!
//! The page shows the record exactly as `show --format json` builds it at
//! the reader's level (`commands::show::item_json`); the audio is the
//! reader's access copy (`Reader::access_copy`), never the original. It
//! decides nothing about visibility.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::header;
use axum::response::{Html, Response};
use serde_json::Value;

use custos::error::Error;
use custos::media::TimeCode;
use custos::model::{Access, ItemId};
use custos::ops::token::Use;
use custos::policy::download::Refusal;
use custos::policy::Decision;
use custos::reader::Reader;
use custos::sites::primary::Objects;

use super::routes::{render, WebError};
use super::who::Who;
use super::AppState;

pub struct TermLink {
    pub vocab: String,
    pub label: String,
    pub href: String,
}

pub struct Seg {
    pub start: String,
    pub end: String,
    pub start_seconds: f64,
    pub title: String,
    pub synopsis: Option<String>,
    pub closed: bool,
}

pub struct Cue {
    pub start: Option<String>,
    pub start_seconds: Option<f64>,
    pub speaker: Option<String>,
    pub text: String,
    pub closed: bool,
}

pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "web/item.html")]
struct ItemPage {
    level: Access,
    id: i64,
    title: String,
    statement: String,
    fields: Vec<(String, String)>,
    terms: Vec<TermLink>,
    audio: bool,
    segments: Vec<Seg>,
    cues: Vec<Cue>,
    text: Option<String>,
    tables: Vec<Table>,
    /// The item's language as a BCP 47 tag, so names in Armenian,
    /// Georgian or Cyrillic get the right fonts and voices.
    lang: Option<String>,
    /// The original's download link, where the policy lets it leave.
    original: bool,
    /// Else the one sentence saying why not.
    no_original: Option<&'static str>,
    /// The narrator's page, for an open testimony.
    narrator: Option<i64>,
}

/// An item id from the path; anything else is "not found", exactly as a
/// missing or hidden id.
pub fn parse_id(raw: &str) -> Result<ItemId, WebError> {
    raw.parse::<ItemId>().map_err(|_| WebError::NotFound)
}

/// A JSON value as one line of text for a cell.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

fn table(title: &str, rows: &[Value]) -> Table {
    let headers: Vec<String> = rows
        .first()
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let rows = rows
        .iter()
        .map(|r| {
            headers
                .iter()
                .map(|h| r.get(h).map(cell).unwrap_or_default())
                .collect()
        })
        .collect();
    Table {
        title: title.into(),
        headers,
        rows,
    }
}

fn statement(decision: &Decision, redacted: bool, level: Access, value: &Value) -> String {
    match decision {
        Decision::Open(g) => {
            let mut s = format!("This item is open at {level} level.");
            if g.redact && redacted {
                s.push_str(" What is withheld at this level has been replaced in the title, description and text.");
            }
            let consent = &value["consent"];
            if let Some(status) = consent.get("status").and_then(Value::as_str) {
                s.push_str(&format!(" Consent: {status}"));
                if let Some(scope) = consent.get("scope").and_then(Value::as_str) {
                    s.push_str(&format!(", for {scope} use"));
                }
                s.push('.');
            }
            s
        }
        Decision::Closed { until: Some(d) } => format!(
            "This item is closed at {level} level until {d}: only its catalogue entry is shown."
        ),
        Decision::Closed { until: None } => {
            format!("This item is closed at {level} level: only its catalogue entry is shown.")
        }
        Decision::Tombstone { .. } => "This item has been withdrawn.".into(),
        Decision::Hidden => String::new(),
    }
}

fn seconds(tc: &str) -> Option<f64> {
    TimeCode::parse(tc).ok().map(TimeCode::seconds)
}

pub async fn page(
    State(state): State<AppState>,
    who: Who,
    Path(raw): Path<String>,
) -> Result<Html<String>, WebError> {
    let id = parse_id(&raw)?;
    let access = who.access;
    let page = state
        .read(move |archive| {
            let reader = Reader::new(archive, access, custos::clock::today());
            let Some(read) = reader.item(id)? else {
                return Ok(None);
            };
            let Some(value) = crate::commands::show::item_json(archive, access, id)? else {
                return Ok(None);
            };
            // Refused where the item's timed text may not be shown.
            let segments = reader.segments(id).ok();
            let cues = reader.transcript(id).unwrap_or_default();
            let original = reader.original_may_leave(id)?;
            Ok(Some((
                read.decision,
                read.facts.redacted,
                value,
                segments,
                cues,
                original,
            )))
        })
        .await?;
    let Some((decision, redacted, value, segments, cues, original)) = page else {
        return Err(WebError::NotFound);
    };
    state.log_use(access, who.token, id, Use::View).await?;
    let mut fields = Vec::new();
    let mut tables = Vec::new();
    if let Some(obj) = value.as_object() {
        for (k, v) in obj {
            match (k.as_str(), v) {
                ("text" | "title" | "terms", _) | (_, Value::Null) => {}
                (_, Value::Object(_)) => tables.push(table(k, std::slice::from_ref(v))),
                (_, Value::Array(rows)) if rows.iter().all(Value::is_object) => {
                    tables.push(table(k, rows))
                }
                _ => fields.push((k.clone(), cell(v))),
            }
        }
    }
    let terms = value["terms"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .filter_map(|t| {
                    let vocab = t.get("vocab")?.as_str()?.to_string();
                    let label = t.get("label")?.as_str()?.to_string();
                    let href = super::term::href(&vocab, &label);
                    Some(TermLink { vocab, label, href })
                })
                .collect()
        })
        .unwrap_or_default();
    let is_audio = value["media_type"]
        .as_str()
        .is_some_and(|m| m.starts_with("audio/"));
    let audio = is_audio && !value["recording"].is_null() && segments.is_some();
    let segments = segments
        .unwrap_or_default()
        .into_iter()
        .map(|s| Seg {
            start_seconds: seconds(&s.start).unwrap_or(0.0),
            start: s.start,
            end: s.end,
            title: s.title,
            synopsis: s.synopsis,
            closed: s.closed,
        })
        .collect();
    let cues = cues
        .into_iter()
        .map(|c| Cue {
            start_seconds: c.start.as_deref().and_then(seconds),
            start: c.start,
            speaker: c.speaker,
            text: c.text,
            closed: c.closed,
        })
        .collect();
    let narrator = value["testimony"]["narrator_id"].as_i64();
    render(&ItemPage {
        level: access,
        original: original.is_ok(),
        no_original: original.err().map(Refusal::explain),
        narrator,
        id: id.0,
        title: value["title"]
            .as_str()
            .map_or_else(|| format!("Item {id} (closed)"), str::to_string),
        statement: statement(&decision, redacted, access, &value),
        fields,
        terms,
        audio,
        segments,
        cues,
        text: value["text"].as_str().map(str::to_string),
        tables,
        lang: value["language"]
            .as_str()
            .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .map(str::to_string),
    })
}

/// The reader's access copy of a recording, with range support, built
/// once per key (`copy_cache`) and streamed from the cache.
pub async fn audio(
    State(state): State<AppState>,
    who: Who,
    Path(raw): Path<String>,
    req: Request,
) -> Result<Response, WebError> {
    let id = parse_id(&raw)?;
    let access = who.access;
    let copy = state
        .read(move |archive| {
            let reader = Reader::new(archive, access, custos::clock::today());
            let (key, media_type) = match reader.access_copy_key(id) {
                Ok(k) => k,
                // Missing, hidden, not a recording, or not open to this
                // reader: as missing.
                Err(Error::Usage(_) | Error::Refused(_)) => return Ok(None),
                Err(e) => return Err(e),
            };
            // Built in the same read snapshot the key was taken in.
            let path = super::copy_cache::get_or_build(&key, |dest| {
                reader
                    .access_copy(&Objects::of(archive)?, id, dest)
                    .map(|_| ())
            })?;
            Ok(Some((media_type, path)))
        })
        .await?;
    let Some((media_type, path)) = copy else {
        return Err(WebError::NotFound);
    };
    let (parts, _) = req.into_parts();
    // A range request is the player fetching more of one listening.
    if !parts.headers.contains_key(header::RANGE) {
        state.log_use(access, who.token, id, Use::Download).await?;
    }
    super::original::stream(&path, &media_type, &parts).await
}
