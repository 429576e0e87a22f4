//! Times of day (`13:30`, `13:30:15`, `1:30 PM`), date-times with or without an offset, and local
//! times read in a time zone, DST-correct. May import `dates`.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

use super::dates::{DateOrder, parse_date, split_date};

/// What a start or end cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    /// It carried an offset (`Z`, `+01:00`): an exact instant.
    Instant(DateTime<FixedOffset>),
    /// A wall-clock date-time to read in the import's time zone.
    Local(NaiveDateTime),
    /// A time of day; the date comes from another column.
    Time(NaiveTime),
    /// A date without a time.
    Date(NaiveDate),
}

/// Reads a start or end cell.
pub(crate) fn parse_stamp(cell: &str, order: Option<DateOrder>) -> Result<Stamp, String> {
    let cell = cell.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(cell) {
        return Ok(Stamp::Instant(instant));
    }
    let Some((date_token, rest)) = split_date(cell) else {
        return parse_time(cell).map(Stamp::Time);
    };
    let date = parse_date(date_token, order)?;
    let rest = rest.trim_start_matches(['T', 't']).trim();
    if rest.is_empty() {
        return Ok(Stamp::Date(date));
    }
    let (clock, offset) = split_offset(rest)?;
    let time = parse_time(clock)?;
    let local = date.and_time(time);
    Ok(match offset {
        Some(offset) => Stamp::Instant(
            offset
                .from_local_datetime(&local)
                .single()
                .ok_or_else(|| format!("“{cell}” is not a valid date-time"))?,
        ),
        None => Stamp::Local(local),
    })
}

/// Splits a trailing `Z`, `UTC`, `+01:00` or `-0500` off a time.
fn split_offset(time: &str) -> Result<(&str, Option<FixedOffset>), String> {
    let upper = time.to_ascii_uppercase();
    for suffix in ["UTC", "GMT", "Z"] {
        if upper.ends_with(suffix) {
            let clock = time[..time.len() - suffix.len()].trim();
            return Ok((clock, FixedOffset::east_opt(0)));
        }
    }
    let Some(sign_at) = time.rfind(['+', '-']) else {
        return Ok((time, None));
    };
    let (clock, offset) = time.split_at(sign_at);
    let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("“{offset}” is not a UTC offset; expected +HH:MM"));
    }
    let hours: i32 = digits[..2].parse().map_err(|_| "bad offset".to_string())?;
    let minutes: i32 = digits[2..].parse().map_err(|_| "bad offset".to_string())?;
    let seconds = (hours * 60 + minutes) * 60 * if offset.starts_with('-') { -1 } else { 1 };
    let offset =
        FixedOffset::east_opt(seconds).ok_or_else(|| format!("“{offset}” is not a UTC offset"))?;
    Ok((clock.trim(), Some(offset)))
}

/// Reads `13:30`, `13:30:15`, `9:05`, `1:30 PM`, `1:30pm`, `12:00 a.m.`; fractions of a second
/// are dropped.
pub(crate) fn parse_time(cell: &str) -> Result<NaiveTime, String> {
    let raw = cell.trim();
    let lower = raw.to_ascii_lowercase().replace('.', "");
    let (clock, meridiem) = if let Some(clock) = lower.strip_suffix("am") {
        (clock.trim_end(), Some(false))
    } else if let Some(clock) = lower.strip_suffix("pm") {
        (clock.trim_end(), Some(true))
    } else {
        (raw, None)
    };
    let not_a_time =
        || format!("“{raw}” is not a time of day; expected 13:30, 13:30:15 or 1:30 PM");
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(not_a_time());
    }
    // Drop fractions of a second (`13:30:15.250` from a 24-hour clock).
    let seconds_part = parts.get(2).map(|s| s.split('.').next().unwrap_or(s));
    let number = |s: &str, max_len: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let hour = number(parts[0], 2).ok_or_else(not_a_time)?;
    let minute = number(parts[1], 2)
        .filter(|_| parts[1].len() == 2)
        .ok_or_else(not_a_time)?;
    let second = match seconds_part {
        Some(s) => number(s, 2)
            .filter(|_| s.len() == 2)
            .ok_or_else(not_a_time)?,
        None => 0,
    };
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        Some(_) => return Err(format!("“{raw}”: a 12-hour time runs from 1 to 12")),
        None => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(not_a_time)
}

/// A wall-clock time read in `tz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) instant: DateTime<Utc>,
    /// The time happened twice (clocks went back); this is the offset not chosen.
    pub(crate) other_offset: Option<FixedOffset>,
    pub(crate) offset: FixedOffset,
}

