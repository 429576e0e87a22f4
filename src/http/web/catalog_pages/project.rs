//! `/o/{org}/projects/{id}`: one project with its tasks, its people and (for admins) its rates;
//! managers edit and delete it here. The task, member and rate forms post to `project_parts`,
//! which come back to this page.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};

use super::colours::{self, ColourChoice};
use super::projects::{ClientOption, client_choices, project_input};
use super::{Attempt, amount, hours, money, rejected, retry};
use crate::domain::catalog::{Project, Visibility};
use crate::domain::ids::{OrganizationId, ProjectId, UserId};
use crate::error::AppResult;
use crate::http::state::AppState;
use crate::http::web::form::{Fields, FormErrors, SignedForm};
use crate::http::web::format;
use crate::http::web::org::org_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{Viewer, redirect_with_notice};
use crate::service::catalog::{ListQuery, projects, tasks};
use crate::service::organizations;
use crate::service::{members, rates};

/// The edit form, filled from the project or from the input that failed.
struct EditForm {
    errors: FormErrors,
    name: String,
    client_id: String,
    color: ColourChoice,
    billable: bool,
    private: bool,
    archived: bool,
    estimate: String,
    budget: String,
}

impl EditForm {
    fn of(project: &Project, attempt: &mut Attempt, currency: &str) -> Self {
        match attempt.take("project") {
            Some((errors, fields)) => Self {
                errors,
                name: fields.get("name").into(),
                client_id: fields.get("client_id").into(),
                color: ColourChoice::of(&colours::chosen(&fields).unwrap_or_default()),
                billable: fields.checked("billable_default"),
                private: fields.get("visibility") == "private",
                archived: fields.checked("archived"),
                estimate: fields.get("estimate_hours").into(),
                budget: fields.get("budget").into(),
            },
            None => Self {
                errors: FormErrors::default(),
                name: project.name.clone(),
                client_id: project.client_id.map(|c| c.to_string()).unwrap_or_default(),
                color: ColourChoice::of(&project.color),
                billable: project.billable_default,
                private: project.visibility == Visibility::Private,
                archived: project.archived,
                estimate: hours(project.estimate_seconds),
                budget: amount(project.budget, currency),
            },
        }
    }
}

struct TaskRow {
    id: String,
    name: String,
    done: bool,
    archived: bool,
    open: bool,
    errors: FormErrors,
    name_value: String,
}

struct MemberRow {
    id: String,
    name: String,
    email: String,
    rate_errors: FormErrors,
    rate_value: String,
}

struct Candidate {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "manage/project.html")]
struct ProjectPage {
    chrome: Chrome,
    path: String,
    name: String,
    color: String,
    client: String,
    billable: bool,
    private: bool,
    archived: bool,
    estimate: String,
    budget: String,
    /// Errors of buttons without a form of their own (delete, archive a task, remove a member).
    errors: FormErrors,
    edit: EditForm,
    clients: Vec<ClientOption>,
    currency: String,
    tasks: Vec<TaskRow>,
    task_errors: FormErrors,
    task_name: String,
    members: Vec<MemberRow>,
    candidates: Vec<Candidate>,
    member_errors: FormErrors,
    member_choice: String,
    /// Admins see and set rates.
    rates_shown: bool,
    rate: String,
    rate_errors: FormErrors,
    rate_value: String,
    /// What applies when neither the project nor the person has a rate.
    fallback: String,
}

/// The failed form's errors and input, or the current value for a fresh form.
fn form_state(
    attempt: &mut Attempt,
    key: &str,
    field: &str,
    current: String,
) -> (FormErrors, String) {
    match attempt.take(key) {
        Some((errors, fields)) => (errors, fields.get(field).into()),
        None => (FormErrors::default(), current),
    }
}

/// The project's own rate and its people's rates on it, when the viewer may see rates.
async fn project_rates(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    id: ProjectId,
    shown: bool,
) -> AppResult<(Option<i64>, HashMap<UserId, i64>)> {
    if !shown {
        return Ok((None, HashMap::new()));
    }
    let table = rates::table(&state.ctx, &viewer.actor, org).await?;
    Ok(table
        .projects
        .into_iter()
        .find(|p| p.project_id == id)
        .map(|p| {
            let people = p
                .members
                .into_iter()
                .filter_map(|m| m.hourly_rate.map(|r| (m.user_id, r)))
                .collect();
            (p.hourly_rate, people)
        })
        .unwrap_or_default())
}

