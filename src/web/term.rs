//! The term page (`/terms/place/Velmora`): a controlled-vocabulary term
//! with every name this reader may see (`Reader::term_names`), each in its
//! own `lang`, and a link to the items it tags. A term no visible item
//! carries answers the one 404.
//!
//! Rendering only; the reader decides what is shown.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;

use custos::model::{Access, Vocab};
use custos::reader::Reader;

use super::pages::{search_href, term};
use super::routes::{render, WebError};
use super::who::Who;
use super::AppState;

pub struct Name {
    pub name: String,
    pub lang: Option<String>,
    pub detail: String,
    pub source: Option<i64>,
}

#[derive(Template)]
#[template(path = "web/term.html")]
struct TermPage {
    level: Access,
    vocab: Vocab,
    label: String,
    items: i64,
    items_href: String,
    claims_href: String,
    names: Vec<Name>,
}

/// The path of a term's page (each segment percent-encoded).
pub fn href(vocab: &str, label: &str) -> String {
    let enc: String = form_urlencoded::byte_serialize(label.as_bytes()).collect();
    // byte_serialize writes a space as '+' and a '+' as %2B.
    format!("/terms/{vocab}/{}", enc.replace('+', "%20"))
}

pub async fn page(
    State(state): State<AppState>,
    who: Who,
    Path((vocab, name)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let vocab: Vocab = vocab.parse().map_err(|_| WebError::NotFound)?;
    let access = who.access;
    let found = state
        .read(move |archive| {
            Reader::new(archive, access, custos::clock::today()).term_names(vocab, &name, None)
        })
        .await?;
    let Some(t) = found else {
        return Err(WebError::NotFound);
    };
    let names = t
        .names
        .into_iter()
        .map(|n| {
            let detail = [n.script, n.form, n.used_by, n.period]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            Name {
                lang: n
                    .lang
                    .filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')),
                name: n.name,
                detail,
                source: n.source.map(|s| s.0),
            }
        })
        .collect();
    let items_href = term(vocab.as_str(), &t.label)
        .map(|q| search_href(&q, 1))
        .unwrap_or_else(|| "/search".into());
    render(&TermPage {
        level: access,
        claims_href: super::claims::href(vocab.as_str(), &t.label),
        vocab,
        label: t.label,
        items: t.items,
        items_href,
        names,
    })
}
