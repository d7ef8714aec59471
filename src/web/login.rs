//! The sign-in form: a reader pastes a token and gets it back as an
//! HttpOnly, Secure, SameSite=Strict cookie, so a browser can read at the
//! token's level without a bearer header. Signing out clears the cookie.
//!
//! It checks the token through `ops::token::check` only; it never shows a
//! token back, and never decides what a level may see.

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use custos::model::Access;

use super::routes::{render, WebError};
use super::who::{Who, COOKIE};
use super::AppState;

#[derive(Template)]
#[template(path = "web/login.html")]
struct Login {
    level: Access,
    signed_in: bool,
    message: Option<String>,
}

pub async fn form(who: Who) -> Result<Response, WebError> {
    Ok(render(&Login {
        level: who.access,
        signed_in: who.token.is_some(),
        message: None,
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct SignIn {
    token: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    Form(f): Form<SignIn>,
) -> Result<Response, WebError> {
    let secret = f.token.trim().to_string();
    if state.check_token(secret.clone()).await?.is_none() {
        let page = render(&Login {
            level: state.anonymous(),
            signed_in: false,
            message: Some("That token is not valid (unknown, revoked or expired).".into()),
        })?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    // The secret's characters are base64url (checked by `check`), so it
    // needs no quoting in a cookie.
    let cookie = format!("{COOKIE}={secret}; HttpOnly; Secure; SameSite=Strict; Path=/");
    Ok((
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, cookie), (header::LOCATION, "/".into())],
    )
        .into_response())
}

pub async fn sign_out() -> Response {
    let cookie = format!("{COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
    (
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, cookie), (header::LOCATION, "/".into())],
    )
        .into_response()
}
