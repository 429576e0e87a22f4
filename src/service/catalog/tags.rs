//! Tags of an organization.

use serde::Deserialize;

use super::{ListQuery, name_taken};
use crate::db::DbError;
use crate::db::catalog::tags;
use crate::db::entries::{self, Reference};
use crate::domain::catalog::{Tag, parse_name};
use crate::domain::ids::{OrganizationId, TagId};
use crate::domain::role::{Permission, allows};
use crate::error::{AppError, AppResult};
use crate::service::access::require_member;
use crate::service::{Actor, Check, Ctx};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagInput {
    #[schema(schema_with = crate::domain::field_schema::optional_name)]
    pub name: Option<String>,
    pub archived: Option<bool>,
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such tag in this organization.".into())
}

pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    query: &ListQuery,
) -> AppResult<Vec<Tag>> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let filter = query.filter(mine.role)?;
    Ok(tags::list(&mut pooled.conn(), org, &filter).await?)
}

pub async fn get(ctx: &Ctx, actor: &Actor, org: OrganizationId, id: TagId) -> AppResult<Tag> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let tag = tags::find(&mut pooled.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    if tag.archived && !allows(mine.role, Permission::ViewWholeCatalog) {
        return Err(not_found());
    }
    Ok(tag)
}

fn apply(tag: &mut Tag, input: TagInput, check: &mut Check) {
    if let Some(name) = input
        .name
        .as_deref()
        .and_then(|n| check.field("name", parse_name(n)))
    {
        tag.name = name;
    }
    if let Some(archived) = input.archived {
        tag.archived = archived;
    }
}

pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    input: TagInput,
) -> AppResult<Tag> {
    let now = ctx.clock.now();
    let mut tag = Tag {
        id: TagId::new(),
        organization_id: org,
        name: String::new(),
        archived: false,
        created_at: now,
        updated_at: now,
    };
    let mut check = Check::default();
    if input.name.is_none() {
        check.field::<()>("name", Err("is required".into()));
    }
    apply(&mut tag, input, &mut check);
    check.finish()?;
    save(ctx, actor, org, tag).await
}

pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: TagId,
    input: TagInput,
) -> AppResult<Tag> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ManageCatalog).await?;
    let mut tag = tags::find(&mut pooled.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    drop(pooled);
    let mut check = Check::default();
    apply(&mut tag, input, &mut check);
    check.finish()?;
    tag.updated_at = ctx.clock.now();
    save(ctx, actor, org, tag).await
}

async fn save(ctx: &Ctx, actor: &Actor, org: OrganizationId, tag: Tag) -> AppResult<Tag> {
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    match tags::save(&mut tx.conn(), &tag).await {
        Err(DbError::Unique(_)) => return Err(name_taken("tag")),
        other => other?,
    }
    tx.commit().await?;
    Ok(tag)
}

pub async fn delete(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: TagId,
    force: bool,
) -> AppResult<Tag> {
    let mut tx = ctx.db.begin().await?;
    let mine = require_member(&mut tx.conn(), org, actor, Permission::ManageCatalog).await?;
    let tag = tags::find(&mut tx.conn(), org, id)
        .await?
        .ok_or_else(not_found)?;
    let used =
        entries::count_referencing(&mut tx.conn(), org, Reference::Tag, id.as_uuid()).await?;
    if used > 0 && !(force && allows(mine.role, Permission::ForceDeleteCatalog)) {
        return Err(super::in_use(format!(
            "{used} time entries use this tag; archive it instead, or delete with ?force=true as an admin (the entries stay, without it)."
        )));
    }
    tags::delete(&mut tx.conn(), org, id).await?;
    tx.commit().await?;
    Ok(tag)
}
