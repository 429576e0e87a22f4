//! The pages people use every day: the timer (home), the entries list, the week grid and the
//! calendar. They share the pickers (projects, tasks, tags), the way an entry is shown, and the
//! way an entry form becomes an `EntryInput`.

pub mod bar;
pub mod calendar;
mod calendar_layout;
pub mod chart;
pub mod delete;
pub mod entries;
pub mod timer;
pub mod week;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::form::Fields;
use super::format;
use crate::domain::ids::{OrganizationId, ProjectId, TagId, TaskId};
use crate::error::AppResult;
use crate::http::state::AppState;
use crate::http::web::page_error::PageError;
use crate::service::catalog::projects::ProjectsQuery;
use crate::service::catalog::{ListQuery, clients, projects, tags, tasks};
use crate::service::entries::{EntryInput, EntryView, unusual};
use crate::service::{Actor, Ctx, members};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/o/{org}", get(timer::home))
        .route("/o/{org}/timer/start", post(timer::start))
        .route("/o/{org}/timer/stop", post(timer::stop))
        .route("/o/{org}/entries", get(entries::list).post(entries::create))
        .route("/o/{org}/entries/bulk", post(entries::bulk))
        .route("/o/{org}/entries/{id}", post(entries::update))
        .route("/o/{org}/entries/{id}/edit", get(entries::edit))
        .route(
            "/o/{org}/entries/{id}/delete",
            get(delete::confirm).post(entries::delete),
        )
        .route("/o/{org}/entries/{id}/restore", post(delete::restore_post))
        .route(
            "/o/{org}/entries/{id}/continue",
            post(entries::continue_entry),
        )
        .route("/o/{org}/week", get(week::page))
        .route("/o/{org}/calendar", get(calendar::page))
        .route("/o/{org}/week/add", post(week::add))
        .route("/o/{org}/week/cells", post(week::save_cells))
}

pub struct ProjectChoice {
    pub id: String,
    /// `Client · Project`, or the project's name when it has no client.
    pub label: String,
    pub name: String,
    /// Empty without a client.
    pub client: String,
    pub color: String,
    pub billable_default: bool,
}

pub struct TaskChoice {
    pub id: String,
    pub project_id: String,
    pub label: String,
}

pub struct TagChoice {
    pub id: String,
    pub name: String,
}

/// What the entry forms offer: the projects, tasks and tags the viewer may use.
#[derive(Default)]
pub struct Choices {
    pub projects: Vec<ProjectChoice>,
    pub tasks: Vec<TaskChoice>,
    pub tags: Vec<TagChoice>,
    project_labels: HashMap<String, String>,
    project_colors: HashMap<String, String>,
    task_labels: HashMap<String, String>,
    tag_names: HashMap<String, String>,
}

impl Choices {
    /// A project as lists show it: empty without one, "(hidden project)" for one the viewer
    /// cannot see.
    pub fn project_name(&self, id: Option<ProjectId>) -> String {
        match id {
            None => String::new(),
            Some(id) => self
                .project_labels
                .get(&id.to_string())
                .cloned()
                .unwrap_or_else(|| "(hidden project)".into()),
        }
    }

    /// A project as totals and grid rows name it: "No project" without one.
    pub fn project_label(&self, id: Option<ProjectId>) -> String {
        match id {
            None => "No project".into(),
            Some(_) => self.project_name(id),
        }
    }

    /// A project's colour (`#rrggbb`): empty without a project or for one the viewer cannot
    /// see, which then shows no dot.
    pub fn project_color(&self, id: Option<ProjectId>) -> String {
        id.and_then(|p| self.project_colors.get(&p.to_string()).cloned())
            .unwrap_or_default()
    }

    pub fn task_name(&self, id: Option<TaskId>) -> String {
        id.and_then(|t| self.task_labels.get(&t.to_string()).cloned())
            .unwrap_or_default()
    }

