//! Database failures, by what callers can do about them.

use crate::error::AppError;
use crate::metrics::db::{self as metrics, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique constraint refused the write; carries the constraint name when the backend
    /// reports it (PostgreSQL), or the column list (SQLite: "users.email_normalized").
    #[error("unique constraint {0} refused the write")]
    Unique(String),
    /// No connection could be had or it broke (server down, hung, restarting, pool exhausted):
    /// worth retrying, not a bug.
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// The database's disk is full (SQLITE_FULL; PostgreSQL's disk_full, 53100): the write was
    /// rolled back whole, and will work again once an operator frees space.
    #[error("the database's disk is full: {0}")]
    StorageFull(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        // every failed database call passes through here on its way to the caller
        metrics::error(kind(&e));
        Self::uncounted(e)
    }
}

impl DbError {
    /// The error for `e` without counting it (the caller counted it already).
    fn uncounted(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            let name = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_string());
            return DbError::Unique(name);
        }
        if matches!(kind(&e), ErrorKind::Connection | ErrorKind::PoolTimeout) {
            return DbError::Unavailable(e);
        }
        if let sqlx::Error::Database(db) = &e
            && is_disk_full(db.as_ref())
        {
            return DbError::StorageFull(db.message().to_string());
        }
        DbError::Other(anyhow::Error::new(e).context("a database query failed"))
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unique(name) => {
                AppError::Internal(anyhow::anyhow!("unexpected unique violation: {name}"))
            }
            DbError::Unavailable(e) => {
                // the cause is for the operator; the person gets a reason to retry
                tracing::warn!(error = %e, "a request failed: the database is unavailable");
                AppError::Unavailable {
                    message: "The database is not answering right now. Try again in a moment."
                        .into(),
                    // a database restart or failover usually takes seconds
                    retry_after_seconds: Some(5),
                }
            }
            DbError::StorageFull(reason) => {
                // the one place a full disk is reported: operators must free space
                tracing::error!(%reason, "a write was refused because the database's disk is full; free space on it");
                AppError::Unavailable {
                    message: "The server's disk is full, so this change was not saved. Try again once an administrator has freed space.".into(),
                    // freeing space takes a person, not seconds
                    retry_after_seconds: None,
                }
            }
            DbError::Other(e) => AppError::Internal(e),
        }
    }
}

/// SQLite's SQLITE_FULL (13, also as the low byte of an extended code) or PostgreSQL's
/// disk_full (53100).
fn is_disk_full(db: &dyn sqlx::error::DatabaseError) -> bool {
    let code = db.code().unwrap_or_default();
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        code.parse::<i32>().is_ok_and(|c| c & 0xff == 13)
    } else {
        code == "53100"
    }
}

pub type DbResult<T> = Result<T, DbError>;

impl super::Db {
    /// A failure to get a connection, begin on it or ping through it. A pool that times out below its
    /// maximum size could not open connections, so the server is the problem, not saturation.
    pub(super) fn connection_failed(&self, e: sqlx::Error) -> DbError {
        let stats = self.pool_stats();
        let kind = match kind(&e) {
            ErrorKind::PoolTimeout if stats.size < stats.max => ErrorKind::Connection,
            kind => kind,
        };
        metrics::error(kind);
        DbError::uncounted(e)
    }
}

/// What kind of failure `e` is, for `gogotime_db_errors_total`.
pub fn kind(e: &sqlx::Error) -> ErrorKind {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if db.is_unique_violation()
                || db.is_foreign_key_violation()
                || db.is_check_violation()
                || code.starts_with("23")
            {
                ErrorKind::Constraint
            } else if code.starts_with("08") || code.starts_with("57P") {
                // PostgreSQL connection exceptions; shutdown, crash or restart in progress
                ErrorKind::Connection
            } else if code.starts_with("40") || code == "5" || code == "6" {
                // PostgreSQL class 40 (serialization failure, deadlock); SQLITE_BUSY, SQLITE_LOCKED
                ErrorKind::Conflict
            } else {
                ErrorKind::Query
            }
        }
        sqlx::Error::PoolTimedOut => ErrorKind::PoolTimeout,
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => ErrorKind::Connection,
        sqlx::Error::RowNotFound
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::TypeNotFound { .. }
        | sqlx::Error::Encode(_) => ErrorKind::Decode,
        _ => ErrorKind::Other,
    }
}
