//! Transactions over either backend, in two kinds. A write transaction on SQLite starts
//! `IMMEDIATE`, taking the write lock up front: a deferred one that later writes can fail with
//! "database is locked" instead of waiting out the busy timeout. A read transaction takes no
//! lock on SQLite (WAL: a snapshot from its first read, beside one writer) and is `READ ONLY`
//! on PostgreSQL, so lists and reports never queue behind writers or hold writers up.
//!
//! SQLite admits one writer at a time, and one that finds the lock taken sleeps in SQLite's
//! busy handler (1, 2, 5 … 100 ms) instead of being woken when the lock is free: under a burst
//! of timer starts that put single requests past half a second. Write transactions on SQLite
//! therefore first take the database's turn, a FIFO semaphore of one that wakes the next
//! writer as soon as the previous commits or rolls back.

use std::sync::Arc;

use sqlx::{Postgres, Sqlite, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Db;
use super::connect::SQLITE_BUSY_TIMEOUT;
use super::error::DbResult;

pub enum Tx {
    Postgres(Transaction<'static, Postgres>),
    /// With the writers' turn when the transaction may write (dropped after the transaction).
    Sqlite(Transaction<'static, Sqlite>, Option<OwnedSemaphorePermit>),
}

impl Db {
    /// A transaction that may write.
    pub async fn begin(&self) -> DbResult<Tx> {
        self.begin_as("begin", "begin immediate", true).await
    }

    /// A transaction that only reads: one consistent snapshot, no write lock.
    pub async fn read(&self) -> DbResult<Tx> {
        self.begin_as("begin read only", "begin", false).await
    }

    async fn begin_as(
        &self,
        postgres: &'static str,
        sqlite: &'static str,
        writes: bool,
    ) -> DbResult<Tx> {
        let started = std::time::Instant::now();
        let tx = match self {
            Db::Postgres(pool) => pool.begin_with(postgres).await.map(Tx::Postgres),
            Db::Sqlite(pool, turn) => {
                let turn = if writes {
                    writers_turn(turn).await
                } else {
                    None
                };
                pool.begin_with(sqlite).await.map(|tx| Tx::Sqlite(tx, turn))
            }
        }
        .map_err(|e| self.connection_failed(e))?;
        // sqlx has no public way to begin on an already acquired connection, so the wait
        // includes the BEGIN round trip (a fraction of a millisecond next to a real wait)
        crate::metrics::db::acquired(started.elapsed());
        Ok(tx)
    }
}

/// The writers' turn, or none after as long as SQLite's own busy timeout: a code path that
/// held one write transaction while beginning another would then fail as it always did
/// ("database is locked") rather than wait forever.
async fn writers_turn(turn: &Arc<Semaphore>) -> Option<OwnedSemaphorePermit> {
    tokio::time::timeout(SQLITE_BUSY_TIMEOUT, turn.clone().acquire_owned())
        .await
        .ok()
        .and_then(Result::ok)
}

impl Tx {
    pub async fn commit(self) -> DbResult<()> {
        match self {
            Tx::Postgres(t) => t.commit().await?,
            // the turn passes on once the commit is done, with the write lock released
            Tx::Sqlite(t, _turn) => t.commit().await?,
        }
        Ok(())
    }
}
