//! Single sign-on pages: `/sign-in/sso` (find your organization by your work email),
//! `/sso/{org}` (the link admins share: off to the provider), `/sso/{org}/callback` (back from
//! it) and `/sso/{org}/link` (confirm an existing account with its password). The instance's
//! provider has the same three under `/sso/instance` (`sso_instance_pages`), served by the same
//! functions here, which take the `Scope`. The rules are `service::sso`'s; these pages parse,
//! call and render.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth_pages::{anonymous_page, ip_of};
use super::form::{AnonymousForm, FormErrors};
use super::page::{self, Chrome};
use super::page_error::PageResult;
use super::session;
use crate::domain::ids::OrganizationId;
use crate::domain::sso::Scope;
use crate::error::AppError;
use crate::http::client_ip::ClientIp;
use crate::http::cookies;
use crate::http::state::AppState;
use crate::service::sso::{self, link, sign_in};

struct ChoiceRow {
    href: String,
    organization: String,
    provider: String,
}

#[derive(Template)]
#[template(path = "auth/sso_find.html")]
struct FindPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    choices: Vec<ChoiceRow>,
}

fn find_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    page: impl FnOnce(Chrome) -> FindPage,
) -> Response {
    let secure = state.ctx.settings.secure_cookies;
    anonymous_page(headers, secure, status, |chrome| {
        page::html(&page(chrome), headers)
    })
}

pub async fn sso_find_get(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    Ok(find_page(&state, &headers, StatusCode::OK, |chrome| {
        FindPage {
            chrome,
            errors: FormErrors::default(),
            email: String::new(),
            choices: Vec::new(),
        }
    }))
}

pub async fn sso_find_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    let email = fields.get("email").trim().to_string();
    // a page with links, never a redirect: the page's CSP (`form-action 'self'`) also covers
    // where a form's redirects lead, and the provider is another origin
    let (status, errors, choices) = match sso::choices_for(&state.ctx, &email).await {
        Ok(choices) => (StatusCode::OK, FormErrors::default(), choices),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_error(e)?,
            Vec::new(),
        ),
    };
    let choices = choices
        .into_iter()
        .map(|c| ChoiceRow {
            href: format!("/sso/{}", c.organization),
            organization: c.organization_name,
            provider: c.display_name,
        })
        .collect();
    Ok(find_page(&state, &headers, status, |chrome| FindPage {
        chrome,
        errors,
        email,
        choices,
    }))
}

/// `GET /sso/{org}`: off to the organization's provider, the sign-in bound to this browser.
pub async fn sso_start_get(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
) -> PageResult {
    start(&state, Scope::Organization(org)).await
}

pub(super) async fn start(state: &AppState, scope: Scope) -> PageResult {
    let started = sign_in::start(&state.ctx, scope).await?;
    let secure = state.ctx.settings.secure_cookies;
    let mut response = Redirect::to(&started.authorize_url).into_response();
    let name = cookies::sso_login_name(secure);
    cookies::set_sso(
        &mut response,
        name,
        &started.token,
        started.max_age_seconds,
        secure,
    );
    Ok(response)
}

#[derive(Deserialize)]
pub(super) struct CallbackQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/sso_refused.html")]
struct RefusedPage {
    chrome: Chrome,
    message: String,
    start_again: String,
}

/// `GET /sso/{org}/callback`: the provider's answer. Whatever happens, the sign-in's cookie
/// is dropped: it is good for one answer.
pub async fn sso_callback_get(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    Query(query): Query<CallbackQuery>,
) -> PageResult {
    callback(&state, Scope::Organization(org), &headers, ip, query).await
}

/// Where a person lands once signed in: the organization whose provider it was; from the
/// instance's, the start page (their first organization, or making one).
fn landing(scope: Scope) -> String {
    match scope {
        Scope::Organization(org) => format!("/o/{org}"),
        Scope::Instance => "/".to_string(),
    }
}

pub(super) async fn callback(
    state: &AppState,
    scope: Scope,
    headers: &HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    query: CallbackQuery,
) -> PageResult {
    let secure = state.ctx.settings.secure_cookies;
    let login_cookie = cookies::sso_login_name(secure);
    let ip = ip_of(ip.as_deref());
    let base = scope.path();
    let callback = sign_in::Callback {
        scope,
        token: cookies::get(headers, login_cookie).filter(|t| !t.is_empty()),
        state: &query.state,
        code: query.code.as_deref(),
        error: query.error.as_deref(),
        ip: &ip,
        user_agent: session::user_agent(headers),
    };
    let mut response = match sign_in::finish(&state.ctx, callback).await {
        Ok(sign_in::Finished::SignedIn(new)) => {
            let mut response = Redirect::to(&landing(scope)).into_response();
            cookies::set_session(&mut response, &new.token, new.max_age_seconds, secure);
            response
        }
        Ok(sign_in::Finished::ConfirmLink {
            token,
            max_age_seconds,
        }) => {
            let mut response = Redirect::to(&format!("{base}/link")).into_response();
            let name = cookies::sso_link_name(secure);
            cookies::set_sso(&mut response, name, &token, max_age_seconds, secure);
            response
        }
        Err(AppError::Forbidden(message)) => {
            anonymous_page(headers, secure, StatusCode::FORBIDDEN, |chrome| {
                page::html(
                    &RefusedPage {
                        chrome,
                        message,
                        start_again: base,
                    },
                    headers,
                )
            })
        }
        Err(e) => return Err(e.into()),
    };
    cookies::set_sso(&mut response, login_cookie, "", 0, secure);
    Ok(response)
}