    pub async fn load(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<Self> {
        let active = ListQuery::default();
        let all_projects = projects::list(
            ctx,
            actor,
            org,
            &ProjectsQuery {
                list: ListQuery::default(),
                client_id: None,
            },
        )
        .await?;
        let client_names: HashMap<_, _> = clients::list(ctx, actor, org, &active)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let ids: Vec<ProjectId> = all_projects.iter().map(|p| p.id).collect();
        let open_tasks = tasks::open_tasks_of(ctx, actor, org, &ids).await?;
        let all_tags = tags::list(ctx, actor, org, &active).await?;
        let mut choices = Choices::default();
        for p in all_projects {
            let client = p
                .client_id
                .and_then(|c| client_names.get(&c))
                .cloned()
                .unwrap_or_default();
            let label = if client.is_empty() {
                p.name.clone()
            } else {
                format!("{client} · {}", p.name)
            };
            choices
                .project_labels
                .insert(p.id.to_string(), label.clone());
            choices
                .project_colors
                .insert(p.id.to_string(), p.color.clone());
            choices.projects.push(ProjectChoice {
                id: p.id.to_string(),
                label,
                name: p.name,
                client,
                color: p.color,
                billable_default: p.billable_default,
            });
        }
        for t in open_tasks {
            choices.task_labels.insert(t.id.to_string(), t.name.clone());
            choices.tasks.push(TaskChoice {
                id: t.id.to_string(),
                project_id: t.project_id.to_string(),
                label: t.name,
            });
        }
        for t in all_tags {
            choices.tag_names.insert(t.id.to_string(), t.name.clone());
            choices.tags.push(TagChoice {
                id: t.id.to_string(),
                name: t.name,
            });
        }
        Ok(choices)
    }

    /// The tasks of one project, as the task picker's option group.
    pub fn tasks_of(&self, project: &str) -> Vec<&TaskChoice> {
        self.tasks
            .iter()
            .filter(|t| t.project_id == project)
            .collect()
    }

    /// Projects that have tasks, for the task picker's groups.
    pub fn projects_with_tasks(&self) -> Vec<&ProjectChoice> {
        self.projects
            .iter()
            .filter(|p| self.tasks.iter().any(|t| t.project_id == p.id))
            .collect()
    }
}

/// An entry as the lists show it, with what its edit form needs.
pub struct EntryRow {
    pub id: String,
    pub version: i64,
    pub description: String,
    pub project_id: String,
    pub project: String,
    /// The project's colour for its dot; empty when no dot is shown.
    pub project_color: String,
    pub task_id: String,
    pub task: String,
    pub tag_ids: Vec<String>,
    /// The tags' names, one chip each.
    pub tag_names: Vec<String>,
    pub billable: bool,
    pub running: bool,
    pub user_id: String,
    pub day: NaiveDate,
    pub date: String,
    pub start: String,
    pub end: String,
    /// `+1 day` when the entry ends on a later local day than it starts.
    pub end_later: String,
    pub seconds: i64,
    pub duration: String,
    /// The edit form's values (seconds kept), and in `shown` the same values as first shown:
    /// saving compares the two and changes only the times the person changed.
    pub form: TimesForm,
    pub shown: TimesForm,
}

/// The time fields of an entry form, as text.
#[derive(Clone, Default)]
pub struct TimesForm {
    pub date: String,
    pub start: String,
    pub end: String,
    /// Empty when the entry ends on the day it starts.
    pub end_date: String,
}

impl TimesForm {
    fn of(start: DateTime<Utc>, end: Option<DateTime<Utc>>, tz: Tz) -> Self {
        let day = format::local_date(start, tz);
        Self {
            date: day.to_string(),
            start: format::clock_exact(start, tz),
            end: end.map(|e| format::clock_exact(e, tz)).unwrap_or_default(),
            end_date: end
                .map(|e| format::local_date(e, tz))
                .filter(|d| *d != day)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        }
    }

