//! SQLite: `VACUUM INTO` writes a consistent copy while the server keeps running (it reads in
//! one transaction; WAL lets writers carry on). A restore checks the copy, then moves it into
//! place with one rename: the target is either untouched or complete.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use futures_util::TryStreamExt;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};

use super::{
    BackupError, BackupResult, Dump, Hasher, TableFingerprint, compare, quote_ident, refused,
};
use crate::config::DatabaseUrl;

fn target_path(url: &DatabaseUrl) -> BackupResult<PathBuf> {
    match url.sqlite_path() {
        Some(path) => Ok(path),
        None => refused(
            "DATABASE_URL names an in-memory SQLite database; there is no file to back up or restore into",
        ),
    }
}

async fn open_read_only(path: &Path) -> BackupResult<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(Duration::from_secs(5));
    SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("opening {} failed", path.display()))
        .map_err(BackupError::Failed)
}

pub(super) async fn dump(url: &DatabaseUrl, file: &Path) -> BackupResult<Dump> {
    let source = target_path(url)?;
    if !source.is_file() {
        return refused(format!(
            "{} does not exist: check DATABASE_URL",
            source.display()
        ));
    }
    let options = SqliteConnectOptions::from_str(url.expose())
        .context("DATABASE_URL is not a valid SQLite URL")?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30));
    let mut live = SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("opening {} failed", source.display()))?;
    let target = file
        .to_str()
        .context("the backup directory's path is not valid UTF-8")?;
    sqlx::query("vacuum into ?1")
        .bind(target)
        .execute(&mut live)
        .await
        .with_context(|| format!("VACUUM INTO {target} failed"))?;
    let _ = live.close().await;
    // the copy is a frozen snapshot: fingerprint it rather than the live file
    let mut copy = open_read_only(file).await?;
    let tables = fingerprints(&mut copy).await?;
    let schema_version = schema_version(&mut copy).await?;
    let version: String = sqlx::query_scalar("select 'SQLite ' || sqlite_version()")
        .fetch_one(&mut copy)
        .await
        .context("reading the SQLite version failed")?;
    let _ = copy.close().await;
    Ok(Dump {
        file: file.to_path_buf(),
        tables,
        schema_version,
        server: version,
    })
}

pub(super) async fn restore(
    url: &DatabaseUrl,
    file: &Path,
    expected: &[TableFingerprint],
) -> BackupResult<()> {
    let target = target_path(url)?;
    ensure_empty(&target).await?;
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {} failed", parent.display()))?;
    }
    let staging = target.with_extension("restoring");
    let result = stage(file, &staging, expected).await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(&staging);
        return Err(e);
    }
    // an empty target may have left a write-ahead log behind; it must not be replayed onto the copy
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&staging, &target).with_context(|| {
        format!(
            "moving {} to {} failed",
            staging.display(),
            target.display()
        )
    })?;
    Ok(())
}

/// Copies the backup next to the target and checks it there, before anything is replaced.
async fn stage(file: &Path, staging: &Path, expected: &[TableFingerprint]) -> BackupResult<()> {
    std::fs::copy(file, staging).with_context(|| format!("copying {} failed", file.display()))?;
    std::fs::File::open(staging)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("syncing {} failed", staging.display()))?;
    let mut conn = open_read_only(staging).await?;
    let integrity: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&mut conn)
        .await
        .context("the backup's database file cannot be read")?;
    if integrity != "ok" {
        return Err(BackupError::Failed(anyhow::anyhow!(
            "the backup's database file fails SQLite's integrity check ({integrity}); nothing was restored"
        )));
    }
    let found = fingerprints(&mut conn).await?;
    let _ = conn.close().await;
    compare(&found, expected).map_err(|difference| {
        BackupError::Failed(anyhow::anyhow!(
            "the backup's data does not match its manifest ({difference}); nothing was restored"
        ))
    })
}

async fn ensure_empty(target: &Path) -> BackupResult<()> {
    match std::fs::metadata(target) {
        Err(_) => return Ok(()),
        Ok(meta) if meta.len() == 0 => return Ok(()),
        Ok(_) => {}
    }
    let mut conn = open_read_only(target).await?;
    let rows =
        sqlx::query("select name from sqlite_master where name not like 'sqlite_%' order by name")
            .fetch_all(&mut conn)
            .await
            .with_context(|| format!("reading {} failed", target.display()))?;
    let _ = conn.close().await;
    if !rows.is_empty() {
        let names: Vec<String> = rows.iter().take(5).map(|r| r.get(0)).collect();
        return refused(format!(
            "the target database {} is not empty ({} tables and other objects, e.g. {}): restore only into an empty database — point DATABASE_URL at a new file, or move this one away first; nothing was restored",
            target.display(),
            rows.len(),
            names.join(", ")
        ));
    }
    Ok(())
}

async fn schema_version(conn: &mut SqliteConnection) -> BackupResult<i64> {
    let exists: Option<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'table' and name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *conn)
    .await
    .context("looking for the migrations table failed")?;
    if exists.is_none() {
        return refused(
            "the database has no GoGoTime schema (no _sqlx_migrations table): run `gogotime migrate up` first, or check DATABASE_URL",
        );
    }
    let version: Option<i64> =
        sqlx::query_scalar("select max(version) from _sqlx_migrations where success")
            .fetch_one(&mut *conn)
            .await
            .context("reading the schema version failed")?;
    Ok(version.unwrap_or(0))
}

async fn fingerprints(conn: &mut SqliteConnection) -> BackupResult<Vec<TableFingerprint>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
    )
    .fetch_all(&mut *conn)
    .await
    .context("listing the tables failed")?;
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar("select name from pragma_table_info(?1) order by cid")
                .bind(&table)
                .fetch_all(&mut *conn)
                .await
                .with_context(|| format!("reading the columns of {table} failed"))?;
        // names come from the catalog, quoted; quote() renders every value (NULL, blobs) as SQL text
        let row = columns
            .iter()
            .map(|c| format!("quote({})", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let sql = format!("select {row} from {} order by 1", quote_ident(&table));
        let mut hasher = Hasher::new();
        let mut rows = sqlx::query_scalar::<_, String>(&sql).fetch(&mut *conn);
        while let Some(text) = rows
            .try_next()
            .await
            .with_context(|| format!("reading table {table} failed"))?
        {
            hasher.row(&text);
        }
        drop(rows);
        out.push(hasher.finish(&table));
    }
    Ok(out)
}
