//! Who is reading: the level a request is served at. Anonymous readers get
//! the server's `--access` level; tokens (issue 15) can raise a reader to
//! research. Never custodian.
//!
//! It decides the reader's level only, never what that level may see.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use custos::model::Access;

use super::AppState;

/// The reader of one request.
#[derive(Debug, Clone, Copy)]
pub struct Who {
    pub access: Access,
}

impl FromRequestParts<AppState> for Who {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        _parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Who {
            access: state.anonymous(),
        })
    }
}
