//! An organization's single sign-on settings: its OpenID provider, the client GoGoTime is
//! there, and the email domains whose people may get an account through it. Owners and admins
//! only. The client secret is write-only: stored, sent to the provider's token endpoint, never
//! shown back, logged or audited.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::super::access::require_member;
use super::super::{Actor, Check, Ctx, audit, invalid};
use crate::db::{Ts, sso};
use crate::domain::ids::OrganizationId;
use crate::domain::profile::parse_name;
use crate::domain::role::{Permission, Role};
use crate::domain::sso::{Scope, parse_domains};
use crate::domain::sso_roles::{
    RoleMapping, RolePolicy, parse_claim_name, parse_mappings, parse_role,
};
use crate::error::{AppError, AppResult};

/// The settings as shown to admins: everything but the secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SsoSettings {
    /// Shown on the sign-in button: "Sign in with <display_name>".
    pub display_name: String,
    /// The provider's issuer; discovery is `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// Always true: a secret is stored. It is never shown back.
    pub client_secret_set: bool,
    /// New accounts only for verified addresses in these domains (lowercase).
    pub allowed_domains: Vec<String>,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
    /// The link that starts a sign-in with this provider, to share with members.
    pub sign_in_url: String,
    /// The claim (ID token or userinfo) that lists a person's groups, as an array of strings.
    pub groups_claim: String,
    /// Group → role. Empty: roles are managed by hand (new people join as members).
    pub role_mappings: Vec<RoleMapping>,
    /// With mappings: the role of someone in none of the mapped groups.
    pub default_role: Role,
    /// With mappings: refuse someone in none of the mapped groups instead.
    pub refuse_unmapped: bool,
    /// Members (owners excepted) reach the organization only through this provider; change it
    /// with `PUT …/sso/password-sign-in`.
    pub password_sign_in_disabled: bool,
    pub updated_at: DateTime<Utc>,
}

/// A group → role mapping as sent (the role is checked: never `owner`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleMappingInput {
    #[schema(min_length = 1, max_length = 200)]
    pub group: String,
    /// `member`, `manager` or `admin`.
    #[schema(example = "admin")]
    pub role: String,
}

/// A change of the settings. `client_secret` may be left out (or empty) to keep the stored one;
/// it is required the first time.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoInput {
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    /// An https URL (plain http only to a loopback address, in development).
    #[schema(min_length = 1, max_length = 500)]
    pub issuer: String,
    #[schema(min_length = 1, max_length = 255)]
    pub client_id: String,
    #[serde(default)]
    #[schema(max_length = 1024)]
    pub client_secret: Option<String>,
    #[schema(min_items = 1, max_items = 50)]
    pub allowed_domains: Vec<String>,
    /// Default `groups`.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub groups_claim: Option<String>,
    /// Left out: none (roles managed by hand). Each sign-in through the provider sets the
    /// person's role: the highest of their mapped groups; an owner's role is never changed.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub role_mappings: Vec<RoleMappingInput>,
    /// `member` (the default), `manager` or `admin`.
    #[serde(default)]
    pub default_role: Option<String>,
    #[serde(default)]
    pub refuse_unmapped: bool,
}

/// Whether members may reach the organization with a password sign-in.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordSignInPolicy {
    /// True: members (owners excepted) reach the organization only through its single sign-on;
    /// personal API tokens keep working. Only with single sign-on configured.
    pub password_sign_in_disabled: bool,
}

const MAX_FIELD: usize = 1024;

fn bounded(raw: &str, max: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err("is required".into());
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(value.to_string())
}

/// Where the provider sends the browser back: what an admin (or, for the instance's provider,
/// the operator) registers at the provider.
pub(super) fn redirect_uri(ctx: &Ctx, scope: Scope) -> String {
    format!("{}{}/callback", ctx.settings.public_url, scope.path())
}

fn shown(ctx: &Ctx, provider: sso::Provider) -> SsoSettings {
    let org = provider.organization;
    SsoSettings {
        display_name: provider.display_name,
        issuer: provider.issuer,
        client_id: provider.client_id,
        client_secret_set: true,
        allowed_domains: provider.allowed_domains,
        redirect_uri: redirect_uri(ctx, Scope::Organization(org)),
        sign_in_url: sign_in_url_for(ctx, org),
        groups_claim: provider.groups_claim,
        role_mappings: provider.roles.mappings,
        default_role: provider.roles.default_role,
        refuse_unmapped: provider.roles.refuse_unmapped,
        password_sign_in_disabled: provider.password_sign_in_disabled,
        updated_at: provider.updated_at.0,
    }
}

/// The organization's settings; `None` when it has no provider.
pub async fn get(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<Option<SsoSettings>> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(
        &mut pooled.conn(),
        org,
        actor,
        Permission::UpdateOrganization,
    )
    .await?;
    let provider = sso::find_provider(&mut pooled.conn(), org).await?;
    Ok(provider.map(|p| shown(ctx, p)))
}

/// The redirect URI an admin registers at the provider, before anything is saved.
pub fn redirect_uri_for(ctx: &Ctx, org: OrganizationId) -> String {
    redirect_uri(ctx, Scope::Organization(org))
}

/// The link members open to sign in through the organization's provider.
pub fn sign_in_url_for(ctx: &Ctx, org: OrganizationId) -> String {
    format!("{}/sso/{org}", crate::service::links::base(ctx))
}

