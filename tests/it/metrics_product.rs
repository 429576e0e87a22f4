//! What the metrics say about product activity and the database, counted exactly: entries by
//! source, sign-in outcomes, imports, exports, timers and sessions; database errors and an
//! unreachable database; and the process-wide families on the real binary.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::binary;
use crate::helpers::postgres::{Cluster, create_database_on};
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, TestDatabase, spawn_app, spawn_app_on};
use crate::metrics::value;

both_backends!(
    entries_are_counted_by_the_source_that_created_them,
    sign_ins_are_counted_by_outcome,
    imports_and_exports_are_counted_with_their_outcome_and_duration,
    running_timers_and_active_sessions_come_from_the_database,
);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn created(metrics: &str, source: &str) -> f64 {
    value(
        metrics,
        &format!(r#"gogotime_time_entries_created_total{{source="{source}"}}"#),
    )
}

/// Signs Ada in for the API; returns her token and organization id.
async fn ada(app: &TestApp) -> (String, String) {
    let (_, tokens) = app.token_for("ada@example.org", PASSWORD).await;
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let (_, orgs) = app.get_as("/api/v1/organizations", &token).await;
    (token, orgs[0]["id"].as_str().unwrap().to_string())
}

async fn entries_are_counted_by_the_source_that_created_them(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    let (token, org) = ada(&app).await;
    let api = |path: &str| format!("/api/v1/organizations/{org}/{path}");

    for day in ["2026-11-23", "2026-11-24"] {
        let body = json!({"start": format!("{day}T08:00:00Z"), "end": format!("{day}T09:00:00Z")});
        let (status, entry) = app.post(&api("time-entries"), Some(&token), body).await;
        assert_eq!(status, 201, "{entry}");
    }
    let (status, _) = app.post(&api("timer/start"), Some(&token), json!({})).await;
    assert_eq!(status, 201);
    app.clock.advance(chrono::Duration::minutes(5));
    web.get(&home).await; // the form's CSRF token
    let started = web.post(&format!("{home}/timer/start"), &[]).await;
    started.assert_redirect(&home);
    web.get(&format!("{home}/entries")).await;
    let saved = web
        .post(
            &format!("{home}/entries"),
            &[
                ("date", "2026-11-20"),
                ("start", "09:00"),
                ("end", "10:00"),
                ("description", "Typed in"),
            ],
        )
        .await;
    assert!(
        saved.location.is_some(),
        "the web entry was saved: {}",
        saved.body
    );
    let rejected = json!({"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T09:00:00Z"});
    let (status, _) = app.post(&api("time-entries"), Some(&token), rejected).await;
    assert_eq!(status, 422, "an entry refused is not counted");

    let metrics = app.metrics().await;

    assert_eq!(created(&metrics, "api"), 2.0);
    assert_eq!(created(&metrics, "timer"), 2.0);
    assert_eq!(created(&metrics, "web"), 1.0);
    assert_eq!(created(&metrics, "import"), 0.0);
}

fn sign_ins(metrics: &str, outcome: &str) -> f64 {
    value(
        metrics,
        &format!(r#"gogotime_sign_in_attempts_total{{outcome="{outcome}"}}"#),
    )
}

async fn sign_ins_are_counted_by_outcome(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up("ada@example.org", None).await; // one successful sign-in
    let mut web = WebClient::new(&app);
    web.sign_in("ada@example.org").await; // and one through the web page

    // ten failures for one account from one address, then the eleventh is refused unchecked
    for _ in 0..10 {
        let (status, _) = app.token_for("ada@example.org", "wrong password").await;
        assert_eq!(status, 401);
    }
    let (status, _) = app.token_for("ada@example.org", PASSWORD).await;
    assert_eq!(status, 429);

    let metrics = app.metrics().await;

    assert_eq!(sign_ins(&metrics, "success"), 2.0);
    assert_eq!(sign_ins(&metrics, "failure"), 10.0);
    assert_eq!(sign_ins(&metrics, "rate_limited"), 1.0);
}

const BOUNDARY: &str = "gogotime-metrics-boundary";

async fn upload(app: &TestApp, token: &str, org: &str, query: &str, file: &[u8]) -> u16 {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"e.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    app.client
        .post(app.url(&format!("/api/v1/organizations/{org}/imports?{query}")))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .expect("request sent")
        .status()
        .as_u16()
}

async fn imports_and_exports_are_counted_with_their_outcome_and_duration(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up("ada@example.org", Some("Analytical")).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &user.token).await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    let fixture = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import/gogotime_export.csv"),
    )
    .unwrap();
    let fallback = format!("tz=Europe/Berlin&fallback_user_id={}", user.id);

    assert_eq!(
        upload(&app, &user.token, &org, &fallback, &fixture).await,
        200
    );
    let applied = format!("{fallback}&dry_run=false");
    assert_eq!(
        upload(&app, &user.token, &org, &applied, &fixture).await,
        201
    );
    assert_eq!(
        upload(&app, &user.token, &org, &applied, b"not,a\ncsv").await,
        422
    );
    let range = "from=2026-03-01&to=2026-04-30&tz=Europe/Berlin&group=project";
    for file in ["entries.csv", "entries.json", "entries.xlsx", "summary.pdf"] {
        let path = format!("/api/v1/organizations/{org}/exports/{file}?{range}");
        let response = app
            .client
            .get(app.url(&path))
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{file}");
        response.bytes().await.unwrap(); // to the last byte
    }
    let bad = format!("/api/v1/organizations/{org}/exports/entries.csv?from=yesterday");
    let (status, _) = app.get_as(&bad, &user.token).await;
    assert_eq!(status, 422, "a refused request is no export");
    let (status, entries) = app
        .get_as(
            &format!("/api/v1/organizations/{org}/time-entries"),
            &user.token,
        )
        .await;
    assert_eq!(status, 200);
    let imported = entries["items"].as_array().map_or(0, Vec::len) as f64;

    let metrics = app.metrics().await;

    let imports = |outcome: &str| {
        value(
            &metrics,
            &format!(r#"gogotime_imports_total{{outcome="{outcome}"}}"#),
        )
    };
    assert_eq!(imports("dry_run"), 1.0);
    assert_eq!(imports("applied"), 1.0);
    assert_eq!(imports("rejected"), 1.0);
    assert_eq!(imports("failed"), 0.0);
    assert_eq!(
        value(&metrics, "gogotime_import_duration_seconds_count"),
        3.0
    );
    assert!(imported > 0.0, "{entries}");
    assert_eq!(created(&metrics, "import"), imported);
    for format in ["csv", "json", "xlsx", "pdf"] {
        let completed =
            format!(r#"gogotime_exports_total{{format="{format}",outcome="completed"}}"#);
        // streamed exports count once their producer has finished, a moment after the last byte
        let mut counted = value(&metrics, &completed);
        for _ in 0..50 {
            if counted == 1.0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            counted = value(&app.metrics().await, &completed);
        }
        assert_eq!(counted, 1.0, "{format}");
        let failed = format!(r#"gogotime_exports_total{{format="{format}",outcome="failed"}}"#);
        assert_eq!(value(&metrics, &failed), 0.0, "{format}");
    }
    let metrics = app.metrics().await;
    assert_eq!(
        value(
            &metrics,
            r#"gogotime_export_duration_seconds_count{format="pdf"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &metrics,
            r#"gogotime_exports_total{format="csv",outcome="completed"}"#
        ),
        1.0,
        "the refused export was not counted"
    );
}

async fn running_timers_and_active_sessions_come_from_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let mut web = WebClient::new(&app);
    web.sign_in("member@example.org").await;
    let mut other = WebClient::new(&app);
    other.sign_in("admin@example.org").await;
    for user in [&org.member, &org.manager] {
        let path = format!("/api/v1/organizations/{}/timer/start", org.id);
        let (status, _) = app.post(&path, Some(&user.token), json!({})).await;
        assert_eq!(status, 201);
    }
    let before = app.metrics().await;
    let path = format!("/api/v1/organizations/{}/timer/stop", org.id);
    let (status, _) = app.post(&path, Some(&org.manager.token), json!({})).await;
    assert_eq!(status, 200);
    app.clock.advance(chrono::Duration::days(15)); // both sessions idle past their 14 days

    let after = app.metrics().await;

    assert_eq!(value(&before, "gogotime_running_timers"), 2.0);
    assert_eq!(value(&before, "gogotime_active_sessions"), 2.0);
    assert_eq!(value(&after, "gogotime_running_timers"), 1.0);
    assert_eq!(value(&after, "gogotime_active_sessions"), 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_shows_as_db_up_0_and_connection_errors() {
    let cluster = tokio::task::spawn_blocking(Cluster::start).await.unwrap();
    let database = TestDatabase::postgres(create_database_on(&cluster.url()).await);
    let app = spawn_app_on(database, |env| {
        crate::helpers::set(env, "DATABASE_ACQUIRE_TIMEOUT_SECONDS", "1")
    })
    .await;
    let up = app.metrics().await;
    let errors = |metrics: &str| value(metrics, r#"gogotime_db_errors_total{kind="connection"}"#);

    let cluster = tokio::task::spawn_blocking(move || cluster.stop_and_keep())
        .await
        .unwrap();
    assert!(app.wait_for_health(503, Duration::from_secs(10)).await);
    let down = app.metrics().await;

    assert_eq!(value(&up, "gogotime_db_up"), 1.0);
    assert_eq!(value(&up, "gogotime_running_timers"), 0.0);
    assert_eq!(value(&down, "gogotime_db_up"), 0.0);
    // the database's gauges are left out rather than shown stale
    assert!(!down.contains("gogotime_running_timers"), "{down}");
    assert!(!down.contains("gogotime_db_migrations"), "{down}");
    // the pool's own view stays
    assert_eq!(
        value(&down, r#"gogotime_db_pool_connections{state="max"}"#),
        10.0
    );
    // process-wide (other tests' apps add to it too): at least this outage's failures
    assert!(errors(&down) >= errors(&up) + 1.0, "{down}");
    drop(cluster);
}

/// Statement durations, pool waits and the process families, on the real binary: the
/// statement metrics come from the logging layer only `gogotime serve` installs, and the
/// process-wide counters are this process's alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_reports_statements_pool_waits_and_process_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/data/gogotime.db", dir.path().display());
    let cwd = dir.path().to_path_buf();
    let server = tokio::task::spawn_blocking(move || {
        binary::Server::start(
            &[
                ("DATABASE_URL", url.as_str()),
                ("GOGOTIME_BIND", "127.0.0.1:0"),
                ("GOGOTIME_METRICS_BIND", "127.0.0.1:0"),
                ("GOGOTIME_PUBLIC_URL", "http://localhost:8080"),
                ("JWT_SECRET", "test-secret-that-is-long-enough-for-hs256"),
                ("GOGOTIME_LOG", "info"),
            ],
            &cwd,
        )
    })
    .await
    .unwrap();
    let metrics_address = server
        .logs()
        .iter()
        .find_map(|line| {
            let json: serde_json::Value = serde_json::from_str(line).ok()?;
            json["metrics"].as_str().map(str::to_owned)
        })
        .expect("the serving line names the metrics address");
    let client = crate::helpers::client();
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let register = json!({"email": "ada@example.org", "password": PASSWORD, "name": "Ada"});
    let response = client
        .post(format!("{}/api/v1/auth/register", server.address))
        .json(&register)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    let metrics = client
        .get(format!("http://{metrics_address}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    for operation in ["select", "insert"] {
        let series =
            format!(r#"gogotime_db_query_duration_seconds_count{{operation="{operation}"}}"#);
        assert!(value(&metrics, &series) >= 1.0, "{operation}: {metrics}");
    }
    assert!(value(&metrics, "gogotime_db_pool_acquire_duration_seconds_count") >= 1.0);
    assert_eq!(
        value(&metrics, r#"gogotime_db_errors_total{kind="connection"}"#),
        0.0
    );
    assert!(value(&metrics, "process_resident_memory_bytes") > 1e6);
    assert!(value(&metrics, "process_cpu_seconds_total") > 0.0);
    assert!(value(&metrics, "process_open_fds") >= 3.0);
    let start = value(&metrics, "process_start_time_seconds");
    assert!(
        start <= started + 1.0 && start > started - 60.0,
        "start {start}, request at {started}"
    );
    drop(server);
}
