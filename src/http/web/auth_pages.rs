//! Getting in and out: first-run setup, sign in, sign out, registration, invitations, and the
//! start page that sends each visitor where they belong.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::form::{AnonymousForm, Fields, FormErrors, SignedForm};
use super::org::account_chrome;
use super::page::{self, Chrome};
use super::session::{self, Viewer};
use crate::config::Registration as Policy;
use crate::error::AppError;
use crate::http::client_ip::ClientIp;
use crate::http::cookies;
use crate::http::state::AppState;
use crate::http::web::page_error::PageResult;
use crate::service::{accounts, invitations, organizations, sessions, sso};

/// Every time zone name, for the time zone fields' suggestions.
fn time_zones() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

pub(super) fn ip_of(ip: Option<&ClientIp>) -> String {
    ip.map(|ip| ip.0.to_string()).unwrap_or_default()
}

/// Only paths on this site are followed after signing in, never another origin.
pub(super) fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if ok { next.to_string() } else { "/".into() }
}

/// A page for anonymous visitors, with its form token cookie set if it was missing.
pub(super) fn anonymous_page(
    headers: &HeaderMap,
    secure: bool,
    status: StatusCode,
    render: impl FnOnce(Chrome) -> Response,
) -> Response {
    let (token, fresh) = session::anonymous_form_token(headers);
    let mut chrome = Chrome::anonymous(token.clone());
    chrome.notice = session::notice(headers);
    let mut response = render(chrome);
    // a revalidated page stays "304 Not Modified"; only fresh bodies take the page's status
    if response.status() != StatusCode::NOT_MODIFIED {
        *response.status_mut() = status;
    }
    if fresh {
        session::set_form_cookie(&mut response, &token, secure);
    }
    response
}

/// The viewer, when someone is signed in.
async fn maybe_viewer(parts: &mut Parts, state: &AppState) -> Option<Viewer> {
    Viewer::from_request_parts(parts, state).await.ok()
}

/// `GET /`: setup on a fresh instance, else sign in, else the first organization's timer.
pub async fn start_page(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> PageResult {
    if accounts::is_fresh_instance(&state.ctx).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    let (mut parts, _) = request.into_parts();
    let Some(viewer) = maybe_viewer(&mut parts, &state).await else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let mine = organizations::list_mine(&state.ctx, &viewer.actor).await?;
    Ok(match mine.first() {
        Some(first) => Redirect::to(&format!("/o/{}", first.organization.id)).into_response(),
        None => Redirect::to("/orgs/new").into_response(),
    })
}

/// The account form of the first-run setup and of registration.
#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    chrome: Chrome,
    first_run: bool,
    errors: FormErrors,
    name: String,
    email: String,
    organization_name: String,
    time_zone: String,
    time_zones: Vec<&'static str>,
}

fn account_page(
    chrome: Chrome,
    first_run: bool,
    fields: &Fields,
    errors: FormErrors,
    headers: &HeaderMap,
) -> Response {
    page::html(
        &AccountPage {
            chrome,
            first_run,
            errors,
            name: fields.get("name").into(),
            email: fields.get("email").into(),
            organization_name: fields.get("organization_name").into(),
            time_zone: fields.non_empty("time_zone").unwrap_or("UTC").into(),
            time_zones: time_zones(),
        },
        headers,
    )
}

