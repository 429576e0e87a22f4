//! The pages people use every day: the timer (home), the entries list and the week grid. They
//! share the pickers (projects, tasks, tags), the way an entry is shown, and the way an entry
//! form becomes an `EntryInput`.

pub mod chart;
pub mod entries;
pub mod timer;
pub mod week;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::form::Fields;
use super::format;
use crate::domain::ids::{OrganizationId, ProjectId, TagId, TaskId};
use crate::error::AppResult;
use crate::service::catalog::projects::ProjectsQuery;
use crate::service::catalog::{ListQuery, clients, projects, tags, tasks};
use crate::service::entries::{EntryInput, EntryView};
use crate::service::{Actor, Ctx};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/o/{org}", get(timer::home))
        .route("/o/{org}/timer/start", post(timer::start))
        .route("/o/{org}/timer/stop", post(timer::stop))
        .route("/o/{org}/entries", get(entries::list).post(entries::create))
        .route("/o/{org}/entries/bulk", post(entries::bulk))
        .route("/o/{org}/entries/{id}", post(entries::update))
        .route("/o/{org}/entries/{id}/edit", get(entries::edit))
        .route("/o/{org}/entries/{id}/delete", post(entries::delete))
        .route(
            "/o/{org}/entries/{id}/continue",
            post(entries::continue_entry),
        )
        .route("/o/{org}/week", get(week::page))
        .route("/o/{org}/week/add", post(week::add))
        .route("/o/{org}/week/cells", post(week::save_cells))
}

pub struct ProjectChoice {
    pub id: String,
    /// `Client · Project`, or the project's name when it has no client.
    pub label: String,
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
    task_labels: HashMap<String, String>,
    tag_names: HashMap<String, String>,
}

impl Choices {
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
            let label = match p.client_id.and_then(|c| client_names.get(&c)) {
                Some(client) => format!("{client} · {}", p.name),
                None => p.name.clone(),
            };
            choices
                .project_labels
                .insert(p.id.to_string(), label.clone());
            choices.projects.push(ProjectChoice {
                id: p.id.to_string(),
                label,
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
    pub task_id: String,
    pub task: String,
    pub tag_ids: Vec<String>,
    pub tags: String,
    pub billable: bool,
    pub running: bool,
    pub user_id: String,
    pub day: NaiveDate,
    pub date: String,
    pub date_iso: String,
    pub start: String,
    pub end: String,
    pub seconds: i64,
    pub duration: String,
}

impl EntryRow {
    pub fn new(view: &EntryView, choices: &Choices, tz: Tz) -> Self {
        let e = &view.entry;
        let project_id = e.project_id.map(|p| p.to_string()).unwrap_or_default();
        let task_id = e.task_id.map(|t| t.to_string()).unwrap_or_default();
        let tag_ids: Vec<String> = e.tags.iter().map(ToString::to_string).collect();
        let tags = tag_ids
            .iter()
            .filter_map(|t| choices.tag_names.get(t).cloned())
            .collect::<Vec<_>>()
            .join(", ");
        let day = format::local_date(e.start, tz);
        Self {
            id: e.id.to_string(),
            version: e.version,
            description: e.description.clone(),
            project: choices
                .project_labels
                .get(&project_id)
                .cloned()
                .unwrap_or_else(|| {
                    if project_id.is_empty() {
                        String::new()
                    } else {
                        "(hidden project)".into()
                    }
                }),
            task: choices
                .task_labels
                .get(&task_id)
                .cloned()
                .unwrap_or_default(),
            project_id,
            task_id,
            tag_ids,
            tags,
            billable: e.billable,
            running: view.running,
            user_id: e.user_id.to_string(),
            day,
            date: format::date(day),
            date_iso: day.to_string(),
            start: format::clock(e.start, tz),
            end: e.end.map(|end| format::clock(end, tz)).unwrap_or_default(),
            seconds: view.duration_seconds,
            duration: format::hours_minutes(view.duration_seconds),
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
    let project: Option<ProjectId> = parse_id(fields.get("project_id"));
    let task: Option<TaskId> = parse_id(fields.get("task_id"));
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

/// Reads `date`, `start` and `end` (local wall-clock times in `tz`) into instants. An end
/// earlier than the start means the next day, so a night shift needs no second date.
pub fn when_from(
    fields: &Fields,
    tz: Tz,
    end_required: bool,
    errors: &mut super::form::FormErrors,
) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let date = match NaiveDate::parse_from_str(fields.get("date").trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add("date", "is required as a day, e.g. 2026-11-27");
            None
        }
    };
    let time = |name: &str, errors: &mut super::form::FormErrors| -> Option<NaiveTime> {
        let raw = fields.get(name).trim();
        NaiveTime::parse_from_str(raw, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
            .map_err(|_| errors.add(name, "is required as a time of day, e.g. 09:30"))
            .ok()
    };
    let start = time("start", errors);
    let end = if fields.non_empty("end").is_none() && !end_required {
        None
    } else {
        Some(time("end", errors)?)
    };
    let (date, start) = (date?, start?);
    let Some(start_at) = format::local_instant(date, start, tz) else {
        errors.add(
            "start",
            format!("{start} does not exist on {date} in {tz} (the clocks skip it)"),
        );
        return None;
    };
    let end_at = match end {
        None => None,
        Some(end) => {
            let end_day = if end <= start {
                date + Duration::days(1)
            } else {
                date
            };
            match format::local_instant(end_day, end, tz) {
                Some(at) => Some(at),
                None => {
                    errors.add(
                        "end",
                        format!("{end} does not exist on {end_day} in {tz} (the clocks skip it)"),
                    );
                    return None;
                }
            }
        }
    };
    Some((start_at, end_at))
}
