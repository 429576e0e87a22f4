//! Single sign-on: each organization's OpenID provider (with its client secret), the identities
//! linked to accounts, the sign-ins waiting for the provider's answer and the links waiting for
//! a password (their browser tokens stored as SHA-256). A sign-in or link through the instance's
//! provider (configured in the environment, not stored) has no organization: its `organization_id`
//! is null, and the statements that take an `Option<OrganizationId>` match null with `None`.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::ids::{IdentityId, OrganizationId, UserId};
use crate::domain::role::Role;
use crate::domain::sso_roles::{RoleMapping, RolePolicy};

/// An organization's provider, secret included: only the sign-in flow reads the secret.
pub struct Provider {
    pub organization: OrganizationId,
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Lowercase domains.
    pub allowed_domains: Vec<String>,
    /// How roles come from the provider's groups, and the claim that carries them.
    pub groups_claim: String,
    pub roles: RolePolicy,
    /// Members (owners excepted) reach the organization only through this provider.
    pub password_sign_in_disabled: bool,
    pub updated_at: Ts,
}

#[derive(sqlx::FromRow)]
struct ProviderRow {
    organization_id: Uuid,
    display_name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    allowed_domains: String,
    groups_claim: String,
    role_mappings: String,
    default_role: String,
    refuse_unmapped: bool,
    password_sign_in_disabled: bool,
    updated_at: Ts,
}

fn provider(row: ProviderRow) -> Provider {
    Provider {
        organization: OrganizationId::from_uuid(row.organization_id),
        display_name: row.display_name,
        issuer: row.issuer,
        client_id: row.client_id,
        client_secret: row.client_secret,
        allowed_domains: row
            .allowed_domains
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        groups_claim: row.groups_claim,
        roles: RolePolicy {
            // written only by `save_provider` from checked mappings
            mappings: serde_json::from_str::<Vec<RoleMapping>>(&row.role_mappings)
                .unwrap_or_default(),
            default_role: super::organizations::role(&row.default_role),
            refuse_unmapped: row.refuse_unmapped,
        },
        password_sign_in_disabled: row.password_sign_in_disabled,
        updated_at: row.updated_at,
    }
}

