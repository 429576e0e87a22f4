//! Which time entries a list, a report, an export or a rate recalculation is about, as typed
//! values: services take these, and only the HTTP edge reads them from query strings.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ids::{ClientId, ProjectId, TagId, TaskId, TimeEntryId, UserId};

/// The longest text search, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFilter {
    /// Entries starting at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Entries starting before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Changed at or after this instant, deleted ones included (sync).
    pub updated_since: Option<DateTime<Utc>>,
    /// Empty: everyone the caller may see.
    pub users: Vec<UserId>,
    pub projects: Vec<ProjectId>,
    pub clients: Vec<ClientId>,
    pub tasks: Vec<TaskId>,
    pub tags: Vec<TagId>,
    pub billable: Option<bool>,
    pub running: Option<bool>,
    /// Case-insensitive literal substring of the description.
    pub text: Option<String>,
}

impl EntryFilter {
    /// What is wrong with the filter as a whole: one `(field, message)` per problem.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to <= from
        {
            problems.push(("to", "must be after from".to_string()));
        }
        if self
            .text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS)
        {
            problems.push(("q", format!("must be at most {MAX_TEXT_CHARS} characters")));
        }
        if let Some(Err(problem)) = self.text.as_deref().map(super::text::check_nul_free) {
            problems.push(("q", problem));
        }
        problems
    }
}

/// Where the next page of a list starts: the (start, id) of the last entry shown. Clients get it
/// as an opaque token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub start: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn after(start: DateTime<Utc>, id: TimeEntryId) -> Self {
        Self {
            start,
            id: id.as_uuid(),
        }
    }

    pub fn token(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.start.timestamp_micros(), self.id))
    }

    pub fn parse(token: &str) -> Result<Self, String> {
        let bad = || "is not a cursor from a previous page".to_string();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?)
            .map_err(|_| bad())?;
        let (micros, id) = text.split_once(':').ok_or_else(bad)?;
        let start =
            DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?).ok_or_else(bad)?;
        Ok(Self {
            start,
            id: Uuid::parse_str(id).map_err(|_| bad())?,
        })
    }
}

/// A page of a list: which entries, in which order, how many, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub oldest_first: bool,
    pub limit: i64,
    pub after: Option<Cursor>,
}

impl Paging {
    pub const MAX_LIMIT: i64 = 500;
    pub const DEFAULT_LIMIT: i64 = 50;
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            oldest_first: false,
            limit: Self::DEFAULT_LIMIT,
            after: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_its_token_and_junk_is_refused() {
        let cursor = Cursor::after(
            DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(),
            TimeEntryId::new(),
        );
        assert_eq!(Cursor::parse(&cursor.token()), Ok(cursor));
        assert!(Cursor::parse("not-a-cursor").is_err());
    }

    #[test]
    fn a_filter_names_its_own_problems() {
        let now = Utc::now();
        let filter = EntryFilter {
            from: Some(now),
            to: Some(now),
            text: Some("x".repeat(201)),
            ..EntryFilter::default()
        };
        let fields: Vec<_> = filter.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["to", "q"]);
    }
}
