//! A report's parameters: the local days it covers, the zone those days are in, grouping,
//! rounding, and the same filters as the entries list.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::rounding::Rounding;
use crate::db::{Ts, entries};
use crate::domain::profile::parse_time_zone;
use crate::error::AppResult;
use crate::service::entries::list;
use crate::service::{Actor, Check};

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

    fn parse(raw: &str) -> Result<Self, String> {
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

#[derive(Debug, Clone)]
pub struct ReportQuery {
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
    pub filter: entries::Filter,
    /// The filter parameters as given, for links and saved reports.
    pub filter_query: String,
}

const FILTER_KEYS: [&str; 7] = [
    "project_id",
    "client_id",
    "task_id",
    "tag_id",
    "user_id",
    "billable",
    "q",
];

impl ReportQuery {
    /// Parses `from`, `to`, `tz`, `group`, `subgroup`, `rounding`, `rounding_minutes` and the
    /// entry filters; every problem is reported at once. `group` may be absent where the caller
    /// does not group (detailed reports, exports).
    pub fn parse(raw: &str, actor: &Actor, default_group: Option<GroupBy>) -> AppResult<Self> {
        let mut check = Check::default();
        let mut values: std::collections::HashMap<String, String> = Default::default();
        let mut filter_pairs = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            let key = key.trim_end_matches("[]").to_string();
            if FILTER_KEYS.contains(&key.as_str()) {
                filter_pairs.append_pair(&key, &value);
            } else {
                values.insert(key, value.into_owned());
            }
        }
        let filter_query = filter_pairs.finish();
        let get = |k: &str| values.get(k).map(String::as_str).unwrap_or("").trim();
        let day = |check: &mut Check, k: &str| {
            let raw = get(k);
            check.field(
                k,
                if raw.is_empty() {
                    Err("is required as a day (YYYY-MM-DD)".to_string())
                } else {
                    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                        .map_err(|_| format!("'{raw}' is not a day (YYYY-MM-DD)"))
                },
            )
        };
        let from = day(&mut check, "from");
        let to = day(&mut check, "to");
        let tz_name = match get("tz") {
            "" => actor.user.time_zone.clone(),
            other => other.to_string(),
        };
        let tz = check
            .field("tz", parse_time_zone(&tz_name))
            .and_then(|name| name.parse::<Tz>().ok());
        let group = match (get("group"), default_group) {
            ("", Some(g)) => Some(g),
            ("", None) => check.field::<GroupBy>("group", Err("is required".into())),
            (raw, _) => check.field("group", GroupBy::parse(raw)),
        };
        let subgroup = match get("subgroup") {
            "" | "none" => Some(None),
            raw => check.field("subgroup", GroupBy::parse(raw)).map(Some),
        };
        let rounding = check.field(
            "rounding",
            Rounding::parse(
                get("rounding"),
                values.get("rounding_minutes").map(String::as_str),
            )
            .map_err(|(field, message)| {
                if field == "rounding" {
                    message
                } else {
                    format!("rounding_minutes {message}")
                }
            }),
        );
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                check.field::<()>("to", Err("must not be before from".into()));
            } else if (to - from).num_days() >= MAX_DAYS {
                check.field::<()>(
                    "to",
                    Err(format!("a report covers at most {MAX_DAYS} days")),
                );
            }
        }
        if let (Some(g), Some(Some(s))) = (group, subgroup)
            && g == s
        {
            check.field::<()>("subgroup", Err("must differ from group".into()));
        }
        let filter = match list::parse_query(&filter_query) {
            Ok((filter, _)) => Some(filter),
            Err(crate::error::AppError::Validation { fields, .. }) => {
                for (field, messages) in fields {
                    for m in messages {
                        check.field::<()>(&field, Err(m));
                    }
                }
                None
            }
            Err(other) => return Err(other),
        };
        check.finish()?;
        let (
            Some(from),
            Some(to),
            Some(tz),
            Some(group),
            Some(subgroup),
            Some(rounding),
            Some(filter),
        ) = (from, to, tz, group, subgroup, rounding, filter)
        else {
            unreachable!("checked above")
        };
        Ok(ReportQuery {
            from,
            to,
            tz,
            week_start: actor.user.week_start,
            group,
            subgroup,
            rounding,
            filter,
            filter_query,
        })
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
            ..self.filter.clone()
        }
    }
}
