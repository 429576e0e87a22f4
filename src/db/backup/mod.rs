//! Backups and restores of the whole database (the engine behind `gogotime backup|restore`):
//! a consistent copy plus a fingerprint of every table (row count and a SHA-256 of its rows in
//! a fixed order) taken from the same snapshot, so a restore can prove it brought back exactly
//! what was saved. PostgreSQL uses `pg_dump`/`pg_restore` (custom format), SQLite `VACUUM INTO`.
//!
//! Only this module knows the dialects; `commands::backup` writes the manifest around it.

mod postgres;
mod sqlite;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use postgres::{PgTools, pg_tools};

use crate::config::DatabaseUrl;

/// One table as it was at backup time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableFingerprint {
    pub name: String,
    pub rows: u64,
    /// SHA-256 (hex) over the table's rows as text, one per line, in byte order.
    pub sha256: String,
}

/// What `dump` made: the data file and the fingerprints of the snapshot it holds.
#[derive(Debug, Clone)]
pub struct Dump {
    pub file: PathBuf,
    pub tables: Vec<TableFingerprint>,
    pub schema_version: i64,
    /// e.g. "PostgreSQL 15.8" or "SQLite 3.46.0"
    pub server: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The operator can fix it (missing tool, unreadable file, target not empty …); the message
    /// says how.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

pub type BackupResult<T> = Result<T, BackupError>;

pub fn refused<T>(message: impl Into<String>) -> BackupResult<T> {
    Err(BackupError::Refused(message.into()))
}

/// The data file's name inside a backup directory.
pub fn data_file_name(url: &DatabaseUrl) -> &'static str {
    match url.kind() {
        crate::config::DatabaseKind::Postgres => "database.pgdump",
        crate::config::DatabaseKind::Sqlite => "database.sqlite",
    }
}

/// Writes a consistent copy of the database at `url` into `dir` (which must exist).
pub async fn dump(url: &DatabaseUrl, dir: &Path) -> BackupResult<Dump> {
    let file = dir.join(data_file_name(url));
    match url.kind() {
        crate::config::DatabaseKind::Postgres => postgres::dump(url, &file).await,
        crate::config::DatabaseKind::Sqlite => sqlite::dump(url, &file).await,
    }
}

/// Restores `file` into the empty database at `url` and checks every table against `expected`;
/// all or nothing.
pub async fn restore(
    url: &DatabaseUrl,
    file: &Path,
    expected: &[TableFingerprint],
) -> BackupResult<()> {
    match url.kind() {
        crate::config::DatabaseKind::Postgres => postgres::restore(url, file, expected).await,
        crate::config::DatabaseKind::Sqlite => sqlite::restore(url, file, expected).await,
    }
}

/// Compares fingerprints table by table; the message names every difference.
fn compare(found: &[TableFingerprint], expected: &[TableFingerprint]) -> Result<(), String> {
    let mut problems = Vec::new();
    for want in expected {
        match found.iter().find(|f| f.name == want.name) {
            None => problems.push(format!("table {} is missing", want.name)),
            Some(got) if got.rows != want.rows => problems.push(format!(
                "table {} has {} rows, the backup {}",
                want.name, got.rows, want.rows
            )),
            Some(got) if got.sha256 != want.sha256 => {
                problems.push(format!("table {}: content differs", want.name))
            }
            Some(_) => {}
        }
    }
    for got in found {
        if !expected.iter().any(|w| w.name == got.name) {
            problems.push(format!("table {} is not in the backup", got.name));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Streams rows (already rendered as text by the database) into a fingerprint.
struct Hasher {
    sha: sha2::Sha256,
    rows: u64,
}

impl Hasher {
    fn new() -> Self {
        use sha2::Digest;
        Self {
            sha: sha2::Sha256::new(),
            rows: 0,
        }
    }

    fn row(&mut self, text: &str) {
        use sha2::Digest;
        self.sha.update(text.as_bytes());
        self.sha.update(b"\n");
        self.rows += 1;
    }

    fn finish(self, name: &str) -> TableFingerprint {
        use sha2::Digest;
        TableFingerprint {
            name: name.to_string(),
            rows: self.rows,
            sha256: hex::encode(self.sha.finalize()),
        }
    }
}

/// A table name from the catalog, quoted for use as an identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(name: &str, rows: u64, sha: &str) -> TableFingerprint {
        TableFingerprint {
            name: name.into(),
            rows,
            sha256: sha.into(),
        }
    }

    #[test]
    fn compare_names_every_difference() {
        let expected = [fp("users", 2, "a"), fp("tags", 1, "b"), fp("gone", 0, "c")];
        let found = [fp("users", 3, "a"), fp("tags", 1, "x"), fp("extra", 0, "d")];
        assert_eq!(
            compare(&found, &expected).unwrap_err(),
            "table users has 3 rows, the backup 2; table tags: content differs; table gone is missing; table extra is not in the backup"
        );
        assert!(compare(&expected, &expected).is_ok());
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("time_entries"), "\"time_entries\"");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
    }
}
