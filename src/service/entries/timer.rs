//! The running timer: start (stopping the running one at the same instant), stop, continue.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::facts::Lookups;
use super::{
    EntryInput, EntryView, draft, entry_not_found, insert, member_with_rates, membership, second,
    store, validate,
};
use crate::db::{Tx, entries};
use crate::domain::account::MyOrganization;
use crate::domain::entries::{TimeEntry, check_instant};
use crate::domain::ids::{OrganizationId, TimeEntryId};
use crate::domain::role::{Permission, allows};
use crate::error::{AppError, AppResult};
use crate::metrics::product::EntrySource;
use crate::service::access::require_member;
use crate::service::{Acting, Ctx, invalid, locks_timer};

/// `GET timer`: the running entry, flagged when it has run past the organization's maximum so
/// clients can ask "still working?" instead of the entry being cut silently.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunningTimer {
    #[serde(flatten)]
    pub entry: EntryView,
    pub exceeds_max_entry_hours: bool,
    pub max_entry_hours: i32,
    /// Where to stop a timer that may have been forgotten: a usual day (the organization's
    /// setting) after its start, or now if that comes first.
    pub suggested_stop: DateTime<Utc>,
}

pub async fn running(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
) -> AppResult<Option<RunningTimer>> {
    let now = ctx.clock.now();
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let running = entries::find_running(&mut pooled.conn(), org, actor.user_id()).await?;
    let max = mine.organization.max_entry_hours;
    let usual_day = Duration::hours(i64::from(mine.organization.usual_day_hours));
    Ok(running.map(|entry| RunningTimer {
        exceeds_max_entry_hours: now - entry.start > Duration::hours(i64::from(max)),
        max_entry_hours: max,
        suggested_stop: suggested_stop(entry.start, now, usual_day),
        entry: EntryView::new(entry, now),
    }))
}

