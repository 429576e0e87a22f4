//! Signing in and proving who you are: password sign-in and the second factor after it (rate
//! limited together), JWT access tokens, rotating refresh tokens with reuse detection, personal
//! API tokens.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::passkeys::{self, Assertion, Purpose};
use super::secrets::{self, API_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX};
use super::{Actor, Caller, CameIn, Ctx, audit, passwords, two_factor};
use crate::db::{Ts, Tx, credentials, locks, sign_in_failures, users};
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

/// What a right password leads to.
pub enum FirstFactor {
    /// Signed in.
    Done(User),
    /// Two-factor sign-in is on: a code must follow (`check_second_factor`).
    SecondFactorNeeded(User),
}

fn limiter_keys(email: &str, ip: &str) -> [String; 2] {
    [
        format!("account:{}", email.trim().to_lowercase()),
        format!("ip:{ip}"),
    ]
}

/// Takes the limiter's locks on `keys` (serialising attempts on them until `tx` ends) and
/// refuses when either has had too many failures within the window.
async fn within_limits(
    ctx: &Ctx,
    tx: &mut Tx,
    keys: &[String],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let window_start = Ts(now - Duration::minutes(FAILURE_WINDOW_MINUTES));
    for key in keys {
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
    Ok(())
}

async fn record_failures(tx: &mut Tx, keys: &[String], now: DateTime<Utc>) -> AppResult<Vec<Uuid>> {
    let window_start = Ts(now - Duration::minutes(FAILURE_WINDOW_MINUTES));
    let mut attempts = Vec::new();
    for key in keys {
        attempts.push(sign_in_failures::record(&mut tx.conn(), key, Ts(now), window_start).await?);
    }
    Ok(attempts)
}

/// Checks email and password, with per-account and per-address limits shared across instances.
/// A user whose two-factor sign-in is on is not signed in yet: see `FirstFactor`.
///
/// Each attempt is counted as a failure *before* the (slow) password check and forgotten if it
/// succeeds, under a per-key lock: a burst of concurrent guesses cannot all slip past the count.
pub async fn check_password(
    ctx: &Ctx,
    email: &str,
    password: &str,
    ip: &str,
) -> AppResult<FirstFactor> {
    let now = ctx.clock.now();
    let keys = limiter_keys(email, ip);

    let mut tx = ctx.db.begin().await?;
    within_limits(ctx, &mut tx, &keys, now).await?;
    let attempts = record_failures(&mut tx, &keys, now).await?;
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
    for key in &keys {
        locks::lock(&mut tx.conn(), key).await?;
    }
    match user {
        Some(user) if valid && !user.disabled => {
            sign_in_failures::forget(&mut tx.conn(), &attempts).await?;
            if two_factor::is_on(&mut tx, user.id).await? {
                // the account's earlier failures stay counted until the second factor is
                // right too, so wrong codes add up even between right passwords
                tx.commit().await?;
                return Ok(FirstFactor::SecondFactorNeeded(user));
            }
            sign_in_failures::clear(&mut tx.conn(), &keys[0]).await?;
            audit::sign_in(&mut tx, &user, ip, true, now).await?;
            tx.commit().await?;
            ctx.metrics.sign_in(SignInOutcome::Success);
            Ok(FirstFactor::Done(user))
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

/// The second step of signing in as `user` (whose password was right): a code from the
/// authenticator app or a recovery code. Counted by the same limiter as passwords, per account
/// and per address; a wrong code is a failed sign-in.
pub async fn check_second_factor(ctx: &Ctx, user: &User, code: &str, ip: &str) -> AppResult<()> {
    let now = ctx.clock.now();
    let keys = limiter_keys(&user.email, ip);
    let mut tx = ctx.db.begin().await?;
    within_limits(ctx, &mut tx, &keys, now).await?;
    if two_factor::use_second_factor(&mut tx, user, code, ip, now)
        .await?
        .is_some()
    {
        sign_in_failures::clear(&mut tx.conn(), &keys[0]).await?;
        audit::sign_in(&mut tx, user, ip, true, now).await?;
        tx.commit().await?;
        ctx.metrics.sign_in(SignInOutcome::Success);
        return Ok(());
    }
    record_failures(&mut tx, &keys, now).await?;
    audit::sign_in(&mut tx, user, ip, false, now).await?;
    tx.commit().await?;
    ctx.metrics.sign_in(SignInOutcome::Failure);
    Err(unauthorized())
}

/// A passkey's answer to a sign-in ceremony: password-less (`expected` is `None`) or the second
/// factor of `expected`, whose password was right. Counted by the same limiter as passwords:
/// per address always, and per account once the passkey (or the expected person) is known; a
/// refused assertion is a failed sign-in.
pub async fn check_passkey(
    ctx: &Ctx,
    expected: Option<&User>,
    response: &str,
    ip: &str,
) -> AppResult<User> {
    let now = ctx.clock.now();
    let mut keys = vec![format!("ip:{ip}")];
    if let Some(user) = expected {
        keys.insert(0, limiter_keys(&user.email, ip)[0].clone());
    }
    let mut tx = ctx.db.begin().await?;
    within_limits(ctx, &mut tx, &keys, now).await?;
    let purpose = match expected {
        Some(_) => Purpose::SecondFactor,
        None => Purpose::SignIn,
    };
    let found = passkeys::check_assertion(ctx, &mut tx, purpose, response, ip, now).await?;
    let (verified, named) = match found {
        Assertion::Verified(user) => (true, Some(user)),
        Assertion::Refused(user) => (false, user),
    };
    let user = match named {
        Some(id) => passkeys::owner(&mut tx, id).await?,
        None => None,
    };
    match user {
        Some(user) if verified && !user.disabled => {
            let account = limiter_keys(&user.email, ip)[0].clone();
            sign_in_failures::clear(&mut tx.conn(), &account).await?;
            audit::sign_in(&mut tx, &user, ip, true, now).await?;
            tx.commit().await?;
            ctx.metrics.sign_in(SignInOutcome::Success);
            Ok(user)
        }
        user => {
            if let Some(user) = &user {
                let account = limiter_keys(&user.email, ip)[0].clone();
                if !keys.contains(&account) {
                    keys.insert(0, account);
                }
                audit::sign_in(&mut tx, user, ip, false, now).await?;
            }
            record_failures(&mut tx, &keys, now).await?;
            tx.commit().await?;
            ctx.metrics.sign_in(SignInOutcome::Failure);
            Err(unauthorized())
        }
    }
}

/// Email, password and, when the account has two-factor sign-in on, `totp` (a current code or
/// a recovery code) in one request: the API's token and session endpoints.
pub async fn check_credentials(
    ctx: &Ctx,
    email: &str,
    password: &str,
    totp: Option<&str>,
    ip: &str,
) -> AppResult<User> {
    match check_password(ctx, email, password, ip).await? {
        FirstFactor::Done(user) => Ok(user),
        FirstFactor::SecondFactorNeeded(user) => {
            let code = totp
                .filter(|code| !code.trim().is_empty())
                .ok_or(AppError::SecondFactorRequired)?;
            check_second_factor(ctx, &user, code, ip).await?;
            Ok(user)
        }
    }
}

/// `POST /auth/token`: a new access token and a new refresh token family.
pub async fn issue_tokens(
    ctx: &Ctx,
    email: &str,
    password: &str,
    totp: Option<&str>,
    ip: &str,
) -> AppResult<TokenPair> {
    let user = check_credentials(ctx, email, password, totp, ip).await?;
    new_pair(ctx, user.id, Uuid::now_v7()).await
}

/// `POST /auth/passkey/token`: password-less sign-in with a passkey's answer to a
/// `Purpose::SignIn` ceremony; a new access token and refresh token family.
pub async fn issue_tokens_with_passkey(
    ctx: &Ctx,
    response: &str,
    ip: &str,
) -> AppResult<TokenPair> {
    let user = check_passkey(ctx, None, response, ip).await?;
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
    let (user_id, came_in) = if token.starts_with(API_TOKEN_PREFIX) {
        let user = credentials::use_api_token(&mut pooled.conn(), &secrets::digest(token), Ts(now))
            .await?
            .ok_or_else(unauthorized)?;
        (user, CameIn::Token)
    } else {
        (verify_access_token(ctx, token, now)?, CameIn::Password)
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
        came_in,
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
