//! A person's week as numbers: which seven local days it is, and the tracked seconds per day,
//! per project and per project/task/day. The timer page's chart and project totals and the
//! week grid read these; they only label and format them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::EntryView;
use crate::domain::calendar::{seconds_per_local_day, start_of_day, week_start};
use crate::domain::ids::{ProjectId, TaskId};

/// Seven local days and the instants that bound them.
pub struct Week {
    pub days: Vec<NaiveDate>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Week {
    /// The week holding `day`, starting on `first_weekday` (1 = Monday), in `tz`.
    pub fn containing(day: NaiveDate, first_weekday: i16, tz: Tz) -> Self {
        let first = week_start(day, first_weekday);
        let days: Vec<NaiveDate> = (0..7).map(|i| first + Duration::days(i)).collect();
        Self {
            from: start_of_day(first, tz),
            to: start_of_day(first + Duration::days(7), tz),
            days,
        }
    }

    fn index(&self, day: NaiveDate) -> Option<usize> {
        self.days.iter().position(|d| *d == day)
    }
}

/// Where a cell of the grid belongs.
pub type GridKey = (Option<ProjectId>, Option<TaskId>);

#[derive(Debug, PartialEq)]
pub struct WeekTotals {
    /// Seconds on each of the week's days, in order. An entry crossing midnight counts on each
    /// day it covers; a running one counts up to now.
    pub per_day: Vec<i64>,
    /// Seconds per project (None: no project) of the entries listed, most first; equal totals
    /// keep the order in which the entries came.
    pub by_project: Vec<(Option<ProjectId>, i64)>,
    /// Seconds per project/task on each day: the week grid's rows.
    pub grid: BTreeMap<GridKey, Vec<i64>>,
    /// The entries' whole durations: what "this week" lists, including the part of an entry
    /// that runs past the week's end.
    pub listed: i64,
}

pub fn totals(views: &[EntryView], week: &Week, tz: Tz, now: DateTime<Utc>) -> WeekTotals {
    let mut per_day = vec![0; week.days.len()];
    let mut by_project: Vec<(Option<ProjectId>, i64)> = Vec::new();
    let mut grid: BTreeMap<GridKey, Vec<i64>> = BTreeMap::new();
    for view in views {
        let entry = &view.entry;
        let end = entry.end.unwrap_or(now).max(entry.start);
        let cells = grid
            .entry((entry.project_id, entry.task_id))
            .or_insert_with(|| vec![0; week.days.len()]);
        for (day, seconds) in seconds_per_local_day(entry.start, end, tz) {
            if let Some(i) = week.index(day) {
                per_day[i] += seconds;
                cells[i] += seconds;
            }
        }
        match by_project.iter_mut().find(|(p, _)| *p == entry.project_id) {
            Some((_, seconds)) => *seconds += view.duration_seconds,
            None => by_project.push((entry.project_id, view.duration_seconds)),
        }
    }
    // stable: equal totals stay in the order the entries came
    by_project.sort_by_key(|(_, seconds)| std::cmp::Reverse(*seconds));
    WeekTotals {
        per_day,
        by_project,
        grid,
        listed: views.iter().map(|v| v.duration_seconds).sum(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::entries::TimeEntry;

    fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn view(
        project: Option<ProjectId>,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> EntryView {
        let mut entry = TimeEntry::sample(start, end);
        entry.project_id = project;
        EntryView::new(entry, now)
    }

    #[test]
    fn the_week_follows_the_persons_first_weekday_and_time_zone() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        // Wednesday 25 March 2026; the week holding it has the DST change on Sunday 29th
        let day = NaiveDate::from_ymd_opt(2026, 3, 25).unwrap();

        let monday = Week::containing(day, 1, tz);
        let sunday = Week::containing(day, 7, tz);

        assert_eq!(
            monday.days[0],
            NaiveDate::from_ymd_opt(2026, 3, 23).unwrap()
        );
        assert_eq!(
            sunday.days[0],
            NaiveDate::from_ymd_opt(2026, 3, 22).unwrap()
        );
        assert_eq!(monday.from, at(tz, 2026, 3, 23, 0, 0));
        // 7 days minus the hour DST skipped
        assert_eq!(monday.to - monday.from, Duration::hours(7 * 24 - 1));
    }

    #[test]
    fn time_counts_on_the_days_and_projects_it_covers_within_the_week() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let week = Week::containing(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), 1, tz);
        let (a, b) = (Some(ProjectId::new()), Some(ProjectId::new()));
        let now = at(tz, 2026, 11, 27, 12, 0);
        let views = [
            // Sunday before the week 23:00 → Monday 01:00: one hour in the week
            view(
                a,
                at(tz, 2026, 11, 22, 23, 0),
                Some(at(tz, 2026, 11, 23, 1, 0)),
                now,
            ),
            // Tuesday 22:30 → Wednesday 00:30: 1:30 on Tuesday, 0:30 on Wednesday
            view(
                b,
                at(tz, 2026, 11, 24, 22, 30),
                Some(at(tz, 2026, 11, 25, 0, 30)),
                now,
            ),
            // no project, Wednesday 3 hours
            view(
                None,
                at(tz, 2026, 11, 25, 9, 0),
                Some(at(tz, 2026, 11, 25, 12, 0)),
                now,
            ),
            // running since Friday 10:00: two hours up to now
            view(a, at(tz, 2026, 11, 27, 10, 0), None, now),
        ];

        let totals = totals(&views, &week, tz, now);

        assert_eq!(totals.per_day, [3600, 5400, 1800 + 10800, 0, 7200, 0, 0]);
        assert_eq!(
            totals.by_project,
            [(a, 7200 + 7200), (None, 10800), (b, 7200)]
        );
        assert_eq!(totals.grid[&(a, None)], [3600, 0, 0, 0, 7200, 0, 0]);
        assert_eq!(totals.grid[&(b, None)], [0, 5400, 1800, 0, 0, 0, 0]);
        // the listed total is the entries' whole durations
        assert_eq!(totals.listed, 7200 + 7200 + 10800 + 7200);
    }

    #[test]
    fn equal_project_totals_keep_the_order_the_entries_came_in() {
        let tz: Tz = "UTC".parse().unwrap();
        let week = Week::containing(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), 1, tz);
        let (a, b) = (Some(ProjectId::new()), Some(ProjectId::new()));
        let now = at(tz, 2026, 11, 28, 0, 0);
        let views = [
            view(
                b,
                at(tz, 2026, 11, 24, 9, 0),
                Some(at(tz, 2026, 11, 24, 10, 0)),
                now,
            ),
            view(
                a,
                at(tz, 2026, 11, 25, 9, 0),
                Some(at(tz, 2026, 11, 25, 10, 0)),
                now,
            ),
        ];

        assert_eq!(
            totals(&views, &week, tz, now).by_project,
            [(b, 3600), (a, 3600)]
        );
    }
}
