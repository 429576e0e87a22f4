//! The normalized time entry one CSV row becomes, and its fingerprint. May import `format`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::format::Format;

/// One imported time entry, whatever the source format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based line in the file where the row starts (the header is line 1).
    pub line: u64,
    pub start: DateTime<Utc>,
    /// Always after `start`; the duration is `end - start`.
    pub end: DateTime<Utc>,
    pub user_email: Option<String>,
    pub user_name: Option<String>,
    pub client: Option<String>,
    pub project: Option<String>,
    /// The project's colour (`#rrggbb`, lower-case) when the file gives a valid one.
    pub project_color: Option<String>,
    pub task: Option<String>,
    /// Empty when the source has none.
    pub description: String,
    /// In file order, without duplicates or empty names.
    pub tags: Vec<String>,
    pub billable: Option<bool>,
    /// Major units × 100 (`85.50` → `8550`).
    pub hourly_rate_minor: Option<i64>,
    /// Major units × 100, as the source computed it.
    pub amount_minor: Option<i64>,
    /// ISO 4217 code when the file names one (`Currency` column or a header like `Amount (USD)`).
    pub currency: Option<String>,
    /// Lowercase hex SHA-256 of the format and the key fields; see [`fingerprint`].
    pub fingerprint: String,
}

impl Record {
    pub fn duration_seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }
}

/// The fields that identify an entry for de-duplication.
pub(crate) struct Key<'a> {
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
    /// The user's email, else their name.
    pub(crate) user: Option<&'a str>,
    pub(crate) project: Option<&'a str>,
    pub(crate) task: Option<&'a str>,
    pub(crate) description: &'a str,
}

/// SHA-256 over a version tag, the format id and the normalized key fields, each length-prefixed
/// so no two field lists hash alike. Text is trimmed with inner whitespace runs collapsed; the user
/// is compared case-insensitively. `occurrence` tells apart identical rows whose start the source
/// did not give (Harvest): the second such row hashes with `#2`, and so on, which stays stable
/// when the same file, or a longer export of the same days, is imported again.
pub(crate) fn fingerprint(format: Format, key: &Key<'_>, occurrence: u32) -> String {
    let mut hasher = Sha256::new();
    let mut field = |value: &str| {
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value.as_bytes());
    };
    field("gogotime-import-v1");
    field(format.id());
    field(&key.start.to_rfc3339_opts(SecondsFormat::Secs, true));
    field(&key.end.to_rfc3339_opts(SecondsFormat::Secs, true));
    field(&squash(key.user.unwrap_or("")).to_lowercase());
    field(&squash(key.project.unwrap_or("")));
    field(&squash(key.task.unwrap_or("")));
    field(&squash(key.description));
    if occurrence > 1 {
        field(&format!("#{occurrence}"));
    }
    hex::encode(hasher.finalize())
}

/// Trims and turns every run of whitespace into one space.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(description: &'a str, user: Option<&'a str>) -> Key<'a> {
        Key {
            start: "2026-03-02T08:00:00Z".parse().unwrap(),
            end: "2026-03-02T09:30:00Z".parse().unwrap(),
            user,
            project: Some("Website"),
            task: None,
            description,
        }
    }

    #[test]
    fn the_fingerprint_is_stable_hex() {
        let a = fingerprint(Format::Toggl, &key("Design", Some("ann@example.com")), 1);
        let b = fingerprint(Format::Toggl, &key("Design", Some("ann@example.com")), 1);
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn whitespace_and_email_case_do_not_change_the_fingerprint() {
        assert_eq!(
            fingerprint(
                Format::Toggl,
                &key("Design  review", Some("Ann@Example.com")),
                1
            ),
            fingerprint(
                Format::Toggl,
                &key(" Design review ", Some("ann@example.com")),
                1
            ),
        );
    }

    #[test]
    fn format_fields_and_occurrence_change_the_fingerprint() {
        let base = fingerprint(Format::Toggl, &key("Design", None), 1);
        assert_ne!(base, fingerprint(Format::Clockify, &key("Design", None), 1));
        assert_ne!(base, fingerprint(Format::Toggl, &key("Design!", None), 1));
        assert_ne!(
            base,
            fingerprint(Format::Toggl, &key("Design", Some("ann")), 1)
        );
        assert_ne!(base, fingerprint(Format::Toggl, &key("Design", None), 2));
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let mut split_one = key("b", None);
        split_one.project = Some("a");
        let mut split_two = key("", None);
        split_two.project = Some("ab");
        assert_ne!(
            fingerprint(Format::Generic, &split_one, 1),
            fingerprint(Format::Generic, &split_two, 1)
        );
    }
}
