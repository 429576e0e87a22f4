//! `/o/{org}/week`: one person's week as projects/tasks × days, in their time zone and week
//! start, with a form to add time to a day.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::super::form::{FormErrors, SignedForm};
use super::super::format;
use super::super::org::org_chrome;
use super::super::page::{self, Chrome};
use super::super::session::{Viewer, redirect_with_notice};
use super::{Choices, what_from};
use crate::domain::ids::{OrganizationId, UserId};
use crate::error::{AppError, AppResult};
use crate::http::problem::ApiError;
use crate::service::entries::EntrySource;
use crate::service::entries::{self, EntryInput, EntryView, list};
use crate::service::{Actor, Ctx, members};
use crate::state::AppState;

type PageResult = Result<Response, Response>;

fn fail(error: AppError) -> Response {
    ApiError(error).into_response()
}

/// Seven local days and the instants that bound them.
pub struct Week {
    pub days: Vec<NaiveDate>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Week {
    pub fn containing(day: NaiveDate, week_start: i16, tz: Tz) -> Self {
        let first = format::week_start(day, week_start);
        let days: Vec<NaiveDate> = (0..7).map(|i| first + Duration::days(i)).collect();
        Self {
            from: format::start_of_day(first, tz),
            to: format::start_of_day(first + Duration::days(7), tz),
            days,
        }
    }
}

/// Every entry of `user` starting in `[from, to)`, oldest pages first fetched until done.
pub async fn entries_between(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    user: UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<EntryView>> {
    let base = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("from", &from.to_rfc3339())
        .append_pair("to", &to.to_rfc3339())
        .append_pair("user_id", &user.to_string())
        .append_pair("limit", &list::MAX_LIMIT.to_string())
        .finish();
    let mut all = Vec::new();
    let mut query = base.clone();
    // a week of one person's entries fits in a page or two; the bound keeps a bad day bounded
    for _ in 0..20 {
        let page = list::list(ctx, actor, org, &query).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(cursor) => query = format!("{base}&cursor={cursor}"),
            None => break,
        }
    }
    Ok(all)
}

/// Seconds per local day; an entry crossing midnight counts on each day it covers, and a
/// running entry counts up to now.
pub fn seconds_per_day(
    views: &[EntryView],
    week: &Week,
    tz: Tz,
    now: DateTime<Utc>,
) -> HashMap<NaiveDate, i64> {
    let mut totals = HashMap::new();
    for view in views {
        for (day, seconds) in split_by_day(view, tz, now) {
            if week.days.contains(&day) {
                *totals.entry(day).or_insert(0) += seconds;
            }
        }
    }
    totals
}

fn split_by_day(view: &EntryView, tz: Tz, now: DateTime<Utc>) -> Vec<(NaiveDate, i64)> {
    let start = view.entry.start;
    let end = view.entry.end.unwrap_or(now).max(start);
    let mut parts = Vec::new();
    let mut cursor = start;
    while cursor < end {
        let day = format::local_date(cursor, tz);
        let next = format::start_of_day(day + Duration::days(1), tz).min(end);
        parts.push((day, (next - cursor).num_seconds()));
        cursor = next;
    }
    parts
}

pub struct GridRow {
    pub label: String,
    /// `project|task` ids (empty for none): what a cell's new time is booked on.
    pub key: String,
    pub cells: Vec<String>,
    pub total: String,
}

pub struct DayColumn {
    pub label: String,
    pub iso: String,
    pub total: String,
    pub today: bool,
}

pub struct MemberChoice {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "tracking/week.html")]
pub struct WeekPage {
    pub chrome: Chrome,
    pub choices: Choices,
    pub title: String,
    pub columns: Vec<DayColumn>,
    pub rows: Vec<GridRow>,
    pub week_total: String,
    pub previous: String,
    pub next: String,
    pub this_week: String,
    pub user_id: String,
    pub members: Vec<MemberChoice>,
    pub errors: FormErrors,
    pub add_date: String,
    pub add_duration: String,
    pub add_description: String,
    pub add_project: String,
    pub add_task: String,
}

