//! PostgreSQL failing under GoGoTime: unreachable at start, stopped while serving and back,
//! and two `migrate up` racing.

use std::time::Duration;

use crate::helpers::binary;
use crate::helpers::postgres::{Cluster, create_database_on, fresh_database};
use crate::helpers::{TestDatabase, spawn_app_on};

#[test]
fn unreachable_postgres_at_start_names_host_and_reason_but_never_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://gogotime:s3cret-Passw0rd@127.0.0.1:{closed_port}/gogotime");

    let run = binary::run(
        &["serve"],
        &[
            ("DATABASE_URL", &url),
            ("DATABASE_ACQUIRE_TIMEOUT_SECONDS", "1"),
        ],
        dir.path(),
    );

    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(&format!(
            "cannot connect to PostgreSQL at 127.0.0.1:{closed_port}"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.to_lowercase().contains("refused"),
        "{}",
        run.stderr
    );
    assert!(
        !run.output().contains("s3cret-Passw0rd"),
        "{}",
        run.output()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_follows_postgres_going_down_and_coming_back_without_a_restart() {
    let cluster = tokio::task::spawn_blocking(Cluster::start).await.unwrap();
    let database = TestDatabase::postgres(create_database_on(&cluster.url()).await);
    let app = spawn_app_on(database, |env| {
        crate::helpers::set(env, "DATABASE_ACQUIRE_TIMEOUT_SECONDS", "2")
    })
    .await;
    assert!(app.wait_for_health(200, Duration::from_secs(5)).await);

    let cluster = tokio::task::spawn_blocking(move || cluster.stop_and_keep())
        .await
        .unwrap();
    let went_unavailable = app.wait_for_health(503, Duration::from_secs(5)).await;
    let live_while_down = app.get("/api/system/health/live").await.status();
    let _cluster = tokio::task::spawn_blocking(move || cluster.restart_and_keep())
        .await
        .unwrap();
    let recovered = app.wait_for_health(200, Duration::from_secs(15)).await;

    assert!(
        went_unavailable,
        "health must turn 503 within 5 s of PostgreSQL stopping"
    );
    assert_eq!(live_while_down, 200);
    assert!(
        recovered,
        "health must be 200 again once PostgreSQL is back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_migrate_up_both_succeed_and_apply_each_migration_once() {
    let url = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();

    let runs: Vec<binary::Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    binary::run(
                        &["migrate", "up"],
                        &[("DATABASE_URL", url.as_str())],
                        dir.path(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.output());
    }
    let applied = runs
        .iter()
        .filter(|r| r.stderr.contains("migrations applied"))
        .count();
    let idle = runs
        .iter()
        .filter(|r| r.stderr.contains("nothing to apply"))
        .count();
    assert_eq!(
        (applied, idle),
        (1, 1),
        "one process applies, the other finds nothing: {runs:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_answers_within_two_seconds_while_postgres_hangs() {
    let admin = crate::helpers::postgres::admin_url();
    let database = fresh_database().await;
    let server = url::Url::parse(&admin).unwrap();
    let target: std::net::SocketAddr = format!(
        "{}:{}",
        server.host_str().unwrap(),
        server.port().unwrap_or(5432)
    )
    .parse()
    .unwrap();
    let proxy = crate::helpers::tcp_proxy::FreezableProxy::start(target).await;
    let mut through_proxy = url::Url::parse(&database).unwrap();
    through_proxy.set_port(Some(proxy.address.port())).unwrap();
    let app = spawn_app_on(TestDatabase::postgres(through_proxy.to_string()), |_| {}).await;
    assert!(app.wait_for_health(200, Duration::from_secs(5)).await);

    proxy.freeze();
    let started = std::time::Instant::now();
    let response = app.get("/api/system/health").await;
    let elapsed = started.elapsed();
    let live = app.get("/api/system/health/live").await.status();
    proxy.thaw();
    let recovered = app.wait_for_health(200, Duration::from_secs(15)).await;

    assert_eq!(response.status(), 503);
    assert!(
        elapsed < Duration::from_secs(2),
        "readiness took {elapsed:?} with a hung database"
    );
    assert_eq!(live, 200);
    assert!(recovered, "health returns once the database answers again");
}
