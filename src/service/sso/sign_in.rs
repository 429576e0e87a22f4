//! Signing in through an organization's provider or the instance's (`Scope`): the
//! authorization code flow with PKCE
//! (S256), `state` and `nonce` bound to the browser by a short-lived single-use token, then the
//! account: found by the (issuer, subject) identity, created just in time for a verified address
//! in an allowed domain, or, when an account already has that address, linked only after its
//! password (and second factor) is proven (`link`). Through an organization's provider the
//! person becomes (or must already be) its member; through the instance's, a member of nothing.
//!
//! Signing in this way skips GoGoTime's own second factor: the provider authenticated the
//! person, with its own second factor if the organization requires one there
//! (docs/operations/single-sign-on.md).

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use subtle::ConstantTimeEq;

use super::super::sessions::{self, NewSession};
use super::super::{Ctx, audit, members, secrets};
use super::settings::redirect_uri;
use super::{
    LINK_MINUTES, LOGIN_MINUTES, NO_PASSWORD, Refusal, has_password, join, provider_of, record,
};
use crate::db::{Ts, Tx, organizations, sso, users};
use crate::domain::account::User;
use crate::domain::email::Email;
use crate::domain::ids::{IdentityId, UserId};
use crate::domain::role::Role;
use crate::domain::sso::{Scope, domain_allowed};
use crate::domain::sso_roles::Decision;
use crate::error::{AppError, AppResult};
use crate::metrics::product::SsoOutcome;
use crate::oidc::{ClientCredentials, Expected, OidcError};

/// A sign-in sent to the provider: the browser goes to `authorize_url` holding `token` in a
/// cookie for `max_age_seconds`.
pub struct Started {
    pub authorize_url: String,
    pub token: String,
    pub max_age_seconds: i64,
}

fn no_sso(scope: Scope) -> AppError {
    AppError::NotFound(match scope {
        Scope::Instance => "This instance has no single sign-on of its own.".into(),
        Scope::Organization(_) => "This organization does not use single sign-on.".into(),
    })
}

fn provider_trouble(scope: Scope, e: OidcError) -> AppError {
    let (whose, who) = match scope {
        Scope::Instance => ("instance's", "its operator to check GOGOTIME_SSO_ISSUER"),
        Scope::Organization(_) => (
            "organization's",
            "an admin to check the single sign-on settings",
        ),
    };
    AppError::Unavailable {
        message: format!(
            "The {whose} identity provider cannot be used right now: {e}. Try again later, or ask {who}."
        ),
        retry_after_seconds: None,
    }
}

/// Starts a sign-in with the organization's provider, or the instance's.
pub async fn start(ctx: &Ctx, scope: Scope) -> AppResult<Started> {
    let provider = provider_of(ctx, scope)
        .await?
        .ok_or_else(|| no_sso(scope))?;
    let metadata = ctx
        .oidc
        .discover(&provider.issuer)
        .await
        .map_err(|e| provider_trouble(scope, e))?;
    let token = secrets::new_token(secrets::SSO_LOGIN_PREFIX);
    let now = ctx.clock.now();
    let login = sso::Login {
        organization: scope.organization(),
        state: crate::secret::generate(),
        nonce: crate::secret::generate(),
        // 43 characters of the URL-safe alphabet: a valid PKCE verifier (RFC 7636 §4.1)
        code_verifier: crate::secret::generate(),
        expires_at: Ts(now + Duration::minutes(LOGIN_MINUTES)),
    };
    let mut url = ctx
        .oidc
        .check_url(&metadata.authorization_endpoint)
        .map_err(|e| provider_trouble(scope, e))?;
    // roles from groups: ask for the conventional `groups` scope where the provider has one
    // (Okta, Authentik; others release the claim by their own configuration)
    let wants_groups = !provider.roles.mappings.is_empty()
        && metadata
            .scopes_supported
            .as_ref()
            .is_some_and(|s| s.iter().any(|s| s == "groups"));
    let scopes = if wants_groups {
        "openid email profile groups"
    } else {
        "openid email profile"
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &provider.client_id)
        .append_pair("redirect_uri", &redirect_uri(ctx, scope))
        .append_pair("scope", scopes)
        .append_pair("state", &login.state)
        .append_pair("nonce", &login.nonce)
        .append_pair(
            "code_challenge",
            &crate::oidc::pkce_challenge(&login.code_verifier),
        )
        .append_pair("code_challenge_method", "S256");
    let mut pooled = ctx.db.acquire().await?;
    sso::insert_login(
        &mut pooled.conn(),
        &secrets::digest(&token),
        &login,
        Ts(now),
    )
    .await?;
    Ok(Started {
        authorize_url: url.into(),
        token,
        max_age_seconds: LOGIN_MINUTES * 60,
    })
}

