//! Reports: the summary (totals per group and sub-group), the detailed list with amounts, and
//! the weekly person × day matrix. Members see their own time; managers and above everyone's.

pub mod links;
pub mod query;
pub mod rounding;
pub mod summary;
mod sums;

use std::collections::HashMap;

use chrono::Duration;
use serde::Serialize;
use uuid::Uuid;

use super::entries::membership;
use super::{Actor, Ctx};
use crate::db::names::{self, Catalog};
use crate::db::{Tx, entries};
use crate::domain::account::MyOrganization;
use crate::domain::entry_filter::{Cursor, Paging};
use crate::domain::ids::OrganizationId;
use crate::domain::role::{Permission, allows};
use crate::error::AppResult;
use crate::service::entries::list::restrict_to_own;
use query::{GroupBy, ReportRequest, WeeklyRequest};
use rounding::Rounding;
use summary::{Aggregator, Group, Key};

/// Members report on their own time only.
pub(crate) fn restrict(
    mine: &MyOrganization,
    actor: &Actor,
    request: &mut ReportRequest,
) -> AppResult<()> {
    restrict_to_own(
        allows(mine.role, Permission::ViewAllEntries),
        actor.user.id,
        &mut request.filter.users,
        "time in reports",
    )
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Totals {
    pub seconds: i64,
    /// Minor units of `currency`.
    pub amount: i64,
    pub entries: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub from: chrono::NaiveDate,
    /// The last day included.
    pub to: chrono::NaiveDate,
    pub time_zone: String,
    /// 1 = Monday … 7 = Sunday; weeks start on this day.
    pub week_start: i16,
    pub group: GroupBy,
    pub subgroup: Option<GroupBy>,
    /// Applied to each entry before summing; never stored.
    pub rounding: Rounding,
    pub currency: String,
    /// True when grouping by tag: an entry with several tags counts fully under each of them,
    /// so the groups may add up to more than the totals.
    pub entries_count_under_each_tag: bool,
    pub totals: Totals,
    pub groups: Vec<Group>,
}

/// Names for group labels, loaded once per report.
struct Labels {
    catalogs: HashMap<&'static str, HashMap<Uuid, String>>,
    /// Project colours, when a grouping is by project.
    colors: HashMap<Uuid, String>,
    users: HashMap<Uuid, (String, String)>,
}

impl Labels {
    async fn load(
        tx: &mut Tx,
        org: OrganizationId,
        seen: &HashMap<GroupBy, std::collections::HashSet<Uuid>>,
    ) -> AppResult<Self> {
        let mut catalogs = HashMap::new();
        for (group, kind, name) in [
            (GroupBy::Client, Catalog::Clients, "client"),
            (GroupBy::Project, Catalog::Projects, "project"),
            (GroupBy::Task, Catalog::Tasks, "task"),
            (GroupBy::Tag, Catalog::Tags, "tag"),
        ] {
            if seen.contains_key(&group) {
                catalogs.insert(name, names::catalog(&mut tx.conn(), org, kind).await?);
            }
        }
        let user_ids: Vec<Uuid> = seen
            .get(&GroupBy::User)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let colors = if seen.contains_key(&GroupBy::Project) {
            names::project_colors(&mut tx.conn(), org).await?
        } else {
            HashMap::new()
        };
        Ok(Self {
            catalogs,
            colors,
            users: names::users(&mut tx.conn(), &user_ids).await?,
        })
    }

    fn color(&self, group: GroupBy, key: &Key) -> Option<String> {
        match (group, key) {
            (GroupBy::Project, Key::Id(id)) => self.colors.get(id).cloned(),
            _ => None,
        }
    }

    fn label(&self, group: GroupBy, key: &Key) -> String {
        let catalog = |name: &str, id: &Uuid| {
            self.catalogs
                .get(name)
                .and_then(|m| m.get(id))
                .cloned()
                .unwrap_or_else(|| format!("(deleted {name})"))
        };
        match (group, key) {
            (GroupBy::Client, Key::Nothing) => "No client".into(),
            (GroupBy::Project, Key::Nothing) => "No project".into(),
            (GroupBy::Task, Key::Nothing) => "No task".into(),
            (GroupBy::Tag, Key::Nothing) => "No tag".into(),
            (GroupBy::Client, Key::Id(id)) => catalog("client", id),
            (GroupBy::Project, Key::Id(id)) => catalog("project", id),
            (GroupBy::Task, Key::Id(id)) => catalog("task", id),
            (GroupBy::Tag, Key::Id(id)) => catalog("tag", id),
            (GroupBy::User, Key::Id(id)) => self
                .users
                .get(id)
                .map_or_else(|| "(deleted account)".into(), |(name, _)| name.clone()),
            (GroupBy::Day, Key::Day(d)) => d.format("%a %-d %b %Y").to_string(),
            (GroupBy::Week, Key::Day(d)) => format!("Week of {}", d.format("%a %-d %b %Y")),
            (GroupBy::Month, Key::Day(d)) => d.format("%B %Y").to_string(),
            (GroupBy::Year, Key::Day(d)) => d.format("%Y").to_string(),
            (GroupBy::Billable, Key::Flag(true)) => "Billable".into(),
            (GroupBy::Billable, Key::Flag(false)) => "Not billable".into(),
            (GroupBy::Description, Key::Text(t)) if t.is_empty() => "(no description)".into(),
            (GroupBy::Description, Key::Text(t)) => t.clone(),
            _ => String::new(),
        }
    }
}

/// `GET reports/summary`.
pub async fn summary(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    request: &ReportRequest,
) -> AppResult<Summary> {
    let mut both = summaries(ctx, actor, org, request, &[]).await?;
    Ok(both.remove(0))
}

/// The period of a report's chart over time: days up to a month, weeks up to half a year,
/// months beyond.
pub fn timeline_group(request: &ReportRequest) -> GroupBy {
    let days = (request.to - request.from).num_days() + 1;
    if days <= 31 {
        GroupBy::Day
    } else if days <= 190 {
        GroupBy::Week
    } else {
        GroupBy::Month
    }
}

/// The summary and, for its chart, the same time per `timeline_group` period, from one read of
/// the entries.
pub async fn summary_with_timeline(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    request: &ReportRequest,
) -> AppResult<(Summary, Summary)> {
    let mut both = summaries(ctx, actor, org, request, &[timeline_group(request)]).await?;
    let timeline = both.remove(1);
    Ok((both.remove(0), timeline))
}

/// `request`'s summary, then one more per extra grouping (no sub-group), all from one pass
/// over the entries.
async fn summaries(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    request: &ReportRequest,
    also_by: &[GroupBy],
) -> AppResult<Vec<Summary>> {
    request.check()?;
    let mut query = request.clone();
    let mut tx = ctx.db.read().await?;
    let mine = membership(&mut tx, org, actor).await?;
    restrict(&mine, actor, &mut query)?;
    let now = ctx.clock.now();
    let queries: Vec<ReportRequest> = std::iter::once(query.clone())
        .chain(also_by.iter().map(|group| ReportRequest {
            group: *group,
            subgroup: None,
            ..query.clone()
        }))
        .collect();
    let with_tags = queries
        .iter()
        .any(|q| q.group == GroupBy::Tag || q.subgroup == Some(GroupBy::Tag));
    let mut aggregators: Vec<Aggregator> =
        queries.iter().map(|q| Aggregator::new(q, now)).collect();
    if sums::applies(&queries) {
        sums::aggregate(&mut tx, org, &query, &mut aggregators).await?;
    } else {
        entries::for_each_report_row(&mut tx.conn(), org, &query.db_filter(), with_tags, |row| {
            for aggregator in &mut aggregators {
                aggregator.add(&row);
            }
        })
        .await?;
    }
    let mut seen: HashMap<GroupBy, std::collections::HashSet<Uuid>> = HashMap::new();
    for aggregator in &aggregators {
        for (group, ids) in &aggregator.seen {
            seen.entry(*group).or_default().extend(ids);
        }
    }
    let labels = Labels::load(&mut tx, org, &seen).await?;
    Ok(aggregators
        .into_iter()
        .map(|mut aggregator| {
            let q = aggregator.query;
            let groups = summary::to_groups(
                q.group,
                q.subgroup,
                std::mem::take(&mut aggregator.groups),
                &|g, k| (labels.label(g, k), labels.color(g, k)),
            );
            Summary {
                from: q.from,
                to: q.to,
                time_zone: q.tz.name().to_string(),
                week_start: q.week_start,
                group: q.group,
                subgroup: q.subgroup,
                rounding: q.rounding,
                currency: mine.organization.currency.clone(),
                entries_count_under_each_tag: q.group == GroupBy::Tag
                    || q.subgroup == Some(GroupBy::Tag),
                totals: Totals {
                    seconds: aggregator.total.seconds,
                    amount: aggregator.total.amount,
                    entries: aggregator.total.entries,
                },
                groups,
            }
        })
        .collect())
}

/// One row of the weekly matrix: a person and their seconds on each day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WeeklyRow {
    pub user_id: String,
    pub name: String,
    /// Seconds on each of the seven days, in order.
    pub days: Vec<i64>,
    pub total: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Weekly {
    pub days: Vec<chrono::NaiveDate>,
    pub time_zone: String,
    pub rounding: Rounding,
    pub rows: Vec<WeeklyRow>,
    /// Seconds per day over everyone.
    pub day_totals: Vec<i64>,
    pub total: i64,
}

/// `GET reports/weekly`: people × the seven days of the week (the caller's week start) that
/// holds the requested day.
pub async fn weekly(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    request: WeeklyRequest,
) -> AppResult<Weekly> {
    let day = request
        .day
        .unwrap_or_else(|| crate::domain::calendar::local_date(ctx.clock.now(), request.tz));
    let first = crate::domain::calendar::week_start(day, actor.user.week_start);
    let matrix = ReportRequest {
        from: first,
        to: first + Duration::days(6),
        tz: request.tz,
        week_start: actor.user.week_start,
        group: GroupBy::User,
        subgroup: Some(GroupBy::Day),
        rounding: request.rounding,
        filter: request.filter,
    };
    let report = summary(ctx, actor, org, &matrix).await?;
    let days: Vec<chrono::NaiveDate> = (0..7).map(|i| first + Duration::days(i)).collect();
    let mut day_totals = vec![0; 7];
    let rows = report
        .groups
        .into_iter()
        .map(|g| {
            let mut seconds = vec![0; 7];
            for s in g.subgroups {
                if let Some(i) = days.iter().position(|d| Some(d.to_string()) == s.key) {
                    seconds[i] += s.seconds;
                    day_totals[i] += s.seconds;
                }
            }
            WeeklyRow {
                user_id: g.key.unwrap_or_default(),
                name: g.label,
                total: seconds.iter().sum(),
                days: seconds,
            }
        })
        .collect();
    Ok(Weekly {
        days,
        time_zone: report.time_zone,
        rounding: report.rounding,
        rows,
        total: day_totals.iter().sum(),
        day_totals,
    })
}

/// An entry of the detailed report: as stored, with its rounded duration and amount.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DetailedEntry {
    #[serde(flatten)]
    pub entry: crate::domain::entries::TimeEntry,
    /// Whole seconds as tracked (up to now while running).
    pub duration_seconds: i64,
    /// After the report's rounding.
    pub rounded_seconds: i64,
    /// Minor units: rounded time × the entry's rate, for billable entries with a rate.
    pub amount: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Detailed {
    pub rounding: Rounding,
    pub currency: String,
    pub items: Vec<DetailedEntry>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET reports/detailed`: the entries starting in the range, oldest first, a page at a time.
pub async fn detailed(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    request: &ReportRequest,
    paging: &Paging,
) -> AppResult<Detailed> {
    request.check()?;
    let mut query = request.clone();
    let (limit, after) = (
        paging.limit.clamp(1, Paging::MAX_LIMIT),
        paging.after.map(|c| (crate::db::Ts(c.start), c.id)),
    );
    let mut tx = ctx.db.read().await?;
    let mine = membership(&mut tx, org, actor).await?;
    restrict(&mine, actor, &mut query)?;
    let (start, end) = query.range();
    let filter = entries::Filter {
        from: Some(crate::db::Ts(start)),
        to: Some(crate::db::Ts(end)),
        ends_after: None,
        ascending: true,
        after,
        limit,
        ..crate::service::entries::list::stored_filter(&query.filter)
    };
    let (rows, more) = entries::list(&mut tx.conn(), org, &filter).await?;
    let now = ctx.clock.now();
    let next_cursor = more
        .then(|| rows.last().map(|e| Cursor::after(e.start, e.id).token()))
        .flatten();
    let items = rows
        .into_iter()
        .map(|entry| {
            let duration_seconds = entry.duration_seconds(now);
            let rounded_seconds = query.rounding.apply(duration_seconds);
            let amount = match (entry.billable, entry.hourly_rate) {
                (true, Some(rate)) => summary::amount(rounded_seconds, rate),
                _ => 0,
            };
            DetailedEntry {
                entry,
                duration_seconds,
                rounded_seconds,
                amount,
            }
        })
        .collect();
    Ok(Detailed {
        rounding: query.rounding,
        currency: mine.organization.currency.clone(),
        items,
        next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::entry_filter::EntryFilter;

    fn request(days: i64) -> ReportRequest {
        let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        ReportRequest {
            from,
            to: from + Duration::days(days - 1),
            tz: chrono_tz::UTC,
            week_start: 1,
            group: GroupBy::Project,
            subgroup: None,
            rounding: Rounding::NONE,
            filter: EntryFilter::default(),
        }
    }

    #[test]
    fn the_chart_over_time_uses_days_then_weeks_then_months() {
        assert_eq!(timeline_group(&request(1)), GroupBy::Day);
        assert_eq!(timeline_group(&request(31)), GroupBy::Day);
        assert_eq!(timeline_group(&request(32)), GroupBy::Week);
        assert_eq!(timeline_group(&request(190)), GroupBy::Week);
        assert_eq!(timeline_group(&request(191)), GroupBy::Month);
    }
}
