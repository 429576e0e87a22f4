//! The week grid's edits: a person's time per project/task and local day, typed as durations.
//! One call compares each changed cell with the entries stored now and writes the difference,
//! all in one transaction, so what a cell is compared with is what gets changed.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::facts::Lookups;
use super::{
    EntryInput, EntrySource, draft, insert, locked, may_edit, membership, store, validate,
};
use crate::db::{Ts, Tx, entries};
use crate::domain::account::MyOrganization;
use crate::domain::calendar::{local_date, local_instant, seconds_per_local_day, start_of_day};
use crate::domain::duration::hours_minutes;
use crate::domain::entries::TimeEntry;
use crate::domain::ids::{OrganizationId, ProjectId, TaskId, UserId};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::service::{Actor, Ctx};

/// One cell as the person left it: the day's time on a project/task. `key` is the caller's
/// name for the cell; errors come back under it.
#[derive(Debug, Clone)]
pub struct Cell {
    pub key: String,
    pub project_id: Option<ProjectId>,
    pub task_id: Option<TaskId>,
    pub day: NaiveDate,
    pub seconds: i64,
}

#[derive(Debug, Clone)]
pub struct GridEdit {
    pub user_id: UserId,
    /// The zone the days are local to.
    pub tz: Tz,
    pub cells: Vec<Cell>,
}

/// What saving did to one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellChange {
    Added { day: NaiveDate, seconds: i64 },
    TakenAway { day: NaiveDate, seconds: i64 },
}

/// Saves the cells: more time than stored becomes a new entry for the difference, placed after
/// that day's last entry (or at 09:00); less time shortens that day's manual entries of the
/// cell, the latest first, removing those it uses up. Entries a timer made are never changed
/// here. Every cell is checked; when any fails, nothing is saved and each failure is reported
/// under its cell's key.
pub async fn save(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    edit: GridEdit,
) -> AppResult<Vec<CellChange>> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    may_edit(mine.role, actor.user.id, edit.user_id)?;
    let mut saver = Saver {
        mine: &mine,
        actor,
        user: edit.user_id,
        tz: edit.tz,
        now,
        next_free: HashMap::new(),
    };
    let mut changes = Vec::new();
    let mut errors = FieldErrors::new();
    for cell in &edit.cells {
        match saver.save_cell(&mut tx, cell).await {
            Ok(Some(change)) => changes.push(change),
            Ok(None) => {}
            Err(AppError::Validation { fields, message }) => {
                let messages: Vec<String> = fields.into_values().flatten().collect();
                errors
                    .entry(cell.key.clone())
                    .or_default()
                    .extend(if messages.is_empty() {
                        vec![message]
                    } else {
                        messages
                    });
            }
            Err(AppError::Conflict(m) | AppError::Forbidden(m)) => {
                errors.entry(cell.key.clone()).or_default().push(m);
            }
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation {
            message: "Nothing was saved; the marked cells say why.".into(),
            fields: errors,
        });
    }
    tx.commit().await?;
    let added = changes
        .iter()
        .filter(|c| matches!(c, CellChange::Added { .. }))
        .count();
    ctx.metrics.entries_created(EntrySource::Web, added as u64);
    Ok(changes)
}

struct Saver<'a> {
    mine: &'a MyOrganization,
    actor: &'a Actor,
    user: UserId,
    tz: Tz,
    now: DateTime<Utc>,
    /// Where the next added entry of a day starts, once one was added.
    next_free: HashMap<NaiveDate, DateTime<Utc>>,
}

