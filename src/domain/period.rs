//! The named date ranges a report can be asked for ("This week", "Last month", …), as people
//! count them: in their own time zone, with weeks starting on their chosen day.

use chrono::{Datelike, Duration, NaiveDate};

use super::calendar::week_start;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Today,
    Yesterday,
    ThisWeek,
    LastWeek,
    ThisMonth,
    LastMonth,
    ThisYear,
}

impl Period {
    /// In the order a person scans them: nearest first.
    pub const ALL: [Period; 7] = [
        Period::Today,
        Period::Yesterday,
        Period::ThisWeek,
        Period::LastWeek,
        Period::ThisMonth,
        Period::LastMonth,
        Period::ThisYear,
    ];

    /// What a report shows when nobody chose a range.
    pub const DEFAULT: Period = Period::ThisWeek;

    pub fn label(self) -> &'static str {
        match self {
            Period::Today => "Today",
            Period::Yesterday => "Yesterday",
            Period::ThisWeek => "This week",
            Period::LastWeek => "Last week",
            Period::ThisMonth => "This month",
            Period::LastMonth => "Last month",
            Period::ThisYear => "This year",
        }
    }

    /// The first and last day (both included) of the period around `today`, for weeks that start
    /// on `first_weekday` (1 = Monday … 7 = Sunday).
    pub fn range(self, today: NaiveDate, first_weekday: i16) -> (NaiveDate, NaiveDate) {
        let this_week = week_start(today, first_weekday);
        let this_month = first_of_month(today);
        match self {
            Period::Today => (today, today),
            Period::Yesterday => {
                let day = today - Duration::days(1);
                (day, day)
            }
            Period::ThisWeek => (this_week, this_week + Duration::days(6)),
            Period::LastWeek => {
                let start = this_week - Duration::days(7);
                (start, start + Duration::days(6))
            }
            Period::ThisMonth => (this_month, last_of_month(this_month)),
            Period::LastMonth => {
                let start = first_of_month(this_month - Duration::days(1));
                (start, last_of_month(start))
            }
            Period::ThisYear => (
                NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
                NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
            ),
        }
    }
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn last_of_month(first: NaiveDate) -> NaiveDate {
    // the 28th plus four days is always in the next month
    first_of_month(first + Duration::days(31)) - Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn range(period: Period, today: &str, first_weekday: i16) -> (String, String) {
        let (from, to) = period.range(day(today), first_weekday);
        (from.to_string(), to.to_string())
    }

    fn pair(from: &str, to: &str) -> (String, String) {
        (from.to_string(), to.to_string())
    }

    #[test]
    fn days_and_weeks_follow_the_chosen_first_weekday() {
        // Wednesday 2 December 2026
        assert_eq!(
            range(Period::Today, "2026-12-02", 1),
            pair("2026-12-02", "2026-12-02")
        );
        assert_eq!(
            range(Period::Yesterday, "2026-12-01", 1),
            pair("2026-11-30", "2026-11-30")
        );
        assert_eq!(
            range(Period::ThisWeek, "2026-12-02", 1),
            pair("2026-11-30", "2026-12-06")
        );
        assert_eq!(
            range(Period::ThisWeek, "2026-12-02", 7),
            pair("2026-11-29", "2026-12-05")
        );
        assert_eq!(
            range(Period::LastWeek, "2026-12-02", 1),
            pair("2026-11-23", "2026-11-29")
        );
        // on the first day of a week, "this week" starts today
        assert_eq!(
            range(Period::ThisWeek, "2026-11-30", 1),
            pair("2026-11-30", "2026-12-06")
        );
        assert_eq!(
            range(Period::LastWeek, "2026-11-29", 7),
            pair("2026-11-22", "2026-11-28")
        );
    }

    #[test]
    fn months_and_years_have_their_real_lengths() {
        assert_eq!(
            range(Period::ThisMonth, "2028-02-15", 1),
            pair("2028-02-01", "2028-02-29")
        );
        assert_eq!(
            range(Period::ThisMonth, "2026-02-28", 1),
            pair("2026-02-01", "2026-02-28")
        );
        assert_eq!(
            range(Period::LastMonth, "2026-03-31", 1),
            pair("2026-02-01", "2026-02-28")
        );
        assert_eq!(
            range(Period::LastMonth, "2027-01-01", 1),
            pair("2026-12-01", "2026-12-31")
        );
        assert_eq!(
            range(Period::ThisMonth, "2026-12-31", 1),
            pair("2026-12-01", "2026-12-31")
        );
        assert_eq!(
            range(Period::ThisYear, "2026-12-02", 1),
            pair("2026-01-01", "2026-12-31")
        );
    }
}
