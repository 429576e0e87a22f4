//! The data layer: one `Db` over PostgreSQL or SQLite, chosen by the URL scheme (DESIGN §3).
//!
//! Only this module imports sqlx. Queries for both dialects sit side by side in one function.

pub mod audit;
pub mod backup;
pub mod calendar_feeds;
pub mod catalog;
mod conn;
mod connect;
pub mod credentials;
pub mod email_verifications;
pub mod entries;
mod error;
pub mod imports;
pub mod instance;
pub mod invitations;
pub mod link_tokens;
pub mod locks;
pub mod migrate;
pub mod names;
pub mod organizations;
pub mod outbox;
pub mod passkeys;
pub mod password_resets;
pub mod rates;
pub mod report_links;
pub mod reports;
pub mod server;
pub mod sign_in_failures;
pub mod sso;
pub mod stats;
mod time;
pub mod two_factor;
mod tx;
pub mod users;

pub use time::Ts;

use std::sync::Arc;
use std::time::Duration;

use sqlx::{PgPool, SqlitePool};
use tokio::sync::Semaphore;

pub use conn::{Conn, Pooled, with_conn};
pub use connect::ConnectError;
pub use error::{DbError, DbResult};
pub use tx::Tx;

/// Runs the same code against whichever pool `db` holds. The body is compiled once per
/// backend with concrete types (no generic `Database` code, DESIGN §3); write a `match` instead
/// where the SQL differs.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Postgres($pool) => $body,
            $crate::db::Db::Sqlite($pool, _) => $body,
        }
    };
}
pub use with_pool;

#[derive(Debug, Clone)]
pub enum Db {
    Postgres(PgPool),
    /// The pool, and the turn a write transaction waits for (see `tx`).
    Sqlite(SqlitePool, Arc<Semaphore>),
}

/// Pool occupancy, for metrics.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl Db {
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Postgres(_) => "postgres",
            Db::Sqlite(..) => "sqlite",
        }
    }

    /// A round trip through the pool; bounded by `timeout` even when the server hangs.
    pub async fn ping(&self, timeout: Duration) -> Result<Duration, String> {
        let started = std::time::Instant::now();
        let round_trip = async {
            match self {
                Db::Postgres(pool) => sqlx::query("select 1").execute(pool).await.map(drop),
                Db::Sqlite(pool, _) => sqlx::query("select 1").execute(pool).await.map(drop),
            }
        };
        match tokio::time::timeout(timeout, round_trip).await {
            Ok(Ok(())) => Ok(started.elapsed()),
            Ok(Err(e)) => {
                let message = e.to_string();
                let _ = self.connection_failed(e);
                Err(message)
            }
            Err(_) => {
                crate::metrics::db::error(crate::metrics::db::ErrorKind::Connection);
                Err(format!("no answer within {} ms", timeout.as_millis()))
            }
        }
    }

    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle, max) = match self {
            Db::Postgres(pool) => (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ),
            Db::Sqlite(pool, _) => (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ),
        };
        PoolStats {
            size,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
            max,
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Postgres(pool) => pool.close().await,
            Db::Sqlite(pool, _) => pool.close().await,
        }
    }
}
