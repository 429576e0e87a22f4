//! Deleting entries without a browser `confirm()`: the delete links open a page that shows what
//! goes and asks once (pages with JavaScript delete at once and offer "Undo" instead), and the
//! restore form that undoes a delete for a few minutes.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;

use super::super::form::{FormErrors, SignedForm};
use super::super::org::org_chrome;
use super::super::page::{self, Chrome};
use super::super::session::{Viewer, redirect_with_notice};
use super::timer::back_to;
use super::{Choices, EntryRow};
use crate::domain::ids::{OrganizationId, TimeEntryId};
use crate::http::state::AppState;
use crate::http::web::form::Fields;
use crate::http::web::page_error::PageResult;
use crate::service::entries::{self, restore};

#[derive(Template)]
#[template(path = "tracking/delete.html")]
pub struct DeletePage {
    pub chrome: Chrome,
    pub entries: Vec<EntryRow>,
    /// Where the confirming form posts: one entry's delete, or the bulk form.
    pub action: String,
    pub bulk: bool,
    pub back: String,
}

/// The page that asks before one entry is deleted.
pub async fn confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, id)): Path<(OrganizationId, TimeEntryId)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    let back = back_to(&Fields::parse(raw.unwrap_or_default().as_bytes()), org);
    let (chrome, _) = org_chrome(&state, &viewer, org, "entries").await?;
    let view = entries::get(&state.ctx, &viewer.actor, org, id).await?;
    let choices = Choices::load(&state.ctx, &viewer.actor, org).await?;
    let entries = vec![EntryRow::new(&view, &choices, viewer.tz)];
    let action = chrome.org_path(&format!("/entries/{id}/delete"));
    Ok(page::html(
        &DeletePage {
            chrome,
            entries,
            action,
            bulk: false,
            back,
        },
        &headers,
    ))
}

/// The page that asks before the entries selected on the list are deleted.
pub async fn confirm_bulk(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    ids: &[TimeEntryId],
    back: String,
    headers: &HeaderMap,
) -> PageResult {
    let (chrome, _) = org_chrome(state, viewer, org, "entries").await?;
    let choices = Choices::load(&state.ctx, &viewer.actor, org).await?;
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        let view = entries::get(&state.ctx, &viewer.actor, org, *id).await?;
        rows.push(EntryRow::new(&view, &choices, viewer.tz));
    }
    let action = chrome.org_path("/entries/bulk");
    Ok(page::html(
        &DeletePage {
            chrome,
            entries: rows,
            action,
            bulk: true,
            back,
        },
        headers,
    ))
}

/// Undoes a delete (the "Undo" of the notice, or the API's restore for scripts).
pub async fn restore_post(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, TimeEntryId)>,
    form: SignedForm,
) -> PageResult {
    let back = back_to(&form.fields, org);
    let notice = match restore::restore(&state.ctx, &form.viewer.actor, org, id).await {
        Ok(_) => "Entry restored.".to_string(),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            format!("The entry was not restored: {}", errors.message)
        }
    };
    Ok(redirect_with_notice(
        &back,
        &notice,
        state.ctx.settings.secure_cookies,
    ))
}
