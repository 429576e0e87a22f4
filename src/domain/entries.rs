//! Time entries and their rules: half-open intervals, limits, rates. Pure functions; the
//! service applies them with what it read from the database.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::ids::{OrganizationId, ProjectId, TagId, TaskId, TimeEntryId, UserId};

pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// Entries outside these years are almost certainly typos (year 0, 9999, two-digit years).
pub const FIRST_YEAR: i32 = 1970;
pub const LAST_YEAR: i32 = 2200;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimeEntry {
    pub id: TimeEntryId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub project_id: Option<ProjectId>,
    pub task_id: Option<TaskId>,
    pub description: String,
    pub start: DateTime<Utc>,
    /// `None` while the timer runs.
    pub end: Option<DateTime<Utc>>,
    pub billable: bool,
    /// Minor units per hour, as resolved when the entry was saved.
    pub hourly_rate: Option<i64>,
    pub tags: Vec<TagId>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set on tombstones (deleted entries reported to sync clients).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
}

impl TimeEntry {
    /// An entry of a new organization and user, for unit tests of the rules over entries.
    #[cfg(test)]
    pub fn sample(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Self {
        Self {
            id: TimeEntryId::new(),
            organization_id: OrganizationId::new(),
            user_id: UserId::new(),
            project_id: None,
            task_id: None,
            description: String::new(),
            start,
            end,
            billable: false,
            hourly_rate: None,
            tags: Vec::new(),
            version: 1,
            created_at: start,
            updated_at: start,
            deleted_at: None,
        }
    }

    /// Whole seconds of `[start, end)`; for a running entry, up to `now`.
    pub fn duration_seconds(&self, now: DateTime<Utc>) -> i64 {
        (self.end.unwrap_or(now) - self.start).num_seconds().max(0)
    }

    pub fn is_running(&self) -> bool {
        self.end.is_none()
    }
}

/// Checks an instant given by a client.
pub fn check_instant(instant: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&instant.year()) {
        Ok(instant)
    } else {
        Err(format!(
            "{} is outside the years {FIRST_YEAR} to {LAST_YEAR}",
            instant.to_rfc3339()
        ))
    }
}

/// Checks `[start, end)`: end after start, no longer than the organization allows.
pub fn check_range(
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    max_hours: i32,
) -> Result<(), (&'static str, String)> {
    let Some(end) = end else { return Ok(()) };
    if end <= start {
        return Err(("end", "must be after the start".into()));
    }
    let hours = (end - start).num_seconds() as f64 / 3600.0;
    if hours > f64::from(max_hours) {
        return Err((
            "end",
            format!(
                "makes the entry {hours:.1} hours long; this organization allows at most {max_hours} hours per entry"
            ),
        ));
    }
    Ok(())
}

/// Whether `[a_start, a_end)` and `[b_start, b_end)` share any instant (open ends run forever).
pub fn overlaps(
    a_start: DateTime<Utc>,
    a_end: Option<DateTime<Utc>>,
    b_start: DateTime<Utc>,
    b_end: Option<DateTime<Utc>>,
) -> bool {
    a_end.is_none_or(|a_end| b_start < a_end) && b_end.is_none_or(|b_end| a_start < b_end)
}

/// Whether an entry starting at `start` falls in the locked period.
pub fn is_locked(start: DateTime<Utc>, lock_before: Option<NaiveDate>) -> bool {
    lock_before.is_some_and(|day| start.date_naive() < day)
}

pub fn check_description(raw: &str) -> Result<String, String> {
    super::text::check_nul_free(raw)?;
    let count = raw.chars().count();
    if count > MAX_DESCRIPTION_CHARS {
        Err(format!(
            "is {count} characters; at most {MAX_DESCRIPTION_CHARS} are allowed"
        ))
    } else {
        Ok(raw.trim().to_string())
    }
}

/// An hourly rate in minor units: not negative.
pub fn parse_rate(rate: Option<i64>) -> Result<Option<i64>, String> {
    match rate {
        Some(r) if r < 0 => Err("must not be negative".into()),
        Some(r) if r > 100_000_000_000 => Err("is implausibly large".into()),
        r => Ok(r),
    }
}

/// The rates that may apply to an entry, most specific first.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rates {
    pub project_member: Option<i64>,
    pub project: Option<i64>,
    pub member: Option<i64>,
    pub organization: Option<i64>,
}

impl Rates {
    /// project-member rate → project rate → member rate → organization default.
    pub fn resolve(&self) -> Option<i64> {
        self.project_member
            .or(self.project)
            .or(self.member)
            .or(self.organization)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn back_to_back_entries_do_not_overlap() {
        let (a, b, c) = (
            t("2026-03-01T09:00:00Z"),
            t("2026-03-01T10:00:00Z"),
            t("2026-03-01T11:00:00Z"),
        );
        assert!(!overlaps(a, Some(b), b, Some(c)));
        assert!(overlaps(a, Some(c), b, Some(c)));
        assert!(
            overlaps(a, None, b, Some(c)),
            "a running entry extends forever"
        );
        assert!(!overlaps(b, Some(c), a, Some(b)));
    }

    #[test]
    fn ranges_must_end_after_start_within_the_maximum() {
        let start = t("2026-03-01T09:00:00Z");
        assert!(check_range(start, Some(start), 24).is_err());
        assert!(check_range(start, Some(t("2026-03-01T08:00:00Z")), 24).is_err());
        assert!(check_range(start, Some(t("2026-03-02T09:00:00Z")), 24).is_ok());
        assert!(
            check_range(start, Some(t("2026-03-02T09:00:01Z")), 24)
                .unwrap_err()
                .1
                .contains("at most 24 hours")
        );
        assert!(check_range(start, None, 24).is_ok());
    }

    #[test]
    fn the_most_specific_rate_wins() {
        let rates = Rates {
            project_member: None,
            project: Some(9000),
            member: Some(8000),
            organization: Some(5000),
        };
        assert_eq!(rates.resolve(), Some(9000));
        assert_eq!(
            Rates {
                organization: Some(5000),
                ..Rates::default()
            }
            .resolve(),
            Some(5000)
        );
        assert_eq!(
            Rates {
                project_member: Some(1),
                project: Some(2),
                ..Rates::default()
            }
            .resolve(),
            Some(1)
        );
        assert_eq!(Rates::default().resolve(), None);
    }

    #[test]
    fn absurd_years_and_long_descriptions_are_refused() {
        assert!(check_instant(t("0001-01-01T00:00:00Z")).is_err());
        assert!(check_instant(t("9999-12-31T00:00:00Z")).is_err());
        assert!(check_instant(t("2026-01-01T00:00:00Z")).is_ok());
        assert!(check_description(&"x".repeat(5001)).is_err());
        assert!(is_locked(
            t("2026-02-28T23:59:59Z"),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        ));
        assert!(!is_locked(
            t("2026-03-01T00:00:00Z"),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        ));
    }
}
