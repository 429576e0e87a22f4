//! `/o/{org}/clients`: the list, and for managers creating, renaming, archiving and deleting.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{Attempt, Listing, PageResult, fail, retry};
use crate::domain::catalog::Client;
use crate::domain::ids::{ClientId, OrganizationId};
use crate::http::web::form::{Fields, FormErrors, SignedForm};
use crate::http::web::org::org_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::session::{Viewer, redirect_with_notice};
use crate::service::catalog::clients::{self, ClientInput};
use crate::state::AppState;

struct Row {
    id: String,
    name: String,
    notes: String,
    archived: bool,
    /// The edit form: open when it failed, with its errors and the input that was sent.
    open: bool,
    errors: FormErrors,
    name_value: String,
    notes_value: String,
}

#[derive(Template)]
#[template(path = "manage/clients.html")]
struct ClientsPage {
    chrome: Chrome,
    show_archived: bool,
    /// `?archived=all` while archived clients are shown, so forms come back to the same list.
    suffix: &'static str,
    rows: Vec<Row>,
    /// Errors of actions without a form of their own (archive, delete).
    errors: FormErrors,
    new_errors: FormErrors,
    new_name: String,
    new_notes: String,
}

fn row(client: Client, attempt: &mut Attempt) -> Row {
    let id = client.id.to_string();
    let (open, errors, name_value, notes_value) = match attempt.take(&id) {
        Some((errors, fields)) => (
            true,
            errors,
            fields.get("name").to_string(),
            fields.get("notes").to_string(),
        ),
        None => (
            false,
            FormErrors::default(),
            client.name.clone(),
            client.notes.clone(),
        ),
    };
    Row {
        id,
        name: client.name,
        notes: client.notes,
        archived: client.archived,
        open,
        errors,
        name_value,
        notes_value,
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    listing: &Listing,
    mut attempt: Attempt,
    headers: &HeaderMap,
    status: StatusCode,
) -> PageResult {
    let (chrome, _) = org_chrome(state, viewer, org, "clients").await?;
    let manages = chrome.manages();
    attempt.unless_shown(|_| manages);
    let all = clients::list(&state.ctx, &viewer.actor, org, &listing.query())
        .await
        .map_err(fail)?;
    let (new_errors, new_fields) = attempt.take("new").unwrap_or_default();
    let rows = all.into_iter().map(|c| row(c, &mut attempt)).collect();
    let page = ClientsPage {
        chrome,
        show_archived: listing.all(),
        suffix: listing.suffix(),
        rows,
        errors: attempt.rest(),
        new_errors,
        new_name: new_fields.get("name").into(),
        new_notes: new_fields.get("notes").into(),
    };
    Ok(page::html_with_status(&page, headers, status))
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
) -> PageResult {
    render(
        &state,
        &viewer,
        org,
        &listing,
        Attempt::default(),
        &headers,
        StatusCode::OK,
    )
    .await
}

fn back(org: OrganizationId, listing: &Listing, notice: &str, state: &AppState) -> Response {
    let to = format!("/o/{org}/clients{}", listing.suffix());
    redirect_with_notice(&to, notice, state.ctx.settings.secure_cookies)
}

async fn again(
    state: &AppState,
    form: SignedForm,
    org: OrganizationId,
    listing: &Listing,
    key: &str,
    error: crate::error::AppError,
    headers: &HeaderMap,
) -> PageResult {
    let (attempt, status) = retry(key, form.fields, error).map_err(fail)?;
    render(state, &form.viewer, org, listing, attempt, headers, status).await
}

pub async fn create(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let input = ClientInput {
        name: Some(form.fields.get("name").into()),
        notes: Some(form.fields.get("notes").into()),
        archived: None,
    };
    match clients::create(&state.ctx, &form.viewer.actor, org, input).await {
        Ok(client) => Ok(back(
            org,
            &listing,
            &format!("Client {} created.", client.name),
            &state,
        )),
        Err(e) => again(&state, form, org, &listing, "new", e, &headers).await,
    }
}

/// The edit form sends `name` and `notes`; the archive buttons send only `archived`.
fn client_input(fields: &Fields) -> ClientInput {
    match fields.non_empty("archived") {
        Some(archived) => ClientInput {
            archived: Some(archived == "true"),
            ..ClientInput::default()
        },
        None => ClientInput {
            name: Some(fields.get("name").into()),
            notes: Some(fields.get("notes").into()),
            archived: None,
        },
    }
}

pub async fn update(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, ClientId)>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let input = client_input(&form.fields);
    let archiving = input.archived;
    // archive buttons have no form to show errors in: theirs go to the top of the page
    let key = if archiving.is_some() {
        "page".to_string()
    } else {
        id.to_string()
    };
    match clients::update(&state.ctx, &form.viewer.actor, org, id, input).await {
        Ok(client) => {
            let done = match archiving {
                Some(true) => "archived",
                Some(false) => "restored",
                None => "saved",
            };
            Ok(back(
                org,
                &listing,
                &format!("Client {} {done}.", client.name),
                &state,
            ))
        }
        Err(e) => again(&state, form, org, &listing, &key, e, &headers).await,
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, ClientId)>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    match clients::delete(&state.ctx, &form.viewer.actor, org, id, false).await {
        Ok(()) => Ok(back(org, &listing, "Client deleted.", &state)),
        Err(e) => again(&state, form, org, &listing, "page", e, &headers).await,
    }
}