#[derive(Deserialize, Default)]
pub struct WeekQuery {
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

struct AddForm {
    date: String,
    duration: String,
    description: String,
    project: String,
    task: String,
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    query: &WeekQuery,
    add: AddForm,
    errors: FormErrors,
    headers: &HeaderMap,
) -> PageResult {
    let (chrome, _) = org_chrome(state, viewer, org, "week").await?;
    let ctx = &state.ctx;
    let actor = &viewer.actor;
    let tz = viewer.tz;
    let now = ctx.clock.now();
    let today = format::local_date(now, tz);
    let day = match query.start.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            fail(crate::service::invalid(
                "start",
                format!("'{raw}' is not a day (YYYY-MM-DD)"),
            ))
        })?,
        None => today,
    };
    let user: UserId = match query.user.as_deref().filter(|u| !u.is_empty()) {
        Some(raw) => raw
            .parse()
            .map_err(|_| fail(crate::service::invalid("user", "is not a member id")))?,
        None => actor.user.id,
    };
    let week = Week::containing(day, actor.user.week_start, tz);
    let views = entries_between(ctx, actor, org, user, week.from, week.to)
        .await
        .map_err(fail)?;
    let choices = Choices::load(ctx, actor, org).await.map_err(fail)?;
    // one row per project/task, each cell the day's seconds
    let mut grid: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for view in &views {
        let row = super::EntryRow::new(view, &choices, tz);
        let label = match (row.project.as_str(), row.task.as_str()) {
            ("", _) => "No project".to_string(),
            (p, "") => p.to_string(),
            (p, t) => format!("{p} › {t}"),
        };
        let key = format!("{}|{}", row.project_id, row.task_id);
        let cells = grid.entry((label, key)).or_insert_with(|| vec![0; 7]);
        for (d, seconds) in split_by_day(view, tz, now) {
            if let Some(i) = week.days.iter().position(|x| *x == d) {
                cells[i] += seconds;
            }
        }
    }
    let mut column_totals = vec![0i64; 7];
    let rows: Vec<GridRow> = grid
        .into_iter()
        .map(|((label, key), cells)| {
            for (i, s) in cells.iter().enumerate() {
                column_totals[i] += s;
            }
            GridRow {
                label,
                key,
                total: format::hours_minutes(cells.iter().sum()),
                cells: cells
                    .iter()
                    .map(|s| {
                        if *s == 0 {
                            String::new()
                        } else {
                            format::hours_minutes(*s)
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let columns = week
        .days
        .iter()
        .zip(&column_totals)
        .map(|(d, total)| DayColumn {
            label: d.format("%a %-d %b").to_string(),
            iso: d.to_string(),
            total: format::hours_minutes(*total),
            today: *d == today,
        })
        .collect();
    let members = if chrome.manages() {
        members::list(ctx, actor, org)
            .await
            .map_err(fail)?
            .into_iter()
            .map(|m| MemberChoice {
                id: m.user_id.to_string(),
                name: m.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let first = week.days[0];
    let user_part = if user == actor.user.id {
        String::new()
    } else {
        format!("&user={user}")
    };
    let title = format!(
        "Week of {} – {}",
        format::date(first),
        format::date(week.days[6])
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let add_date = if add.date.is_empty() {
        if week.days.contains(&today) {
            today
        } else {
            first
        }
        .to_string()
    } else {
        add.date
    };
    Ok(page::html_with_status(
        &WeekPage {
            previous: chrome.org_path(&format!(
                "/week?start={}{user_part}",
                first - Duration::days(7)
            )),
            next: chrome.org_path(&format!(
                "/week?start={}{user_part}",
                first + Duration::days(7)
            )),
            this_week: chrome.org_path(&format!("/week?start={today}{user_part}")),
            chrome,
            choices,
            title,
            columns,
            rows,
            week_total: format::hours_minutes(column_totals.iter().sum()),
            user_id: user.to_string(),
            members,
            errors,
            add_date,
            add_duration: add.duration,
            add_description: add.description,
            add_project: add.project,
            add_task: add.task,
        },
        headers,
        status,
    ))
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    Query(query): Query<WeekQuery>,
    headers: HeaderMap,
) -> PageResult {
    let add = AddForm {
        date: String::new(),
        duration: String::new(),
        description: String::new(),
        project: String::new(),
        task: String::new(),
    };
    render(
        &state,
        &viewer,
        org,
        &query,
        add,
        FormErrors::default(),
        &headers,
    )
    .await
}

/// Where added time goes on `day`: right after the person's last entry that day, or at 09:00.
fn placement(views: &[EntryView], day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let nine = format::local_instant(day, NaiveTime::from_hms_opt(9, 0, 0)?, tz)
        .unwrap_or_else(|| format::start_of_day(day, tz));
    let latest_end = views
        .iter()
        .filter(|v| format::local_date(v.entry.start, tz) == day)
        .filter_map(|v| v.entry.end)
        .max();
    Some(latest_end.map_or(nine, |end| end.max(nine)))
}

/// Adds a stopped entry of the given length to a day of the week shown.
pub async fn add(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let fields = &form.fields;
    let viewer = &form.viewer;
    let tz = viewer.tz;
    let user: UserId = fields
        .non_empty("user_id")
        .and_then(|u| u.parse().ok())
        .unwrap_or(viewer.actor.user.id);
    let mut errors = FormErrors::default();
    let day = NaiveDate::parse_from_str(fields.get("date").trim(), "%Y-%m-%d")
        .map_err(|_| errors.add("date", "is required as a day, e.g. 2026-11-27"))
        .ok();
    let seconds = format::parse_duration(fields.get("duration"))
        .map_err(|m| errors.add("duration", m))
        .ok();
    let result = match (day, seconds) {
        (Some(day), Some(seconds)) => {
            let next = day + Duration::days(1);
            let views = entries_between(
                &state.ctx,
                &viewer.actor,
                org,
                user,
                format::start_of_day(day, tz),
                format::start_of_day(next, tz),
            )
            .await
            .map_err(fail)?;
            let start = placement(&views, day, tz).unwrap_or_else(|| format::start_of_day(day, tz));
            let input = EntryInput {
                user_id: Some(user),
                start: Some(start),
                end: Some(Some(start + Duration::seconds(seconds))),
                ..what_from(fields)
            };
            Some(entries::create(&state.ctx, &viewer.actor, org, input, EntrySource::Web).await)
        }
        _ => None,
    };
    let query = WeekQuery {
        start: fields.non_empty("date").map(Into::into),
        user: Some(user.to_string()),
    };
    match result {
        Some(Ok(view)) => {
            let back = format!(
                "/o/{org}/week?start={}{}",
                fields.get("date").trim(),
                if user == viewer.actor.user.id {
                    String::new()
                } else {
                    format!("&user={user}")
                }
            );
            Ok(redirect_with_notice(
                &back,
                &format!(
                    "Added {} on {}, {}–{}.",
                    format::hours_minutes(view.duration_seconds),
                    format::date(format::local_date(view.entry.start, tz)),
                    format::clock(view.entry.start, tz),
                    view.entry
                        .end
                        .map(|e| format::clock(e, tz))
                        .unwrap_or_default()
                ),
                state.ctx.settings.secure_cookies,
            ))
        }
        Some(Err(e)) => {
            let more = FormErrors::from_error(e).map_err(fail)?;
            errors.message = more.message;
            for (field, messages) in more.fields {
                for m in messages {
                    // the entry's times come from "duration" here
                    let shown = if field == "end" || field == "start" {
                        "duration"
                    } else {
                        field.as_str()
                    };
                    errors.add(shown, m);
                }
            }
            render_again(&state, viewer, org, &query, fields, errors, &headers).await
        }
        None => render_again(&state, viewer, org, &query, fields, errors, &headers).await,
    }
}

async fn render_again(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    query: &WeekQuery,
    fields: &super::super::form::Fields,
    errors: FormErrors,
    headers: &HeaderMap,
) -> PageResult {
    let add = AddForm {
        date: fields.get("date").into(),
        duration: fields.get("duration").into(),
        description: fields.get("description").into(),
        project: fields.get("project_id").into(),
        task: fields.get("task_id").into(),
    };
    render(state, viewer, org, query, add, errors, headers).await
}

/// The grid's cells as they were shown and as they were sent: `was.<key>.<day>` and
/// `cell.<key>.<day>`, where key is `project|task`.
fn changed_cells(fields: &super::super::form::Fields) -> Vec<(String, NaiveDate, String)> {
    let mut changed = Vec::new();
    for (name, value) in fields.pairs() {
        let Some(rest) = name.strip_prefix("cell.") else {
            continue;
        };
        let Some((key, day)) = rest.rsplit_once('.') else {
            continue;
        };
        let Ok(day) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else {
            continue;
        };
        if fields.get(&format!("was.{rest}")).trim() != value.trim() {
            changed.push((key.to_string(), day, value.trim().to_string()));
        }
    }
    changed
}

/// Saves the grid: a cell that now says more than before gets a new entry for the difference,
/// placed after that day's last entry (or at 09:00); a cell that says less shortens or removes
/// that day's manual entries of the row, latest first. Entries a timer made are never changed
/// here: when the time to take away is theirs, nothing is saved and the page says why.
pub async fn save_cells(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let fields = &form.fields;
    let viewer = &form.viewer;
    let tz = viewer.tz;
    let user: UserId = fields
        .non_empty("user_id")
        .and_then(|u| u.parse().ok())
        .unwrap_or(viewer.actor.user.id);
    let query = WeekQuery {
        start: fields.non_empty("start").map(Into::into),
        user: Some(user.to_string()),
    };
    let mut errors = FormErrors::default();
    let mut inputs = Vec::new();
    let mut takes = Vec::new();
    let mut next_free: HashMap<NaiveDate, DateTime<Utc>> = HashMap::new();
    let mut changes = Vec::new();
    for (key, day, value) in changed_cells(fields) {
        let wanted = if value.is_empty() {
            0
        } else {
            match format::parse_duration(&value) {
                Ok(s) => s,
                Err(m) => {
                    errors.add("grid", format!("{}: {m}", format::date(day)));
                    continue;
                }
            }
        };
        let (from, to) = (
            format::start_of_day(day, tz),
            format::start_of_day(day + Duration::days(1), tz),
        );
        let views = entries_between(&state.ctx, &viewer.actor, org, user, from, to)
            .await
            .map_err(fail)?;
        let (project, task) = key.split_once('|').unwrap_or(("", ""));
        let now = state.ctx.clock.now();
        let current: i64 = views
            .iter()
            .filter(|v| {
                v.entry
                    .project_id
                    .map(|p| p.to_string())
                    .unwrap_or_default()
                    == project
                    && v.entry.task_id.map(|t| t.to_string()).unwrap_or_default() == task
            })
            .flat_map(|v| split_by_day(v, tz, now))
            .filter(|(d, _)| *d == day)
            .map(|(_, s)| s)
            .sum();
        // what was shown is cut to the minute; compare in whole minutes
        let delta = wanted - current / 60 * 60;
        if delta < 0 {
            // manual entries of this cell that start that day, the latest first
            let mut candidates: Vec<&EntryView> = views
                .iter()
                .filter(|v| {
                    !v.running
                        && format::local_date(v.entry.start, tz) == day
                        && v.entry
                            .project_id
                            .map(|p| p.to_string())
                            .unwrap_or_default()
                            == project
                        && v.entry.task_id.map(|t| t.to_string()).unwrap_or_default() == task
                })
                .collect();
            candidates.sort_by_key(|v| std::cmp::Reverse(v.entry.start));
            takes.push(entries::TakeAway {
                entries: candidates.iter().map(|v| v.entry.id).collect(),
                seconds: -delta,
            });
            changes.push(format!(
                "took {} off {}",
                format::hours_minutes(-delta),
                format::date(day)
            ));
            continue;
        }
        if delta == 0 {
            continue;
        }
        let start = match next_free.get(&day) {
            Some(t) => *t,
            None => placement(&views, day, tz).unwrap_or(from),
        };
        next_free.insert(day, start + Duration::seconds(delta));
        let mut cell_fields = super::super::form::Fields::default();
        cell_fields.push("project_id", project);
        cell_fields.push("task_id", task);
        inputs.push(EntryInput {
            user_id: Some(user),
            start: Some(start),
            end: Some(Some(start + Duration::seconds(delta))),
            ..what_from(&cell_fields)
        });
        changes.push(format!(
            "added {} on {}",
            format::hours_minutes(delta),
            format::date(day)
        ));
    }
    if errors.is_empty() && !changes.is_empty() {
        match entries::adjust(&state.ctx, &viewer.actor, org, inputs, takes).await {
            Ok(()) => {
                let mut notice = changes.join(", ");
                notice.replace_range(..1, &notice[..1].to_uppercase());
                return Ok(redirect_with_notice(
                    &format!(
                        "/o/{org}/week?start={}{}",
                        fields.get("start"),
                        if user == viewer.actor.user.id {
                            String::new()
                        } else {
                            format!("&user={user}")
                        }
                    ),
                    &format!("{notice}."),
                    state.ctx.settings.secure_cookies,
                ));
            }
            Err(e) => {
                let more = FormErrors::from_error(e).map_err(fail)?;
                let detail = more
                    .fields
                    .values()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ");
                errors.add(
                    "grid",
                    format!("Nothing was saved: {} {detail}", more.message)
                        .trim()
                        .to_string(),
                );
            }
        }
    } else if errors.is_empty() {
        return Ok(redirect_with_notice(
            &format!("/o/{org}/week?start={}", fields.get("start")),
            "Nothing changed.",
            state.ctx.settings.secure_cookies,
        ));
    }
    render_again(
        &state,
        viewer,
        org,
        &query,
        &super::super::form::Fields::default(),
        errors,
        &headers,
    )
    .await
}
