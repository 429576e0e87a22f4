//! The summary report: totals of time, money and entries per group (and sub-group). Entries
//! stream from the database once; only the groups are kept in memory.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use uuid::Uuid;

use super::query::{GroupBy, ReportRequest};
use super::rounding::Rounding;
use crate::db::entries::ReportRow;
use crate::domain::calendar::{seconds_per_local_day, week_start};

/// What a group is about; labels are looked up once the totals are known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// No client, project, task or tag.
    Nothing,
    Id(Uuid),
    Day(NaiveDate),
    Flag(bool),
    Text(String),
}

#[derive(Debug, Default, Clone)]
pub struct Node {
    pub seconds: i64,
    pub amount: i64,
    pub entries: i64,
    /// The last entry counted here: an entry split into pieces counts once per group.
    last: Option<Uuid>,
    pub children: BTreeMap<Key, Node>,
}

impl Node {
    fn add(&mut self, entry: Uuid, seconds: i64, amount: i64) {
        self.seconds += seconds;
        self.amount += amount;
        if self.last != Some(entry) {
            self.last = Some(entry);
            self.entries += 1;
        }
    }

    /// Adds `entries` whole entries at once (none of them counted here before).
    fn add_sum(&mut self, seconds: i64, amount: i64, entries: i64) {
        self.seconds += seconds;
        self.amount += amount;
        self.entries += entries;
    }
}

/// One entry's share of a day: its (rounded) seconds and amount there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub day: NaiveDate,
    pub seconds: i64,
    pub amount: i64,
}

/// The amount of `seconds` at `rate` minor units per hour, half a minor unit rounding up.
pub fn amount(seconds: i64, rate: i64) -> i64 {
    (seconds * rate + 1800) / 3600
}

/// Splits `[start, end)` clipped to `[lo, hi)` at local midnights, rounds the whole entry once,
/// and shares the rounded time and the amount among the days in proportion to their raw time
/// (the remainder goes to the last day), so the days always add up to the entry.
pub fn pieces(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    (lo, hi): (DateTime<Utc>, DateTime<Utc>),
    tz: Tz,
    rounding: Rounding,
    rate: Option<i64>,
) -> Vec<Piece> {
    let (start, end) = (start.max(lo), end.min(hi));
    if end <= start {
        return Vec::new();
    }
    let raw = seconds_per_local_day(start, end, tz);
    let total: i64 = raw.iter().map(|(_, s)| s).sum();
    let rounded = rounding.apply(total);
    let money = rate.map_or(0, |r| amount(rounded, r));
    let mut pieces = Vec::with_capacity(raw.len());
    let (mut given_s, mut given_a) = (0, 0);
    for (i, (day, s)) in raw.iter().enumerate() {
        let last = i + 1 == raw.len();
        let (seconds, amount) = if last || total == 0 {
            (rounded - given_s, money - given_a)
        } else {
            (rounded * s / total, money * s / total)
        };
        given_s += seconds;
        given_a += amount;
        pieces.push(Piece {
            day: *day,
            seconds,
            amount,
        });
    }
    pieces
}

/// The key of a piece of `row` under `group`.
fn keys(group: GroupBy, row: &ReportRow, tags: &[Uuid], day: NaiveDate, week: i16) -> Vec<Key> {
    let id = |v: Option<Uuid>| v.map_or(Key::Nothing, Key::Id);
    match group {
        GroupBy::Client => vec![id(row.client_id)],
        GroupBy::Project => vec![id(row.project_id)],
        GroupBy::Task => vec![id(row.task_id)],
        GroupBy::User => vec![Key::Id(row.user_id)],
        GroupBy::Tag if tags.is_empty() => vec![Key::Nothing],
        GroupBy::Tag => tags.iter().map(|t| Key::Id(*t)).collect(),
        GroupBy::Day => vec![Key::Day(day)],
        GroupBy::Week => vec![Key::Day(week_start(day, week))],
        GroupBy::Month => vec![Key::Day(day.with_day(1).unwrap_or(day))],
        GroupBy::Year => vec![Key::Day(
            NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
        )],
        GroupBy::Billable => vec![Key::Flag(row.billable)],
        GroupBy::Description => vec![Key::Text(row.description.trim().to_string())],
    }
}

