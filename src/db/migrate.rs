//! Embedded migrations, one set per dialect, numbered in lockstep.
//!
//! sqlx's migrator holds a PostgreSQL advisory lock while it runs, so concurrent
//! `gogotime migrate up` processes serialise: one applies, the others find nothing to do.
//! Versions applied by a newer release are tolerated (`ignore_missing`), so a rolled-back
//! binary keeps working against an expanded schema (DESIGN §3, expand/contract).

use std::collections::BTreeMap;

use anyhow::Context;
use sqlx::Row;
use sqlx::migrate::Migrator;

use super::Db;

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Applied,
    Pending,
    /// Applied by a newer release of GoGoTime; this binary does not know it.
    Newer,
    /// Applied, but the file embedded in this binary differs from what was applied.
    Modified,
    /// A previous attempt failed half-way (only possible where DDL is not transactional).
    Failed,
}

#[derive(Debug, Clone)]
pub struct Migration {
    pub version: i64,
    pub description: String,
    pub state: State,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub migrations: Vec<Migration>,
}

impl Status {
    pub fn with_state(&self, state: State) -> Vec<&Migration> {
        self.migrations
            .iter()
            .filter(|m| m.state == state)
            .collect()
    }

    /// True when every migration this binary knows is applied as embedded.
    pub fn is_current(&self) -> bool {
        self.migrations
            .iter()
            .all(|m| matches!(m.state, State::Applied | State::Newer))
    }
}

fn migrator(db: &Db) -> Migrator {
    let mut migrator = match db {
        Db::Postgres(_) => Migrator {
            migrations: POSTGRES.migrations.clone(),
            ..Migrator::DEFAULT
        },
        Db::Sqlite(..) => Migrator {
            migrations: SQLITE.migrations.clone(),
            ..Migrator::DEFAULT
        },
    };
    migrator.set_ignore_missing(true);
    migrator
}

/// (version, description) of one embedded migration.
pub type Embedded = (i64, String);

/// (version, description) of the embedded migrations of both dialects, for the lockstep test.
pub fn embedded_versions() -> (Vec<Embedded>, Vec<Embedded>) {
    let list = |m: &Migrator| {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    };
    (list(&POSTGRES), list(&SQLITE))
}

/// Our own advisory lock key ("gogotime" in ASCII), held around status + run so that the
/// process that finds migrations pending is the one that applies them.
const MIGRATE_LOCK: i64 = 0x676f_676f_7469_6d65;

/// Applies pending migrations; returns the versions this process applied.
pub async fn up(db: &Db) -> anyhow::Result<Vec<i64>> {
    let migrator = migrator(db);
    let pending = |status: Status| {
        status
            .with_state(State::Pending)
            .iter()
            .map(|m| m.version)
            .collect::<Vec<_>>()
    };
    match db {
        Db::Postgres(pool) => {
            let mut conn = pool
                .acquire()
                .await
                .context("no database connection for migrating")?;
            sqlx::query("select pg_advisory_lock($1)")
                .bind(MIGRATE_LOCK)
                .execute(&mut *conn)
                .await?;
            let result = async {
                let pending = pending(status(db).await?);
                migrator
                    .run(&mut *conn)
                    .await
                    .context("applying migrations failed")?;
                anyhow::Ok(pending)
            }
            .await;
            sqlx::query("select pg_advisory_unlock($1)")
                .bind(MIGRATE_LOCK)
                .execute(&mut *conn)
                .await?;
            result
        }
        Db::Sqlite(pool, _) => {
            let pending = pending(status(db).await?);
            migrator
                .run(pool)
                .await
                .context("applying migrations failed")?;
            Ok(pending)
        }
    }
}

pub async fn status(db: &Db) -> anyhow::Result<Status> {
    let applied = applied(db)
        .await
        .context("reading the applied migrations failed")?;
    let migrator = migrator(db);
    let mut migrations: Vec<Migration> = migrator
        .iter()
        .map(|m| {
            let state = match applied.get(&m.version) {
                None => State::Pending,
                Some((false, _, _)) => State::Failed,
                Some((true, checksum, _)) if *checksum != *m.checksum => State::Modified,
                Some(_) => State::Applied,
            };
            Migration {
                version: m.version,
                description: m.description.to_string(),
                state,
            }
        })
        .collect();
    for (version, (_, _, description)) in &applied {
        if !migrations.iter().any(|m| m.version == *version) {
            migrations.push(Migration {
                version: *version,
                description: description.clone(),
                state: State::Newer,
            });
        }
    }
    migrations.sort_by_key(|m| m.version);
    Ok(Status { migrations })
}

type Applied = BTreeMap<i64, (bool, Vec<u8>, String)>;

async fn applied(db: &Db) -> Result<Applied, sqlx::Error> {
    const LIST: &str =
        "select version, success, checksum, description from _sqlx_migrations order by version";
    let exists: Option<String> =
        match db {
            Db::Postgres(pool) => {
                sqlx::query_scalar("select to_regclass('_sqlx_migrations')::text")
                    .fetch_one(pool)
                    .await?
            }
            Db::Sqlite(pool, _) => sqlx::query_scalar(
                "select name from sqlite_master where type = 'table' and name = '_sqlx_migrations'",
            )
            .fetch_optional(pool)
            .await?,
        };
    if exists.is_none() {
        return Ok(Applied::new());
    }
    let rows = super::with_pool!(db, pool => sqlx::query(LIST)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3))))
        .collect());
    Ok(rows)
}
