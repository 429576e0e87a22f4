//! `/o/{org}`: the home page. The timer bar (the running timer ticking with app.js, or the
//! start form; `?mode=manual` for a finished entry), this week's entries by day, and a small
//! summary of the week.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};

use super::super::form::{Fields, FormErrors, SignedForm};
use super::super::format;
use super::super::org::org_chrome;
use super::super::page::{self, Chrome};
use super::super::session::{Viewer, redirect_with_notice};
use super::bar::{self, BarForm, Picker, SuggestionRow};
use super::chart::{self, BarChart};
use super::{Choices, DayGroup, EntryRow, group_by_day, what_from};
use crate::domain::ids::OrganizationId;
use crate::error::AppError;
use crate::http::state::AppState;
use crate::http::web::page_error::PageResult;
use crate::service::entries::timer::{self, StopInput};
use crate::service::entries::week_totals::{self, Week};
use crate::service::entries::{list, suggestions};

pub struct Running {
    pub row: EntryRow,
    pub started_at: String,
    pub now: String,
    pub elapsed: String,
    pub too_long: bool,
    pub max_hours: i32,
    pub stop_at: chrono::NaiveDateTime,
}

impl Running {
    pub fn stop_date(&self) -> String {
        self.stop_at.date().to_string()
    }

    pub fn stop_time(&self) -> String {
        self.stop_at.format("%H:%M").to_string()
    }
}

pub struct ProjectTotal {
    pub label: String,
    pub seconds: i64,
    /// The running timer's project: its total ticks with the timer on the page.
    pub running: bool,
    /// Empty for "No project": no dot.
    pub color: String,
    pub duration: String,
}

#[derive(Template)]
#[template(path = "tracking/home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub choices: Choices,
    pub running: Option<Running>,
    pub form: BarForm,
    pub picker: Picker,
    /// The combobox's text for the chosen project or task.
    pub chosen: String,
    pub suggestions: Vec<SuggestionRow>,
    pub errors: FormErrors,
    pub days: Vec<DayGroup>,
    pub chart: BarChart,
    pub projects: Vec<ProjectTotal>,
    pub week_total: String,
    /// `week_total` in seconds, for the page's script to keep ticking while a timer runs.
    pub week_seconds: i64,
    pub today: String,
    pub back: String,
    /// The entry shown with its edit form (`?edit=<id>`).
    pub editing: String,
}