impl Saver<'_> {
    async fn save_cell(&mut self, tx: &mut Tx, cell: &Cell) -> AppResult<Option<CellChange>> {
        let org = self.mine.organization.id;
        let (from, to) = (
            start_of_day(cell.day, self.tz),
            start_of_day(cell.day + Duration::days(1), self.tz),
        );
        let day = entries::overlapping(&mut tx.conn(), org, self.user, Ts(from), Ts(to)).await?;
        let in_cell: Vec<&TimeEntry> = day
            .iter()
            .filter(|e| e.project_id == cell.project_id && e.task_id == cell.task_id)
            .collect();
        let current: i64 = in_cell
            .iter()
            .map(|e| seconds_on(e, cell.day, self.tz, self.now))
            .sum();
        // pages show a cell cut to the minute: compare in whole minutes
        let delta = cell.seconds - current / 60 * 60;
        if delta < 0 {
            self.take_away(tx, cell, &in_cell, -delta).await?;
            return Ok(Some(CellChange::TakenAway {
                day: cell.day,
                seconds: -delta,
            }));
        }
        if delta == 0 {
            return Ok(None);
        }
        let start = match self.next_free.get(&cell.day) {
            Some(at) => *at,
            None => placement(&day, cell.day, self.tz),
        };
        let end = start + Duration::seconds(delta);
        self.next_free.insert(cell.day, end);
        let input = EntryInput {
            user_id: Some(self.user),
            project_id: Some(cell.project_id),
            task_id: Some(cell.task_id),
            start: Some(start),
            end: Some(Some(end)),
            ..EntryInput::default()
        };
        let mut entry = draft(
            &mut Lookups::on(tx.conn()),
            org,
            self.actor,
            input,
            self.now,
        )
        .await?;
        validate(
            &mut Lookups::on(tx.conn()),
            self.mine,
            self.actor,
            None,
            &mut entry,
        )
        .await?;
        insert(tx, &entry).await?;
        Ok(Some(CellChange::Added {
            day: cell.day,
            seconds: delta,
        }))
    }

    /// Takes `seconds` off the cell's manual entries that start that day, the latest first.
    async fn take_away(
        &self,
        tx: &mut Tx,
        cell: &Cell,
        in_cell: &[&TimeEntry],
        seconds: i64,
    ) -> AppResult<()> {
        let org = self.mine.organization.id;
        let ids: Vec<_> = in_cell.iter().map(|e| e.id).collect();
        let timer_made = entries::timer_made(&mut tx.conn(), org, &ids).await?;
        let mut candidates: Vec<&TimeEntry> = in_cell
            .iter()
            .copied()
            .filter(|e| {
                e.end.is_some()
                    && !timer_made.contains(&e.id)
                    && local_date(e.start, self.tz) == cell.day
            })
            .collect();
        candidates.sort_by_key(|e| std::cmp::Reverse(e.start));
        let manual: i64 = candidates
            .iter()
            .map(|e| e.duration_seconds(self.now))
            .sum();
        if manual < seconds {
            return Err(AppError::Conflict(not_enough_manual_time(seconds, manual)));
        }
        let mut left = seconds;
        for before in candidates {
            if left <= 0 {
                break;
            }
            let Some(end) = before.end else { continue };
            let length = (end - before.start).num_seconds();
            locked(&self.mine.organization, self.mine.role, before.start)?;
            if length <= left {
                entries::soft_delete(&mut tx.conn(), org, before.id, Ts(self.now)).await?;
                left -= length;
            } else {
                let mut entry = before.clone();
                entry.end = Some(end - Duration::seconds(left));
                let mut facts = Lookups::on(tx.conn());
                validate(&mut facts, self.mine, self.actor, Some(before), &mut entry).await?;
                entry.version += 1;
                entry.updated_at = self.now;
                store(&mut tx.conn(), before, &entry).await?;
                left = 0;
            }
        }
        Ok(())
    }
}

/// Time typed in for a day without a clock time ("2:30 on Tuesday").
#[derive(Debug, Clone)]
pub struct DayTime {
    pub user_id: UserId,
    pub tz: Tz,
    pub day: NaiveDate,
    pub seconds: i64,
    /// Description, project, task, tags, billable; times and person are ignored.
    pub what: EntryInput,
}

