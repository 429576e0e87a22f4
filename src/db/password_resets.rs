//! The `password_reset_tokens` table: reset links sent by email. Tokens are stored as SHA-256
//! hashes only. Not tenant data: an account belongs to a person, not to an organization.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::ids::UserId;

pub struct ResetToken {
    pub id: Uuid,
    pub user: UserId,
    pub expires_at: Ts,
    pub used_at: Option<Ts>,
}

pub async fn insert(
    conn: &mut Conn<'_>,
    user: UserId,
    token_hash: &[u8],
    expires_at: Ts,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into password_reset_tokens (id, user_id, token_hash, expires_at, created_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(Uuid::now_v7())
        .bind(user.as_uuid())
        .bind(token_hash)
        .bind(expires_at)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, token_hash: &[u8]) -> DbResult<Option<ResetToken>> {
    let row: Option<(Uuid, Uuid, Ts, Option<Ts>)> = with_conn!(conn, c => {
        sqlx::query_as("select id, user_id, expires_at, used_at from password_reset_tokens where token_hash = $1")
            .bind(token_hash)
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(|(id, user, expires_at, used_at)| ResetToken {
        id,
        user: UserId::from_uuid(user),
        expires_at,
        used_at,
    }))
}
