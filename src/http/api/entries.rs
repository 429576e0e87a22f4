//! `/api/v1/organizations/{org_id}/{time-entries,timer,rates}`.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::authn::Authenticated;
use super::extract::{ApiJson, ApiPath};
use crate::db::rates::RateTable;
use crate::domain::ids::{OrganizationId, ProjectId, TimeEntryId, UserId};
use crate::error::AppError;
use crate::http::problem::ApiError;
use crate::http::query;
use crate::service::entries::{self, BulkDelete, BulkUpdate, EntryInput, EntryView, list, timer};
use crate::service::rates::{self, RateInput, Target};
use crate::state::AppState;

type Result<T> = std::result::Result<T, ApiError>;

/// The entry with its version as a strong ETag, for `If-Match` on the next change.
fn with_etag(status: StatusCode, view: EntryView) -> Response {
    let etag = format!("\"{}\"", view.entry.version);
    let mut response = (status, Json(view)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

fn if_match(headers: &HeaderMap) -> std::result::Result<i64, AppError> {
    let raw = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).ok_or_else(|| {
        AppError::PreconditionRequired("Changing an entry needs an If-Match header with its ETag (from GET or the last change), so concurrent edits are not lost.".into())
    })?;
    // an unparsable tag matches no version: answered like a stale one
    Ok(raw
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .unwrap_or(-1))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/time-entries",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path), ("from" = Option<String>, Query, description = "RFC 3339; entries starting at or after"), ("to" = Option<String>, Query, description = "RFC 3339; entries starting before"), ("user_id" = Option<Vec<uuid::Uuid>>, Query, description = "repeat or use user_id[]"), ("project_id" = Option<Vec<uuid::Uuid>>, Query, description = ""), ("client_id" = Option<Vec<uuid::Uuid>>, Query, description = ""), ("task_id" = Option<Vec<uuid::Uuid>>, Query, description = ""), ("tag_id" = Option<Vec<uuid::Uuid>>, Query, description = ""), ("billable" = Option<bool>, Query, description = ""), ("running" = Option<bool>, Query, description = ""), ("q" = Option<String>, Query, description = "case-insensitive substring of the description"), ("updated_since" = Option<String>, Query, description = "RFC 3339; includes deleted entries (tombstones)"), ("sort" = Option<String>, Query, description = "start or -start (default)"), ("limit" = Option<i64>, Query, description = "1 to 500, default 50"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, description = "Success", body = list::Page), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn entries_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Json<list::Page>> {
    let (filter, paging) = query::entry_list(q.as_deref().unwrap_or(""))?;
    Ok(Json(
        list::list(&s.ctx, &a.actor, org, &filter, &paging).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/time-entries",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = EntryInput,
    responses((status = 201, description = "Created; ETag holds the version", body = EntryView), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "Conflict", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 400, description = "Malformed JSON or query", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Not JSON", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn entries_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<EntryInput>,
) -> Result<Response> {
    Ok(with_etag(
        StatusCode::CREATED,
        entries::create(&s.ctx, &a.actor, org, input, entries::EntrySource::Api).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/time-entries",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = BulkUpdate,
    responses((status = 200, description = "All listed entries changed (or none)", body = Vec<EntryView>), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "Conflict", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 400, description = "Malformed JSON or query", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Not JSON", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn entries_patch(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(bulk): ApiJson<BulkUpdate>,
) -> Result<Json<Vec<EntryView>>> {
    Ok(Json(
        entries::bulk_update(&s.ctx, &a.actor, org, bulk).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/time-entries",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = BulkDelete,
    responses((status = 204, description = "All listed entries deleted (or none)"), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 400, description = "Malformed JSON or query", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Not JSON", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn entries_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(bulk): ApiJson<BulkDelete>,
) -> Result<StatusCode> {
    entries::bulk_delete(&s.ctx, &a.actor, org, bulk).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/time-entries/{id}",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "The entry; ETag holds the version", body = EntryView), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn entry_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TimeEntryId)>,
) -> Result<Response> {
    Ok(with_etag(
        StatusCode::OK,
        entries::get(&s.ctx, &a.actor, org, id).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/time-entries/{id}",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), ("If-Match" = String, Header, description = "the ETag of the entry")),
    request_body = EntryInput,
    responses((status = 200, description = "Success", body = EntryView), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "Conflict", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 412, description = "Stale If-Match; `current` holds the current entry", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 428, description = "If-Match is required", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 400, description = "Malformed JSON or query", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 415, description = "Not JSON", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn entry_patch(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TimeEntryId)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<EntryInput>,
) -> Result<Response> {
    let version = if_match(&headers)?;
    Ok(with_etag(
        StatusCode::OK,
        entries::update(&s.ctx, &a.actor, org, id, version, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/time-entries/{id}",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Success"), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn entry_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TimeEntryId)>,
) -> Result<StatusCode> {
    entries::delete(&s.ctx, &a.actor, org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/time-entries/{id}/continue",
    tag = "timer",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Success", body = timer::Started), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "Conflict", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn entry_continue(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TimeEntryId)>,
) -> Result<Response> {
    let started = timer::continue_entry(&s.ctx, &a.actor, org, id).await?;
    Ok((StatusCode::CREATED, Json(started)).into_response())
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/time-entries/recalculate-rates",
    tag = "rates",
    params(("org_id" = uuid::Uuid, Path), ("from" = Option<String>, Query, description = "RFC 3339; entries starting at or after"), ("to" = Option<String>, Query, description = "RFC 3339; entries starting before"), ("user_id" = Option<Vec<uuid::Uuid>>, Query, description = "repeat or use user_id[]"), ("project_id" = Option<Vec<uuid::Uuid>>, Query, description = ""), ("client_id" = Option<Vec<uuid::Uuid>>, Query, description = ""), ("task_id" = Option<Vec<uuid::Uuid>>, Query, description = ""), ("tag_id" = Option<Vec<uuid::Uuid>>, Query, description = ""), ("billable" = Option<bool>, Query, description = ""), ("running" = Option<bool>, Query, description = "")),
    responses((status = 200, description = "Success", body = rates::Recalculated), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn recalculate_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Json<rates::Recalculated>> {
    let (filter, _) = query::entry_list(q.as_deref().unwrap_or(""))?;
    Ok(Json(
        rates::recalculate(&s.ctx, &a.actor, org, &filter).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/timer",
    tag = "timer",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "The running entry (204 when none runs)", body = timer::RunningTimer), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn timer_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Response> {
    Ok(match timer::running(&s.ctx, &a.actor, org).await? {
        Some(running) => Json(running).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/timer/start",
    tag = "timer",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = Option<EntryInput>,
    responses((status = 201, description = "Success", body = timer::Started), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 409, description = "Conflict", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn timer_start(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let input: EntryInput = optional_json(&body)?;
    let started = timer::start(&s.ctx, &a.actor, org, input).await?;
    Ok((StatusCode::CREATED, Json(started)).into_response())
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/timer/stop",
    tag = "timer",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = Option<timer::StopInput>,
    responses((status = 200, description = "Success", body = EntryView), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn timer_stop(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let input: timer::StopInput = optional_json(&body)?;
    Ok(with_etag(
        StatusCode::OK,
        timer::stop(&s.ctx, &a.actor, org, input).await?,
    ))
}

/// Timer calls may come without a body ("start now, no details").
fn optional_json<T: serde::de::DeserializeOwned + Default>(
    body: &[u8],
) -> std::result::Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError(crate::service::invalid(
            "body",
            format!("is not the expected JSON: {e}"),
        ))
    })
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/rates",
    tag = "rates",
    params(("org_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = RateTable), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn rates_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Json<RateTable>> {
    Ok(Json(rates::table(&s.ctx, &a.actor, org).await?))
}

#[utoipa::path(
    put,
    path = "/organizations/{org_id}/rates/default",
    tag = "rates",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = RateInput,
    responses((status = 200, description = "Success", body = RateTable), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn rate_default_put(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<RateInput>,
) -> Result<Json<RateTable>> {
    Ok(Json(
        rates::set(&s.ctx, &a.actor, org, Target::Organization, input).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/organizations/{org_id}/rates/members/{user_id}",
    tag = "rates",
    params(("org_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    request_body = RateInput,
    responses((status = 200, description = "Success", body = RateTable), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn rate_member_put(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, user)): ApiPath<(OrganizationId, UserId)>,
    ApiJson(input): ApiJson<RateInput>,
) -> Result<Json<RateTable>> {
    Ok(Json(
        rates::set(&s.ctx, &a.actor, org, Target::Member(user), input).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/organizations/{org_id}/rates/projects/{project_id}",
    tag = "rates",
    params(("org_id" = uuid::Uuid, Path), ("project_id" = uuid::Uuid, Path)),
    request_body = RateInput,
    responses((status = 200, description = "Success", body = RateTable), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn rate_project_put(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project)): ApiPath<(OrganizationId, ProjectId)>,
    ApiJson(input): ApiJson<RateInput>,
) -> Result<Json<RateTable>> {
    Ok(Json(
        rates::set(&s.ctx, &a.actor, org, Target::Project(project), input).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/organizations/{org_id}/rates/projects/{project_id}/members/{user_id}",
    tag = "rates",
    params(("org_id" = uuid::Uuid, Path), ("project_id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    request_body = RateInput,
    responses((status = 200, description = "Success", body = RateTable), (status = 401, description = "Not signed in, or the credentials are invalid", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 403, description = "Your role does not allow this", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 404, description = "Not found (also for other organizations' data)", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = crate::http::problem::ProblemDoc, content_type = "application/problem+json")),
)]
pub async fn rate_project_member_put(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project, user)): ApiPath<(OrganizationId, ProjectId, UserId)>,
    ApiJson(input): ApiJson<RateInput>,
) -> Result<Json<RateTable>> {
    Ok(Json(
        rates::set(
            &s.ctx,
            &a.actor,
            org,
            Target::ProjectMember(project, user),
            input,
        )
        .await?,
    ))
}
