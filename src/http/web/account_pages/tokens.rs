//! `/account/tokens`: personal API tokens. A new token's secret is shown once, on the page that
//! answers its creation, and never put in a redirect, cookie or log.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Duration;

use crate::domain::account::ApiToken;
use crate::domain::ids::ApiTokenId;
use crate::http::cache::no_store;
use crate::http::state::AppState;
use crate::http::web::form::{FormErrors, SignedForm};
use crate::http::web::format;
use crate::http::web::org::account_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{self, Viewer};
use crate::service::api_tokens;
use crate::service::exports::calendar;

/// The longest expiry the form offers, in days (ten years); no expiry at all is also possible.
const MAX_DAYS: i64 = 3650;

struct TokenRow {
    id: String,
    name: String,
    created: String,
    last_used: String,
    expires: String,
}

/// A token just created, with the secret shown this once.
#[derive(Default)]
pub(super) struct NewSecret {
    name: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "account/tokens.html")]
pub(super) struct TokensPage {
    chrome: Chrome,
    errors: FormErrors,
    tokens: Vec<TokenRow>,
    name: String,
    expires_in_days: String,
    created: NewSecret,
    max_days: i64,
    /// When the calendar feed was created; empty without one.
    feed_since: String,
    /// A feed address just created, shown this once.
    pub(super) feed_url: String,
}

pub(super) async fn tokens_page(
    state: &AppState,
    viewer: &Viewer,
    (name, expires_in_days): (String, String),
    errors: FormErrors,
    created: NewSecret,
) -> PageResult<TokensPage> {
    let chrome = account_chrome(state, viewer, "tokens").await?;
    let tokens = api_tokens::list(&state.ctx, &viewer.actor).await?;
    let feed_since = calendar::created_at(&state.ctx, &viewer.actor).await?;
    let when = |at: Option<chrono::DateTime<chrono::Utc>>, none: &str| {
        at.map_or_else(|| none.to_string(), |at| format::date_time(at, viewer.tz))
    };
    let row = |t: ApiToken| TokenRow {
        id: t.id.to_string(),
        created: format::date_time(t.created_at, viewer.tz),
        last_used: when(t.last_used_at, "never"),
        expires: when(t.expires_at, "never"),
        name: t.name,
    };
    Ok(TokensPage {
        chrome,
        errors,
        tokens: tokens.into_iter().map(row).collect(),
        name,
        expires_in_days,
        created,
        max_days: MAX_DAYS,
        feed_since: when(feed_since, ""),
        feed_url: String::new(),
    })
}

pub async fn tokens_get(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> PageResult {
    let blank = (String::new(), String::new());
    let page = tokens_page(
        &state,
        &viewer,
        blank,
        FormErrors::default(),
        NewSecret::default(),
    )
    .await?;
    Ok(page::html(&page, &headers))
}

/// `""` → no expiry; `30` → thirty days from now.
fn expiry(
    raw: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(days @ 1..=MAX_DAYS) => Ok(Some(now + Duration::days(days))),
        _ => Err(format!(
            "'{raw}' is not a number of days from 1 to {MAX_DAYS}; leave it empty for a token that does not expire"
        )),
    }
}

/// Creates a token and answers with the page showing its secret (never a redirect, so the
/// secret travels once, in this response only).
pub async fn token_create_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let name = form.fields.get("name").to_string();
    let days = form.fields.get("expires_in_days").to_string();
    let created = match expiry(&days, state.ctx.clock.now()) {
        Ok(expires_at) => {
            let input = api_tokens::NewApiToken {
                name: name.clone(),
                expires_at,
            };
            api_tokens::create(&state.ctx, &form.viewer.actor, input).await
        }
        Err(message) => Err(crate::service::invalid("expires_in_days", message)),
    };
    let (status, errors, shown, created) = match created {
        Ok(created) => {
            let secret = NewSecret {
                name: created.token.name,
                secret: created.secret,
            };
            let blank = (String::new(), String::new());
            (StatusCode::OK, FormErrors::default(), blank, secret)
        }
        Err(e) => {
            let mut errors = FormErrors::from_error(e)?;
            // the service speaks of the instant; the form asks for days
            if let Some(messages) = errors.fields.remove("expires_at") {
                errors.fields.insert("expires_in_days".into(), messages);
            }
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            (status, errors, (name, days), NewSecret::default())
        }
    };
    let page = tokens_page(&state, &form.viewer, shown, errors, created).await?;
    Ok(no_store(page::html_with_status(&page, &headers, status)))
}

pub async fn token_revoke_post(
    State(state): State<AppState>,
    Path(id): Path<ApiTokenId>,
    form: SignedForm,
) -> PageResult {
    let name = api_tokens::revoke(&state.ctx, &form.viewer.actor, id).await?;
    Ok(session::redirect_with_notice(
        "/account/tokens#tokens-title",
        &format!("Token “{name}” revoked; programs using it can no longer sign in with it."),
        state.ctx.settings.secure_cookies,
    ))
}
