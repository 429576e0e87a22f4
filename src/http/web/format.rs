//! How pages write times: in the viewer's time zone, durations as `h:mm`, dates spelled out so
//! that 03/04 can never mean two days.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// `7:05` for 7 h 5 min; minutes are cut, not rounded, so totals never exceed what was tracked.
pub fn hours_minutes(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!("{}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// `7:05:09`, for a running timer.
pub fn hours_minutes_seconds(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// `Fri 27 Nov 2026`.
pub fn date(day: NaiveDate) -> String {
    day.format("%a %-d %b %Y").to_string()
}

/// `14:05` in the viewer's zone.
pub fn clock(instant: DateTime<Utc>, tz: Tz) -> String {
    instant.with_timezone(&tz).format("%H:%M").to_string()
}

/// `Fri 27 Nov 2026, 14:05`.
pub fn date_time(instant: DateTime<Utc>, tz: Tz) -> String {
    instant
        .with_timezone(&tz)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

pub use crate::domain::calendar::{local_date, local_instant, start_of_day, week_start};

/// Parses `h:mm`, `h`, `1.5`/`1,5` hours or `90m` into seconds.
pub fn parse_duration(raw: &str) -> Result<i64, String> {
    let text = raw.trim().to_lowercase();
    let bad =
        || format!("'{raw}' is not a duration; write it as h:mm (e.g. 1:30) or in hours (1.5)");
    if text.is_empty() {
        return Err("is required, e.g. 1:30".into());
    }
    let seconds = if let Some((h, m)) = text.split_once(':') {
        let hours: i64 = h.trim().parse().map_err(|_| bad())?;
        let minutes: i64 = m.trim().parse().map_err(|_| bad())?;
        if !(0..60).contains(&minutes) || hours < 0 {
            return Err(bad());
        }
        hours * 3600 + minutes * 60
    } else if let Some(m) = text.strip_suffix('m') {
        m.trim().parse::<i64>().map_err(|_| bad())? * 60
    } else {
        let hours: f64 = text
            .trim_end_matches('h')
            .replace(',', ".")
            .parse()
            .map_err(|_| bad())?;
        if !hours.is_finite() || hours < 0.0 {
            return Err(bad());
        }
        (hours * 3600.0).round() as i64
    };
    if seconds <= 0 {
        return Err("must be more than 0:00".into());
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_cut_to_the_minute() {
        assert_eq!(hours_minutes(0), "0:00");
        assert_eq!(hours_minutes(3599), "0:59");
        assert_eq!(hours_minutes(26 * 3600 + 5 * 60), "26:05");
        assert_eq!(hours_minutes_seconds(3661), "1:01:01");
    }

    #[test]
    fn durations_parse_in_the_usual_spellings() {
        assert_eq!(parse_duration("2:30"), Ok(9000));
        assert_eq!(parse_duration("1,5"), Ok(5400));
        assert_eq!(parse_duration("1.25h"), Ok(4500));
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert!(parse_duration("1:75").is_err());
        assert!(parse_duration("0:00").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
