//! The profile page's email forms: "send the link again" and "change the address". Rules
//! live in `service::email_verifications`, which `/api/v1/me/email*` call too.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::profile::{EmailSection, profile_response};
use crate::error::AppError;
use crate::http::state::AppState;
use crate::http::web::form::{FormErrors, SignedForm};
use crate::http::web::page_error::PageResult;
use crate::http::web::session;
use crate::service::email_verifications::{self, EmailChange};

/// The profile page again, with the email section's error (next to the change form) and what
/// was typed; errors that are not the person's to fix go to the error page.
async fn shown_again(
    state: &AppState,
    headers: &HeaderMap,
    form: &SignedForm,
    error: AppError,
) -> PageResult {
    let (status, error) = match error {
        AppError::RateLimited {
            retry_after_seconds,
        } => (
            StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(format!(
                "We sent {} links in the last hour already; try again in {} minutes.",
                email_verifications::MAX_PER_ACCOUNT_PER_HOUR,
                retry_after_seconds.div_ceil(60)
            )),
        ),
        e @ AppError::Validation { .. } => (StatusCode::UNPROCESSABLE_ENTITY, e),
        e @ AppError::Conflict(_) => (StatusCode::CONFLICT, e),
        e @ AppError::Forbidden(_) => (StatusCode::FORBIDDEN, e),
        other => return Err(other.into()),
    };
    let errors = FormErrors::from_error(error)?;
    let section = EmailSection::of(state, &form.viewer, errors, form.fields.get("email").trim());
    profile_response(
        state,
        &form.viewer,
        headers,
        None,
        FormErrors::default(),
        section,
        status,
    )
    .await
}

/// `POST /account/email-verification`: sends the link again.
pub async fn email_verification_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    match email_verifications::resend(&state.ctx, &form.viewer.actor).await {
        Ok(address) => Ok(session::redirect_with_notice(
            "/account/profile",
            &format!("We sent a new link to {address}."),
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => shown_again(&state, &headers, &form, e).await,
    }
}

/// `POST /account/email`: asks for a new address.
pub async fn email_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let input = EmailChange {
        email: form.fields.get("email").trim().to_string(),
        current_password: form.fields.get("current_password").to_string(),
    };
    match email_verifications::request_change(&state.ctx, &form.viewer.actor, input).await {
        Ok(change) => {
            let notice = if change.pending {
                format!(
                    "We sent a link to {}. Your address changes once you follow it.",
                    change.email
                )
            } else {
                format!("Your address is now {}.", change.email)
            };
            Ok(session::redirect_with_notice(
                "/account/profile",
                &notice,
                state.ctx.settings.secure_cookies,
            ))
        }
        Err(e) => shown_again(&state, &headers, &form, e).await,
    }
}
