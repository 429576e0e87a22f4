//! Database failures, by what callers can do about them.

use crate::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique constraint refused the write; carries the constraint name when the backend
    /// reports it (PostgreSQL), or the column list (SQLite: "users.email_normalized").
    #[error("unique constraint {0} refused the write")]
    Unique(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            let name = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_string());
            return DbError::Unique(name);
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
            DbError::Other(e) => AppError::Internal(e),
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;
