//! Query strings → the services' typed inputs, once for the API and the pages, and back (the
//! canonical query of a report, for links, exports and saved reports). Repeated keys
//! (`project_id=a&project_id=b`), `key[]` and comma lists are all accepted.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::domain::account::User;
use crate::domain::entry_filter::{Cursor, EntryFilter, Paging};
use crate::domain::ids::{ClientId, ProjectId, TagId, TaskId, UserId};
use crate::domain::profile::parse_time_zone;
use crate::error::AppResult;
use crate::service::reports::links::{self, PublicReport};
use crate::service::reports::query::{GroupBy, ReportRequest, WeeklyRequest};
use crate::service::reports::rounding::Rounding;
use crate::service::{Check, Ctx};

/// The pairs of a query string, `[]` taken off the keys.
fn pairs(raw: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.trim_start_matches('?').as_bytes())
        .map(|(k, v)| (k.trim_end_matches("[]").to_string(), v.into_owned()))
        .collect()
}

/// Reads one entry-filter key into `filter`; `false` when `key` is not a filter key.
fn filter_key(key: &str, value: &str, filter: &mut EntryFilter, check: &mut Check) -> bool {
    let ids = |check: &mut Check| -> Vec<Uuid> {
        value
            .split(',')
            .map(str::trim)
            .filter_map(|v| {
                let parsed = if v.is_empty() {
                    Err(format!("is empty; give an id or leave {key} out"))
                } else {
                    Uuid::parse_str(v).map_err(|_| format!("'{v}' is not an id"))
                };
                check.field(key, parsed)
            })
            .collect()
    };
    match key {
        "from" => filter.from = check.field("from", instant(value)),
        "to" => filter.to = check.field("to", instant(value)),
        "updated_since" => filter.updated_since = check.field("updated_since", instant(value)),
        "user_id" => filter
            .users
            .extend(ids(check).into_iter().map(UserId::from_uuid)),
        "project_id" => filter
            .projects
            .extend(ids(check).into_iter().map(ProjectId::from_uuid)),
        "client_id" => filter
            .clients
            .extend(ids(check).into_iter().map(ClientId::from_uuid)),
        "task_id" => filter
            .tasks
            .extend(ids(check).into_iter().map(TaskId::from_uuid)),
        "tag_id" => filter
            .tags
            .extend(ids(check).into_iter().map(TagId::from_uuid)),
        "billable" => filter.billable = check.field("billable", boolean(value)),
        "running" => filter.running = check.field("running", boolean(value)),
        "q" => filter.text = Some(value.to_string()),
        _ => return false,
    }
    true
}

fn note_problems(filter: &EntryFilter, check: &mut Check) {
    for (field, message) in filter.problems() {
        check.field::<()>(field, Err(message));
    }
}

/// `GET time-entries` (and the pages' entry lists): filters and paging; unknown keys refused.
pub fn entry_list(raw: &str) -> AppResult<(EntryFilter, Paging)> {
    let mut check = Check::default();
    let mut filter = EntryFilter::default();
    let mut paging = Paging::default();
    for (key, value) in pairs(raw) {
        if filter_key(&key, &value, &mut filter, &mut check) {
            continue;
        }
        match key.as_str() {
            "sort" => match value.as_str() {
                "start" => paging.oldest_first = true,
                "-start" => paging.oldest_first = false,
                other => {
                    check.field::<()>(
                        "sort",
                        Err(format!(
                            "is '{other}'; use start (oldest first) or -start (newest first)"
                        )),
                    );
                }
            },
            "limit" => {
                paging.limit = check
                    .field("limit", limit(&value, Paging::MAX_LIMIT))
                    .unwrap_or(paging.limit)
            }
            "cursor" => paging.after = check.field("cursor", Cursor::parse(&value)),
            other => {
                check.field::<()>(other, Err("is not a filter of this list".into()));
            }
        }
    }
    note_problems(&filter, &mut check);
    check.finish()?;
    Ok((filter, paging))
}

fn limit(raw: &str, max: i64) -> Result<i64, String> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("is '{raw}'; use a number from 1 to {max}"))
}

fn instant(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("'{raw}' is not an RFC 3339 date-time such as 2026-03-01T09:00:00Z"))
        .and_then(crate::domain::entries::check_instant)
}

fn boolean(raw: &str) -> Result<bool, String> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("is '{raw}'; use true or false")),
    }
}

fn day(raw: &str) -> Result<NaiveDate, String> {
    if raw.is_empty() {
        return Err("is required as a day (YYYY-MM-DD)".into());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| format!("'{raw}' is not a day (YYYY-MM-DD)"))
}

/// The report's own keys (not entry filters) and the filter, read from a query string.
struct ReportKeys {
    values: std::collections::HashMap<String, String>,
    filter: EntryFilter,
}

