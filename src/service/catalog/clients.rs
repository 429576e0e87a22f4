//! Clients of an organization.

use serde::Deserialize;

use super::{ListQuery, name_taken};
use crate::db::DbError;
use crate::db::catalog::clients;
use crate::domain::catalog::{Client, parse_name, parse_notes};
use crate::domain::ids::{ClientId, OrganizationId};
use crate::domain::role::{Permission, allows};
use crate::error::{AppError, AppResult};
use crate::service::access::require_member;
use crate::service::{Actor, Check, Ctx};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    #[schema(schema_with = crate::domain::field_schema::optional_name)]
    pub name: Option<String>,
    #[schema(max_length = 5000, pattern = "^[^\\x00]*$")]
    pub notes: Option<String>,
    pub archived: Option<bool>,
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such client in this organization.".into())
}

pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    query: &ListQuery,
) -> AppResult<Vec<Client>> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let filter = query.filter(mine.role)?;
    Ok(clients::list(&mut pooled.conn(), org, &filter).await?)
}

pub async fn get(ctx: &Ctx, actor: &Actor, org: OrganizationId, id: ClientId) -> AppResult<Client> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let client = clients::find(&mut pooled.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    if client.archived && !allows(mine.role, Permission::ViewWholeCatalog) {
        return Err(not_found());
    }
    Ok(client)
}

fn apply(client: &mut Client, input: ClientInput, check: &mut Check) {
    if let Some(name) = input
        .name
        .as_deref()
        .and_then(|n| check.field("name", parse_name(n)))
    {
        client.name = name;
    }
    if let Some(notes) = input
        .notes
        .as_deref()
        .and_then(|n| check.field("notes", parse_notes(n)))
    {
        client.notes = notes;
    }
    if let Some(archived) = input.archived {
        client.archived = archived;
    }
}

pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    input: ClientInput,
) -> AppResult<Client> {
    let now = ctx.clock.now();
    let mut client = Client {
        id: ClientId::new(),
        organization_id: org,
        name: String::new(),
        notes: String::new(),
        archived: false,
        created_at: now,
        updated_at: now,
    };
    let mut check = Check::default();
    if input.name.is_none() {
        check.field::<()>("name", Err("is required".into()));
    }
    apply(&mut client, input, &mut check);
    check.finish()?;
    save(ctx, actor, org, client).await
}

pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: ClientId,
    input: ClientInput,
) -> AppResult<Client> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ManageCatalog).await?;
    let mut client = clients::find(&mut pooled.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    drop(pooled);
    let mut check = Check::default();
    apply(&mut client, input, &mut check);
    check.finish()?;
    client.updated_at = ctx.clock.now();
    save(ctx, actor, org, client).await
}

async fn save(ctx: &Ctx, actor: &Actor, org: OrganizationId, client: Client) -> AppResult<Client> {
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    match clients::save(&mut tx.conn(), &client).await {
        Err(DbError::Unique(_)) => return Err(name_taken("client")),
        other => other?,
    }
    tx.commit().await?;
    Ok(client)
}

/// Deletes a client. While projects belong to it the answer is 409 (archive it instead), unless
/// an admin passes `force`, which keeps the projects without a client.
pub async fn delete(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: ClientId,
    force: bool,
) -> AppResult<Client> {
    let mut tx = ctx.db.begin().await?;
    let mine = require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    let client = clients::find(&mut tx.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    let projects = clients::project_count(&mut tx.conn(), org, id).await?;
    if projects > 0 && !(force && allows(mine.role, Permission::ForceDeleteCatalog)) {
        return Err(super::in_use(format!(
            "This client has {projects} project(s); archive the client instead, or delete with ?force=true as an admin to keep its projects without a client."
        )));
    }
    // its projects lose their client, and project names are unique among those without one
    let taken = clients::names_taken_without_client(&mut tx.conn(), org, id).await?;
    if !taken.is_empty() {
        return Err(super::in_use(format!(
            "Projects without a client already have these names: {}. Rename this client's projects first.",
            taken.join(", ")
        )));
    }
    clients::delete(&mut tx.conn(), org, id).await?;
    tx.commit().await?;
    Ok(client)
}
