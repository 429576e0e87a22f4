//! The timer bar's "What are you working on?" suggestions: the person's recent descriptions in
//! one organization, each with what it was last tracked on, so choosing one repeats it.

use crate::db::Ts;
use crate::db::entries;
use crate::domain::ids::{OrganizationId, ProjectId, TagId, TaskId};
use crate::domain::role::Permission;
use crate::error::AppResult;
use crate::service::access::require_member;
use crate::service::{Acting, Ctx};

/// How many distinct descriptions are offered: enough for a few weeks of habits, small enough
/// to ride along in the page.
pub const RECENT_DESCRIPTIONS: i64 = 50;

/// How far back descriptions are looked for: habits older than this are not "recent", and the
/// bound keeps the home page's cost flat however many years of entries a person has.
pub const RECENT_DAYS: i64 = 90;

/// A description as last tracked: its project, task, tags and billable flag.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub description: String,
    pub project_id: Option<ProjectId>,
    pub task_id: Option<TaskId>,
    pub tags: Vec<TagId>,
    pub billable: bool,
}

/// The actor's own recent distinct descriptions here, most recently tracked first (never
/// another person's, never another organization's).
pub async fn recent(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
) -> AppResult<Vec<Suggestion>> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let since = ctx.clock.now() - chrono::Duration::days(RECENT_DAYS);
    let latest = entries::latest_per_description(
        &mut pooled.conn(),
        org,
        actor.user_id(),
        Ts(since),
        RECENT_DESCRIPTIONS,
    )
    .await?;
    Ok(latest
        .into_iter()
        .map(|e| Suggestion {
            description: e.description,
            project_id: e.project_id,
            task_id: e.task_id,
            tags: e.tags,
            billable: e.billable,
        })
        .collect())
}
