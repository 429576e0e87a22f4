//! Accounts and organizations as the rest of the program sees them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ids::{ApiTokenId, AuditEntryId, InvitationId, OrganizationId, SessionId, UserId};
use super::role::Role;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub time_zone: String,
    /// 1 = Monday … 7 = Sunday.
    pub week_start: i16,
    pub is_instance_admin: bool,
    pub disabled: bool,
    /// The owner proved `email` is theirs by following a link sent to it (accounts made by the
    /// operator, or before email verification existed, count as proven).
    pub email_verified: bool,
    /// A new address waiting for its link to be followed; `email` stays in use until then.
    pub pending_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// The person's time zone. Stored names were checked when set (`profile::parse_time_zone`);
    /// one the zone database no longer knows reads as UTC rather than failing every page.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub currency: String,
    /// Minor units per hour; the last step of the rate hierarchy.
    pub default_rate: Option<i64>,
    /// When false, a person's entries may not overlap.
    pub allow_overlap: bool,
    /// Entries starting before this day (UTC) are locked except for owners and admins.
    pub lock_before: Option<chrono::NaiveDate>,
    pub max_entry_hours: i32,
    /// Entries longer than this are unusual: the pages ask before saving one.
    pub usual_day_hours: i32,
    /// Members must sign in with a second factor: one without it is sent to set it up before
    /// reaching the organization's data.
    pub require_two_factor: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An organization seen by one of its members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyOrganization {
    #[serde(flatten)]
    pub organization: Organization,
    pub role: Role,
    /// The organization requires two-factor sign-in and this member has not set it up.
    #[serde(skip)]
    pub two_factor_missing: bool,
    /// The provider's name, when the organization lets this member in only through its single
    /// sign-on (whether the caller came that way is `service::access`'s question).
    #[serde(skip)]
    pub sso_required_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: InvitationId,
    pub organization_id: OrganizationId,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<UserId>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Session {
    pub id: SessionId,
    pub user_agent: String,
    pub ip: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub actor_user_id: Option<UserId>,
    pub action: String,
    pub target_user_id: Option<UserId>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub ip: String,
    pub created_at: DateTime<Utc>,
}

/// A security event of one account (password, email, two-factor, sign-in), recorded whether or
/// not its owner belongs to an organization.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SecurityEvent {
    pub id: AuditEntryId,
    pub action: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub ip: String,
    pub created_at: DateTime<Utc>,
}
