//! Readiness, liveness and version, on both databases.

use std::time::{Duration, Instant};

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};

both_backends!(
    readiness_reports_ok_with_database_and_migration_checks,
    ready_alias_answers_like_health,
    liveness_answers_without_consulting_the_database,
    readiness_turns_503_naming_the_failed_check_when_the_database_is_gone,
    version_reports_version_commit_and_a_stable_instance_id,
);

async fn readiness_reports_ok_with_database_and_migration_checks(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, body) = app.get_json("/api/system/health").await;

    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["checks"]["database"]["status"], "ok");
    assert!(
        body["checks"]["database"]["latency_ms"].as_f64().is_some(),
        "{body}"
    );
    assert_eq!(body["checks"]["migrations"]["status"], "ok");
}

async fn ready_alias_answers_like_health(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, body) = app.get_json("/api/system/health/ready").await;

    assert_eq!(status, 200);
    assert_eq!(body["checks"]["migrations"]["status"], "ok");
}

async fn liveness_answers_without_consulting_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    app.db.close().await;

    let (status, body) = app.get_json("/api/system/health/live").await;

    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

async fn readiness_turns_503_naming_the_failed_check_when_the_database_is_gone(backend: Backend) {
    let app = spawn_app(backend).await;
    app.db.close().await;

    let started = Instant::now();
    let response = app.get("/api/system/health").await;
    let elapsed = started.elapsed();

    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["database"]["status"], "unavailable");
    // the probe learns which check failed, never the driver's error text
    assert_eq!(
        body["checks"]["database"].as_object().unwrap().len(),
        1,
        "{body}"
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "readiness must answer within 2 s, took {elapsed:?}"
    );
}

async fn version_reports_version_commit_and_a_stable_instance_id(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, first) = app.get_json("/api/system/version").await;
    let (_, second) = app.get_json("/api/system/version").await;

    assert_eq!(status, 200);
    assert_eq!(first["version"], env!("CARGO_PKG_VERSION"));
    assert!(!first["commit"].as_str().unwrap().is_empty());
    let instance = first["instance_id"].as_str().unwrap();
    assert_eq!(
        uuid::Uuid::parse_str(instance).unwrap().get_version_num(),
        7
    );
    assert_eq!(first["instance_id"], second["instance_id"]);
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(first["database"], expected);
}
