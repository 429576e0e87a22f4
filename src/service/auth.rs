//! Signing in and proving who you are: password sign-in (rate limited), JWT access tokens,
//! rotating refresh tokens with reuse detection, personal API tokens.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::secrets::{self, API_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX};
use super::{Actor, Caller, Ctx, audit, passwords};
use crate::db::{Ts, credentials, locks, sign_in_failures, users};
use crate::domain::account::User;
use crate::domain::email::Email;
use crate::domain::ids::{RefreshTokenId, UserId};
use crate::error::{AppError, AppResult};
use crate::metrics::product::SignInOutcome;

pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
pub const REFRESH_TOKEN_DAYS: i64 = 30;
pub const AUDIENCE: &str = "gogotime-api";

/// Sign-in failures allowed per account and per client address within the window.
pub const MAX_FAILURES: i64 = 10;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    iss: String,
    aud: String,
    #[serde(default)]
    iat: i64,
    exp: i64,
    /// Unique per token, for log correlation; not required to validate.
    #[serde(default)]
    jti: Option<Uuid>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
}

fn unauthorized() -> AppError {
    AppError::Unauthorized
}

/// Checks email and password, with per-account and per-address limits shared across instances.
///
/// Each attempt is counted as a failure *before* the (slow) password check and forgotten if it
/// succeeds, under a per-key lock: a burst of concurrent guesses cannot all slip past the count.
pub async fn check_password(ctx: &Ctx, email: &str, password: &str, ip: &str) -> AppResult<User> {
    let now = ctx.clock.now();
    let email_key = format!("account:{}", email.trim().to_lowercase());
    let ip_key = format!("ip:{ip}");
    let window_start = Ts(now - Duration::minutes(FAILURE_WINDOW_MINUTES));

    let mut tx = ctx.db.begin().await?;
    let mut attempts = Vec::new();
    for key in [&email_key, &ip_key] {
        // serialises concurrent attempts on this key until the transaction ends
        locks::lock(&mut tx.conn(), key).await?;
        let (failures, oldest) =
            sign_in_failures::recent(&mut tx.conn(), key, window_start).await?;
        if failures >= MAX_FAILURES {
            let free_at = oldest.map_or(now, |t| t.0) + Duration::minutes(FAILURE_WINDOW_MINUTES);
            let retry_after_seconds = (free_at - now).num_seconds().max(1) as u64;
            ctx.metrics.sign_in(SignInOutcome::RateLimited);
            return Err(AppError::RateLimited {
                retry_after_seconds,
            });
        }
    }
    for key in [&email_key, &ip_key] {
        attempts.push(sign_in_failures::record(&mut tx.conn(), key, Ts(now), window_start).await?);
    }
    let found = match Email::parse(email) {
        Ok(email) => users::find_by_email(&mut tx.conn(), email.normalized()).await?,
        Err(_) => None,
    };
    tx.commit().await?;

    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let valid = passwords::verify(password.to_string(), hash).await?;
    let mut tx = ctx.db.begin().await?;
    // the same locks in the same order as the count above: clearing this account's failures
    // while another attempt prunes them would otherwise delete the same rows in opposite orders
    for key in [&email_key, &ip_key] {
        locks::lock(&mut tx.conn(), key).await?;
    }
    match user {
        Some(user) if valid && !user.disabled => {
            sign_in_failures::forget(&mut tx.conn(), &attempts).await?;
            sign_in_failures::clear(&mut tx.conn(), &email_key).await?;
            audit::sign_in(&mut tx, &user, ip, true, now).await?;
            tx.commit().await?;
            ctx.metrics.sign_in(SignInOutcome::Success);
            Ok(user)
        }
        user => {
            if let Some(user) = user {
                audit::sign_in(&mut tx, &user, ip, false, now).await?;
            }
            tx.commit().await?;
            ctx.metrics.sign_in(SignInOutcome::Failure);
            // the same answer whether the email, the password or the account state was wrong
            Err(unauthorized())
        }
    }
}

/// `POST /auth/token`: a new access token and a new refresh token family.
pub async fn issue_tokens(
    ctx: &Ctx,
    email: &str,
    password: &str,
    ip: &str,
) -> AppResult<TokenPair> {
    let user = check_password(ctx, email, password, ip).await?;
    new_pair(ctx, user.id, Uuid::now_v7()).await
}

async fn new_pair(ctx: &Ctx, user: UserId, family: Uuid) -> AppResult<TokenPair> {
    let now = ctx.clock.now();
    let refresh = secrets::new_token(REFRESH_TOKEN_PREFIX);
    let mut pooled = ctx.db.acquire().await?;
    credentials::insert_refresh(
        &mut pooled.conn(),
        RefreshTokenId::new(),
        family,
        user,
        &secrets::digest(&refresh),
        Ts(now + Duration::days(REFRESH_TOKEN_DAYS)),
        Ts(now),
    )
    .await?;
    Ok(TokenPair {
        access_token: access_token(ctx, user, now)?,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token: refresh,
    })
}

