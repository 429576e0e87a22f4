//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238): enrolment, recovery codes,
//! turning it off, and checking a second factor for `auth` (issue 18).
//!
//! The secret is stored as is (the server must read it to check codes, see SECURITY.md);
//! recovery codes are stored as SHA-256 digests and shown once. No secret, code or token is
//! ever logged or put in an error.

use chrono::{DateTime, Utc};
use rand::{Rng, RngCore};
use serde::Serialize;
use serde_json::json;

use super::{Actor, Ctx, audit, invalid, passwords, secrets};
use crate::db::{Ts, Tx, organizations, passkeys, two_factor, users};
use crate::domain::account::User;
use crate::domain::ids::UserId;
use crate::domain::totp;
use crate::error::{AppError, AppResult};

pub const WRONG_CODE: &str = "is not right, or was used already; enter the current code from your authenticator app, or an unused recovery code";

/// At setup only a code of the new secret will do (there are no recovery codes yet).
const NOT_THE_APPS_CODE: &str = "is not the code your authenticator app shows now for this key; check that the key was added as shown, and enter the current code";

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Status {
    /// Signing in asks for a code after the password.
    pub enabled: bool,
    /// Enrolment was started and waits for a first code.
    pub pending: bool,
    /// Recovery codes not used yet (0 when two-factor is off).
    pub recovery_codes_left: i64,
    /// The organizations you belong to that require two-factor sign-in: it cannot be turned
    /// off while this is not empty, and until it is on they refuse you.
    pub required_by: Vec<String>,
}

/// A secret waiting for its first code: add it to an authenticator app.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// The secret in base32, for typing into the app.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code or an app that opens it.
    pub otpauth_uri: String,
}

/// Single-use codes for signing in without the authenticator; shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// How a second factor was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Code,
    RecoveryCode,
}

pub async fn status(ctx: &Ctx, actor: &Actor) -> AppResult<Status> {
    let mut pooled = ctx.db.acquire().await?;
    let factor = two_factor::find_factor(&mut pooled.conn(), actor.user.id).await?;
    let enabled = factor.as_ref().is_some_and(|f| f.confirmed);
    let recovery_codes_left = if enabled {
        two_factor::unused_recovery_codes(&mut pooled.conn(), actor.user.id).await?
    } else {
        0
    };
    let required_by =
        organizations::requiring_two_factor(&mut pooled.conn(), actor.user.id).await?;
    Ok(Status {
        enabled,
        pending: factor.is_some_and(|f| !f.confirmed),
        recovery_codes_left,
        required_by,
    })
}

/// The enrolment in progress, if one is.
pub async fn pending(ctx: &Ctx, actor: &Actor) -> AppResult<Option<Enrolment>> {
    let mut pooled = ctx.db.acquire().await?;
    let factor = two_factor::find_factor(&mut pooled.conn(), actor.user.id).await?;
    Ok(factor
        .filter(|f| !f.confirmed)
        .map(|f| enrolment(&f.secret, &actor.user.email)))
}

fn enrolment(secret: &[u8], email: &str) -> Enrolment {
    Enrolment {
        secret: totp::base32(secret),
        otpauth_uri: totp::otpauth_uri(secret, email),
    }
}

fn already_on() -> AppError {
    AppError::Conflict(
        "Two-factor sign-in is already on; turn it off first to move it to another app.".into(),
    )
}

/// Starts enrolment with a new secret (replacing one that was never confirmed). Nothing changes
/// for signing in until `confirm`.
pub async fn start(ctx: &Ctx, actor: &Actor) -> AppResult<Enrolment> {
    let mut secret = [0u8; totp::SECRET_BYTES];
    rand::rng().fill_bytes(&mut secret);
    let mut pooled = ctx.db.acquire().await?;
    let now = Ts(ctx.clock.now());
    if !two_factor::start_factor(&mut pooled.conn(), actor.user.id, &secret, now).await? {
        return Err(already_on());
    }
    Ok(enrolment(&secret, &actor.user.email))
}

/// Turns two-factor sign-in on with a first code from the app; returns the recovery codes.
pub async fn confirm(ctx: &Ctx, actor: &Actor, code: &str) -> AppResult<RecoveryCodes> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let factor = two_factor::find_factor(&mut tx.conn(), actor.user.id)
        .await?
        .ok_or_else(|| invalid("code", "there is no setup to confirm; start again"))?;
    if factor.confirmed {
        return Err(already_on());
    }
    let step = totp::accepted_step(&factor.secret, code, now.timestamp(), factor.last_step)
        .ok_or_else(|| invalid("code", NOT_THE_APPS_CODE))?;
    if !two_factor::confirm_factor(&mut tx.conn(), actor.user.id, step, Ts(now)).await? {
        return Err(already_on());
    }
    let codes = new_recovery_codes(&mut tx, actor.user.id, now).await?;
    let event = "two_factor.enabled";
    audit::user_event(&mut tx, &actor.user, event, json!({}), &actor.ip, now).await?;
    tx.commit().await?;
    Ok(codes)
}

async fn new_recovery_codes(
    tx: &mut Tx,
    user: UserId,
    now: DateTime<Utc>,
) -> AppResult<RecoveryCodes> {
    let codes: Vec<String> = {
        // the thread's generator is not `Send`: done with it before the first await
        let mut rng = rand::rng();
        (0..totp::RECOVERY_CODES)
            .map(|_| totp::recovery_code(|n| rng.random_range(0..n)))
            .collect()
    };
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| secrets::digest(c)).collect();
    two_factor::replace_recovery_codes(&mut tx.conn(), user, &hashes, Ts(now)).await?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

