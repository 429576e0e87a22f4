//! The `calendar_feeds` table: one secret iCalendar feed per person, stored as the SHA-256 hash
//! of the token in its URL.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::ids::UserId;

/// Creates the person's feed, or replaces its token (the old URL stops working at once).
pub async fn replace(conn: &mut Conn<'_>, user: UserId, hash: &[u8], now: Ts) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into calendar_feeds (user_id, token_hash, created_at) values ($1, $2, $3) \
             on conflict (user_id) do update set token_hash = excluded.token_hash, created_at = excluded.created_at",
        )
        .bind(user.as_uuid())
        .bind(hash)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Revokes the person's feed; false when there was none.
pub async fn delete(conn: &mut Conn<'_>, user: UserId) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("delete from calendar_feeds where user_id = $1")
            .bind(user.as_uuid())
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// When the person's current feed was created, if they have one.
pub async fn created_at(conn: &mut Conn<'_>, user: UserId) -> DbResult<Option<Ts>> {
    let row: Option<(Ts,)> = with_conn!(conn, c => {
        sqlx::query_as("select created_at from calendar_feeds where user_id = $1")
            .bind(user.as_uuid())
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(|(at,)| at))
}

/// Whose feed a token hash opens; nobody's when the token is unknown, revoked or replaced, or
/// its owner's account is disabled.
pub async fn owner(conn: &mut Conn<'_>, hash: &[u8]) -> DbResult<Option<UserId>> {
    let row: Option<(Uuid,)> = with_conn!(conn, c => {
        sqlx::query_as(
            "select f.user_id from calendar_feeds f join users u on u.id = f.user_id \
             where f.token_hash = $1 and u.disabled_at is null",
        )
        .bind(hash)
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(|(id,)| UserId::from_uuid(id)))
}
