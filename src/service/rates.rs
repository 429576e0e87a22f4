//! Hourly rates: read and set at every level (admins and owners), and re-applied to existing
//! entries only on explicit request, so history does not change behind anyone's back.

use serde::{Deserialize, Serialize};

use super::access::require_member;
use super::{Actor, Ctx, invalid};
use crate::db::catalog::projects;
use crate::db::rates::{self, RateTable};
use crate::db::{Ts, entries, organizations};
use crate::domain::entries::parse_rate;
use crate::domain::entry_filter::EntryFilter;
use crate::domain::ids::{OrganizationId, ProjectId, UserId};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateInput {
    /// Minor units per hour, or null to clear.
    #[schema(minimum = 0, maximum = 100_000_000_000_i64)]
    pub hourly_rate: Option<i64>,
}

pub enum Target {
    Organization,
    Member(UserId),
    Project(ProjectId),
    ProjectMember(ProjectId, UserId),
}

pub async fn table(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<RateTable> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ManageRates).await?;
    Ok(rates::table(&mut pooled.conn(), org).await?)
}

pub async fn set(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    target: Target,
    input: RateInput,
) -> AppResult<RateTable> {
    let rate = parse_rate(input.hourly_rate).map_err(|m| invalid("hourly_rate", m))?;
    let mut tx = ctx.db.begin().await?;
    let mut mine = require_member(&mut tx.conn(), org, actor, Permission::ManageRates).await?;
    let no_member =
        || AppError::NotFound("This person is not a member of the organization.".into());
    match target {
        Target::Organization => {
            mine.organization.default_rate = rate;
            mine.organization.updated_at = ctx.clock.now();
            organizations::update(&mut tx.conn(), &mine.organization).await?;
        }
        Target::Member(user) => {
            if !rates::set_member(&mut tx.conn(), org, user, rate).await? {
                return Err(no_member());
            }
        }
        Target::Project(project) => {
            if !rates::set_project(&mut tx.conn(), org, project, rate).await? {
                return Err(super::catalog::projects::not_found());
            }
        }
        Target::ProjectMember(project, user) => {
            projects::find(&mut tx.conn(), org, project)
                .await?
                .ok_or_else(super::catalog::projects::not_found)?;
            organizations::member_of(&mut tx.conn(), org, user)
                .await?
                .ok_or_else(no_member)?;
            rates::set_project_member(
                &mut tx.conn(),
                org,
                project,
                user,
                rate,
                Ts(ctx.clock.now()),
            )
            .await?;
        }
    }
    let table = rates::table(&mut tx.conn(), org).await?;
    tx.commit().await?;
    Ok(table)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Recalculated {
    /// Entries whose stored rate changed.
    pub updated: usize,
    /// Entries that matched the filter.
    pub matched: usize,
}

/// Re-applies current rates to the entries matching `filter`.
pub async fn recalculate(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    filter: &EntryFilter,
) -> AppResult<Recalculated> {
    super::entries::list::check_filter(filter)?;
    let filter = super::entries::list::stored_filter(filter);
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::ManageRates).await?;
    let matching = entries::all_matching(&mut tx.conn(), org, &filter).await?;
    let mut updated = 0;
    for entry in &matching {
        let rate = rates::for_entry(&mut tx.conn(), org, entry.user_id, entry.project_id)
            .await?
            .resolve();
        if rate != entry.hourly_rate {
            rates::set_entry_rate(&mut tx.conn(), org, entry.id.as_uuid(), rate, Ts(now)).await?;
            updated += 1;
        }
    }
    tx.commit().await?;
    Ok(Recalculated {
        updated,
        matched: matching.len(),
    })
}
