//! Single sign-on with OpenID Connect (issue 18), through an organization's provider or the
//! instance's (`Scope`): the organization's provider settings (`settings`; the instance's come
//! from the operator's environment), signing in through either (`sign_in`), linking a provider
//! identity to an existing account once its password is proven (`link`), and the identities on
//! the account page (`identities`). The protocol itself (discovery, tokens, signatures) is
//! `crate::oidc`.

pub mod identities;
pub mod link;
pub mod settings;
pub mod sign_in;

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;

use super::audit;
use crate::db::{DbError, Ts, Tx, organizations};
use crate::domain::account::User;
use crate::domain::ids::{OrganizationId, UserId};
use crate::domain::role::Role;
use crate::domain::sso::Scope;
use crate::domain::sso_roles::RolePolicy;
use crate::error::{AppError, AppResult};

/// A sign-in sent to the provider must come back within this time.
pub const LOGIN_MINUTES: i64 = 10;
/// Time to type the existing account's password when linking.
pub const LINK_MINUTES: i64 = 10;
/// Wrong passwords a pending link takes before it ends (the sign-in limiter counts them too).
pub const LINK_ATTEMPTS: i64 = 5;

/// The password hash of an account made by single sign-on: no password verifies against it
/// (it is not a PHC string), until the person sets one with a password reset.
pub(crate) const NO_PASSWORD: &str = "!sso";

/// Whether an account has a password it can sign in with.
pub(crate) fn has_password(hash: &str) -> bool {
    hash.starts_with('$')
}

/// Why a sign-in did not go through: refused, with a message for the person, or failed.
enum Refusal {
    Refused(String),
    Error(AppError),
}

impl From<&str> for Refusal {
    fn from(message: &str) -> Self {
        Refusal::Refused(message.to_string())
    }
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Refusal::Error(e)
    }
}

impl From<DbError> for Refusal {
    fn from(e: DbError) -> Self {
        Refusal::Error(e.into())
    }
}

/// The provider a sign-in goes through, whatever its scope, secret included: only the sign-in
/// flow reads it.
struct Provider {
    display_name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    /// Lowercase domains.
    allowed_domains: Vec<String>,
    groups_claim: String,
    /// The instance's provider maps no roles: it makes no one a member of anything.
    roles: RolePolicy,
}

/// The organization's provider from its settings, or the instance's from the operator's
/// configuration; `None` when there is none.
async fn provider_of(ctx: &super::Ctx, scope: Scope) -> AppResult<Option<Provider>> {
    match scope {
        Scope::Instance => Ok(ctx.settings.instance_sso.as_ref().map(|c| Provider {
            display_name: c.display_name.clone(),
            issuer: c.issuer.clone(),
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.expose_secret().to_string(),
            allowed_domains: c.allowed_domains.clone(),
            groups_claim: "groups".into(),
            roles: RolePolicy {
                mappings: Vec::new(),
                default_role: Role::Member,
                refuse_unmapped: false,
            },
        })),
        Scope::Organization(org) => {
            let mut pooled = ctx.db.acquire().await?;
            let found = crate::db::sso::find_provider(&mut pooled.conn(), org).await?;
            Ok(found.map(|p| Provider {
                display_name: p.display_name,
                issuer: p.issuer,
                client_id: p.client_id,
                client_secret: p.client_secret,
                allowed_domains: p.allowed_domains,
                groups_claim: p.groups_claim,
                roles: p.roles,
            }))
        }
    }
}

/// Records what happened to a person at a sign-in: in the log of the organization whose
/// provider it was or, for the instance's provider (which belongs to no organization), in the
/// account's own trail and each organization the account belongs to, as any event about an
/// account.
async fn record(
    tx: &mut Tx,
    scope: Scope,
    user: &User,
    action: &str,
    detail: serde_json::Value,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match scope {
        Scope::Organization(org) => {
            let event = audit::Event {
                organization: org,
                actor: Some(user.id),
                action,
                target: Some(user.id),
                detail,
                ip,
            };
            audit::record(tx, event, now).await
        }
        Scope::Instance => audit::user_event(tx, user, action, detail, ip, now).await,
    }
}

/// Whether the instance's provider is configured, and the "Sign in with <name>" it shows.
pub fn instance_display_name(ctx: &super::Ctx) -> Option<&str> {
    ctx.settings
        .instance_sso
        .as_ref()
        .map(|c| c.display_name.as_str())
}

/// Makes the person a member of the organization whose provider signed them in, with the role
/// its groups give (a member without mappings), unless they are one already.
async fn join(
    tx: &mut Tx,
    org: OrganizationId,
    user: UserId,
    role: Option<Role>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if organizations::member_of(&mut tx.conn(), org, user)
        .await?
        .is_none()
    {
        let role = role.unwrap_or(Role::Member);
        organizations::add_member(&mut tx.conn(), org, user, role, Ts(now)).await?;
    }
    Ok(())
}

/// An organization a visitor can sign in to with single sign-on.
pub struct Choice {
    pub organization: OrganizationId,
    pub organization_name: String,
    /// "Sign in with <display_name>".
    pub display_name: String,
}

/// The organizations whose providers accept the domain of `email`: where the "sign in with
/// single sign-on" page sends a visitor. A field error when there are none.
pub async fn choices_for(ctx: &super::Ctx, email: &str) -> AppResult<Vec<Choice>> {
    let email =
        crate::domain::email::Email::parse(email).map_err(|m| super::invalid("email", m))?;
    // a checked domain has no `like` wildcard (`%`, `_`) that could match every provider
    let domain = crate::domain::sso::parse_domain(crate::domain::sso::domain_of(&email))
        .map_err(|m| super::invalid("email", m))?;
    let mut pooled = ctx.db.acquire().await?;
    let found = crate::db::sso::providers_for_domain(&mut pooled.conn(), &domain).await?;
    if found.is_empty() {
        return Err(super::invalid(
            "email",
            format!(
                "no organization here signs in with single sign-on for {domain}; sign in with your password instead"
            ),
        ));
    }
    Ok(found
        .into_iter()
        .map(|m| Choice {
            organization: m.organization,
            organization_name: m.organization_name,
            display_name: m.display_name,
        })
        .collect())
}

/// The organization's provider, for the page that asks a member to sign in through it: public,
/// like the `/sso/{org}` link that starts the sign-in. `NotFound` without one.
pub async fn choice_of(ctx: &super::Ctx, org: OrganizationId) -> AppResult<Choice> {
    let mut pooled = ctx.db.acquire().await?;
    let provider = crate::db::sso::find_provider(&mut pooled.conn(), org).await?;
    let organization = organizations::find(&mut pooled.conn(), org).await?;
    match (provider, organization) {
        (Some(provider), Some(organization)) => Ok(Choice {
            organization: org,
            organization_name: organization.name,
            display_name: provider.display_name,
        }),
        _ => Err(AppError::NotFound(
            "This organization does not use single sign-on.".into(),
        )),
    }
}
