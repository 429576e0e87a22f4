//! `gogotime restore FROM`: a backup directory into an EMPTY database, all or nothing. Checks
//! before anything is written: the manifest, the kind of database, the schema version (never
//! newer than this release knows), the data file's size and SHA-256, an empty target. After
//! restoring, every table's row count and content checksum must match the manifest.

use std::process::ExitCode;
use std::time::Instant;

use super::backup::{Manifest, describe};
use super::{EXIT_FAILURE, load};
use crate::cli::RestoreArgs;
use crate::config::{DatabaseKind, EnvSnapshot};
use crate::db::backup as engine;
use crate::db::migrate;

pub async fn run(env: &EnvSnapshot, args: RestoreArgs) -> ExitCode {
    let (config, _) = match load(env, super::migrate::relevant) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let fail = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(EXIT_FAILURE)
    };
    let (manifest, dir) = match Manifest::read(&args.from) {
        Ok(read) => read,
        Err(message) => return fail(message),
    };
    let target = match config.database.url.kind() {
        DatabaseKind::Postgres => "postgres",
        DatabaseKind::Sqlite => "sqlite",
    };
    if manifest.database != target {
        return fail(format!(
            "{} is a backup of a {} database, and DATABASE_URL names a {target} one: restore it into the same kind of database",
            dir.display(),
            manifest.database
        ));
    }
    let (postgres, sqlite) = migrate::embedded_versions();
    let known = match config.database.url.kind() {
        DatabaseKind::Postgres => postgres,
        DatabaseKind::Sqlite => sqlite,
    };
    let newest_known = known.iter().map(|(v, _)| *v).max().unwrap_or(0);
    if manifest.schema_version > newest_known {
        return fail(format!(
            "the backup's schema (version {}) is newer than this release of GoGoTime knows ({newest_known}): restore it with GoGoTime {} or later; nothing was restored",
            manifest.schema_version, manifest.gogotime_version
        ));
    }
    let file = match manifest.verified_data_file(&dir) {
        Ok(file) => file,
        Err(message) => return fail(message),
    };
    if args.check {
        println!(
            "backup {} is intact: {} tables, {} rows, schema {}, taken {} by GoGoTime {}",
            dir.display(),
            manifest.tables.len(),
            manifest.total_rows(),
            manifest.schema_version,
            manifest.created_at.to_rfc3339(),
            manifest.gogotime_version
        );
        return ExitCode::SUCCESS;
    }
    let started = Instant::now();
    if let Err(e) = engine::restore(&config.database.url, &file, &manifest.tables).await {
        return fail(describe(&e));
    }
    println!(
        "restored {} into {}: {} tables, {} rows, every table's row count and checksum match the manifest ({:.1} s)",
        dir.display(),
        config.database.url,
        manifest.tables.len(),
        manifest.total_rows(),
        started.elapsed().as_secs_f64()
    );
    if manifest.schema_version < newest_known {
        println!(
            "the backup's schema is older than this release's: run `gogotime migrate up` before starting the server"
        );
    }
    ExitCode::SUCCESS
}
