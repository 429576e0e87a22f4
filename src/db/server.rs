//! What the database server is and how we are connected to it, for `gogotime preflight`.

use anyhow::Context;

use super::Db;

#[derive(Debug, Clone)]
pub struct ServerInfo {
    /// "PostgreSQL 15.8" or "SQLite 3.46.0".
    pub product: String,
    /// PostgreSQL: whether this connection is encrypted (pg_stat_ssl); SQLite: `None`.
    pub encrypted: Option<bool>,
}

const POSTGRES: &str = "select current_setting('server_version'), \
    coalesce((select ssl from pg_stat_ssl where pid = pg_backend_pid()), false)";
const SQLITE: &str = "select sqlite_version()";

pub async fn describe(db: &Db) -> anyhow::Result<ServerInfo> {
    match db {
        Db::Postgres(pool) => {
            let (version, ssl): (String, bool) = sqlx::query_as(POSTGRES)
                .fetch_one(pool)
                .await
                .context("asking PostgreSQL for its version failed")?;
            Ok(ServerInfo {
                product: format!("PostgreSQL {version}"),
                encrypted: Some(ssl),
            })
        }
        Db::Sqlite(pool, _) => {
            let version: String = sqlx::query_scalar(SQLITE)
                .fetch_one(pool)
                .await
                .context("asking SQLite for its version failed")?;
            Ok(ServerInfo {
                product: format!("SQLite {version}"),
                encrypted: None,
            })
        }
    }
}
