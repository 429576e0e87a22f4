//! The timer bar at the top of the home page: one form that starts a timer or, switched to
//! Manual, adds a finished entry. Here live its combined project/task picker, its suggestions
//! from recent descriptions, and the values it shows again when something needs fixing.
//! static/timer-bar.js turns the plain controls into comboboxes; without it they work as they are.

use super::super::form::Fields;
use super::{Choices, parse_id};
use crate::domain::ids::{ProjectId, TaskId};
use crate::service::entries::suggestions::Suggestion;

/// The picker's value for a project (`<project>`) or a task (`<project>/<task>`): a task always
/// travels with its project, which the entry rules require.
pub fn picker_value(project_id: &str, task_id: &str) -> String {
    match (project_id, task_id) {
        ("", _) => String::new(),
        (p, "") => p.to_string(),
        (p, t) => format!("{p}/{t}"),
    }
}

/// The project and task a picker value names; anything unreadable is no project.
pub fn project_task(raw: &str) -> (Option<ProjectId>, Option<TaskId>) {
    match raw.trim().split_once('/') {
        Some((project, task)) => match (parse_id(project), parse_id(task)) {
            (Some(p), Some(t)) => (Some(p), Some(t)),
            _ => (None, None),
        },
        None => (parse_id(raw), None),
    }
}

/// One choice of the picker: a project, or a task under its project.
pub struct PickerOption {
    pub value: String,
    /// What the plain `<select>` shows: `Website` or `Website › Design`.
    pub label: String,
    pub project: String,
    /// Empty for a project's own option.
    pub task: String,
    pub client: String,
    pub color: String,
    /// The project's billable default, which the bar's billable switch follows when chosen.
    pub billable: bool,
}

impl PickerOption {
    pub fn is_task(&self) -> bool {
        !self.task.is_empty()
    }

    /// The chosen option as the combobox shows it: `Acme · Website › Design`.
    pub fn full_label(&self) -> String {
        if self.client.is_empty() {
            self.label.clone()
        } else {
            format!("{} · {}", self.client, self.label)
        }
    }
}

/// The projects of one client (or of none), each followed by its open tasks.
pub struct PickerGroup {
    pub label: String,
    pub options: Vec<PickerOption>,
}

pub struct Picker {
    pub groups: Vec<PickerGroup>,
}

impl Picker {
    pub fn new(choices: &Choices) -> Self {
        let mut groups: Vec<PickerGroup> = Vec::new();
        for p in &choices.projects {
            let label = if p.client.is_empty() {
                "No client".to_string()
            } else {
                p.client.clone()
            };
            let option = |task_id: &str, task: &str| PickerOption {
                value: picker_value(&p.id, task_id),
                label: if task.is_empty() {
                    p.name.clone()
                } else {
                    format!("{} › {task}", p.name)
                },
                project: p.name.clone(),
                task: task.to_string(),
                client: p.client.clone(),
                color: p.color.clone(),
                billable: p.billable_default,
            };
            let mut options = vec![option("", "")];
            options.extend(
                choices
                    .tasks_of(&p.id)
                    .into_iter()
                    .map(|t| option(&t.id, &t.label)),
            );
            match groups.iter_mut().find(|g| g.label == label) {
                Some(group) => group.options.extend(options),
                None => groups.push(PickerGroup { label, options }),
            }
        }
        Self { groups }
    }

    fn find(&self, value: &str) -> Option<&PickerOption> {
        self.groups
            .iter()
            .flat_map(|g| &g.options)
            .find(|o| o.value == value)
    }

    /// The chosen option's label for the combobox, empty for "No project".
    pub fn label_of(&self, value: &str) -> String {
        self.find(value)
            .map(PickerOption::full_label)
            .unwrap_or_default()
    }
}

/// A recent description with what it was last tracked on, as the page carries it: only the
/// project, task and tags the viewer can still choose.
pub struct SuggestionRow {
    pub description: String,
    pub what: String,
    /// Where it was tracked, for the suggestion list: `Acme · Website › Design`.
    pub shown: String,
    pub color: String,
    /// Tag ids, space-separated.
    pub tags: String,
    pub billable: bool,
}

pub fn suggestion_rows(
    suggestions: Vec<Suggestion>,
    picker: &Picker,
    choices: &Choices,
) -> Vec<SuggestionRow> {
    suggestions
        .into_iter()
        .map(|s| {
            let project = s.project_id.map(|p| p.to_string()).unwrap_or_default();
            let task = s.task_id.map(|t| t.to_string()).unwrap_or_default();
            let chosen = picker
                .find(&picker_value(&project, &task))
                .or_else(|| picker.find(&project));
            SuggestionRow {
                description: s.description,
                what: chosen.map(|o| o.value.clone()).unwrap_or_default(),
                shown: chosen.map(PickerOption::full_label).unwrap_or_default(),
                color: chosen.map(|o| o.color.clone()).unwrap_or_default(),
                tags: s
                    .tags
                    .iter()
                    .map(ToString::to_string)
                    .filter(|t| choices.tags.iter().any(|c| c.id == *t))
                    .collect::<Vec<_>>()
                    .join(" "),
                billable: s.billable,
            }
        })
        .collect()
}

/// What the bar shows: empty, or what was sent when it failed.
#[derive(Default)]
pub struct BarForm {
    /// Manual mode: a finished entry with its times instead of a timer.
    pub manual: bool,
    pub description: String,
    pub project_task: String,
    pub tag_ids: Vec<String>,
    pub billable: bool,
    pub date: String,
    pub start: String,
    pub end: String,
    pub end_date: String,
}

impl BarForm {
    /// A fresh bar; the page fills in today's date.
    pub fn empty(manual: bool) -> Self {
        Self {
            manual,
            ..Self::default()
        }
    }

    pub fn sent(fields: &Fields, manual: bool) -> Self {
        let project_task = match fields.non_empty("project_task") {
            Some(v) => v.to_string(),
            None => picker_value(fields.get("project_id"), fields.get("task_id")),
        };
        Self {
            manual,
            description: fields.get("description").into(),
            project_task,
            tag_ids: fields.all("tag_id").into_iter().map(Into::into).collect(),
            billable: fields.get("billable") == "true",
            date: fields.get("date").into(),
            start: fields.get("start").into(),
            end: fields.get("end").into(),
            end_date: fields.get("end_date").into(),
        }
    }

    pub fn has_tag(&self, id: &str) -> bool {
        self.tag_ids.iter().any(|t| t == id)
    }
}