pub(super) async fn render(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    form: BarForm,
    errors: FormErrors,
    editing: &str,
    headers: &HeaderMap,
) -> PageResult {
    let (chrome, _mine) = org_chrome(state, viewer, org, "timer").await?;
    let ctx = &state.ctx;
    let actor = &viewer.actor;
    let now = ctx.clock.now();
    let tz = viewer.tz;
    let choices = Choices::load(ctx, actor, org).await?;
    let running = timer::running(ctx, actor, org).await?;
    let picker = Picker::new(&choices);
    let suggestions = bar::suggestion_rows(
        suggestions::recent(ctx, actor, org).await?,
        &picker,
        &choices,
    );
    let mut form = form;
    if form.date.is_empty() {
        form.date = format::local_date(now, tz).to_string();
    }
    let week = Week::containing(format::local_date(now, tz), actor.user.week_start, tz);
    let views = list::between(ctx, actor, org, actor.user.id, (week.from, week.to)).await?;
    let totals = week_totals::totals(&views, &week, tz, now);
    let chart = chart::bars(
        "Hours per day this week",
        &week
            .days
            .iter()
            .zip(&totals.per_day)
            .map(|(d, seconds)| (d.format("%a").to_string(), *seconds))
            .collect::<Vec<_>>(),
    );
    let rows: Vec<EntryRow> = views
        .iter()
        .map(|v| EntryRow::new(v, &choices, tz))
        .collect();
    let running_project = running.as_ref().map(|r| r.entry.entry.project_id);
    let projects = totals
        .by_project
        .iter()
        .map(|(project, seconds)| ProjectTotal {
            label: choices.project_label(*project),
            color: choices.project_color(*project),
            seconds: *seconds,
            running: running_project == Some(*project),
            duration: format::hours_minutes(*seconds),
        })
        .collect();
    let week_total = format::hours_minutes(totals.listed);
    let running = running.map(|r| {
        let started: DateTime<Utc> = r.entry.entry.start;
        Running {
            started_at: started.to_rfc3339(),
            now: now.to_rfc3339(),
            elapsed: format::hours_minutes_seconds(r.entry.duration_seconds),
            too_long: r.exceeds_max_entry_hours,
            stop_at: r.suggested_stop.with_timezone(&tz).naive_local(),
            max_hours: r.max_entry_hours,
            row: EntryRow::new(&r.entry, &choices, tz),
        }
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let back = chrome.org_path("");
    Ok(page::html_with_status(
        &HomePage {
            chosen: picker.label_of(&form.project_task),
            picker,
            suggestions,
            choices,
            running,
            form,
            errors,
            days: group_by_day(rows),
            chart,
            projects,
            week_total,
            week_seconds: totals.listed,
            today: format::date(format::local_date(now, tz)),
            back,
            editing: editing.to_string(),
            chrome,
        },
        headers,
        status,
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct HomeQuery {
    #[serde(default)]
    edit: String,
    /// `manual`: the bar adds a finished entry instead of starting a timer.
    #[serde(default)]
    mode: String,
}

pub async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    Query(query): Query<HomeQuery>,
    headers: HeaderMap,
) -> PageResult {
    render(
        &state,
        &viewer,
        org,
        BarForm::empty(query.mode == "manual"),
        FormErrors::default(),
        &query.edit,
        &headers,
    )
    .await
}

/// Starts a timer; one that runs is stopped at the same instant, as the API does.
pub async fn start(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let input = what_from(&form.fields);
    match timer::start(&state.ctx, &form.viewer.actor, org, input).await {
        Ok(started) => {
            let notice = match started.stopped {
                Some(stopped) => format!(
                    "Timer started. The previous one stopped after {}.",
                    format::entry_length(stopped.duration_seconds)
                ),
                None => "Timer started.".to_string(),
            };
            Ok(redirect_with_notice(
                &format!("/o/{org}"),
                &notice,
                state.ctx.settings.secure_cookies,
            ))
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let sent = BarForm::sent(&form.fields, false);
            render(&state, &form.viewer, org, sent, errors, "", &headers).await
        }
    }
}

/// Stops the running timer now, or at the given local time ("still running?").
pub async fn stop(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let mut errors = FormErrors::default();
    let end = match (form.fields.non_empty("date"), form.fields.non_empty("time")) {
        (Some(_), Some(_)) => {
            let mut fields = form.fields.clone();
            fields.push("start", form.fields.get("time"));
            super::when_from(&fields, form.viewer.tz, false, &mut errors).map(|(at, _)| at)
        }
        _ => None,
    };
    if !errors.is_empty() {
        return render(
            &state,
            &form.viewer,
            org,
            BarForm::default(),
            errors,
            "",
            &headers,
        )
        .await;
    }
    let tz = form.viewer.tz;
    match timer::stop(&state.ctx, &form.viewer.actor, org, StopInput { end }).await {
        Ok(stopped) => Ok(redirect_with_notice(
            &back_to(&form.fields, org),
            &format!(
                "Timer stopped at {}: {}.",
                stopped
                    .entry
                    .end
                    .map(|e| format::clock(e, tz))
                    .unwrap_or_default(),
                format::entry_length(stopped.duration_seconds)
            ),
            state.ctx.settings.secure_cookies,
        )),
        // a stale page (another tab or device stopped it): say so on the timer page
        Err(AppError::NotFound(_)) => {
            let last = timer::last_stopped(&state.ctx, &form.viewer.actor, org).await?;
            let notice = match last.and_then(|l| Some((l.entry.end?, l))) {
                Some((end, last)) => format!(
                    "The timer was already stopped, at {}{} ({} tracked). Nothing else was changed.",
                    format::clock(end, tz),
                    if format::local_date(end, tz) == format::local_date(state.ctx.clock.now(), tz)
                    {
                        String::new()
                    } else {
                        format!(" on {}", format::date(format::local_date(end, tz)))
                    },
                    format::entry_length(last.duration_seconds)
                ),
                None => "No timer is running; nothing was changed.".to_string(),
            };
            Ok(redirect_with_notice(
                &format!("/o/{org}"),
                &notice,
                state.ctx.settings.secure_cookies,
            ))
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            render(
                &state,
                &form.viewer,
                org,
                BarForm::default(),
                errors,
                "",
                &headers,
            )
            .await
        }
    }
}

/// The page a form came from (its `back` field), if it is one of ours.
pub fn back_to(fields: &Fields, org: OrganizationId) -> String {
    let back = fields.get("back");
    let prefix = format!("/o/{org}");
    if back.starts_with(&prefix) && !back.contains("//") {
        back.to_string()
    } else {
        prefix
    }
}