/// Accumulates rows into the group tree.
pub struct Aggregator<'q> {
    pub query: &'q ReportRequest,
    range: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    pub total: Node,
    pub groups: BTreeMap<Key, Node>,
    /// Ids seen, by kind, for looking up their names afterwards.
    pub seen: HashMap<GroupBy, HashSet<Uuid>>,
}

impl<'q> Aggregator<'q> {
    pub fn new(query: &'q ReportRequest, now: DateTime<Utc>) -> Self {
        Self {
            range: query.range(),
            query,
            now,
            total: Node::default(),
            groups: BTreeMap::new(),
            seen: HashMap::new(),
        }
    }

    pub fn add(&mut self, row: &ReportRow) {
        let q = self.query;
        let end = row.end_at.map_or(self.now, |t| t.0);
        let rate = row.billable.then_some(row.hourly_rate).flatten();
        let tags: Vec<Uuid> = row.tags().iter().map(|t| t.as_uuid()).collect();
        for piece in pieces(row.start_at.0, end, self.range, q.tz, q.rounding, rate) {
            self.total.add(row.id, piece.seconds, piece.amount);
            for key in keys(q.group, row, &tags, piece.day, q.week_start) {
                self.note(q.group, &key);
                let node = self.groups.entry(key).or_default();
                node.add(row.id, piece.seconds, piece.amount);
                if let Some(sub) = q.subgroup {
                    for sub_key in keys(sub, row, &tags, piece.day, q.week_start) {
                        if let Key::Id(id) = sub_key {
                            self.seen.entry(sub).or_default().insert(id);
                        }
                        node.children.entry(sub_key).or_default().add(
                            row.id,
                            piece.seconds,
                            piece.amount,
                        );
                    }
                }
            }
        }
    }

    /// Adds entries that lie wholly inside local day `day`, summed by the database (already
    /// rounded and priced one by one, as `pieces` does for an entry of one piece); `row` holds
    /// the attributes they share.
    pub fn add_sum(
        &mut self,
        row: &ReportRow,
        day: NaiveDate,
        (seconds, amount, entries): (i64, i64, i64),
    ) {
        let q = self.query;
        self.total.add_sum(seconds, amount, entries);
        for key in keys(q.group, row, &[], day, q.week_start) {
            self.note(q.group, &key);
            let node = self.groups.entry(key).or_default();
            node.add_sum(seconds, amount, entries);
            if let Some(sub) = q.subgroup {
                for sub_key in keys(sub, row, &[], day, q.week_start) {
                    if let Key::Id(id) = sub_key {
                        self.seen.entry(sub).or_default().insert(id);
                    }
                    node.children
                        .entry(sub_key)
                        .or_default()
                        .add_sum(seconds, amount, entries);
                }
            }
        }
    }

    fn note(&mut self, group: GroupBy, key: &Key) {
        if let Key::Id(id) = key {
            self.seen.entry(group).or_default().insert(*id);
        }
    }
}

/// A group of the summary as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Group {
    /// The id, day (YYYY-MM-DD, the first day of a week/month/year), `true`/`false`, the
    /// description, or null for "no client/project/task/tag".
    pub key: Option<String>,
    pub label: String,
    /// The project's colour (`#rrggbb`) when the group is a project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    pub seconds: i64,
    /// Minor units of the organization's currency.
    pub amount: i64,
    pub entries: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub subgroups: Vec<Group>,
}

/// A group's label and, for a project, its colour.
pub type Naming = (String, Option<String>);

