//! The portal's routes: which URL answers with what, and the layers every
//! answer passes (security headers, time limit, size limits). Handlers ask
//! the library's readers for policy-shaped views and render them; a hidden
//! item and a missing one answer alike.
//!
//! No handler reads rows or writes SQL, and none takes a file-system path
//! from the request: static files are compiled in.

use std::time::Duration;

use askama::Template;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use custos::error::Error;

use super::{api, item, login, pages, search, term, AppState};

/// Every request is answered within this time (503 after it).
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(10);
/// The longest request target (path and query) served, in bytes.
pub const MAX_TARGET: usize = 2_048;
/// The largest request body (the login form) taken, in bytes.
const MAX_BODY: usize = 4_096;

const CSP: &str = "default-src 'self'; img-src 'self'; media-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Every route of the portal over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/search", get(search::search))
        .route("/items/{id}", get(item::page))
        .route("/items/{id}/audio", get(item::audio))
        .route("/terms/{vocab}/{name}", get(term::page))
        .route("/login", get(login::form).post(login::sign_in))
        .route("/logout", post(login::sign_out))
        .route("/api/items", get(api::items))
        .route("/api/items/{id}", get(api::item))
        .route("/static/site.css", get(css))
        .route("/static/player.js", get(js))
        .route(
            "/oai",
            get(super::oai::route::get).post(super::oai::route::post),
        )
        .route("/items/{id}/original", get(super::original::original))
        .route("/narrators/{id}", get(super::narrator::page))
        .route("/api/narrators/{id}", get(super::narrator::api))
        .route("/terms/{vocab}/{name}/claims", get(super::claims::page))
        .route("/api/terms/{vocab}/{name}/claims", get(super::claims::api))
        .fallback(not_found)
        .with_state(state)
        .layer(middleware::from_fn(limit_target))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIME_LIMIT,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// Refuses an over-long request target before any handler parses it.
async fn limit_target(req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if len > MAX_TARGET {
        return (StatusCode::URI_TOO_LONG, "request target too long\n").into_response();
    }
    next.run(req).await
}

/// Renders a template (askama escapes every value for HTML).
pub fn render<T: Template>(t: &T) -> Result<Html<String>, WebError> {
    t.render()
        .map(Html)
        .map_err(|e| WebError::Internal(Error::Failed(format!("a page failed to render: {e}"))))
}

/// What a handler can fail with. Internal errors are logged to stderr and
/// answered with a bare 500: a message could name a file or an item.
pub enum WebError {
    NotFound,
    /// A JSON 404 for the API.
    ApiNotFound,
    BadRequest(String),
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
            WebError::ApiNotFound => (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                "{\"error\":\"not found\"}",
            )
                .into_response(),
            WebError::BadRequest(msg) => (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("{msg}\n"),
            )
                .into_response(),
            WebError::Internal(e) => {
                eprintln!(
                    "custos: serve: {}",
                    custos::output::escape::terminal_line(&e.to_string())
                );
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!doctype html><html lang=\"en\"><title>Error</title><h1>Something went wrong</h1></html>"),
                )
                    .into_response()
            }
        }
    }
}

/// The one answer for a missing item, a hidden item and an unknown URL:
/// fixed bytes, so nothing in it can differ between them.
pub fn not_found_response() -> Response {
    (StatusCode::NOT_FOUND, Html(NOT_FOUND_PAGE)).into_response()
}

const NOT_FOUND_PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Not found · custos</title><link rel=\"stylesheet\" href=\"/static/site.css\"></head><body><main><h1>Not found</h1><p>There is nothing at this address. <a href=\"/\">The collection</a></p></main></body></html>\n";

async fn not_found() -> Response {
    not_found_response()
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("static/site.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("static/player.js"),
    )
        .into_response()
}