/// The provider's answer at the redirect URI, and the browser's token.
pub struct Callback<'a> {
    pub scope: Scope,
    /// From the cookie `start` set; `None` when the browser has none.
    pub token: Option<&'a str>,
    pub state: &'a str,
    pub code: Option<&'a str>,
    /// The provider's `error` parameter, when it did not sign the person in.
    pub error: Option<&'a str>,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

pub enum Finished {
    SignedIn(NewSession),
    /// An account has this address: its password must be proven (`link::confirm`) with the
    /// token, kept in a cookie for `max_age_seconds`.
    ConfirmLink {
        token: String,
        max_age_seconds: i64,
    },
}

/// Finishes a sign-in. Every refusal is `AppError::Forbidden` with a message for the person,
/// is counted, and audited by an organization whose provider it was (the instance's provider
/// belongs to no organization, and no account is known: its refusals go to the log); nothing is
/// created or linked.
pub async fn finish(ctx: &Ctx, callback: Callback<'_>) -> AppResult<Finished> {
    match finish_checked(ctx, &callback).await {
        Ok(done) => Ok(done),
        Err(Refusal::Refused(message)) => {
            ctx.metrics.sso(SsoOutcome::Refused);
            let Scope::Organization(org) = callback.scope else {
                tracing::info!(reason = %without_mailboxes(&message), "instance single sign-on refused a sign-in");
                return Err(AppError::Forbidden(message));
            };
            let mut tx = ctx.db.begin().await?;
            // only an organization that still has a provider collects the refusals
            if sso::find_provider(&mut tx.conn(), org).await?.is_some() {
                let event = audit::Event {
                    organization: org,
                    actor: None,
                    action: "sso.refused",
                    target: None,
                    detail: json!({ "reason": message }),
                    ip: callback.ip,
                };
                audit::record(&mut tx, event, ctx.clock.now()).await?;
            }
            tx.commit().await?;
            Err(AppError::Forbidden(message))
        }
        Err(Refusal::Error(e)) => Err(e),
    }
}

const START_AGAIN: &str = "This sign-in did not start in this browser, was used already, or took longer than 10 minutes. Start again from the sign-in page.";

async fn finish_checked(ctx: &Ctx, callback: &Callback<'_>) -> Result<Finished, Refusal> {
    let now = ctx.clock.now();
    let token = callback.token.ok_or_else(|| Refusal::from(START_AGAIN))?;
    let login = {
        let mut pooled = ctx.db.acquire().await?;
        let org = callback.scope.organization();
        sso::take_login(&mut pooled.conn(), org, &secrets::digest(token)).await?
    }
    .filter(|l| l.expires_at.0 > now)
    .ok_or_else(|| Refusal::from(START_AGAIN))?;
    if !bool::from(callback.state.as_bytes().ct_eq(login.state.as_bytes())) {
        return Err(Refusal::from(
            "The provider's answer does not belong to this sign-in (its state does not match). Start again from the sign-in page.",
        ));
    }
    if let Some(error) = callback.error {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(60)
            .collect();
        return Err(Refusal::Refused(format!(
            "The identity provider did not sign you in ({error})."
        )));
    }
    let code = callback
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Refusal::from("The identity provider sent no sign-in code."))?;
    let scope = callback.scope;
    let provider = provider_of(ctx, scope)
        .await?
        .ok_or_else(|| Refusal::Error(no_sso(scope)))?;
    let metadata = ctx
        .oidc
        .discover(&provider.issuer)
        .await
        .map_err(|e| Refusal::Error(provider_trouble(scope, e)))?;
    let credentials = ClientCredentials {
        id: &provider.client_id,
        secret: &provider.client_secret,
    };
    let redirect = redirect_uri(ctx, scope);
    let tokens = ctx
        .oidc
        .exchange_code(
            &metadata,
            &credentials,
            code,
            &redirect,
            &login.code_verifier,
        )
        .await
        .map_err(|e| refused(scope, e))?;
    let expected = Expected {
        issuer: &provider.issuer,
        client_id: &provider.client_id,
        nonce: &login.nonce,
        now: now.timestamp(),
    };
    let mut claims = ctx
        .oidc
        .verify_id_token(&metadata, &tokens.id_token, &expected)
        .await
        .map_err(|e| refused(scope, e))?;
    let maps_roles = !provider.roles.mappings.is_empty();
    let lacks_groups = maps_roles && claims.strings(&provider.groups_claim).is_none();
    if (claims.lacks_email() || lacks_groups)
        && let Some(access_token) = &tokens.access_token
    {
        let info = ctx
            .oidc
            .userinfo(&metadata, access_token, &claims.subject)
            .await
            .map_err(|e| refused(scope, e))?;
        claims.complete(info);
    }
    let email = claims
        .email
        .as_deref()
        .and_then(|e| Email::parse(e).ok())
        .ok_or_else(|| Refusal::from("The identity provider did not give an email address for you; ask your admin to release the email claim to GoGoTime."))?;
    if !claims.email_verified {
        return Err(Refusal::Refused(format!(
            "The identity provider has not verified your email address {email}; verify it there first."
        )));
    }
    if !domain_allowed(&email, &provider.allowed_domains) {
        let whose = match scope {
            Scope::Instance => "GoGoTime",
            Scope::Organization(_) => "this organization",
        };
        return Err(Refusal::Refused(format!(
            "{email} is not in an email domain {whose} accepts for single sign-on."
        )));
    }
    // an absent claim is no groups: the default role, or a refusal when the organization asks
    let groups = claims.strings(&provider.groups_claim).unwrap_or_default();
    let role = match provider.roles.decide(&groups) {
        Decision::NotMapped => None,
        Decision::Role(role) => Some(role),
        Decision::Refuse => {
            return Err(Refusal::Refused(format!(
                "You are in none of the groups this organization lets in through single sign-on (the provider's {} claim); ask your admin.",
                provider.groups_claim
            )));
        }
    };
    let person = Person {
        scope,
        role,
        issuer: &provider.issuer,
        subject: &claims.subject,
        email: &email,
        name: claims.name.as_deref(),
        ip: callback.ip,
        user_agent: callback.user_agent,
    };
    account_for(ctx, &person).await
}

