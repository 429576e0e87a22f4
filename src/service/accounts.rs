//! Accounts: registration (with the instance's registration policy), profile, password, and
//! the operator's `gogotime user` commands.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{Actor, Check, Ctx, audit, email_verifications, invalid, mail, passwords};
use crate::config::Registration as Policy;
use crate::db::{DbError, Ts, Tx, locks, two_factor, users};
use crate::domain::account::User;
use crate::domain::email::Email;
use crate::domain::ids::UserId;
use crate::domain::password::Password;
use crate::domain::profile::{parse_name, parse_time_zone, parse_week_start};
use crate::error::{AppError, AppResult};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    #[schema(schema_with = crate::domain::field_schema::email)]
    pub email: String,
    #[schema(schema_with = crate::domain::field_schema::required_password)]
    pub password: String,
    #[schema(schema_with = crate::domain::field_schema::required_name)]
    pub name: String,
    #[serde(default)]
    #[schema(schema_with = crate::domain::field_schema::optional_time_zone)]
    pub time_zone: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::domain::field_schema::optional_name)]
    pub organization_name: Option<String>,
}

/// A validated registration with its password already hashed.
pub struct Prepared {
    email: Email,
    name: String,
    time_zone: String,
    password_hash: String,
    organization_name: Option<String>,
}

/// Validates every field (reporting all problems at once) and hashes the password.
pub async fn prepare(input: Registration) -> AppResult<Prepared> {
    let mut check = Check::default();
    let email = check.field("email", Email::parse(&input.email));
    let name = check.field("name", parse_name(&input.name));
    let time_zone = check.field(
        "time_zone",
        parse_time_zone(input.time_zone.as_deref().unwrap_or("UTC")),
    );
    let organization_name = match input
        .organization_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) => check.field("organization_name", parse_name(n)).map(Some),
        None => Some(None),
    };
    // the password rules are checked even when the email is malformed, so all problems show at once
    let placeholder =
        Email::parse("placeholder@invalid.invalid").map_err(|m| invalid("email", m))?;
    let password = check.field(
        "password",
        Password::parse(&input.password, email.as_ref().unwrap_or(&placeholder)),
    );
    check.finish()?;
    let (Some(email), Some(name), Some(time_zone), Some(organization_name), Some(password)) =
        (email, name, time_zone, organization_name, password)
    else {
        unreachable!("checked above")
    };
    let password_hash = passwords::hash(password.expose().to_string()).await?;
    Ok(Prepared {
        email,
        name,
        time_zone,
        password_hash,
        organization_name,
    })
}

