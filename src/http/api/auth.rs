//! `/api/v1/auth/*`: registration, tokens for API clients, browser sessions.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::authn::Authenticated;
use super::extract::ApiJson;
use crate::domain::account::User;
use crate::http::cache::no_store;
use crate::http::client_ip::ClientIp;
use crate::http::cookies;
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::{accounts, auth, password_resets, sessions};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    email: String,
    password: String,
    /// Required when the account has two-factor sign-in on: the current 6-digit code from the
    /// authenticator app, or an unused recovery code. Scripts and other automation should use
    /// a personal API token instead, which needs no code.
    #[serde(default)]
    totp: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    refresh_token: String,
}

/// A browser session was started.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedIn {
    /// Send it as `X-CSRF-Token` with every request that changes something.
    csrf_token: String,
    /// Seconds the session lasts.
    expires_in: i64,
}

pub(super) fn ip(client: Option<axum::Extension<ClientIp>>) -> String {
    client.map(|c| c.0.0.to_string()).unwrap_or_default()
}

/// `POST /api/v1/auth/register` → 201 with the new user.
#[utoipa::path(
    post,
    path = "/auth/register",
    tag = "auth",
    request_body = crate::service::accounts::Registration,
    responses(
        (status = 201, description = "Registered; the instance's first user also gets an organization", body = User),
        (status = 403, description = "Registration on this instance is by invitation only, or closed"),
        (status = 409, description = "An account with this email exists"),
    ),
    security(()),
)]
pub async fn register(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientIp>>,
    ApiJson(input): ApiJson<accounts::Registration>,
) -> Result<Response, HttpError> {
    let user = accounts::register(&state.ctx, input, &ip(client)).await?;
    Ok((StatusCode::CREATED, axum::Json(user)).into_response())
}

/// `POST /api/v1/auth/token`.
#[utoipa::path(
    post,
    path = "/auth/token",
    tag = "auth",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in", body = crate::service::auth::TokenPair),
        (status = 401, description = "Wrong email or password, the account is disabled, or two-factor sign-in is on and `totp` is missing or wrong"),
        (status = 429, description = "Too many failed sign-ins"),
    ),
    security(()),
)]
pub async fn token(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientIp>>,
    ApiJson(input): ApiJson<Credentials>,
) -> Result<Response, HttpError> {
    let pair = auth::issue_tokens(
        &state.ctx,
        &input.email,
        &input.password,
        input.totp.as_deref(),
        &ip(client),
    )
    .await?;
    Ok(no_store(axum::Json(pair).into_response()))
}

/// `POST /api/v1/auth/refresh`.
#[utoipa::path(
    post,
    path = "/auth/refresh",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the refresh token sent is used up", body = crate::service::auth::TokenPair),
        (status = 401, description = "The refresh token is unknown, expired, revoked or used up"),
    ),
    security(()),
)]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RefreshRequest>,
) -> Result<Response, HttpError> {
    let pair = auth::refresh(&state.ctx, &input.refresh_token).await?;
    Ok(no_store(axum::Json(pair).into_response()))
}

/// `POST /api/v1/auth/logout`: revokes the refresh token's family.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "The refresh token's family is revoked (also when it was unknown)")),
    security(()),
)]
pub async fn logout(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RefreshRequest>,
) -> Result<StatusCode, HttpError> {
    auth::logout(&state.ctx, &input.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/auth/session`: signs a browser in; the session id goes into an HttpOnly cookie.
#[utoipa::path(
    post,
    path = "/auth/session",
    tag = "auth",
    request_body = Credentials,
    responses(
        (status = 201, description = "Signed in; the session cookie is set", body = SignedIn,
            headers(("Set-Cookie" = String, description = "The HttpOnly session cookie"))),
        (status = 401, description = "Wrong email or password, the account is disabled, or two-factor sign-in is on and `totp` is missing or wrong"),
        (status = 429, description = "Too many failed sign-ins"),
    ),
    security(()),
)]
pub async fn session_sign_in(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientIp>>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<Credentials>,
) -> Result<Response, HttpError> {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let session = sessions::sign_in_with_code(
        &state.ctx,
        &input.email,
        &input.password,
        input.totp.as_deref(),
        &ip(client),
        user_agent,
    )
    .await?;
    let body = SignedIn {
        csrf_token: session.csrf_token,
        expires_in: session.max_age_seconds,
    };
    let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
    cookies::set_session(
        &mut response,
        &session.token,
        session.max_age_seconds,
        state.ctx.settings.secure_cookies,
    );
    Ok(no_store(response))
}

/// `DELETE /api/v1/auth/session`: signs this browser out.
#[utoipa::path(
    delete,
    path = "/auth/session",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out; the session cookie is cleared",
            headers(("Set-Cookie" = String, description = "Clears the session cookie"))),
    ),
)]
pub async fn session_sign_out(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Response, HttpError> {
    if let Some(session) = auth.session {
        sessions::revoke(&state.ctx, &auth.actor, session).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    cookies::clear_session(&mut response, state.ctx.settings.secure_cookies);
    Ok(response)
}

/// The answer to every accepted reset request, whether or not the address has an account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResetRequested {
    message: &'static str,
}

/// `POST /api/v1/auth/password-reset`: emails a reset link when the address has an account.
#[utoipa::path(
    post,
    path = "/auth/password-reset",
    tag = "auth",
    request_body = crate::service::password_resets::ResetRequest,
    responses(
        (status = 202, description = "Accepted; the same answer whether or not the address has an account", body = ResetRequested),
        (status = 429, description = "Too many reset requests from this client"),
        (status = 403, description = "Email is off on this server; the operator resets passwords"),
    ),
    security(()),
)]
pub async fn password_reset_request(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientIp>>,
    ApiJson(input): ApiJson<password_resets::ResetRequest>,
) -> Result<Response, HttpError> {
    password_resets::request(&state.ctx, input, &ip(client)).await?;
    let body = ResetRequested {
        message: "If an account uses this address, a link to choose a new password was sent to it.",
    };
    Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response())
}

/// `POST /api/v1/auth/password-reset/confirm`: sets a new password with an emailed token; every
/// session and refresh token of the account ends.
#[utoipa::path(
    post,
    path = "/auth/password-reset/confirm",
    tag = "auth",
    request_body = crate::service::password_resets::ResetConfirmation,
    responses(
        (status = 204, description = "The password is set; every session of the account ended"),
        (status = 404, description = "The token is unknown, used or expired"),
        (status = 422, description = "The new password does not meet the rules"),
    ),
    security(()),
)]
pub async fn password_reset_confirm(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientIp>>,
    ApiJson(input): ApiJson<password_resets::ResetConfirmation>,
) -> Result<StatusCode, HttpError> {
    password_resets::confirm(&state.ctx, input, &ip(client)).await?;
    Ok(StatusCode::NO_CONTENT)
}
