//! "Forgot your password?": the page that asks for the address, and the emailed link's page
//! that sets a new password. Rules live in `service::password_resets`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::auth_pages::{anonymous_page, ip_of};
use super::form::{AnonymousForm, FormErrors};
use super::page::{self, Chrome};
use super::session;
use crate::error::AppError;
use crate::http::client_ip::ClientIp;
use crate::http::state::AppState;
use crate::http::web::page_error::PageResult;
use crate::service::password_resets::{self, ResetConfirmation, ResetRequest};

#[derive(Template)]
#[template(path = "auth/forgot_password.html")]
struct ForgotPage {
    chrome: Chrome,
    errors: FormErrors,
    email_on: bool,
    /// The request went through: the same words whoever asked.
    sent: bool,
    email: String,
}

fn forgot_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    errors: FormErrors,
    sent: bool,
    email: &str,
) -> Response {
    let email_on = state.ctx.settings.email;
    anonymous_page(
        headers,
        state.ctx.settings.secure_cookies,
        status,
        |chrome| {
            page::html(
                &ForgotPage {
                    chrome,
                    errors,
                    email_on,
                    sent,
                    email: email.into(),
                },
                headers,
            )
        },
    )
}

/// `GET /forgot-password`.
pub async fn forgot_password_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    forgot_page(
        &state,
        &headers,
        StatusCode::OK,
        FormErrors::default(),
        false,
        "",
    )
}

/// `POST /forgot-password`: the same page whether or not the address has an account.
pub async fn forgot_password_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    let email = fields.get("email").trim().to_string();
    let input = ResetRequest {
        email: email.clone(),
    };
    match password_resets::request(&state.ctx, input, &ip_of(ip.as_deref())).await {
        Ok(()) => Ok(forgot_page(
            &state,
            &headers,
            StatusCode::OK,
            FormErrors::default(),
            true,
            "",
        )),
        Err(e @ AppError::RateLimited { .. }) => Ok(forgot_page(
            &state,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            FormErrors::message(e.to_string()),
            false,
            &email,
        )),
        // email is off: the page already says whom to ask
        Err(AppError::Forbidden(_)) => Ok(forgot_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            FormErrors::default(),
            false,
            "",
        )),
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "auth/reset_password.html")]
struct ResetPage {
    chrome: Chrome,
    errors: FormErrors,
    token: String,
}

fn reset_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    errors: FormErrors,
    token: &str,
) -> Response {
    anonymous_page(
        headers,
        state.ctx.settings.secure_cookies,
        status,
        |chrome| {
            page::html(
                &ResetPage {
                    chrome,
                    errors,
                    token: token.into(),
                },
                headers,
            )
        },
    )
}

/// `GET /reset-password/{token}`: the form, or a page saying why the link cannot be used.
pub async fn reset_password_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> PageResult {
    password_resets::check(&state.ctx, &token).await?;
    Ok(reset_page(
        &state,
        &headers,
        StatusCode::OK,
        FormErrors::default(),
        &token,
    ))
}

/// `POST /reset-password/{token}`: sets the password, then sends the person to sign in.
pub async fn reset_password_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    Path(token): Path<String>,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    let input = ResetConfirmation {
        token: token.clone(),
        password: fields.get("password").to_string(),
    };
    match password_resets::confirm(&state.ctx, input, &ip_of(ip.as_deref())).await {
        Ok(()) => Ok(session::redirect_with_notice(
            "/sign-in",
            "Your password was changed and every session signed out. Sign in with the new password.",
            state.ctx.settings.secure_cookies,
        )),
        Err(e @ AppError::Validation { .. }) => Ok(reset_page(
            &state,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_error(e)?,
            &token,
        )),
        Err(other) => Err(other.into()),
    }
}
