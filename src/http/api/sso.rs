//! `/api/v1/organizations/{org}/sso`: the organization's single sign-on settings (owners and
//! admins), and `…/sso/password-sign-in`: whether members may come in with a password. The
//! client secret is accepted, never returned.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::authn::Authenticated;
use super::doc::ROLE;
use super::extract::{ApiJson, ApiPath};
use crate::domain::ids::OrganizationId;
use crate::error::AppError;
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::sso::settings::{self, PasswordSignInPolicy, SsoInput, SsoSettings};

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/sso",
    tag = "organizations",
    params(("org_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Success", body = SsoSettings),
        (status = 403, description = ROLE),
        (status = 404, description = "No such organization, or it has no single sign-on"),
    ),
)]
pub async fn sso_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<SsoSettings>, HttpError> {
    let found = settings::get(&state.ctx, &auth.actor, org).await?;
    let not_set = || AppError::NotFound("This organization has no single sign-on.".into());
    Ok(Json(found.ok_or_else(not_set)?))
}

#[utoipa::path(
    put,
    path = "/organizations/{org_id}/sso",
    tag = "organizations",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = SsoInput,
    responses(
        (status = 200, description = "Saved", body = SsoSettings),
        (status = 403, description = ROLE),
        (status = 422, description = "A field is not valid (the problem names it)"),
    ),
)]
pub async fn sso_put(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<SsoInput>,
) -> Result<Json<SsoSettings>, HttpError> {
    Ok(Json(
        settings::save(&state.ctx, &auth.actor, org, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/sso",
    tag = "organizations",
    params(("org_id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Single sign-on is off, and password sign-in allowed again"),
        (status = 403, description = ROLE),
        (status = 404, description = "No such organization, or it has no single sign-on"),
    ),
)]
pub async fn sso_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<StatusCode, HttpError> {
    settings::remove(&state.ctx, &auth.actor, org).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lets members (owners excepted) into the organization only through its single sign-on, or
/// with passwords again. Personal API tokens keep working either way.
#[utoipa::path(
    put,
    path = "/organizations/{org_id}/sso/password-sign-in",
    tag = "organizations",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = PasswordSignInPolicy,
    responses(
        (status = 200, description = "Saved", body = PasswordSignInPolicy),
        (status = 403, description = ROLE),
        (status = 422, description = "Single sign-on is not configured, or turning password sign-in off would shut the caller out"),
    ),
)]
pub async fn sso_password_sign_in_put(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<PasswordSignInPolicy>,
) -> Result<Json<PasswordSignInPolicy>, HttpError> {
    Ok(Json(
        settings::set_password_sign_in(&state.ctx, &auth.actor, org, input).await?,
    ))
}
