//! What the database says about the whole instance, read when Prometheus scrapes a replica:
//! running timers, active sessions, the state of the schema migrations and undelivered email.

use super::{Ctx, mail};
use crate::db::{Ts, migrate, outbox, stats};
use crate::error::{AppError, AppResult};
use crate::metrics::{DatabaseSnapshot, MailBacklog, MigrationCounts};

pub async fn collect(ctx: &Ctx) -> AppResult<DatabaseSnapshot> {
    let now = ctx.clock.now();
    let (running_timers, active_sessions, backlog) = {
        let mut pooled = ctx.db.acquire().await?;
        let mut conn = pooled.conn();
        (
            stats::running_timers(&mut conn).await?,
            stats::active_sessions(&mut conn, Ts(now)).await?,
            outbox::backlog(&mut conn, mail::MAX_ATTEMPTS).await?,
        )
    };
    // the outbox keeps real time (see `service::mail`), so its age is measured on it too
    let oldest_pending_age_seconds = backlog.oldest_pending.map_or(0, |queued| {
        (mail::wall_now() - queued.0).num_seconds().max(0)
    });
    let status = migrate::status(&ctx.db).await.map_err(AppError::Internal)?;
    let mut migrations = MigrationCounts::default();
    for m in &status.migrations {
        let count = match m.state {
            migrate::State::Applied => &mut migrations.applied,
            migrate::State::Pending => &mut migrations.pending,
            migrate::State::Newer => &mut migrations.newer,
            migrate::State::Modified => &mut migrations.modified,
            migrate::State::Failed => &mut migrations.failed,
        };
        *count += 1;
    }
    let schema_version = status
        .migrations
        .iter()
        .filter(|m| m.state != migrate::State::Pending)
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    Ok(DatabaseSnapshot {
        running_timers,
        active_sessions,
        migrations,
        schema_version,
        mail: MailBacklog {
            pending: backlog.pending,
            given_up: backlog.given_up,
            oldest_pending_age_seconds,
        },
    })
}
