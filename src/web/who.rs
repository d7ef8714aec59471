//! Who is reading: the level a request is served at. Anonymous readers get
//! the server's `--access` level; a valid token (a bearer header, or the
//! cookie the sign-in form sets) raises a reader to the token's level.
//! Never custodian: neither the server's level nor a token's can be.
//!
//! A bearer that is not valid (forged, revoked, expired) is refused with
//! 401, so a program learns its token is dead; a cookie that is not valid
//! is ignored (the reader is anonymous). It decides the reader's level
//! only, never what that level may see.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use custos::model::Access;

use super::AppState;

/// The sign-in cookie's name.
pub const COOKIE: &str = "custos_token";

/// The reader of one request.
#[derive(Debug, Clone, Copy)]
pub struct Who {
    pub access: Access,
    /// The token presented, when valid.
    pub token: Option<i64>,
}

fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

/// The sign-in cookie's value, if sent.
pub fn cookie(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == COOKIE)
        .map(|(_, v)| v.to_string())
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [
            (header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\""),
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
        ],
        "the token is not valid (unknown, revoked or expired)\n",
    )
        .into_response()
}

impl FromRequestParts<AppState> for Who {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let anonymous = Who {
            access: state.anonymous(),
            token: None,
        };
        let (secret, strict) = match (bearer(parts), cookie(parts)) {
            (Some(b), _) => (b.to_string(), true),
            (None, Some(c)) => (c, false),
            (None, None) => return Ok(anonymous),
        };
        let valid = state
            .check_token(secret)
            .await
            .map_err(|e| super::routes::WebError::Internal(e).into_response())?;
        match valid {
            Some(t) => Ok(Who {
                access: t.access.max(anonymous.access),
                token: Some(t.id),
            }),
            None if strict => Err(unauthorized()),
            None => Ok(anonymous),
        }
    }
}
