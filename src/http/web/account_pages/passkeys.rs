//! `/account/passkeys`: add a passkey (named by its owner; the browser's part is done by
//! `static/passkeys.js`), list them with when they were made and last used, rename one, and
//! remove one after the current password is entered again.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::super::passkey_sign_in::{options_json, options_refused};
use crate::domain::ids::PasskeyId;
use crate::error::AppError;
use crate::http::cache::no_store;
use crate::http::state::AppState;
use crate::http::web::form::{FormErrors, SignedForm};
use crate::http::web::format;
use crate::http::web::org::account_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{self, Viewer};
use crate::service::passkeys;

struct PasskeyRow {
    id: String,
    name: String,
    created: String,
    last_used: String,
    /// What its rename field holds: the name, or the refused new name.
    rename: String,
    /// Its rename was refused: the field carries the error.
    rename_refused: bool,
}

/// A refused rename, shown in its own row: which passkey, and the name that was refused.
struct RefusedRename {
    id: PasskeyId,
    name: String,
}

/// The rename field's key in the page's errors: the add form's field is `name`.
const RENAME_FIELD: &str = "new_name";

#[derive(Template)]
#[template(path = "account/passkeys.html")]
struct PasskeysPage {
    chrome: Chrome,
    errors: FormErrors,
    passkeys: Vec<PasskeyRow>,
    name_max: usize,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    errors: FormErrors,
    status: StatusCode,
    headers: &HeaderMap,
    refused_rename: Option<RefusedRename>,
) -> PageResult {
    let list = passkeys::list(&state.ctx, &viewer.actor).await?;
    let row = |p: passkeys::Passkey| {
        let refused = refused_rename.as_ref().filter(|r| r.id == p.id);
        PasskeyRow {
            id: p.id.to_string(),
            created: format::date_time(p.created_at, viewer.tz),
            last_used: p
                .last_used_at
                .map(|t| format::date_time(t, viewer.tz))
                .unwrap_or_else(|| "Never".into()),
            rename: refused.map_or_else(|| p.name.clone(), |r| r.name.clone()),
            rename_refused: refused.is_some(),
            name: p.name,
        }
    };
    let page = PasskeysPage {
        chrome: account_chrome(state, viewer, "passkeys").await?,
        errors,
        passkeys: list.into_iter().map(row).collect(),
        name_max: passkeys::NAME_MAX_CHARS,
    };
    Ok(no_store(page::html_with_status(&page, headers, status)))
}

async fn refused(
    state: &AppState,
    viewer: &Viewer,
    e: AppError,
    headers: &HeaderMap,
) -> PageResult {
    let status = match e {
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let errors = match e {
        AppError::NotFound(message) => FormErrors::message(message),
        e => FormErrors::from_error(e)?,
    };
    render(state, viewer, errors, status, headers, None).await
}

pub async fn passkeys_get(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> PageResult {
    render(
        &state,
        &viewer,
        FormErrors::default(),
        StatusCode::OK,
        &headers,
        None,
    )
    .await
}

/// The options for `navigator.credentials.create()`, as JSON for the page's script.
pub async fn passkey_options_post(State(state): State<AppState>, form: SignedForm) -> Response {
    let name = form.fields.get("name");
    match passkeys::register_begin(&state.ctx, &form.viewer.actor, name).await {
        Ok(json) => options_json(json),
        Err(e) => options_refused(e),
    }
}

pub async fn passkey_add_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let credential = form.fields.get("credential");
    match passkeys::register_finish(&state.ctx, &form.viewer.actor, credential).await {
        Ok(added) => Ok(session::redirect_with_notice(
            "/account/passkeys",
            &format!(
                "Passkey \"{}\" added. You can sign in with it, and it is your second factor after a password.",
                added.name
            ),
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => refused(&state, &form.viewer, e, &headers).await,
    }
}

pub async fn passkey_rename_post(
    State(state): State<AppState>,
    Path(id): Path<PasskeyId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let name = form.fields.get("name");
    match passkeys::rename(&state.ctx, &form.viewer.actor, id, name).await {
        Ok(renamed) => Ok(session::redirect_with_notice(
            "/account/passkeys",
            &format!("Passkey renamed to \"{}\".", renamed.name),
            state.ctx.settings.secure_cookies,
        )),
        Err(AppError::Validation { fields, message }) => {
            // the same messages, under the row's field rather than the add form's
            let fields = fields
                .into_iter()
                .map(|(field, messages)| match field.as_str() {
                    "name" => (RENAME_FIELD.to_string(), messages),
                    _ => (field, messages),
                })
                .collect();
            let errors = FormErrors::from_error(AppError::Validation { fields, message })?;
            let refused = RefusedRename {
                id,
                name: name.to_string(),
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(
                &state,
                &form.viewer,
                errors,
                status,
                &headers,
                Some(refused),
            )
            .await
        }
        Err(e) => refused(&state, &form.viewer, e, &headers).await,
    }
}

pub async fn passkey_remove_post(
    State(state): State<AppState>,
    Path(id): Path<PasskeyId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let password = form.fields.get("current_password");
    match passkeys::remove(&state.ctx, &form.viewer.actor, id, password).await {
        Ok(()) => Ok(session::redirect_with_notice(
            "/account/passkeys",
            "Passkey removed. It no longer signs you in; you may also delete it from the device.",
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => refused(&state, &form.viewer, e, &headers).await,
    }
}
