//! Saved reports (a person's named parameters) and shared reports: a read-only public link
//! with an unguessable token, optional expiry, revocable, that shows the one report shared —
//! computed with the sharer's view, so a member's link shows only their own time.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::query::ReportRequest;
use super::{Summary, summary};
use crate::db::report_links::{self, NewShared};
use crate::db::{DbError, Ts, organizations, users};
use crate::domain::ids::{OrganizationId, SavedReportId, SharedReportId, UserId};
use crate::domain::profile::parse_name;
use crate::domain::role::{Permission, allows};
use crate::error::{AppError, AppResult};
use crate::service::access::require_member;
use crate::service::secrets::{self, SHARED_REPORT_PREFIX};
use crate::service::{Actor, Check, Ctx, conflict};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveInput {
    #[schema(schema_with = crate::domain::field_schema::required_name)]
    pub name: String,
    /// The report's query string, e.g. `from=2026-01-01&to=2026-01-31&group=project`: read,
    /// checked and written back in its canonical form by the HTTP edge (`http::query`); stored
    /// as given.
    pub params: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SavedReport {
    pub id: SavedReportId,
    pub name: String,
    pub params: String,
    pub created_at: DateTime<Utc>,
}

pub async fn save(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    input: SaveInput,
) -> AppResult<SavedReport> {
    let mut check = Check::default();
    let name = check.field("name", parse_name(&input.name));
    check.finish()?;
    let params = input.params;
    let name = name.unwrap_or_default();
    let now = ctx.clock.now();
    let id = SavedReportId::new();
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    match report_links::insert_saved(
        &mut pooled.conn(),
        id,
        org,
        actor.user.id,
        &name,
        &params,
        Ts(now),
    )
    .await
    {
        Ok(()) => {}
        Err(DbError::Unique(_)) => {
            return Err(conflict(
                "name",
                "you already have a saved report with this name",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(SavedReport {
        id,
        name,
        params,
        created_at: now,
    })
}

pub async fn saved(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<Vec<SavedReport>> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    Ok(
        report_links::list_saved(&mut pooled.conn(), org, actor.user.id)
            .await?
            .into_iter()
            .map(|r| SavedReport {
                id: SavedReportId::from_uuid(r.id),
                name: r.name,
                params: r.params,
                created_at: r.created_at.0,
            })
            .collect(),
    )
}

pub async fn delete_saved(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: SavedReportId,
) -> AppResult<()> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    if !report_links::delete_saved(&mut pooled.conn(), org, actor.user.id, id).await? {
        return Err(AppError::NotFound(
            "You have no saved report with this id.".into(),
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    #[schema(schema_with = crate::domain::field_schema::required_name)]
    pub name: String,
    pub params: String,
    /// Days until the link stops working; absent: until revoked.
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharedReport {
    pub id: SharedReportId,
    pub name: String,
    pub params: String,
    pub shared_by: UserId,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedShare {
    #[serde(flatten)]
    pub share: SharedReport,
    /// The public link; shown once (only a hash of its token is stored).
    pub url: String,
}

/// Whether a shared link still opens its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Works { until: Option<DateTime<Utc>> },
    Expired,
    Revoked,
}

/// The one rule for a link: revoked ones never work again, expiring ones stop at `expires_at`.
fn link_state(revoked: bool, expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> LinkState {
    match (revoked, expires_at) {
        (true, _) => LinkState::Revoked,
        (false, Some(at)) if at <= now => LinkState::Expired,
        (false, until) => LinkState::Works { until },
    }
}

impl SharedReport {
    pub fn state(&self, now: DateTime<Utc>) -> LinkState {
        link_state(self.revoked, self.expires_at, now)
    }
}

fn shared(row: report_links::SharedRow) -> SharedReport {
    SharedReport {
        id: SharedReportId::from_uuid(row.id),
        name: row.name,
        params: row.params,
        shared_by: UserId::from_uuid(row.user_id),
        expires_at: row.expires_at.map(|t| t.0),
        revoked: row.revoked_at.is_some(),
        created_at: row.created_at.0,
    }
}

pub async fn share(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    input: ShareInput,
) -> AppResult<CreatedShare> {
    let mut check = Check::default();
    let name = check.field("name", parse_name(&input.name));
    let days = check.field(
        "expires_in_days",
        match input.expires_in_days {
            None => Ok(None),
            Some(d) if (1..=3650).contains(&d) => Ok(Some(d)),
            Some(d) => Err(format!(
                "is {d}; use 1 to 3650 days, or leave it out for no expiry"
            )),
        },
    );
    check.finish()?;
    let params = input.params;
    let (name, days) = (name.unwrap_or_default(), days.flatten());
    let now = ctx.clock.now();
    let token = secrets::new_token(SHARED_REPORT_PREFIX);
    let id = SharedReportId::new();
    let expires_at = days.map(|d| now + Duration::days(d));
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let new = NewShared {
        id,
        org,
        user: actor.user.id,
        name: &name,
        params: &params,
        token_hash: &secrets::digest(&token),
        expires_at: expires_at.map(Ts),
        now: Ts(now),
    };
    report_links::insert_shared(&mut pooled.conn(), &new).await?;
    Ok(CreatedShare {
        url: format!("{}/shared/{token}", crate::service::links::base(ctx)),
        share: SharedReport {
            id,
            name,
            params,
            shared_by: actor.user.id,
            expires_at,
            revoked: false,
            created_at: now,
        },
    })
}

/// Your shares; admins and owners see everyone's (to revoke them).
pub async fn shares(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<Vec<SharedReport>> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let only = (!allows(mine.role, Permission::ManageMembers)).then_some(actor.user.id);
    Ok(report_links::list_shared(&mut pooled.conn(), org, only)
        .await?
        .into_iter()
        .map(shared)
        .collect())
}

pub async fn revoke(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: SharedReportId,
) -> AppResult<()> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let row = report_links::find_shared(&mut pooled.conn(), org, id)
        .await?
        .filter(|r| {
            r.user_id == actor.user.id.as_uuid() || allows(mine.role, Permission::ManageMembers)
        })
        .ok_or_else(|| AppError::NotFound("There is no such shared report.".into()))?;
    report_links::revoke_shared(
        &mut pooled.conn(),
        org,
        SharedReportId::from_uuid(row.id),
        Ts(ctx.clock.now()),
    )
    .await?;
    Ok(())
}

/// What a public link shows: the report's name, the organization, and the report itself.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicReport {
    pub name: String,
    pub organization: String,
    pub report: Summary,
}

fn gone() -> AppError {
    AppError::NotFound(
        "This shared report link does not work: it was revoked, it expired, or it is mistyped."
            .into(),
    )
}

/// A working public link: whose view it shows, and the parameters as stored.
pub struct OpenedShare {
    pub name: String,
    pub organization: OrganizationId,
    pub organization_name: String,
    pub sharer: Actor,
    pub params: String,
}

/// The share behind a public link, if it still works.
pub async fn open(ctx: &Ctx, token: &str) -> AppResult<OpenedShare> {
    let now = ctx.clock.now();
    let mut pooled = ctx.db.acquire().await?;
    let row = report_links::find_shared_by_token(&mut pooled.conn(), &secrets::digest(token))
        .await?
        .filter(|r| {
            let state = link_state(r.revoked_at.is_some(), r.expires_at.map(|e| e.0), now);
            matches!(state, LinkState::Works { .. })
        })
        .ok_or_else(gone)?;
    let (user, _) = users::find(&mut pooled.conn(), UserId::from_uuid(row.user_id))
        .await?
        .filter(|(u, _)| !u.disabled)
        .ok_or_else(gone)?;
    let org = OrganizationId::from_uuid(row.organization_id);
    let organization = organizations::find(&mut pooled.conn(), org)
        .await?
        .ok_or_else(gone)?;
    Ok(OpenedShare {
        name: row.name,
        organization: org,
        organization_name: organization.name,
        sharer: Actor {
            user,
            ip: String::new(),
            // the member handed this link out: it stands in for them as a token does
            came_in: crate::service::CameIn::Token,
        },
        params: row.params,
    })
}

/// The shared report, computed now with the sharer's view (`request` read from its params).
pub async fn report(
    ctx: &Ctx,
    share: OpenedShare,
    request: &ReportRequest,
) -> AppResult<PublicReport> {
    // a sharer who left the organization no longer shares anything
    let report = summary(ctx, &share.sharer, share.organization, request)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) | AppError::Forbidden(_) => gone(),
            other => other,
        })?;
    Ok(PublicReport {
        name: share.name,
        organization: share.organization_name,
        report,
    })
}
