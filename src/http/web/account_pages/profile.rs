//! `/account/profile` (name, time zone, first day of the week; the email address, whose forms
//! are `email.rs`; the account's security activity) and `/account/password`.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::signed_out;
use crate::http::state::AppState;
use crate::http::web::form::{Fields, FormErrors, SignedForm};
use crate::http::web::format;
use crate::http::web::org::account_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{self, Viewer};
use crate::service::{accounts, audit};

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

struct Weekday {
    /// 1 = Monday … 7 = Sunday.
    value: usize,
    name: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "account/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    name: String,
    time_zone: String,
    time_zones: Vec<&'static str>,
    weekdays: Vec<Weekday>,
    email_section: EmailSection,
    events: Vec<EventRow>,
}

/// The address, whether it is proven, the one waiting for its link, the change form.
pub(super) struct EmailSection {
    pub errors: FormErrors,
    pub verified: bool,
    pub pending: Option<String>,
    /// This server sends email: links can be sent, a change waits for its link.
    pub email_on: bool,
    /// What was typed into the change form when it is shown again.
    pub new_email: String,
}

impl EmailSection {
    pub fn of(state: &AppState, viewer: &Viewer, errors: FormErrors, new_email: &str) -> Self {
        let user = &viewer.actor.user;
        EmailSection {
            errors,
            verified: user.email_verified,
            pending: user.pending_email.clone(),
            email_on: state.ctx.settings.email,
            new_email: new_email.into(),
        }
    }
}

struct EventRow {
    action: String,
    ip: String,
    when: String,
}

/// The profile page; `posted` fills the profile form again after an error.
pub(super) async fn profile_response(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    posted: Option<&Fields>,
    errors: FormErrors,
    email_section: EmailSection,
    status: StatusCode,
) -> PageResult {
    let chrome = account_chrome(state, viewer, "profile").await?;
    let user = &viewer.actor.user;
    let events = audit::security_events(&state.ctx, &viewer.actor)
        .await?
        .into_iter()
        .map(|e| EventRow {
            action: e.action,
            ip: e.ip,
            when: format::date_time(e.created_at, user.tz()),
        })
        .collect();
    let (name, time_zone, week_start) = match posted {
        Some(fields) => (
            fields.get("name").to_string(),
            fields.get("time_zone").to_string(),
            fields.get("week_start").to_string(),
        ),
        None => (
            user.name.clone(),
            user.time_zone.clone(),
            user.week_start.to_string(),
        ),
    };
    let page = ProfilePage {
        chrome,
        errors,
        email: user.email.clone(),
        name,
        time_zone,
        time_zones: chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect(),
        weekdays: (1..=7)
            .zip(WEEKDAYS)
            .map(|(value, name)| Weekday {
                value,
                name,
                selected: week_start == value.to_string(),
            })
            .collect(),
        email_section,
        events,
    };
    Ok(page::html_with_status(&page, headers, status))
}

pub async fn profile_get(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> PageResult {
    let section = EmailSection::of(&state, &viewer, FormErrors::default(), "");
    profile_response(
        &state,
        &viewer,
        &headers,
        None,
        FormErrors::default(),
        section,
        StatusCode::OK,
    )
    .await
}

pub async fn profile_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let fields = &form.fields;
    let week_start = fields.get("week_start").trim();
    let result = match week_start.parse::<i64>() {
        Ok(day) => {
            let input = accounts::ProfileInput {
                name: Some(fields.get("name").into()),
                time_zone: Some(fields.get("time_zone").trim().into()),
                week_start: Some(day),
            };
            accounts::update_profile(&state.ctx, &form.viewer.actor, input).await
        }
        Err(_) => Err(crate::service::invalid(
            "week_start",
            format!("'{week_start}' is not a day of the week"),
        )),
    };
    match result {
        Ok(_) => Ok(session::redirect_with_notice(
            "/account/profile",
            "Profile saved.",
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let section = EmailSection::of(&state, &form.viewer, FormErrors::default(), "");
            profile_response(
                &state,
                &form.viewer,
                &headers,
                Some(fields),
                errors,
                section,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
}

pub async fn password_get(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> PageResult {
    let page = PasswordPage {
        chrome: account_chrome(&state, &viewer, "password").await?,
        errors: FormErrors::default(),
        email: viewer.actor.user.email.clone(),
    };
    Ok(page::html(&page, &headers))
}

/// Changing the password ends every session, this one too: the person signs in again.
pub async fn password_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let changed = accounts::change_password(
        &state.ctx,
        &form.viewer.actor,
        form.fields.get("current_password"),
        form.fields.get("new_password"),
    )
    .await;
    match changed {
        Ok(()) => Ok(signed_out(
            "Password changed; sign in again with the new password.",
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            // passwords are never written back into the page
            let page = PasswordPage {
                chrome: account_chrome(&state, &form.viewer, "password").await?,
                errors,
                email: form.viewer.actor.user.email.clone(),
            };
            Ok(page::html_with_status(
                &page,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}
