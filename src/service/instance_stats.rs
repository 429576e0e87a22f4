//! What the database says about the whole instance, read when Prometheus scrapes a replica:
//! running timers, active sessions and the state of the schema migrations.

use super::Ctx;
use crate::db::{Ts, migrate, stats};
use crate::error::{AppError, AppResult};
use crate::metrics::{DatabaseSnapshot, MigrationCounts};

pub async fn collect(ctx: &Ctx) -> AppResult<DatabaseSnapshot> {
    let now = ctx.clock.now();
    let (running_timers, active_sessions) = {
        let mut pooled = ctx.db.acquire().await?;
        let mut conn = pooled.conn();
        (
            stats::running_timers(&mut conn).await?,
            stats::active_sessions(&mut conn, Ts(now)).await?,
        )
    };
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
    })
}
