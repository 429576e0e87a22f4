//! PostgreSQL: `pg_dump` (custom format) inside a snapshot this connection exported, so the
//! fingerprints describe exactly what the dump holds; `pg_restore` in one transaction.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::str::FromStr;

use anyhow::Context;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection, Row};
use tokio::process::Command;
use url::Url;

use super::{
    BackupError, BackupResult, Dump, Hasher, TableFingerprint, compare, quote_ident, refused,
};
use crate::config::DatabaseUrl;

/// The client tools a PostgreSQL backup needs.
#[derive(Debug, Clone)]
pub struct PgTools {
    pub pg_dump: PathBuf,
    pub pg_restore: PathBuf,
    /// e.g. "pg_dump (PostgreSQL) 15.8"
    pub version: String,
}

/// Finds pg_dump and pg_restore on PATH, or in Debian's /usr/lib/postgresql/N/bin (newest first).
pub async fn pg_tools() -> BackupResult<PgTools> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .collect();
        versions.sort_by(|a, b| b.cmp(a));
        candidates.extend(versions);
    }
    let Some(dir) = tool_dir(&candidates) else {
        return refused(
            "pg_dump and pg_restore are not installed (not on PATH, not in /usr/lib/postgresql/*/bin): install PostgreSQL's client tools of at least the server's major version (Debian: apt-get install postgresql-client-15), or run the backup from the production stack's `backup` service, which has them",
        );
    };
    let pg_dump = dir.join("pg_dump");
    let output = Command::new(&pg_dump)
        .arg("--version")
        .output()
        .await
        .with_context(|| format!("running {} --version failed", pg_dump.display()))?;
    Ok(PgTools {
        pg_restore: dir.join("pg_restore"),
        version: String::from_utf8_lossy(&output.stdout).trim().to_string(),
        pg_dump,
    })
}

/// The first directory holding both tools.
fn tool_dir(candidates: &[PathBuf]) -> Option<&PathBuf> {
    candidates
        .iter()
        .find(|dir| dir.join("pg_dump").is_file() && dir.join("pg_restore").is_file())
}

/// What libpq needs from our URL: the URL without its password (which goes into PGPASSWORD, not
/// onto the command line where `ps` shows it) and without sqlx-only parameters libpq rejects.
fn libpq_target(url: &DatabaseUrl) -> BackupResult<(String, Option<String>)> {
    let mut parsed = Url::parse(url.expose()).context("DATABASE_URL no longer parses")?;
    let password = parsed
        .password()
        .map(|p| {
            percent_decode(p).context("the password in DATABASE_URL is not valid percent-encoding")
        })
        .transpose()?;
    let _ = parsed.set_password(None);
    const LIBPQ: &[&str] = &[
        "host",
        "port",
        "user",
        "dbname",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "application_name",
        "options",
        "connect_timeout",
    ];
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| LIBPQ.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parsed.set_query(None);
    if !kept.is_empty() {
        parsed.query_pairs_mut().extend_pairs(kept);
    }
    Ok((parsed.to_string(), password))
}

fn percent_decode(raw: &str) -> anyhow::Result<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])?;
            out.push(u8::from_str_radix(hex, 16)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8(out)?)
}

