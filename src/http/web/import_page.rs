//! `/o/{org}/import`: the import wizard. Upload a CSV (with time zone, format, date order and a
//! fallback member) → a preview of what the import would do (the service's dry run) → confirm →
//! the import → back to the entries with a notice. Between preview and confirm the upload waits
//! in a temporary file named by an unguessable id; it is deleted after the import, or after an
//! hour by the sweep every upload runs.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::form::{CSRF_FIELD, FormErrors, SignedForm};
use super::format;
use super::org::org_chrome;
use super::page::{self, Chrome};
use super::session::{Viewer, redirect_with_notice};
use crate::domain::ids::{OrganizationId, UserId};
use crate::error::AppError;
use crate::http::import_query::options;
use crate::http::state::AppState;
use crate::http::upload::{self, Stored, UploadError};
use crate::http::web::page_error::{PageError, PageResult};
use crate::import::{Format, MAX_BYTES};
use crate::service::imports::{self, ImportFile, ImportReport, ImportRequest};
use crate::service::members;

/// Uploads older than this are deleted unconfirmed.
const KEEP: Duration = Duration::from_secs(3600);

/// The wizard's pages, under the general body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/o/{org}/import", get(upload_page))
        .route("/o/{org}/import/{upload}/confirm", post(confirm))
}

/// The upload itself: mounted with the import's own body limit (see `crate::http::router`).
pub fn upload_routes() -> Router<AppState> {
    Router::new().route("/o/{org}/import", post(upload))
}

/// What the person chose on the upload form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Choices {
    tz: String,
    format: String,
    date_order: String,
    fallback: String,
}

/// The sidecar of a waiting upload: whose it is and how to read it.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    org: OrganizationId,
    user: UserId,
    choices: Choices,
}

struct Person {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "import/upload.html")]
struct UploadPage {
    chrome: Chrome,
    errors: FormErrors,
    choices: Choices,
    formats: Vec<(&'static str, &'static str)>,
    people: Vec<Person>,
}

struct Row {
    line: u64,
    start: String,
    end: String,
    person: String,
    client: String,
    project: String,
    task: String,
    description: String,
    tags: String,
    billable: bool,
    rate: String,
    duplicate: bool,
}

#[derive(Template)]
#[template(path = "import/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    errors: FormErrors,
    report: ImportReport,
    rows: Vec<Row>,
    upload: String,
    currency: String,
}

fn dir() -> PathBuf {
    std::env::temp_dir().join("gogotime-imports")
}

fn paths(id: &str) -> (PathBuf, PathBuf) {
    (
        dir().join(format!("{id}.csv")),
        dir().join(format!("{id}.json")),
    )
}

fn valid_id(id: &str) -> bool {
    id.len() == 43
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn new_id() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn remove(id: &str) {
    let (csv, json) = paths(id);
    let _ = std::fs::remove_file(csv);
    let _ = std::fs::remove_file(json);
}

/// Deletes uploads nobody confirmed within [`KEEP`].
fn sweep() {
    let Ok(entries) = std::fs::read_dir(dir()) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > KEEP);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

async fn people(state: &AppState, viewer: &Viewer, org: OrganizationId) -> Vec<Person> {
    members::list(&state.ctx, &viewer.actor, org)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|m| Person {
            id: m.user_id.to_string(),
            label: format!("{} ({})", m.name, m.email),
        })
        .collect()
}

fn formats() -> Vec<(&'static str, &'static str)> {
    Format::ALL.iter().map(|f| (f.id(), f.name())).collect()
}

async fn render_upload(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    headers: &HeaderMap,
    choices: Choices,
    errors: FormErrors,
) -> PageResult {
    imports::require_importer(&state.ctx, &viewer.actor, org).await?;
    let (chrome, _) = org_chrome(state, viewer, org, "entries").await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = UploadPage {
        chrome,
        errors,
        choices,
        formats: formats(),
        people: people(state, viewer, org).await,
    };
    Ok(page::html_with_status(&page, headers, status))
}

