//! `/account/sessions`: where the person is signed in; ending one session, or all of them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;

use super::signed_out;
use crate::domain::account::Session;
use crate::domain::ids::SessionId;
use crate::http::state::AppState;
use crate::http::web::form::SignedForm;
use crate::http::web::format;
use crate::http::web::org::account_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{self, Viewer};
use crate::service::sessions;

struct SessionRow {
    id: String,
    user_agent: String,
    ip: String,
    created: String,
    last_seen: String,
    /// The session this page was asked for with.
    current: bool,
}

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    sessions: Vec<SessionRow>,
}

pub async fn sessions_get(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> PageResult {
    let chrome = account_chrome(&state, &viewer, "sessions").await?;
    let list = sessions::list(&state.ctx, &viewer.actor).await?;
    let row = |s: Session| SessionRow {
        id: s.id.to_string(),
        current: s.id == viewer.session,
        user_agent: if s.user_agent.is_empty() {
            "Unknown browser".into()
        } else {
            s.user_agent
        },
        ip: s.ip,
        created: format::date_time(s.created_at, viewer.tz),
        last_seen: format::date_time(s.last_seen_at, viewer.tz),
    };
    let page = SessionsPage {
        chrome,
        sessions: list.into_iter().map(row).collect(),
    };
    Ok(page::html(&page, &headers))
}

/// Ends one session; ending the current one signs out here.
pub async fn session_revoke_post(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    form: SignedForm,
) -> PageResult {
    sessions::revoke(&state.ctx, &form.viewer.actor, id).await?;
    let secure = state.ctx.settings.secure_cookies;
    if id == form.viewer.session {
        return Ok(signed_out("You are signed out.", secure));
    }
    Ok(session::redirect_with_notice(
        "/account/sessions#sessions-title",
        "That session was ended; the browser using it must sign in again.",
        secure,
    ))
}

/// "Sign out everywhere": every session, this one included, and every API refresh token.
pub async fn sessions_revoke_all_post(
    State(state): State<AppState>,
    form: SignedForm,
) -> PageResult {
    sessions::revoke_all(&state.ctx, &form.viewer.actor).await?;
    Ok(signed_out(
        "You are signed out everywhere. Sign in again to continue here.",
        state.ctx.settings.secure_cookies,
    ))
}
