//! Who is calling: `Authenticated` accepts `Authorization: Bearer` (JWT or personal API token)
//! or the session cookie; cookie requests that change state must carry the session's CSRF
//! token in `X-CSRF-Token`, so another site cannot make the browser act for the user.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::domain::ids::SessionId;
use crate::error::AppError;
use crate::http::client_ip::client_ip;
use crate::http::cookies;
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::{Actor, Caller, auth, sessions};

pub const CSRF_HEADER: &str = "x-csrf-token";

pub struct Authenticated {
    pub actor: Actor,
    /// Set when the caller authenticated with the session cookie.
    pub session: Option<SessionId>,
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts);
        if let Some(token) = bearer(parts) {
            let actor = auth::authenticate_bearer(&state.ctx, token, &ip).await?;
            return Ok(Authenticated {
                actor,
                session: None,
            });
        }
        let name = cookies::session_name(state.ctx.settings.secure_cookies);
        let token = cookies::get(&parts.headers, name).ok_or(AppError::Unauthorized)?;
        let (actor, session, csrf) = sessions::authenticate(&state.ctx, token, &ip).await?;
        if !parts.method.is_safe() {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !crate::http::csrf::matches(sent, &csrf) {
                return Err(HttpError(AppError::Forbidden(
                    "This request is missing its CSRF token (X-CSRF-Token); reload the page and try again.".into(),
                )));
            }
        }
        Ok(Authenticated {
            actor,
            session: Some(session),
        })
    }
}

/// Like `Authenticated`, but anonymous callers are let through as `None`.
pub struct MaybeAuthenticated(pub Option<Authenticated>);

impl FromRequestParts<AppState> for MaybeAuthenticated {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let name = cookies::session_name(state.ctx.settings.secure_cookies);
        if bearer(parts).is_none() && cookies::get(&parts.headers, name).is_none() {
            return Ok(MaybeAuthenticated(None));
        }
        Authenticated::from_request_parts(parts, state)
            .await
            .map(|a| MaybeAuthenticated(Some(a)))
    }
}

/// The caller of a hot organization-scoped call (entries, timer). As `Authenticated`, except
/// that a JWT access token costs no database round trip here: the use case's membership check
/// also checks the account (`service::Acting`).
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts) {
            let ip = client_ip(parts);
            return Ok(ApiCaller(
                auth::bearer_caller(&state.ctx, token, &ip).await?,
            ));
        }
        Authenticated::from_request_parts(parts, state)
            .await
            .map(|a| ApiCaller(Caller::Account(a.actor)))
    }
}
