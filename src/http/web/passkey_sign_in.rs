//! Signing in with a passkey: password-less from `/sign-in`, and as the second factor at
//! `/sign-in/two-factor`. Each starts with a post that answers the options for
//! `navigator.credentials.get()` as JSON (read by `static/passkeys.js`), and ends with a form
//! post carrying the browser's answer in `credential`.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;

use super::auth_pages::{ip_of, safe_next};
use super::form::AnonymousForm;
use super::page_error::PageResult;
use super::session;
use super::sign_in_code::{ENDED, answer, challenge, start_again};
use crate::error::AppError;
use crate::http::client_ip::ClientIp;
use crate::http::cookies;
use crate::http::state::AppState;
use crate::service::passkeys::{self, Purpose};
use crate::service::sessions;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in/passkey/options", post(sign_in_options_post))
        .route("/sign-in/passkey", post(sign_in_passkey_post))
        .route(
            "/sign-in/two-factor/passkey/options",
            post(second_factor_options_post),
        )
        .route(
            "/sign-in/two-factor/passkey",
            post(second_factor_passkey_post),
        )
}

/// Ceremony options for the page's script; never cached (each holds a fresh challenge).
pub(super) fn options_json(json: String) -> Response {
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Why no ceremony could start, for the page's script to show: `{"detail": "…"}`.
pub(super) fn options_refused(e: AppError) -> Response {
    let (status, detail) = match e {
        AppError::Validation { fields, message } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            fields
                .iter()
                .next()
                .and_then(|(field, messages)| {
                    messages
                        .first()
                        .map(|m| format!("{} {m}", super::form::label(field)))
                })
                .unwrap_or(message),
        ),
        AppError::Unauthorized => (StatusCode::UNAUTHORIZED, ENDED.to_string()),
        e => {
            tracing::error!(error = %e, "starting a passkey ceremony failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Passkeys are not available right now. Try again later.".to_string(),
            )
        }
    };
    (status, axum::Json(serde_json::json!({ "detail": detail }))).into_response()
}

async fn sign_in_options_post(State(state): State<AppState>, _form: AnonymousForm) -> Response {
    match passkeys::assertion_begin(&state.ctx, Purpose::SignIn, None).await {
        Ok(json) => options_json(json),
        Err(e) => options_refused(e),
    }
}

const NOT_SIGNED_IN: &str = "That passkey did not sign you in: it is not registered here, was removed, or the request ended. Try again, or sign in with your password.";

async fn sign_in_passkey_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    let ip = ip_of(ip.as_deref());
    let secure = state.ctx.settings.secure_cookies;
    let credential = fields.get("credential");
    let user_agent = session::user_agent(&headers);
    match sessions::sign_in_with_passkey(&state.ctx, credential, &ip, user_agent).await {
        Ok(new) => {
            let mut response = Redirect::to(&safe_next(fields.get("next"))).into_response();
            cookies::set_session(&mut response, &new.token, new.max_age_seconds, secure);
            Ok(response)
        }
        Err(AppError::Unauthorized | AppError::Validation { .. }) => {
            Ok(refused(NOT_SIGNED_IN, secure))
        }
        Err(e @ AppError::RateLimited { .. }) => Ok(refused(&e.to_string(), secure)),
        Err(e) => Err(e.into()),
    }
}

/// Back to the sign-in page with the reason.
fn refused(notice: &str, secure: bool) -> Response {
    session::redirect_with_notice("/sign-in", notice, secure)
}

async fn second_factor_options_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    _form: AnonymousForm,
) -> Response {
    let Some(token) = challenge(&state, &headers) else {
        return options_refused(AppError::Unauthorized);
    };
    let user = match sessions::challenge_user(&state.ctx, token).await {
        Ok(user) => user,
        Err(e) => return options_refused(e),
    };
    match passkeys::assertion_begin(&state.ctx, Purpose::SecondFactor, Some(user)).await {
        Ok(json) => options_json(json),
        Err(e) => options_refused(e),
    }
}

async fn second_factor_passkey_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    let Some(token) = challenge(&state, &headers) else {
        return Ok(start_again(&state, ENDED));
    };
    let ip = ip_of(ip.as_deref());
    let user_agent = session::user_agent(&headers);
    let credential = fields.get("credential");
    let completed =
        sessions::complete_sign_in_with_passkey(&state.ctx, token, credential, &ip, user_agent)
            .await;
    Ok(answer(&state, &headers, &fields, completed).await?)
}