fn refused(scope: Scope, e: OidcError) -> Refusal {
    match e {
        OidcError::Invalid(why) => Refusal::Refused(format!("The sign-in was refused: {why}.")),
        other => Refusal::Error(provider_trouble(scope, other)),
    }
}

/// Who the provider vouched for.
struct Person<'a> {
    scope: Scope,
    /// The role the provider's groups give; `None` when the organization maps no groups.
    role: Option<Role>,
    issuer: &'a str,
    subject: &'a str,
    email: &'a Email,
    name: Option<&'a str>,
    ip: &'a str,
    user_agent: &'a str,
}

/// Signs in the identity's account, creates one, or asks for the existing account's password.
async fn account_for(ctx: &Ctx, person: &Person<'_>) -> Result<Finished, Refusal> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let identity = sso::find_identity(&mut tx.conn(), person.issuer, person.subject).await?;
    let user = match identity {
        Some(identity) => {
            let (user, _) = users::find(&mut tx.conn(), identity.user)
                .await?
                .ok_or_else(|| Refusal::Error(AppError::Unauthorized))?;
            if user.disabled {
                return Err(Refusal::from(
                    "Your GoGoTime account is disabled; ask the instance's operator.",
                ));
            }
            // membership comes with a new account or a new link only: someone an admin removed
            // (or who left) is not let back in by signing in again
            if let Scope::Organization(org) = person.scope
                && organizations::member_of(&mut tx.conn(), org, user.id)
                    .await?
                    .is_none()
            {
                return Err(Refusal::Refused(
                    "Your GoGoTime account is not a member of this organization (an admin removed it, or you left). Ask one of its admins to invite you again.".into(),
                ));
            }
            sso::touch_identity(&mut tx.conn(), identity.id, person.email.as_str(), Ts(now))
                .await?;
            if let (Some(role), Scope::Organization(org)) = (person.role, person.scope) {
                members::set_role_from_provider(&mut tx, org, user.id, role, person.ip, now)
                    .await?;
            }
            user
        }
        None => match users::find_by_email(&mut tx.conn(), person.email.normalized()).await? {
            Some((existing, hash)) => {
                tx.commit().await?;
                return ask_for_password(ctx, person, &existing, &hash).await;
            }
            None => {
                let user = create_account(&mut tx, person, now).await?;
                if let Scope::Organization(org) = person.scope {
                    join(&mut tx, org, user.id, person.role, now).await?;
                }
                user
            }
        },
    };
    let detail = json!({ "email": person.email.as_str(), "issuer": person.issuer });
    record(
        &mut tx,
        person.scope,
        &user,
        "sso.signed_in",
        detail,
        person.ip,
        now,
    )
    .await?;
    // a session from the instance's provider is no organization's single sign-on: one that
    // turned password sign-in off refuses it as it refuses a password session
    let session = sessions::open_via(
        &mut tx.conn(),
        user.id,
        person.scope.organization(),
        person.ip,
        person.user_agent,
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.metrics.sso(SsoOutcome::SignedIn);
    Ok(Finished::SignedIn(session))
}

/// A new account for a verified address in an allowed domain, with no password (it signs in
/// through the provider; a password can be set later by a reset) and the identity linked.
async fn create_account(
    tx: &mut Tx,
    person: &Person<'_>,
    now: DateTime<Utc>,
) -> Result<User, Refusal> {
    let id = UserId::new();
    let local = person.email.as_str().split('@').next().unwrap_or("");
    let name = person
        .name
        .and_then(|n| crate::domain::profile::parse_name(n).ok())
        .unwrap_or_else(|| local.to_string());
    let created = Ts(now);
    let new = users::NewUser {
        id,
        email: person.email.as_str(),
        email_normalized: person.email.normalized(),
        name: &name,
        password_hash: NO_PASSWORD,
        time_zone: "UTC",
        is_instance_admin: false,
        // the provider vouched for it: a new account needs `email_verified` from it
        email_verified: true,
        now: created,
    };
    users::insert(&mut tx.conn(), &new).await?;
    let identity = NewIdentity {
        issuer: person.issuer,
        subject: person.subject,
        email: person.email,
    };
    link_identity(tx, id, &identity, now).await?;
    let (user, _) = users::find(&mut tx.conn(), id).await?.ok_or_else(|| {
        Refusal::Error(AppError::Internal(anyhow::anyhow!("a new user vanished")))
    })?;
    let detail = match person.scope {
        Scope::Organization(_) => json!({
            "email": person.email.as_str(),
            "issuer": person.issuer,
            "role": person.role.unwrap_or(Role::Member),
        }),
        // the account joins no organization: there is no role to tell
        Scope::Instance => json!({ "email": person.email.as_str(), "issuer": person.issuer }),
    };
    record(
        tx,
        person.scope,
        &user,
        "sso.account_created",
        detail,
        person.ip,
        now,
    )
    .await?;
    Ok(user)
}

/// An identity at a provider, about to be linked to an account.
pub(super) struct NewIdentity<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub email: &'a Email,
}

