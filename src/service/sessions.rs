//! Browser sessions: a random id in an HttpOnly cookie, stored hashed, expiring after two weeks
//! of inactivity (renewed as it is used), revocable one by one or all at once; and the short
//! sign-in challenge that waits for a second factor before a session opens.

use serde_json::json;

use super::secrets::{self, SESSION_PREFIX, SIGN_IN_CHALLENGE_PREFIX};
use super::{Actor, CameIn, Ctx, audit, auth};
use chrono::{DateTime, Duration, Utc};

use crate::db::{Conn, Ts, Tx, credentials, passkeys, two_factor, users};
use crate::domain::account::Session;
use crate::domain::ids::{OrganizationId, SessionId, UserId};
use crate::error::{AppError, AppResult};

pub const IDLE_DAYS: i64 = 14;
/// Renew the expiry at most this often, so every request does not write.
const RENEW_AFTER_MINUTES: i64 = 60;

pub struct NewSession {
    /// Goes into the cookie; never stored.
    pub token: String,
    /// Must accompany every state-changing request made with the cookie.
    pub csrf_token: String,
    pub max_age_seconds: i64,
}

/// A challenge lives this long: time to open the app and type a code.
pub const CHALLENGE_MINUTES: i64 = 5;
/// Wrong codes a challenge takes before it ends (the limiter counts them too).
pub const CHALLENGE_ATTEMPTS: i64 = 5;

/// What a right password opens.
pub enum SignIn {
    Session(NewSession),
    /// Two-factor sign-in is on: the token goes into a short-lived cookie, and
    /// `complete_sign_in` with a code opens the session.
    SecondFactor {
        token: String,
        max_age_seconds: i64,
    },
}

