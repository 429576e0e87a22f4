//! `/api/v1/organizations/{org_id}/reports/…`: summary, detailed, weekly, saved and shared
//! reports, and the public `/api/v1/shared-reports/{token}`.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;

use super::authn::Authenticated;
use super::extract::{ApiJson, ApiPath};
use super::params::{Filters, Grouping, Range, ReportPage, Rounding, Week, Zone};
use crate::domain::ids::{OrganizationId, SavedReportId, SharedReportId};
use crate::http::problem::HttpError;
use crate::http::query;
use crate::http::state::AppState;
use crate::service::reports::links::{
    self, CreatedShare, PublicReport, SaveInput, SavedReport, ShareInput, SharedReport,
};
use crate::service::reports::{self, Detailed, Summary, Weekly};

type Result<T> = std::result::Result<T, HttpError>;

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/reports/summary",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path), Range, Zone, Grouping, Rounding, Filters),
    responses(
        (status = 200, description = "Totals per group; entries crossing a day boundary are split at it", body = Summary),
        (status = 403, description = "Members report on their own time only"),
    ),
)]
pub async fn summary_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Json<Summary>> {
    let request = query::report(q.as_deref().unwrap_or(""), &a.actor.user, None)?;
    Ok(Json(
        reports::summary(&s.ctx, &a.actor, org, &request).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/reports/detailed",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path), Range, Zone, Rounding, Filters, ReportPage),
    responses(
        (status = 200, description = "Entries starting in the range, oldest first, with rounded durations and amounts", body = Detailed),
        (status = 403, description = "Members report on their own time only"),
    ),
)]
pub async fn detailed_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Json<Detailed>> {
    let (request, paging) = query::detailed(q.as_deref().unwrap_or(""), &a.actor.user)?;
    Ok(Json(
        reports::detailed(&s.ctx, &a.actor, org, &request, &paging).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/reports/weekly",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path), Week, Zone, Rounding, Filters),
    responses(
        (status = 200, description = "Seconds per person and day", body = Weekly),
        (status = 403, description = "Members report on their own time only"),
    ),
)]
pub async fn weekly_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Json<Weekly>> {
    let request = query::weekly(q.as_deref().unwrap_or(""), &a.actor.user)?;
    Ok(Json(reports::weekly(&s.ctx, &a.actor, org, request).await?))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/reports/saved",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Your saved reports", body = Vec<SavedReport>)),
)]
pub async fn saved_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<Vec<SavedReport>>> {
    Ok(Json(links::saved(&s.ctx, &a.actor, org).await?))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/reports/saved",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = SaveInput,
    responses(
        (status = 201, description = "Saved", body = SavedReport),
        (status = 409, description = "You have a saved report with this name"),
        (status = 422, description = "Invalid name or report parameters"),
    ),
)]
pub async fn saved_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(mut input): ApiJson<SaveInput>,
) -> Result<(StatusCode, Json<SavedReport>)> {
    Ok((
        StatusCode::CREATED,
        Json({
            input.params = query::report_params(&input.params, &a.actor.user)?;
            links::save(&s.ctx, &a.actor, org, input).await?
        }),
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/reports/saved/{id}",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Deleted")),
)]
pub async fn saved_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, SavedReportId)>,
) -> Result<StatusCode> {
    links::delete_saved(&s.ctx, &a.actor, org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/reports/shared",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Your shared reports (admins and owners: everyone's)", body = Vec<SharedReport>)),
)]
pub async fn shared_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<Vec<SharedReport>>> {
    Ok(Json(links::shares(&s.ctx, &a.actor, org).await?))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/reports/shared",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = ShareInput,
    responses(
        (status = 201, description = "Shared; `url` is shown once", body = CreatedShare),
        (status = 422, description = "Invalid name, expiry or report parameters"),
    ),
)]
pub async fn shared_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(mut input): ApiJson<ShareInput>,
) -> Result<(StatusCode, Json<CreatedShare>)> {
    Ok((
        StatusCode::CREATED,
        Json({
            input.params = query::report_params(&input.params, &a.actor.user)?;
            links::share(&s.ctx, &a.actor, org, input).await?
        }),
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/reports/shared/{id}",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Revoked: the link stops working")),
)]
pub async fn shared_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, SharedReportId)>,
) -> Result<StatusCode> {
    links::revoke(&s.ctx, &a.actor, org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/shared-reports/{token}",
    tag = "reports",
    params(("token" = String, Path, description = "The token of a shared report's link")),
    security(()),
    responses(
        (status = 200, description = "The shared report, computed now", body = PublicReport),
        (status = 404, description = "Revoked, expired or unknown link"),
    ),
)]
pub async fn public_get(
    State(s): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<PublicReport>> {
    Ok(Json(query::shared_report(&s.ctx, &token).await?))
}
