//! The portal's routes: which URL answers with what. Handlers ask the
//! library's readers for policy-shaped views and render them; a hidden
//! item and a missing one must answer alike.
//!
//! No handler reads rows or writes SQL, and none takes a file-system path
//! from the request.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use custos::error::Error;
use custos::report::{self, GroupBy, Which};

use super::AppState;

/// Every route of the portal over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route(
            "/oai",
            get(super::oai::route::get).post(super::oai::route::post),
        )
        .fallback(not_found)
        .with_state(state)
}

/// What a handler can fail with. Internal errors are logged to stderr and
/// answered with a bare 500: a message could name a file or an item.
#[allow(dead_code)] // NotFound: the item pages, next
pub enum WebError {
    NotFound,
    Internal(Error),
}

impl From<Error> for WebError {
    fn from(e: Error) -> Self {
        WebError::Internal(e)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound => not_found_response(),
            WebError::Internal(e) => {
                eprintln!("custos: serve: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!doctype html><title>Error</title><h1>Something went wrong</h1>"),
                )
                    .into_response()
            }
        }
    }
}

fn not_found_response() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!doctype html><title>Not found</title><h1>Not found</h1>"),
    )
        .into_response()
}

async fn not_found() -> Response {
    not_found_response()
}

async fn home(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let access = state.anonymous();
    let rep = state
        .read(move |archive| {
            let reader = report::Reader {
                access,
                today: custos::clock::today(),
            };
            report::make(archive, reader, Which::Holdings(GroupBy::Kind))
        })
        .await?;
    let mut body = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Archive</title></head><body><main><h1>The collection</h1>",
    );
    for s in rep.sections {
        body.push_str(&format!("<h2>{}</h2><ul>", escape(&s.title)));
        for r in s.rows {
            body.push_str(&format!("<li>{}</li>", escape(&r.to_string())));
        }
        body.push_str("</ul>");
    }
    body.push_str("</main></body></html>");
    Ok(Html(body))
}

/// Until the templates land: HTML-escapes text.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
