//! Transactions over either backend. SQLite transactions start `IMMEDIATE`, taking the write
//! lock up front: a deferred one that later writes can fail with "database is locked" instead
//! of waiting out the busy timeout.

use sqlx::{Postgres, Sqlite, Transaction};

use super::Db;
use super::error::DbResult;

pub enum Tx {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Db {
    pub async fn begin(&self) -> DbResult<Tx> {
        let started = std::time::Instant::now();
        let tx = match self {
            Db::Postgres(pool) => pool.begin().await.map(Tx::Postgres),
            Db::Sqlite(pool) => pool.begin_with("begin immediate").await.map(Tx::Sqlite),
        }
        .map_err(|e| self.connection_failed(e))?;
        // sqlx has no public way to begin on an already acquired connection, so the wait
        // includes the BEGIN round trip (a fraction of a millisecond next to a real wait)
        crate::metrics::db::acquired(started.elapsed());
        Ok(tx)
    }
}

impl Tx {
    pub async fn commit(self) -> DbResult<()> {
        match self {
            Tx::Postgres(t) => t.commit().await?,
            Tx::Sqlite(t) => t.commit().await?,
        }
        Ok(())
    }
}
