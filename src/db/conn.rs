//! `Conn`: one connection of either backend, from the pool or inside a transaction, so query
//! functions are written once and callers choose whether they run in a transaction.

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection};

use super::error::DbResult;
use super::{Db, Tx};

pub enum Conn<'a> {
    Postgres(&'a mut PgConnection),
    Sqlite(&'a mut SqliteConnection),
}

impl Conn<'_> {
    /// The same connection for a shorter while, to hand to something that takes a `Conn`.
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Postgres(c) => Conn::Postgres(c),
            Conn::Sqlite(c) => Conn::Sqlite(c),
        }
    }
}

/// Runs the same code on a `&mut Conn`, compiled once per backend.
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Postgres(inner) => {
                let $c = &mut **inner;
                $body
            }
            $crate::db::Conn::Sqlite(inner) => {
                let $c = &mut **inner;
                $body
            }
        }
    };
}
pub use with_conn;

pub enum Pooled {
    Postgres(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

impl Pooled {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Postgres(c) => Conn::Postgres(c),
            Pooled::Sqlite(c) => Conn::Sqlite(c),
        }
    }
}

impl Db {
    pub async fn acquire(&self) -> DbResult<Pooled> {
        let started = std::time::Instant::now();
        let pooled = match self {
            Db::Postgres(pool) => pool.acquire().await.map(Pooled::Postgres),
            Db::Sqlite(pool, _) => pool.acquire().await.map(Pooled::Sqlite),
        }
        .map_err(|e| self.connection_failed(e))?;
        crate::metrics::db::acquired(started.elapsed());
        Ok(pooled)
    }
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Postgres(t) => Conn::Postgres(t),
            Tx::Sqlite(t, _) => Conn::Sqlite(t),
        }
    }
}
