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

#[utoipa::path(
    get,
    path = "/organizations",
    tag = "organizations",
    responses((status = 200, description = "Success", body = Vec<MyOrganization>), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn organizations_get(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<MyOrganization>>, ApiError> {
    Ok(Json(
        organizations::list_mine(&state.ctx, &auth.actor).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/organizations",
    tag = "organizations",
    request_body = organizations::OrganizationInput,
    responses((status = 201, description = "Success", body = MyOrganization), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 400, description = "Malformed JSON or query", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Not JSON", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn organizations_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<organizations::OrganizationInput>,
) -> Result<Response, ApiError> {
    let created = organizations::create(&state.ctx, &auth.actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}",
    tag = "organizations",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = MyOrganization), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn organization_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<MyOrganization>, ApiError> {
    Ok(Json(
        organizations::get(&state.ctx, &auth.actor, org).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}",
    tag = "organizations",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = organizations::OrganizationInput,
    responses((status = 200, description = "Success", body = MyOrganization), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 400, description = "Malformed JSON or query", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Not JSON", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
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

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}",
    tag = "organizations",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Success"), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn organization_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<StatusCode, ApiError> {
    organizations::delete(&state.ctx, &auth.actor, org).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/members",
    tag = "members",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Vec<Member>), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn members_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<Vec<Member>>, ApiError> {
    Ok(Json(members::list(&state.ctx, &auth.actor, org).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    role: String,
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/members/{user_id}",
    tag = "members",
    params(("org_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    request_body = RoleChange,
    responses((status = 200, description = "Success", body = Member), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "Conflict", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 400, description = "Malformed JSON or query", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Not JSON", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
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

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/members/{user_id}",
    tag = "members",
    params(("org_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Success"), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "Conflict", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn member_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((org, user)): ApiPath<(OrganizationId, UserId)>,
) -> Result<StatusCode, ApiError> {
    members::remove(&state.ctx, &auth.actor, org, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/invitations",
    tag = "invitations",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Vec<Invitation>), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn invitations_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<Vec<Invitation>>, ApiError> {
    Ok(Json(invitations::list(&state.ctx, &auth.actor, org).await?))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/invitations",
    tag = "invitations",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = invitations::NewInvitation,
    responses((status = 201, description = "Success", body = invitations::CreatedInvitation), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "Conflict", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 400, description = "Malformed JSON or query", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Not JSON", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn invitations_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<invitations::NewInvitation>,
) -> Result<Response, ApiError> {
    let created = invitations::create(&state.ctx, &auth.actor, org, input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/invitations/{id}",
    tag = "invitations",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Success"), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
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
#[utoipa::path(
    post,
    path = "/invitations/{token}/accept",
    tag = "invitations",
    params(("token" = String, Path)),
    request_body = Option<invitations::NewAccount>,
    responses((status = 201, description = "Joined; anonymous callers send name and password to create the invited account", body = MyOrganization), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "Conflict", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
    security((), ("bearer" = [])),
)]
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

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/audit-log",
    tag = "audit",
    params(("org_id" = uuid::Uuid, Path), ("before" = Option<uuid::Uuid>, Query, description = "next_cursor of the previous page"), ("limit" = Option<i64>, Query, description = "1 to 200, default 50")),
    responses((status = 200, description = "Success", body = audit::Page), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
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