/// Checks a code from the app or a recovery code for a user whose two-factor sign-in is on,
/// using it up (a code's time step, or the recovery code). `None` when it is not valid now.
/// Recovery codes used are audited here.
pub(super) async fn use_second_factor(
    tx: &mut Tx,
    user: &User,
    code: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Proof>> {
    if totp::normalize_code(code).is_some() {
        let Some(factor) = two_factor::find_factor(&mut tx.conn(), user.id).await? else {
            return Ok(None);
        };
        let step = totp::accepted_step(&factor.secret, code, now.timestamp(), factor.last_step);
        return Ok(match step {
            Some(step) if factor.confirmed => {
                two_factor::accept_step(&mut tx.conn(), user.id, step)
                    .await?
                    .then_some(Proof::Code)
            }
            _ => None,
        });
    }
    let Some(recovery) = totp::normalize_recovery_code(code) else {
        return Ok(None);
    };
    let hash = secrets::digest(&recovery);
    if !two_factor::use_recovery_code(&mut tx.conn(), user.id, &hash, Ts(now)).await? {
        return Ok(None);
    }
    let left = two_factor::unused_recovery_codes(&mut tx.conn(), user.id).await?;
    let detail = json!({ "recovery_codes_left": left });
    audit::user_event(tx, user, "two_factor.recovery_code_used", detail, ip, now).await?;
    Ok(Some(Proof::RecoveryCode))
}

/// Whether signing in as `user` with a password needs a second factor: an authenticator app
/// or a passkey.
pub(super) async fn is_on(tx: &mut Tx, user: UserId) -> AppResult<bool> {
    Ok(totp_is_on(tx, user).await? || passkeys::count(&mut tx.conn(), user).await? > 0)
}

/// Whether the authenticator app is set up (codes and recovery codes work).
pub(super) async fn totp_is_on(tx: &mut Tx, user: UserId) -> AppResult<bool> {
    let factor = two_factor::find_factor(&mut tx.conn(), user).await?;
    Ok(factor.is_some_and(|f| f.confirmed))
}

/// What turning two-factor off or replacing recovery codes asks for again: the password, and
/// a current code or a recovery code.
pub struct Reauthentication<'a> {
    pub password: &'a str,
    pub code: &'a str,
}

/// Checks both proofs or says which field is wrong: the (slow) password before any
/// transaction, then the second factor inside `tx`, which uses it up.
async fn reauthenticate(
    ctx: &Ctx,
    actor: &Actor,
    proof: &Reauthentication<'_>,
    now: DateTime<Utc>,
) -> AppResult<Tx> {
    let mut pooled = ctx.db.acquire().await?;
    let (_, hash) = users::find(&mut pooled.conn(), actor.user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    drop(pooled);
    if !passwords::verify(proof.password.to_string(), Some(hash)).await? {
        return Err(invalid("current_password", "is not your current password"));
    }
    let mut tx = ctx.db.begin().await?;
    if !totp_is_on(&mut tx, actor.user.id).await? {
        return Err(AppError::Conflict("Two-factor sign-in is not on.".into()));
    }
    match use_second_factor(&mut tx, &actor.user, proof.code, &actor.ip, now).await? {
        Some(_) => Ok(tx),
        None => Err(invalid("code", WRONG_CODE)),
    }
}

/// Turns two-factor sign-in off, after the password and a second factor are proven again.
pub async fn disable(ctx: &Ctx, actor: &Actor, proof: Reauthentication<'_>) -> AppResult<()> {
    let now = ctx.clock.now();
    let mut tx = reauthenticate(ctx, actor, &proof, now).await?;
    let required_by = organizations::requiring_two_factor(&mut tx.conn(), actor.user.id).await?;
    // a passkey keeps two-factor sign-in on without the app
    let has_passkey = passkeys::count(&mut tx.conn(), actor.user.id).await? > 0;
    if !required_by.is_empty() && !has_passkey {
        return Err(AppError::Conflict(format!(
            "Two-factor sign-in stays on: {} require{} it of {} members. Leave {} first, or ask an owner to stop requiring it.",
            required_by.join(", "),
            if required_by.len() == 1 { "s" } else { "" },
            if required_by.len() == 1 {
                "its"
            } else {
                "their"
            },
            if required_by.len() == 1 { "it" } else { "them" },
        )));
    }
    two_factor::delete_all(&mut tx.conn(), actor.user.id).await?;
    let event = "two_factor.disabled";
    audit::user_event(&mut tx, &actor.user, event, json!({}), &actor.ip, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces every recovery code with ten new ones, after the password and a second factor are
/// proven again.
pub async fn regenerate_recovery_codes(
    ctx: &Ctx,
    actor: &Actor,
    proof: Reauthentication<'_>,
) -> AppResult<RecoveryCodes> {
    let now = ctx.clock.now();
    let mut tx = reauthenticate(ctx, actor, &proof, now).await?;
    let codes = new_recovery_codes(&mut tx, actor.user.id, now).await?;
    let event = "two_factor.recovery_codes_regenerated";
    audit::user_event(&mut tx, &actor.user, event, json!({}), &actor.ip, now).await?;
    tx.commit().await?;
    Ok(codes)
}
