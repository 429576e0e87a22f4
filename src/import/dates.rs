//! Calendar dates: `YYYY-MM-DD`, `MM/DD/YYYY`, `DD/MM/YYYY`, `M/D/YY`, `DD.MM.YYYY`, and the
//! day/month order of slash dates decided from the whole file. May import nothing from the crate.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How to read `03/04/2026`: 3 April (day first) or March 4 (month first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `DD/MM/YYYY`
    DayFirst,
    /// `MM/DD/YYYY`
    MonthFirst,
}

impl fmt::Display for DateOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateOrder::DayFirst => "day_first",
            DateOrder::MonthFirst => "month_first",
        })
    }
}

impl FromStr for DateOrder {
    type Err = String;

    /// Accepts `day_first`/`dmy`/`DD/MM/YYYY` and `month_first`/`mdy`/`MM/DD/YYYY`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "dayfirst" | "dmy" | "ddmmyyyy" | "ddmmyy" => Ok(DateOrder::DayFirst),
            "monthfirst" | "mdy" | "mmddyyyy" | "mmddyy" => Ok(DateOrder::MonthFirst),
            _ => Err(format!(
                "unknown date order “{s}”; expected day_first (DD/MM/YYYY) or month_first (MM/DD/YYYY)"
            )),
        }
    }
}

/// A date's written shape, before the day/month order is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `YYYY-MM-DD` (also with `/` or `.`): no ambiguity.
    Ymd { year: i32, month: u32, day: u32 },
    /// `DD.MM.YYYY`: dots are day-first wherever they are used.
    Dotted { day: u32, month: u32, year: i32 },
    /// `a/b/yyyy` or `a-b-yy`: which part is the day depends on the order.
    Pair { first: u32, second: u32, year: i32 },
}

/// What one slash date says about the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Evidence {
    /// The first part is over 12.
    DayFirst,
    /// The second part is over 12.
    MonthFirst,
    /// Both parts could be the month, and they differ.
    Ambiguous,
    /// The order does not matter (ISO, dotted, equal parts) or the date is invalid anyway.
    None,
}

/// The date at the start of `cell` and what follows it (`2026-03-04T10:00` → `2026-03-04`,
/// `T10:00`), or `None` when the cell does not start with a date.
pub(crate) fn split_date(cell: &str) -> Option<(&str, &str)> {
    let cell = cell.trim();
    let end = cell
        .find(|c: char| c.is_whitespace() || c == 'T' || c == 't')
        .unwrap_or(cell.len());
    let (token, rest) = cell.split_at(end);
    shape(token).map(|_| (token, rest))
}

/// The shape of a date token, or `None` when it is not three numbers joined by one of `-/.`.
pub(crate) fn shape(token: &str) -> Option<Shape> {
    let separator = token.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = token.split(separator).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let number = |i: usize| parts[i].parse::<u32>().ok();
    let (a, b, c) = (number(0)?, number(1)?, number(2)?);
    if parts[0].len() == 4 {
        return Some(Shape::Ymd {
            year: i32::try_from(a).ok()?,
            month: b,
            day: c,
        });
    }
    let year = match parts[2].len() {
        4 => i32::try_from(c).ok()?,
        // `M/D/YY`: two-digit years are this century's.
        2 => 2000 + i32::try_from(c).ok()?,
        _ => return None,
    };
    if parts[0].len() > 2 || parts[1].len() > 2 {
        return None;
    }
    Some(if separator == '.' {
        Shape::Dotted {
            day: a,
            month: b,
            year,
        }
    } else {
        Shape::Pair {
            first: a,
            second: b,
            year,
        }
    })
}

pub(crate) fn evidence(shape: Shape) -> Evidence {
    match shape {
        Shape::Pair { first, second, .. } => match (first > 12, second > 12) {
            (true, false) => Evidence::DayFirst,
            (false, true) => Evidence::MonthFirst,
            (false, false) if first != second => Evidence::Ambiguous,
            _ => Evidence::None,
        },
        Shape::Ymd { .. } | Shape::Dotted { .. } => Evidence::None,
    }
}

