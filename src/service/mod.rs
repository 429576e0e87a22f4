//! Use cases shared by the web UI and the API: authorization, validation and transactions.
//! Handlers translate requests into these calls and render what they return; a rule that the
//! API and a page could both need belongs here, not in a handler.

pub mod access;
pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod email_verifications;
pub mod entries;
pub mod exports;
pub mod imports;
pub mod instance_stats;
pub mod invitations;
pub mod links;
pub mod mail;
pub mod members;
pub mod organizations;
pub mod passkeys;
pub mod password_resets;
pub mod passwords;
pub mod rates;
pub mod reports;
pub mod secrets;
pub mod sessions;
pub mod sso;
pub mod two_factor;

use std::collections::BTreeMap;
use std::sync::Arc;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

use crate::clock::SharedClock;
use crate::config::{Config, Registration};
use crate::db::Db;
use crate::domain::account::User;
use crate::domain::ids::{OrganizationId, UserId};
use crate::error::{AppError, FieldErrors};
use crate::metrics::product::ProductMetrics;

/// What every use case may reach.
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub clock: SharedClock,
    pub settings: Arc<Settings>,
    /// Product activity counters (entries created, sign-ins, imports, exports).
    pub metrics: Arc<ProductMetrics>,
    /// Wakes this instance's email worker after a message was queued.
    pub mail_wake: Arc<mail::Wake>,
    /// Talks to organizations' OpenID providers (single sign-on), caching their keys.
    pub oidc: Arc<crate::oidc::Client>,
}

/// The configuration values use cases need, taken once from `Config`.
pub struct Settings {
    pub jwt_secret: SecretString,
    /// Without a trailing slash; also the `iss` our access tokens carry and require.
    pub public_url: String,
    /// Links people follow come from the request's host (development without a public URL):
    /// see `links::base`.
    pub links_follow_host: bool,
    pub registration: Registration,
    pub secure_cookies: bool,
    /// An SMTP server is configured: invitations and password resets are sent by email.
    pub email: bool,
    /// The operator's instance-wide OpenID provider, if any (`GOGOTIME_SSO_*`).
    pub instance_sso: Option<crate::config::InstanceSsoConfig>,
}

impl Settings {
    pub fn from_config(config: &Config) -> Self {
        Settings {
            jwt_secret: config.jwt_secret.clone(),
            public_url: config
                .http
                .public_url
                .as_str()
                .trim_end_matches('/')
                .to_string(),
            links_follow_host: config.http.links_follow_host,
            registration: config.registration,
            secure_cookies: !config.environment.is_development(),
            email: config.mail.is_some(),
            instance_sso: config.sso.clone(),
        }
    }
}

/// Who is acting, and from where (for the audit log and rate limits).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub ip: String,
    /// How the caller came in: an organization that disabled password sign-in asks.
    pub came_in: CameIn,
}

/// How a caller was authenticated, as far as an organization that lets its members in only
/// through its single sign-on cares (`access::check_member`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameIn {
    /// A browser session opened by a password (and second factor), or a JWT access token from
    /// the token endpoint (a password too).
    Password,
    /// A browser session opened by this organization's single sign-on.
    SingleSignOn(OrganizationId),
    /// A personal API token (the documented route for automation), or what a member handed
    /// out themselves (a shared report link), or the operator's CLI: not a sign-in.
    Token,
}

impl CameIn {
    /// Whether a caller who came in this way may reach `org`, which lets its members in only
    /// through its single sign-on.
    pub fn passes_sso_requirement(self, org: OrganizationId) -> bool {
        match self {
            CameIn::Password => false,
            CameIn::SingleSignOn(through) => through == org,
            CameIn::Token => true,
        }
    }
}

/// What an organization-scoped use case needs to know of its caller: who, and from where.
///
/// Use cases that take `&impl Acting` start with `access::require_member`, whose one statement
/// also checks that the account exists and is enabled. That lets a caller holding a JWT access
/// token (signature and expiry checked in memory) reach them without a round trip of its own,
/// while a disabled account still loses access at once.
pub trait Acting: Sync {
    fn user_id(&self) -> UserId;
    fn ip(&self) -> &str;
    fn came_in(&self) -> CameIn;
}

impl Acting for Actor {
    fn user_id(&self) -> UserId {
        self.user.id
    }
    fn ip(&self) -> &str {
        &self.ip
    }
    fn came_in(&self) -> CameIn {
        self.came_in
    }
}

/// A caller of the hot API paths: an account already loaded (session, API token), or the user
/// named by a verified access token, whose account the membership check looks at.
#[derive(Debug, Clone)]
pub enum Caller {
    Account(Actor),
    AccessToken { user: UserId, ip: String },
}

impl Acting for Caller {
    fn user_id(&self) -> UserId {
        match self {
            Caller::Account(actor) => actor.user.id,
            Caller::AccessToken { user, .. } => *user,
        }
    }
    fn ip(&self) -> &str {
        match self {
            Caller::Account(actor) => &actor.ip,
            Caller::AccessToken { ip, .. } => ip,
        }
    }
    fn came_in(&self) -> CameIn {
        match self {
            Caller::Account(actor) => actor.came_in,
            // minted by the token endpoint for a password
            Caller::AccessToken { .. } => CameIn::Password,
        }
    }
}

/// Collects field errors; `finish` turns them into one `Validation` error.
#[derive(Default)]
pub struct Check(FieldErrors);

impl Check {
    /// Records the error of `result` under `field` and passes the value on.
    pub fn field<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.entry(field.to_string()).or_default().push(message);
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let fields: Vec<&str> = self.0.keys().map(String::as_str).collect();
        Err(AppError::Validation {
            message: format!("Please correct: {}.", fields.join(", ")),
            fields: self.0,
        })
    }
}

/// A single-field validation error.
pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
    let mut fields = BTreeMap::new();
    fields.insert(field.to_string(), vec![message.into()]);
    AppError::Validation {
        message: format!("Please correct: {field}."),
        fields,
    }
}

/// A conflict on one field (e.g. a taken email), answered 409 with the field named.
pub fn conflict(field: &str, message: &str) -> AppError {
    AppError::Conflict(format!("{field}: {message}"))
}

/// Serialises timer changes of one person in one organization until the transaction ends, so
/// concurrent "start" requests run one after the other (the unique index is the backstop).
pub(crate) async fn locks_timer(
    tx: &mut crate::db::Tx,
    org: crate::domain::ids::OrganizationId,
    user: crate::domain::ids::UserId,
) -> Result<(), AppError> {
    crate::db::locks::lock(&mut tx.conn(), &format!("timer:{org}:{user}")).await?;
    Ok(())
}

/// For PATCH bodies: absent → `None`, `null` → `Some(None)`, value → `Some(Some(v))`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_organizations_single_sign_on_or_a_token_passes_its_requirement() {
        let org = OrganizationId::new();
        let other = OrganizationId::new();
        assert!(CameIn::SingleSignOn(org).passes_sso_requirement(org));
        assert!(CameIn::Token.passes_sso_requirement(org));
        assert!(!CameIn::SingleSignOn(other).passes_sso_requirement(org));
        assert!(!CameIn::Password.passes_sso_requirement(org));
    }
}
