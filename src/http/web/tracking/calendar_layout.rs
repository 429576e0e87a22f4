//! Where the calendar draws an entry: the entry cut at local midnights into one piece per day
//! it covers, each piece's minutes from that day's start, and side-by-side lanes for pieces
//! that overlap. Pure arithmetic, so the page and its tests agree on every pixel.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::super::format;

/// One entry's part of one day: minutes from the day's local start, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Which entry of the list given to `pieces` (its index).
    pub entry: usize,
    pub day: usize,
    pub start: i64,
    pub end: i64,
    /// The entry began on an earlier day / goes on into a later one.
    pub from_before: bool,
    pub goes_on: bool,
    pub lane: usize,
    pub lanes: usize,
}

/// The shortest piece drawn, so a five-minute entry is still a block one can see and point at.
const MIN_MINUTES: i64 = 10;

/// Cuts each `(start, end)` at the local midnights of `days` (consecutive, in order) and lays
/// each day's pieces out in lanes. Parts outside the days are left out.
pub fn pieces(spans: &[(DateTime<Utc>, DateTime<Utc>)], days: &[NaiveDate], tz: Tz) -> Vec<Piece> {
    let mut out = Vec::new();
    for (day_index, day) in days.iter().enumerate() {
        let midnight = format::start_of_day(*day, tz);
        let next = format::start_of_day(*day + Duration::days(1), tz);
        let length = (next - midnight).num_minutes();
        let mut today: Vec<Piece> = spans
            .iter()
            .enumerate()
            .filter(|(_, (start, end))| *start < next && *end > midnight)
            .map(|(entry, (start, end))| {
                let from = (*start.max(&midnight) - midnight).num_minutes();
                let to = (*end.min(&next) - midnight).num_minutes();
                let from = from.min(length - MIN_MINUTES);
                Piece {
                    entry,
                    day: day_index,
                    start: from,
                    end: to.max(from + MIN_MINUTES).min(length),
                    from_before: *start < midnight,
                    goes_on: *end > next,
                    lane: 0,
                    lanes: 1,
                }
            })
            .collect();
        today.sort_by_key(|p| (p.start, p.end));
        lay_out(&mut today);
        out.extend(today);
    }
    out
}

/// Gives each piece (sorted by start) the first lane free at its start; pieces that overlap,
/// directly or through others, share the width equally.
fn lay_out(day: &mut [Piece]) {
    let mut group_start = 0;
    let mut group_end = i64::MIN;
    let mut lane_ends: Vec<i64> = Vec::new();
    for i in 0..day.len() {
        if day[i].start >= group_end {
            close_group(&mut day[group_start..i], lane_ends.len());
            group_start = i;
            lane_ends.clear();
        }
        let lane = match lane_ends.iter().position(|end| *end <= day[i].start) {
            Some(free) => free,
            None => {
                lane_ends.push(i64::MIN);
                lane_ends.len() - 1
            }
        };
        lane_ends[lane] = day[i].end;
        day[i].lane = lane;
        group_end = group_end.max(day[i].end);
    }
    let lanes = lane_ends.len();
    close_group(&mut day[group_start..], lanes);
}

fn close_group(group: &mut [Piece], lanes: usize) {
    for piece in group {
        piece.lanes = lanes.max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn days() -> Vec<NaiveDate> {
        let first = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        (0..7).map(|i| first + Duration::days(i)).collect()
    }

    #[test]
    fn an_entry_is_placed_at_its_local_minutes() {
        // 09:15–10:45 in Berlin (UTC+1) on Tuesday
        let spans = [(at("2026-11-24T08:15:00Z"), at("2026-11-24T09:45:00Z"))];
        let got = pieces(&spans, &days(), chrono_tz::Europe::Berlin);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].day, got[0].start, got[0].end), (1, 555, 645));
        assert!(!got[0].from_before && !got[0].goes_on);
    }

    #[test]
    fn an_entry_past_midnight_is_cut_into_both_days() {
        let spans = [(at("2026-11-24T21:00:00Z"), at("2026-11-25T01:30:00Z"))];
        let got = pieces(&spans, &days(), chrono_tz::Europe::Berlin);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].day, got[0].start, got[0].end), (1, 22 * 60, 1440));
        assert!(got[0].goes_on);
        assert_eq!((got[1].day, got[1].start, got[1].end), (2, 0, 150));
        assert!(got[1].from_before);
    }

    #[test]
    fn overlapping_entries_share_the_width_and_others_keep_it() {
        let spans = [
            (at("2026-11-23T08:00:00Z"), at("2026-11-23T10:00:00Z")),
            (at("2026-11-23T09:00:00Z"), at("2026-11-23T09:30:00Z")),
            (at("2026-11-23T09:45:00Z"), at("2026-11-23T11:00:00Z")),
            (at("2026-11-23T12:00:00Z"), at("2026-11-23T13:00:00Z")),
        ];
        let got = pieces(&spans, &days(), chrono_tz::UTC);
        let lanes: Vec<(usize, usize, usize)> =
            got.iter().map(|p| (p.entry, p.lane, p.lanes)).collect();
        assert_eq!(lanes, vec![(0, 0, 2), (1, 1, 2), (2, 1, 2), (3, 0, 1)]);
    }

    #[test]
    fn a_very_short_entry_is_still_drawn_tall_enough_to_point_at() {
        let spans = [(at("2026-11-23T23:58:00Z"), at("2026-11-23T23:59:00Z"))];
        let got = pieces(&spans, &days(), chrono_tz::UTC);
        assert_eq!((got[0].start, got[0].end), (1430, 1440));
    }
}
