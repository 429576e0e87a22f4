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
use crate::service::sso::settings::{
    self, PasswordSignInPolicy, RoleMappingInput, SsoInput, SsoSettings,
};

/// The form as shown: the saved values, or what was posted (never the secret).
struct SsoForm {
    display_name: String,
    issuer: String,
    client_id: String,
    /// One per line.
    allowed_domains: String,
    groups_claim: String,
    /// One `group = role` per line.
    role_mappings: String,
    default_role: String,
    refuse_unmapped: bool,
}

impl SsoForm {
    fn of(saved: &SsoSettings) -> Self {
        Self {
            display_name: saved.display_name.clone(),
            issuer: saved.issuer.clone(),
            client_id: saved.client_id.clone(),
            allowed_domains: saved.allowed_domains.join("\n"),
            groups_claim: saved.groups_claim.clone(),
            role_mappings: saved
                .role_mappings
                .iter()
                .map(|m| format!("{} = {}", m.group, m.role.as_str()))
                .collect::<Vec<_>>()
                .join("\n"),
            default_role: saved.default_role.as_str().into(),
            refuse_unmapped: saved.refuse_unmapped,
        }
    }

    fn posted(fields: &Fields) -> Self {
        Self {
            display_name: fields.get("display_name").into(),
            issuer: fields.get("issuer").into(),
            client_id: fields.get("client_id").into(),
            allowed_domains: fields.get("allowed_domains").into(),
            groups_claim: fields.get("groups_claim").into(),
            role_mappings: fields.get("role_mappings").into(),
            default_role: fields.get("default_role").into(),
            refuse_unmapped: fields.get("refuse_unmapped") == "true",
        }
    }

    /// `group = role` lines (the last `=` splits: group names may hold one); blank lines skipped.
    fn mappings(&self) -> Vec<RoleMappingInput> {
        self.role_mappings
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let (group, role) = line.rsplit_once('=').unwrap_or((line, ""));
                RoleMappingInput {
                    group: group.trim().to_string(),
                    role: role.trim().to_string(),
                }
            })
            .collect()
    }
}

impl Default for SsoForm {
    fn default() -> Self {
        Self {
            display_name: String::new(),
            issuer: String::new(),
            client_id: String::new(),
            allowed_domains: String::new(),
            groups_claim: "groups".into(),
            role_mappings: String::new(),
            default_role: "member".into(),
            refuse_unmapped: false,
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
    /// Members reach the organization only through the provider.
    password_sign_in_disabled: bool,
    provider_name: String,
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
        password_sign_in_disabled: saved.as_ref().is_some_and(|s| s.password_sign_in_disabled),
        provider_name: saved
            .as_ref()
            .map(|s| s.display_name.clone())
            .unwrap_or_default(),
        redirect_uri: settings::redirect_uri_for(&state.ctx, org),
        sign_in_url: settings::sign_in_url_for(&state.ctx, org),
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
        groups_claim: Some(posted.groups_claim.clone()),
        role_mappings: posted.mappings(),
        default_role: Some(posted.default_role.clone()),
        refuse_unmapped: posted.refuse_unmapped,
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

/// Turns password sign-in for members off or on (`disabled` is `true` or `false`).
pub async fn sso_password_sign_in_post(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let disabled = form.fields.get("disabled") == "true";
    let policy = PasswordSignInPolicy {
        password_sign_in_disabled: disabled,
    };
    match settings::set_password_sign_in(&state.ctx, &form.viewer.actor, org, policy).await {
        Ok(_) => Ok(session::redirect_with_notice(
            &format!("/o/{org}/settings/sso"),
            if disabled {
                "Password sign-in is off: members come in through single sign-on."
            } else {
                "Members may sign in with their passwords again."
            },
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => {
            let errors = fixable(e)?;
            let saved = settings::get(&state.ctx, &form.viewer.actor, org).await?;
            let shown = saved.as_ref().map(SsoForm::of).unwrap_or_default();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            sso_page(
                &state,
                &form.viewer,
                org,
                Some((shown, errors)),
                &headers,
                status,
            )
            .await
        }
    }
}