/// Where to offer stopping a timer that may have been forgotten: where a usual day (the
/// organization's setting) after its start would have ended, or now if that is earlier.
pub fn suggested_stop(
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    usual_day: Duration,
) -> DateTime<Utc> {
    (start + usual_day).min(now)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Started {
    /// The entry that was running and is now stopped at `started.start`.
    pub stopped: Option<EntryView>,
    pub started: EntryView,
}

/// Stops `running` at `end`, checking the same rules as any change.
async fn stop_at(
    tx: &mut Tx,
    mine: &MyOrganization,
    actor: &impl Acting,
    running: TimeEntry,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<TimeEntry> {
    if end <= running.start {
        return Err(invalid(
            "end",
            format!(
                "must be after the running timer's start ({})",
                running.start.to_rfc3339()
            ),
        ));
    }
    let mut stopped = running.clone();
    stopped.end = Some(end);
    let mut facts = Lookups::on(tx.conn());
    validate(&mut facts, mine, actor, Some(&running), &mut stopped).await.map_err(|e| match e {
        AppError::Validation { fields, .. } if fields.contains_key("end") => invalid(
            "end",
            format!(
                "the running timer started at {} would be longer than this organization's {} hours; stop it with an earlier end first",
                running.start.to_rfc3339(),
                mine.organization.max_entry_hours
            ),
        ),
        other => other,
    })?;
    stopped.version += 1;
    stopped.updated_at = now;
    store(&mut tx.conn(), &running, &stopped).await?;
    Ok(stopped)
}

/// Stopping "now" a timer started within the same second (a double click, a quick
/// keyboard start/stop) records one second instead of refusing a zero-length entry.
fn at_least_a_second(running: &TimeEntry) -> DateTime<Utc> {
    running.start + Duration::seconds(1)
}

/// `POST timer/start`: stops the caller's running entry at the new start, atomically.
pub async fn start(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    mut input: EntryInput,
) -> AppResult<Started> {
    let now = ctx.clock.now();
    if input.end.is_some() || input.user_id.is_some() {
        return Err(invalid(
            "end",
            "is not accepted by timer/start; a timer runs for its caller until stopped",
        ));
    }
    let given = input.start.take();
    let mut start = second(match given {
        Some(start) => check_instant(start).map_err(|m| invalid("start", m))?,
        None => now,
    });
    let mut tx = ctx.db.begin().await?;
    let project = input.project_id.flatten();
    let (mine, rates) =
        member_with_rates(&mut tx.conn(), org, actor, actor.user_id(), project).await?;
    locks_timer(&mut tx, org, actor.user_id()).await?;
    let stopped = match entries::find_running(&mut tx.conn(), org, actor.user_id()).await? {
        Some(running) => {
            if given.is_none() {
                start = start.max(at_least_a_second(&running));
            }
            Some(stop_at(&mut tx, &mine, actor, running, start, now).await?)
        }
        None => None,
    };
    let mut entry = draft(&mut Lookups::on(tx.conn()), org, actor, input, now).await?;
    entry.start = start;
    let mut facts = Lookups::knowing(tx.conn(), rates);
    validate(&mut facts, &mine, actor, None, &mut entry).await?;
    insert(&mut tx, &entry).await?;
    tx.commit().await?;
    ctx.metrics.entries_created(EntrySource::Timer, 1);
    Ok(Started {
        stopped: stopped.map(|e| EntryView::new(e, now)),
        started: EntryView::new(entry, now),
    })
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopInput {
    pub end: Option<DateTime<Utc>>,
}

/// `POST timer/stop`.
pub async fn stop(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    input: StopInput,
) -> AppResult<EntryView> {
    let now = ctx.clock.now();
    let given = match input.end {
        Some(end) => Some(second(check_instant(end).map_err(|m| invalid("end", m))?)),
        None => None,
    };
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    locks_timer(&mut tx, org, actor.user_id()).await?;
    let running = entries::find_running(&mut tx.conn(), org, actor.user_id())
        .await?
        .ok_or_else(|| AppError::NotFound("No timer is running.".into()))?;
    let end = given.unwrap_or_else(|| second(now).max(at_least_a_second(&running)));
    let stopped = stop_at(&mut tx, &mine, actor, running, end, now).await?;
    tx.commit().await?;
    Ok(EntryView::new(stopped, now))
}

/// The caller's timer that was stopped last: what a page shows when a stop arrives after the
/// timer was already stopped (another tab, another device).
pub async fn last_stopped(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
) -> AppResult<Option<EntryView>> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let entry = entries::last_stopped_timer(&mut pooled.conn(), org, actor.user_id()).await?;
    Ok(entry.map(|e| EntryView::new(e, ctx.clock.now())))
}

/// `POST time-entries/{id}/continue`: a new running entry with the same fields, for the caller.
pub async fn continue_entry(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    id: TimeEntryId,
) -> AppResult<Started> {
    let source = {
        let mut tx = ctx.db.begin().await?;
        let mine = membership(&mut tx, org, actor).await?;
        let entry = entries::find(&mut tx.conn(), org, id)
            .await?
            .ok_or_else(entry_not_found)?;
        if entry.user_id != actor.user_id() && !allows(mine.role, Permission::ViewAllEntries) {
            return Err(entry_not_found());
        }
        entry
    };
    let input = EntryInput {
        project_id: Some(source.project_id),
        task_id: Some(source.task_id),
        description: Some(source.description),
        billable: Some(source.billable),
        tags: Some(source.tags),
        ..EntryInput::default()
    };
    start(ctx, actor, org, input).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_stop_is_a_usual_day_after_the_start_at_most_now() {
        let start: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().unwrap();
        let late: DateTime<Utc> = "2026-03-03T10:00:00Z".parse().unwrap();
        let soon: DateTime<Utc> = "2026-03-02T11:30:00Z".parse().unwrap();
        let usual_day = Duration::hours(10);
        assert_eq!(
            suggested_stop(start, late, usual_day).to_rfc3339(),
            "2026-03-02T19:00:00+00:00"
        );
        assert_eq!(suggested_stop(start, soon, usual_day), soon);
    }
}
