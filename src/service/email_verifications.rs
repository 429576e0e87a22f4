//! Proving an email address: a single-use, hashed, short-lived link sent to it (the password
//! reset's design: `secrets` makes and hashes the token, `db::link_tokens` uses it up). Sent on
//! registration and when someone changes their address; a new address takes effect only once
//! its link is followed, and the old address is told.
//!
//! Counted as proven without a link: accounts that existed before this (the migration), those
//! the operator makes (`gogotime user create`), and those made by following an emailed
//! invitation. With email off there is nobody to send a link: a change applies at once and
//! the address stays unproven.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::secrets::{self, EMAIL_VERIFICATION_PREFIX};
use super::{Actor, Ctx, audit, invalid, mail, passwords};
use crate::db::link_tokens::{self, Link};
use crate::db::{Conn, DbError, Ts, Tx, email_verifications, locks, sign_in_failures, users};
use crate::domain::account::User;
use crate::domain::email::Email;
use crate::error::{AppError, AppResult};

/// How long a verification link works.
pub const VALID_HOURS: i64 = 24;
/// Links sent for one account per hour (registration, "send again" and changes together).
pub const MAX_PER_ACCOUNT_PER_HOUR: i64 = 3;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationConfirmation {
    /// The token from the emailed link (the last part of `/verify-email/{token}`).
    pub token: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    #[schema(schema_with = crate::domain::field_schema::email)]
    pub email: String,
    pub current_password: String,
}

/// What following a link did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verified {
    /// The account's address now, proven.
    pub email: String,
    /// The link was for a new address, which replaced the old one.
    pub changed: bool,
}

/// What asking for a new address did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeRequested {
    /// The new address.
    pub email: String,
    /// true: a link was sent to it and the current address stays until it is followed;
    /// false: email is off on this server and the new address is in use already (unproven).
    pub pending: bool,
}

pub fn email_off() -> AppError {
    AppError::Forbidden(
        "This server does not send email (no SMTP server is configured), so it cannot send a verification link.".into(),
    )
}

fn gone() -> AppError {
    AppError::NotFound(
        "This verification link is not valid: it was used already, replaced by a newer one, or mistyped. Nothing was changed.".into(),
    )
}

fn expired() -> AppError {
    AppError::NotFound(format!(
        "This verification link has expired (links work for {VALID_HOURS} hours). Nothing was changed; ask for a new one on your profile page."
    ))
}

/// Makes a link for `address` (the account's own, or the new one it waits for) and queues it
/// in the caller's transaction. Call `ctx.mail_wake.notify()` after the commit.
pub(super) async fn queue_link(
    ctx: &Ctx,
    tx: &mut Tx,
    user: &User,
    address: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let token = secrets::new_token(EMAIL_VERIFICATION_PREFIX);
    let message = crate::mail::EmailVerification {
        name: &user.name,
        email: address,
        verify_url: &format!("{}/verify-email/{token}", crate::service::links::base(ctx)),
        valid_hours: VALID_HOURS,
        change: address != user.email,
    }
    .render()?;
    let new = email_verifications::NewToken {
        user: user.id,
        email: address,
        token_hash: &secrets::digest(&token),
        expires_at: Ts(now + Duration::hours(VALID_HOURS)),
        now: Ts(now),
    };
    // a new link replaces the older ones
    link_tokens::retire_all(&mut tx.conn(), Link::EmailVerification, user.id, Ts(now)).await?;
    email_verifications::insert(&mut tx.conn(), &new).await?;
    count_send(tx, user, now).await?;
    mail::queue(ctx, tx, address, &message).await
}

fn rate_key(user: &User) -> String {
    format!("verify:{}", user.id)
}

async fn count_send(tx: &mut Tx, user: &User, now: DateTime<Utc>) -> AppResult<()> {
    let window_start = Ts(now - Duration::hours(1));
    sign_in_failures::record(&mut tx.conn(), &rate_key(user), Ts(now), window_start).await?;
    Ok(())
}

/// Refuses a further link within the hour once the account had its share.
async fn check_rate(tx: &mut Tx, user: &User, now: DateTime<Utc>) -> AppResult<()> {
    let key = rate_key(user);
    locks::lock(&mut tx.conn(), &key).await?;
    let (sent, oldest) =
        sign_in_failures::recent(&mut tx.conn(), &key, Ts(now - Duration::hours(1))).await?;
    if sent >= MAX_PER_ACCOUNT_PER_HOUR {
        let free_at = oldest.map_or(now, |t| t.0) + Duration::hours(1);
        return Err(AppError::RateLimited {
            retry_after_seconds: (free_at - now).num_seconds().max(1) as u64,
        });
    }
    Ok(())
}

/// "Send the link again": for the pending new address, or else the unproven current one.
/// Answers which address it went to.
pub async fn resend(ctx: &Ctx, actor: &Actor) -> AppResult<String> {
    if !ctx.settings.email {
        return Err(email_off());
    }
    let user = &actor.user;
    let address = match (&user.pending_email, user.email_verified) {
        (Some(pending), _) => pending.clone(),
        (None, false) => user.email.clone(),
        (None, true) => {
            return Err(AppError::Conflict(format!(
                "{} is verified already; there is nothing to send.",
                user.email
            )));
        }
    };
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    check_rate(&mut tx, user, now).await?;
    queue_link(ctx, &mut tx, user, &address, now).await?;
    tx.commit().await?;
    ctx.mail_wake.notify();
    Ok(address)
}