pub async fn find_provider(conn: &mut Conn<'_>, org: OrganizationId) -> DbResult<Option<Provider>> {
    let row: Option<ProviderRow> = with_conn!(conn, c => {
        sqlx::query_as(
            "select organization_id, display_name, issuer, client_id, client_secret, allowed_domains, \
             groups_claim, role_mappings, default_role, refuse_unmapped, password_sign_in_disabled, updated_at \
             from sso_providers where organization_id = $1",
        )
        .bind(org.as_uuid())
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(provider))
}

/// Creates or replaces the organization's provider; whether password sign-in is disabled is
/// kept (`set_password_sign_in_disabled` changes it).
pub async fn save_provider(conn: &mut Conn<'_>, p: &Provider, now: Ts) -> DbResult<()> {
    let mappings = serde_json::to_string(&p.roles.mappings).unwrap_or_else(|_| "[]".into());
    with_conn!(conn, c => {
        sqlx::query(
            "insert into sso_providers (organization_id, display_name, issuer, client_id, client_secret, allowed_domains, \
             groups_claim, role_mappings, default_role, refuse_unmapped, password_sign_in_disabled, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
             on conflict (organization_id) do update set display_name = excluded.display_name, issuer = excluded.issuer, \
             client_id = excluded.client_id, client_secret = excluded.client_secret, \
             allowed_domains = excluded.allowed_domains, groups_claim = excluded.groups_claim, \
             role_mappings = excluded.role_mappings, default_role = excluded.default_role, \
             refuse_unmapped = excluded.refuse_unmapped, updated_at = excluded.updated_at \
             where sso_providers.organization_id = excluded.organization_id",
        )
        .bind(p.organization.as_uuid())
        .bind(&p.display_name)
        .bind(&p.issuer)
        .bind(&p.client_id)
        .bind(&p.client_secret)
        .bind(p.allowed_domains.join(" "))
        .bind(&p.groups_claim)
        .bind(&mappings)
        .bind(p.roles.default_role.as_str())
        .bind(p.roles.refuse_unmapped)
        .bind(p.password_sign_in_disabled)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Turns password sign-in off or on for the organization's members; false when it has no
/// provider.
pub async fn set_password_sign_in_disabled(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    disabled: bool,
    now: Ts,
) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query(
            "update sso_providers set password_sign_in_disabled = $2, updated_at = $3 where organization_id = $1",
        )
        .bind(org.as_uuid())
        .bind(disabled)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

pub async fn delete_provider(conn: &mut Conn<'_>, org: OrganizationId) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("delete from sso_providers where organization_id = $1")
            .bind(org.as_uuid())
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// An organization whose provider accepts an email domain, for the "sign in with single
/// sign-on" page.
pub struct DomainMatch {
    pub organization: OrganizationId,
    pub organization_name: String,
    pub display_name: String,
}

/// The organizations whose providers allow `domain` (lowercase letters, digits, dots and
/// hyphens: no `like` wildcard can be in it).
pub async fn providers_for_domain(conn: &mut Conn<'_>, domain: &str) -> DbResult<Vec<DomainMatch>> {
    let rows: Vec<(Uuid, String, String)> = with_conn!(conn, c => {
        sqlx::query_as(
            "select p.organization_id, o.name, p.display_name from sso_providers p \
             join organizations o on o.id = p.organization_id \
             where ' ' || p.allowed_domains || ' ' like '% ' || $1 || ' %' order by o.name limit 20",
        )
        .bind(domain)
        .fetch_all(c)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(org, organization_name, display_name)| DomainMatch {
            organization: OrganizationId::from_uuid(org),
            organization_name,
            display_name,
        })
        .collect())
}

// ---- sign-ins waiting for the provider ----

pub struct Login {
    /// `None`: through the instance's provider.
    pub organization: Option<OrganizationId>,
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    pub expires_at: Ts,
}

/// Stores a started sign-in, and forgets those that expired unused.
pub async fn insert_login(
    conn: &mut Conn<'_>,
    hash: &[u8],
    login: &Login,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from sso_logins where (organization_id = $1 or (organization_id is null and $1 is null)) and expires_at < $2")
            .bind(login.organization.map(|o| o.as_uuid()))
            .bind(now)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "insert into sso_logins (id, token_hash, organization_id, state, nonce, code_verifier, expires_at, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::now_v7())
        .bind(hash)
        .bind(login.organization.map(|o| o.as_uuid()))
        .bind(&login.state)
        .bind(&login.nonce)
        .bind(&login.code_verifier)
        .bind(login.expires_at)
        .bind(now)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Removes and returns the organization's (`None`: the instance's) sign-in of a browser token:
/// whatever comes of it, it is used once.
pub async fn take_login(
    conn: &mut Conn<'_>,
    org: Option<OrganizationId>,
    hash: &[u8],
) -> DbResult<Option<Login>> {
    let row: Option<(Option<Uuid>, String, String, String, Ts)> = with_conn!(conn, c => {
        sqlx::query_as(
            "delete from sso_logins where (organization_id = $1 or (organization_id is null and $1 is null)) and token_hash = $2 \
             returning organization_id, state, nonce, code_verifier, expires_at",
        )
        .bind(org.map(|o| o.as_uuid()))
        .bind(hash)
        .fetch_optional(c)
        .await?
    });
    Ok(
        row.map(|(org, state, nonce, code_verifier, expires_at)| Login {
            organization: org.map(OrganizationId::from_uuid),
            state,
            nonce,
            code_verifier,
            expires_at,
        }),
    )
}

// ---- identities ----

pub struct Identity {
    pub id: IdentityId,
    pub user: UserId,
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub created_at: Ts,
    pub last_used_at: Ts,
}

type IdentityRow = (Uuid, Uuid, String, String, String, Ts, Ts);

fn identity(row: IdentityRow) -> Identity {
    let (id, user, issuer, subject, email, created_at, last_used_at) = row;
    Identity {
        id: IdentityId::from_uuid(id),
        user: UserId::from_uuid(user),
        issuer,
        subject,
        email,
        created_at,
        last_used_at,
    }
}

const IDENTITY_COLUMNS: &str = "id, user_id, issuer, subject, email, created_at, last_used_at";

pub async fn find_identity(
    conn: &mut Conn<'_>,
    issuer: &str,
    subject: &str,
) -> DbResult<Option<Identity>> {
    let sql =
        format!("select {IDENTITY_COLUMNS} from sso_identities where issuer = $1 and subject = $2");
    let row: Option<IdentityRow> = with_conn!(conn, c => {
        sqlx::query_as(&sql).bind(issuer).bind(subject).fetch_optional(c).await?
    });
    Ok(row.map(identity))
}

pub async fn insert_identity(conn: &mut Conn<'_>, new: &Identity) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into sso_identities (id, user_id, issuer, subject, email, created_at, last_used_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new.id.as_uuid())
        .bind(new.user.as_uuid())
        .bind(&new.issuer)
        .bind(&new.subject)
        .bind(&new.email)
        .bind(new.created_at)
        .bind(new.last_used_at)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Notes a sign-in with the identity and the address the provider gave this time.
pub async fn touch_identity(
    conn: &mut Conn<'_>,
    id: IdentityId,
    email: &str,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update sso_identities set email = $2, last_used_at = $3 where id = $1")
            .bind(id.as_uuid())
            .bind(email)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn identities_of(conn: &mut Conn<'_>, user: UserId) -> DbResult<Vec<Identity>> {
    let sql = format!(
        "select {IDENTITY_COLUMNS} from sso_identities where user_id = $1 order by created_at"
    );
    let rows: Vec<IdentityRow> = with_conn!(conn, c => {
        sqlx::query_as(&sql).bind(user.as_uuid()).fetch_all(c).await?
    });
    Ok(rows.into_iter().map(identity).collect())
}

/// Removes one of the user's identities; false when the user has none with this id.
pub async fn delete_identity(conn: &mut Conn<'_>, user: UserId, id: IdentityId) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("delete from sso_identities where id = $1 and user_id = $2")
            .bind(id.as_uuid())
            .bind(user.as_uuid())
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

// ---- links waiting for the account's password ----

pub struct PendingLink {
    pub id: Uuid,
    pub user: UserId,
    /// `None`: asked by the instance's provider.
    pub organization: Option<OrganizationId>,
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub attempts: i64,
    /// The role the provider's groups gave, to apply when the link is confirmed.
    pub role: Option<Role>,
}

pub async fn insert_pending_link(
    conn: &mut Conn<'_>,
    hash: &[u8],
    link: &PendingLink,
    expires_at: Ts,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from sso_pending_links where (organization_id = $1 or (organization_id is null and $1 is null)) and expires_at < $2")
            .bind(link.organization.map(|o| o.as_uuid()))
            .bind(now)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "insert into sso_pending_links (id, token_hash, user_id, organization_id, issuer, subject, email, attempts, expires_at, created_at, role) \
             values ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10)",
        )
        .bind(link.id)
        .bind(hash)
        .bind(link.user.as_uuid())
        .bind(link.organization.map(|o| o.as_uuid()))
        .bind(&link.issuer)
        .bind(&link.subject)
        .bind(&link.email)
        .bind(expires_at)
        .bind(now)
        .bind(link.role.map(Role::as_str))
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

type PendingLinkRow = (
    Uuid,
    Uuid,
    Option<Uuid>,
    String,
    String,
    String,
    i64,
    Option<String>,
);

pub async fn find_pending_link(
    conn: &mut Conn<'_>,
    org: Option<OrganizationId>,
    hash: &[u8],
    now: Ts,
) -> DbResult<Option<PendingLink>> {
    let row: Option<PendingLinkRow> = with_conn!(conn, c => {
        sqlx::query_as(
            "select id, user_id, organization_id, issuer, subject, email, cast(attempts as bigint), role from sso_pending_links \
             where (organization_id = $1 or (organization_id is null and $1 is null)) and token_hash = $2 and expires_at > $3",
        )
        .bind(org.map(|o| o.as_uuid()))
        .bind(hash)
        .bind(now)
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(
        |(id, user, org, issuer, subject, email, attempts, role)| PendingLink {
            id,
            user: UserId::from_uuid(user),
            organization: org.map(OrganizationId::from_uuid),
            issuer,
            subject,
            email,
            attempts,
            role: role.as_deref().map(super::organizations::role),
        },
    ))
}

pub async fn count_link_attempt(
    conn: &mut Conn<'_>,
    org: Option<OrganizationId>,
    id: Uuid,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update sso_pending_links set attempts = attempts + 1 where (organization_id = $1 or (organization_id is null and $1 is null)) and id = $2")
            .bind(org.map(|o| o.as_uuid()))
            .bind(id)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// False when it was gone already (used by a concurrent request).
pub async fn delete_pending_link(
    conn: &mut Conn<'_>,
    org: Option<OrganizationId>,
    id: Uuid,
) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("delete from sso_pending_links where (organization_id = $1 or (organization_id is null and $1 is null)) and id = $2")
            .bind(org.map(|o| o.as_uuid()))
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}
