//! `gogotime backup --to DIR`: one backup into a new directory under DIR (data file + manifest),
//! written as `NAME.partial` and renamed when complete, so a directory without that suffix is
//! always whole. With `--every` it keeps running: a backup at start and then on schedule, old
//! ones pruned (`--keep-daily`, `--keep-weekly`), and metrics for alerting (`schedule.rs`).

mod manifest;
mod retention;
pub(super) mod schedule;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;

pub use manifest::Manifest;

use super::{EXIT_CONFIG, EXIT_FAILURE, load, log_warnings};
use crate::cli::BackupArgs;
use crate::config::{DatabaseKind, DatabaseUrl, EnvSnapshot};
use crate::db::backup::{self as engine, BackupError};
use crate::telemetry;

pub async fn run(env: &EnvSnapshot, args: BackupArgs) -> ExitCode {
    let (config, warnings) = match load(env, super::migrate::relevant) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let policy = match (args.keep_daily, args.keep_weekly) {
        (None, None) => None,
        (daily, weekly) => Some(retention::Policy {
            daily: daily.unwrap_or(0),
            weekly: weekly.unwrap_or(0),
        }),
    };
    if let Err(e) = std::fs::create_dir_all(&args.to) {
        eprintln!(
            "error: --to {} cannot be created ({e}); name a writable directory",
            args.to.display()
        );
        return ExitCode::from(EXIT_CONFIG);
    }
    let url = config.database.url.clone();
    if let Some(every) = args.every.as_deref() {
        let interval = match schedule::parse_interval(every) {
            Ok(interval) => interval,
            Err(message) => {
                eprintln!("error: --every {message}");
                return ExitCode::from(EXIT_CONFIG);
            }
        };
        telemetry::init(&config.log);
        log_warnings(&warnings);
        let plan = schedule::Plan {
            url,
            dir: args.to,
            interval,
            policy,
            metrics_bind: args.metrics_bind,
        };
        return match schedule::run(plan).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "the backup service stopped");
                ExitCode::from(EXIT_FAILURE)
            }
        };
    }
    match backup_once(&url, &args.to).await {
        Ok((dir, manifest)) => {
            println!("{}", summary(&dir, &manifest));
            if let Some(policy) = policy {
                match prune(&args.to, policy) {
                    Ok(removed) => {
                        for path in removed {
                            println!("removed {} (retention)", path.display());
                        }
                    }
                    Err(e) => {
                        eprintln!("error: pruning old backups failed: {e:#}");
                        return ExitCode::from(EXIT_FAILURE);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

pub fn describe(e: &BackupError) -> String {
    match e {
        BackupError::Refused(message) => message.clone(),
        BackupError::Failed(e) => format!("{e:#}"),
    }
}

pub fn summary(dir: &Path, manifest: &Manifest) -> String {
    format!(
        "backup {}: {} database, schema {}, {} tables, {} rows, {} bytes, {:.1} s",
        dir.display(),
        manifest.database,
        manifest.schema_version,
        manifest.tables.len(),
        manifest.total_rows(),
        manifest.file.bytes,
        manifest.duration_seconds
    )
}

/// One complete backup directory under `root`; nothing is left behind on failure.
pub async fn backup_once(
    url: &DatabaseUrl,
    root: &Path,
) -> Result<(PathBuf, Manifest), BackupError> {
    let started = Instant::now();
    let created_at = Utc::now();
    let name = unused_name(
        root,
        &format!("gogotime-{}", created_at.format("%Y%m%dT%H%M%SZ")),
    );
    let partial = root.join(format!("{name}.partial"));
    std::fs::create_dir(&partial)
        .with_context(|| format!("creating {} failed", partial.display()))?;
    let result = write_backup(url, &partial, created_at, started).await;
    match result {
        Ok(manifest) => {
            let done = root.join(&name);
            std::fs::rename(&partial, &done)
                .with_context(|| format!("renaming {} failed", partial.display()))?;
            Ok((done, manifest))
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(e)
        }
    }
}

async fn write_backup(
    url: &DatabaseUrl,
    dir: &Path,
    created_at: chrono::DateTime<Utc>,
    started: Instant,
) -> Result<Manifest, BackupError> {
    let dump = engine::dump(url, dir).await?;
    manifest::sync(&dump.file)?;
    let bytes = std::fs::metadata(&dump.file)
        .with_context(|| format!("reading {} failed", dump.file.display()))?
        .len();
    let manifest = Manifest {
        format: manifest::FORMAT.to_string(),
        gogotime_version: crate::build_info::VERSION.to_string(),
        database: match url.kind() {
            DatabaseKind::Postgres => "postgres",
            DatabaseKind::Sqlite => "sqlite",
        }
        .to_string(),
        server: dump.server,
        schema_version: dump.schema_version,
        created_at,
        duration_seconds: started.elapsed().as_secs_f64(),
        file: manifest::DataFile {
            name: engine::data_file_name(url).to_string(),
            bytes,
            sha256: manifest::sha256_of(&dump.file)?,
        },
        tables: dump.tables,
    };
    manifest.write(dir)?;
    Ok(manifest)
}

fn unused_name(root: &Path, base: &str) -> String {
    let taken =
        |name: &str| root.join(name).exists() || root.join(format!("{name}.partial")).exists();
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|name| !taken(name))
        .unwrap_or_else(|| base.to_string())
}

/// Complete backups under `root` (directories `gogotime-*` with a readable manifest), oldest first.
pub fn list(root: &Path) -> anyhow::Result<Vec<(PathBuf, Manifest)>> {
    let mut found = Vec::new();
    for entry in
        std::fs::read_dir(root).with_context(|| format!("listing {} failed", root.display()))?
    {
        let path = entry?.path();
        let is_ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("gogotime-") && !n.ends_with(".partial"));
        if is_ours
            && path.is_dir()
            && let Ok((manifest, _)) = Manifest::read(&path)
        {
            found.push((path, manifest));
        }
    }
    found.sort_by_key(|(_, m)| m.created_at);
    Ok(found)
}

/// Deletes the backups the policy does not keep; returns what it removed. Directories that are
/// not complete GoGoTime backups are never touched.
fn prune(root: &Path, policy: retention::Policy) -> anyhow::Result<Vec<PathBuf>> {
    let backups = list(root)?;
    let created: Vec<_> = backups.iter().map(|(_, m)| m.created_at).collect();
    let mut removed = Vec::new();
    for i in retention::to_delete(&created, policy) {
        let path = &backups[i].0;
        std::fs::remove_dir_all(path)
            .with_context(|| format!("removing {} failed", path.display()))?;
        removed.push(path.clone());
    }
    Ok(removed)
}
