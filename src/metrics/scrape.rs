//! Gauges read at scrape time rather than recorded as things happen: pool occupancy, and what
//! the database says about the whole instance (running timers, active sessions, migrations).
//! When the database did not answer, its gauges are left out of the scrape (a stale number
//! would look healthy) and `gogotime_db_up` says 0.

use std::sync::Mutex;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::gauge::ConstGauge;

/// Everything read for one scrape.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub pool: Option<PoolSnapshot>,
    /// `None` when the database did not answer in time.
    pub database: Option<DatabaseSnapshot>,
}

#[derive(Debug, Clone, Copy)]
pub struct PoolSnapshot {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

#[derive(Debug, Clone, Default)]
pub struct DatabaseSnapshot {
    pub running_timers: i64,
    pub active_sessions: i64,
    pub migrations: MigrationCounts,
    /// The highest migration version applied to the database (a newer release's included).
    pub schema_version: i64,
    pub mail: MailBacklog,
}

/// Email not yet delivered (the outbox, see `service::mail`).
#[derive(Debug, Clone, Copy, Default)]
pub struct MailBacklog {
    /// Messages the worker will still try to send.
    pub pending: i64,
    /// Messages it gave up on after its last attempt; they stay until an operator acts.
    pub given_up: i64,
    /// Seconds since the oldest pending message was queued; 0 when none is pending.
    pub oldest_pending_age_seconds: i64,
}

/// Migrations by state, as `gogotime migrate status` reports them.
#[derive(Debug, Clone, Copy, Default)]
pub struct MigrationCounts {
    pub applied: u32,
    pub pending: u32,
    pub newer: u32,
    pub modified: u32,
    pub failed: u32,
}

#[derive(Debug, Default)]
pub struct ScrapeCollector {
    last: Mutex<Snapshot>,
}

impl ScrapeCollector {
    pub fn set(&self, snapshot: Snapshot) {
        if let Ok(mut last) = self.last.lock() {
            *last = snapshot;
        }
    }
}

/// One gauge family: `(label pairs, value)` per series.
fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    series: &[(&[(&str, &str)], i64)],
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for (labels, value) in series {
        let labels: Vec<(&str, &str)> = labels.to_vec();
        ConstGauge::new(*value).encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}

impl Collector for ScrapeCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let snapshot = self.last.lock().map(|s| s.clone()).unwrap_or_default();
        if let Some(pool) = snapshot.pool {
            let in_use = pool.size.saturating_sub(pool.idle);
            gauge(
                &mut encoder,
                "gogotime_db_pool_connections",
                "Database pool connections of this replica by state: idle, in_use, and the configured max",
                &[
                    (&[("state", "idle")], i64::from(pool.idle)),
                    (&[("state", "in_use")], i64::from(in_use)),
                    (&[("state", "max")], i64::from(pool.max)),
                ],
            )?;
        }
        let up = i64::from(snapshot.database.is_some());
        gauge(
            &mut encoder,
            "gogotime_db_up",
            "1 when this replica's scrape-time database queries answered within 2 s, else 0",
            &[(&[], up)],
        )?;
        let Some(db) = snapshot.database else {
            return Ok(());
        };
        let m = db.migrations;
        gauge(
            &mut encoder,
            "gogotime_db_migrations",
            "Schema migrations by state: applied, pending (known to this release, not applied), newer (applied by a newer release), modified, failed",
            &[
                (&[("state", "applied")], i64::from(m.applied)),
                (&[("state", "pending")], i64::from(m.pending)),
                (&[("state", "newer")], i64::from(m.newer)),
                (&[("state", "modified")], i64::from(m.modified)),
                (&[("state", "failed")], i64::from(m.failed)),
            ],
        )?;
        gauge(
            &mut encoder,
            "gogotime_db_schema_version",
            "Version (timestamp number) of the newest migration applied to the database",
            &[(&[], db.schema_version)],
        )?;
        gauge(
            &mut encoder,
            "gogotime_running_timers",
            "Timers running now across the whole instance (every replica reports the same number)",
            &[(&[], db.running_timers)],
        )?;
        gauge(
            &mut encoder,
            "gogotime_active_sessions",
            "Browser sessions not yet expired across the whole instance (every replica reports the same number)",
            &[(&[], db.active_sessions)],
        )?;
        gauge(
            &mut encoder,
            "gogotime_mail_outbox_messages",
            "Email not yet delivered, whole instance: pending (still being tried), given_up (out of attempts; an operator must act)",
            &[
                (&[("state", "pending")], db.mail.pending),
                (&[("state", "given_up")], db.mail.given_up),
            ],
        )?;
        gauge(
            &mut encoder,
            "gogotime_mail_outbox_oldest_pending_age_seconds",
            "Seconds since the oldest pending email was queued (0 when none): how late email is running",
            &[(&[], db.mail.oldest_pending_age_seconds)],
        )
    }
}
