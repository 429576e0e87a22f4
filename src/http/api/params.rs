//! The query parameters that the services read from the raw query string (entry filters,
//! reports, exports), as the OpenAPI document describes them: groups that an operation's
//! `params(...)` combines. These types only document; the services parse and check (see
//! `service::entries::list::parse_query`, `service::reports::query`).

#![allow(dead_code)]

use chrono::NaiveDate;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::domain::entries::{FIRST_YEAR, LAST_YEAR};
use crate::domain::entry_filter::Paging;
use crate::service::reports::query::GroupBy;
use crate::service::reports::rounding::{Mode, STEPS};

/// A catalog list (clients, projects, tasks, tags).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Listing {
    /// false (default): active ones; true: archived ones; all. Members see active ones only.
    #[param(inline)]
    archived: Option<Archived>,
    /// Case-insensitive substring of the name.
    #[param(max_length = 200, pattern = "^[^\\x00]*$")]
    search: Option<String>,
}

/// The report's days.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Range {
    /// First day (YYYY-MM-DD) in `tz`.
    from: NaiveDate,
    /// Last day included (YYYY-MM-DD); at most 1098 days after `from`.
    to: NaiveDate,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Zone {
    /// IANA time zone of the days and of the date-times; default: yours.
    #[param(inline)]
    tz: Option<ZoneOrEmpty>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Grouping {
    #[param(inline)]
    group: GroupBy,
    /// Another grouping than `group`, or none (default).
    #[param(inline)]
    subgroup: Option<SubgroupOrEmpty>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Rounding {
    /// Per entry: none (default), up, down or nearest.
    #[param(inline)]
    rounding: Option<ModeOrEmpty>,
    /// The step in minutes; default 15.
    #[param(inline)]
    rounding_minutes: Option<MinutesOrEmpty>,
}

/// Which entries: each id parameter may be repeated (or written `user_id[]`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// Members may only give their own.
    user_id: Option<Vec<uuid::Uuid>>,
    project_id: Option<Vec<uuid::Uuid>>,
    client_id: Option<Vec<uuid::Uuid>>,
    task_id: Option<Vec<uuid::Uuid>>,
    tag_id: Option<Vec<uuid::Uuid>>,
    billable: Option<bool>,
    /// Case-insensitive substring of the description.
    #[param(max_length = 200, pattern = "^[^\\x00]*$")]
    q: Option<String>,
}

/// The week of the weekly report.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Week {
    /// Any day (YYYY-MM-DD) of the week; empty or absent: this week. Weeks start on your week
    /// start.
    #[param(inline)]
    week: Option<DayOrEmpty>,
}

/// A page of the detailed report.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportPage {
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The filters of the time-entry list (and of recalculating rates).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryFilters {
    /// Entries starting at or after (RFC 3339).
    #[param(inline)]
    from: Option<Instant>,
    /// Entries starting before (RFC 3339); after `from`.
    #[param(inline)]
    to: Option<Instant>,
    /// Members may only give their own.
    user_id: Option<Vec<uuid::Uuid>>,
    project_id: Option<Vec<uuid::Uuid>>,
    client_id: Option<Vec<uuid::Uuid>>,
    task_id: Option<Vec<uuid::Uuid>>,
    tag_id: Option<Vec<uuid::Uuid>>,
    billable: Option<bool>,
    running: Option<bool>,
    /// Case-insensitive substring of the description.
    #[param(max_length = 200, pattern = "^[^\\x00]*$")]
    q: Option<String>,
    /// Entries changed at or after (RFC 3339), deleted ones included as tombstones.
    #[param(inline)]
    updated_since: Option<Instant>,
}

/// Order and page of the time-entry list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryPage {
    /// `start` (oldest first) or `-start` (newest first, the default).
    #[param(inline)]
    sort: Option<Sort>,
    /// 1 to 500, default 50.
    #[param(inline)]
    limit: Option<EntryLimit>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Doc-only types whose schema is the values a parameter takes, taken from where the rule
/// lives where there is such a place.
macro_rules! values {
    ($(#[$doc:meta])* $name:ident = $values:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                $crate::http::api::params::one_of($values).into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use values;

values!(Archived = ["false", "true", "all"]);
values!(
    Subgroup = GroupBy::ALL
        .map(GroupBy::as_str)
        .into_iter()
        .chain(["none"])
);
values!(Sort = ["start", "-start"]);
/// An IANA time zone name (`crate::domain::field_schema::time_zone`).
pub struct TimeZone;

impl PartialSchema for TimeZone {
    fn schema() -> RefOr<Schema> {
        crate::domain::field_schema::time_zone()
    }
}

impl ToSchema for TimeZone {}

/// A string that is one of `values`.
pub fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values))
            .build(),
    )
}

/// Doc-only types for a parameter of the report parser, which reads `name=` as if `name` were
/// absent: the inner type's values or an empty one.
macro_rules! or_empty {
    ($($name:ident = $inner:ty;)*) => {$(
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let empty = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([""]));
                AnyOfBuilder::new().item(<$inner>::schema()).item(empty).into()
            }
        }

        impl ToSchema for $name {}
    )*};
}

/// A day, YYYY-MM-DD.
pub struct Day;

impl PartialSchema for Day {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .into()
    }
}

impl ToSchema for Day {}

or_empty! {
    DayOrEmpty = Day;
    ZoneOrEmpty = TimeZone;
    SubgroupOrEmpty = Subgroup;
    ModeOrEmpty = Mode;
    MinutesOrEmpty = RoundingMinutes;
}

pub struct RoundingMinutes;

impl PartialSchema for RoundingMinutes {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .enum_values(Some(STEPS))
            .into()
    }
}

impl ToSchema for RoundingMinutes {}

/// An RFC 3339 date-time in the years an entry may have (`domain::entries::check_instant`).
pub struct Instant;

impl PartialSchema for Instant {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .pattern(Some(format!("^({})-", year_pattern(FIRST_YEAR, LAST_YEAR))))
            .into()
    }
}

impl ToSchema for Instant {}

/// A regular expression for the four-digit years `first..=last`, by whole centuries and
/// decades where it can.
fn year_pattern(first: i32, last: i32) -> String {
    let mut parts = Vec::new();
    let mut year = first;
    while year <= last {
        if year % 100 == 0 && year + 99 <= last {
            parts.push(format!("{}[0-9][0-9]", year / 100));
            year += 100;
        } else if year % 10 == 0 && year + 9 <= last {
            parts.push(format!("{}[0-9]", year / 10));
            year += 10;
        } else {
            parts.push(year.to_string());
            year += 1;
        }
    }
    parts.join("|")
}

pub struct EntryLimit;

impl PartialSchema for EntryLimit {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1))
            .maximum(Some(Paging::MAX_LIMIT))
            .into()
    }
}

impl ToSchema for EntryLimit {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_pattern_takes_whole_decades_and_centuries() {
        assert_eq!(
            year_pattern(1970, 2200),
            "197[0-9]|198[0-9]|199[0-9]|20[0-9][0-9]|21[0-9][0-9]|2200"
        );
        assert_eq!(year_pattern(1998, 2001), "1998|1999|2000|2001");
    }
}
