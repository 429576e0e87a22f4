//! `POST /api/v1/organizations/{org_id}/imports`: time entries from another tracker's CSV export.
//! The upload is streamed to a temporary file (never held in memory) up to `import::MAX_BYTES`;
//! this route is mounted outside the general body limit (see `crate::http::router`).

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::authn::Authenticated;
use super::extract::{ApiPath, ApiQuery, status_error};
use super::params::{TimeZone, values};
use crate::domain::ids::{OrganizationId, UserId};
use crate::error::AppError;
use crate::http::import_query::options;
use crate::http::problem::{ErrorInfo, HttpError};
use crate::http::state::AppState;
use crate::http::upload::{self, Stored, UploadError};
use crate::import::{self, Format};
use crate::service::imports::{self, ImportFile, ImportReport, ImportRequest};
use crate::service::invalid;

/// Room for the multipart boundaries and headers around a file of `import::MAX_BYTES`.
pub const UPLOAD_OVERHEAD: usize = 64 * 1024;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// IANA time zone of times written without an offset (most exports), e.g. Europe/Berlin.
    #[param(required = true, value_type = TimeZone)]
    tz: Option<String>,
    /// auto (default: detected from the header) or the export's format.
    #[param(inline, value_type = Option<Formats>)]
    format: Option<String>,
    /// Day or month first; needed only when every slash date could be either.
    #[param(inline, value_type = Option<DateOrders>)]
    date_order: Option<String>,
    /// Member who gets the rows of emails that are no member; without it such rows are errors.
    #[param(value_type = Option<uuid::Uuid>)]
    fallback_user_id: Option<UserId>,
    /// true (default): report what would happen and write nothing; false: import (all or
    /// nothing).
    dry_run: Option<bool>,
}

/// The upload, as the OpenAPI document describes it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Upload {
    /// The CSV export, at most 100 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

values!(Formats = ["auto"].into_iter().chain(Format::ALL.map(Format::id)));
values!(DateOrders = ["auto", "dmy", "mdy", "day_first", "month_first"]);

/// 413 with a problem body saying what to do.
pub fn too_large(limit: u64) -> Response {
    let mut response = StatusCode::PAYLOAD_TOO_LARGE.into_response();
    response.extensions_mut().insert(ErrorInfo {
        detail: Some(import::ImportError::TooLarge { limit }.to_string()),
        ..ErrorInfo::default()
    });
    response
}

pub enum Spooled {
    File(tempfile::TempPath),
    TooLarge,
}

/// Streams the multipart field `file` into a temporary file, stopping past `limit` bytes.
pub async fn spool(mut multipart: Multipart, limit: u64) -> Result<Spooled, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        invalid(
            "file",
            format!("the upload could not be read: {}", e.body_text()),
        )
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        if field.name() != Some("file") {
            continue;
        }
        let path = tempfile::Builder::new()
            .prefix("gogotime-import-")
            .suffix(".csv")
            .tempfile()
            .map_err(|e| {
                AppError::Internal(anyhow::Error::new(e).context("creating a temporary file"))
            })?
            .into_temp_path();
        return match upload::store(&mut field, &path, limit).await {
            Ok(Stored::Whole(_)) => Ok(Spooled::File(path)),
            Ok(Stored::TooLarge) => Ok(Spooled::TooLarge),
            Err(UploadError::Read(message)) => Err(invalid(
                "file",
                format!("the upload could not be read: {message}"),
            )),
            Err(UploadError::Write(e)) => Err(AppError::Internal(
                anyhow::Error::new(e).context("writing the temporary file"),
            )),
        };
    }
    Err(invalid(
        "file",
        "is required: send the CSV file as the multipart/form-data field “file”",
    ))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/imports",
    tag = "imports",
    params(("org_id" = uuid::Uuid, Path),
        ImportQuery),
    request_body(content = Upload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Dry run: what the import would do, with row errors and a preview", body = ImportReport),
        (status = 201, description = "Imported: every row became an entry or was a duplicate", body = ImportReport),
        (status = 403, description = "Imports need the manager role or above"),
        (status = 413, description = "The file is larger than 100 MiB"),
        (status = 415, description = "The body is not multipart/form-data"),
        (status = 422, description = "A bad file or parameter (problem+json: not CSV, unknown header, no rows, ambiguous date order …), or, with dry_run=false, rows with errors: then the report (application/json) lists them and nothing was written",
            content((ImportReport = "application/json"), (crate::http::problem::ProblemDoc = "application/problem+json"))),
    ),
)]
pub async fn imports_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, HttpError> {
    // the only rejection: no multipart/form-data content type with a boundary
    let Ok(multipart) = multipart else {
        return Ok(status_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the CSV file as multipart/form-data with the field “file”.".into(),
        ));
    };
    let limit = import::MAX_BYTES;
    let options = options(
        query.tz.as_deref().unwrap_or(""),
        query.format.as_deref(),
        query.date_order.as_deref(),
        limit,
    )?;
    let path = match spool(multipart, limit).await? {
        Spooled::File(path) => path,
        Spooled::TooLarge => return Ok(too_large(limit)),
    };
    let dry_run = query.dry_run.unwrap_or(true);
    let request = ImportRequest {
        organization: org,
        options,
        fallback_member: query.fallback_user_id,
        dry_run,
    };
    let file = ImportFile::Path(path.to_path_buf());
    let report = imports::run(&s.ctx, &a.actor, file, request, &mut |_, _| {}).await?;
    drop(path);
    let status = if report.applied {
        StatusCode::CREATED
    } else if !dry_run {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)).into_response())
}
