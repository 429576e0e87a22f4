//! Clients, projects, tasks and tags: what time is tracked on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{ClientId, OrganizationId, ProjectId, TagId, TaskId, UserId};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Client {
    pub id: ClientId,
    pub organization_id: OrganizationId,
    pub name: String,
    pub notes: String,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Every member of the organization.
    Public,
    /// Listed project members, plus managers and above.
    Private,
}

impl Visibility {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "public" => Ok(Self::Public),
            "private" => Ok(Self::Private),
            _ => Err(format!(
                "'{raw}' is not a visibility; use public or private"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: ProjectId,
    pub organization_id: OrganizationId,
    pub client_id: Option<ClientId>,
    pub name: String,
    pub color: String,
    pub billable_default: bool,
    pub archived: bool,
    pub visibility: Visibility,
    pub estimate_seconds: Option<i64>,
    /// Minor units of the organization's currency.
    pub budget: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectMember {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: TaskId,
    pub project_id: ProjectId,
    pub name: String,
    pub done: bool,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tag {
    pub id: TagId,
    pub organization_id: OrganizationId,
    pub name: String,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A catalog name: trimmed, 1 to 200 characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, String> {
    super::profile::parse_name(raw)
}

/// The form used for uniqueness: names differing only in letter case are the same name.
pub fn normalize(name: &str) -> String {
    name.trim().to_lowercase()
}

/// `#rrggbb`, stored lower-case.
pub fn parse_color(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let hex = raw.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(format!("#{}", hex.to_ascii_lowercase()))
    } else {
        Err(format!("'{raw}' is not a colour like #3b82f6"))
    }
}

/// Notes: at most 5000 characters.
pub fn parse_notes(raw: &str) -> Result<String, String> {
    super::text::check_nul_free(raw)?;
    if raw.chars().count() > 5000 {
        Err("must be at most 5000 characters".into())
    } else {
        Ok(raw.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_names_are_checked() {
        assert_eq!(parse_color("#3B82F6"), Ok("#3b82f6".into()));
        assert!(parse_color("blue").is_err());
        assert!(parse_color("#12345").is_err());
        assert_eq!(normalize("  Acme GmbH "), "acme gmbh");
        assert!(parse_notes(&"x".repeat(5001)).is_err());
        assert_eq!(Visibility::parse("private"), Ok(Visibility::Private));
        assert!(Visibility::parse("secret").is_err());
    }
}
