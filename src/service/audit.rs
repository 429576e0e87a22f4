//! Writing and reading the per-organization audit log.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::access::require_member;
use super::{Actor, Ctx, invalid};
use crate::db::{Ts, Tx, audit};
use crate::domain::account::{AuditEntry, SecurityEvent, User};
use crate::domain::ids::{AuditEntryId, OrganizationId, UserId};
use crate::domain::role::Permission;
use crate::error::AppResult;

pub struct Event<'a> {
    pub organization: OrganizationId,
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub target: Option<UserId>,
    pub detail: serde_json::Value,
    pub ip: &'a str,
}

pub async fn record(tx: &mut Tx, event: Event<'_>, now: DateTime<Utc>) -> AppResult<()> {
    let entry = audit::NewEntry {
        organization: event.organization,
        actor: event.actor,
        action: event.action,
        target: event.target,
        detail: &event.detail,
        ip: event.ip,
        now: Ts(now),
    };
    audit::insert(&mut tx.conn(), &entry).await?;
    Ok(())
}

/// An event about a user's own account: recorded once for the account (so a person in no
/// organization leaves a trail too) and in each organization they belong to.
pub async fn user_event(
    tx: &mut Tx,
    user: &User,
    action: &str,
    detail: serde_json::Value,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let entry = audit::NewAccountEntry {
        user: user.id,
        action,
        detail: &detail,
        ip,
        now: Ts(now),
    };
    audit::insert_account(&mut tx.conn(), &entry).await?;
    for organization in organizations_of(tx, user.id).await? {
        let event = Event {
            organization,
            actor: Some(user.id),
            action,
            target: Some(user.id),
            detail: detail.clone(),
            ip,
        };
        record(tx, event, now).await?;
    }
    Ok(())
}

pub async fn sign_in(
    tx: &mut Tx,
    user: &User,
    ip: &str,
    success: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let action = if success {
        "sign_in.succeeded"
    } else {
        "sign_in.failed"
    };
    user_event(tx, user, action, json!({ "email": user.email }), ip, now).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page {
    pub items: Vec<AuditEntry>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next_cursor: Option<AuditEntryId>,
}

pub const MAX_PAGE: i64 = 200;

pub async fn page(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    before: Option<AuditEntryId>,
    limit: Option<i64>,
) -> AppResult<Page> {
    let limit = limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewAuditLog).await?;
    let items = audit::page(&mut pooled.conn(), org, before, limit).await?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| items.last().map(|e| e.id))
        .flatten();
    Ok(Page { items, next_cursor })
}

/// Security events shown on the account page and by `GET /me/security-events`.
pub const SECURITY_EVENTS_SHOWN: i64 = 50;

/// The caller's own latest security events, newest first.
pub async fn security_events(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<SecurityEvent>> {
    let mut pooled = ctx.db.acquire().await?;
    Ok(audit::account_latest(&mut pooled.conn(), actor.user.id, SECURITY_EVENTS_SHOWN).await?)
}

/// The organizations the user belongs to, for events about the user themself.
async fn organizations_of(tx: &mut Tx, user: UserId) -> AppResult<Vec<OrganizationId>> {
    let mine = crate::db::organizations::list_for_member(&mut tx.conn(), user).await?;
    Ok(mine.into_iter().map(|o| o.organization.id).collect())
}