impl ReportKeys {
    fn read(raw: &str, check: &mut Check) -> Self {
        let mut values = std::collections::HashMap::new();
        let mut filter = EntryFilter::default();
        for (key, value) in pairs(raw) {
            // a report's range is days (`from`/`to`), not the list's instants
            if !["from", "to", "updated_since", "running"].contains(&key.as_str())
                && filter_key(&key, &value, &mut filter, check)
            {
                continue;
            }
            values.insert(key, value);
        }
        note_problems(&filter, check);
        Self { values, filter }
    }

    fn get(&self, key: &str) -> &str {
        self.values
            .get(key)
            .map(String::as_str)
            .unwrap_or("")
            .trim()
    }

    /// `tz`, or the person's own zone.
    fn tz(&self, user: &User, check: &mut Check) -> Option<Tz> {
        match self.get("tz") {
            "" => Some(user.tz()),
            raw => check
                .field("tz", parse_time_zone(raw))
                .and_then(|name| name.parse().ok()),
        }
    }

    fn rounding(&self, check: &mut Check) -> Option<Rounding> {
        let minutes = self.values.get("rounding_minutes").map(String::as_str);
        check.field(
            "rounding",
            Rounding::parse(self.get("rounding"), minutes).map_err(|(field, message)| {
                if field == "rounding" {
                    message
                } else {
                    format!("rounding_minutes {message}")
                }
            }),
        )
    }
}

/// A summary report (and the exports, which take the same parameters): `from`, `to`, `tz`,
/// `group`, `subgroup`, `rounding`, `rounding_minutes` and the entry filters. `group` may be
/// absent where the caller does not group (detailed reports, exports): `default_group` then.
pub fn report(raw: &str, user: &User, default_group: Option<GroupBy>) -> AppResult<ReportRequest> {
    let mut check = Check::default();
    let keys = ReportKeys::read(raw, &mut check);
    let from = check.field("from", day(keys.get("from")));
    let to = check.field("to", day(keys.get("to")));
    let tz = keys.tz(user, &mut check);
    let group = match (keys.get("group"), default_group) {
        ("", Some(g)) => Some(g),
        ("", None) => check.field::<GroupBy>("group", Err("is required".into())),
        (raw, _) => check.field("group", GroupBy::parse(raw)),
    };
    let subgroup = match keys.get("subgroup") {
        "" | "none" => Some(None),
        raw => check.field("subgroup", GroupBy::parse(raw)).map(Some),
    };
    let rounding = keys.rounding(&mut check);
    // the request's own rules too, so that every problem is named at once
    let problems = from
        .zip(to)
        .and_then(|(from, to)| ReportRequest::range_problems(from, to))
        .into_iter()
        .chain(
            group
                .zip(subgroup)
                .and_then(|(g, s)| ReportRequest::grouping_problems(g, s)),
        );
    for (field, message) in problems {
        check.field::<()>(field, Err(message));
    }
    check.finish()?;
    let (Some(from), Some(to), Some(tz), Some(group), Some(subgroup), Some(rounding)) =
        (from, to, tz, group, subgroup, rounding)
    else {
        unreachable!("checked above")
    };
    let request = ReportRequest {
        from,
        to,
        tz,
        week_start: user.week_start,
        group,
        subgroup,
        rounding,
        filter: keys.filter,
    };
    Ok(request)
}

/// `GET reports/detailed`: a report's parameters plus `limit` (1 to 500, default 100) and
/// `cursor`.
pub fn detailed(raw: &str, user: &User) -> AppResult<(ReportRequest, Paging)> {
    let request = report(raw, user, Some(GroupBy::Day))?;
    let mut check = Check::default();
    let mut paging = Paging {
        oldest_first: true,
        limit: 100,
        after: None,
    };
    for (key, value) in pairs(raw) {
        match key.as_str() {
            "limit" => {
                paging.limit = check
                    .field("limit", limit(&value, Paging::MAX_LIMIT))
                    .unwrap_or(paging.limit)
            }
            "cursor" => paging.after = check.field("cursor", Cursor::parse(&value)),
            _ => {}
        }
    }
    check.finish()?;
    Ok((request, paging))
}

/// `GET reports/weekly?week=YYYY-MM-DD`: the week holding that day (today when absent), with
/// `tz`, rounding and the entry filters.
pub fn weekly(raw: &str, user: &User) -> AppResult<WeeklyRequest> {
    let mut check = Check::default();
    let keys = ReportKeys::read(raw, &mut check);
    let week = match keys.get("week") {
        "" => Some(None),
        raw => check.field("week", day(raw)).map(Some),
    };
    let tz = keys.tz(user, &mut check);
    let rounding = keys.rounding(&mut check);
    check.finish()?;
    let (Some(day), Some(tz), Some(rounding)) = (week, tz, rounding) else {
        unreachable!("checked above")
    };
    Ok(WeeklyRequest {
        day,
        tz,
        rounding,
        filter: keys.filter,
    })
}

