//! What the single-use links sent by email have in common (password reset, email
//! verification): each table stores SHA-256 hashes only, and a link is used once, after which it
//! and every other open link of the account of the same kind stop working.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::ids::UserId;

#[derive(Debug, Clone, Copy)]
pub enum Link {
    PasswordReset,
    EmailVerification,
}

impl Link {
    fn mark_used_sql(self) -> &'static str {
        match self {
            Link::PasswordReset => {
                "update password_reset_tokens set used_at = $2 where id = $1 and used_at is null"
            }
            Link::EmailVerification => {
                "update email_verification_tokens set used_at = $2 where id = $1 and used_at is null"
            }
        }
    }

    fn retire_all_sql(self) -> &'static str {
        match self {
            Link::PasswordReset => {
                "update password_reset_tokens set used_at = $2 where user_id = $1 and used_at is null"
            }
            Link::EmailVerification => {
                "update email_verification_tokens set used_at = $2 where user_id = $1 and used_at is null"
            }
        }
    }
}

/// Uses the link once; false when it was used (or is being used) already.
pub async fn mark_used(conn: &mut Conn<'_>, link: Link, id: Uuid, now: Ts) -> DbResult<bool> {
    let affected = with_conn!(conn, c => {
        sqlx::query(link.mark_used_sql())
            .bind(id)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(affected == 1)
}

/// Retires every open link of this kind of the user (one use makes older links worthless).
pub async fn retire_all(conn: &mut Conn<'_>, link: Link, user: UserId, now: Ts) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(link.retire_all_sql())
            .bind(user.as_uuid())
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}
