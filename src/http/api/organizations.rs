//! `/api/v1/organizations/*` and invitation acceptance.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::authn::{Authenticated, MaybeAuthenticated};
use super::doc::ROLE;
use super::extract::{ApiJson, ApiOptionalJson, ApiPath, ApiQuery};
use crate::domain::account::{Invitation, Member, MyOrganization};
use crate::domain::ids::{AuditEntryId, InvitationId, OrganizationId, UserId};
use crate::http::client_ip::ClientIp;
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::{audit, invitations, members, organizations};

#[utoipa::path(
    get,
    path = "/organizations",
    tag = "organizations",
    responses((status = 200, description = "Success", body = Vec<MyOrganization>)),
)]
pub async fn organizations_get(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<MyOrganization>>, HttpError> {
    Ok(Json(
        organizations::list_mine(&state.ctx, &auth.actor).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/organizations",
    tag = "organizations",
    request_body = organizations::OrganizationInput,
    responses((status = 201, description = "Success", body = MyOrganization)),
)]
pub async fn organizations_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<organizations::OrganizationInput>,
) -> Result<Response, HttpError> {
    let created = organizations::create(&state.ctx, &auth.actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}",
    tag = "organizations",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = MyOrganization)),
)]
pub async fn organization_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<MyOrganization>, HttpError> {
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
    responses(
        (status = 200, description = "Success", body = MyOrganization),
        (status = 403, description = ROLE),
    ),
)]
pub async fn organization_patch(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<organizations::OrganizationInput>,
) -> Result<Json<MyOrganization>, HttpError> {
    Ok(Json(
        organizations::update(&state.ctx, &auth.actor, org, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}",
    tag = "organizations",
    params(("org_id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Success"),
        (status = 403, description = ROLE),
    ),
)]
pub async fn organization_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<StatusCode, HttpError> {
    organizations::delete(&state.ctx, &auth.actor, org).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/members",
    tag = "members",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Vec<Member>)),
)]
pub async fn members_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<Vec<Member>>, HttpError> {
    Ok(Json(members::list(&state.ctx, &auth.actor, org).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    #[schema(value_type = crate::domain::role::Role)]
    role: String,
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/members/{user_id}",
    tag = "members",
    params(("org_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    request_body = RoleChange,
    responses(
        (status = 200, description = "Success", body = Member),
        (status = 403, description = ROLE),
        (status = 409, description = "This is the last owner; make someone else an owner first"),
    ),
)]
pub async fn member_patch(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((org, user)): ApiPath<(OrganizationId, UserId)>,
    ApiJson(input): ApiJson<RoleChange>,
) -> Result<Json<Member>, HttpError> {
    Ok(Json(
        members::change_role(&state.ctx, &auth.actor, org, user, &input.role).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/members/{user_id}",
    tag = "members",
    params(("org_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Success"),
        (status = 403, description = ROLE),
        (status = 409, description = "This is the last owner; make someone else an owner first"),
    ),
)]
pub async fn member_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((org, user)): ApiPath<(OrganizationId, UserId)>,
) -> Result<StatusCode, HttpError> {
    members::remove(&state.ctx, &auth.actor, org, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/invitations",
    tag = "invitations",
    params(("org_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Success", body = Vec<Invitation>),
        (status = 403, description = ROLE),
    ),
)]
pub async fn invitations_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<Vec<Invitation>>, HttpError> {
    Ok(Json(invitations::list(&state.ctx, &auth.actor, org).await?))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/invitations",
    tag = "invitations",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = invitations::NewInvitation,
    responses(
        (status = 201, description = "Success", body = invitations::CreatedInvitation),
        (status = 403, description = "Your role does not allow this (only owners invite owners)"),
        (status = 409, description = "This person is already a member"),
    ),
)]
pub async fn invitations_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<invitations::NewInvitation>,
) -> Result<Response, HttpError> {
    let created = invitations::create(&state.ctx, &auth.actor, org, input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/invitations/{id}",
    tag = "invitations",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Success"),
        (status = 403, description = ROLE),
    ),
)]
pub async fn invitation_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, InvitationId)>,
) -> Result<StatusCode, HttpError> {
    invitations::revoke(&state.ctx, &auth.actor, org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/invitations/{token}/accept`: signed in (adds the membership) or anonymous with
/// `{name, password}` (creates the account).
#[utoipa::path(
    post,
    path = "/invitations/{token}/accept",
    tag = "invitations",
    params(("token" = String, Path, description = "The invitation's token (from its accept_url)")),
    request_body = Option<invitations::NewAccount>,
    responses(
        (status = 201, description = "Joined; anonymous callers send name and password to create the invited account", body = MyOrganization),
        (status = 403, description = "Signed in with another account than the invited one"),
        (status = 404, description = "The invitation is unknown, used up or expired"),
        (status = 409, description = "Anonymous: an account with this email exists (sign in and accept); signed in: already a member"),
    ),
    security((), ("bearer" = [])),
)]
pub async fn invitation_accept(
    State(state): State<AppState>,
    MaybeAuthenticated(auth): MaybeAuthenticated,
    client: Option<axum::Extension<ClientIp>>,
    ApiPath(token): ApiPath<String>,
    // signed-in callers send no body; anonymous ones send the account to create
    ApiOptionalJson(account): ApiOptionalJson<invitations::NewAccount>,
) -> Result<Response, HttpError> {
    let ip = client.map(|c| c.0.0.to_string()).unwrap_or_default();
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<uuid::Uuid>)]
    before: Option<AuditEntryId>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/audit-log",
    tag = "audit",
    params(("org_id" = uuid::Uuid, Path), AuditQuery),
    responses(
        (status = 200, description = "Newest first", body = inline(audit::Page)),
        (status = 403, description = ROLE),
    ),
)]
pub async fn audit_log_get(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<audit::Page>, HttpError> {
    Ok(Json(
        audit::page(&state.ctx, &auth.actor, org, query.before, query.limit).await?,
    ))
}
