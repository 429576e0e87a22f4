//! The pages of the catalog's named items, clients and tags: `/o/{org}/<plural>` lists them and
//! lets managers create, rename, archive, restore and delete them. The handlers and the template
//! (`manage/named_items.html`) are written once; each kind says how it is called and which
//! service functions it uses (see `clients.rs`, `tags.rs`).

use std::fmt::Display;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;

use super::{Attempt, Listing, retry};
use crate::domain::ids::OrganizationId;
use crate::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::http::web::form::{Fields, FormErrors, SignedForm};
use crate::http::web::org::org_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{Viewer, redirect_with_notice};
use crate::service::catalog::ListQuery;
use crate::service::{Actor, Ctx};

/// The words a kind's page and notices use.
pub struct Kind {
    /// `client`: in ids, labels and sentences.
    pub singular: &'static str,
    /// `Client`: opening a notice.
    pub capital: &'static str,
    /// `clients`: in the path, the navigation key, ids and labels.
    pub plural: &'static str,
    /// `Clients`: the page heading.
    pub heading: &'static str,
    /// What the items are for, said where there are none yet.
    pub purpose: &'static str,
    /// What opens a row's edit form (`Edit`) and what its button says (`Save client`).
    pub edit: &'static str,
    pub save: &'static str,
    /// Whether the items have notes besides their name.
    pub notes: bool,
}

/// An item as the list shows it.
pub struct Item {
    pub id: String,
    pub name: String,
    pub notes: String,
    pub archived: bool,
}

/// The item an action changed: its id anchors the row the page returns to, its name goes into
/// the notice.
pub struct Named {
    pub id: String,
    pub name: String,
}

/// What a form asks to change; `None` leaves a value as it is.
#[derive(Default)]
pub struct Change {
    pub name: Option<String>,
    pub notes: Option<String>,
    pub archived: Option<bool>,
}

/// A kind of named item: its words and the service calls behind its page. Creating and
/// updating answer the item, deleting its name, for the notice.
pub trait NamedItems: 'static {
    type Id: DeserializeOwned + Display + Send + 'static;
    const KIND: &'static Kind;

    fn list(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        query: &ListQuery,
    ) -> impl Future<Output = AppResult<Vec<Item>>> + Send;

    fn create(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        change: Change,
    ) -> impl Future<Output = AppResult<Named>> + Send;

    fn update(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        id: Self::Id,
        change: Change,
    ) -> impl Future<Output = AppResult<Named>> + Send;

    fn delete(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        id: Self::Id,
    ) -> impl Future<Output = AppResult<String>> + Send;
}

/// `/o/{org}/<plural>` (GET list, POST create), `…/{id}` (POST update, archive or restore) and
/// `…/{id}/delete` (POST).
pub fn routes<K: NamedItems>() -> Router<AppState> {
    let base = format!("/o/{{org}}/{}", K::KIND.plural);
    Router::new()
        .route(&base, get(list::<K>).post(create::<K>))
        .route(&format!("{base}/{{id}}"), post(update::<K>))
        .route(&format!("{base}/{{id}}/delete"), post(delete::<K>))
}

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
#[template(path = "manage/named_items.html")]
struct NamedItemsPage {
    chrome: Chrome,
    kind: &'static Kind,
    /// Where the list lives: `/o/{org}/clients`.
    path: String,
    show_archived: bool,
    /// `?archived=all` while archived items are shown, so forms come back to the same list.
    suffix: &'static str,
    rows: Vec<Row>,
    /// Errors of actions without a form of their own (archive, delete).
    errors: FormErrors,
    new_errors: FormErrors,
    new_name: String,
    new_notes: String,
}

fn row(item: Item, attempt: &mut Attempt) -> Row {
    let (open, errors, name_value, notes_value) = match attempt.take(&item.id) {
        Some((errors, fields)) => (
            true,
            errors,
            fields.get("name").to_string(),
            fields.get("notes").to_string(),
        ),
        None => (
            false,
            FormErrors::default(),
            item.name.clone(),
            item.notes.clone(),
        ),
    };
    Row {
        id: item.id,
        name: item.name,
        notes: item.notes,
        archived: item.archived,
        open,
        errors,
        name_value,
        notes_value,
    }
}

fn list_path<K: NamedItems>(org: OrganizationId) -> String {
    format!("/o/{org}/{}", K::KIND.plural)
}

