//! The emailed verification link's page: following it proves the address (or puts a new one in
//! use). Rules live in `service::email_verifications`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};

use super::auth_pages::{anonymous_page, ip_of};
use super::page::{self, Chrome};
use crate::http::client_ip::ClientIp;
use crate::http::state::AppState;
use crate::http::web::page_error::PageResult;
use crate::service::email_verifications;

#[derive(Template)]
#[template(path = "auth/email_verified.html")]
struct VerifiedPage {
    chrome: Chrome,
    email: String,
    changed: bool,
}

/// `GET /verify-email/{token}`: the link does its work when followed (it only proves that
/// whoever holds the mailbox opened it), or the page says why it cannot and nothing changes.
pub async fn verify_email_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    Path(token): Path<String>,
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