/// Reads a local time in `tz`. A time skipped when clocks go forward is an error; a time that
/// happens twice when clocks go back uses its first occurrence (the offset in force before the
/// change), and the caller warns.
pub(crate) fn resolve(local: NaiveDateTime, tz: Tz) -> Result<Resolved, String> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(Resolved {
            instant: t.with_timezone(&Utc),
            other_offset: None,
            offset: t.fixed_offset().timezone(),
        }),
        LocalResult::Ambiguous(a, b) => {
            let (first, second) = if a <= b { (a, b) } else { (b, a) };
            Ok(Resolved {
                instant: first.with_timezone(&Utc),
                other_offset: Some(second.fixed_offset().timezone()),
                offset: first.fixed_offset().timezone(),
            })
        }
        LocalResult::None => Err(format!(
            "{} does not exist in {} (the clocks skip it when daylight saving time starts)",
            local.format("%Y-%m-%d %H:%M:%S"),
            tz.name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hms(h: u32, m: u32, s: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, s).unwrap()
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn twelve_and_twenty_four_hour_times_are_read() {
        let cases = [
            ("13:30", hms(13, 30, 0)),
            ("13:30:15", hms(13, 30, 15)),
            ("9:05", hms(9, 5, 0)),
            ("09:05:07.250", hms(9, 5, 7)),
            ("1:30 PM", hms(13, 30, 0)),
            ("1:30pm", hms(13, 30, 0)),
            ("11:23:01 AM", hms(11, 23, 1)),
            ("12:00 AM", hms(0, 0, 0)),
            ("12:15 p.m.", hms(12, 15, 0)),
        ];
        for (cell, expected) in cases {
            assert_eq!(parse_time(cell), Ok(expected), "{cell}");
        }
    }

    #[test]
    fn malformed_times_are_refused() {
        for cell in [
            "25:00", "13:5", "0:30 PM", "13:30 PM", "noon", "1330", "12:60", "",
        ] {
            assert!(parse_time(cell).is_err(), "{cell}");
        }
    }

    #[test]
    fn cells_with_an_offset_are_exact_instants() {
        let instant = |s| match parse_stamp(s, None).unwrap() {
            Stamp::Instant(t) => t.with_timezone(&Utc).to_rfc3339(),
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(
            instant("2026-03-29T01:30:00+01:00"),
            "2026-03-29T00:30:00+00:00"
        );
        assert_eq!(instant("2024-03-04T09:23:52Z"), "2024-03-04T09:23:52+00:00");
        assert_eq!(
            instant("2024-03-04 09:23:52 +0200"),
            "2024-03-04T07:23:52+00:00"
        );
        assert_eq!(instant("2024-03-04 10:00 UTC"), "2024-03-04T10:00:00+00:00");
    }

    #[test]
    fn cells_without_an_offset_are_local_times_dates_or_clock_times() {
        assert_eq!(
            parse_stamp("2024-03-04 10:00:00", None),
            Ok(Stamp::Local(local("2024-03-04 10:00:00")))
        );
        assert_eq!(
            parse_stamp("03/14/2024 1:30 PM", None),
            Ok(Stamp::Local(local("2024-03-14 13:30:00")))
        );
        assert_eq!(
            parse_stamp("1:30 PM", None),
            Ok(Stamp::Time(hms(13, 30, 0)))
        );
        assert_eq!(
            parse_stamp("14.03.2024", None),
            Ok(Stamp::Date(NaiveDate::from_ymd_opt(2024, 3, 14).unwrap()))
        );
        assert!(parse_stamp("soon", None).is_err());
        assert!(parse_stamp("2024-03-04 10:00 +1", None).is_err());
    }

    #[test]
    fn a_local_time_in_the_spring_gap_does_not_exist() {
        let err = resolve(local("2026-03-29 02:30:00"), chrono_tz::Europe::Berlin).unwrap_err();
        assert!(err.contains("does not exist in Europe/Berlin"), "{err}");
    }

    #[test]
    fn a_local_time_in_the_autumn_overlap_uses_its_first_occurrence() {
        let resolved = resolve(local("2025-10-26 02:30:00"), chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(resolved.instant.to_rfc3339(), "2025-10-26T00:30:00+00:00");
        assert_eq!(resolved.offset.to_string(), "+02:00");
        assert_eq!(
            resolved.other_offset.map(|o| o.to_string()),
            Some("+01:00".into())
        );
    }

    #[test]
    fn an_ordinary_local_time_has_one_offset() {
        let resolved = resolve(local("2026-07-01 09:00:00"), chrono_tz::America::New_York).unwrap();
        assert_eq!(resolved.instant.to_rfc3339(), "2026-07-01T13:00:00+00:00");
        assert_eq!(resolved.other_offset, None);
    }
}
