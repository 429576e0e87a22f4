//! Browser sessions: a random id in an HttpOnly cookie, stored hashed, expiring after two weeks
//! of inactivity (renewed as it is used), revocable one by one or all at once.

use serde_json::json;

use super::secrets::{self, SESSION_PREFIX};
use super::{Actor, Ctx, audit, auth};
use chrono::{DateTime, Duration, Utc};

use crate::db::{Conn, Ts, Tx, credentials, users};
use crate::domain::account::Session;
use crate::domain::ids::{SessionId, UserId};
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

/// Signs in with a password and opens a session.
pub async fn sign_in(
    ctx: &Ctx,
    email: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> AppResult<NewSession> {
    let user = auth::check_password(ctx, email, password, ip).await?;
    let mut pooled = ctx.db.acquire().await?;
    open(&mut pooled.conn(), user.id, ip, user_agent, ctx.clock.now()).await
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
    let new = open(
        &mut tx.conn(),
        actor.user.id,
        &actor.ip,
        user_agent,
        ctx.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}

async fn open(
    conn: &mut Conn<'_>,
    user: UserId,
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
