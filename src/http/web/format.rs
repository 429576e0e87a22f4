//! How pages write times: in the viewer's time zone, durations as `h:mm`, dates spelled out so
//! that 03/04 can never mean two days.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

pub use crate::domain::duration::{entry_length, hours_minutes, hours_minutes_seconds};

/// `Fri 27 Nov 2026`.
pub fn date(day: NaiveDate) -> String {
    day.format("%a %-d %b %Y").to_string()
}

/// `14:05` in the viewer's zone.
pub fn clock(instant: DateTime<Utc>, tz: Tz) -> String {
    instant.with_timezone(&tz).format("%H:%M").to_string()
}

/// `14:05`, or `14:05:09` when the instant has seconds: what a time input must hold so that
/// saving it unchanged stores the same instant.
pub fn clock_exact(instant: DateTime<Utc>, tz: Tz) -> String {
    let local = instant.with_timezone(&tz);
    if local.second() == 0 {
        local.format("%H:%M").to_string()
    } else {
        local.format("%H:%M:%S").to_string()
    }
}

/// `+1 day`, `+2 days` for an end on a later local day than the start; empty on the same day.
pub fn later_day(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    match (local_date(end, tz) - local_date(start, tz)).num_days() {
        days if days <= 0 => String::new(),
        1 => "+1 day".into(),
        days => format!("+{days} days"),
    }
}

/// `Fri 27 Nov 2026, 14:05`.
pub fn date_time(instant: DateTime<Utc>, tz: Tz) -> String {
    instant
        .with_timezone(&tz)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

pub use crate::domain::calendar::{local_date, local_instant, start_of_day};

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
