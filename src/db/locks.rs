//! Named locks held until the end of a transaction, to serialise work on one key across
//! instances (PostgreSQL advisory locks). SQLite transactions here begin immediate and are
//! exclusive already.

use super::{Conn, DbResult};

pub async fn lock(conn: &mut Conn<'_>, key: &str) -> DbResult<()> {
    if let Conn::Postgres(c) = conn {
        sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut **c)
            .await?;
    }
    Ok(())
}
