//! A report's parameters: the local days it covers, the zone those days are in, grouping,
//! rounding, and the same filters as the entries list.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::rounding::Rounding;
use crate::db::{Ts, entries};
use crate::domain::entry_filter::EntryFilter;
use crate::error::AppResult;
use crate::service::Check;
use crate::service::entries::list::stored_filter;

/// The longest range one report may cover.
pub const MAX_DAYS: i64 = 3 * 366;
/// How far before a report's start an entry reaching into it may begin (entries are far
/// shorter; running timers are found regardless).
const REACH_BACK_DAYS: i64 = 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Client,
    Project,
    Task,
    User,
    Tag,
    Day,
    Week,
    Month,
    Year,
    Billable,
    Description,
}

impl GroupBy {
    pub const ALL: [GroupBy; 11] = [
        GroupBy::Client,
        GroupBy::Project,
        GroupBy::Task,
        GroupBy::User,
        GroupBy::Tag,
        GroupBy::Day,
        GroupBy::Week,
        GroupBy::Month,
        GroupBy::Year,
        GroupBy::Billable,
        GroupBy::Description,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Client => "client",
            GroupBy::Project => "project",
            GroupBy::Task => "task",
            GroupBy::User => "user",
            GroupBy::Tag => "tag",
            GroupBy::Day => "day",
            GroupBy::Week => "week",
            GroupBy::Month => "month",
            GroupBy::Year => "year",
            GroupBy::Billable => "billable",
            GroupBy::Description => "description",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == raw)
            .ok_or_else(|| {
                format!(
                    "is '{raw}'; use one of {}",
                    Self::ALL.map(GroupBy::as_str).join(", ")
                )
            })
    }

    /// Whether groups of this kind are periods of time (entries are split at their edges).
    pub fn is_period(self) -> bool {
        matches!(
            self,
            GroupBy::Day | GroupBy::Week | GroupBy::Month | GroupBy::Year
        )
    }
}

/// What a report (or an export) covers and how it groups and rounds; the HTTP edge reads it
/// from a query string (`http::query::report`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRequest {
    pub from: NaiveDate,
    /// The last day included.
    pub to: NaiveDate,
    pub tz: Tz,
    /// 1 = Monday … 7 = Sunday: the caller's.
    pub week_start: i16,
    pub group: GroupBy,
    pub subgroup: Option<GroupBy>,
    pub rounding: Rounding,
    /// The entry filters (people, projects, clients, tasks, tags, billable, text).
    pub filter: EntryFilter,
}

/// The weekly matrix: the week (the caller's week start) holding `day`, today when `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyRequest {
    pub day: Option<NaiveDate>,
    pub tz: Tz,
    pub rounding: Rounding,
    pub filter: EntryFilter,
}

impl ReportRequest {
    /// The rules a request must meet whatever it came from; every problem at once.
    pub fn check(&self) -> AppResult<()> {
        let mut check = Check::default();
        let problems = Self::range_problems(self.from, self.to)
            .into_iter()
            .chain(Self::grouping_problems(self.group, self.subgroup))
            .chain(self.filter.problems());
        for (field, message) in problems {
            check.field::<()>(field, Err(message));
        }
        check.finish()
    }

    /// What is wrong with a range of days: backwards, or longer than a report may be.
    pub fn range_problems(from: NaiveDate, to: NaiveDate) -> Option<(&'static str, String)> {
        if to < from {
            Some(("to", "must not be before from".into()))
        } else if (to - from).num_days() >= MAX_DAYS {
            Some(("to", format!("a report covers at most {MAX_DAYS} days")))
        } else {
            None
        }
    }

    pub fn grouping_problems(
        group: GroupBy,
        subgroup: Option<GroupBy>,
    ) -> Option<(&'static str, String)> {
        (subgroup == Some(group)).then(|| ("subgroup", "must differ from group".to_string()))
    }

    /// The instants bounding the report: the start of `from` to the start of the day after `to`.
    pub fn range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            crate::domain::calendar::start_of_day(self.from, self.tz),
            crate::domain::calendar::start_of_day(self.to + Duration::days(1), self.tz),
        )
    }

    /// The stored-entry filter: entries overlapping the range, oldest first.
    pub fn db_filter(&self) -> entries::Filter {
        let (start, end) = self.range();
        entries::Filter {
            from: Some(Ts(start - Duration::days(REACH_BACK_DAYS))),
            to: Some(Ts(end)),
            ends_after: Some(Ts(start)),
            ascending: true,
            ..stored_filter(&self.filter)
        }
    }
}
