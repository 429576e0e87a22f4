//! The `users` table.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::account::User;
use crate::domain::ids::UserId;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    email: String,
    name: String,
    time_zone: String,
    week_start: i16,
    is_instance_admin: bool,
    disabled_at: Option<Ts>,
    email_verified_at: Option<Ts>,
    pending_email: Option<String>,
    created_at: Ts,
    updated_at: Ts,
    password_hash: String,
}

impl Row {
    fn split(self) -> (User, String) {
        let user = User {
            id: UserId::from_uuid(self.id),
            email: self.email,
            name: self.name,
            time_zone: self.time_zone,
            week_start: self.week_start,
            is_instance_admin: self.is_instance_admin,
            disabled: self.disabled_at.is_some(),
            email_verified: self.email_verified_at.is_some(),
            pending_email: self.pending_email,
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
        };
        (user, self.password_hash)
    }
}

const COLUMNS: &str = "id, email, name, time_zone, week_start, is_instance_admin, disabled_at, email_verified_at, pending_email, created_at, updated_at, password_hash";

pub struct NewUser<'a> {
    pub id: UserId,
    pub email: &'a str,
    pub email_normalized: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub time_zone: &'a str,
    pub is_instance_admin: bool,
    /// Set when the address counts as proven from the start (the operator vouches for it, or
    /// an emailed invitation link was followed).
    pub email_verified: bool,
    pub now: Ts,
}

/// Inserts a user; `DbError::Unique` when the email is taken (any letter case).
pub async fn insert(conn: &mut Conn<'_>, new: &NewUser<'_>) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into users (id, email, email_normalized, name, password_hash, time_zone, is_instance_admin, email_verified_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(new.id.as_uuid())
        .bind(new.email)
        .bind(new.email_normalized)
        .bind(new.name)
        .bind(new.password_hash)
        .bind(new.time_zone)
        .bind(new.is_instance_admin)
        .bind(new.email_verified.then_some(new.now))
        .bind(new.now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn count(conn: &mut Conn<'_>) -> DbResult<i64> {
    Ok(with_conn!(conn, c => sqlx::query_scalar("select count(*) from users").fetch_one(c).await?))
}

/// The user and their password hash.
pub async fn find_by_email(
    conn: &mut Conn<'_>,
    email_normalized: &str,
) -> DbResult<Option<(User, String)>> {
    let sql = format!("select {COLUMNS} from users where email_normalized = $1");
    let row: Option<Row> =
        with_conn!(conn, c => sqlx::query_as(&sql).bind(email_normalized).fetch_optional(c).await?);
    Ok(row.map(Row::split))
}

pub async fn find(conn: &mut Conn<'_>, id: UserId) -> DbResult<Option<(User, String)>> {
    let sql = format!("select {COLUMNS} from users where id = $1");
    let row: Option<Row> =
        with_conn!(conn, c => sqlx::query_as(&sql).bind(id.as_uuid()).fetch_optional(c).await?);
    Ok(row.map(Row::split))
}

pub async fn update_profile(conn: &mut Conn<'_>, user: &User, now: Ts) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update users set name = $2, time_zone = $3, week_start = $4, updated_at = $5 where id = $1")
            .bind(user.id.as_uuid())
            .bind(&user.name)
            .bind(&user.time_zone)
            .bind(user.week_start)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn set_password_hash(
    conn: &mut Conn<'_>,
    id: UserId,
    hash: &str,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update users set password_hash = $2, updated_at = $3 where id = $1")
            .bind(id.as_uuid())
            .bind(hash)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn set_disabled(
    conn: &mut Conn<'_>,
    id: UserId,
    disabled_at: Option<Ts>,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update users set disabled_at = $2, updated_at = $3 where id = $1")
            .bind(id.as_uuid())
            .bind(disabled_at)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Marks the current address as proven.
pub async fn set_email_verified(conn: &mut Conn<'_>, id: UserId, now: Ts) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update users set email_verified_at = $2, updated_at = $2 where id = $1")
            .bind(id.as_uuid())
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Remembers a new address that waits for its link (None forgets it).
pub async fn set_pending_email(
    conn: &mut Conn<'_>,
    id: UserId,
    pending: Option<&str>,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update users set pending_email = $2, updated_at = $3 where id = $1")
            .bind(id.as_uuid())
            .bind(pending)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Puts a new address in use; `verified` says whether it was proven (a followed link) or not
/// (email is off). Forgets any pending address. `DbError::Unique` when another account has it.
pub async fn set_email(
    conn: &mut Conn<'_>,
    id: UserId,
    email: &str,
    email_normalized: &str,
    verified: bool,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "update users set email = $2, email_normalized = $3, email_verified_at = $4, pending_email = null, updated_at = $5 where id = $1",
        )
        .bind(id.as_uuid())
        .bind(email)
        .bind(email_normalized)
        .bind(verified.then_some(now))
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}