/// A saved or shared report's parameters: checked like a summary report's (grouped by project
/// unless they say otherwise), stored as given.
pub fn report_params(raw: &str, user: &User) -> AppResult<String> {
    let params = raw.trim().trim_start_matches('?').to_string();
    report(&params, user, Some(GroupBy::Project))?;
    Ok(params)
}

/// The report behind a public link, read from the parameters stored with it.
pub async fn shared_report(ctx: &Ctx, token: &str) -> AppResult<PublicReport> {
    let share = links::open(ctx, token).await?;
    // links made before empty ids were refused may hold `tag_id=`; they meant no filter
    let request = report(
        &without_empty_pairs(&share.params),
        &share.sharer.user,
        Some(GroupBy::Project),
    )?;
    links::report(ctx, share, &request).await
}

fn without_empty_pairs(raw: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            url::form_urlencoded::parse(raw.trim_start_matches('?').as_bytes())
                .filter(|(_, v)| !v.is_empty()),
        )
        .finish()
}

/// The query string of a report, as `report` reads it: for export links, saved reports and
/// the page's own address. Default values are left out.
pub fn report_query(request: &ReportRequest) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("from", &request.from.to_string());
    q.append_pair("to", &request.to.to_string());
    q.append_pair("tz", request.tz.name());
    q.append_pair("group", request.group.as_str());
    if let Some(sub) = request.subgroup {
        q.append_pair("subgroup", sub.as_str());
    }
    if let Some((mode, minutes)) = request.rounding.as_params() {
        q.append_pair("rounding", mode);
        q.append_pair("rounding_minutes", &minutes.to_string());
    }
    let f = &request.filter;
    for (key, ids) in [
        (
            "project_id",
            f.projects
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        ),
        (
            "client_id",
            f.clients.iter().map(ToString::to_string).collect(),
        ),
        ("task_id", f.tasks.iter().map(ToString::to_string).collect()),
        ("tag_id", f.tags.iter().map(ToString::to_string).collect()),
        ("user_id", f.users.iter().map(ToString::to_string).collect()),
    ] {
        for id in ids {
            q.append_pair(key, &id);
        }
    }
    if let Some(billable) = f.billable {
        q.append_pair("billable", if billable { "true" } else { "false" });
    }
    if let Some(text) = f.text.as_deref().filter(|t| !t.is_empty()) {
        q.append_pair("q", text);
    }
    q.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: UserId::new(),
            email: "ada@example.org".into(),
            name: "Ada".into(),
            time_zone: "Europe/Berlin".into(),
            week_start: 1,
            is_instance_admin: false,
            disabled: false,
            email_verified: true,
            pending_email: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_report_reads_back_from_its_own_query() {
        let raw = "from=2026-03-01&to=2026-03-31&group=project&subgroup=day&rounding=up&rounding_minutes=15&project_id=01a2294f-0000-7000-8000-000000000001&billable=true&q=a%20b";
        let request = report(raw, &user(), None).unwrap();
        assert_eq!(
            report(&report_query(&request), &user(), None).unwrap(),
            request
        );
        assert_eq!(request.tz.name(), "Europe/Berlin");
    }

    #[test]
    fn every_bad_parameter_is_named_at_once() {
        let Err(crate::error::AppError::Validation { fields, .. }) = report(
            "from=nope&group=colour&user_id=x&rounding=sideways",
            &user(),
            None,
        ) else {
            panic!("refused")
        };
        let names: Vec<_> = fields.keys().map(String::as_str).collect();
        assert_eq!(names, ["from", "group", "rounding", "to", "user_id"]);
    }

    #[test]
    fn a_list_refuses_unknown_keys_and_reads_comma_lists() {
        assert!(entry_list("colour=red").is_err());
        let (filter, paging) = entry_list(
            "tag_id[]=01a2294f-0000-7000-8000-000000000001,01a2294f-0000-7000-8000-000000000002&sort=start&limit=10",
        )
        .unwrap();
        assert_eq!(filter.tags.len(), 2);
        assert!(paging.oldest_first);
        assert_eq!(paging.limit, 10);
    }

    #[test]
    fn an_empty_id_is_refused_not_read_as_no_filter() {
        for raw in [
            "tag_id=",
            "project_id=01a2294f-0000-7000-8000-000000000001,",
        ] {
            let Err(crate::error::AppError::Validation { fields, .. }) = entry_list(raw) else {
                panic!("{raw} was accepted")
            };
            assert_eq!(fields.len(), 1, "{raw}: {fields:?}");
        }
        assert_eq!(
            without_empty_pairs("tag_id=&from=2026-03-01"),
            "from=2026-03-01"
        );
    }
}
