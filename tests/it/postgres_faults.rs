//! PostgreSQL failing under GoGoTime: unreachable at start, stopped or hung while serving (requests
//! answer 503 fast, acknowledged writes survive) and back,
//! and two `migrate up` racing.

use std::time::Duration;

use crate::helpers::binary;
use crate::helpers::postgres::{Cluster, create_database_on, fresh_database};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase, spawn_app_on};

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

/// An API call during a fault: status, content type, body and how long it took.
struct Answer {
    status: u16,
    content_type: String,
    retry_after: Option<String>,
    body: Value,
    took: Duration,
}

async fn answer(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Answer {
    let started = std::time::Instant::now();
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .expect("an answer, not a dropped connection");
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let content_type = header("content-type").unwrap_or_default();
    let retry_after = header("retry-after");
    let body = response.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        retry_after,
        body,
        took: started.elapsed(),
    }
}

fn entry(n: u32) -> Value {
    json!({
        "start": format!("2026-03-0{n}T09:00:00Z"),
        "end": format!("2026-03-0{n}T10:00:00Z"),
        "description": format!("written before or after the outage #{n}"),
    })
}

/// What a person gets while the database is unavailable: 503 problem+json within the acquire
/// timeout (2 s here) plus a margin for the request itself, never a hang or a 500.
fn assert_unavailable(what: &str, a: &Answer) {
    assert_eq!(a.status, 503, "{what}: {:?}", a.body);
    assert_eq!(a.content_type, "application/problem+json", "{what}");
    assert_eq!(a.retry_after.as_deref(), Some("5"), "{what}");
    assert_eq!(
        a.body["detail"], "The database is not answering right now. Try again in a moment.",
        "{what}"
    );
    assert_eq!(a.body["status"], 503, "{what}: {:?}", a.body);
    assert!(
        a.took < Duration::from_secs(6),
        "{what} hung for {:?} instead of failing fast",
        a.took
    );
}

async fn entry_descriptions(app: &TestApp, org: &str, token: &str) -> Vec<String> {
    let list = answer(
        app,
        Method::GET,
        &format!("/api/v1/organizations/{org}/time-entries?sort=start"),
        token,
        None,
    )
    .await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["description"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_during_a_postgres_outage_answer_503_fast_and_recover_without_a_restart() {
    let cluster = tokio::task::spawn_blocking(Cluster::start).await.unwrap();
    let database = TestDatabase::postgres(create_database_on(&cluster.url()).await);
    let app = spawn_app_on(database, |env| {
        crate::helpers::set(env, "DATABASE_ACQUIRE_TIMEOUT_SECONDS", "2")
    })
    .await;
    assert!(app.wait_for_health(200, Duration::from_secs(5)).await);
    let org = app.org_with_every_role().await;
    let token = org.member.token.as_str();
    let entries = format!("/api/v1/organizations/{}/time-entries", org.id);
    let before = answer(&app, Method::POST, &entries, token, Some(entry(1))).await;
    assert_eq!(before.status, 201, "{:?}", before.body);

    let cluster = tokio::task::spawn_blocking(move || cluster.stop_and_keep())
        .await
        .unwrap();
    let went_unavailable = app.wait_for_health(503, Duration::from_secs(5)).await;
    let live_while_down = app.get("/api/system/health/live").await.status();
    let write_while_down = answer(&app, Method::POST, &entries, token, Some(entry(2))).await;
    let read_while_down = answer(&app, Method::GET, &entries, token, None).await;
    let _cluster = tokio::task::spawn_blocking(move || cluster.restart_and_keep())
        .await
        .unwrap();
    let recovered = app.wait_for_health(200, Duration::from_secs(15)).await;
    let write_after = answer(&app, Method::POST, &entries, token, Some(entry(3))).await;

    assert!(
        went_unavailable,
        "health must turn 503 within 5 s of PostgreSQL stopping"
    );
    assert_eq!(live_while_down, 200);
    assert_unavailable("a write while PostgreSQL is down", &write_while_down);
    assert_unavailable("a read while PostgreSQL is down", &read_while_down);
    assert!(
        recovered,
        "health must be 200 again once PostgreSQL is back"
    );
    assert_eq!(write_after.status, 201, "{:?}", write_after.body);
    assert_eq!(
        entry_descriptions(&app, &org.id, token).await,
        [
            "written before or after the outage #1",
            "written before or after the outage #3"
        ],
        "the acknowledged writes are there; the refused one is not"
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
async fn readiness_and_requests_answer_503_fast_while_postgres_hangs() {
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
    let app = spawn_app_on(TestDatabase::postgres(through_proxy.to_string()), |env| {
        crate::helpers::set(env, "DATABASE_ACQUIRE_TIMEOUT_SECONDS", "2")
    })
    .await;
    assert!(app.wait_for_health(200, Duration::from_secs(5)).await);
    let org = app.org_with_every_role().await;
    let token = org.member.token.as_str();
    let entries = format!("/api/v1/organizations/{}/time-entries", org.id);
    let before = answer(&app, Method::POST, &entries, token, Some(entry(1))).await;
    assert_eq!(before.status, 201, "{:?}", before.body);

    proxy.freeze();
    let started = std::time::Instant::now();
    let response = app.get("/api/system/health").await;
    let elapsed = started.elapsed();
    let live = app.get("/api/system/health/live").await.status();
    let write_while_frozen = answer(&app, Method::POST, &entries, token, Some(entry(2))).await;
    let read_while_frozen = answer(&app, Method::GET, &entries, token, None).await;
    proxy.thaw();
    let recovered = app.wait_for_health(200, Duration::from_secs(15)).await;
    let write_after = answer(&app, Method::POST, &entries, token, Some(entry(3))).await;

    assert_eq!(response.status(), 503);
    assert!(
        elapsed < Duration::from_secs(2),
        "readiness took {elapsed:?} with a hung database"
    );
    assert_eq!(live, 200);
    assert_unavailable("a write while PostgreSQL hangs", &write_while_frozen);
    assert_unavailable("a read while PostgreSQL hangs", &read_while_frozen);
    assert!(recovered, "health returns once the database answers again");
    assert_eq!(write_after.status, 201, "{:?}", write_after.body);
    let stored = entry_descriptions(&app, &org.id, token).await;
    assert!(
        stored.contains(&"written before or after the outage #1".to_string())
            && stored.contains(&"written before or after the outage #3".to_string()),
        "the acknowledged writes are there: {stored:?}"
    );
}
