//! Failed sign-ins, kept in the database so every instance sees the same counts.

use super::{Conn, DbResult, Ts, with_conn};

/// Failures of `key` at or after `since`, and the oldest of them.
pub async fn recent(conn: &mut Conn<'_>, key: &str, since: Ts) -> DbResult<(i64, Option<Ts>)> {
    Ok(with_conn!(conn, c => {
        sqlx::query_as("select count(*), min(failed_at) from sign_in_failures where key = $1 and failed_at >= $2")
            .bind(key)
            .bind(since)
            .fetch_one(c)
            .await?
    }))
}

/// Records an attempt as a failure (until `forget` says otherwise) and forgets this key's
/// failures older than `forget_before`. Returns the new row's id.
pub async fn record(
    conn: &mut Conn<'_>,
    key: &str,
    now: Ts,
    forget_before: Ts,
) -> DbResult<uuid::Uuid> {
    let id = uuid::Uuid::now_v7();
    with_conn!(conn, c => {
        sqlx::query("delete from sign_in_failures where key = $1 and failed_at < $2")
            .bind(key)
            .bind(forget_before)
            .execute(&mut *c)
            .await?;
        sqlx::query("insert into sign_in_failures (id, key, failed_at) values ($1, $2, $3)")
            .bind(id)
            .bind(key)
            .bind(now)
            .execute(&mut *c)
            .await?;
    });
    Ok(id)
}

/// Removes recorded attempts that turned out to succeed.
pub async fn forget(conn: &mut Conn<'_>, ids: &[uuid::Uuid]) -> DbResult<()> {
    for id in ids {
        with_conn!(conn, c => {
            sqlx::query("delete from sign_in_failures where id = $1").bind(*id).execute(c).await?;
        });
    }
    Ok(())
}

pub async fn clear(conn: &mut Conn<'_>, key: &str) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from sign_in_failures where key = $1").bind(key).execute(c).await?;
    });
    Ok(())
}