/// Creates or replaces the settings. The issuer is checked as a URL GoGoTime may call; the
/// provider is first asked at the next sign-in (an unreachable provider is not a form error).
pub async fn save(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    input: SsoInput,
) -> AppResult<SsoSettings> {
    let mut check = Check::default();
    let display_name = check.field("display_name", parse_name(&input.display_name));
    let issuer = check.field(
        "issuer",
        // kept exactly as typed: the discovery document must name the very same issuer
        bounded(&input.issuer, 500).and_then(|raw| {
            ctx.oidc
                .check_url(&raw)
                .map(|_| raw)
                .map_err(|e| e.to_string())
        }),
    );
    let client_id = check.field("client_id", bounded(&input.client_id, 255));
    let new_secret = match input.client_secret.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => check
            .field("client_secret", bounded(raw, MAX_FIELD))
            .map(Some),
    };
    let domains = check.field(
        "allowed_domains",
        parse_domains(input.allowed_domains.iter().map(String::as_str)),
    );
    let groups_claim = check.field(
        "groups_claim",
        parse_claim_name(input.groups_claim.as_deref().unwrap_or("groups")),
    );
    let mappings = check.field(
        "role_mappings",
        parse_mappings(
            input
                .role_mappings
                .iter()
                .map(|m| (m.group.as_str(), m.role.as_str())),
        ),
    );
    let default_role = check.field(
        "default_role",
        parse_role(input.default_role.as_deref().unwrap_or("member")),
    );
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::UpdateOrganization).await?;
    let stored = sso::find_provider(&mut tx.conn(), org).await?;
    if stored.is_none() && matches!(new_secret, Some(None)) {
        check.field::<()>(
            "client_secret",
            Err("is required: paste the client secret the provider gave you".into()),
        );
    }
    check.finish()?;
    let (
        Some(display_name),
        Some(issuer),
        Some(client_id),
        Some(new_secret),
        Some(domains),
        Some(groups_claim),
        Some(mappings),
        Some(default_role),
    ) = (
        display_name,
        issuer,
        client_id,
        new_secret,
        domains,
        groups_claim,
        mappings,
        default_role,
    )
    else {
        unreachable!("checked above")
    };
    let secret_changed = new_secret.is_some();
    let client_secret = match (new_secret, &stored) {
        (Some(secret), _) => secret,
        (None, Some(stored)) => stored.client_secret.clone(),
        (None, None) => unreachable!("refused above"),
    };
    let provider = sso::Provider {
        organization: org,
        display_name,
        issuer,
        client_id,
        client_secret,
        allowed_domains: domains,
        groups_claim,
        roles: RolePolicy {
            mappings,
            default_role,
            refuse_unmapped: input.refuse_unmapped,
        },
        password_sign_in_disabled: stored.as_ref().is_some_and(|s| s.password_sign_in_disabled),
        updated_at: Ts(now),
    };
    sso::save_provider(&mut tx.conn(), &provider, Ts(now)).await?;
    let detail = json!({
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "allowed_domains": provider.allowed_domains,
        "client_secret_changed": secret_changed,
        "groups_claim": provider.groups_claim,
        "role_mappings": provider.roles.mappings,
        "default_role": provider.roles.default_role,
        "refuse_unmapped": provider.roles.refuse_unmapped,
    });
    let event = audit::Event {
        organization: org,
        actor: Some(actor.user.id),
        action: if stored.is_some() {
            "sso.updated"
        } else {
            "sso.configured"
        },
        target: None,
        detail,
        ip: &actor.ip,
    };
    audit::record(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(shown(ctx, provider))
}

/// Turns single sign-on off for the organization. Accounts and their linked identities stay;
/// people sign in with their passwords (or ask for a reset).
pub async fn remove(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::UpdateOrganization).await?;
    let stored = sso::find_provider(&mut tx.conn(), org).await?;
    if stored.is_none() || !sso::delete_provider(&mut tx.conn(), org).await? {
        return Err(AppError::NotFound(
            "This organization has no single sign-on to remove.".into(),
        ));
    }
    // the policy lives with the provider: members sign in with passwords again
    let lifted = stored.is_some_and(|s| s.password_sign_in_disabled);
    let event = audit::Event {
        organization: org,
        actor: Some(actor.user.id),
        action: "sso.removed",
        target: None,
        detail: json!({ "password_sign_in_enabled_again": lifted }),
        ip: &actor.ip,
    };
    audit::record(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Turns password sign-in off (members reach the organization only through its provider) or
/// on again. Only with single sign-on configured; an admin turns it off only from a session
/// of this provider (or with an API token), so the change does not shut them out at once.
pub async fn set_password_sign_in(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    policy: PasswordSignInPolicy,
) -> AppResult<PasswordSignInPolicy> {
    const FIELD: &str = "password_sign_in_disabled";
    let disabled = policy.password_sign_in_disabled;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let mine = require_member(&mut tx.conn(), org, actor, Permission::UpdateOrganization).await?;
    let Some(stored) = sso::find_provider(&mut tx.conn(), org).await? else {
        if disabled {
            return Err(invalid(
                FIELD,
                "needs single sign-on: configure and save the identity provider first",
            ));
        }
        return Ok(policy);
    };
    if stored.password_sign_in_disabled == disabled {
        return Ok(policy);
    }
    if disabled && mine.role != Role::Owner && !actor.came_in.passes_sso_requirement(org) {
        return Err(invalid(
            FIELD,
            format!(
                "would shut you out: sign in with {} first (owners are exempt)",
                stored.display_name
            ),
        ));
    }
    sso::set_password_sign_in_disabled(&mut tx.conn(), org, disabled, Ts(now)).await?;
    let event = audit::Event {
        organization: org,
        actor: Some(actor.user.id),
        action: if disabled {
            "sso.password_sign_in_disabled"
        } else {
            "sso.password_sign_in_enabled"
        },
        target: None,
        detail: json!({}),
        ip: &actor.ip,
    };
    audit::record(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(policy)
}
