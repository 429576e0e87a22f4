//! Reports: the summary (totals per group and sub-group), the detailed list with amounts, and
//! the weekly person × day matrix. Members see their own time; managers and above everyone's.

pub mod links;
pub mod query;
pub mod rounding;
pub mod summary;

use std::collections::HashMap;

use chrono::Duration;
use serde::Serialize;
use uuid::Uuid;

use super::entries::membership;
use super::{Actor, Ctx};
use crate::db::names::{self, Catalog};
use crate::db::{Tx, entries};
use crate::domain::account::MyOrganization;
use crate::domain::ids::OrganizationId;
use crate::domain::role::{Permission, allows};
use crate::error::{AppError, AppResult};
use query::{GroupBy, ReportQuery};
use rounding::Rounding;
use summary::{Aggregator, Group, Key};

/// Members report on their own time only.
pub(crate) fn restrict(
    mine: &MyOrganization,
    actor: &Actor,
    query: &mut ReportQuery,
) -> AppResult<()> {
    if allows(mine.role, Permission::ViewAllEntries) {
        return Ok(());
    }
    if query.filter.users.iter().any(|u| *u != actor.user.id) {
        return Err(AppError::Forbidden(
            "Members see only their own time in reports; leave out user_id or give your own."
                .into(),
        ));
    }
    query.filter.users = vec![actor.user.id];
    Ok(())
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
        Ok(Self {
            catalogs,
            users: names::users(&mut tx.conn(), &user_ids).await?,
        })
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
    raw: &str,
) -> AppResult<Summary> {
    let mut query = ReportQuery::parse(raw, actor, None)?;
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    restrict(&mine, actor, &mut query)?;
    let now = ctx.clock.now();
    let with_tags = query.group == GroupBy::Tag || query.subgroup == Some(GroupBy::Tag);
    let mut aggregator = Aggregator::new(&query, now);
    entries::for_each_report_row(&mut tx.conn(), org, &query.db_filter(), with_tags, |row| {
        aggregator.add(&row)
    })
    .await?;
    let labels = Labels::load(&mut tx, org, &aggregator.seen).await?;
    let groups = summary::to_groups(
        query.group,
        query.subgroup,
        std::mem::take(&mut aggregator.groups),
        &|g, k| labels.label(g, k),
    );
    Ok(Summary {
        from: query.from,
        to: query.to,
        time_zone: query.tz.name().to_string(),
        week_start: query.week_start,
        group: query.group,
        subgroup: query.subgroup,
        rounding: query.rounding,
        currency: mine.organization.currency.clone(),
        entries_count_under_each_tag: with_tags,
        totals: Totals {
            seconds: aggregator.total.seconds,
            amount: aggregator.total.amount,
            entries: aggregator.total.entries,
        },
        groups,
    })
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

/// `GET reports/weekly?week=YYYY-MM-DD`: the week (the caller's week start) holding that day.
pub async fn weekly(ctx: &Ctx, actor: &Actor, org: OrganizationId, raw: &str) -> AppResult<Weekly> {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .filter(|(k, _)| !["from", "to", "group", "subgroup"].contains(&k.as_str()))
        .collect();
    let week = pairs
        .iter()
        .position(|(k, _)| k == "week")
        .map(|i| pairs.remove(i).1);
    let day = match week.as_deref() {
        None | Some("") => crate::domain::calendar::local_date(
            ctx.clock.now(),
            actor.user.time_zone.parse().unwrap_or(chrono_tz::UTC),
        ),
        Some(raw) => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| super::invalid("week", format!("'{raw}' is not a day (YYYY-MM-DD)")))?,
    };
    let first = crate::domain::calendar::week_start(day, actor.user.week_start);
    pairs.push(("from".into(), first.to_string()));
    pairs.push(("to".into(), (first + Duration::days(6)).to_string()));
    pairs.push(("group".into(), "user".into()));
    pairs.push(("subgroup".into(), "day".into()));
    let raw = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let report = summary(ctx, actor, org, &raw).await?;
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
    raw: &str,
) -> AppResult<Detailed> {
    let mut query = ReportQuery::parse(raw, actor, Some(GroupBy::Day))?;
    let mut check = super::Check::default();
    let mut limit = 100;
    let mut after = None;
    for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        match key.as_ref() {
            "limit" => {
                limit = check
                    .field(
                        "limit",
                        value
                            .parse::<i64>()
                            .ok()
                            .filter(|l| (1..=500).contains(l))
                            .ok_or_else(|| format!("is '{value}'; use 1 to 500")),
                    )
                    .unwrap_or(limit)
            }
            "cursor" => after = check.field("cursor", super::entries::list::decode_cursor(&value)),
            _ => {}
        }
    }
    check.finish()?;
    let mut tx = ctx.db.begin().await?;
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
        ..query.filter.clone()
    };
    let (rows, more) = entries::list(&mut tx.conn(), org, &filter).await?;
    let now = ctx.clock.now();
    let next_cursor = more
        .then(|| {
            rows.last()
                .map(|e| super::entries::list::encode_cursor(e.start, e.id.as_uuid()))
        })
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