fn tool(program: &Path, url: &DatabaseUrl) -> BackupResult<Command> {
    let (target, password) = libpq_target(url)?;
    let mut command = Command::new(program);
    command
        .arg(format!("--dbname={target}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // the dump must not outlive a backup that was abandoned (e.g. SIGTERM)
        .kill_on_drop(true);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    Ok(command)
}

async fn connect(url: &DatabaseUrl) -> BackupResult<PgConnection> {
    let options = PgConnectOptions::from_str(url.expose())
        .context("DATABASE_URL is not a valid PostgreSQL URL")?
        .application_name("gogotime-backup");
    PgConnection::connect_with(&options).await.map_err(|e| {
        BackupError::Failed(anyhow::anyhow!(
            "cannot connect to PostgreSQL at {}: {e}",
            url.server().unwrap_or_default()
        ))
    })
}

pub(super) async fn dump(url: &DatabaseUrl, file: &Path) -> BackupResult<Dump> {
    let tools = pg_tools().await?;
    let mut conn = connect(url).await?;
    let schema_version = schema_version(&mut conn).await?;
    let server: String =
        sqlx::query_scalar("select 'PostgreSQL ' || current_setting('server_version')")
            .fetch_one(&mut conn)
            .await
            .context("reading the server version failed")?;
    // One snapshot for the fingerprints and the dump: writes that land meanwhile are in neither.
    sqlx::raw_sql("begin isolation level repeatable read, read only")
        .execute(&mut conn)
        .await
        .context("starting the snapshot transaction failed")?;
    let snapshot: String = sqlx::query_scalar("select pg_export_snapshot()")
        .fetch_one(&mut conn)
        .await
        .context("exporting the snapshot failed")?;
    let child = tool(&tools.pg_dump, url)?
        .args(["--format=custom", "--no-owner", "--no-privileges"])
        .arg(format!("--snapshot={snapshot}"))
        .arg(format!("--file={}", file.display()))
        .spawn()
        .with_context(|| format!("starting {} failed", tools.pg_dump.display()))?;
    let (tables, output) = tokio::join!(fingerprints(&mut conn), child.wait_with_output());
    let output = output.context("waiting for pg_dump failed")?;
    let _ = sqlx::raw_sql("commit").execute(&mut conn).await;
    let _ = conn.close().await;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let hint = if stderr.contains("server version mismatch") {
            format!(
                " — {} is older than the server: use client tools of at least the server's major version",
                tools.version
            )
        } else {
            String::new()
        };
        return Err(BackupError::Failed(anyhow::anyhow!(
            "pg_dump failed ({}): {}{hint}",
            output.status,
            stderr.trim()
        )));
    }
    Ok(Dump {
        file: file.to_path_buf(),
        tables: tables?,
        schema_version,
        server,
    })
}

pub(super) async fn restore(
    url: &DatabaseUrl,
    file: &Path,
    expected: &[TableFingerprint],
) -> BackupResult<()> {
    let tools = pg_tools().await?;
    let mut conn = connect(url).await?;
    ensure_empty(&mut conn, url).await?;
    // One transaction: on any error pg_restore rolls everything back and the target stays empty.
    let output = tool(&tools.pg_restore, url)?
        .args([
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
        ])
        .arg(file)
        .output()
        .await
        .with_context(|| format!("running {} failed", tools.pg_restore.display()))?;
    if !output.status.success() {
        return Err(BackupError::Failed(anyhow::anyhow!(
            "pg_restore failed ({}), nothing was restored: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let found = fingerprints(&mut conn).await?;
    if let Err(difference) = compare(&found, expected) {
        // the database was empty before: removing what pg_restore made leaves it as it was
        drop_tables(&mut conn, &found).await?;
        return Err(BackupError::Failed(anyhow::anyhow!(
            "the restored data does not match the backup's manifest ({difference}); the restored tables were removed again"
        )));
    }
    let _ = conn.close().await;
    Ok(())
}

async fn ensure_empty(conn: &mut PgConnection, url: &DatabaseUrl) -> BackupResult<()> {
    let row = sqlx::query(
        "select count(*), coalesce(string_agg(c.relname, ', ' order by c.relname), '')
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')",
    )
    .fetch_one(&mut *conn)
    .await
    .context("checking that the target database is empty failed")?;
    let count: i64 = row.get(0);
    if count > 0 {
        let names: String = row.get(1);
        let shown: Vec<&str> = names.split(", ").take(5).collect();
        return refused(format!(
            "the target database at {} is not empty ({count} tables and other objects, e.g. {}): restore only into an empty database — create a new one (createdb) or empty this one first; nothing was restored",
            url.server().unwrap_or_default(),
            shown.join(", ")
        ));
    }
    Ok(())
}

async fn schema_version(conn: &mut PgConnection) -> BackupResult<i64> {
    let exists: Option<String> = sqlx::query_scalar("select to_regclass('_sqlx_migrations')::text")
        .fetch_one(&mut *conn)
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

async fn fingerprints(conn: &mut PgConnection) -> BackupResult<Vec<TableFingerprint>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select tablename::text from pg_tables where schemaname = 'public' order by 1",
    )
    .fetch_all(&mut *conn)
    .await
    .context("listing the tables failed")?;
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        // the name comes from the catalog, quoted; rows are rendered by PostgreSQL itself and
        // sorted bytewise ("C"), so the order does not depend on the server's locale
        let sql = format!(
            "select t::text from {} t order by t::text collate \"C\"",
            quote_ident(&table)
        );
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

async fn drop_tables(conn: &mut PgConnection, tables: &[TableFingerprint]) -> BackupResult<()> {
    let names: Vec<String> = tables.iter().map(|t| quote_ident(&t.name)).collect();
    if names.is_empty() {
        return Ok(());
    }
    sqlx::raw_sql(&format!(
        "drop table if exists {} cascade",
        names.join(", ")
    ))
    .execute(&mut *conn)
    .await
    .context("removing the restored tables failed")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tools_are_found_only_where_both_exist() {
        let empty = tempfile::tempdir().unwrap();
        let half = tempfile::tempdir().unwrap();
        std::fs::write(half.path().join("pg_dump"), "").unwrap();
        let both = tempfile::tempdir().unwrap();
        for tool in ["pg_dump", "pg_restore"] {
            std::fs::write(both.path().join(tool), "").unwrap();
        }
        let dirs = |list: &[&tempfile::TempDir]| -> Vec<PathBuf> {
            list.iter().map(|d| d.path().to_path_buf()).collect()
        };

        assert_eq!(tool_dir(&dirs(&[&empty, &half])), None);
        assert_eq!(
            tool_dir(&dirs(&[&empty, &half, &both])),
            Some(&both.path().to_path_buf())
        );
    }

    #[test]
    fn the_password_leaves_the_url_and_sqlx_only_parameters_are_dropped() {
        let url = DatabaseUrl::parse(
            "postgres://app:p%40ss@db.example.com:5433/time?sslmode=verify-full&sslrootcert=/ca.pem&statement-cache-capacity=10",
        );
        // the root certificate must exist for the URL to parse; use one that always does
        assert!(url.is_err());
        let url = DatabaseUrl::parse(
            "postgres://app:p%40ss@db.example.com:5433/time?sslmode=require&statement-cache-capacity=10",
        )
        .unwrap();
        let (target, password) = libpq_target(&url).unwrap();
        assert_eq!(
            target,
            "postgres://app@db.example.com:5433/time?sslmode=require"
        );
        assert_eq!(password.as_deref(), Some("p@ss"));
    }
}