async fn render<K: NamedItems>(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    listing: &Listing,
    mut attempt: Attempt,
    headers: &HeaderMap,
    status: StatusCode,
) -> PageResult {
    let (chrome, _) = org_chrome(state, viewer, org, K::KIND.plural).await?;
    let manages = chrome.manages();
    attempt.unless_shown(|_| manages);
    let all = K::list(&state.ctx, &viewer.actor, org, &listing.query()).await?;
    let (new_errors, new_fields) = attempt.take("new").unwrap_or_default();
    let rows = all.into_iter().map(|i| row(i, &mut attempt)).collect();
    let page = NamedItemsPage {
        chrome,
        kind: K::KIND,
        path: list_path::<K>(org),
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

pub async fn list<K: NamedItems>(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
) -> PageResult {
    let attempt = Attempt::default();
    render::<K>(
        &state,
        &viewer,
        org,
        &listing,
        attempt,
        &headers,
        StatusCode::OK,
    )
    .await
}

/// Back to the list (keeping `?archived=all`) with `notice`, scrolled to `anchor`: the changed
/// row (`#tag-<id>`), or the list itself once the row is gone.
fn back<K: NamedItems>(
    org: OrganizationId,
    listing: &Listing,
    anchor: &str,
    notice: &str,
    state: &AppState,
) -> Response {
    let to = format!("{}{}#{anchor}", list_path::<K>(org), listing.suffix());
    redirect_with_notice(&to, notice, state.ctx.settings.secure_cookies)
}

fn row_anchor<K: NamedItems>(id: &str) -> String {
    format!("{}-{id}", K::KIND.singular)
}

/// The list again, with the failed form `key` open and its errors shown.
async fn again<K: NamedItems>(
    state: &AppState,
    form: SignedForm,
    org: OrganizationId,
    listing: &Listing,
    key: &str,
    error: AppError,
    headers: &HeaderMap,
) -> PageResult {
    let (attempt, status) = retry(key, form.fields, error)?;
    render::<K>(state, &form.viewer, org, listing, attempt, headers, status).await
}

/// What the create and edit forms send: `name`, and `notes` for kinds that have them.
fn edited<K: NamedItems>(fields: &Fields) -> Change {
    Change {
        name: Some(fields.get("name").into()),
        notes: K::KIND.notes.then(|| fields.get("notes").into()),
        archived: None,
    }
}

pub async fn create<K: NamedItems>(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let change = edited::<K>(&form.fields);
    match K::create(&state.ctx, &form.viewer.actor, org, change).await {
        Ok(item) => {
            let notice = format!("{} “{}” created.", K::KIND.capital, item.name);
            let anchor = row_anchor::<K>(&item.id);
            Ok(back::<K>(org, &listing, &anchor, &notice, &state))
        }
        Err(e) => again::<K>(&state, form, org, &listing, "new", e, &headers).await,
    }
}

pub async fn update<K: NamedItems>(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, K::Id)>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    // the archive buttons send only `archived`, and have no form to show errors in: theirs go
    // to the top of the page
    let archiving = form.fields.non_empty("archived").map(|a| a == "true");
    let (change, key) = match archiving {
        Some(archived) => {
            let change = Change {
                archived: Some(archived),
                ..Change::default()
            };
            (change, "page".to_string())
        }
        None => (edited::<K>(&form.fields), id.to_string()),
    };
    // the name the edit form showed, so the notice can say what it became (only words shown
    // back to the same person: nothing to trust)
    let before = form.fields.get("was").to_string();
    match K::update(&state.ctx, &form.viewer.actor, org, id, change).await {
        Ok(item) => {
            let capital = K::KIND.capital;
            let name = &item.name;
            let notice = match archiving {
                Some(true) => format!("{capital} “{name}” archived."),
                Some(false) => format!("{capital} “{name}” restored."),
                None if !before.is_empty() && before != *name => {
                    format!("{capital} “{before}” renamed to “{name}”.")
                }
                None => format!("{capital} “{name}” saved."),
            };
            let anchor = row_anchor::<K>(&item.id);
            Ok(back::<K>(org, &listing, &anchor, &notice, &state))
        }
        Err(e) => again::<K>(&state, form, org, &listing, &key, e, &headers).await,
    }
}

pub async fn delete<K: NamedItems>(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, K::Id)>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    match K::delete(&state.ctx, &form.viewer.actor, org, id).await {
        Ok(name) => {
            let notice = format!("{} “{name}” deleted.", K::KIND.capital);
            let anchor = format!("{}-title", K::KIND.plural);
            Ok(back::<K>(org, &listing, &anchor, &notice, &state))
        }
        Err(e) => again::<K>(&state, form, org, &listing, "page", e, &headers).await,
    }
}