/// `email_verified`: the address counts as proven from the start (the operator vouches for it,
/// or the emailed invitation link was followed).
pub async fn insert_user(
    tx: &mut Tx,
    prepared: &Prepared,
    is_instance_admin: bool,
    email_verified: bool,
    now: DateTime<Utc>,
) -> AppResult<User> {
    let id = UserId::new();
    let new = users::NewUser {
        id,
        email: prepared.email.as_str(),
        email_normalized: prepared.email.normalized(),
        name: &prepared.name,
        password_hash: &prepared.password_hash,
        time_zone: &prepared.time_zone,
        is_instance_admin,
        email_verified,
        now: Ts(now),
    };
    match users::insert(&mut tx.conn(), &new).await {
        Ok(()) => {}
        Err(DbError::Unique(_)) => {
            return Err(super::conflict(
                "email",
                "an account with this email already exists",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let (user, _) = users::find(&mut tx.conn(), id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a new user vanished")))?;
    Ok(user)
}

/// True until the first account exists: the web UI then offers its setup page.
pub async fn is_fresh_instance(ctx: &Ctx) -> AppResult<bool> {
    let mut pooled = ctx.db.acquire().await?;
    Ok(users::count(&mut pooled.conn()).await? == 0)
}

/// Why the registration policy refuses a new account (beyond the first), if it does.
pub fn registration_refused(policy: Policy) -> Option<AppError> {
    match policy {
        Policy::Open => None,
        Policy::Invite => Some(AppError::Forbidden(
            "Registration on this instance is by invitation only; ask an administrator to invite you.".into(),
        )),
        Policy::Closed => Some(AppError::Forbidden(
            "Registration on this instance is closed.".into(),
        )),
    }
}

/// `POST /auth/register`. The instance's first user may always register and becomes its admin
/// and the owner of a first organization.
pub async fn register(ctx: &Ctx, input: Registration, ip: &str) -> AppResult<User> {
    let prepared = prepare(input).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    // two registrations on a fresh instance must not both count zero users and become admin
    locks::lock(&mut tx.conn(), "registration").await?;
    let first = users::count(&mut tx.conn()).await? == 0;
    if !first && let Some(refused) = registration_refused(ctx.settings.registration) {
        return Err(refused);
    }
    let user = insert_user(&mut tx, &prepared, first, false, now).await?;
    let org_name = match (&prepared.organization_name, first) {
        (Some(name), _) => Some(name.clone()),
        (None, true) => Some(format!("{}'s organization", prepared.name)),
        (None, false) => None,
    };
    if let Some(name) = org_name {
        let actor = Actor {
            user: user.clone(),
            ip: ip.to_string(),
            came_in: super::CameIn::Password,
        };
        super::organizations::create_in(&mut tx, &actor, name, "EUR".into(), now).await?;
    }
    if ctx.settings.email {
        email_verifications::queue_link(ctx, &mut tx, &user, &user.email, now).await?;
    }
    tx.commit().await?;
    ctx.mail_wake.notify();
    Ok(user)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[schema(schema_with = crate::domain::field_schema::optional_name)]
    pub name: Option<String>,
    #[schema(schema_with = crate::domain::field_schema::optional_time_zone)]
    pub time_zone: Option<String>,
    /// 1 (Monday) to 7 (Sunday).
    #[schema(minimum = 1, maximum = 7)]
    pub week_start: Option<i64>,
}

pub async fn update_profile(ctx: &Ctx, actor: &Actor, input: ProfileInput) -> AppResult<User> {
    let mut user = actor.user.clone();
    let mut check = Check::default();
    if let Some(name) = input
        .name
        .as_deref()
        .and_then(|n| check.field("name", parse_name(n)))
    {
        user.name = name;
    }
    if let Some(tz) = input
        .time_zone
        .as_deref()
        .and_then(|tz| check.field("time_zone", parse_time_zone(tz)))
    {
        user.time_zone = tz;
    }
    if let Some(day) = input
        .week_start
        .and_then(|d| check.field("week_start", parse_week_start(d)))
    {
        user.week_start = day;
    }
    check.finish()?;
    let now = ctx.clock.now();
    let mut pooled = ctx.db.acquire().await?;
    users::update_profile(&mut pooled.conn(), &user, Ts(now)).await?;
    user.updated_at = now;
    Ok(user)
}

/// Changes the password after checking the current one, and signs out everywhere.
pub async fn change_password(ctx: &Ctx, actor: &Actor, current: &str, new: &str) -> AppResult<()> {
    let email = Email::parse(&actor.user.email).map_err(|m| invalid("email", m))?;
    let password = Password::parse(new, &email).map_err(|m| invalid("new_password", m))?;
    let mut pooled = ctx.db.acquire().await?;
    let (_, hash) = users::find(&mut pooled.conn(), actor.user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    drop(pooled);
    if !passwords::verify(current.to_string(), Some(hash)).await? {
        return Err(invalid("current_password", "is not your current password"));
    }
    let new_hash = passwords::hash(password.expose().to_string()).await?;
    let notice = password_changed_notice(ctx, &actor.user, "on your account page")?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    set_password_and_sign_out(&mut tx, actor.user.id, &new_hash, now).await?;
    audit::user_event(
        &mut tx,
        &actor.user,
        "password.changed",
        json!({}),
        &actor.ip,
        now,
    )
    .await?;
    if ctx.settings.email {
        mail::queue(ctx, &mut tx, &actor.user.email, &notice).await?;
    }
    tx.commit().await?;
    ctx.mail_wake.notify();
    Ok(())
}

/// "Your password was changed … if this wasn't you", for the account's address.
pub(super) fn password_changed_notice(
    ctx: &Ctx,
    user: &User,
    how: &str,
) -> AppResult<crate::mail::Rendered> {
    let url = &crate::service::links::base(ctx);
    Ok(crate::mail::PasswordChanged {
        name: &user.name,
        how,
        sign_in_url: &format!("{url}/sign-in"),
        forgot_url: &format!("{url}/forgot-password"),
    }
    .render()?)
}

async fn set_password_and_sign_out(
    tx: &mut Tx,
    user: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    users::set_password_hash(&mut tx.conn(), user, hash, Ts(now)).await?;
    super::sessions::end_all(tx, user, now).await
}

async fn find_by_email(ctx: &Ctx, email: &str) -> AppResult<User> {
    let email = Email::parse(email).map_err(|m| invalid("email", m))?;
    let mut pooled = ctx.db.acquire().await?;
    let (user, _) = users::find_by_email(&mut pooled.conn(), email.normalized())
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("There is no account with the email {email}."))
        })?;
    Ok(user)
}

/// `gogotime user create`: bypasses the registration policy (the operator decides).
pub async fn create_by_operator(ctx: &Ctx, input: Registration, admin: bool) -> AppResult<User> {
    let prepared = prepare(input).await?;
    let mut tx = ctx.db.begin().await?;
    // the operator vouches for the address
    let user = insert_user(&mut tx, &prepared, admin, true, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(user)
}

/// `gogotime user reset-password`: sets a new password and signs the user out everywhere.
pub async fn reset_password_by_operator(ctx: &Ctx, email: &str, password: &str) -> AppResult<User> {
    let user = find_by_email(ctx, email).await?;
    let parsed_email = Email::parse(&user.email).map_err(|m| invalid("email", m))?;
    let password = Password::parse(password, &parsed_email).map_err(|m| invalid("password", m))?;
    let hash = passwords::hash(password.expose().to_string()).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    set_password_and_sign_out(&mut tx, user.id, &hash, now).await?;
    audit::user_event(
        &mut tx,
        &user,
        "password.reset_by_operator",
        json!({}),
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// `gogotime user disable`: the user can no longer sign in; sessions and tokens stop working.
pub async fn disable_by_operator(ctx: &Ctx, email: &str) -> AppResult<User> {
    let user = find_by_email(ctx, email).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    users::set_disabled(&mut tx.conn(), user.id, Some(Ts(now)), Ts(now)).await?;
    super::sessions::end_all(&mut tx, user.id, now).await?;
    audit::user_event(&mut tx, &user, "user.disabled", json!({}), "", now).await?;
    tx.commit().await?;
    Ok(user)
}

/// `gogotime user reset-two-factor`: turns off two-factor sign-in for someone who lost the
/// authenticator and the recovery codes (the operator checks who is asking; nothing here can).
/// The password stays; they may set two-factor up again. Their passkeys go too: a passkey is a
/// second factor, and a lost phone usually held both.
pub async fn reset_two_factor_by_operator(ctx: &Ctx, email: &str) -> AppResult<User> {
    let user = find_by_email(ctx, email).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    two_factor::delete_all(&mut tx.conn(), user.id).await?;
    crate::db::passkeys::delete_all(&mut tx.conn(), user.id).await?;
    let event = "two_factor.reset_by_operator";
    audit::user_event(&mut tx, &user, event, json!({}), "", now).await?;
    tx.commit().await?;
    Ok(user)
}
