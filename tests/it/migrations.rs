//! Embedded migrations: lockstep dialects, status, idempotence, rollback tolerance, and the
//! production policy of refusing to serve a stale schema.

use std::time::Duration;

use gogotime::db::migrate;

use crate::both_backends;
use crate::helpers::binary::{self, Server};
use crate::helpers::{Backend, TestDatabase, spawn_app_on};

#[test]
fn postgres_and_sqlite_migration_sets_are_in_lockstep() {
    let (postgres, sqlite) = migrate::embedded_versions();

    assert!(!postgres.is_empty());
    assert_eq!(
        postgres, sqlite,
        "migrations/postgres and migrations/sqlite must have the same versions and names"
    );
}

both_backends!(
    migrate_status_lists_pending_then_applied_versions,
    migrate_up_twice_applies_nothing_the_second_time,
    a_database_migrated_by_a_newer_release_is_accepted,
    production_refuses_to_serve_with_pending_migrations_unless_auto_migrate,
);

async fn migrate_status_lists_pending_then_applied_versions(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let env = [("DATABASE_URL", db.url.as_str())];

    let before = binary::run(&["migrate", "status"], &env, dir.path());
    let up = binary::run(&["migrate", "up"], &env, dir.path());
    let after = binary::run(&["migrate", "status"], &env, dir.path());

    assert_eq!(before.code, 0, "{}", before.output());
    assert!(
        before.stdout.contains("20261126000001   pending"),
        "{}",
        before.stdout
    );
    // every migration the crate ships (the lockstep test keeps both directories equal)
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .filter(|f| {
            f.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|e| e == "sql")
        })
        .count();
    assert!(shipped >= 5, "{shipped}");
    assert!(
        before
            .stdout
            .contains(&format!("0 applied, {shipped} pending")),
        "{}",
        before.stdout
    );
    assert_eq!(up.code, 0, "{}", up.output());
    assert!(
        after.stdout.contains("20261126000001   applied   instance"),
        "{}",
        after.stdout
    );
    assert!(
        after
            .stdout
            .contains(&format!("{shipped} applied, 0 pending")),
        "{}",
        after.stdout
    );
}

async fn migrate_up_twice_applies_nothing_the_second_time(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let env = [("DATABASE_URL", db.url.as_str())];

    let first = binary::run(&["migrate", "up"], &env, dir.path());
    let second = binary::run(&["migrate", "up"], &env, dir.path());

    assert_eq!(first.code, 0, "{}", first.output());
    assert!(
        first.stderr.contains("migrations applied"),
        "{}",
        first.stderr
    );
    assert_eq!(second.code, 0, "{}", second.output());
    assert!(
        second.stderr.contains("nothing to apply"),
        "{}",
        second.stderr
    );
}

async fn a_database_migrated_by_a_newer_release_is_accepted(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let env = [("DATABASE_URL", db.url.as_str())];
    assert_eq!(binary::run(&["migrate", "up"], &env, dir.path()).code, 0);
    record_newer_migration(&db.url, backend).await;

    let status = binary::run(&["migrate", "status"], &env, dir.path());
    let app = spawn_app_on(db, |_| {}).await;
    let (health, body) = app.get_json("/api/system/health").await;

    assert!(
        status.stdout.contains("29990101000001   newer"),
        "{}",
        status.stdout
    );
    assert_eq!(health, 200, "{body}");
    assert_eq!(body["checks"]["migrations"]["status"], "ok");
}

async fn production_refuses_to_serve_with_pending_migrations_unless_auto_migrate(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let production = [
        ("GOGOTIME_ENV", "production"),
        ("DATABASE_URL", db.url.as_str()),
        ("GOGOTIME_PUBLIC_URL", "https://time.example.com"),
        ("JWT_SECRET", "0123456789abcdef0123456789abcdef-prod"),
        ("GOGOTIME_BIND", "127.0.0.1:0"),
        ("GOGOTIME_METRICS_BIND", ""),
        ("GOGOTIME_SHUTDOWN_DELAY_SECONDS", "0"),
    ];

    let refused = binary::run(&["serve"], &production, dir.path());
    let mut auto = production.to_vec();
    auto.push(("GOGOTIME_AUTO_MIGRATE", "true"));
    let mut server = Server::start(&auto, dir.path());
    let health = reqwest::get(format!("{}/api/system/health", server.address))
        .await
        .unwrap();

    assert_eq!(refused.code, 1, "{}", refused.output());
    assert!(
        refused.stderr.contains("gogotime migrate up"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("20261126000001"),
        "{}",
        refused.stderr
    );
    assert_eq!(health.status(), 200);
    server.signal("TERM");
    assert_eq!(server.wait(Duration::from_secs(15)), 0);
}

/// Pretends a later release applied a migration this binary does not know.
pub(crate) async fn record_newer_migration(url: &str, backend: Backend) {
    use sqlx::Connection;
    const INSERT: &str = "insert into _sqlx_migrations (version, description, success, checksum, execution_time) \
                          values (29990101000001, 'from the future', true, x'00', 1)";
    match backend {
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(&INSERT.replace("x'00'", "'\\x00'::bytea"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query(INSERT).execute(&mut conn).await.unwrap();
        }
    }
}
