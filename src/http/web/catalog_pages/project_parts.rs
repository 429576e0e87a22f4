//! The forms of a project's page other than the project's own: its tasks, its people and its
//! rates. Each posts here and comes back to `project`'s page.

use axum::extract::{Path, State};
use axum::http::HeaderMap;

use super::parse_amount;
use super::project::{finish, reject};
use crate::domain::ids::{OrganizationId, ProjectId, TaskId, UserId};
use crate::http::state::AppState;
use crate::http::web::form::{Fields, FormErrors, SignedForm};
use crate::http::web::page_error::PageResult;
use crate::service::catalog::{projects, tasks};
use crate::service::organizations;
use crate::service::rates::{self, RateInput, Target};

pub async fn task_create(
    State(state): State<AppState>,
    Path(target): Path<(OrganizationId, ProjectId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let (org, id) = target;
    let input = tasks::TaskInput {
        name: Some(form.fields.get("name").into()),
        ..tasks::TaskInput::default()
    };
    let result = tasks::create(&state.ctx, &form.viewer.actor, org, id, input).await;
    finish(&state, &headers, form, target, "new-task", result, |t| {
        (
            format!("task-{}", t.id),
            format!("Task “{}” added.", t.name),
        )
    })
    .await
}

/// The rename form sends `name`; the buttons send only `done` or only `archived`.
fn task_input(fields: &Fields) -> tasks::TaskInput {
    let flag = |name| fields.non_empty(name).map(|v| v == "true");
    match (flag("done"), flag("archived")) {
        (None, None) => tasks::TaskInput {
            name: Some(fields.get("name").into()),
            ..tasks::TaskInput::default()
        },
        (done, archived) => tasks::TaskInput {
            name: None,
            done,
            archived,
        },
    }
}

pub async fn task_update(
    State(state): State<AppState>,
    Path((org, id, task)): Path<(OrganizationId, ProjectId, TaskId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let input = task_input(&form.fields);
    let (done, archived) = (input.done, input.archived);
    // only renaming has a form to show errors in; the buttons' errors go to the top
    let key = if input.name.is_some() {
        format!("task-{task}")
    } else {
        "page".into()
    };
    let result = tasks::update(&state.ctx, &form.viewer.actor, org, id, task, input).await;
    finish(&state, &headers, form, (org, id), &key, result, |t| {
        let what = match (done, archived) {
            (Some(true), _) => "marked done",
            (Some(false), _) => "reopened",
            (_, Some(true)) => "archived",
            (_, Some(false)) => "restored",
            _ => "renamed",
        };
        (format!("task-{task}"), format!("Task “{}” {what}.", t.name))
    })
    .await
}

pub async fn task_delete(
    State(state): State<AppState>,
    Path((org, id, task)): Path<(OrganizationId, ProjectId, TaskId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let result = tasks::delete(&state.ctx, &form.viewer.actor, org, id, task, false).await;
    finish(&state, &headers, form, (org, id), "page", result, |t| {
        ("tasks".into(), format!("Task “{}” deleted.", t.name))
    })
    .await
}

pub async fn member_add(
    State(state): State<AppState>,
    Path(target): Path<(OrganizationId, ProjectId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let (org, id) = target;
    let Ok(user) = form.fields.get("user_id").parse::<UserId>() else {
        let errors = FormErrors::fields(&[("user_id", "Choose a person from the list.")]);
        let SignedForm { viewer, fields } = form;
        return reject(
            &state,
            &headers,
            &viewer,
            target,
            "member",
            (fields, errors),
        )
        .await;
    };
    let result = projects::add_member(&state.ctx, &form.viewer.actor, org, id, user).await;
    finish(&state, &headers, form, target, "member", result, |_| {
        ("members".into(), "Person added to the project.".into())
    })
    .await
}

pub async fn member_remove(
    State(state): State<AppState>,
    Path((org, id, user)): Path<(OrganizationId, ProjectId, UserId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let result = projects::remove_member(&state.ctx, &form.viewer.actor, org, id, user).await;
    finish(&state, &headers, form, (org, id), "page", result, |()| {
        ("members".into(), "Person removed from the project.".into())
    })
    .await
}

/// Sets (or, when the field is empty, clears) a rate; `key` is the form shown again on errors.
async fn set_rate(
    state: &AppState,
    headers: &HeaderMap,
    form: SignedForm,
    project: (OrganizationId, ProjectId),
    rate_of: Target,
    key: &str,
) -> PageResult {
    let currency = organizations::get(&state.ctx, &form.viewer.actor, project.0)
        .await?
        .organization
        .currency;
    let hourly_rate = match parse_amount(form.fields.get("hourly_rate"), &currency) {
        Ok(rate) => rate,
        Err(message) => {
            let errors = FormErrors::fields(&[("hourly_rate", &message)]);
            let SignedForm { viewer, fields } = form;
            return reject(state, headers, &viewer, project, key, (fields, errors)).await;
        }
    };
    let section = if matches!(rate_of, Target::Project(_)) {
        "rates"
    } else {
        "members"
    };
    let input = RateInput { hourly_rate };
    let result = rates::set(&state.ctx, &form.viewer.actor, project.0, rate_of, input).await;
    finish(state, headers, form, project, key, result, |_| {
        let notice = match hourly_rate {
            Some(_) => "Rate saved.",
            None => "Rate cleared.",
        };
        (section.into(), notice.into())
    })
    .await
}

pub async fn rate_set(
    State(state): State<AppState>,
    Path(target): Path<(OrganizationId, ProjectId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    set_rate(
        &state,
        &headers,
        form,
        target,
        Target::Project(target.1),
        "rate",
    )
    .await
}

pub async fn member_rate_set(
    State(state): State<AppState>,
    Path((org, id, user)): Path<(OrganizationId, ProjectId, UserId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let key = format!("rate-{user}");
    let rate_of = Target::ProjectMember(id, user);
    set_rate(&state, &headers, form, (org, id), rate_of, &key).await
}
