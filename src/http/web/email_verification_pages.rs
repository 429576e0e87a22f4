//! The emailed verification link's page: opening it shows the address and a button; pressing
//! the button proves the address (or puts a new one in use). Opening alone changes nothing,
//! because mail scanners open links too. Rules live in `service::email_verifications`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};

use super::auth_pages::{anonymous_page, ip_of};
use super::form::AnonymousForm;
use super::page::{self, Chrome};
use crate::http::client_ip::ClientIp;
use crate::http::state::AppState;
use crate::http::web::page_error::PageResult;
use crate::service::email_verifications;

#[derive(Template)]
#[template(path = "auth/verify_email.html")]
struct ConfirmPage {
    chrome: Chrome,
    email: String,
    changed: bool,
    token: String,
}

#[derive(Template)]
#[template(path = "auth/email_verified.html")]
struct VerifiedPage {
    chrome: Chrome,
    email: String,
    changed: bool,
}

/// `GET /verify-email/{token}`: the address the link is for and a button to confirm it, or a
/// page saying why the link cannot be used. Reads only.
pub async fn verify_email_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> PageResult {
    let pending = email_verifications::check(&state.ctx, &token).await?;
    Ok(anonymous_page(
        &headers,
        state.ctx.settings.secure_cookies,
        StatusCode::OK,
        |chrome| {
            page::html(
                &ConfirmPage {
                    chrome,
                    email: pending.email,
                    changed: pending.changed,
                    token,
                },
                &headers,
            )
        },
    ))
}

/// `POST /verify-email/{token}`: the button; uses the link up.
pub async fn verify_email_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    Path(token): Path<String>,
    AnonymousForm(_): AnonymousForm,
) -> PageResult {
    let verified = email_verifications::confirm(&state.ctx, &token, &ip_of(ip.as_deref())).await?;
    Ok(anonymous_page(
        &headers,
        state.ctx.settings.secure_cookies,
        StatusCode::OK,
        |chrome| {
            page::html(
                &VerifiedPage {
                    chrome,
                    email: verified.email,
                    changed: verified.changed,
                },
                &headers,
            )
        },
    ))
}
