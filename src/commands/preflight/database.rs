//! The database checks of `preflight`: reachable, connected the way `DATABASE_URL` asks (TLS),
//! and a schema this release can serve (nothing pending, nothing newer unless rolling back).

use super::Options;
use crate::commands::checklist::{Checklist, took};
use crate::config::{Config, DatabaseTls, SslMode};
use crate::db::{Db, migrate, server};

pub async fn check(list: &mut Checklist, options: &Options, config: &Config) -> Option<Db> {
    if options.skipped("database") {
        list.skip("database", "skipped (--skip database)");
        list.skip("schema", "not checked: the database check was skipped");
        return None;
    }
    let db = match Db::connect(&config.database).await {
        Ok(db) => db,
        Err(e) => {
            list.fail(
                "database",
                e,
                "check DATABASE_URL (host, port, user, password, database name) and that the server runs and accepts connections from this host",
            );
            list.skip("schema", "not checked: no database connection");
            return None;
        }
    };
    let latency = match db.ping(options.timeout).await {
        Ok(latency) => latency,
        Err(reason) => {
            list.fail(
                "database",
                format!("connected, but a query got no answer: {reason}"),
                "check the database server's load and logs",
            );
            return Some(db);
        }
    };
    let info = match server::describe(&db).await {
        Ok(info) => info,
        Err(e) => {
            list.fail(
                "database",
                format!("{e:#}"),
                "check the database user's permissions",
            );
            return Some(db);
        }
    };
    let place = config
        .database
        .url
        .server()
        .or_else(|| {
            config
                .database
                .url
                .sqlite_path()
                .map(|p| p.display().to_string())
        })
        .unwrap_or_default();
    let reached = format!("{} at {place} answered in {}", info.product, took(latency));
    match (config.database.url.tls(), info.encrypted) {
        (Some(tls), Some(encrypted)) => tls_verdict(list, config, tls, encrypted, &reached),
        _ => list.pass("database", reached),
    }
    Some(db)
}

/// Whether the connection is protected the way it should be for where the server is.
fn tls_verdict(
    list: &mut Checklist,
    config: &Config,
    tls: &DatabaseTls,
    encrypted: bool,
    reached: &str,
) {
    let mode = tls.mode.as_str();
    let allowed = config
        .effective
        .iter()
        .any(|v| v.name == "GOGOTIME_DATABASE_ALLOW_PLAINTEXT" && v.value == "true");
    let remote = !tls.local;
    if encrypted {
        let verified = matches!(tls.mode, SslMode::VerifyFull | SslMode::VerifyCa);
        if remote && !verified && !config.environment.is_development() {
            list.warn(
                "database",
                format!("{reached}; TLS, but sslmode={mode} does not check the server's certificate: use sslmode=verify-full (with sslrootcert= for your provider's CA)"),
            );
        } else {
            list.pass("database", format!("{reached}; TLS (sslmode={mode})"));
        }
    } else if !remote {
        list.pass(
            "database",
            format!("{reached}; no TLS, on this machine (sslmode={mode})"),
        );
    } else if tls.mode == SslMode::Disable && allowed {
        list.pass(
            "database",
            format!("{reached}; no TLS (sslmode=disable, allowed by GOGOTIME_DATABASE_ALLOW_PLAINTEXT=true for a private network)"),
        );
    } else if config.environment.is_development() {
        list.warn(
            "database",
            format!("{reached}; no TLS towards another host (sslmode={mode})"),
        );
    } else {
        list.fail(
            "database",
            format!("{reached}, but in plain text: sslmode={mode} fell back to an unencrypted connection towards another host"),
            "enable TLS on the server and use sslmode=verify-full in DATABASE_URL (or sslmode=disable with GOGOTIME_DATABASE_ALLOW_PLAINTEXT=true on a private network)",
        );
    }
}

pub async fn check_schema(list: &mut Checklist, options: &Options, config: &Config, db: &Db) {
    if options.skipped("schema") {
        list.skip("schema", "skipped (--skip schema)");
        return;
    }
    let status = match tokio::time::timeout(options.timeout, migrate::status(db)).await {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            list.fail(
                "schema",
                format!("{e:#}"),
                "check the database user may read _sqlx_migrations",
            );
            return;
        }
        Err(_) => {
            list.fail(
                "schema",
                format!(
                    "reading the migration status took longer than {} s",
                    options.timeout.as_secs()
                ),
                "check the database server's load and logs",
            );
            return;
        }
    };
    let listed = |state: migrate::State| {
        let found = status.with_state(state);
        let names: Vec<String> = found
            .iter()
            .map(|m| format!("{} {}", m.version, m.description))
            .collect();
        (found.len(), names.join(", "))
    };
    let applied = status.with_state(migrate::State::Applied).len();
    let (pending, pending_names) = listed(migrate::State::Pending);
    let (newer, newer_names) = listed(migrate::State::Newer);
    let (broken, broken_names) = {
        let (modified, m) = listed(migrate::State::Modified);
        let (failed, f) = listed(migrate::State::Failed);
        let names = [m, f]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        (modified + failed, names)
    };
    let mut ok = true;
    let mut notes = Vec::new();
    if broken > 0 {
        ok = false;
        list.fail(
            "schema",
            format!("{broken} migration(s) differ from this release's or failed half-way: {broken_names}"),
            "restore the database from the last backup, or ask for help with `gogotime migrate status` output; never edit a released migration",
        );
    }
    if pending > 0 {
        if options.args.before_migrate || config.auto_migrate {
            let who = if options.args.before_migrate {
                "`gogotime migrate up` (the deploy's next step)"
            } else {
                "serve at start (GOGOTIME_AUTO_MIGRATE=true)"
            };
            notes.push(format!(
                "{pending} pending, to be applied by {who}: {pending_names}"
            ));
        } else {
            ok = false;
            list.fail(
                "schema",
                format!("{pending} pending migration(s): {pending_names}; with GOGOTIME_AUTO_MIGRATE=false this release refuses to start"),
                "run `gogotime migrate up` first (compose.prod.yaml: the migrate service; Kubernetes: the migrate Job), or pass --before-migrate when that is the deploy's next step",
            );
        }
    }
    if newer > 0 {
        if options.args.allow_newer_schema {
            notes.push(format!("{newer} newer than this release ({newer_names}), accepted for a rollback: expand/contract keeps the previous release working"));
        } else {
            ok = false;
            list.fail(
                "schema",
                format!("the database has {newer} migration(s) this release ({}) does not know: {newer_names}; a newer release migrated it", crate::build_info::VERSION),
                "deploy that newer release instead; when rolling back on purpose, pass --allow-newer-schema (expand/contract keeps the previous release working)",
            );
        }
    }
    if ok {
        if notes.is_empty() {
            notes.push("none pending, none newer than this release".into());
        }
        list.pass(
            "schema",
            format!("{applied} migrations applied; {}", notes.join("; ")),
        );
    }
}
