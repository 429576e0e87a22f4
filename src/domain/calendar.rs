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

#[cfg(test)]
mod tests {
    use super::*;

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
