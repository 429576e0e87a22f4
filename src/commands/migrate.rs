//! `gogotime migrate up|status`: only the database settings need to be valid, so a one-shot
//! migration job does not need the web server's secrets.

use std::process::ExitCode;

use super::{EXIT_FAILURE, load, log_warnings};
use crate::cli::MigrateCommand;
use crate::config::EnvSnapshot;
use crate::db::{Db, migrate};
use crate::telemetry;

pub(super) fn relevant(variable: &str) -> bool {
    variable.starts_with("DATABASE_")
        || matches!(
            variable,
            "GOGOTIME_ENV" | "GOGOTIME_LOG" | "GOGOTIME_LOG_FORMAT" | ".env"
        )
}

pub async fn run(env: &EnvSnapshot, command: MigrateCommand) -> ExitCode {
    let (config, warnings) = match load(env, relevant) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    telemetry::init(&config.log);
    log_warnings(
        &warnings
            .into_iter()
            .filter(|w| relevant(&w.variable))
            .collect::<Vec<_>>(),
    );
    let db = match Db::connect(&config.database).await {
        Ok(db) => db,
        Err(e) => {
            tracing::error!(error = %e, "cannot reach the database");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let result = match command {
        MigrateCommand::Up => up(&db).await,
        MigrateCommand::Status => status(&db).await,
    };
    db.close().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "migration failed");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

async fn up(db: &Db) -> anyhow::Result<()> {
    let applied = migrate::up(db).await?;
    let status = migrate::status(db).await?;
    let latest = status
        .migrations
        .iter()
        .filter(|m| m.state == migrate::State::Applied)
        .map(|m| m.version)
        .max();
    if applied.is_empty() {
        tracing::info!(version = ?latest, "database schema already up to date; nothing to apply");
    } else {
        tracing::info!(?applied, version = ?latest, "migrations applied");
    }
    Ok(())
}

async fn status(db: &Db) -> anyhow::Result<()> {
    let status = migrate::status(db).await?;
    println!("{:<16} {:<9} DESCRIPTION", "VERSION", "STATE");
    for m in &status.migrations {
        let state = match m.state {
            migrate::State::Applied => "applied",
            migrate::State::Pending => "pending",
            migrate::State::Newer => "newer",
            migrate::State::Modified => "modified",
            migrate::State::Failed => "failed",
        };
        println!("{:<16} {:<9} {}", m.version, state, m.description);
    }
    let pending = status.with_state(migrate::State::Pending).len();
    println!(
        "{} applied, {pending} pending",
        status.with_state(migrate::State::Applied).len()
    );
    Ok(())
}
