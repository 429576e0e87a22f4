//! `/o/{org}/settings/sso`: the organization's OpenID provider. Admins and owners only; the
//! client secret is a write-only field (never rendered back, even after a failed save).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};

use super::fixable;
use crate::domain::ids::OrganizationId;
use crate::domain::role::{Permission, allows};
use crate::error::AppError;
use crate::http::state::AppState;
use crate::http::web::form::{Fields, FormErrors, SignedForm};
use crate::http::web::org::org_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{self, Viewer};
use crate::service::sso::settings::{self, SsoInput, SsoSettings};

/// The form as shown: the saved values, or what was posted (never the secret).
#[derive(Default)]
struct SsoForm {
    display_name: String,
    issuer: String,
    client_id: String,
    /// One per line.
    allowed_domains: String,
}

impl SsoForm {
    fn of(saved: &SsoSettings) -> Self {
        Self {
            display_name: saved.display_name.clone(),
            issuer: saved.issuer.clone(),
            client_id: saved.client_id.clone(),
            allowed_domains: saved.allowed_domains.join("\n"),
        }
    }

    fn posted(fields: &Fields) -> Self {
        Self {
            display_name: fields.get("display_name").into(),
            issuer: fields.get("issuer").into(),
            client_id: fields.get("client_id").into(),
            allowed_domains: fields.get("allowed_domains").into(),
        }
    }
}

#[derive(Template)]
#[template(path = "manage/sso.html")]
struct SsoPage {
    chrome: Chrome,
    org_name: String,
    errors: FormErrors,
    form: SsoForm,
    /// Saved settings exist (the secret may be left empty to keep it).
    configured: bool,
    redirect_uri: String,
    sign_in_url: String,
}

async fn sso_page(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    shown: Option<(SsoForm, FormErrors)>,
    headers: &HeaderMap,
    status: StatusCode,
) -> PageResult {
    let (chrome, mine) = org_chrome(state, viewer, org, "settings").await?;
    if !allows(mine.role, Permission::UpdateOrganization) {
        return Err(AppError::Forbidden(
            "Only admins and owners can see and change single sign-on.".into(),
        )
        .into());
    }
    let saved = settings::get(&state.ctx, &viewer.actor, org).await?;
    let (form, errors) = shown.unwrap_or_else(|| {
        let form = saved.as_ref().map(SsoForm::of).unwrap_or_default();
        (form, FormErrors::default())
    });
    let template = SsoPage {
        chrome,
        org_name: mine.organization.name.clone(),
        errors,
        form,
        configured: saved.is_some(),
        redirect_uri: settings::redirect_uri_for(&state.ctx, org),
        sign_in_url: format!("{}/sso/{org}", state.ctx.settings.public_url),
    };
    Ok(page::html_with_status(&template, headers, status))
}

pub async fn sso_settings_get(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
) -> PageResult {
    sso_page(&state, &viewer, org, None, &headers, StatusCode::OK).await
}

pub async fn sso_settings_post(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let posted = SsoForm::posted(&form.fields);
    let input = SsoInput {
        display_name: posted.display_name.clone(),
        issuer: posted.issuer.trim().to_string(),
        client_id: posted.client_id.clone(),
        client_secret: form.fields.non_empty("client_secret").map(str::to_string),
        allowed_domains: vec![posted.allowed_domains.clone()],
    };
    let errors = match settings::save(&state.ctx, &form.viewer.actor, org, input).await {
        Ok(_) => {
            return Ok(session::redirect_with_notice(
                &format!("/o/{org}/settings/sso"),
                "Single sign-on settings saved. Try the sign-in link below in a private window.",
                state.ctx.settings.secure_cookies,
            ));
        }
        Err(e) => fixable(e)?,
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    sso_page(
        &state,
        &form.viewer,
        org,
        Some((posted, errors)),
        &headers,
        status,
    )
    .await
}

pub async fn sso_remove_post(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    form: SignedForm,
) -> PageResult {
    settings::remove(&state.ctx, &form.viewer.actor, org).await?;
    Ok(session::redirect_with_notice(
        &format!("/o/{org}/settings/sso"),
        "Single sign-on is off. Members sign in with their passwords.",
        state.ctx.settings.secure_cookies,
    ))
}
