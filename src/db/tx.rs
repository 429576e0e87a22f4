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

/// Runs the same code against the transaction's connection, compiled once per backend.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}
pub use with_tx;

impl Db {
    pub async fn begin(&self) -> DbResult<Tx> {
        Ok(match self {
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("begin immediate").await?),
        })
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
