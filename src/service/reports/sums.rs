//! The summary's fast path: the database rounds, prices and sums the entries that lie wholly
//! inside one local day (`db::reports::day_sums`), and only the others (across a local midnight,
//! on a day a DST change makes 23 or 25 hours long, reaching outside the report, running) are
//! split in Rust by `summary::pieces`. An entry of one piece is rounded and priced on its own
//! either way, so the totals are the same to the second and the minor unit; the day boundaries
//! come from `calendar::start_of_day`, as the pieces' do.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use super::query::{GroupBy, ReportRequest};
use super::rounding::{Mode, Rounding};
use super::summary::Aggregator;
use crate::db::entries::ReportRow;
use crate::db::reports::{self, Needs, Round, Run};
use crate::db::{DbResult, Tx};
use crate::domain::calendar::start_of_day;
use crate::domain::ids::OrganizationId;

/// Whether the database can sum for these groupings: not by tag (an entry counts under each of
/// its tags) nor by description (grouped by its trimmed text, trimmed as Rust trims).
pub fn applies(queries: &[ReportRequest]) -> bool {
    queries.iter().all(|q| {
        std::iter::once(q.group)
            .chain(q.subgroup)
            .all(|g| !matches!(g, GroupBy::Tag | GroupBy::Description))
    })
}

/// The report's days that are exactly 24 hours long, in runs of consecutive ones.
pub fn runs(request: &ReportRequest) -> Vec<Run> {
    let days = (request.to - request.from).num_days() + 1;
    let bounds: Vec<_> = (0..=days)
        .map(|k| start_of_day(request.from + Duration::days(k), request.tz))
        .collect();
    let mut runs: Vec<Run> = Vec::new();
    for (k, pair) in bounds.windows(2).enumerate() {
        if pair[1] - pair[0] != Duration::days(1) {
            continue;
        }
        match runs.last_mut() {
            Some(run) if run.end == pair[0] => run.end = pair[1],
            _ => runs.push(Run {
                start: pair[0],
                end: pair[1],
                first_day: k as i64,
            }),
        }
    }
    runs
}

/// `Rounding::apply` in the database's words.
pub fn round(rounding: Rounding) -> Round {
    let step = rounding.minutes * 60;
    match rounding.mode {
        Mode::None => Round::None,
        Mode::Up => Round::Up(step),
        Mode::Down => Round::Down(step),
        Mode::Nearest => Round::Nearest(step),
    }
}

fn needs(queries: &[ReportRequest]) -> Needs {
    let mut needs = Needs::default();
    for group in queries
        .iter()
        .flat_map(|q| std::iter::once(q.group).chain(q.subgroup))
    {
        match group {
            GroupBy::Client => needs.client = true,
            GroupBy::Project => needs.project = true,
            GroupBy::Task => needs.task = true,
            GroupBy::User => needs.user = true,
            GroupBy::Day | GroupBy::Week | GroupBy::Month | GroupBy::Year => needs.day = true,
            GroupBy::Billable | GroupBy::Tag | GroupBy::Description => {}
        }
    }
    needs
}

/// Feeds every entry of `query`'s report to `aggregators` (which all share its range, zone and
/// rounding): whole-day entries as sums, the others one by one.
pub async fn aggregate(
    tx: &mut Tx,
    org: OrganizationId,
    query: &ReportRequest,
    aggregators: &mut [Aggregator<'_>],
) -> DbResult<()> {
    let queries: Vec<ReportRequest> = aggregators.iter().map(|a| a.query.clone()).collect();
    let sums = reports::day_sums(
        &mut tx.conn(),
        org,
        &query.db_filter(),
        &runs(query),
        needs(&queries),
        round(query.rounding),
    )
    .await?;
    for sum in sums {
        let id = |v: Option<Uuid>| v.unwrap_or(Uuid::nil());
        let row = ReportRow {
            id: id(sum.split_id),
            user_id: id(sum.user_id),
            project_id: sum.project_id,
            task_id: sum.task_id,
            client_id: sum.client_id,
            description: String::new(),
            start_at: sum.split_start.unwrap_or(crate::db::Ts(query.range().0)),
            end_at: sum.split_end,
            billable: sum.billable,
            hourly_rate: sum.split_rate,
            tag_ids: None,
        };
        match sum.split_id {
            Some(_) => {
                for aggregator in aggregators.iter_mut() {
                    aggregator.add(&row);
                }
            }
            None => {
                let day: NaiveDate = query.from + Duration::days(sum.day.unwrap_or(0));
                for aggregator in aggregators.iter_mut() {
                    aggregator.add_sum(&row, day, (sum.seconds, sum.amount, sum.entries));
                }
            }
        }
    }
    Ok(())
}
