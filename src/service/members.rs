//! Members of an organization: listing, changing roles, removing. An organization always keeps
//! at least one owner.

use serde_json::json;

use super::access::require_member;
use super::{Actor, Ctx, audit, invalid};
use crate::db::{Tx, organizations};
use crate::domain::account::Member;
use crate::domain::ids::{OrganizationId, UserId};
use crate::domain::role::{Permission, Role, grantable_roles, may_manage_member};
use crate::error::{AppError, AppResult};

fn no_member() -> AppError {
    AppError::NotFound("This person is not a member of the organization.".into())
}

pub async fn list(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<Vec<Member>> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewMembers).await?;
    Ok(organizations::members(&mut pooled.conn(), org).await?)
}

/// Refuses to leave the organization without an owner.
async fn keep_an_owner(tx: &mut Tx, org: OrganizationId, target: &Member) -> AppResult<()> {
    if target.role == Role::Owner
        && organizations::count_owners_locked(&mut tx.conn(), org).await? <= 1
    {
        return Err(AppError::Conflict(
            "This is the organization's last owner; make someone else an owner first.".into(),
        ));
    }
    Ok(())
}

pub async fn change_role(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    user: UserId,
    role: &str,
) -> AppResult<Member> {
    let role = Role::parse(role).map_err(|m| invalid("role", m))?;
    let mut tx = ctx.db.begin().await?;
    let mine = require_member(&mut tx.conn(), org, actor, Permission::ManageMembers).await?;
    let mut target = organizations::member_of(&mut tx.conn(), org, user)
        .await?
        .ok_or_else(no_member)?;
    if !may_manage_member(mine.role, target.role) || !grantable_roles(mine.role).contains(&role) {
        return Err(AppError::Forbidden(
            "Only owners may grant or take the owner role.".into(),
        ));
    }
    if target.role == role {
        return Ok(target);
    }
    if role != Role::Owner {
        keep_an_owner(&mut tx, org, &target).await?;
    }
    organizations::set_role(&mut tx.conn(), org, user, role).await?;
    let event = audit::Event {
        organization: org,
        actor: Some(actor.user.id),
        action: "member.role_changed",
        target: Some(user),
        detail: json!({ "from": target.role, "to": role }),
        ip: &actor.ip,
    };
    audit::record(&mut tx, event, ctx.clock.now()).await?;
    tx.commit().await?;
    target.role = role;
    Ok(target)
}

/// Sets a member's role to what their groups at the organization's identity provider give, at
/// a sign-in through it (`service::sso`). An owner is never changed (owners are made and unmade
/// by hand), so the organization keeps its owners; the change is audited as by single sign-on.
pub(crate) async fn set_role_from_provider(
    tx: &mut Tx,
    org: OrganizationId,
    user: UserId,
    role: Role,
    ip: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let Some(target) = organizations::member_of(&mut tx.conn(), org, user).await? else {
        return Ok(());
    };
    if target.role == Role::Owner || role == Role::Owner || target.role == role {
        return Ok(());
    }
    keep_an_owner(tx, org, &target).await?;
    organizations::set_role(&mut tx.conn(), org, user, role).await?;
    let event = audit::Event {
        organization: org,
        actor: None,
        action: "member.role_changed",
        target: Some(user),
        detail: json!({ "from": target.role, "to": role, "by": "single sign-on" }),
        ip,
    };
    audit::record(tx, event, now).await?;
    Ok(())
}

/// Removes a member; anyone may leave, removing others needs the right role.
pub async fn remove(ctx: &Ctx, actor: &Actor, org: OrganizationId, user: UserId) -> AppResult<()> {
    let mut tx = ctx.db.begin().await?;
    let leaving = user == actor.user.id;
    let permission = if leaving {
        Permission::ViewOrganization
    } else {
        Permission::ManageMembers
    };
    let mine = require_member(&mut tx.conn(), org, actor, permission).await?;
    let target = organizations::member_of(&mut tx.conn(), org, user)
        .await?
        .ok_or_else(no_member)?;
    if !leaving && !may_manage_member(mine.role, target.role) {
        return Err(AppError::Forbidden(
            "Only owners may remove an owner.".into(),
        ));
    }
    keep_an_owner(&mut tx, org, &target).await?;
    organizations::remove_member(&mut tx.conn(), org, user).await?;
    let event = audit::Event {
        organization: org,
        actor: Some(actor.user.id),
        action: "member.removed",
        target: Some(user),
        detail: json!({ "email": target.email, "role": target.role }),
        ip: &actor.ip,
    };
    audit::record(&mut tx, event, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}
