//! The `/oai` route: GET with a query string or POST with a form body
//! (both are required by the spec, 3.1.1), answered from one read
//! snapshot. The configuration (URLs, names) is an axum `Extension` set
//! by `serve`; the level is always public, whatever level the portal
//! serves anonymous readers at.

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::Config;
use crate::web::AppState;

pub async fn get(
    State(state): State<AppState>,
    Extension(cfg): Extension<Arc<Config>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    answer(state, cfg, params).await
}

pub async fn post(
    State(state): State<AppState>,
    Extension(cfg): Extension<Arc<Config>>,
    Form(params): Form<Vec<(String, String)>>,
) -> Response {
    answer(state, cfg, params).await
}

async fn answer(state: AppState, cfg: Arc<Config>, params: Vec<(String, String)>) -> Response {
    let out = state
        .read(move |archive| Ok(super::respond(archive, &cfg, &params, chrono::Utc::now())))
        .await;
    match out {
        Ok((200, body)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            body,
        )
            .into_response(),
        Ok((_, body)) => (StatusCode::INTERNAL_SERVER_ERROR, body).into_response(),
        Err(e) => {
            eprintln!("custos: serve: /oai: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the archive could not be read\n",
            )
                .into_response()
        }
    }
}