pub async fn setup_get(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if !accounts::is_fresh_instance(&state.ctx).await? {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    let secure = state.ctx.settings.secure_cookies;
    Ok(anonymous_page(&headers, secure, StatusCode::OK, |chrome| {
        account_page(
            chrome,
            true,
            &Fields::default(),
            FormErrors::default(),
            &headers,
        )
    }))
}

/// Registers, signs in, and lands on the new organization.
async fn register_and_sign_in(
    state: &AppState,
    fields: &Fields,
    headers: &HeaderMap,
    ip: &str,
) -> Result<Response, AppError> {
    let registration = accounts::Registration {
        email: fields.get("email").trim().into(),
        password: fields.get("password").into(),
        name: fields.get("name").into(),
        time_zone: fields.non_empty("time_zone").map(Into::into),
        organization_name: fields.non_empty("organization_name").map(Into::into),
    };
    accounts::register(&state.ctx, registration, ip).await?;
    sign_in_response(
        state,
        fields.get("email").trim(),
        fields.get("password"),
        "/",
        headers,
        ip,
    )
    .await
}

async fn sign_in_response(
    state: &AppState,
    email: &str,
    password: &str,
    next: &str,
    headers: &HeaderMap,
    ip: &str,
) -> Result<Response, AppError> {
    let signed_in = sessions::sign_in(
        &state.ctx,
        email,
        password,
        ip,
        session::user_agent(headers),
    )
    .await?;
    let secure = state.ctx.settings.secure_cookies;
    Ok(match signed_in {
        sessions::SignIn::Session(new) => {
            let mut response = Redirect::to(&safe_next(next)).into_response();
            cookies::set_session(&mut response, &new.token, new.max_age_seconds, secure);
            response
        }
        sessions::SignIn::SecondFactor {
            token,
            max_age_seconds,
        } => {
            let next: String =
                url::form_urlencoded::byte_serialize(safe_next(next).as_bytes()).collect();
            let mut response =
                Redirect::to(&format!("/sign-in/two-factor?next={next}")).into_response();
            cookies::set_challenge(&mut response, &token, max_age_seconds, secure);
            response
        }
    })
}

pub async fn setup_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    if !accounts::is_fresh_instance(&state.ctx).await? {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    let ip = ip_of(ip.as_deref());
    match register_and_sign_in(&state, &fields, &headers, &ip).await {
        Ok(response) => Ok(response),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let secure = state.ctx.settings.secure_cookies;
            Ok(anonymous_page(
                &headers,
                secure,
                StatusCode::UNPROCESSABLE_ENTITY,
                |chrome| account_page(chrome, true, &fields, errors, &headers),
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "auth/sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    next: String,
    registration_open: bool,
    /// The instance's provider, when the operator configured one: "Sign in with <this>".
    instance_sso: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    pub(super) next: String,
}

pub async fn sign_in_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> PageResult {
    if accounts::is_fresh_instance(&state.ctx).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    let secure = state.ctx.settings.secure_cookies;
    let open = state.ctx.settings.registration == Policy::Open;
    Ok(anonymous_page(&headers, secure, StatusCode::OK, |chrome| {
        page::html(
            &SignInPage {
                chrome,
                errors: FormErrors::default(),
                email: String::new(),
                next: safe_next(&query.next),
                registration_open: open,
                instance_sso: sso::instance_display_name(&state.ctx).map(str::to_string),
            },
            &headers,
        )
    }))
}

pub async fn sign_in_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    let ip = ip_of(ip.as_deref());
    let email = fields.get("email").trim();
    match sign_in_response(
        &state,
        email,
        fields.get("password"),
        fields.get("next"),
        &headers,
        &ip,
    )
    .await
    {
        Ok(response) => Ok(response),
        Err(e) => {
            let status = match e {
                AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            let errors = match e {
                AppError::Unauthorized => FormErrors::message(
                    "The email or password is not right. Check both and try again.",
                ),
                other => FormErrors::from_error(other)?,
            };
            let secure = state.ctx.settings.secure_cookies;
            let open = state.ctx.settings.registration == Policy::Open;
            Ok(anonymous_page(&headers, secure, status, |chrome| {
                page::html(
                    &SignInPage {
                        chrome,
                        errors,
                        email: email.into(),
                        next: safe_next(fields.get("next")),
                        registration_open: open,
                        instance_sso: sso::instance_display_name(&state.ctx).map(str::to_string),
                    },
                    &headers,
                )
            }))
        }
    }
}

pub async fn sign_out_post(State(state): State<AppState>, form: SignedForm) -> PageResult {
    sessions::revoke(&state.ctx, &form.viewer.actor, form.viewer.session).await?;
    let secure = state.ctx.settings.secure_cookies;
    let mut response = session::redirect_with_notice("/sign-in", "You are signed out.", secure);
    crate::http::cookies::clear_session(&mut response, secure);
    Ok(response)
}

fn registration_closed(state: &AppState) -> Option<AppError> {
    accounts::registration_refused(state.ctx.settings.registration)
}

pub async fn register_get(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if accounts::is_fresh_instance(&state.ctx).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    if let Some(e) = registration_closed(&state) {
        return Err(e.into());
    }
    let secure = state.ctx.settings.secure_cookies;
    Ok(anonymous_page(&headers, secure, StatusCode::OK, |chrome| {
        account_page(
            chrome,
            false,
            &Fields::default(),
            FormErrors::default(),
            &headers,
        )
    }))
}

pub async fn register_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    let ip = ip_of(ip.as_deref());
    match register_and_sign_in(&state, &fields, &headers, &ip).await {
        Ok(response) => Ok(response),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let secure = state.ctx.settings.secure_cookies;
            Ok(anonymous_page(
                &headers,
                secure,
                StatusCode::UNPROCESSABLE_ENTITY,
                |chrome| account_page(chrome, false, &fields, errors, &headers),
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "auth/invite.html")]
struct InvitePage {
    chrome: Chrome,
    errors: FormErrors,
    token: String,
    org_name: String,
    email: String,
    role: &'static str,
    name: String,
    time_zone: String,
    time_zones: Vec<&'static str>,
}

async fn invite_page(
    state: &AppState,
    viewer: Option<&Viewer>,
    token: &str,
    fields: &Fields,
    errors: FormErrors,
    headers: &HeaderMap,
    status: StatusCode,
) -> PageResult {
    let preview = invitations::preview(&state.ctx, token).await?;
    let render = |chrome: Chrome| {
        page::html_with_status(
            &InvitePage {
                chrome,
                errors,
                token: token.into(),
                org_name: preview.organization_name.clone(),
                email: preview.email.clone(),
                role: preview.role.as_str(),
                name: fields.get("name").into(),
                time_zone: fields.non_empty("time_zone").unwrap_or("UTC").into(),
                time_zones: time_zones(),
            },
            headers,
            status,
        )
    };
    match viewer {
        Some(viewer) => Ok(render(account_chrome(state, viewer, "").await?)),
        None => Ok(anonymous_page(
            headers,
            state.ctx.settings.secure_cookies,
            status,
            render,
        )),
    }
}

pub async fn invite_get(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: axum::extract::Request,
) -> PageResult {
    let (mut parts, _) = request.into_parts();
    let viewer = maybe_viewer(&mut parts, &state).await;
    invite_page(
        &state,
        viewer.as_ref(),
        &token,
        &Fields::default(),
        FormErrors::default(),
        &parts.headers,
        StatusCode::OK,
    )
    .await
}

/// Accepts as the signed-in person (session form token), or creates the invited account
/// (anonymous form token) and signs it in.
pub async fn invite_post(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: axum::extract::Request,
) -> PageResult {
    let headers = request.headers().clone();
    let ip = request
        .extensions()
        .get::<ClientIp>()
        .map(|ip| ip.0.to_string())
        .unwrap_or_default();
    let signed_in = cookies::get(
        &headers,
        cookies::session_name(state.ctx.settings.secure_cookies),
    )
    .is_some();
    if signed_in {
        let form =
            <SignedForm as axum::extract::FromRequest<AppState>>::from_request(request, &state)
                .await?;
        let result = invitations::accept(
            &state.ctx,
            &token,
            Some(&form.viewer.actor),
            invitations::NewAccount::default(),
            &ip,
        )
        .await;
        return match result {
            Ok(mine) => {
                let welcome = session::redirect_with_notice(
                    &format!("/o/{}", mine.organization.id),
                    &format!("Welcome to {}.", mine.organization.name),
                    state.ctx.settings.secure_cookies,
                );
                Ok(session::with_rotated_session(&state, &form.viewer, &headers, welcome).await?)
            }
            Err(e) => {
                let errors = FormErrors::from_error(e)?;
                invite_page(
                    &state,
                    Some(&form.viewer),
                    &token,
                    &form.fields,
                    errors,
                    &headers,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        };
    }
    let AnonymousForm(fields) =
        <AnonymousForm as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await?;
    let preview = invitations::preview(&state.ctx, &token).await?;
    let account = invitations::NewAccount {
        name: Some(fields.get("name").into()),
        password: Some(fields.get("password").into()),
        time_zone: fields.non_empty("time_zone").map(Into::into),
    };
    let accepted = async {
        invitations::accept(&state.ctx, &token, None, account, &ip).await?;
        sign_in_response(
            &state,
            &preview.email,
            fields.get("password"),
            "/",
            &headers,
            &ip,
        )
        .await
    }
    .await;
    match accepted {
        Ok(response) => Ok(response),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            invite_page(
                &state,
                None,
                &token,
                &fields,
                errors,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "auth/new_org.html")]
struct NewOrgPage {
    chrome: Chrome,
    errors: FormErrors,
    name: String,
    currency: String,
}

pub async fn new_org_get(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> PageResult {
    let chrome = account_chrome(&state, &viewer, "").await?;
    let mut chrome = chrome;
    chrome.org = None;
    Ok(page::html(
        &NewOrgPage {
            chrome,
            errors: FormErrors::default(),
            name: String::new(),
            currency: "EUR".into(),
        },
        &headers,
    ))
}

pub async fn new_org_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let fields = &form.fields;
    let input = organizations::OrganizationInput {
        name: Some(fields.get("name").into()),
        currency: Some(fields.get("currency").trim().to_uppercase()),
        ..Default::default()
    };
    match organizations::create(&state.ctx, &form.viewer.actor, input).await {
        Ok(mine) => {
            let ready = session::redirect_with_notice(
                &format!("/o/{}", mine.organization.id),
                &format!(
                    "{} is ready. Add a client and a project, or start a timer.",
                    mine.organization.name
                ),
                state.ctx.settings.secure_cookies,
            );
            Ok(session::with_rotated_session(&state, &form.viewer, &headers, ready).await?)
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let mut chrome = account_chrome(&state, &form.viewer, "").await?;
            chrome.org = None;
            Ok(page::html_with_status(
                &NewOrgPage {
                    chrome,
                    errors,
                    name: fields.get("name").into(),
                    currency: fields.get("currency").into(),
                },
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}