    /// What a form sent: its time fields, or with `prefix` (`was_`) their first-shown twins.
    pub fn sent(fields: &Fields, prefix: &str) -> Self {
        let get = |name: &str| fields.get(&format!("{prefix}{name}")).trim().to_string();
        Self {
            date: get("date"),
            start: get("start"),
            end: get("end"),
            end_date: get("end_date"),
        }
    }
}

/// Whether a time input needs `step="1"` to show the seconds it holds.
pub fn has_seconds(value: &str) -> bool {
    value.len() > 5
}

impl EntryRow {
    pub fn new(view: &EntryView, choices: &Choices, tz: Tz) -> Self {
        let e = &view.entry;
        let project_id = e.project_id.map(|p| p.to_string()).unwrap_or_default();
        let task_id = e.task_id.map(|t| t.to_string()).unwrap_or_default();
        let tag_ids: Vec<String> = e.tags.iter().map(ToString::to_string).collect();
        let tag_names: Vec<String> = tag_ids
            .iter()
            .filter_map(|t| choices.tag_names.get(t).cloned())
            .collect();
        let day = format::local_date(e.start, tz);
        Self {
            id: e.id.to_string(),
            version: e.version,
            description: e.description.clone(),
            project: choices.project_name(e.project_id),
            project_color: choices.project_color(e.project_id),
            task: choices.task_name(e.task_id),
            project_id,
            task_id,
            tag_ids,
            tag_names,
            billable: e.billable,
            running: view.running,
            user_id: e.user_id.to_string(),
            day,
            date: format::date(day),
            start: format::clock(e.start, tz),
            end: e.end.map(|end| format::clock(end, tz)).unwrap_or_default(),
            end_later: e
                .end
                .map(|end| format::later_day(e.start, end, tz))
                .unwrap_or_default(),
            seconds: view.duration_seconds,
            duration: format::entry_length(view.duration_seconds),
            form: TimesForm::of(e.start, e.end, tz),
            shown: TimesForm::of(e.start, e.end, tz),
        }
    }

    pub fn has_tag(&self, id: &str) -> bool {
        self.tag_ids.iter().any(|t| t == id)
    }

    pub fn billable_choice(&self) -> &'static str {
        if self.billable { "true" } else { "false" }
    }

    pub fn label(&self) -> String {
        if self.description.is_empty() {
            "(no description)".into()
        } else {
            self.description.clone()
        }
    }
}

/// Entries of one local day, newest first, with the day's total.
pub struct DayGroup {
    pub date: String,
    pub total: String,
    pub entries: Vec<EntryRow>,
}

