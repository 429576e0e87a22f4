//! `gogotime backup --every`: the production stack's backup service. A backup at start, then one
//! per interval; after each, old backups are pruned. Prometheus metrics on `--metrics-bind`
//! (`gogotime_backup_last_success_timestamp_seconds` for the "no backup for a day" alert; after a
//! restart it starts from the newest backup on disk, so a restart never looks like a failure).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use anyhow::Context;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tokio::signal::unix::{SignalKind, signal};

use super::{backup_once, describe, list, prune, retention, summary};
use crate::config::DatabaseUrl;

pub struct Plan {
    pub url: DatabaseUrl,
    pub dir: PathBuf,
    pub interval: Duration,
    pub policy: Option<retention::Policy>,
    pub metrics_bind: Option<SocketAddr>,
}

/// "24h", "6h", "30m", "90s", "1d"; at least 10 seconds.
pub fn parse_interval(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let unit_seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 0,
    };
    match number.parse::<u64>() {
        Ok(n) if unit_seconds > 0 && n * unit_seconds >= 10 => {
            Ok(Duration::from_secs(n * unit_seconds))
        }
        _ => Err(format!(
            "is '{raw}'; expected a duration of at least 10 seconds such as 24h, 6h, 30m or 90s"
        )),
    }
}

struct BackupMetrics {
    last_success: Gauge,
    last_failure: Gauge,
    last_duration: Gauge<f64, AtomicU64>,
    last_size: Gauge,
    kept: Gauge,
}

impl BackupMetrics {
    fn register(registry: &mut Registry) -> Self {
        let metrics = Self {
            last_success: Gauge::default(),
            last_failure: Gauge::default(),
            last_duration: Gauge::default(),
            last_size: Gauge::default(),
            kept: Gauge::default(),
        };
        registry.register(
            "gogotime_backup_last_success_timestamp_seconds",
            "When the newest complete backup was taken (Unix time; 0: none yet)",
            metrics.last_success.clone(),
        );
        registry.register(
            "gogotime_backup_last_failure_timestamp_seconds",
            "When the last backup attempt failed (Unix time; 0: none since start)",
            metrics.last_failure.clone(),
        );
        registry.register(
            "gogotime_backup_last_duration_seconds",
            "How long the newest successful backup took",
            metrics.last_duration.clone(),
        );
        registry.register(
            "gogotime_backup_last_size_bytes",
            "Size of the newest backup's data file",
            metrics.last_size.clone(),
        );
        registry.register(
            "gogotime_backups_kept",
            "Complete backups in the backup directory after pruning",
            metrics.kept.clone(),
        );
        metrics
    }

    fn observe_directory(&self, dir: &Path) {
        if let Ok(backups) = list(dir) {
            self.kept.set(backups.len() as i64);
            if let Some((_, newest)) = backups.last() {
                self.last_success.set(newest.created_at.timestamp());
                self.last_duration.set(newest.duration_seconds);
                self.last_size.set(newest.file.bytes as i64);
            }
        }
    }
}

pub async fn run(plan: Plan) -> anyhow::Result<()> {
    let mut registry = Registry::default();
    let metrics = BackupMetrics::register(&mut registry);
    metrics.observe_directory(&plan.dir);
    let registry = Arc::new(registry);
    if let Some(addr) = plan.metrics_bind {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (--metrics-bind)"))?;
        tokio::spawn(crate::http::backup_metrics::serve(
            listener,
            registry.clone(),
        ));
    }
    let mut terminate =
        signal(SignalKind::terminate()).context("installing the SIGTERM handler failed")?;
    let mut interrupt =
        signal(SignalKind::interrupt()).context("installing the SIGINT handler failed")?;
    tracing::info!(
        dir = %plan.dir.display(),
        every_seconds = plan.interval.as_secs(),
        keep_daily = plan.policy.map(|p| p.daily),
        keep_weekly = plan.policy.map(|p| p.weekly),
        metrics = %plan.metrics_bind.map_or("disabled".into(), |a| a.to_string()),
        "backup service started"
    );
    loop {
        // a backup cut short by SIGTERM leaves only its .partial directory, removed right here
        let outcome = tokio::select! {
            outcome = backup_once(&plan.url, &plan.dir) => Some(outcome),
            _ = terminate.recv() => None,
            _ = interrupt.recv() => None,
        };
        match outcome {
            None => break,
            Some(Ok((dir, manifest))) => {
                tracing::info!(path = %dir.display(), bytes = manifest.file.bytes, rows = manifest.total_rows(), "{}", summary(&dir, &manifest));
                if let Some(policy) = plan.policy {
                    match prune(&plan.dir, policy) {
                        Ok(removed) => {
                            for path in removed {
                                tracing::info!(path = %path.display(), "removed an old backup (retention)");
                            }
                        }
                        Err(e) => {
                            tracing::error!(error = %format!("{e:#}"), "pruning old backups failed")
                        }
                    }
                }
                metrics.observe_directory(&plan.dir);
            }
            Some(Err(e)) => {
                metrics.last_failure.set(chrono::Utc::now().timestamp());
                tracing::error!(error = %describe(&e), "backup failed; the next attempt is on schedule");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(plan.interval) => {}
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    remove_partials(&plan.dir);
    tracing::info!("backup service stopped");
    Ok(())
}

fn remove_partials(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "partial") {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_take_a_unit() {
        assert_eq!(parse_interval("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_interval("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_interval("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_interval("15s"), Ok(Duration::from_secs(15)));
        for bad in ["24", "h", "5s", "1w", "-1h"] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }
}
