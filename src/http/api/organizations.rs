//! `/api/v1/organizations/*` and invitation acceptance.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::authn::{Authenticated, MaybeAuthenticated};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::domain::account::{Invitation, Member, MyOrganization};
use crate::domain::ids::{AuditEntryId, InvitationId, OrganizationId, UserId};
use crate::http::client_ip::ClientIp;
use crate::http::problem::ApiError;
use crate::service::{audit, invitations, members, organizations};
use crate::state::AppState;

pub async fn organizations_get(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<MyOrganization>>, ApiError> {
    Ok(Json(
        organizations::list_mine(&state.ctx, &auth.actor).await?,
    ))
}

pub async fn organizations_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<organizations::OrganizationInput>,
) -> Result<Response, ApiError> {
    let created = organizations::create(&state.ctx, &auth.actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

pub async fn organization_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<MyOrganization>, ApiError> {
    Ok(Json(
        organizations::get(&state.ctx, &auth.actor, org).await?,
    ))
}

pub async fn organization_patch(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<organizations::OrganizationInput>,
) -> Result<Json<MyOrganization>, ApiError> {
    Ok(Json(
        organizations::update(&state.ctx, &auth.actor, org, input).await?,
    ))
}

pub async fn organization_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<StatusCode, ApiError> {
    organizations::delete(&state.ctx, &auth.actor, org).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn members_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<Vec<Member>>, ApiError> {
    Ok(Json(members::list(&state.ctx, &auth.actor, org).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    role: String,
}

pub async fn member_patch(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((org, user)): ApiPath<(OrganizationId, UserId)>,
    ApiJson(input): ApiJson<RoleChange>,
) -> Result<Json<Member>, ApiError> {
    Ok(Json(
        members::change_role(&state.ctx, &auth.actor, org, user, &input.role).await?,
    ))
}

pub async fn member_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((org, user)): ApiPath<(OrganizationId, UserId)>,
) -> Result<StatusCode, ApiError> {
    members::remove(&state.ctx, &auth.actor, org, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn invitations_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<Vec<Invitation>>, ApiError> {
    Ok(Json(invitations::list(&state.ctx, &auth.actor, org).await?))
}

pub async fn invitations_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<invitations::NewInvitation>,
) -> Result<Response, ApiError> {
    let created = invitations::create(&state.ctx, &auth.actor, org, input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

pub async fn invitation_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, InvitationId)>,
) -> Result<StatusCode, ApiError> {
    invitations::revoke(&state.ctx, &auth.actor, org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/invitations/{token}/accept`: signed in (adds the membership) or anonymous with
/// `{name, password}` (creates the account).
pub async fn invitation_accept(
    State(state): State<AppState>,
    MaybeAuthenticated(auth): MaybeAuthenticated,
    client: Option<axum::Extension<ClientIp>>,
    ApiPath(token): ApiPath<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let ip = client.map(|c| c.0.0.to_string()).unwrap_or_default();
    // signed-in callers send no body; anonymous ones send the account to create
    let account: invitations::NewAccount = if body.iter().all(u8::is_ascii_whitespace) {
        invitations::NewAccount::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            crate::service::invalid("body", format!("is not the expected JSON: {e}"))
        })?
    };
    let joined = invitations::accept(
        &state.ctx,
        &token,
        auth.as_ref().map(|a| &a.actor),
        account,
        &ip,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(joined)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    before: Option<AuditEntryId>,
    limit: Option<i64>,
}

pub async fn audit_log_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<audit::Page>, ApiError> {
    Ok(Json(
        audit::page(&state.ctx, &auth.actor, org, query.before, query.limit).await?,
    ))
}
