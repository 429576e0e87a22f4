//! Entries that the rules allow but that are probably typos: longer than the organization's
//! usual day, or filling a local day past 24 hours (overlapping entries). The pages ask before
//! saving one; programs using the API store what they send.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::membership;
use crate::db::{Ts, entries};
use crate::domain::calendar::{seconds_per_local_day, start_of_day};
use crate::domain::duration::hours_minutes;
use crate::domain::ids::{OrganizationId, TimeEntryId, UserId};
use crate::error::AppResult;
use crate::service::{Actor, Ctx};

/// The times an entry would get, and whose entry it is.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The entry being changed; `None` for a new one.
    pub id: Option<TimeEntryId>,
    pub user_id: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The zone whose days are counted.
    pub tz: Tz,
}

/// What is unusual about `planned`, one sentence each; empty when nothing is.
pub async fn unusual(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    planned: &Planned,
) -> AppResult<Vec<String>> {
    let mut tx = ctx.db.read().await?;
    let mine = membership(&mut tx, org, actor).await?;
    let usual = i64::from(mine.organization.usual_day_hours);
    let mut found = Vec::new();
    let length = (planned.end - planned.start).num_seconds();
    if length > usual * 3600 {
        found.push(format!(
            "This entry is {} long, longer than a usual day in this organization ({usual}:00).",
            hours_minutes(length)
        ));
    }
    let days = seconds_per_local_day(planned.start, planned.end, planned.tz);
    let (Some((first, _)), Some((last, _))) = (days.first(), days.last()) else {
        return Ok(found);
    };
    let from = start_of_day(*first, planned.tz);
    let to = start_of_day(*last + Duration::days(1), planned.tz);
    let now = ctx.clock.now();
    let others =
        entries::overlapping(&mut tx.conn(), org, planned.user_id, Ts(from), Ts(to)).await?;
    for (day, seconds) in days {
        let besides: i64 = others
            .iter()
            .filter(|e| Some(e.id) != planned.id)
            .flat_map(|e| {
                seconds_per_local_day(e.start, e.end.unwrap_or(now).max(e.start), planned.tz)
            })
            .filter(|(d, _)| *d == day)
            .map(|(_, s)| s)
            .sum();
        let total = besides + seconds;
        if total > 24 * 3600 {
            found.push(format!(
                "{} would total {} for this person, more than 24 hours: some entries overlap.",
                day.format("%a %-d %b %Y"),
                hours_minutes(total)
            ));
        }
    }
    Ok(found)
}
