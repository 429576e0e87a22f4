//! Instance-wide counts for the operator's metrics. Deliberately not scoped by organization:
//! they are totals across every tenant, served only on the metrics listener, never to a tenant.

use super::{Conn, DbResult, Ts, with_conn};

/// Timers running now (the partial unique index on running entries answers this).
pub async fn running_timers(conn: &mut Conn<'_>) -> DbResult<i64> {
    Ok(with_conn!(conn, c => {
        sqlx::query_scalar("select count(*) from time_entries where end_at is null and deleted_at is null")
            .fetch_one(c)
            .await?
    }))
}

/// Browser sessions that have not expired at `now`.
pub async fn active_sessions(conn: &mut Conn<'_>, now: Ts) -> DbResult<i64> {
    Ok(with_conn!(conn, c => {
        sqlx::query_scalar("select count(*) from sessions where expires_at > $1")
            .bind(now)
            .fetch_one(c)
            .await?
    }))
}
