//! "Forgot your password?": a single-use, hashed, short-lived link sent by email, that sets a
//! new password, ends every session of the account and tells its owner by email.
//!
//! Asking for a link answers the same whatever the address, and does the same work (token and
//! message are made either way), so the answer does not tell who has an account.

use chrono::Duration;
use serde::Deserialize;
use serde_json::json;

use super::secrets::{self, PASSWORD_RESET_PREFIX};
use super::{Ctx, accounts, audit, invalid, mail, passwords, sessions};
use crate::db::link_tokens::{self, Link};
use crate::db::{Ts, locks, password_resets, sign_in_failures, users};
use crate::domain::email::Email;
use crate::domain::password::Password;
use crate::error::{AppError, AppResult};

/// How long a reset link works.
pub const VALID_MINUTES: i64 = 30;
/// Links sent to one address per hour; further requests are answered alike and send nothing,
/// so nobody can flood a mailbox through us.
pub const MAX_PER_ADDRESS_PER_HOUR: i64 = 3;
/// Requests from one client address per hour before it is told to wait (429).
pub const MAX_PER_CLIENT_PER_HOUR: i64 = 20;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    #[schema(schema_with = crate::domain::field_schema::email)]
    pub email: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmation {
    /// The token from the emailed link (the last part of `/reset-password/{token}`).
    pub token: String,
    #[schema(schema_with = crate::domain::field_schema::required_password)]
    pub password: String,
}

/// Without SMTP there is nobody to send the link: the operator resets passwords instead. A
/// refusal by configuration, like closed registration, not an outage to retry.
pub fn email_off() -> AppError {
    AppError::Forbidden(
        "Password reset by email is off on this server (no SMTP server is configured). Ask your administrator to reset your password (gogotime user reset-password).".into(),
    )
}

fn gone() -> AppError {
    AppError::NotFound(
        "This password reset link is not valid: it was used already, replaced by a newer one, or mistyped. Ask for a new one.".into(),
    )
}

fn expired() -> AppError {
    AppError::NotFound(format!(
        "This password reset link has expired (links work for {VALID_MINUTES} minutes). Ask for a new one."
    ))
}

/// Queues a reset link for `email` when it belongs to an enabled account.
pub async fn request(ctx: &Ctx, input: ResetRequest, ip: &str) -> AppResult<()> {
    if !ctx.settings.email {
        return Err(email_off());
    }
    let now = ctx.clock.now();
    let address_key = format!("reset:{}", input.email.trim().to_lowercase());
    let client_key = format!("reset-ip:{ip}");
    let window_start = Ts(now - Duration::hours(1));
    let token = secrets::new_token(PASSWORD_RESET_PREFIX);
    let reset_url = format!(
        "{}/reset-password/{token}",
        crate::service::links::base(ctx)
    );

    let mut tx = ctx.db.begin().await?;
    for key in [&address_key, &client_key] {
        locks::lock(&mut tx.conn(), key).await?;
    }
    let (per_client, oldest) =
        sign_in_failures::recent(&mut tx.conn(), &client_key, window_start).await?;
    if per_client >= MAX_PER_CLIENT_PER_HOUR {
        let free_at = oldest.map_or(now, |t| t.0) + Duration::hours(1);
        return Err(AppError::RateLimited {
            retry_after_seconds: (free_at - now).num_seconds().max(1) as u64,
        });
    }
    let (per_address, _) =
        sign_in_failures::recent(&mut tx.conn(), &address_key, window_start).await?;
    for key in [&address_key, &client_key] {
        sign_in_failures::record(&mut tx.conn(), key, Ts(now), window_start).await?;
    }
    let found = match Email::parse(&input.email) {
        Ok(email) => users::find_by_email(&mut tx.conn(), email.normalized()).await?,
        Err(_) => None,
    };
    let name = found.as_ref().map_or("", |(user, _)| user.name.as_str());
    let message = crate::mail::PasswordReset {
        name,
        reset_url: &reset_url,
        valid_minutes: VALID_MINUTES,
    }
    .render()?;
    let queued = match &found {
        Some((user, _)) if !user.disabled && per_address < MAX_PER_ADDRESS_PER_HOUR => {
            let expires_at = Ts(now + Duration::minutes(VALID_MINUTES));
            let hash = secrets::digest(&token);
            password_resets::insert(&mut tx.conn(), user.id, &hash, expires_at, Ts(now)).await?;
            mail::queue(ctx, &mut tx, &user.email, &message).await?;
            true
        }
        _ => false,
    };
    tx.commit().await?;
    if queued {
        ctx.mail_wake.notify();
    }
    Ok(())
}

/// Whether a reset link can still be used (the page shows the form, or why not).
pub async fn check(ctx: &Ctx, token: &str) -> AppResult<()> {
    let mut pooled = ctx.db.acquire().await?;
    let found = password_resets::find(&mut pooled.conn(), &secrets::digest(token))
        .await?
        .ok_or_else(gone)?;
    if found.used_at.is_some() {
        return Err(gone());
    }
    if found.expires_at.0 <= ctx.clock.now() {
        return Err(expired());
    }
    Ok(())
}

/// Sets the new password through a reset link: uses the link up, ends every session and
/// refresh token of the account, and tells its owner by email.
pub async fn confirm(ctx: &Ctx, input: ResetConfirmation, ip: &str) -> AppResult<()> {
    let now = ctx.clock.now();
    let hash = secrets::digest(&input.token);
    let mut pooled = ctx.db.acquire().await?;
    let found = password_resets::find(&mut pooled.conn(), &hash)
        .await?
        .ok_or_else(gone)?;
    if found.used_at.is_some() {
        return Err(gone());
    }
    if found.expires_at.0 <= now {
        return Err(expired());
    }
    let (user, _) = users::find(&mut pooled.conn(), found.user)
        .await?
        .filter(|(user, _)| !user.disabled)
        .ok_or_else(gone)?;
    drop(pooled);
    let email = Email::parse(&user.email).map_err(|m| invalid("email", m))?;
    let password = Password::parse(&input.password, &email).map_err(|m| invalid("password", m))?;
    let new_hash = passwords::hash(password.expose().to_string()).await?;
    let notice = accounts::password_changed_notice(ctx, &user, "with a reset link")?;

    let mut tx = ctx.db.begin().await?;
    if !link_tokens::mark_used(&mut tx.conn(), Link::PasswordReset, found.id, Ts(now)).await? {
        // used by a concurrent request meanwhile
        return Err(gone());
    }
    link_tokens::retire_all(&mut tx.conn(), Link::PasswordReset, user.id, Ts(now)).await?;
    users::set_password_hash(&mut tx.conn(), user.id, &new_hash, Ts(now)).await?;
    sessions::end_all(&mut tx, user.id, now).await?;
    // the owner proved control of the mailbox: earlier failed sign-ins no longer lock them out
    sign_in_failures::clear(&mut tx.conn(), &format!("account:{}", email.normalized())).await?;
    audit::user_event(
        &mut tx,
        &user,
        "password.reset_by_email",
        json!({}),
        ip,
        now,
    )
    .await?;
    if ctx.settings.email {
        mail::queue(ctx, &mut tx, &user.email, &notice).await?;
    }
    tx.commit().await?;
    ctx.mail_wake.notify();
    Ok(())
}
