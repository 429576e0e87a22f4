//! Tasks of a project.

use serde::Deserialize;

use super::projects::visible;
use super::{ListQuery, name_taken};
use crate::db::DbError;
use crate::db::catalog::tasks;
use crate::db::entries::{self, Reference};
use crate::domain::catalog::{Task, parse_name};
use crate::domain::ids::{OrganizationId, ProjectId, TaskId};
use crate::domain::role::{Permission, allows};
use crate::error::{AppError, AppResult};
use crate::service::access::require_member;
use crate::service::{Actor, Check, Ctx};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    #[schema(schema_with = crate::domain::field_schema::optional_name)]
    pub name: Option<String>,
    pub done: Option<bool>,
    pub archived: Option<bool>,
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such task in this project.".into())
}

pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    project: ProjectId,
    query: &ListQuery,
) -> AppResult<Vec<Task>> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let filter = query.filter(mine.role)?;
    visible(&mut pooled.conn(), org, mine.role, actor.user.id, project).await?;
    Ok(tasks::list(&mut pooled.conn(), org, project, &filter).await?)
}

/// The open tasks of the given projects (which the caller has already seen), in one query.
pub async fn open_tasks_of(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    projects: &[ProjectId],
) -> AppResult<Vec<Task>> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let all = tasks::list_active_in_org(&mut pooled.conn(), org).await?;
    Ok(all
        .into_iter()
        .filter(|t| projects.contains(&t.project_id))
        .collect())
}

pub async fn get(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    project: ProjectId,
    id: TaskId,
) -> AppResult<Task> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    visible(&mut pooled.conn(), org, mine.role, actor.user.id, project).await?;
    let task = tasks::find(&mut pooled.conn(), org, project, id)
        .await?
        .ok_or_else(not_found)?;
    if task.archived && !allows(mine.role, Permission::ViewWholeCatalog) {
        return Err(not_found());
    }
    Ok(task)
}

fn apply(task: &mut Task, input: TaskInput, check: &mut Check) {
    if let Some(name) = input
        .name
        .as_deref()
        .and_then(|n| check.field("name", parse_name(n)))
    {
        task.name = name;
    }
    if let Some(done) = input.done {
        task.done = done;
    }
    if let Some(archived) = input.archived {
        task.archived = archived;
    }
}

pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    project: ProjectId,
    input: TaskInput,
) -> AppResult<Task> {
    let now = ctx.clock.now();
    let mut task = Task {
        id: TaskId::new(),
        project_id: project,
        name: String::new(),
        done: false,
        archived: false,
        created_at: now,
        updated_at: now,
    };
    let mut check = Check::default();
    if input.name.is_none() {
        check.field::<()>("name", Err("is required".into()));
    }
    apply(&mut task, input, &mut check);
    check.finish()?;
    save(ctx, actor, org, task).await
}

pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    project: ProjectId,
    id: TaskId,
    input: TaskInput,
) -> AppResult<Task> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ManageCatalog).await?;
    visible(&mut pooled.conn(), org, mine.role, actor.user.id, project).await?;
    let mut task = tasks::find(&mut pooled.conn(), org, project, id)
        .await?
        .ok_or_else(not_found)?;
    drop(pooled);
    let mut check = Check::default();
    apply(&mut task, input, &mut check);
    check.finish()?;
    task.updated_at = ctx.clock.now();
    save(ctx, actor, org, task).await
}

async fn save(ctx: &Ctx, actor: &Actor, org: OrganizationId, task: Task) -> AppResult<Task> {
    let mut tx = ctx.db.begin().await?;
    let mine = require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    visible(
        &mut tx.conn(),
        org,
        mine.role,
        actor.user.id,
        task.project_id,
    )
    .await?;
    match tasks::save(&mut tx.conn(), org, &task).await {
        Err(DbError::Unique(_)) => return Err(name_taken("task of this project")),
        other => other?,
    }
    tx.commit().await?;
    Ok(task)
}

pub async fn delete(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    project: ProjectId,
    id: TaskId,
    force: bool,
) -> AppResult<Task> {
    let mut tx = ctx.db.begin().await?;
    let mine = require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    visible(&mut tx.conn(), org, mine.role, actor.user.id, project).await?;
    let task = tasks::find(&mut tx.conn(), org, project, id)
        .await?
        .ok_or_else(not_found)?;
    let used =
        entries::count_referencing(&mut tx.conn(), org, Reference::Task, id.as_uuid()).await?;
    if used > 0 && !(force && allows(mine.role, Permission::ForceDeleteCatalog)) {
        return Err(super::in_use(format!(
            "{used} time entries use this task; archive it instead, or delete with ?force=true as an admin (the entries stay, without it)."
        )));
    }
    tasks::delete(&mut tx.conn(), org, project, id).await?;
    tx.commit().await?;
    Ok(task)
}