/// Adds `seconds` to a day as a new entry placed after that day's last entry (or at 09:00).
pub async fn add_to_day(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    added: DayTime,
) -> AppResult<super::EntryView> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    let (from, to) = (
        start_of_day(added.day, added.tz),
        start_of_day(added.day + Duration::days(1), added.tz),
    );
    let day = entries::overlapping(&mut tx.conn(), org, added.user_id, Ts(from), Ts(to)).await?;
    let start = placement(&day, added.day, added.tz);
    let input = EntryInput {
        user_id: Some(added.user_id),
        start: Some(start),
        end: Some(Some(start + Duration::seconds(added.seconds))),
        ..added.what
    };
    let mut entry = draft(&mut Lookups::on(tx.conn()), org, actor, input, now).await?;
    validate(&mut Lookups::on(tx.conn()), &mine, actor, None, &mut entry).await?;
    insert(&mut tx, &entry).await?;
    tx.commit().await?;
    ctx.metrics.entries_created(EntrySource::Web, 1);
    Ok(super::EntryView::new(entry, now))
}

/// Why a cell cannot go down: the rest of its time was tracked with the timer.
fn not_enough_manual_time(wanted: i64, manual: i64) -> String {
    let h = hours_minutes;
    if manual == 0 {
        format!(
            "This time was tracked with the timer, and the week grid only changes time typed in here. To take away {}, edit or delete those timer entries on the Entries page.",
            h(wanted)
        )
    } else {
        format!(
            "Only {} of this time was typed in here; the rest was tracked with the timer, which the week grid does not change. To take away {}, edit or delete those timer entries on the Entries page.",
            h(manual),
            h(wanted)
        )
    }
}

/// The seconds of `entry` on local `day` (a running entry counts up to now).
fn seconds_on(entry: &TimeEntry, day: NaiveDate, tz: Tz, now: DateTime<Utc>) -> i64 {
    let end = entry.end.unwrap_or(now).max(entry.start);
    seconds_per_local_day(entry.start, end, tz)
        .into_iter()
        .filter(|(d, _)| *d == day)
        .map(|(_, s)| s)
        .sum()
}

/// Where time added to `day` starts: right after the person's last entry that starts that day,
/// or at 09:00.
fn placement(day_entries: &[TimeEntry], day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let nine = NaiveTime::from_hms_opt(9, 0, 0)
        .and_then(|nine| local_instant(day, nine, tz))
        .unwrap_or_else(|| start_of_day(day, tz));
    day_entries
        .iter()
        .filter(|e| local_date(e.start, tz) == day)
        .filter_map(|e| e.end)
        .max()
        .map_or(nine, |end| end.max(nine))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn entry(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> TimeEntry {
        TimeEntry::sample(start, end)
    }

    fn utc(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0).unwrap()
    }

    #[test]
    fn added_time_goes_after_the_days_last_entry_or_at_nine() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(placement(&[], day, Tz::UTC), utc(9, 0));
        let morning = entry(utc(7, 0), Some(utc(8, 0)));
        assert_eq!(placement(&[morning], day, Tz::UTC), utc(9, 0));
        let late = entry(utc(10, 0), Some(utc(12, 30)));
        assert_eq!(placement(&[late], day, Tz::UTC), utc(12, 30));
    }

    #[test]
    fn a_cell_counts_only_the_part_of_an_entry_on_its_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let night = entry(utc(22, 0), Some(utc(22, 0) + Duration::hours(4)));
        assert_eq!(seconds_on(&night, day, Tz::UTC, utc(23, 0)), 2 * 3600);
        let running = entry(utc(20, 0), None);
        assert_eq!(seconds_on(&running, day, Tz::UTC, utc(21, 30)), 5400);
    }

    #[test]
    fn the_refusal_says_what_the_timer_tracked_in_words() {
        assert_eq!(
            not_enough_manual_time(5400, 0),
            "This time was tracked with the timer, and the week grid only changes time typed in here. To take away 1:30, edit or delete those timer entries on the Entries page."
        );
        assert!(not_enough_manual_time(5400, 1800).starts_with("Only 0:30 of this time"));
    }
}
