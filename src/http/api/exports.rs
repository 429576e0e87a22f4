//! `/api/v1/organizations/{org_id}/exports/*` (entries as CSV, JSON or XLSX; the summary as
//! PDF), `/api/v1/me/calendar-feed`, and the public `GET /feeds/{token}.ics` it hands out.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::authn::Authenticated;
use super::extract::ApiPath;
use super::params::{Filters, Grouping, Range, Rounding, Zone};
use crate::domain::ids::OrganizationId;
use crate::error::AppError;
use crate::http::problem::HttpError;
use crate::http::query;
use crate::http::request_id::RequestId;
use crate::http::state::AppState;
use crate::service::exports::calendar::{self, CalendarFeed};
use crate::service::exports::{self, Download, ExportedEntry, Format};
use crate::service::reports::query::GroupBy;

type Result<T> = std::result::Result<T, HttpError>;

/// A file's bytes, in the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

/// The chunks of a streamed download as a body stream. It may be polled again after it ended —
/// the compression layer does — and keeps answering "no more" (`stream::unfold`, used here
/// before, panics instead, which cut every compressed download short).
struct ChunkStream(exports::Chunks);

impl futures_util::Stream for ChunkStream {
    type Item = std::io::Result<Vec<u8>>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// An attachment; a streamed body goes out chunk by chunk as the service produces it.
fn download(file: Download) -> Response {
    let body = match file.body {
        exports::Body::Whole(bytes) => Body::from(bytes),
        exports::Body::Stream(chunks) => Body::from_stream(ChunkStream(chunks)),
    };
    let disposition = format!("attachment; filename=\"{}\"", file.filename);
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // the data is private: no shared cache may keep it
    crate::http::cache::no_store(response)
}

async fn entries(
    s: &AppState,
    a: &Authenticated,
    org: OrganizationId,
    q: Option<String>,
    format: Format,
) -> Result<Response> {
    let request = query::report(
        q.as_deref().unwrap_or(""),
        &a.actor.user,
        Some(GroupBy::Day),
    )?;
    let file = exports::entries(&s.ctx, &a.actor, org, &request, format).await?;
    Ok(download(file))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/exports/entries.csv",
    tag = "exports",
    params(("org_id" = uuid::Uuid, Path), Range, Zone, Rounding, Filters),
    responses(
        (status = 200, description = "The finished entries starting in the range, oldest first, as RFC 4180 CSV (UTF-8, CRLF) with the header `id,date,start,end,duration_seconds,duration,hours,user_email,user_name,client,project,task,description,tags,billable,hourly_rate,amount,currency`. `start`/`end` are ISO 8601 local date-times with offset in `tz`, `date` the local day of `start`; `duration_seconds` is exact whole seconds after rounding (as tracked with rounding `none`), `duration` the same as h:mm:ss, `hours` decimal hours with two places (for convenience only); tags are joined by `, `; money is in major units with a dot. A text cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or CR, after any `'`) gets a leading `'`, which the importer removes again. Streamed as it is read", body = String, content_type = "text/csv"),
        (status = 403, description = "Members export their own time only"),
    ),
)]
pub async fn entries_csv_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    entries(&s, &a, org, q, Format::Csv).await
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/exports/entries.json",
    tag = "exports",
    params(("org_id" = uuid::Uuid, Path), Range, Zone, Rounding, Filters),
    responses(
        (status = 200, description = "The same entries and fields as the CSV export, as one JSON array with typed values (numbers, booleans, null, a list of tag names). Streamed as it is read", body = Vec<ExportedEntry>),
        (status = 403, description = "Members export their own time only"),
    ),
)]
pub async fn entries_json_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    entries(&s, &a, org, q, Format::Json).await
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/exports/entries.xlsx",
    tag = "exports",
    params(("org_id" = uuid::Uuid, Path), Range, Zone, Rounding, Filters),
    responses(
        (status = 200, description = "The same entries and columns as the CSV export in one worksheet, with real cells: date and local date-times as dates, durations as time values shown [h]:mm:ss, seconds, hours and money as numbers, billable as a boolean; text as string cells, neutralised against formulas as in the CSV, and no formula cells", body = FileBytes, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Members export their own time only"),
    ),
)]
pub async fn entries_xlsx_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    entries(&s, &a, org, q, Format::Xlsx).await
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/exports/summary.pdf",
    tag = "exports",
    params(("org_id" = uuid::Uuid, Path), Range, Zone, Grouping, Rounding, Filters),
    responses(
        (status = 200, description = "The summary report as an A4 PDF: organization, range, time zone, rounding, totals, and a table of groups (and sub-groups) with time as h:mm, amounts and entries", body = FileBytes, content_type = "application/pdf"),
        (status = 403, description = "Members report on their own time only"),
    ),
)]
pub async fn summary_pdf_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let request = query::report(q.as_deref().unwrap_or(""), &a.actor.user, None)?;
    let file = exports::summary_pdf(&s.ctx, &a.actor, org, &request).await?;
    Ok(download(file))
}

#[utoipa::path(
    post,
    path = "/me/calendar-feed",
    tag = "me",
    responses((status = 200, description = "Your iCalendar feed (RFC 5545) of your finished entries of the last 365 days in all your organizations. `url` holds a secret and is shown only here; calling this again replaces it, and the previous URL stops working", body = CalendarFeed)),
)]
pub async fn calendar_feed_post(
    State(s): State<AppState>,
    a: Authenticated,
) -> Result<Json<CalendarFeed>> {
    Ok(Json(calendar::create_or_rotate(&s.ctx, &a.actor).await?))
}

#[utoipa::path(
    delete,
    path = "/me/calendar-feed",
    tag = "me",
    responses(
        (status = 204, description = "The feed is revoked; its URL answers 404 from now on"),
        (status = 404, description = "You have no calendar feed"),
    ),
)]
pub async fn calendar_feed_delete(
    State(s): State<AppState>,
    a: Authenticated,
) -> Result<StatusCode> {
    calendar::revoke(&s.ctx, &a.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /feeds/{token}.ics`: public, the secret in the path is the credential. Outside `/api`,
/// so its problem body is written here (`render_errors` would answer with an HTML page).
pub async fn feed_get(
    State(s): State<AppState>,
    Path(file): Path<String>,
    request_id: Option<axum::Extension<RequestId>>,
) -> Response {
    let calendar = match file.strip_suffix(".ics") {
        Some(token) => calendar::feed(&s.ctx, token).await,
        None => Err(AppError::NotFound(
            "Calendar feeds end in .ics; there is nothing at this address.".into(),
        )),
    };
    match calendar {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "inline; filename=\"gogotime.ics\"",
                ),
                (header::CACHE_CONTROL, "private, no-cache"),
            ],
            text,
        )
            .into_response(),
        Err(AppError::NotFound(detail)) => {
            let request_id = request_id.map(|r| r.0.0).unwrap_or_default();
            let problem = serde_json::json!({
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": detail,
                "instance": "/feeds",
                "request_id": request_id,
            });
            (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "application/problem+json")],
                problem.to_string(),
            )
                .into_response()
        }
        Err(other) => HttpError(other).into_response(),
    }
}
