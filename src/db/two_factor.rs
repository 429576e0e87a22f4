//! Two-factor sign-in: each user's authenticator secret, their recovery codes (stored as
//! SHA-256) and the sign-in challenges that wait for a second factor (token stored as SHA-256).

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::ids::UserId;

pub struct Factor {
    pub secret: Vec<u8>,
    /// False while enrolment waits for its first code.
    pub confirmed: bool,
    pub last_step: i64,
}

pub async fn find_factor(conn: &mut Conn<'_>, user: UserId) -> DbResult<Option<Factor>> {
    let row: Option<(Vec<u8>, Option<Ts>, i64)> = with_conn!(conn, c => {
        sqlx::query_as("select secret, confirmed_at, last_step from totp_factors where user_id = $1")
            .bind(user.as_uuid())
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(|(secret, confirmed_at, last_step)| Factor {
        secret,
        confirmed: confirmed_at.is_some(),
        last_step,
    }))
}

/// Starts (or restarts) enrolment with `secret`; false when two-factor is already on.
pub async fn start_factor(
    conn: &mut Conn<'_>,
    user: UserId,
    secret: &[u8],
    now: Ts,
) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query(
            "insert into totp_factors (user_id, secret, last_step, created_at) values ($1, $2, 0, $3) \
             on conflict (user_id) do update set secret = excluded.secret, created_at = excluded.created_at \
             where totp_factors.confirmed_at is null",
        )
        .bind(user.as_uuid())
        .bind(secret)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Turns a pending factor on, remembering the step of the code that confirmed it; false when
/// there was no pending factor (none, or already on).
pub async fn confirm_factor(
    conn: &mut Conn<'_>,
    user: UserId,
    step: i64,
    now: Ts,
) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("update totp_factors set confirmed_at = $3, last_step = $2 where user_id = $1 and confirmed_at is null")
            .bind(user.as_uuid())
            .bind(step)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// Records `step` as used; false when it (or a later one) was used already, also by a
/// concurrent request: the check and the write are one statement.
pub async fn accept_step(conn: &mut Conn<'_>, user: UserId, step: i64) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("update totp_factors set last_step = $2 where user_id = $1 and confirmed_at is not null and last_step < $2")
            .bind(user.as_uuid())
            .bind(step)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// Removes the factor, the recovery codes and pending challenges of a user.
pub async fn delete_all(conn: &mut Conn<'_>, user: UserId) -> DbResult<()> {
    for sql in [
        "delete from sign_in_challenges where user_id = $1",
        "delete from recovery_codes where user_id = $1",
        "delete from totp_factors where user_id = $1",
    ] {
        with_conn!(conn, c => {
            sqlx::query(sql).bind(user.as_uuid()).execute(c).await?;
        });
    }
    Ok(())
}

// ---- recovery codes ----

/// Replaces every recovery code of the user with the given digests.
pub async fn replace_recovery_codes(
    conn: &mut Conn<'_>,
    user: UserId,
    hashes: &[Vec<u8>],
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from recovery_codes where user_id = $1")
            .bind(user.as_uuid())
            .execute(&mut *c)
            .await?;
    });
    for hash in hashes {
        with_conn!(conn, c => {
            sqlx::query("insert into recovery_codes (id, user_id, code_hash, created_at) values ($1, $2, $3, $4)")
                .bind(Uuid::now_v7())
                .bind(user.as_uuid())
                .bind(hash)
                .bind(now)
                .execute(c)
                .await?;
        });
    }
    Ok(())
}

/// Uses up the user's unused recovery code with this digest; false when there is none.
pub async fn use_recovery_code(
    conn: &mut Conn<'_>,
    user: UserId,
    hash: &[u8],
    now: Ts,
) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("update recovery_codes set used_at = $3 where user_id = $1 and code_hash = $2 and used_at is null")
            .bind(user.as_uuid())
            .bind(hash)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n >= 1)
}

pub async fn unused_recovery_codes(conn: &mut Conn<'_>, user: UserId) -> DbResult<i64> {
    Ok(with_conn!(conn, c => {
        sqlx::query_scalar("select count(*) from recovery_codes where user_id = $1 and used_at is null")
            .bind(user.as_uuid())
            .fetch_one(c)
            .await?
    }))
}

// ---- sign-in challenges ----

pub struct Challenge {
    pub id: Uuid,
    pub user: UserId,
    pub attempts: i64,
}

/// Stores a new challenge and drops the user's expired ones.
pub async fn insert_challenge(
    conn: &mut Conn<'_>,
    user: UserId,
    hash: &[u8],
    expires_at: Ts,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from sign_in_challenges where user_id = $1 and expires_at <= $2")
            .bind(user.as_uuid())
            .bind(now)
            .execute(&mut *c)
            .await?;
        sqlx::query("insert into sign_in_challenges (id, user_id, token_hash, attempts, expires_at, created_at) values ($1, $2, $3, 0, $4, $5)")
            .bind(Uuid::now_v7())
            .bind(user.as_uuid())
            .bind(hash)
            .bind(expires_at)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// The live (unexpired) challenge with this token digest.
pub async fn find_challenge(
    conn: &mut Conn<'_>,
    hash: &[u8],
    now: Ts,
) -> DbResult<Option<Challenge>> {
    let row: Option<(Uuid, Uuid, i64)> = with_conn!(conn, c => {
        sqlx::query_as("select id, user_id, cast(attempts as bigint) from sign_in_challenges where token_hash = $1 and expires_at > $2")
            .bind(hash)
            .bind(now)
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(|(id, user, attempts)| Challenge {
        id,
        user: UserId::from_uuid(user),
        attempts,
    }))
}

/// Counts a wrong code against a challenge.
pub async fn count_wrong_code(conn: &mut Conn<'_>, id: Uuid) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update sign_in_challenges set attempts = attempts + 1 where id = $1")
            .bind(id)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Ends a challenge; false when it was gone already (used by a concurrent request).
pub async fn delete_challenge(conn: &mut Conn<'_>, id: Uuid) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("delete from sign_in_challenges where id = $1")
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}
