//! `/sign-in/two-factor`: the second step of signing in when two-factor sign-in is on. The
//! password page leaves a short-lived challenge cookie; a right code (or passkey) here turns it
//! into a session. The page offers the factors the person has: the code field only with an
//! authenticator app, the passkey button with passkeys.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::auth_pages::{NextQuery, anonymous_page, ip_of, safe_next};
use super::form::{AnonymousForm, Fields, FormErrors};
use super::page::{self, Chrome};
use super::page_error::PageResult;
use super::session;
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::cookies;
use crate::http::state::AppState;
use crate::service::sessions::{self, ChallengeFactors, NewSession};

#[derive(Template)]
#[template(path = "auth/sign_in_code.html")]
struct SignInCodePage {
    chrome: Chrome,
    errors: FormErrors,
    next: String,
    factors: ChallengeFactors,
}

pub(super) fn challenge<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    cookies::get(
        headers,
        cookies::challenge_name(state.ctx.settings.secure_cookies),
    )
    .filter(|token| !token.is_empty())
}

/// Back to the password page, the dead challenge's cookie dropped.
pub(super) fn start_again(state: &AppState, notice: &str) -> Response {
    let secure = state.ctx.settings.secure_cookies;
    let mut response = session::redirect_with_notice("/sign-in", notice, secure);
    cookies::clear_challenge(&mut response, secure);
    response
}

pub(super) const ENDED: &str = "Your sign-in ended (it waits 5 minutes for the code, and a few wrong codes end it). Sign in again.";

fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    errors: FormErrors,
    next: &str,
    factors: ChallengeFactors,
) -> Response {
    let secure = state.ctx.settings.secure_cookies;
    anonymous_page(headers, secure, status, |chrome| {
        page::html(
            &SignInCodePage {
                chrome,
                errors,
                next: safe_next(next),
                factors,
            },
            headers,
        )
    })
}

pub async fn sign_in_code_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> PageResult {
    let factors = match challenge(&state, &headers) {
        Some(token) => sessions::challenge_factors(&state.ctx, token).await?,
        None => None,
    };
    let Some(factors) = factors else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    Ok(page(
        &state,
        &headers,
        StatusCode::OK,
        FormErrors::default(),
        &query.next,
        factors,
    ))
}

pub async fn sign_in_code_post(
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
    let code = fields.get("code");
    let completed = sessions::complete_sign_in(&state.ctx, token, code, &ip, user_agent).await;
    Ok(answer(&state, &headers, &fields, completed).await?)
}

/// The page's answer to a completed (or refused) challenge: signed in and on to `next`, back to
/// the start when the challenge ended, else this page again with the error.
pub(super) async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    fields: &Fields,
    completed: AppResult<NewSession>,
) -> AppResult<Response> {
    match completed {
        Ok(new) => {
            let secure = state.ctx.settings.secure_cookies;
            let mut response = Redirect::to(&safe_next(fields.get("next"))).into_response();
            cookies::clear_challenge(&mut response, secure);
            cookies::set_session(&mut response, &new.token, new.max_age_seconds, secure);
            Ok(response)
        }
        Err(AppError::Unauthorized) => Ok(start_again(state, ENDED)),
        Err(e) => {
            let status = match e {
                AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            let errors = FormErrors::from_error(e)?;
            let factors = match challenge(state, headers) {
                Some(token) => sessions::challenge_factors(&state.ctx, token).await?,
                None => None,
            };
            // the refusal may have used the challenge's last attempt: the page still says why,
            // with every way in (the next post starts again)
            let factors = factors.unwrap_or(ChallengeFactors {
                app: true,
                passkeys: true,
            });
            let next = fields.get("next");
            Ok(page(state, headers, status, errors, next, factors))
        }
    }
}
