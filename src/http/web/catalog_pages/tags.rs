//! `/o/{org}/tags`: the list, and for managers creating, renaming, archiving and deleting.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{Attempt, Listing, PageResult, fail, retry};
use crate::domain::catalog::Tag;
use crate::domain::ids::{OrganizationId, TagId};
use crate::http::web::form::{Fields, FormErrors, SignedForm};
use crate::http::web::org::org_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::session::{Viewer, redirect_with_notice};
use crate::service::catalog::tags::{self, TagInput};
use crate::state::AppState;

struct Row {
    id: String,
    name: String,
    archived: bool,
    /// The edit form: open when it failed, with its errors and the input that was sent.
    open: bool,
    errors: FormErrors,
    name_value: String,
}

#[derive(Template)]
#[template(path = "manage/tags.html")]
struct TagsPage {
    chrome: Chrome,
    show_archived: bool,
    /// `?archived=all` while archived tags are shown, so forms come back to the same list.
    suffix: &'static str,
    rows: Vec<Row>,
    /// Errors of actions without a form of their own (archive, delete).
    errors: FormErrors,
    new_errors: FormErrors,
    new_name: String,
}

fn row(tag: Tag, attempt: &mut Attempt) -> Row {
    let id = tag.id.to_string();
    let (open, errors, name_value) = match attempt.take(&id) {
        Some((errors, fields)) => (true, errors, fields.get("name").to_string()),
        None => (false, FormErrors::default(), tag.name.clone()),
    };
    Row {
        id,
        name: tag.name,
        archived: tag.archived,
        open,
        errors,
        name_value,
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
    let (chrome, _) = org_chrome(state, viewer, org, "tags").await?;
    let manages = chrome.manages();
    attempt.unless_shown(|_| manages);
    let all = tags::list(&state.ctx, &viewer.actor, org, &listing.query())
        .await
        .map_err(fail)?;
    let (new_errors, new_fields) = attempt.take("new").unwrap_or_default();
    let rows = all.into_iter().map(|c| row(c, &mut attempt)).collect();
    let page = TagsPage {
        chrome,
        show_archived: listing.all(),
        suffix: listing.suffix(),
        rows,
        errors: attempt.rest(),
        new_errors,
        new_name: new_fields.get("name").into(),
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
    let to = format!("/o/{org}/tags{}", listing.suffix());
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
    let input = TagInput {
        name: Some(form.fields.get("name").into()),
        archived: None,
    };
    match tags::create(&state.ctx, &form.viewer.actor, org, input).await {
        Ok(tag) => Ok(back(
            org,
            &listing,
            &format!("Tag {} created.", tag.name),
            &state,
        )),
        Err(e) => again(&state, form, org, &listing, "new", e, &headers).await,
    }
}

/// The rename form sends `name`; the archive buttons send only `archived`.
fn tag_input(fields: &Fields) -> TagInput {
    match fields.non_empty("archived") {
        Some(archived) => TagInput {
            archived: Some(archived == "true"),
            ..TagInput::default()
        },
        None => TagInput {
            name: Some(fields.get("name").into()),
            archived: None,
        },
    }
}

pub async fn update(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, TagId)>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let input = tag_input(&form.fields);
    let archiving = input.archived;
    // archive buttons have no form to show errors in: theirs go to the top of the page
    let key = if archiving.is_some() {
        "page".to_string()
    } else {
        id.to_string()
    };
    match tags::update(&state.ctx, &form.viewer.actor, org, id, input).await {
        Ok(tag) => {
            let done = match archiving {
                Some(true) => "archived",
                Some(false) => "restored",
                None => "saved",
            };
            Ok(back(
                org,
                &listing,
                &format!("Tag {} {done}.", tag.name),
                &state,
            ))
        }
        Err(e) => again(&state, form, org, &listing, &key, e, &headers).await,
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, TagId)>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    match tags::delete(&state.ctx, &form.viewer.actor, org, id, false).await {
        Ok(()) => Ok(back(org, &listing, "Tag deleted.", &state)),
        Err(e) => again(&state, form, org, &listing, "page", e, &headers).await,
    }
}
