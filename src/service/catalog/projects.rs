//! Projects, their visibility and their members.

use serde::Deserialize;

use super::{ListQuery, name_taken};
use crate::db::catalog::{clients, projects};
use crate::db::entries::{self, Reference};
use crate::db::{Conn, DbError, Ts, organizations};
use crate::domain::catalog::{Project, ProjectMember, Visibility, parse_color, parse_name};
use crate::domain::ids::{ClientId, OrganizationId, ProjectId, UserId};
use crate::domain::palette::{self, Swatch};
use crate::domain::role::{Permission, Role, allows};
use crate::error::{AppError, AppResult};
use crate::service::access::require_member;
use crate::service::nullable;
use crate::service::{Actor, Check, Ctx, invalid};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    #[schema(schema_with = crate::domain::field_schema::optional_name)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ClientId>)]
    pub client_id: Option<Option<ClientId>>,
    #[schema(schema_with = crate::domain::field_schema::optional_color)]
    pub color: Option<String>,
    pub billable_default: Option<bool>,
    pub archived: Option<bool>,
    #[schema(value_type = Option<crate::domain::catalog::Visibility>)]
    pub visibility: Option<String>,
    /// Hours, e.g. 12.5.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000)]
    pub estimate_hours: Option<Option<f64>>,
    /// Minor units of the organization's currency.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub budget: Option<Option<i64>>,
}

#[derive(Debug, Deserialize)]
pub struct ProjectsQuery {
    #[serde(flatten)]
    pub list: ListQuery,
    pub client_id: Option<ClientId>,
}

pub fn not_found() -> AppError {
    AppError::NotFound("There is no such project in this organization.".into())
}

/// The project, if the member may see it: managers and above see every project; members see
/// active public projects and active private ones they belong to.
pub async fn visible(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    role: Role,
    user: UserId,
    id: ProjectId,
) -> AppResult<Project> {
    let project = projects::find(conn, org, id).await?.ok_or_else(not_found)?;
    if allows(role, Permission::ViewWholeCatalog) {
        return Ok(project);
    }
    let member = project.visibility == Visibility::Public
        || projects::is_member(conn, org, id, user).await?;
    if project.archived || !member {
        return Err(not_found());
    }
    Ok(project)
}

pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    query: &ProjectsQuery,
) -> AppResult<Vec<Project>> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let filter = query.list.filter(mine.role)?;
    let visible_to = (!allows(mine.role, Permission::ViewWholeCatalog)).then_some(actor.user.id);
    Ok(projects::list(
        &mut pooled.conn(),
        org,
        &filter,
        query.client_id,
        visible_to,
    )
    .await?)
}

pub async fn get(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: ProjectId,
) -> AppResult<Project> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    visible(&mut pooled.conn(), org, mine.role, actor.user.id, id).await
}

fn apply(project: &mut Project, input: ProjectInput, check: &mut Check) {
    if let Some(name) = input
        .name
        .as_deref()
        .and_then(|n| check.field("name", parse_name(n)))
    {
        project.name = name;
    }
    if let Some(client) = input.client_id {
        project.client_id = client;
    }
    if let Some(color) = input
        .color
        .as_deref()
        .and_then(|c| check.field("color", parse_color(c)))
    {
        project.color = color;
    }
    if let Some(billable) = input.billable_default {
        project.billable_default = billable;
    }
    if let Some(archived) = input.archived {
        project.archived = archived;
    }
    if let Some(visibility) = input
        .visibility
        .as_deref()
        .and_then(|v| check.field("visibility", Visibility::parse(v)))
    {
        project.visibility = visibility;
    }
    if let Some(estimate) = input.estimate_hours {
        let parsed = match estimate {
            None => Ok(None),
            Some(hours) if hours.is_finite() && (0.0..=1_000_000.0).contains(&hours) => {
                Ok(Some((hours * 3600.0).round() as i64))
            }
            Some(_) => Err("must be a number of hours from 0 to 1000000".to_string()),
        };
        if let Some(seconds) = check.field("estimate_hours", parsed) {
            project.estimate_seconds = seconds;
        }
    }
    if let Some(budget) = input.budget {
        let parsed = match budget {
            Some(b) if b < 0 => Err("must not be negative".to_string()),
            b => Ok(b),
        };
        if let Some(budget) = check.field("budget", parsed) {
            project.budget = budget;
        }
    }
}

pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    input: ProjectInput,
) -> AppResult<Project> {
    let now = ctx.clock.now();
    let mut project = Project {
        id: ProjectId::new(),
        organization_id: org,
        client_id: None,
        name: String::new(),
        // chosen from the palette in `save` unless the input names one
        color: String::new(),
        billable_default: true,
        archived: false,
        visibility: Visibility::Public,
        estimate_seconds: None,
        budget: None,
        created_at: now,
        updated_at: now,
    };
    let mut check = Check::default();
    if input.name.is_none() {
        check.field::<()>("name", Err("is required".into()));
    }
    let from_palette = input.color.is_none();
    apply(&mut project, input, &mut check);
    check.finish()?;
    save(ctx, actor, org, project, from_palette).await
}

/// The colour a project created now without one would get: what the new-project form offers.
pub async fn next_color(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<Swatch> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ManageCatalog).await?;
    let used = projects::colors(&mut pooled.conn(), org).await?;
    Ok(palette::least_used(used.iter().map(String::as_str)))
}

pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: ProjectId,
    input: ProjectInput,
) -> AppResult<Project> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ManageCatalog).await?;
    let mut project = projects::find(&mut pooled.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    drop(pooled);
    let mut check = Check::default();
    apply(&mut project, input, &mut check);
    check.finish()?;
    project.updated_at = ctx.clock.now();
    save(ctx, actor, org, project, false).await
}

async fn save(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    mut project: Project,
    from_palette: bool,
) -> AppResult<Project> {
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    if from_palette {
        // in the transaction that saves it, so the count it reads is the one it adds to
        let used = projects::colors(&mut tx.conn(), org).await?;
        project.color = palette::least_used(used.iter().map(String::as_str))
            .hex
            .into();
    }
    if let Some(client) = project.client_id
        && clients::find(&mut tx.conn(), org, client).await?.is_none()
    {
        return Err(invalid("client_id", "is not a client of this organization"));
    }
    match projects::save(&mut tx.conn(), &project).await {
        Err(DbError::Unique(_)) => return Err(name_taken("project of this client")),
        other => other?,
    }
    tx.commit().await?;
    Ok(project)
}

/// Deletes a project with its tasks; refused while entries use it unless an admin forces it.
pub async fn delete(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: ProjectId,
    force: bool,
) -> AppResult<Project> {
    let mut tx = ctx.db.begin().await?;
    let mine = require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    let project = projects::find(&mut tx.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    let used =
        entries::count_referencing(&mut tx.conn(), org, Reference::Project, id.as_uuid()).await?;
    if used > 0 && !(force && allows(mine.role, Permission::ForceDeleteCatalog)) {
        return Err(super::in_use(format!(
            "{used} time entries use this project; archive it instead, or delete with ?force=true as an admin (the entries stay, without it)."
        )));
    }
    projects::delete(&mut tx.conn(), org, id).await?;
    tx.commit().await?;
    Ok(project)
}

pub async fn members(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: ProjectId,
) -> AppResult<Vec<ProjectMember>> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    visible(&mut pooled.conn(), org, mine.role, actor.user.id, id).await?;
    Ok(projects::members(&mut pooled.conn(), org, id).await?)
}

pub async fn add_member(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: ProjectId,
    user: UserId,
) -> AppResult<Vec<ProjectMember>> {
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    projects::find(&mut tx.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    if organizations::member_of(&mut tx.conn(), org, user)
        .await?
        .is_none()
    {
        return Err(invalid("user_id", "is not a member of this organization"));
    }
    projects::add_member(&mut tx.conn(), org, id, user, Ts(ctx.clock.now())).await?;
    let members = projects::members(&mut tx.conn(), org, id).await?;
    tx.commit().await?;
    Ok(members)
}

pub async fn remove_member(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: ProjectId,
    user: UserId,
) -> AppResult<()> {
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    projects::find(&mut tx.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    if !projects::remove_member(&mut tx.conn(), org, id, user).await? {
        return Err(AppError::NotFound(
            "This person is not a member of the project.".into(),
        ));
    }
    tx.commit().await?;
    Ok(())
}