/// A link that can still be followed: the token's row, its account, and whether it puts a
/// new address in use (rather than proving the current one).
struct LiveLink {
    found: email_verifications::VerificationToken,
    user: User,
    changed: bool,
}

/// Finds the link `token` names, or says why it cannot be followed; reads only.
async fn live_link(conn: &mut Conn<'_>, token: &str, now: DateTime<Utc>) -> AppResult<LiveLink> {
    let found = email_verifications::find(conn, &secrets::digest(token))
        .await?
        .ok_or_else(gone)?;
    if found.used_at.is_some() {
        return Err(gone());
    }
    if found.expires_at.0 <= now {
        return Err(expired());
    }
    let (user, _) = users::find(conn, found.user)
        .await?
        .filter(|(user, _)| !user.disabled)
        .ok_or_else(gone)?;
    let changed = user.pending_email.as_deref() == Some(found.email.as_str());
    if !changed && found.email != user.email {
        // a link for an address the account no longer uses or waits for
        return Err(gone());
    }
    Ok(LiveLink {
        found,
        user,
        changed,
    })
}

/// What following a link would do, without doing it: the link's page asks the person to
/// confirm with a button, because mail scanners open links and must not prove anything.
pub async fn check(ctx: &Ctx, token: &str) -> AppResult<Verified> {
    let mut pooled = ctx.db.acquire().await?;
    let link = live_link(&mut pooled.conn(), token, ctx.clock.now()).await?;
    Ok(Verified {
        email: link.found.email,
        changed: link.changed,
    })
}

/// Follows a link: proves the current address, or puts the pending new one in use (and tells
/// the old one). Nothing changes for an unknown, used, replaced or expired link.
pub async fn confirm(ctx: &Ctx, token: &str, ip: &str) -> AppResult<Verified> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let LiveLink {
        found,
        user,
        changed,
    } = live_link(&mut tx.conn(), token, now).await?;
    if !link_tokens::mark_used(&mut tx.conn(), Link::EmailVerification, found.id, Ts(now)).await? {
        return Err(gone());
    }
    link_tokens::retire_all(&mut tx.conn(), Link::EmailVerification, user.id, Ts(now)).await?;
    if changed {
        let email = Email::parse(&found.email).map_err(|m| invalid("email", m))?;
        put_in_use(&mut tx, &user, &email, true, now).await?;
        audit::user_event(
            &mut tx,
            &user,
            "email.changed",
            json!({ "from": user.email, "to": found.email }),
            ip,
            now,
        )
        .await?;
        let notice = crate::mail::EmailChanged {
            name: &user.name,
            old_email: &user.email,
            new_email: &found.email,
        }
        .render()?;
        mail::queue(ctx, &mut tx, &user.email, &notice).await?;
    } else {
        users::set_email_verified(&mut tx.conn(), user.id, Ts(now)).await?;
        audit::user_event(
            &mut tx,
            &user,
            "email.verified",
            json!({ "email": user.email }),
            ip,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    ctx.mail_wake.notify();
    Ok(Verified {
        email: found.email,
        changed,
    })
}

async fn put_in_use(
    tx: &mut Tx,
    user: &User,
    email: &Email,
    verified: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let set = users::set_email(
        &mut tx.conn(),
        user.id,
        email.as_str(),
        email.normalized(),
        verified,
        Ts(now),
    )
    .await;
    match set {
        Ok(()) => Ok(()),
        Err(DbError::Unique(_)) => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

fn taken() -> AppError {
    super::conflict("email", "another account uses this address")
}

/// Asks to use a new address (after checking the password). With email on, a link goes to the
/// new address and the current one stays in use until it is followed; with email off the new
/// address is in use at once.
pub async fn request_change(
    ctx: &Ctx,
    actor: &Actor,
    input: EmailChange,
) -> AppResult<ChangeRequested> {
    let user = &actor.user;
    let email = Email::parse(&input.email).map_err(|m| invalid("email", m))?;
    if email.normalized() == user.email.to_lowercase() {
        return Err(invalid("email", "is your address already"));
    }
    let mut pooled = ctx.db.acquire().await?;
    let (_, hash) = users::find(&mut pooled.conn(), user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    drop(pooled);
    if !passwords::verify(input.current_password, Some(hash)).await? {
        return Err(invalid("current_password", "is not your current password"));
    }
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    if users::find_by_email(&mut tx.conn(), email.normalized())
        .await?
        .is_some()
    {
        return Err(taken());
    }
    let pending = ctx.settings.email;
    if pending {
        check_rate(&mut tx, user, now).await?;
        users::set_pending_email(&mut tx.conn(), user.id, Some(email.as_str()), Ts(now)).await?;
        queue_link(ctx, &mut tx, user, email.as_str(), now).await?;
        audit::user_event(
            &mut tx,
            user,
            "email.change_requested",
            json!({ "to": email.as_str() }),
            &actor.ip,
            now,
        )
        .await?;
    } else {
        put_in_use(&mut tx, user, &email, false, now).await?;
        audit::user_event(
            &mut tx,
            user,
            "email.changed",
            json!({ "from": user.email, "to": email.as_str() }),
            &actor.ip,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    ctx.mail_wake.notify();
    Ok(ChangeRequested {
        email: email.as_str().to_string(),
        pending,
    })
}
