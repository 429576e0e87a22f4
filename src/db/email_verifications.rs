//! The `email_verification_tokens` table: links that prove an address, sent to it by email.
//! Tokens are stored as SHA-256 hashes only; each names the address it proves. Not tenant data:
//! an account belongs to a person, not to an organization. Using a link up is `link_tokens`.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::ids::UserId;

pub struct VerificationToken {
    pub id: Uuid,
    pub user: UserId,
    pub email: String,
    pub expires_at: Ts,
    pub used_at: Option<Ts>,
}

pub struct NewToken<'a> {
    pub user: UserId,
    pub email: &'a str,
    pub token_hash: &'a [u8],
    pub expires_at: Ts,
    pub now: Ts,
}

pub async fn insert(conn: &mut Conn<'_>, new: &NewToken<'_>) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into email_verification_tokens (id, user_id, email, token_hash, expires_at, created_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(new.user.as_uuid())
        .bind(new.email)
        .bind(new.token_hash)
        .bind(new.expires_at)
        .bind(new.now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, token_hash: &[u8]) -> DbResult<Option<VerificationToken>> {
    let row: Option<(Uuid, Uuid, String, Ts, Option<Ts>)> = with_conn!(conn, c => {
        sqlx::query_as("select id, user_id, email, expires_at, used_at from email_verification_tokens where token_hash = $1")
            .bind(token_hash)
            .fetch_optional(c)
            .await?
    });
    Ok(
        row.map(|(id, user, email, expires_at, used_at)| VerificationToken {
            id,
            user: UserId::from_uuid(user),
            email,
            expires_at,
            used_at,
        }),
    )
}
