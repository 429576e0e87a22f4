//! The caller's email address: proving it (`/auth/email-verification/confirm`, the emailed
//! link's token), sending the link again and changing the address (`/me/email*`); and the
//! account's security activity (`/me/security-events`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::authn::Authenticated;
use super::extract::ApiJson;
use crate::domain::account::SecurityEvent;
use crate::http::client_ip::ClientIp;
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::audit;
use crate::service::email_verifications::{
    self, ChangeRequested, EmailChange, VerificationConfirmation, Verified,
};

/// A verification link was queued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkSent {
    /// The address it was sent to.
    email: String,
}

/// `POST /api/v1/auth/email-verification/confirm`: what following the emailed link does.
#[utoipa::path(
    post,
    path = "/auth/email-verification/confirm",
    tag = "auth",
    request_body = VerificationConfirmation,
    responses(
        (status = 200, description = "The address is proven; when the link was for a new address, the account uses it now and the old address was told", body = Verified),
        (status = 404, description = "The token is unknown, used, replaced by a newer one or expired; nothing changed"),
        (status = 409, description = "Another account took the new address meanwhile; nothing changed"),
    ),
    security(()),
)]
pub async fn email_verification_confirm(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientIp>>,
    ApiJson(input): ApiJson<VerificationConfirmation>,
) -> Result<Json<Verified>, HttpError> {
    let ip = client.map(|c| c.0.0.to_string()).unwrap_or_default();
    Ok(Json(
        email_verifications::confirm(&state.ctx, &input.token, &ip).await?,
    ))
}

/// `POST /api/v1/me/email-verification`: sends the link again.
#[utoipa::path(
    post,
    path = "/me/email-verification",
    tag = "me",
    responses(
        (status = 202, description = "A new link was queued for the pending new address, or else the unproven current one", body = LinkSent),
        (status = 403, description = "Email is off on this server"),
        (status = 409, description = "The address is verified and no new one waits"),
        (status = 429, description = "Three links were sent for this account in the last hour"),
    ),
)]
pub async fn email_verification_post(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Response, HttpError> {
    let email = email_verifications::resend(&state.ctx, &auth.actor).await?;
    Ok((StatusCode::ACCEPTED, Json(LinkSent { email })).into_response())
}

/// `POST /api/v1/me/email`: asks to use a new address.
#[utoipa::path(
    post,
    path = "/me/email",
    tag = "me",
    request_body = EmailChange,
    responses(
        (status = 200, description = "With email on, a link went to the new address, which takes effect once it is followed (`pending`); with email off, the new address is in use", body = ChangeRequested),
        (status = 409, description = "Another account uses the address"),
        (status = 422, description = "Not an email address, the current one, or a wrong current password"),
        (status = 429, description = "Three links were sent for this account in the last hour"),
    ),
)]
pub async fn email_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<EmailChange>,
) -> Result<Json<ChangeRequested>, HttpError> {
    Ok(Json(
        email_verifications::request_change(&state.ctx, &auth.actor, input).await?,
    ))
}

/// `GET /api/v1/me/security-events`: the account's latest security events, newest first.
#[utoipa::path(
    get,
    path = "/me/security-events",
    tag = "me",
    responses((status = 200, description = "Password, email, two-factor, token and sign-in events of the caller's account, newest first (at most 50)", body = Vec<SecurityEvent>)),
)]
pub async fn security_events_get(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<SecurityEvent>>, HttpError> {
    Ok(Json(audit::security_events(&state.ctx, &auth.actor).await?))
}
