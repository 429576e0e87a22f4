//! `/o/{org}/week`: one person's week as projects/tasks × days, in their time zone and week
//! start, with a form to add time to a day.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::super::form::{Fields, FormErrors, SignedForm};
use super::super::format;
use super::super::org::org_chrome;
use super::super::page::{self, Chrome};
use super::super::session::{Viewer, redirect_with_notice};
use super::{Choices, MemberChoice, what_from};
use crate::domain::ids::{OrganizationId, ProjectId, TaskId, UserId};
use crate::error::AppError;
use crate::http::state::AppState;
use crate::http::web::page_error::PageResult;
use crate::service::entries::week_totals::{self, Week, WeekTotals};
use crate::service::entries::{list, week};

pub struct GridRow {
    pub label: String,
    /// The project's colour; empty for "No project".
    pub color: String,
    pub cells: Vec<GridCell>,
    pub total: String,
}

pub struct GridCell {
    /// `cell.<key>.<day>`: the input's name.
    pub name: String,
    /// What the database holds now, as shown (cut to the minute).
    pub was: String,
    /// What the input shows: `was`, or what the person typed when saving failed.
    pub value: String,
    pub error: String,
    /// The stored time to the second, for the totals the page's script keeps while typing.
    pub seconds: i64,
}

/// The grid's last row: a project or task chosen there, and its days, become a new row.
pub struct NewRow {
    /// `<project>|<task>` as chosen (or sent back after a refused save); empty for none.
    pub choice: String,
    pub cells: Vec<GridCell>,
    pub error: String,
}

/// The new row's project/task choice, and its cells' names before the day (`new.row.<day>`:
/// the row key `row`, like `cell.<key>.<day>`).
const NEW_ROW: &str = "new_row";
const NEW_CELL: &str = "new.row";

/// What a failed save sent: every cell's typed value, and the errors by cell name.
#[derive(Default)]
struct Sent {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    /// Above the grid: what happened to the save as a whole.
    message: String,
    /// The new row's project/task choice.
    new_row: String,
}

pub struct DayColumn {
    pub label: String,
    pub iso: String,
    pub total: String,
    pub today: bool,
}

