//! Opening the pool: SQLite gets WAL, foreign keys and a busy timeout; errors name the server,
//! never the password.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::sqlite::SqliteTransactionManager;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, TransactionManager};
use tokio::sync::Semaphore;

use super::Db;
use crate::config::{DatabaseConfig, DatabaseKind, DatabaseTls, DatabaseUrl, SslMode};

/// How long a SQLite statement waits for another connection's lock before failing.
pub(super) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot connect to PostgreSQL at {server}: {reason}")]
    Postgres { server: String, reason: String },
    #[error("cannot open SQLite database {path}: {reason}")]
    Sqlite { path: String, reason: String },
}

impl Db {
    pub async fn connect(config: &DatabaseConfig) -> Result<Db, ConnectError> {
        match config.url.kind() {
            DatabaseKind::Postgres => connect_postgres(config).await,
            DatabaseKind::Sqlite => connect_sqlite(config).await,
        }
    }
}

async fn connect_postgres(config: &DatabaseConfig) -> Result<Db, ConnectError> {
    let server = config
        .url
        .server()
        .unwrap_or_else(|| "(unknown host)".into());
    let fail = |reason: String| ConnectError::Postgres {
        server: server.clone(),
        reason,
    };
    let options = PgConnectOptions::from_str(config.url.expose())
        .map_err(|e| fail(redact(&e.to_string(), &config.url)))?
        .application_name("gogotime");
    // One direct attempt first: the pool would only report "timed out", hiding the reason
    // (refused, unknown host, bad password) an operator needs.
    let probe =
        tokio::time::timeout(config.acquire_timeout, PgConnection::connect_with(&options)).await;
    match probe {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
        }
        Ok(Err(e)) => {
            let reason = redact(&e.to_string(), &config.url);
            let hint = config.url.tls().and_then(|tls| tls_hint(&reason, tls));
            return Err(fail(match hint {
                Some(hint) => format!("{reason} — {hint}"),
                None => reason,
            }));
        }
        Err(_) => {
            return Err(fail(format!(
                "no answer within {} s",
                config.acquire_timeout.as_secs()
            )));
        }
    }
    let pool = PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
        // a server restart leaves dead sockets in the pool; drop idle ones so they are re-made
        .idle_timeout(Duration::from_secs(300))
        // A ping before every use is a round trip per request (a millisecond to a managed
        // database): only a connection idle long enough to have missed a restart is pinged,
        // and one that fails it is replaced. One in use a moment ago is alive or fails its
        // next statement, which then answers 503 like any outage.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for < PING_WHEN_IDLE_FOR {
                    return Ok(true);
                }
                Ok(sqlx::Connection::ping(conn).await.is_ok())
            })
        })
        .connect_lazy_with(options);
    Ok(Db::Postgres(pool))
}

/// How long a pooled PostgreSQL connection may sit idle before it is pinged on its next use.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

async fn connect_sqlite(config: &DatabaseConfig) -> Result<Db, ConnectError> {
    let path = config.url.sqlite_path();
    let shown = path
        .as_ref()
        .map_or(":memory:".to_string(), |p| p.display().to_string());
    let fail = |reason: String| ConnectError::Sqlite {
        path: shown.clone(),
        reason,
    };
    if let Some(parent) = path
        .as_ref()
        .and_then(|p| p.parent())
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| fail(format!("cannot create folder {}: {e}", parent.display())))?;
    }
    let options = SqliteConnectOptions::from_str(config.url.expose())
        .map_err(|e| fail(e.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
        .after_release(|conn, _| Box::pin(async move { in_no_transaction(conn).await }))
        .connect_with(options)
        .await
        .map_err(|e| fail(e.to_string()))?;
    Ok(Db::Sqlite(pool, Arc::new(Semaphore::new(1))))
}

/// Whether a released SQLite connection may go back to the pool. SQLite rolls a transaction
/// back by itself when a write fails with SQLITE_FULL or an I/O error; sqlx's own ROLLBACK then
/// fails ("no transaction is active") and sqlx keeps counting the transaction as open, so every
/// later BEGIN on that connection would fail until a restart. Such a connection is closed (the
/// pool opens a fresh one) instead: the disk-full drill, tests/it/disk_full.rs, found this.
async fn in_no_transaction(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    // the ping runs after the ROLLBACK a dropped transaction queued on the connection
    conn.ping().await?;
    Ok(<SqliteTransactionManager as TransactionManager>::get_transaction_depth(conn) == 0)
}

/// What an operator should change when the failure is about TLS: driver messages name the
/// symptom (rustls' "UnknownIssuer", PostgreSQL's "no encryption"), not the setting to fix.
fn tls_hint(reason: &str, tls: &DatabaseTls) -> Option<String> {
    let mode = tls.mode.as_str();
    if reason.contains("no encryption") && matches!(tls.mode, SslMode::Disable | SslMode::Allow) {
        return Some(format!(
            "the server accepts only TLS connections, and DATABASE_URL has sslmode={mode}: use sslmode=verify-full (with sslrootcert= for a private CA)"
        ));
    }
    // another CA: "UnknownIssuer", or "BadSignature" when it happens to bear the same name
    if ["UnknownIssuer", "unknown issuer", "BadSignature"]
        .iter()
        .any(|symptom| reason.contains(symptom))
    {
        let ca = tls.root_cert.as_deref().map_or_else(
            || {
                "any CA GoGoTime trusts (set sslrootcert=/path/to/ca.pem in DATABASE_URL)"
                    .to_string()
            },
            |path| format!("the CA in sslrootcert={path}"),
        );
        return Some(format!(
            "sslmode={mode}: the server's certificate is not signed by {ca}; no connection was made"
        ));
    }
    if reason.contains("NotValidForName") || reason.contains("not valid for name") {
        return Some(format!(
            "sslmode={mode}: the server's certificate does not name the host in DATABASE_URL; connect with a name the certificate lists; no connection was made"
        ));
    }
    if reason.contains("does not support TLS") || reason.contains("server does not support SSL") {
        return Some(format!(
            "DATABASE_URL has sslmode={mode}, but the server does not offer TLS"
        ));
    }
    None
}

/// Driver messages may quote the URL; make sure its password never leaves this function.
fn redact(message: &str, url: &DatabaseUrl) -> String {
    url.passwords()
        .iter()
        .fold(message.to_string(), |message, password| {
            message.replace(password, "***")
        })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::DatabaseUrl;

    #[test]
    fn a_cloud_sql_socket_url_reaches_the_driver_as_that_socket() {
        let url = DatabaseUrl::parse(
            "postgres://app:hunter2@/time?host=/cloudsql/project:europe-west1:db",
        )
        .unwrap();
        let options = PgConnectOptions::from_str(url.expose()).unwrap();
        assert_eq!(
            options.get_socket().map(|p| p.as_path()),
            Some(Path::new("/cloudsql/project:europe-west1:db"))
        );
        assert_eq!(options.get_database(), Some("time"));
        assert_eq!(options.get_username(), "app");
    }
}