/// Turns the tree into groups: periods in time order, everything else longest first. `name`
/// gives a group's label and colour.
pub fn to_groups(
    group: GroupBy,
    subgroup: Option<GroupBy>,
    nodes: BTreeMap<Key, Node>,
    name: &dyn Fn(GroupBy, &Key) -> Naming,
) -> Vec<Group> {
    let mut groups: Vec<Group> = nodes
        .into_iter()
        .map(|(key, node)| {
            let (label, color) = name(group, &key);
            Group {
                label,
                color,
                key: match &key {
                    Key::Nothing => None,
                    Key::Id(id) => Some(id.to_string()),
                    Key::Day(d) => Some(d.to_string()),
                    Key::Flag(b) => Some(b.to_string()),
                    Key::Text(t) => Some(t.clone()),
                },
                seconds: node.seconds,
                amount: node.amount,
                entries: node.entries,
                subgroups: match subgroup {
                    Some(sub) => to_groups(sub, None, node.children, name),
                    None => Vec::new(),
                },
            }
        })
        .collect();
    if !group.is_period() {
        groups.sort_by(|a, b| {
            b.seconds
                .cmp(&a.seconds)
                .then_with(|| a.label.cmp(&b.label))
        });
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::reports::rounding::Mode;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const WIDE: (&str, &str) = ("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z");

    fn wide() -> (DateTime<Utc>, DateTime<Utc>) {
        (t(WIDE.0), t(WIDE.1))
    }

    #[test]
    fn an_entry_across_midnight_counts_on_both_days() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 22:00–02:00 local in winter (UTC+1)
        let p = pieces(
            t("2026-01-14T21:00:00Z"),
            t("2026-01-15T01:00:00Z"),
            wide(),
            berlin,
            Rounding::NONE,
            Some(6000),
        );
        assert_eq!(
            p,
            vec![
                Piece {
                    day: d("2026-01-14"),
                    seconds: 7200,
                    amount: 12000
                },
                Piece {
                    day: d("2026-01-15"),
                    seconds: 7200,
                    amount: 12000
                },
            ]
        );
    }

    #[test]
    fn a_dst_day_has_23_or_25_hours() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let spring = pieces(
            t("2026-03-28T23:00:00Z"),
            t("2026-03-29T22:00:00Z"),
            wide(),
            berlin,
            Rounding::NONE,
            None,
        );
        assert_eq!(
            spring,
            vec![Piece {
                day: d("2026-03-29"),
                seconds: 23 * 3600,
                amount: 0
            }]
        );
        let autumn = pieces(
            t("2026-10-24T22:00:00Z"),
            t("2026-10-25T23:00:00Z"),
            wide(),
            berlin,
            Rounding::NONE,
            None,
        );
        assert_eq!(
            autumn,
            vec![Piece {
                day: d("2026-10-25"),
                seconds: 25 * 3600,
                amount: 0
            }]
        );
    }

    #[test]
    fn rounding_applies_to_the_entry_and_is_shared_out_without_loss() {
        let utc: Tz = "UTC".parse().unwrap();
        let up = Rounding {
            mode: Mode::Up,
            minutes: 15,
        };
        // 23:50–00:10: 20 minutes → 30 rounded, shared 10/10 raw → 15/15
        let p = pieces(
            t("2026-01-14T23:50:00Z"),
            t("2026-01-15T00:10:00Z"),
            wide(),
            utc,
            up,
            Some(10000),
        );
        assert_eq!(p.iter().map(|p| p.seconds).sum::<i64>(), 1800);
        assert_eq!(p.iter().map(|p| p.amount).sum::<i64>(), 5000);
        assert_eq!(p[0].seconds, 900);
        // rounding down never leaves a negative share
        let down = Rounding {
            mode: Mode::Down,
            minutes: 15,
        };
        let p = pieces(
            t("2026-01-14T23:43:20Z"),
            t("2026-01-15T00:01:40Z"),
            wide(),
            utc,
            down,
            None,
        );
        assert!(p.iter().all(|p| p.seconds >= 0), "{p:?}");
        assert_eq!(p.iter().map(|p| p.seconds).sum::<i64>(), 900);
    }

    #[test]
    fn entries_are_clipped_to_the_range() {
        let utc: Tz = "UTC".parse().unwrap();
        let range = (t("2026-01-15T00:00:00Z"), t("2026-01-16T00:00:00Z"));
        let p = pieces(
            t("2026-01-14T22:00:00Z"),
            t("2026-01-15T01:00:00Z"),
            range,
            utc,
            Rounding::NONE,
            None,
        );
        assert_eq!(
            p,
            vec![Piece {
                day: d("2026-01-15"),
                seconds: 3600,
                amount: 0
            }]
        );
        assert!(
            pieces(
                t("2026-01-14T22:00:00Z"),
                t("2026-01-14T23:00:00Z"),
                range,
                utc,
                Rounding::NONE,
                None
            )
            .is_empty()
        );
    }

    #[test]
    fn amounts_round_half_a_minor_unit_up() {
        assert_eq!(amount(3600, 8550), 8550);
        assert_eq!(amount(60, 100), 2); // 1.666… → 2
        assert_eq!(amount(18, 100), 1); // 0.5 → 1
        assert_eq!(amount(17, 100), 0);
    }
}