/// Reads a date token. `order` is needed only for slash dates whose parts are both 12 or less.
pub(crate) fn parse_date(token: &str, order: Option<DateOrder>) -> Result<NaiveDate, String> {
    let token = token.trim();
    let Some(shape) = shape(token) else {
        return Err(format!(
            "“{token}” is not a date; expected YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY or DD.MM.YYYY"
        ));
    };
    let (year, month, day) = match shape {
        Shape::Ymd { year, month, day } => (year, month, day),
        Shape::Dotted { day, month, year } => (year, month, day),
        Shape::Pair {
            first,
            second,
            year,
        } => {
            let order = order.or(match evidence(shape) {
                Evidence::DayFirst => Some(DateOrder::DayFirst),
                Evidence::MonthFirst | Evidence::None => Some(DateOrder::MonthFirst),
                Evidence::Ambiguous => None,
            });
            match order {
                Some(DateOrder::DayFirst) => (year, second, first),
                Some(DateOrder::MonthFirst) => (year, first, second),
                None => {
                    return Err(format!(
                        "“{token}” could be day/month or month/day; choose the date order"
                    ));
                }
            }
        }
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| match (shape, order) {
        (Shape::Pair { .. }, Some(order)) => {
            format!(
                "“{token}” is not a real date when read as {}",
                order.pattern()
            )
        }
        _ => format!("“{token}” is not a real date"),
    })
}

impl DateOrder {
    /// `DD/MM/YYYY` or `MM/DD/YYYY`, for messages.
    pub fn pattern(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "DD/MM/YYYY",
            DateOrder::MonthFirst => "MM/DD/YYYY",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn each_written_form_reads_as_the_same_day() {
        let cases = [
            ("2026-03-14", None),
            ("2026/03/14", None),
            ("03/14/2026", None),
            ("14/03/2026", None),
            ("3/14/26", None),
            ("14.03.2026", None),
            ("14-03-2026", None),
            ("03/14/2026", Some(DateOrder::MonthFirst)),
            ("14/03/26", Some(DateOrder::DayFirst)),
        ];
        for (token, order) in cases {
            assert_eq!(parse_date(token, order), Ok(date(2026, 3, 14)), "{token}");
        }
    }

    #[test]
    fn an_ambiguous_slash_date_needs_an_order() {
        assert!(
            parse_date("03/04/2026", None)
                .unwrap_err()
                .contains("date order")
        );
        assert_eq!(
            parse_date("03/04/2026", Some(DateOrder::DayFirst)),
            Ok(date(2026, 4, 3))
        );
        assert_eq!(
            parse_date("03/04/2026", Some(DateOrder::MonthFirst)),
            Ok(date(2026, 3, 4))
        );
        assert_eq!(parse_date("04/04/2026", None), Ok(date(2026, 4, 4)));
    }

    #[test]
    fn impossible_dates_are_refused_with_the_reading_used() {
        let cases = [
            ("2026-02-30", None, "not a real date"),
            ("13/15/2024", None, "not a real date"),
            ("25/03/2026", Some(DateOrder::MonthFirst), "MM/DD/YYYY"),
            ("March 3", None, "is not a date"),
            ("2026-3", None, "is not a date"),
            ("", None, "is not a date"),
        ];
        for (token, order, message) in cases {
            let err = parse_date(token, order).unwrap_err();
            assert!(err.contains(message), "{token}: {err}");
        }
    }

    #[test]
    fn slash_dates_tell_their_order_only_when_a_part_exceeds_twelve() {
        let of = |t: &str| evidence(shape(t).unwrap());
        assert_eq!(of("25/03/2026"), Evidence::DayFirst);
        assert_eq!(of("03/25/2026"), Evidence::MonthFirst);
        assert_eq!(of("03/04/2026"), Evidence::Ambiguous);
        assert_eq!(of("04/04/2026"), Evidence::None);
        assert_eq!(of("13/15/2026"), Evidence::None);
        assert_eq!(of("25.03.2026"), Evidence::None);
        assert_eq!(of("2026-03-04"), Evidence::None);
    }

    #[test]
    fn a_date_is_split_from_the_time_after_it() {
        assert_eq!(
            split_date("2026-03-04T10:00:00+01:00"),
            Some(("2026-03-04", "T10:00:00+01:00"))
        );
        assert_eq!(
            split_date("03/04/2026 1:30 PM"),
            Some(("03/04/2026", " 1:30 PM"))
        );
        assert_eq!(split_date("14.03.2026"), Some(("14.03.2026", "")));
        assert_eq!(split_date("10:23 AM"), None);
    }

    #[test]
    fn date_orders_parse_from_common_spellings() {
        for s in ["day_first", "DMY", "DD/MM/YYYY", "day-first"] {
            assert_eq!(s.parse(), Ok(DateOrder::DayFirst), "{s}");
        }
        for s in ["month_first", "mdy", "MM/DD/YYYY"] {
            assert_eq!(s.parse(), Ok(DateOrder::MonthFirst), "{s}");
        }
        assert!("ymd".parse::<DateOrder>().is_err());
    }
}
