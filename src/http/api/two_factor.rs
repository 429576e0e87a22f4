//! `/api/v1/me/two-factor`: the caller's two-factor sign-in (authenticator app codes and
//! recovery codes). The same service as the account's Two-factor page.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::authn::Authenticated;
use super::extract::ApiJson;
use crate::http::cache::no_store;
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::two_factor::{self, Enrolment, Reauthentication, RecoveryCodes, Status};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// The current 6-digit code the authenticator app shows for the new secret.
    code: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorReauthentication {
    current_password: String,
    /// A current 6-digit code from the authenticator app, or an unused recovery code.
    code: String,
}

#[utoipa::path(
    get,
    path = "/me/two-factor",
    tag = "me",
    responses((status = 200, description = "Whether two-factor sign-in is on", body = Status)),
)]
pub async fn two_factor_get(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Status>, HttpError> {
    Ok(Json(two_factor::status(&state.ctx, &auth.actor).await?))
}

/// Starts enrolment: a new secret for the authenticator app. Nothing changes for signing in
/// until it is confirmed with a code.
#[utoipa::path(
    post,
    path = "/me/two-factor",
    tag = "me",
    responses(
        (status = 201, description = "A new secret, not active until confirmed", body = Enrolment),
        (status = 409, description = "Two-factor sign-in is already on"),
    ),
)]
pub async fn two_factor_post(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Response, HttpError> {
    let enrolment = two_factor::start(&state.ctx, &auth.actor).await?;
    Ok(no_store(
        (StatusCode::CREATED, Json(enrolment)).into_response(),
    ))
}

/// Turns two-factor sign-in on; the answer holds ten recovery codes, shown this once.
#[utoipa::path(
    post,
    path = "/me/two-factor/confirm",
    tag = "me",
    request_body = Confirmation,
    responses(
        (status = 200, description = "On; keep the recovery codes somewhere safe", body = RecoveryCodes),
        (status = 409, description = "Two-factor sign-in is already on"),
    ),
)]
pub async fn two_factor_confirm(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<Confirmation>,
) -> Result<Response, HttpError> {
    let codes = two_factor::confirm(&state.ctx, &auth.actor, &input.code).await?;
    Ok(no_store(Json(codes).into_response()))
}

/// Replaces every recovery code with ten new ones (password and a second factor again).
#[utoipa::path(
    post,
    path = "/me/two-factor/recovery-codes",
    tag = "me",
    request_body = TwoFactorReauthentication,
    responses(
        (status = 200, description = "The new recovery codes; the old ones no longer work", body = RecoveryCodes),
        (status = 409, description = "Two-factor sign-in is not on"),
    ),
)]
pub async fn recovery_codes_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<TwoFactorReauthentication>,
) -> Result<Response, HttpError> {
    let proof = Reauthentication {
        password: &input.current_password,
        code: &input.code,
    };
    let codes = two_factor::regenerate_recovery_codes(&state.ctx, &auth.actor, proof).await?;
    Ok(no_store(Json(codes).into_response()))
}

/// Turns two-factor sign-in off (password and a second factor again).
#[utoipa::path(
    post,
    path = "/me/two-factor/disable",
    tag = "me",
    request_body = TwoFactorReauthentication,
    responses(
        (status = 204, description = "Off; signing in needs the password only"),
        (status = 409, description = "Two-factor sign-in is not on, or an organization you belong to requires it"),
    ),
)]
pub async fn two_factor_disable(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<TwoFactorReauthentication>,
) -> Result<StatusCode, HttpError> {
    let proof = Reauthentication {
        password: &input.current_password,
        code: &input.code,
    };
    two_factor::disable(&state.ctx, &auth.actor, proof).await?;
    Ok(StatusCode::NO_CONTENT)
}
