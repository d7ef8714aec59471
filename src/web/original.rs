//! An item's stored original (`/items/17/original`), where the policy lets
//! it leave (`policy::download`, through `Reader::original`): streamed from
//! the object store with HTTP range requests, its stored media type, and
//! `Content-Disposition: attachment` with a file name made from the id
//! (`item-17.wav`), never the original file name. A hidden item answers
//! the one not-found response; a visible item whose original may not
//! leave answers 403 with one plain sentence saying why. At research level
//! every answered request is logged in the access log as a download.
//!
//! It decides nothing: the reader says whether and what; it only streams.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use custos::error::Error;
use custos::model::Access;
use custos::ops::token::Use;
use custos::policy::download::Refusal;
use custos::reader::Reader;

use super::item::parse_id;
use super::routes::{render, WebError};
use super::who::Who;
use super::AppState;

#[derive(Template)]
#[template(path = "web/refused.html")]
struct RefusedPage {
    level: Access,
    id: i64,
    reason: &'static str,
}

/// The 403 answer for a visible item whose original may not leave.
fn refused(level: Access, id: i64, why: Refusal) -> Result<Response, WebError> {
    let page = render(&RefusedPage {
        level,
        id,
        reason: why.explain(),
    })?;
    Ok((StatusCode::FORBIDDEN, page).into_response())
}

pub async fn original(
    State(state): State<AppState>,
    who: Who,
    Path(raw): Path<String>,
    req: Request,
) -> Result<Response, WebError> {
    let id = parse_id(&raw)?;
    let access = who.access;
    let found = state
        .read(move |archive| {
            Reader::new(archive, access, custos::clock::today())
                .original(&custos::sites::primary::Objects::of(archive)?, id)
        })
        .await?;
    let original = match found {
        Ok(o) => o,
        Err(Refusal::Hidden) => return Err(WebError::NotFound),
        Err(why) => return refused(access, id.0, why),
    };
    let (parts, _) = req.into_parts();
    // A copy fetched from a primary store is removed when `original`
    // drops, after `stream` has opened it.
    let mut served = stream(original.file.path(), &original.media_type, &parts).await?;
    // A HEAD request sends no bytes: not a download.
    if served.status().is_success() && parts.method != axum::http::Method::HEAD {
        state.log_use(access, who.token, id, Use::Download).await?;
    }
    let disposition = format!("attachment; filename=\"{}\"", original.file_name);
    served.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(served)
}

/// Streams the file at `path` (an object or a cached copy, never a path
/// from the request) as `media_type`, honouring the request's range
/// headers: 200, 206 or 416. Anything else (the file gone) is an internal
/// error, reported without its path.
pub async fn stream(
    path: &std::path::Path,
    media_type: &str,
    parts: &axum::http::request::Parts,
) -> Result<Response, WebError> {
    let mime = media_type
        .parse::<mime_guess::Mime>()
        .unwrap_or(mime_guess::mime::APPLICATION_OCTET_STREAM);
    // Only the method and the range headers reach the file service.
    let mut file_req = axum::http::Request::builder()
        .method(parts.method.clone())
        .uri("/")
        .body(axum::body::Body::empty())
        .map_err(|e| Error::Failed(format!("cannot build a file request: {e}")))?;
    for h in [header::RANGE, header::IF_RANGE] {
        if let Some(v) = parts.headers.get(&h) {
            file_req.headers_mut().insert(h, v.clone());
        }
    }
    let mut served = tower_http::services::ServeFile::new_with_mime(path, &mime)
        .try_call(file_req)
        .await
        .map_err(|e| Error::io(path, e))?;
    let status = served.status();
    if !status.is_success() && status != StatusCode::RANGE_NOT_SATISFIABLE {
        return Err(WebError::Internal(Error::Failed(format!(
            "a stored file could not be served ({status})"
        ))));
    }
    // A file's modification time says when it was ingested or built.
    served.headers_mut().remove(header::LAST_MODIFIED);
    Ok(served.map(axum::body::Body::new))
}
