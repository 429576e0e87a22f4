//! `/api/v1/organizations/{org_id}/reports/{summary,detailed,weekly}`.

use axum::Json;
use axum::extract::{RawQuery, State};

use super::authn::Authenticated;
use super::extract::ApiPath;
use crate::domain::ids::OrganizationId;
use crate::http::problem::ApiError;
use crate::service::reports::{self, Detailed, Summary, Weekly};
use crate::state::AppState;

type Result<T> = std::result::Result<T, ApiError>;

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/reports/summary",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path),
        ("from" = String, Query, description = "First day (YYYY-MM-DD) in `tz`"),
        ("to" = String, Query, description = "Last day included (YYYY-MM-DD)"),
        ("tz" = Option<String>, Query, description = "IANA time zone of the days; default: yours"),
        ("group" = String, Query, description = "client, project, task, user, tag, day, week, month, year, billable or description"),
        ("subgroup" = Option<String>, Query, description = "Another of the same, or none"),
        ("rounding" = Option<String>, Query, description = "none (default), up, down or nearest; per entry"),
        ("rounding_minutes" = Option<i64>, Query, description = "1, 5, 6, 10, 15 (default), 30 or 60"),
        ("user_id" = Option<Vec<uuid::Uuid>>, Query, description = "Members may only give their own"),
        ("project_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("client_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("task_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("tag_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("billable" = Option<bool>, Query, description = ""),
        ("q" = Option<String>, Query, description = "Case-insensitive substring of the description")),
    responses((status = 200, description = "Totals per group; entries crossing a day boundary are split at it", body = Summary), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Members report on their own time only", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid parameters", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn summary_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Json<Summary>> {
    Ok(Json(
        reports::summary(&s.ctx, &a.actor, org, q.as_deref().unwrap_or("")).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/reports/detailed",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path),
        ("from" = String, Query, description = "First day (YYYY-MM-DD) in `tz`"),
        ("to" = String, Query, description = "Last day included"),
        ("tz" = Option<String>, Query, description = "Default: yours"),
        ("rounding" = Option<String>, Query, description = "none, up, down or nearest"),
        ("rounding_minutes" = Option<i64>, Query, description = "1, 5, 6, 10, 15, 30 or 60"),
        ("user_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("project_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("client_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("task_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("tag_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("billable" = Option<bool>, Query, description = ""),
        ("q" = Option<String>, Query, description = "Case-insensitive substring of the description"),
        ("limit" = Option<i64>, Query, description = "1 to 500, default 100"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, description = "Entries starting in the range, oldest first, with rounded durations and amounts", body = Detailed), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Members report on their own time only", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid parameters", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn detailed_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Json<Detailed>> {
    Ok(Json(
        reports::detailed(&s.ctx, &a.actor, org, q.as_deref().unwrap_or("")).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/reports/weekly",
    tag = "reports",
    params(("org_id" = uuid::Uuid, Path),
        ("week" = Option<String>, Query, description = "Any day (YYYY-MM-DD) of the week; default: this week. Weeks start on your week start"),
        ("tz" = Option<String>, Query, description = "Default: yours"),
        ("rounding" = Option<String>, Query, description = "none, up, down or nearest"),
        ("rounding_minutes" = Option<i64>, Query, description = "1, 5, 6, 10, 15, 30 or 60"),
        ("user_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("project_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("client_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("tag_id" = Option<Vec<uuid::Uuid>>, Query, description = ""),
        ("billable" = Option<bool>, Query, description = "")),
    responses((status = 200, description = "Seconds per person and day", body = Weekly), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Members report on their own time only", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid parameters", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn weekly_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Json<Weekly>> {
    Ok(Json(
        reports::weekly(&s.ctx, &a.actor, org, q.as_deref().unwrap_or("")).await?,
    ))
}
