//! Transactions over either backend, in two kinds. A write transaction on SQLite starts
//! `IMMEDIATE`, taking the write lock up front: a deferred one that later writes can fail with
//! "database is locked" instead of waiting out the busy timeout. A read transaction takes no
//! lock on SQLite (WAL: a snapshot from its first read, beside one writer) and is `READ ONLY`
//! on PostgreSQL, so lists and reports never queue behind writers or hold writers up.

use sqlx::{Postgres, Sqlite, Transaction};

use super::Db;
use super::error::DbResult;

pub enum Tx {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Db {
    /// A transaction that may write.
    pub async fn begin(&self) -> DbResult<Tx> {
        self.begin_as("begin", "begin immediate").await
    }

    /// A transaction that only reads: one consistent snapshot, no write lock.
    pub async fn read(&self) -> DbResult<Tx> {
        self.begin_as("begin read only", "begin").await
    }

    async fn begin_as(&self, postgres: &'static str, sqlite: &'static str) -> DbResult<Tx> {
        let started = std::time::Instant::now();
        let tx = match self {
            Db::Postgres(pool) => pool.begin_with(postgres).await.map(Tx::Postgres),
            Db::Sqlite(pool) => pool.begin_with(sqlite).await.map(Tx::Sqlite),
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
