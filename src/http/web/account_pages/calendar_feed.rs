//! The "Calendar feed" section of `/account/tokens`: create or replace the secret feed address
//! (shown once, on the page answering the POST, never in a redirect) and revoke it. Calls the
//! service `/api/v1/me/calendar-feed` calls.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::tokens::{NewSecret, tokens_page};
use crate::http::cache::no_store;
use crate::http::state::AppState;
use crate::http::web::form::{FormErrors, SignedForm};
use crate::http::web::page;
use crate::http::web::page_error::PageResult;
use crate::http::web::session;
use crate::service::exports::calendar;

/// Creates or rotates the feed and answers with the page showing the new address.
pub async fn calendar_feed_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let feed = calendar::create_or_rotate(&state.ctx, &form.viewer.actor).await?;
    let blank = (String::new(), String::new());
    let mut page = tokens_page(
        &state,
        &form.viewer,
        blank,
        FormErrors::default(),
        NewSecret::default(),
    )
    .await?;
    page.feed_url = feed.url;
    Ok(no_store(page::html_with_status(
        &page,
        &headers,
        StatusCode::OK,
    )))
}

pub async fn calendar_feed_revoke_post(
    State(state): State<AppState>,
    form: SignedForm,
) -> PageResult {
    calendar::revoke(&state.ctx, &form.viewer.actor).await?;
    Ok(session::redirect_with_notice(
        "/account/tokens",
        "The calendar feed was revoked; calendars subscribed to it no longer get updates.",
        state.ctx.settings.secure_cookies,
    ))
}