#[derive(Template)]
#[template(path = "tracking/week.html")]
pub struct WeekPage {
    pub chrome: Chrome,
    pub choices: Choices,
    pub title: String,
    pub columns: Vec<DayColumn>,
    pub rows: Vec<GridRow>,
    pub new_row: NewRow,
    pub week_total: String,
    pub previous: String,
    pub next: String,
    pub this_week: String,
    pub user_id: String,
    pub members: Vec<MemberChoice>,
    /// Above the grid, when saving it failed.
    pub grid_message: String,
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

#[derive(Default)]
struct AddForm {
    date: String,
    duration: String,
    description: String,
    project: String,
    task: String,
}

/// One row per project/task, in the order of their labels; each cell shows what was sent back
/// (after a refused save) or else the stored time.
fn grid_rows(totals: &WeekTotals, week: &Week, choices: &Choices, sent: &Sent) -> Vec<GridRow> {
    let mut grid: BTreeMap<(String, String), (String, &Vec<i64>)> = BTreeMap::new();
    for ((project, task), seconds) in &totals.grid {
        let label = match (choices.project_name(*project), choices.task_name(*task)) {
            (p, _) if p.is_empty() => "No project".to_string(),
            (p, t) if t.is_empty() => p,
            (p, t) => format!("{p} › {t}"),
        };
        let id = |i: Option<String>| i.unwrap_or_default();
        let key = format!(
            "{}|{}",
            id(project.map(|p| p.to_string())),
            id(task.map(|t| t.to_string()))
        );
        grid.insert((label, key), (choices.project_color(*project), seconds));
    }
    grid.into_iter()
        .map(|((label, key), (color, seconds))| GridRow {
            color,
            total: format::hours_minutes(seconds.iter().sum()),
            cells: seconds
                .iter()
                .zip(&week.days)
                .map(|(s, day)| grid_cell(format!("cell.{key}.{day}"), *s, sent))
                .collect(),
            label,
        })
        .collect()
}

fn grid_cell(name: String, seconds: i64, sent: &Sent) -> GridCell {
    let was = if seconds == 0 {
        String::new()
    } else {
        format::hours_minutes(seconds)
    };
    GridCell {
        value: sent
            .values
            .get(&name)
            .cloned()
            .unwrap_or_else(|| was.clone()),
        error: sent.errors.get(&name).cloned().unwrap_or_default(),
        name,
        was,
        seconds,
    }
}

fn new_row(week: &Week, sent: &Sent) -> NewRow {
    NewRow {
        choice: sent.new_row.clone(),
        cells: week
            .days
            .iter()
            .map(|day| grid_cell(format!("{NEW_CELL}.{day}"), 0, sent))
            .collect(),
        error: sent.errors.get(NEW_ROW).cloned().unwrap_or_default(),
    }
}

fn day_columns(totals: &WeekTotals, week: &Week, today: NaiveDate) -> Vec<DayColumn> {
    week.days
        .iter()
        .zip(&totals.per_day)
        .map(|(d, total)| DayColumn {
            label: d.format("%a %-d %b").to_string(),
            iso: d.to_string(),
            total: format::hours_minutes(*total),
            today: *d == today,
        })
        .collect()
}

impl WeekQuery {
    /// The week's day (today when none is given) and whose week (the viewer's by default).
    fn read(&self, today: NaiveDate, viewer: UserId) -> Result<(NaiveDate, UserId), AppError> {
        let day = match self.start.as_deref().filter(|s| !s.is_empty()) {
            Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                crate::service::invalid("start", format!("'{raw}' is not a day (YYYY-MM-DD)"))
            })?,
            None => today,
        };
        let user = match self.user.as_deref().filter(|u| !u.is_empty()) {
            Some(raw) => raw
                .parse()
                .map_err(|_| crate::service::invalid("user", "is not a member id"))?,
            None => viewer,
        };
        Ok((day, user))
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    query: &WeekQuery,
    add: AddForm,
    sent: Sent,
    errors: FormErrors,
    headers: &HeaderMap,
) -> PageResult {
    let (chrome, _) = org_chrome(state, viewer, org, "week").await?;
    let ctx = &state.ctx;
    let actor = &viewer.actor;
    let tz = viewer.tz;
    let now = ctx.clock.now();
    let today = format::local_date(now, tz);
    let (day, user) = query.read(today, actor.user.id)?;
    let week = Week::containing(day, actor.user.week_start, tz);
    let views = list::between(ctx, actor, org, user, (week.from, week.to)).await?;
    let choices = Choices::load(ctx, actor, org).await?;
    let totals = week_totals::totals(&views, &week, tz, now);
    let rows = grid_rows(&totals, &week, &choices, &sent);
    let new_row = new_row(&week, &sent);
    let columns = day_columns(&totals, &week, today);
    let (members, _) = if chrome.manages() {
        super::member_choices(ctx, actor, org).await?
    } else {
        Default::default()
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
    let status = if errors.is_empty() && sent.errors.is_empty() && sent.message.is_empty() {
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
            new_row,
            week_total: format::hours_minutes(totals.per_day.iter().sum()),
            user_id: user.to_string(),
            members,
            grid_message: sent.message,
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
    let add = AddForm::default();
    render(
        &state,
        &viewer,
        org,
        &query,
        add,
        Sent::default(),
        FormErrors::default(),
        &headers,
    )
    .await
}

/// Whose week a form is about: the `user_id` field, or the viewer.
fn person(fields: &Fields, viewer: &Viewer) -> UserId {
    fields
        .non_empty("user_id")
        .and_then(|u| u.parse().ok())
        .unwrap_or(viewer.actor.user.id)
}

/// The week page of `user` starting on `start`.
fn week_path(org: OrganizationId, start: &str, user: UserId, viewer: &Viewer) -> String {
    let user_part = if user == viewer.actor.user.id {
        String::new()
    } else {
        format!("&user={user}")
    };
    format!("/o/{org}/week?start={start}{user_part}")
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
    let user = person(fields, viewer);
    let mut errors = FormErrors::default();
    let day = NaiveDate::parse_from_str(fields.get("date").trim(), "%Y-%m-%d")
        .map_err(|_| errors.add("date", "Choose a day of this week."))
        .ok();
    let seconds = format::parse_duration(fields.get("duration"))
        .map_err(|m| errors.add("duration", m))
        .ok();
    let query = WeekQuery {
        start: fields.non_empty("date").map(Into::into),
        user: Some(user.to_string()),
    };
    let (Some(day), Some(seconds)) = (day, seconds) else {
        return render_again(&state, viewer, org, &query, fields, errors, &headers).await;
    };
    let added = week::DayTime {
        user_id: user,
        tz,
        day,
        seconds,
        what: what_from(fields),
    };
    match week::add_to_day(&state.ctx, &viewer.actor, org, added).await {
        Ok(view) => Ok(redirect_with_notice(
            &week_path(org, &day.to_string(), user, viewer),
            &format!(
                "Added {} on {}, {}–{}.",
                format::entry_length(view.duration_seconds),
                format::date(format::local_date(view.entry.start, tz)),
                format::clock(view.entry.start, tz),
                view.entry
                    .end
                    .map(|e| format::clock(e, tz))
                    .unwrap_or_default()
            ),
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => {
            let mut more = FormErrors::from_error(e)?;
            // the entry's times come from "duration" here
            for field in ["start", "end"] {
                if let Some(messages) = more.fields.remove(field) {
                    more.fields
                        .entry("duration".into())
                        .or_default()
                        .extend(messages);
                }
            }
            render_again(&state, viewer, org, &query, fields, more, &headers).await
        }
    }
}

async fn render_again(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    query: &WeekQuery,
    fields: &Fields,
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
    render(
        state,
        viewer,
        org,
        query,
        add,
        Sent::default(),
        errors,
        headers,
    )
    .await
}

/// A grid cell as sent: `cell.<project>|<task>.<day>`, and the `was.…` twin it was shown with.
struct SentCell {
    name: String,
    key: String,
    day: NaiveDate,
    value: String,
    was: String,
}

/// The cells whose names start with `prefix` and a dot: the grid's (`cell`) or the new row's.
fn sent_cells(fields: &Fields, prefix: &str) -> Vec<SentCell> {
    fields
        .pairs()
        .filter_map(|(name, value)| {
            let rest = name.strip_prefix(prefix)?.strip_prefix('.')?;
            let (key, day) = rest.rsplit_once('.')?;
            let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
            Some(SentCell {
                name: name.to_string(),
                key: key.to_string(),
                day,
                value: value.trim().to_string(),
                was: fields.get(&format!("was.{rest}")).trim().to_string(),
            })
        })
        .collect()
}

/// The project and task a row key names (`""` for none).
fn row_ids(key: &str) -> Option<(Option<ProjectId>, Option<TaskId>)> {
    let (project, task) = key.split_once('|')?;
    Some((optional_id(project)?, optional_id(task)?))
}

/// `""` is none; anything else must parse.
fn optional_id<T: std::str::FromStr>(raw: &str) -> Option<Option<T>> {
    if raw.is_empty() {
        Some(None)
    } else {
        raw.parse().ok().map(Some)
    }
}

/// Saves the grid's changed cells (see `service::entries::week::save`). Nothing is saved until
/// every changed cell is valid; a failed save shows every typed value again, each bad cell
/// with its own message.
pub async fn save_cells(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let fields = &form.fields;
    let viewer = &form.viewer;
    let user = person(fields, viewer);
    let start = fields.get("start").trim().to_string();
    let cells = sent_cells(fields, "cell");
    let new_cells = sent_cells(fields, "new");
    let mut sent = Sent {
        values: cells
            .iter()
            .chain(&new_cells)
            .map(|c| (c.name.clone(), c.value.clone()))
            .collect(),
        errors: HashMap::new(),
        message: String::new(),
        new_row: fields.get(NEW_ROW).trim().to_string(),
    };
    let mut changed = Vec::new();
    for cell in cells.iter().filter(|c| c.value != c.was) {
        let seconds = if cell.value.is_empty() {
            Ok(0)
        } else {
            format::parse_duration(&cell.value)
        };
        match (seconds, row_ids(&cell.key)) {
            (Ok(seconds), Some((project_id, task_id))) => changed.push(week::Cell {
                key: cell.name.clone(),
                project_id,
                task_id,
                day: cell.day,
                seconds,
            }),
            (Err(message), _) => {
                sent.errors.insert(cell.name.clone(), sentence(&message));
            }
            (_, None) => {
                sent.errors.insert(
                    cell.name.clone(),
                    "This row is not a project of this organization; reload the page.".into(),
                );
            }
        }
    }
    changed.extend(new_row_cells(&cells, &new_cells, &mut sent));
    let secure = state.ctx.settings.secure_cookies;
    if sent.errors.is_empty() && changed.is_empty() {
        return Ok(redirect_with_notice(
            &week_path(org, &start, user, viewer),
            "Nothing changed.",
            secure,
        ));
    }
    if sent.errors.is_empty() {
        let edit = week::GridEdit {
            user_id: user,
            tz: viewer.tz,
            cells: changed,
        };
        match week::save(&state.ctx, &viewer.actor, org, edit).await {
            Ok(done) => {
                return Ok(redirect_with_notice(
                    &week_path(org, &start, user, viewer),
                    &saved_notice(&done),
                    secure,
                ));
            }
            Err(e) => {
                let failed = FormErrors::from_error(e)?;
                for (cell, messages) in failed.fields {
                    sent.errors.insert(cell, messages.join(" "));
                }
                if sent.errors.is_empty() {
                    sent.message = format!("Nothing was saved: {}", failed.message);
                }
            }
        }
    }
    if sent.message.is_empty() {
        sent.message = match sent.errors.len() {
            1 => "Nothing was saved: one cell needs a change (marked below).".to_string(),
            n => format!("Nothing was saved: {n} cells need a change (marked below)."),
        };
    }
    let query = WeekQuery {
        start: Some(start),
        user: Some(user.to_string()),
    };
    let add = AddForm::default();
    let errors = FormErrors::default();
    render(&state, viewer, org, &query, add, sent, errors, &headers).await
}

/// The new row's typed days as cells of the project/task chosen for it; problems go into
/// `sent.errors`, under the choice or the day.
fn new_row_cells(grid: &[SentCell], typed: &[SentCell], sent: &mut Sent) -> Vec<week::Cell> {
    let typed: Vec<&SentCell> = typed.iter().filter(|c| !c.value.is_empty()).collect();
    let choice = sent.new_row.clone();
    let problem = match (choice.is_empty(), typed.is_empty()) {
        (true, true) => return Vec::new(),
        (true, false) => Some("Choose the project (or No project) of the new row."),
        (false, true) => Some("Type the new row's time into at least one day."),
        (false, false) if grid.iter().any(|c| c.key == choice) => {
            Some("This project already has a row above: type its time there.")
        }
        (false, false) => None,
    };
    if let Some(problem) = problem {
        sent.errors.insert(NEW_ROW.into(), problem.into());
        return Vec::new();
    }
    let Some((project_id, task_id)) = row_ids(&choice) else {
        sent.errors.insert(
            NEW_ROW.into(),
            "This is not a project of this organization; reload the page.".into(),
        );
        return Vec::new();
    };
    let mut cells = Vec::new();
    for cell in typed {
        match format::parse_duration(&cell.value) {
            Ok(seconds) => cells.push(week::Cell {
                key: cell.name.clone(),
                project_id,
                task_id,
                day: cell.day,
                seconds,
            }),
            Err(message) => {
                sent.errors.insert(cell.name.clone(), sentence(&message));
            }
        }
    }
    cells
}

/// "Added 0:45 on Tue 1 Dec 2026, took 1:00 off Wed 2 Dec 2026."
fn saved_notice(done: &[week::CellChange]) -> String {
    let parts: Vec<String> = done
        .iter()
        .map(|change| match change {
            week::CellChange::Added { day, seconds } => format!(
                "added {} on {}",
                format::hours_minutes(*seconds),
                format::date(*day)
            ),
            week::CellChange::TakenAway { day, seconds } => format!(
                "took {} off {}",
                format::hours_minutes(*seconds),
                format::date(*day)
            ),
        })
        .collect();
    sentence(&parts.join(", "))
}

/// Capitalised and ending with a full stop.
fn sentence(text: &str) -> String {
    let mut out: String = text.trim().to_string();
    if let Some(first) = out.get(..1) {
        let upper = first.to_uppercase();
        out.replace_range(..1, &upper);
    }
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