pub(super) async fn render(
    state: &AppState,
    viewer: &Viewer,
    (org, id): (OrganizationId, ProjectId),
    mut attempt: Attempt,
    headers: &HeaderMap,
    status: StatusCode,
) -> PageResult {
    let (chrome, mine) = org_chrome(state, viewer, org, "projects").await?;
    let (ctx, actor) = (&state.ctx, &viewer.actor);
    let project = projects::get(ctx, actor, org, id).await?;
    let manages = chrome.manages();
    let (clients, client_names) = client_choices(ctx, actor, org, manages).await?;
    let task_query = ListQuery {
        archived: manages.then(|| "all".to_string()),
        search: None,
    };
    let all_tasks = tasks::list(ctx, actor, org, id, &task_query).await?;
    let people = projects::members(ctx, actor, org, id).await?;
    let rates_shown = chrome.administers();
    attempt.unless_shown(|form| manages && (rates_shown || !form.starts_with("rate")));
    let (rate, person_rates) = project_rates(state, viewer, org, id, rates_shown).await?;
    let candidates = if manages {
        members::list(ctx, actor, org)
            .await?
            .into_iter()
            .filter(|m| !m.disabled && !people.iter().any(|p| p.user_id == m.user_id))
            .map(|m| Candidate {
                id: m.user_id.to_string(),
                name: format!("{} ({})", m.name, m.email),
            })
            .collect()
    } else {
        Vec::new()
    };
    let currency = mine.organization.currency.clone();
    let edit = EditForm::of(&project, &mut attempt, &currency);
    let tasks = all_tasks
        .into_iter()
        .map(|t| {
            let key = format!("task-{}", t.id);
            let open = attempt.failed(&key);
            let (errors, name_value) = form_state(&mut attempt, &key, "name", t.name.clone());
            TaskRow {
                id: t.id.to_string(),
                name: t.name,
                done: t.done,
                archived: t.archived,
                open,
                errors,
                name_value,
            }
        })
        .collect();
    let members = people
        .into_iter()
        .map(|p| {
            let current = person_rates.get(&p.user_id).copied();
            let key = format!("rate-{}", p.user_id);
            let (rate_errors, rate_value) = form_state(
                &mut attempt,
                &key,
                "hourly_rate",
                amount(current, &currency),
            );
            MemberRow {
                id: p.user_id.to_string(),
                name: p.name,
                email: p.email,
                rate_errors,
                rate_value,
            }
        })
        .collect();
    let (task_errors, task_name) = form_state(&mut attempt, "new-task", "name", String::new());
    let (member_errors, member_choice) =
        form_state(&mut attempt, "member", "user_id", String::new());
    let (rate_errors, rate_value) =
        form_state(&mut attempt, "rate", "hourly_rate", amount(rate, &currency));
    let page = ProjectPage {
        path: format!("/o/{org}/projects/{id}"),
        client: project
            .client_id
            .and_then(|c| client_names.get(&c).cloned())
            .unwrap_or_default(),
        name: project.name,
        color: project.color,
        billable: project.billable_default,
        private: project.visibility == Visibility::Private,
        archived: project.archived,
        estimate: project
            .estimate_seconds
            .map(format::hours_minutes)
            .unwrap_or_default(),
        budget: project
            .budget
            .map(|b| money(b, &currency))
            .unwrap_or_default(),
        errors: attempt.rest(),
        edit,
        clients,
        tasks,
        task_errors,
        task_name,
        members,
        candidates,
        member_errors,
        member_choice,
        rates_shown,
        rate: rate.map(|r| money(r, &currency)).unwrap_or_default(),
        rate_errors,
        rate_value,
        fallback: mine
            .organization
            .default_rate
            .map(|r| money(r, &currency))
            .unwrap_or_default(),
        currency,
        chrome,
    };
    Ok(page::html_with_status(&page, headers, status))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(target): Path<(OrganizationId, ProjectId)>,
    headers: HeaderMap,
) -> PageResult {
    render(
        &state,
        &viewer,
        target,
        Attempt::default(),
        &headers,
        StatusCode::OK,
    )
    .await
}

/// Back to the project page after a change, scrolled to the section or row it touched, with a
/// notice saying what changed (`done` answers both: the anchor, then the notice); or the page
/// again with the form that failed (`key`) showing its errors and input.
pub(super) async fn finish<T>(
    state: &AppState,
    headers: &HeaderMap,
    form: SignedForm,
    target: (OrganizationId, ProjectId),
    key: &str,
    result: AppResult<T>,
    done: impl FnOnce(T) -> (String, String),
) -> PageResult {
    match result {
        Ok(value) => {
            let (org, id) = target;
            let (anchor, notice) = done(value);
            let to = format!("/o/{org}/projects/{id}#{anchor}");
            Ok(redirect_with_notice(
                &to,
                &notice,
                state.ctx.settings.secure_cookies,
            ))
        }
        Err(e) => {
            let (attempt, status) = retry(key, form.fields, e)?;
            render(state, &form.viewer, target, attempt, headers, status).await
        }
    }
}

/// Shows the page again with errors found in the form itself.
pub(super) async fn reject(
    state: &AppState,
    headers: &HeaderMap,
    viewer: &Viewer,
    target: (OrganizationId, ProjectId),
    key: &str,
    (fields, errors): (Fields, FormErrors),
) -> PageResult {
    let (attempt, status) = rejected(key, fields, errors);
    render(state, viewer, target, attempt, headers, status).await
}

pub async fn update(
    State(state): State<AppState>,
    Path(target): Path<(OrganizationId, ProjectId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let (org, id) = target;
    let currency = organizations::get(&state.ctx, &form.viewer.actor, org)
        .await?
        .organization
        .currency;
    let input = match project_input(&form.fields, true, &currency) {
        Ok(input) => input,
        Err(errors) => {
            let SignedForm { viewer, fields } = form;
            return reject(
                &state,
                &headers,
                &viewer,
                target,
                "project",
                (fields, errors),
            )
            .await;
        }
    };
    // the name the form showed, so the notice can say what it became
    let before = form.fields.get("was").to_string();
    let result = projects::update(&state.ctx, &form.viewer.actor, org, id, input).await;
    finish(&state, &headers, form, target, "project", result, |p| {
        let notice = if !before.is_empty() && before != p.name {
            format!("Project “{before}” renamed to “{}”.", p.name)
        } else {
            format!("Project “{}” saved.", p.name)
        };
        ("details-title".into(), notice)
    })
    .await
}

pub async fn delete(
    State(state): State<AppState>,
    Path(target): Path<(OrganizationId, ProjectId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let (org, id) = target;
    match projects::delete(&state.ctx, &form.viewer.actor, org, id, false).await {
        Ok(project) => Ok(redirect_with_notice(
            &format!("/o/{org}/projects#projects-title"),
            &format!("Project “{}” deleted.", project.name),
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => {
            let (attempt, status) = retry("page", form.fields, e)?;
            render(&state, &form.viewer, target, attempt, &headers, status).await
        }
    }
}