#[derive(Template)]
#[template(path = "auth/sso_link.html")]
struct LinkPage {
    chrome: Chrome,
    errors: FormErrors,
    action: String,
    preview: link::Preview,
}

fn link_token<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    let name = cookies::sso_link_name(state.ctx.settings.secure_cookies);
    cookies::get(headers, name).filter(|t| !t.is_empty())
}

const LINK_ENDED: &str = "Connecting your sign-in ended (it waits 10 minutes, and a few wrong passwords end it). Start again.";

fn link_ended(state: &AppState) -> Response {
    let secure = state.ctx.settings.secure_cookies;
    let mut response = session::redirect_with_notice("/sign-in", LINK_ENDED, secure);
    cookies::set_sso(&mut response, cookies::sso_link_name(secure), "", 0, secure);
    response
}

async fn link_page(
    state: &AppState,
    scope: Scope,
    token: &str,
    headers: &HeaderMap,
    status: StatusCode,
    errors: FormErrors,
) -> PageResult {
    let preview = match link::preview(&state.ctx, scope, token).await {
        Ok(preview) => preview,
        Err(AppError::Unauthorized) => return Ok(link_ended(state)),
        Err(e) => return Err(e.into()),
    };
    let secure = state.ctx.settings.secure_cookies;
    Ok(anonymous_page(headers, secure, status, |chrome| {
        page::html(
            &LinkPage {
                chrome,
                errors,
                action: format!("{}/link", scope.path()),
                preview,
            },
            headers,
        )
    }))
}

pub async fn sso_link_get(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
) -> PageResult {
    link_get(&state, Scope::Organization(org), &headers).await
}

pub(super) async fn link_get(state: &AppState, scope: Scope, headers: &HeaderMap) -> PageResult {
    let Some(token) = link_token(state, headers) else {
        return Ok(link_ended(state));
    };
    let ok = FormErrors::default();
    link_page(state, scope, token, headers, StatusCode::OK, ok).await
}

pub async fn sso_link_post(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    link_post(&state, Scope::Organization(org), &headers, ip, fields).await
}

pub(super) async fn link_post(
    state: &AppState,
    scope: Scope,
    headers: &HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    fields: super::form::Fields,
) -> PageResult {
    let Some(token) = link_token(state, headers) else {
        return Ok(link_ended(state));
    };
    let ip = ip_of(ip.as_deref());
    let proof = link::Proof {
        password: fields.get("password"),
        code: fields.non_empty("code"),
        ip: &ip,
        user_agent: session::user_agent(headers),
    };
    match link::confirm(&state.ctx, scope, token, proof).await {
        Ok(new) => {
            let secure = state.ctx.settings.secure_cookies;
            let mut response = session::redirect_with_notice(
                &landing(scope),
                "Your single sign-on is connected to this account. Next time, sign in with it.",
                secure,
            );
            cookies::set_sso(&mut response, cookies::sso_link_name(secure), "", 0, secure);
            cookies::set_session(&mut response, &new.token, new.max_age_seconds, secure);
            Ok(response)
        }
        Err(AppError::Unauthorized) => Ok(link_ended(state)),
        Err(e) => {
            let status = match e {
                AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNAUTHORIZED,
            };
            let errors = FormErrors::from_error(e)?;
            link_page(state, scope, token, headers, status, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "auth/sso_required.html")]
struct RequiredPage {
    chrome: Chrome,
    organization: String,
    provider: String,
    start: String,
}

/// `GET /sso/{org}/required`: where a member is sent whose organization lets them in only
/// through its single sign-on, when they came in another way (403: what they asked for was
/// refused); it offers the organization's provider.
pub async fn sso_required_get(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
) -> PageResult {
    let choice = sso::choice_of(&state.ctx, org).await?;
    let secure = state.ctx.settings.secure_cookies;
    Ok(anonymous_page(
        &headers,
        secure,
        StatusCode::FORBIDDEN,
        |chrome| {
            page::html(
                &RequiredPage {
                    chrome,
                    organization: choice.organization_name,
                    provider: choice.display_name,
                    start: format!("/sso/{org}"),
                },
                &headers,
            )
        },
    ))
}
