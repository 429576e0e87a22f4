//! `/o/{org}/settings`: the organization's name, currency, default rate and entry rules, and
//! deleting it. Admins and owners only; deleting is the owner's.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;

use super::fixable;
use crate::domain::account::Organization;
use crate::domain::ids::OrganizationId;
use crate::domain::role::{Permission, allows};
use crate::error::AppError;
use crate::http::state::AppState;
use crate::http::web::form::{Fields, FormErrors, SignedForm};
use crate::http::web::org::org_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{self, Viewer};
use crate::service::organizations::{self, OrganizationInput};

/// The settings form as shown: the saved values, or what was posted.
struct SettingsForm {
    name: String,
    currency: String,
    /// `85.50`, in the organization's currency; empty for none.
    default_rate: String,
    allow_overlap: bool,
    require_two_factor: bool,
    /// `YYYY-MM-DD`; empty when nothing is locked.
    lock_before: String,
    max_entry_hours: String,
    usual_day_hours: String,
}

impl SettingsForm {
    fn of(org: &Organization) -> Self {
        Self {
            name: org.name.clone(),
            currency: org.currency.clone(),
            default_rate: super::super::catalog_pages::amount(org.default_rate, &org.currency),
            allow_overlap: org.allow_overlap,
            require_two_factor: org.require_two_factor,
            lock_before: org
                .lock_before
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            max_entry_hours: org.max_entry_hours.to_string(),
            usual_day_hours: org.usual_day_hours.to_string(),
        }
    }

    fn posted(fields: &Fields) -> Self {
        Self {
            name: fields.get("name").into(),
            currency: fields.get("currency").into(),
            default_rate: fields.get("default_rate").into(),
            allow_overlap: fields.checked("allow_overlap"),
            require_two_factor: fields.checked("require_two_factor"),
            lock_before: fields.get("lock_before").into(),
            max_entry_hours: fields.get("max_entry_hours").into(),
            usual_day_hours: fields.get("usual_day_hours").into(),
        }
    }

    /// The change to ask the service for, or the fields that are not even numbers or dates.
    fn input(&self) -> Result<OrganizationInput, FormErrors> {
        let mut errors = FormErrors::default();
        // the rate is in the currency this form sets
        let currency = self.currency.trim().to_uppercase();
        let default_rate = noted(
            &mut errors,
            "default_rate",
            super::super::catalog_pages::parse_amount(&self.default_rate, &currency),
        );
        let lock_before = match self.lock_before.trim() {
            "" => Some(None),
            raw => {
                let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| format!("'{raw}' is not a date; use YYYY-MM-DD"));
                noted(&mut errors, "lock_before", day).map(Some)
            }
        };
        let hours = |field: &str, raw: &str, errors: &mut FormErrors| {
            let raw = raw.trim();
            noted(
                errors,
                field,
                raw.parse::<i64>()
                    .map_err(|_| format!("'{raw}' is not a whole number of hours")),
            )
        };
        let max_entry_hours = hours("max_entry_hours", &self.max_entry_hours, &mut errors);
        // a form from before this setting existed leaves it as it is
        let usual_day_hours = match self.usual_day_hours.trim() {
            "" => None,
            raw => hours("usual_day_hours", raw, &mut errors),
        };
        if !errors.is_empty() {
            errors.summarise();
            return Err(errors);
        }
        Ok(OrganizationInput {
            name: Some(self.name.clone()),
            currency: Some(self.currency.trim().to_uppercase()),
            default_rate,
            allow_overlap: Some(self.allow_overlap),
            require_two_factor: Some(self.require_two_factor),
            lock_before,
            max_entry_hours,
            usual_day_hours,
        })
    }
}

/// The value, or `None` with the message noted under `field`.
fn noted<T>(errors: &mut FormErrors, field: &str, result: Result<T, String>) -> Option<T> {
    result.map_err(|m| errors.add(field, m)).ok()
}

#[derive(Template)]
#[template(path = "manage/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    org_name: String,
    errors: FormErrors,
    form: SettingsForm,
    /// The saved default rate with its currency, e.g. `85.00 EUR`; empty when there is none.
    current_rate: String,
    saved_currency: String,
    may_delete: bool,
    /// The delete form's: deleting needs its box ticked, with or without JavaScript.
    delete_errors: FormErrors,
}

async fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    shown: Option<(SettingsForm, FormErrors)>,
    delete_errors: FormErrors,
    headers: &HeaderMap,
    status: StatusCode,
) -> PageResult {
    let (chrome, mine) = org_chrome(state, viewer, org, "settings").await?;
    if !allows(mine.role, Permission::UpdateOrganization) {
        return Err(AppError::Forbidden(
            "Only admins and owners can see and change the organization's settings.".into(),
        )
        .into());
    }
    let saved = &mine.organization;
    let (form, errors) = shown.unwrap_or_else(|| (SettingsForm::of(saved), FormErrors::default()));
    let template = SettingsPage {
        chrome,
        org_name: saved.name.clone(),
        errors,
        form,
        current_rate: saved
            .default_rate
            .map(|r| super::super::catalog_pages::money(r, &saved.currency))
            .unwrap_or_default(),
        saved_currency: saved.currency.clone(),
        may_delete: allows(mine.role, Permission::DeleteOrganization),
        delete_errors,
    };
    Ok(page::html_with_status(&template, headers, status))
}

pub async fn settings_get(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
) -> PageResult {
    let errors = FormErrors::default();
    settings_page(&state, &viewer, org, None, errors, &headers, StatusCode::OK).await
}

pub async fn settings_post(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let posted = SettingsForm::posted(&form.fields);
    let errors = match posted.input() {
        Ok(input) => {
            match organizations::update(&state.ctx, &form.viewer.actor, org, input).await {
                Ok(_) => {
                    return Ok(session::redirect_with_notice(
                        &format!("/o/{org}/settings"),
                        "Settings saved.",
                        state.ctx.settings.secure_cookies,
                    ));
                }
                Err(e) => fixable(e)?,
            }
        }
        Err(errors) => errors,
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    settings_page(
        &state,
        &form.viewer,
        org,
        Some((posted, errors)),
        FormErrors::default(),
        &headers,
        status,
    )
    .await
}

/// Deletes the organization once the form's box says the person understands it cannot be
/// undone: the one confirmation that also holds without JavaScript.
pub async fn organization_delete_post(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    if form.fields.get("understood") != "yes" {
        let errors = FormErrors::fields(&[(
            "understood",
            "Tick the box to confirm: deleting the organization cannot be undone.",
        )]);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return settings_page(&state, &form.viewer, org, None, errors, &headers, status).await;
    }
    let name = organizations::get(&state.ctx, &form.viewer.actor, org)
        .await?
        .organization
        .name;
    organizations::delete(&state.ctx, &form.viewer.actor, org).await?;
    Ok(session::redirect_with_notice(
        "/",
        &format!("{name} was deleted, with everything in it."),
        state.ctx.settings.secure_cookies,
    ))
}
