//! `/api/v1/organizations/{org_id}/{time-entries,timer,rates}`.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::authn::{ApiCaller, Authenticated};
use super::doc::ROLE;
use super::extract::{ApiJson, ApiOptionalJson, ApiPath};
use super::params::{EntryFilters, EntryPage};
use crate::db::rates::RateTable;
use crate::domain::ids::{OrganizationId, ProjectId, TimeEntryId, UserId};
use crate::error::AppError;
use crate::http::problem::HttpError;
use crate::http::query;
use crate::http::state::AppState;
use crate::service::entries::{
    self, BulkDelete, BulkUpdate, EntryInput, EntryView, list, restore, timer,
};
use crate::service::rates::{self, RateInput, Target};

type Result<T> = std::result::Result<T, HttpError>;

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
    params(("org_id" = uuid::Uuid, Path), EntryFilters, EntryPage),
    responses(
        (status = 200, description = "Success", body = list::Page),
        (status = 403, description = ROLE),
    ),
)]
pub async fn entries_get(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Json<list::Page>> {
    let (filter, paging) = query::entry_list(q.as_deref().unwrap_or(""))?;
    Ok(Json(list::list(&s.ctx, &a.0, org, &filter, &paging).await?))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/time-entries",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = EntryInput,
    responses(
        (status = 201, description = "Created", body = EntryView, headers(("ETag" = String, description = "The entry's version, for If-Match"))),
        (status = 403, description = ROLE),
        (status = 409, description = "It overlaps another entry and the organization does not allow that, or it would be a second running entry"),
    ),
)]
pub async fn entries_post(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<EntryInput>,
) -> Result<Response> {
    Ok(with_etag(
        StatusCode::CREATED,
        entries::create(&s.ctx, &a.0, org, input, entries::EntrySource::Api).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/time-entries",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = BulkUpdate,
    responses(
        (status = 200, description = "All listed entries changed (or none)", body = Vec<EntryView>),
        (status = 403, description = ROLE),
        (status = 409, description = "A changed entry would overlap another, and the organization does not allow that"),
    ),
)]
pub async fn entries_patch(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(bulk): ApiJson<BulkUpdate>,
) -> Result<Json<Vec<EntryView>>> {
    Ok(Json(entries::bulk_update(&s.ctx, &a.0, org, bulk).await?))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/time-entries",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = BulkDelete,
    responses(
        (status = 204, description = "All listed entries deleted (or none)"),
        (status = 403, description = ROLE),
    ),
)]
pub async fn entries_delete(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(bulk): ApiJson<BulkDelete>,
) -> Result<StatusCode> {
    entries::bulk_delete(&s.ctx, &a.0, org, bulk).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/time-entries/{id}",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "The entry", body = EntryView, headers(("ETag" = String, description = "The entry's version, for If-Match")))),
)]
pub async fn entry_get(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath((org, id)): ApiPath<(OrganizationId, TimeEntryId)>,
) -> Result<Response> {
    Ok(with_etag(
        StatusCode::OK,
        entries::get(&s.ctx, &a.0, org, id).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/time-entries/{id}",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), ("If-Match" = String, Header, pattern = r#"^(W/)?"[0-9]+"$"#, description = "The ETag of the entry (from GET or the last change)")),
    request_body = EntryInput,
    responses(
        (status = 200, description = "Changed", body = EntryView, headers(("ETag" = String, description = "The entry's version, for If-Match"))),
        (status = 403, description = ROLE),
        (status = 409, description = "It overlaps another entry and the organization does not allow that, or it would be a second running entry"),
        (status = 412, description = "Stale If-Match; `current` holds the current entry"),
        (status = 428, description = "The If-Match header is missing"),
    ),
)]
pub async fn entry_patch(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath((org, id)): ApiPath<(OrganizationId, TimeEntryId)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<EntryInput>,
) -> Result<Response> {
    let version = if_match(&headers)?;
    Ok(with_etag(
        StatusCode::OK,
        entries::update(&s.ctx, &a.0, org, id, version, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/time-entries/{id}",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Success"),
        (status = 403, description = ROLE),
    ),
)]
pub async fn entry_delete(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath((org, id)): ApiPath<(OrganizationId, TimeEntryId)>,
) -> Result<StatusCode> {
    entries::delete(&s.ctx, &a.0, org, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/time-entries/{id}/restore",
    tag = "time-entries",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Restored", body = EntryView, headers(("ETag" = String, description = "The entry's version, for If-Match"))),
        (status = 403, description = "The entry starts in a locked period"),
        (status = 404, description = "No deleted entry of this organization that the caller may change has this id"),
        (status = 409, description = "The entry is not deleted, was deleted more than 10 minutes ago, would overlap another entry, or would be a second running timer"),
    ),
)]
/// Undo a delete
///
/// The entry comes back as it was (same id and fields, next version). Only within 10 minutes
/// of the delete, by its person or a manager, outside a locked period, and not over an entry
/// added since where overlaps are refused. Recorded in the audit log as `time_entry.restored`.
pub async fn entry_restore(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath((org, id)): ApiPath<(OrganizationId, TimeEntryId)>,
) -> Result<Response> {
    Ok(with_etag(
        StatusCode::OK,
        restore::restore(&s.ctx, &a.0, org, id).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/time-entries/{id}/continue",
    tag = "timer",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses(
        (status = 201, description = "Success", body = timer::Started),
        (status = 403, description = ROLE),
        (status = 409, description = "The new entry would overlap another, and the organization does not allow that"),
        (status = 422, description = "Invalid fields"),
    ),
)]
pub async fn entry_continue(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath((org, id)): ApiPath<(OrganizationId, TimeEntryId)>,
) -> Result<Response> {
    let started = timer::continue_entry(&s.ctx, &a.0, org, id).await?;
    Ok((StatusCode::CREATED, Json(started)).into_response())
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/time-entries/recalculate-rates",
    tag = "rates",
    params(("org_id" = uuid::Uuid, Path), EntryFilters),
    responses(
        (status = 200, description = "Success", body = rates::Recalculated),
        (status = 403, description = ROLE),
    ),
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
    responses(
        (status = 200, description = "Your running timer", body = timer::RunningTimer),
        (status = 204, description = "No timer of yours runs"),
    ),
)]
pub async fn timer_get(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath(org): ApiPath<OrganizationId>,
) -> Result<Response> {
    Ok(match timer::running(&s.ctx, &a.0, org).await? {
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
    responses(
        (status = 201, description = "Success", body = timer::Started),
        (status = 403, description = ROLE),
        (status = 409, description = "The new entry would overlap another, and the organization does not allow that"),
    ),
)]
pub async fn timer_start(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiOptionalJson(input): ApiOptionalJson<EntryInput>,
) -> Result<Response> {
    let started = timer::start(&s.ctx, &a.0, org, input).await?;
    Ok((StatusCode::CREATED, Json(started)).into_response())
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/timer/stop",
    tag = "timer",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = Option<timer::StopInput>,
    responses((status = 200, description = "The stopped entry", body = EntryView, headers(("ETag" = String, description = "The entry's version, for If-Match")))),
)]
pub async fn timer_stop(
    State(s): State<AppState>,
    a: ApiCaller,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiOptionalJson(input): ApiOptionalJson<timer::StopInput>,
) -> Result<Response> {
    Ok(with_etag(
        StatusCode::OK,
        timer::stop(&s.ctx, &a.0, org, input).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/rates",
    tag = "rates",
    params(("org_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "Success", body = RateTable),
        (status = 403, description = ROLE),
    ),
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
    responses(
        (status = 200, description = "Success", body = RateTable),
        (status = 403, description = ROLE),
    ),
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
    responses(
        (status = 200, description = "Success", body = RateTable),
        (status = 403, description = ROLE),
    ),
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
    responses(
        (status = 200, description = "Success", body = RateTable),
        (status = 403, description = ROLE),
    ),
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
    responses(
        (status = 200, description = "Success", body = RateTable),
        (status = 403, description = ROLE),
    ),
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