fn access_token(ctx: &Ctx, user: UserId, now: DateTime<Utc>) -> AppResult<String> {
    let claims = Claims {
        sub: user.as_uuid(),
        iss: ctx.settings.public_url.clone(),
        aud: AUDIENCE.to_string(),
        iat: now.timestamp(),
        exp: now.timestamp() + ACCESS_TOKEN_SECONDS,
        jti: Some(Uuid::now_v7()),
    };
    let key = EncodingKey::from_secret(ctx.settings.jwt_secret.expose_secret().as_bytes());
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("signing an access token failed: {e}")))
}

/// `POST /auth/refresh`: single use; presenting a used token revokes its whole family.
pub async fn refresh(ctx: &Ctx, refresh_token: &str) -> AppResult<TokenPair> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let token = credentials::find_refresh(&mut tx.conn(), &secrets::digest(refresh_token))
        .await?
        .ok_or_else(unauthorized)?;
    if token.used || token.revoked {
        // A used token presented again means it was copied: end every session of that family.
        credentials::revoke_family(&mut tx.conn(), token.family_id, Ts(now)).await?;
        tx.commit().await?;
        tracing::warn!(user = %token.user_id, "a used refresh token was presented again; its family is revoked");
        return Err(unauthorized());
    }
    if token.expires_at.0 <= now
        || !credentials::use_refresh(&mut tx.conn(), token.id, Ts(now)).await?
    {
        return Err(unauthorized());
    }
    let (user, _) = users::find(&mut tx.conn(), token.user_id)
        .await?
        .ok_or_else(unauthorized)?;
    if user.disabled {
        return Err(unauthorized());
    }
    tx.commit().await?;
    new_pair(ctx, user.id, token.family_id).await
}

/// `POST /auth/logout`: revokes the refresh token's family. Unknown tokens are not an error.
pub async fn logout(ctx: &Ctx, refresh_token: &str) -> AppResult<()> {
    let mut tx = ctx.db.begin().await?;
    if let Some(token) =
        credentials::find_refresh(&mut tx.conn(), &secrets::digest(refresh_token)).await?
    {
        credentials::revoke_family(&mut tx.conn(), token.family_id, Ts(ctx.clock.now())).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Resolves an `Authorization: Bearer` credential for a use case that checks membership first
/// (see `Acting`): a JWT access token is verified in memory and its account is left to that
/// check; a personal API token is looked up as by `authenticate_bearer`.
pub async fn bearer_caller(ctx: &Ctx, token: &str, ip: &str) -> AppResult<Caller> {
    if token.starts_with(API_TOKEN_PREFIX) {
        return authenticate_bearer(ctx, token, ip)
            .await
            .map(Caller::Account);
    }
    let user = verify_access_token(ctx, token, ctx.clock.now())?;
    Ok(Caller::AccessToken {
        user,
        ip: ip.to_string(),
    })
}

/// Resolves an `Authorization: Bearer` credential: a personal API token or a JWT access token.
pub async fn authenticate_bearer(ctx: &Ctx, token: &str, ip: &str) -> AppResult<Actor> {
    let now = ctx.clock.now();
    let mut pooled = ctx.db.acquire().await?;
    let user_id = if token.starts_with(API_TOKEN_PREFIX) {
        credentials::use_api_token(&mut pooled.conn(), &secrets::digest(token), Ts(now))
            .await?
            .ok_or_else(unauthorized)?
    } else {
        verify_access_token(ctx, token, now)?
    };
    let (user, _) = users::find(&mut pooled.conn(), user_id)
        .await?
        .ok_or_else(unauthorized)?;
    if user.disabled {
        return Err(unauthorized());
    }
    Ok(Actor {
        user,
        ip: ip.to_string(),
    })
}

fn verify_access_token(ctx: &Ctx, token: &str, now: DateTime<Utc>) -> AppResult<UserId> {
    // Only HS256 is accepted: tokens claiming `none` or any other algorithm fail here.
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[&ctx.settings.public_url]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 0;
    // exp is checked against our clock (injectable in tests), not the system's
    validation.validate_exp = false;
    let key = DecodingKey::from_secret(ctx.settings.jwt_secret.expose_secret().as_bytes());
    let data =
        jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|_| unauthorized())?;
    if data.claims.exp <= now.timestamp() {
        return Err(unauthorized());
    }
    Ok(UserId::from_uuid(data.claims.sub))
}