/// Signs in with a password: opens a session, or a challenge when a second factor must follow.
pub async fn sign_in(
    ctx: &Ctx,
    email: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> AppResult<SignIn> {
    let now = ctx.clock.now();
    let user = match auth::check_password(ctx, email, password, ip).await? {
        auth::FirstFactor::Done(user) => user,
        auth::FirstFactor::SecondFactorNeeded(user) => {
            let token = secrets::new_token(SIGN_IN_CHALLENGE_PREFIX);
            let mut pooled = ctx.db.acquire().await?;
            let expires_at = Ts(now + Duration::minutes(CHALLENGE_MINUTES));
            let hash = secrets::digest(&token);
            two_factor::insert_challenge(&mut pooled.conn(), user.id, &hash, expires_at, Ts(now))
                .await?;
            return Ok(SignIn::SecondFactor {
                token,
                max_age_seconds: CHALLENGE_MINUTES * 60,
            });
        }
    };
    let mut pooled = ctx.db.acquire().await?;
    Ok(SignIn::Session(
        open(&mut pooled.conn(), user.id, ip, user_agent, now).await?,
    ))
}

/// Signs in with password and, when two-factor sign-in is on, `totp`, in one request.
pub async fn sign_in_with_code(
    ctx: &Ctx,
    email: &str,
    password: &str,
    totp: Option<&str>,
    ip: &str,
    user_agent: &str,
) -> AppResult<NewSession> {
    let user = auth::check_credentials(ctx, email, password, totp, ip).await?;
    let mut pooled = ctx.db.acquire().await?;
    open(&mut pooled.conn(), user.id, ip, user_agent, ctx.clock.now()).await
}

/// The second factors the person of a waiting challenge has, so the page offers only those.
#[derive(Debug, Clone, Copy)]
pub struct ChallengeFactors {
    /// An authenticator app is set up: its codes (and the recovery codes) are accepted.
    pub app: bool,
    /// At least one passkey is registered.
    pub passkeys: bool,
}

/// What a challenge token that is still waiting for its second factor can be answered with;
/// `None` when it is not waiting (unknown, expired or out of attempts).
pub async fn challenge_factors(ctx: &Ctx, token: &str) -> AppResult<Option<ChallengeFactors>> {
    let mut pooled = ctx.db.acquire().await?;
    let hash = secrets::digest(token);
    let found = two_factor::find_challenge(&mut pooled.conn(), &hash, Ts(ctx.clock.now())).await?;
    let Some(challenge) = found.filter(|c| c.attempts < CHALLENGE_ATTEMPTS) else {
        return Ok(None);
    };
    let factor = two_factor::find_factor(&mut pooled.conn(), challenge.user).await?;
    let registered = passkeys::count(&mut pooled.conn(), challenge.user).await?;
    Ok(Some(ChallengeFactors {
        app: factor.is_some_and(|f| f.confirmed),
        passkeys: registered > 0,
    }))
}

/// The second step of a browser sign-in: the challenge's code opens the session. A wrong code
/// is a field error on `code`; an unknown, expired or exhausted challenge is `Unauthorized`
/// (sign in again).
pub async fn complete_sign_in(
    ctx: &Ctx,
    token: &str,
    code: &str,
    ip: &str,
    user_agent: &str,
) -> AppResult<NewSession> {
    complete(ctx, token, SecondFactor::Code(code), ip, user_agent).await
}

/// Password-less sign-in: a passkey's answer to a `Purpose::SignIn` ceremony opens a session.
pub async fn sign_in_with_passkey(
    ctx: &Ctx,
    response: &str,
    ip: &str,
    user_agent: &str,
) -> AppResult<NewSession> {
    let user = auth::check_passkey(ctx, None, response, ip).await?;
    let mut pooled = ctx.db.acquire().await?;
    open(&mut pooled.conn(), user.id, ip, user_agent, ctx.clock.now()).await
}

/// The person a live sign-in challenge waits for (to start a passkey ceremony for them).
pub async fn challenge_user(ctx: &Ctx, token: &str) -> AppResult<UserId> {
    let mut pooled = ctx.db.acquire().await?;
    Ok(live_challenge(&mut pooled.conn(), ctx, token).await?.user)
}

/// The second step of a browser sign-in with a passkey instead of a code. A refused passkey
/// counts against the challenge like a wrong code; an unknown, expired or exhausted challenge is
/// `Unauthorized` (sign in again).
pub async fn complete_sign_in_with_passkey(
    ctx: &Ctx,
    token: &str,
    response: &str,
    ip: &str,
    user_agent: &str,
) -> AppResult<NewSession> {
    complete(ctx, token, SecondFactor::Passkey(response), ip, user_agent).await
}

/// What answers a sign-in challenge.
enum SecondFactor<'a> {
    /// A code from the authenticator app, or a recovery code.
    Code(&'a str),
    /// A passkey's answer to a `Purpose::SecondFactor` ceremony.
    Passkey(&'a str),
}

/// The challenge `token` names, while it is live and has attempts left.
async fn live_challenge(
    conn: &mut Conn<'_>,
    ctx: &Ctx,
    token: &str,
) -> AppResult<two_factor::Challenge> {
    let hash = secrets::digest(token);
    two_factor::find_challenge(conn, &hash, Ts(ctx.clock.now()))
        .await?
        .filter(|c| c.attempts < CHALLENGE_ATTEMPTS)
        .ok_or(AppError::Unauthorized)
}

/// Checks `factor` against the challenge's person; a refusal counts against the challenge (the
/// last allowed one ends it), a pass consumes it and opens the session.
async fn complete(
    ctx: &Ctx,
    token: &str,
    factor: SecondFactor<'_>,
    ip: &str,
    user_agent: &str,
) -> AppResult<NewSession> {
    let mut pooled = ctx.db.acquire().await?;
    let challenge = live_challenge(&mut pooled.conn(), ctx, token).await?;
    let (user, _) = users::find(&mut pooled.conn(), challenge.user)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if user.disabled {
        return Err(AppError::Unauthorized);
    }
    drop(pooled);
    let checked = match factor {
        SecondFactor::Code(code) => auth::check_second_factor(ctx, &user, code, ip).await,
        SecondFactor::Passkey(response) => auth::check_passkey(ctx, Some(&user), response, ip)
            .await
            .map(|_| ()),
    };
    match checked {
        Ok(()) => {}
        Err(AppError::Unauthorized) => {
            let mut pooled = ctx.db.acquire().await?;
            two_factor::count_wrong_code(&mut pooled.conn(), challenge.id).await?;
            if challenge.attempts + 1 >= CHALLENGE_ATTEMPTS {
                two_factor::delete_challenge(&mut pooled.conn(), challenge.id).await?;
                return Err(AppError::Unauthorized);
            }
            return Err(match factor {
                SecondFactor::Code(_) => super::invalid("code", super::two_factor::WRONG_CODE),
                SecondFactor::Passkey(_) => super::invalid(
                    "passkey",
                    "was not accepted; try again, or enter a code instead",
                ),
            });
        }
        Err(e) => return Err(e),
    }
    let mut tx = ctx.db.begin().await?;
    if !two_factor::delete_challenge(&mut tx.conn(), challenge.id).await? {
        // completed meanwhile by a concurrent request: that one got the session
        return Err(AppError::Unauthorized);
    }
    let new = open(&mut tx.conn(), user.id, ip, user_agent, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(new)
}

/// Replaces the session `old` with a fresh one for the same person, after they gained access
/// (joined an organization, created one): an id learnt before the change, or fixed in the
/// browser by someone else, is worth nothing after it. Both in one transaction, so the person
/// is never left with no session or two.
pub async fn rotate(
    ctx: &Ctx,
    actor: &Actor,
    old: SessionId,
    user_agent: &str,
) -> AppResult<NewSession> {
    let mut tx = ctx.db.begin().await?;
    if !credentials::delete_session(&mut tx.conn(), actor.user.id, old).await? {
        // ended meanwhile (signed out elsewhere): do not bring it back under a new id
        return Err(AppError::Unauthorized);
    }
    // the new session came in as the old one did
    let sso = match actor.came_in {
        CameIn::SingleSignOn(org) => Some(org),
        CameIn::Password | CameIn::Token => None,
    };
    let new = open_via(
        &mut tx.conn(),
        actor.user.id,
        sso,
        &actor.ip,
        user_agent,
        ctx.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// Opens a session signed in by a password (and second factor).
pub(super) async fn open(
    conn: &mut Conn<'_>,
    user: UserId,
    ip: &str,
    user_agent: &str,
    now: DateTime<Utc>,
) -> AppResult<NewSession> {
    open_via(conn, user, None, ip, user_agent, now).await
}

/// Opens a session, noting the organization whose single sign-on signed the person in (an
/// organization that disabled password sign-in lets only such sessions in).
pub(super) async fn open_via(
    conn: &mut Conn<'_>,
    user: UserId,
    sso_organization: Option<OrganizationId>,
    ip: &str,
    user_agent: &str,
    now: DateTime<Utc>,
) -> AppResult<NewSession> {
    let token = secrets::new_token(SESSION_PREFIX);
    let csrf_token = crate::secret::generate();
    let new = credentials::NewSession {
        id: SessionId::new(),
        user,
        hash: &secrets::digest(&token),
        csrf_token: &csrf_token,
        user_agent: &user_agent.chars().take(300).collect::<String>(),
        ip,
        sso_organization,
        expires_at: Ts(now + Duration::days(IDLE_DAYS)),
        now: Ts(now),
    };
    credentials::insert_session(conn, &new).await?;
    Ok(NewSession {
        token,
        csrf_token,
        max_age_seconds: IDLE_DAYS * 86_400,
    })
}

/// The actor of a session cookie, with the session's id and CSRF token.
pub async fn authenticate(
    ctx: &Ctx,
    token: &str,
    ip: &str,
) -> AppResult<(Actor, SessionId, String)> {
    let now = ctx.clock.now();
    let mut pooled = ctx.db.acquire().await?;
    let session = credentials::find_session(&mut pooled.conn(), &secrets::digest(token), Ts(now))
        .await?
        .ok_or(AppError::Unauthorized)?;
    let (user, _) = users::find(&mut pooled.conn(), session.user)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if user.disabled {
        return Err(AppError::Unauthorized);
    }
    if now - session.last_seen_at.0 > Duration::minutes(RENEW_AFTER_MINUTES) {
        credentials::touch_session(
            &mut pooled.conn(),
            session.id,
            Ts(now + Duration::days(IDLE_DAYS)),
            Ts(now),
        )
        .await?;
    }
    Ok((
        Actor {
            user,
            ip: ip.to_string(),
            came_in: session
                .sso_organization
                .map_or(CameIn::Password, CameIn::SingleSignOn),
        },
        session.id,
        session.csrf_token,
    ))
}

pub async fn list(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<Session>> {
    let mut pooled = ctx.db.acquire().await?;
    Ok(credentials::list_sessions(&mut pooled.conn(), actor.user.id, Ts(ctx.clock.now())).await?)
}

pub async fn revoke(ctx: &Ctx, actor: &Actor, id: SessionId) -> AppResult<()> {
    let mut pooled = ctx.db.acquire().await?;
    if !credentials::delete_session(&mut pooled.conn(), actor.user.id, id).await? {
        return Err(AppError::NotFound(
            "You have no session with this id.".into(),
        ));
    }
    Ok(())
}

/// "Sign out everywhere": every session and every refresh token of the user.
pub async fn revoke_all(ctx: &Ctx, actor: &Actor) -> AppResult<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    end_all(&mut tx, actor.user.id, now).await?;
    audit::user_event(
        &mut tx,
        &actor.user,
        "sessions.revoked_all",
        json!({}),
        &actor.ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every browser session and refresh-token family of a user (password change,
/// operator reset, disabling, "sign out everywhere").
pub async fn end_all(tx: &mut Tx, user: UserId, now: DateTime<Utc>) -> AppResult<()> {
    credentials::delete_all_sessions(&mut tx.conn(), user).await?;
    credentials::revoke_all_refresh(&mut tx.conn(), user, Ts(now)).await?;
    Ok(())
}