pub(super) async fn link_identity(
    tx: &mut Tx,
    user: UserId,
    new: &NewIdentity<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let identity = sso::Identity {
        id: IdentityId::new(),
        user,
        issuer: new.issuer.to_string(),
        subject: new.subject.to_string(),
        email: new.email.as_str().to_string(),
        created_at: Ts(now),
        last_used_at: Ts(now),
    };
    sso::insert_identity(&mut tx.conn(), &identity).await?;
    Ok(())
}

/// An account already has the address: nothing is linked until its owner proves it is theirs.
async fn ask_for_password(
    ctx: &Ctx,
    person: &Person<'_>,
    existing: &User,
    hash: &str,
) -> Result<Finished, Refusal> {
    if existing.disabled {
        return Err(Refusal::from(
            "Your GoGoTime account is disabled; ask the instance's operator.",
        ));
    }
    if !has_password(hash) {
        return Err(Refusal::from(
            "A GoGoTime account with this email address already signs in with another identity provider. Sign in with that one, or ask an admin.",
        ));
    }
    let now = ctx.clock.now();
    let token = secrets::new_token(secrets::SSO_LINK_PREFIX);
    let link = sso::PendingLink {
        id: uuid::Uuid::now_v7(),
        user: existing.id,
        organization: person.scope.organization(),
        issuer: person.issuer.to_string(),
        subject: person.subject.to_string(),
        email: person.email.as_str().to_string(),
        attempts: 0,
        role: person.role,
    };
    let expires_at = Ts(now + Duration::minutes(LINK_MINUTES));
    let mut pooled = ctx.db.acquire().await?;
    sso::insert_pending_link(
        &mut pooled.conn(),
        &secrets::digest(&token),
        &link,
        expires_at,
        Ts(now),
    )
    .await?;
    ctx.metrics.sso(SsoOutcome::LinkAsked);
    Ok(Finished::ConfirmLink {
        token,
        max_age_seconds: LINK_MINUTES * 60,
    })
}

/// The refusal for the operator's log: the person sees their address in the message, the log
/// keeps only its domain (what an operator needs to tell an allow-list problem apart).
fn without_mailboxes(message: &str) -> String {
    message
        .split(' ')
        .map(|word| match word.split_once('@') {
            Some((local, domain)) if !local.is_empty() => format!("…@{domain}"),
            _ => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::without_mailboxes;

    #[test]
    fn the_log_keeps_the_domain_of_an_address_and_drops_the_mailbox() {
        assert_eq!(
            without_mailboxes(
                "ada.lovelace@example.org is not in an email domain GoGoTime accepts."
            ),
            "…@example.org is not in an email domain GoGoTime accepts."
        );
        assert_eq!(
            without_mailboxes("The identity provider did not sign you in (access_denied)."),
            "The identity provider did not sign you in (access_denied)."
        );
    }
}