async fn upload_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
) -> PageResult {
    let choices = Choices {
        tz: viewer.actor.user.time_zone.clone(),
        ..Choices::default()
    };
    render_upload(
        &state,
        &viewer,
        org,
        &headers,
        choices,
        FormErrors::default(),
    )
    .await
}

fn internal(e: std::io::Error) -> Response {
    PageError::from(AppError::Internal(
        anyhow::Error::new(e).context("storing an import upload"),
    ))
    .into_response()
}

/// Reads the multipart form: text fields, and the file streamed to `csv` up to [`MAX_BYTES`].
/// `Ok(false)` when the file is too large; `Err` with a message for a form that cannot be read.
async fn read_form(
    mut multipart: Multipart,
    csv: &std::path::Path,
    csrf: &str,
    fields: &mut Vec<(String, String)>,
) -> Result<Result<bool, String>, Response> {
    let mut has_file = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Ok(Err(e.body_text())),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            // the form sends `_csrf` first: refuse a forged upload before storing a byte
            if !fields
                .iter()
                .any(|(n, v)| n == CSRF_FIELD && crate::http::csrf::matches(v, csrf))
            {
                return Err(StatusCode::FORBIDDEN.into_response());
            }
            let mut field = field;
            let written = match upload::store(&mut field, csv, MAX_BYTES).await {
                Ok(Stored::Whole(written)) => written,
                Ok(Stored::TooLarge) => return Ok(Ok(false)),
                Err(UploadError::Read(message)) => return Ok(Err(message)),
                Err(UploadError::Write(e)) => return Err(internal(e)),
            };
            has_file = written > 0 || field.file_name().is_some_and(|n| !n.is_empty());
        } else {
            match field.text().await {
                Ok(text) if text.len() <= 1024 => fields.push((name, text)),
                Ok(_) => return Ok(Err(format!("the field {name} is too long"))),
                Err(e) => return Ok(Err(e.body_text())),
            }
        }
    }
    if !has_file {
        return Ok(Err("Choose the CSV file to import.".into()));
    }
    Ok(Ok(true))
}

async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    request: Request,
) -> PageResult {
    let multipart = Multipart::from_request(request, &state)
        .await
        .map_err(IntoResponse::into_response)?;
    std::fs::create_dir_all(dir()).map_err(internal)?;
    sweep();
    let id = new_id();
    let (csv, json) = paths(&id);
    let mut fields = Vec::new();
    let outcome = read_form(multipart, &csv, &viewer.csrf, &mut fields).await;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    // the one constant-time comparison every form token goes through
    if !crate::http::csrf::matches(&get(CSRF_FIELD), &viewer.csrf) {
        remove(&id);
        return Err(StatusCode::FORBIDDEN.into_response().into());
    }
    let choices = Choices {
        tz: get("tz"),
        format: get("format"),
        date_order: get("date_order"),
        fallback: get("fallback"),
    };
    let mut errors = FormErrors::default();
    match outcome {
        Err(response) => {
            remove(&id);
            return Err(response.into());
        }
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => {
            remove(&id);
            errors.add(
                "file",
                crate::import::ImportError::TooLarge { limit: MAX_BYTES }.to_string(),
            );
        }
        Ok(Err(message)) => {
            remove(&id);
            errors.add("file", message);
        }
    }
    if !errors.is_empty() {
        errors.summarise();
        return render_upload(&state, &viewer, org, &headers, choices, errors).await;
    }
    let pending = Pending {
        org,
        user: viewer.actor.user.id,
        choices: choices.clone(),
    };
    let written = serde_json::to_vec(&pending)
        .map_err(std::io::Error::other)
        .and_then(|bytes| std::fs::write(&json, bytes));
    if let Err(e) = written {
        remove(&id);
        return Err(internal(e).into());
    }
    match run(&state, &viewer, &id, &pending, true).await {
        Ok(report) => {
            render_preview(
                &state,
                &viewer,
                org,
                &headers,
                report,
                id,
                FormErrors::default(),
            )
            .await
        }
        Err(e) => {
            remove(&id);
            let errors = FormErrors::from_error(e)?;
            render_upload(&state, &viewer, org, &headers, choices, errors).await
        }
    }
}