pub fn group_by_day(rows: Vec<EntryRow>) -> Vec<DayGroup> {
    let mut groups: Vec<(NaiveDate, Vec<EntryRow>)> = Vec::new();
    for row in rows {
        match groups.last_mut() {
            Some((day, entries)) if *day == row.day => entries.push(row),
            _ => groups.push((row.day, vec![row])),
        }
    }
    groups
        .into_iter()
        .map(|(day, entries)| DayGroup {
            date: format::date(day),
            total: format::hours_minutes(entries.iter().map(|e| e.seconds).sum()),
            entries,
        })
        .collect()
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> Option<T> {
    raw.trim().parse().ok()
}

/// The fields shared by every entry form: description, project, task, tags, billable.
pub fn what_from(fields: &Fields) -> EntryInput {
    let (project, task) = match fields.non_empty("project_task") {
        Some(choice) => bar::project_task(choice),
        None => (
            parse_id::<ProjectId>(fields.get("project_id")),
            parse_id::<TaskId>(fields.get("task_id")),
        ),
    };
    EntryInput {
        description: Some(fields.get("description").trim().to_string()),
        project_id: Some(project),
        task_id: Some(task),
        // empty: the project's default applies
        billable: match fields.get("billable") {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        tags: Some(
            fields
                .all("tag_id")
                .into_iter()
                .filter_map(parse_id::<TagId>)
                .collect(),
        ),
        ..EntryInput::default()
    }
}

/// Reads `date`, `start`, `end` and the optional `end_date` (local wall-clock values in `tz`)
/// into instants. The end is on `end_date` when one is given, else on `date`: an end that is not
/// after the start is an error, never silently the next day — an entry past midnight says so
/// with its end date.
pub fn when_from(
    fields: &Fields,
    tz: Tz,
    end_required: bool,
    errors: &mut super::form::FormErrors,
) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let day = |name: &str, errors: &mut super::form::FormErrors| -> Option<NaiveDate> {
        NaiveDate::parse_from_str(fields.get(name).trim(), "%Y-%m-%d")
            .map_err(|_| errors.add(name, "Give the day as a date, e.g. 2026-11-27."))
            .ok()
    };
    let time = |name: &str, what: &str, errors: &mut super::form::FormErrors| {
        let raw = fields.get(name).trim();
        NaiveTime::parse_from_str(raw, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
            .map_err(|_| {
                errors.add(
                    name,
                    format!("Give the {what} as a time of day, e.g. 09:30."),
                )
            })
            .ok()
    };
    let date = day("date", errors);
    let start = time("start", "start", errors);
    let end = if fields.non_empty("end").is_none() && !end_required {
        None
    } else {
        Some(time("end", "end", errors)?)
    };
    let end_day = match fields.non_empty("end_date") {
        Some(_) => Some(day("end_date", errors)?),
        None => date,
    };
    let (date, start) = (date?, start?);
    let Some(start_at) = format::local_instant(date, start, tz) else {
        errors.add(
            "start",
            format!("{start} does not exist on {date} in {tz}: the clocks skip it."),
        );
        return None;
    };
    let Some(end) = end else {
        return Some((start_at, None));
    };
    let end_day = end_day?;
    let Some(end_at) = format::local_instant(end_day, end, tz) else {
        errors.add(
            "end",
            format!("{end} does not exist on {end_day} in {tz}: the clocks skip it."),
        );
        return None;
    };
    if end_at == start_at {
        errors.add(
            "end",
            "The end is the same as the start: an entry needs a length.",
        );
        return None;
    }
    if end_at < start_at {
        errors.add(
            "end",
            if fields.non_empty("end_date").is_some() {
                "The end is before the start."
            } else {
                "The end is before the start. For an entry that goes past midnight, give its end date."
            },
        );
        return None;
    }
    Some((start_at, Some(end_at)))
}

/// The new times an edit form asks for: only those the person changed, so an entry saved with
/// its times untouched keeps its stored instants exactly (seconds included). `None` when the
/// typed times are not valid (the errors say why).
pub fn changed_times(
    fields: &Fields,
    tz: Tz,
    running: bool,
    errors: &mut super::form::FormErrors,
) -> Option<TimesChange> {
    let typed = TimesForm::sent(fields, "");
    let shown = TimesForm::sent(fields, "was_");
    let start_changed = typed.date != shown.date || typed.start != shown.start;
    // the end's day follows `date` unless an end date is given
    let end_changed =
        typed.date != shown.date || typed.end != shown.end || typed.end_date != shown.end_date;
    if !start_changed && !end_changed {
        return Some(TimesChange::default());
    }
    let (start, end) = when_from(fields, tz, !running, errors)?;
    Some(TimesChange {
        start: start_changed.then_some(start),
        end: end_changed.then_some(end),
    })
}

/// What an edit changes of an entry's times (`None`: unchanged).
#[derive(Debug, Default, Clone, Copy)]
pub struct TimesChange {
    pub start: Option<DateTime<Utc>>,
    /// `Some(None)`: the entry runs (again).
    pub end: Option<Option<DateTime<Utc>>>,
}

/// What is unusual about an entry about to be saved with these times (see
/// `service::entries::unusual`), unless the person confirmed it with "Save anyway".
pub async fn unusual_unless_confirmed(
    ctx: &Ctx,
    viewer: &super::session::Viewer,
    org: OrganizationId,
    fields: &Fields,
    planned: unusual::Planned,
) -> AppResult<Vec<String>> {
    if fields.get("confirm_unusual") == "true" {
        return Ok(Vec::new());
    }
    unusual::unusual(ctx, &viewer.actor, org, &planned).await
}

/// A member in a "whose time" choice.
pub struct MemberChoice {
    pub id: String,
    pub name: String,
}

/// The members a manager may filter by, and their names by id for the rows.
pub(super) async fn member_choices(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
) -> Result<(Vec<MemberChoice>, HashMap<String, String>), PageError> {
    let mut names = HashMap::new();
    let members = members::list(ctx, actor, org)
        .await?
        .into_iter()
        .map(|m| {
            names.insert(m.user_id.to_string(), m.name.clone());
            MemberChoice {
                id: m.user_id.to_string(),
                name: m.name,
            }
        })
        .collect();
    Ok((members, names))
}
