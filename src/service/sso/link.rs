//! Linking a provider identity to the existing account that has its email address, once the
//! person proves the account is theirs: its password and, when two-factor sign-in is on, a code
//! (an address at a provider is never enough to take over an account). Wrong passwords count
//! towards the sign-in limiter; a few end the pending link.

use serde_json::json;

use super::super::sessions::{self, NewSession};
use super::super::{Ctx, auth, invalid, members, secrets};
use super::sign_in::{NewIdentity, link_identity};
use super::{LINK_ATTEMPTS, join, provider_of, record};
use crate::db::{Ts, organizations, sso, two_factor, users};
use crate::domain::email::Email;
use crate::domain::sso::Scope;
use crate::error::{AppError, AppResult};
use crate::metrics::product::SsoOutcome;

/// What the confirmation page shows.
pub struct Preview {
    /// The existing account's address.
    pub email: String,
    /// "Sign in with <provider>".
    pub provider: String,
    /// The organization the person joins; `None` through the instance's provider.
    pub organization: Option<String>,
    /// The account has two-factor sign-in on: a code is asked too.
    pub needs_code: bool,
}

async fn pending(ctx: &Ctx, scope: Scope, token: &str) -> AppResult<sso::PendingLink> {
    let mut pooled = ctx.db.acquire().await?;
    let now = Ts(ctx.clock.now());
    let org = scope.organization();
    sso::find_pending_link(&mut pooled.conn(), org, &secrets::digest(token), now)
        .await?
        .filter(|l| l.attempts < LINK_ATTEMPTS)
        .ok_or(AppError::Unauthorized)
}

/// The pending link of a browser token; `Unauthorized` when it ended (sign in again).
pub async fn preview(ctx: &Ctx, scope: Scope, token: &str) -> AppResult<Preview> {
    let link = pending(ctx, scope, token).await?;
    let provider = provider_of(ctx, scope)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let mut pooled = ctx.db.acquire().await?;
    let (user, _) = users::find(&mut pooled.conn(), link.user)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let organization = match scope {
        Scope::Instance => None,
        Scope::Organization(org) => Some(
            organizations::find(&mut pooled.conn(), org)
                .await?
                .ok_or(AppError::Unauthorized)?
                .name,
        ),
    };
    let factor = two_factor::find_factor(&mut pooled.conn(), user.id).await?;
    Ok(Preview {
        email: user.email,
        provider: provider.display_name,
        organization,
        needs_code: factor.is_some_and(|f| f.confirmed),
    })
}

/// What the person typed to prove the account is theirs.
pub struct Proof<'a> {
    pub password: &'a str,
    pub code: Option<&'a str>,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

/// Links the identity and signs in, once the account's password (and code) are right. A wrong
/// one is a field error; `Unauthorized` when the link ended (expired, used, too many tries).
pub async fn confirm(
    ctx: &Ctx,
    scope: Scope,
    token: &str,
    proof: Proof<'_>,
) -> AppResult<NewSession> {
    let link = pending(ctx, scope, token).await?;
    let org = scope.organization();
    let user = {
        let mut pooled = ctx.db.acquire().await?;
        users::find(&mut pooled.conn(), link.user).await?
    }
    .map(|(user, _)| user)
    .ok_or(AppError::Unauthorized)?;
    match auth::check_credentials(ctx, &user.email, proof.password, proof.code, proof.ip).await {
        Ok(proven) if proven.id == user.id => {}
        Ok(_) => return Err(AppError::Unauthorized),
        Err(AppError::Unauthorized) => {
            let mut pooled = ctx.db.acquire().await?;
            sso::count_link_attempt(&mut pooled.conn(), org, link.id).await?;
            if link.attempts + 1 >= LINK_ATTEMPTS {
                sso::delete_pending_link(&mut pooled.conn(), org, link.id).await?;
                return Err(AppError::Unauthorized);
            }
            return Err(invalid(
                "password",
                "is not right (or the two-factor code is not); nothing was linked",
            ));
        }
        Err(AppError::SecondFactorRequired) => {
            return Err(invalid(
                "code",
                "is required: enter the current code from your authenticator app, or a recovery code",
            ));
        }
        Err(e) => return Err(e),
    }
    let now = ctx.clock.now();
    let email = Email::parse(&link.email).map_err(|m| invalid("email", m))?;
    let mut tx = ctx.db.begin().await?;
    if !sso::delete_pending_link(&mut tx.conn(), org, link.id).await? {
        // confirmed meanwhile by a concurrent request: that one linked and signed in
        return Err(AppError::Unauthorized);
    }
    let identity = NewIdentity {
        issuer: &link.issuer,
        subject: &link.subject,
        email: &email,
    };
    if sso::find_identity(&mut tx.conn(), &link.issuer, &link.subject)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(
            "This identity is already linked to a GoGoTime account.".into(),
        ));
    }
    link_identity(&mut tx, user.id, &identity, now).await?;
    if let Scope::Organization(org) = scope {
        join(&mut tx, org, user.id, link.role, now).await?;
        if let Some(role) = link.role {
            // a member already: their groups set the role as at any sign-in through the provider
            members::set_role_from_provider(&mut tx, org, user.id, role, proof.ip, now).await?;
        }
    }
    for action in ["sso.linked", "sso.signed_in"] {
        let detail = json!({ "email": link.email, "issuer": link.issuer });
        record(&mut tx, scope, &user, action, detail, proof.ip, now).await?;
    }
    let session = sessions::open_via(
        &mut tx.conn(),
        user.id,
        org,
        proof.ip,
        proof.user_agent,
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.metrics.sso(SsoOutcome::Linked);
    Ok(session)
}
