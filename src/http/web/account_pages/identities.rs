//! `/account/identities`: the identity providers connected to the account (single sign-on),
//! and disconnecting one, unless it is the account's only way to sign in.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;

use crate::domain::ids::IdentityId;
use crate::http::state::AppState;
use crate::http::web::form::SignedForm;
use crate::http::web::format;
use crate::http::web::org::account_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{self, Viewer};
use crate::service::sso::identities;

struct IdentityRow {
    id: String,
    issuer: String,
    email: String,
    linked: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "account/identities.html")]
struct IdentitiesPage {
    chrome: Chrome,
    identities: Vec<IdentityRow>,
    has_password: bool,
}

pub async fn identities_get(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> PageResult {
    let chrome = account_chrome(&state, &viewer, "identities").await?;
    let list = identities::list(&state.ctx, &viewer.actor).await?;
    let has_password = identities::has_own_password(&state.ctx, &viewer.actor).await?;
    let row = |i: identities::Connected| IdentityRow {
        id: i.id.to_string(),
        issuer: i.issuer,
        email: i.email,
        linked: format::date_time(i.linked_at, viewer.tz),
        last_used: format::date_time(i.last_used_at, viewer.tz),
    };
    let page = IdentitiesPage {
        chrome,
        identities: list.into_iter().map(row).collect(),
        has_password,
    };
    Ok(page::html(&page, &headers))
}

pub async fn identity_disconnect_post(
    State(state): State<AppState>,
    Path(id): Path<IdentityId>,
    form: SignedForm,
) -> PageResult {
    identities::disconnect(&state.ctx, &form.viewer.actor, id).await?;
    Ok(session::redirect_with_notice(
        "/account/identities",
        "Disconnected. That provider no longer signs you in to this account.",
        state.ctx.settings.secure_cookies,
    ))
}