async fn run(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    pending: &Pending,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    let c = &pending.choices;
    let options = options(
        &c.tz,
        Some(c.format.as_str()),
        Some(c.date_order.as_str()),
        MAX_BYTES,
    )?;
    let fallback_member = match c.fallback.as_str() {
        "" => None,
        raw => Some(
            raw.parse::<uuid::Uuid>()
                .map(UserId::from_uuid)
                .map_err(|_| crate::service::invalid("fallback", "is not a member"))?,
        ),
    };
    let request = ImportRequest {
        organization: pending.org,
        options,
        fallback_member,
        dry_run,
    };
    let file = ImportFile::Path(paths(id).0);
    imports::run(&state.ctx, &viewer.actor, file, request, &mut |_, _| {}).await
}

fn money(minor: Option<i64>, currency: &str) -> String {
    minor.map_or_else(String::new, |m| super::catalog_pages::money(m, currency))
}

async fn render_preview(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    headers: &HeaderMap,
    report: ImportReport,
    upload: String,
    errors: FormErrors,
) -> PageResult {
    let (chrome, mine) = org_chrome(state, viewer, org, "entries").await?;
    let tz: chrono_tz::Tz = viewer
        .actor
        .user
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::UTC);
    let currency = mine.organization.currency.clone();
    let rows = report
        .preview
        .iter()
        .map(|p| Row {
            line: p.line,
            start: format::date_time(p.start, tz),
            end: format::date_time(p.end, tz),
            person: p.user_email.clone(),
            client: p.client.clone().unwrap_or_default(),
            project: p.project.clone().unwrap_or_default(),
            task: p.task.clone().unwrap_or_default(),
            description: p.description.clone(),
            tags: p.tags.join(", "),
            billable: p.billable,
            rate: money(p.hourly_rate, &currency),
            duplicate: p.duplicate,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PreviewPage {
        chrome,
        errors,
        report,
        rows,
        upload,
        currency,
    };
    Ok(page::html_with_status(&page, headers, status))
}

async fn confirm(
    State(state): State<AppState>,
    Path((org, upload)): Path<(OrganizationId, String)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let viewer = form.viewer;
    let gone = || {
        PageError::from(AppError::NotFound(
            "This upload is no longer waiting (imported already, or older than an hour); upload the file again.".into(),
        ))
    };
    if !valid_id(&upload) {
        return Err(gone());
    }
    let (_, json) = paths(&upload);
    let pending: Pending = std::fs::read(&json)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(gone)?;
    if pending.org != org || pending.user != viewer.actor.user.id {
        return Err(gone());
    }
    let result = run(&state, &viewer, &upload, &pending, false).await;
    match result {
        Ok(report) if report.applied => {
            remove(&upload);
            let notice = format!(
                "Imported {} entries ({} duplicates skipped).",
                report.entries_to_create, report.duplicates_skipped
            );
            Ok(redirect_with_notice(
                &format!("/o/{org}/entries"),
                &notice,
                state.ctx.settings.secure_cookies,
            ))
        }
        Ok(report) => {
            let errors = FormErrors::message(
                "Nothing was imported: some rows have errors. Correct the file and upload it again.",
            );
            remove(&upload);
            render_preview(
                &state,
                &viewer,
                org,
                &headers,
                report,
                String::new(),
                errors,
            )
            .await
        }
        Err(e) => {
            remove(&upload);
            Err(e.into())
        }
    }
}
