//! Local days in a time zone: where a day or a week starts, and what instant a wall-clock
//! time is (DST-aware). Reports, pages and imports all count days this way.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

pub fn local_date(instant: DateTime<Utc>, tz: Tz) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The instant a local day starts; on a day whose midnight is skipped by DST, the first valid
/// instant after it.
pub fn start_of_day(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_instant(day, NaiveTime::MIN, tz).unwrap_or_else(|| {
        (0..=180)
            .find_map(|m| local_instant(day, NaiveTime::MIN + Duration::minutes(m), tz))
            .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)))
    })
}

/// A local wall-clock time as an instant: `None` when DST skips it; the earlier one when a
/// time happens twice.
pub fn local_instant(day: NaiveDate, time: NaiveTime, tz: Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The first day of the week holding `day`, for a week starting on `week_start` (1 = Monday).
pub fn week_start(day: NaiveDate, week_start: i16) -> NaiveDate {
    let weekday = i64::from(day.weekday().number_from_monday());
    let back = (weekday - i64::from(week_start)).rem_euclid(7);
    day - Duration::days(back)
}

/// `[start, end)` cut at local midnights: the seconds on each local day it covers, in order.
pub fn seconds_per_local_day(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    tz: Tz,
) -> Vec<(NaiveDate, i64)> {
    let mut parts = Vec::new();
    let mut cursor = start;
    while cursor < end {
        let day = local_date(cursor, tz);
        let next = start_of_day(day + Duration::days(1), tz).min(end);
        parts.push((day, (next - cursor).num_seconds()));
        cursor = next;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_cut_at_local_midnights_with_dst_days_of_23_hours() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        // Sat 28 Mar 2026 22:00 local → Mon 30 Mar 01:00 local; Sunday has 23 hours
        let start = Utc.with_ymd_and_hms(2026, 3, 28, 21, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 3, 29, 23, 0, 0).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        assert_eq!(
            seconds_per_local_day(start, end, tz),
            vec![(day(28), 2 * 3600), (day(29), 23 * 3600), (day(30), 3600)]
        );
        assert!(seconds_per_local_day(end, start, tz).is_empty());
    }

    #[test]
    fn weeks_start_on_the_chosen_day() {
        let friday = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            week_start(friday, 1),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(
            week_start(friday, 7),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
        assert_eq!(week_start(friday, 5), friday);
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_at_the_first_valid_minute() {
        // Chile skips 00:00–01:00 when summer time starts
        let tz: Tz = "America/Santiago".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        let start = start_of_day(day, tz);
        assert_eq!(
            start.with_timezone(&tz).format("%H:%M").to_string(),
            "01:00"
        );
    }
}
