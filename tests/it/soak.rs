//! Soak: the real binary under a bounded mixed workload (entries created, read, edited with
//! If-Match and deleted; lists, summary reports, CSV exports, timer start/stop) for
//! `GOGOTIME_SOAK_SECONDS` (45 by default, `scripts/test --full` runs 600). No request may fail;
//! after the first quarter (warm-up: pools, caches, allocator arenas filling) the server's
//! resident memory and open file descriptors must stay flat. The figures are printed
//! (`--nocapture`): requests, RSS and descriptors over time, p99 per tenth of the run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::both_backends;
use crate::helpers::binary::Server;
use crate::helpers::{Backend, TestDatabase};

both_backends!(a_mixed_workload_keeps_memory_and_descriptors_flat_and_never_fails);

/// Growth allowed from the end of the warm-up to the end of the run. The workload deletes what
/// it creates, but the audit log and deleted entries' tombstones grow, and SQLite's page cache
/// (2 MiB per connection, 10 connections) fills as the file does: up to about 20 MiB by
/// design. A leak of a kilobyte per request passes that within the 600-s run; in 45 s it takes
/// four. Descriptors: the pool's connections (with SQLite's WAL and shared-memory files) open
/// as they are needed, at most 10.
const RSS_GROWTH_MIB: f64 = 24.0;
const FD_GROWTH: i64 = 12;
const WORKERS: usize = 4;

fn seconds() -> u64 {
    std::env::var("GOGOTIME_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(45)
}

/// Resident memory (MiB) and open descriptors of `pid`, from /proc.
fn usage(pid: u32) -> (f64, i64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let rss_kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("proc fd")
        .count() as i64;
    (rss_kib / 1024.0, fds)
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// One answer: status, ETag and body.
struct Answer {
    status: StatusCode,
    etag: Option<String>,
    body: Value,
}

impl Client {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let etag = response
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_string());
        let text = response.text().await.expect("a whole body");
        Answer {
            status,
            etag,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }
}

/// Latencies and unexpected answers, shared by the workers.
#[derive(Default)]
struct Tally {
    /// (seconds since start, latency seconds)
    latencies: Vec<(f64, f64)>,
    unexpected: Vec<String>,
}

async fn expect(
    client: &Client,
    tally: &Mutex<Tally>,
    began: Instant,
    what: (Method, String),
    body: Option<Value>,
    headers: &[(&str, &str)],
    want: StatusCode,
) -> Answer {
    let (method, path) = what;
    let started = Instant::now();
    let answer = client.call(method.clone(), &path, body, headers).await;
    let mut tally = tally.lock().await;
    tally.latencies.push((
        started.duration_since(began).as_secs_f64(),
        started.elapsed().as_secs_f64(),
    ));
    if answer.status != want {
        tally.unexpected.push(format!(
            "{method} {path}: {} (expected {want}): {}",
            answer.status, answer.body
        ));
    }
    answer
}

/// Signs up an owner and returns a client with a long-lived API token and the organization's
/// base path, a project and a tag.
async fn set_up(base: &str) -> (Client, String, String, String) {
    let http = reqwest::Client::new();
    let register = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(
            &json!({"email": "soak@example.org", "password": crate::helpers::accounts::PASSWORD,
                      "name": "Soak", "organization_name": "Soak"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(register.status(), 201);
    let tokens: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": "soak@example.org", "password": crate::helpers::accounts::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = Client {
        http: http.clone(),
        base: base.to_string(),
        token: tokens["access_token"].as_str().unwrap().to_string(),
    };
    // an API token outlives the 15-minute access token, for long runs
    let api_token = access
        .call(
            Method::POST,
            "/api/v1/me/api-tokens",
            Some(json!({"name": "soak"})),
            &[],
        )
        .await;
    assert_eq!(api_token.status, 201, "{}", api_token.body);
    let client = Client {
        http,
        base: base.to_string(),
        token: api_token.body["secret"].as_str().unwrap().to_string(),
    };
    let orgs = client
        .call(Method::GET, "/api/v1/organizations", None, &[])
        .await;
    let org = format!(
        "/api/v1/organizations/{}",
        orgs.body[0]["id"].as_str().unwrap()
    );
    let project = client
        .call(
            Method::POST,
            &format!("{org}/projects"),
            Some(json!({"name": "Soak"})),
            &[],
        )
        .await;
    assert_eq!(project.status, 201, "{}", project.body);
    let tag = client
        .call(
            Method::POST,
            &format!("{org}/tags"),
            Some(json!({"name": "soak"})),
            &[],
        )
        .await;
    assert_eq!(tag.status, 201, "{}", tag.body);
    (
        client,
        org,
        project.body["id"].as_str().unwrap().to_string(),
        tag.body["id"].as_str().unwrap().to_string(),
    )
}

/// One worker's loop until `deadline`: its own hour of the day, so workers never overlap.
async fn work(
    worker: usize,
    client: Arc<Client>,
    ids: Arc<(String, String, String)>,
    tally: Arc<Mutex<Tally>>,
    requests: Arc<AtomicU64>,
    began: Instant,
    deadline: Instant,
) {
    let (org, project, tag) = (&ids.0, &ids.1, &ids.2);
    let mut n = 0u64;
    while Instant::now() < deadline {
        n += 1;
        let day = n % 28 + 1;
        let hour = 8 + worker;
        let created = expect(
            &client,
            &tally,
            began,
            (Method::POST, format!("{org}/time-entries")),
            Some(json!({
                "start": format!("2026-02-{day:02}T{hour:02}:00:00Z"),
                "end": format!("2026-02-{day:02}T{hour:02}:45:00Z"),
                "description": format!("soak {worker} {n}"),
                "project_id": project,
                "tags": [tag],
            })),
            &[],
            StatusCode::CREATED,
        )
        .await;
        let Some(id) = created.body["id"].as_str().map(str::to_owned) else {
            continue;
        };
        let entry = format!("{org}/time-entries/{id}");
        let read = expect(
            &client,
            &tally,
            began,
            (Method::GET, entry.clone()),
            None,
            &[],
            StatusCode::OK,
        )
        .await;
        let etag = read.etag.unwrap_or_default();
        expect(
            &client,
            &tally,
            began,
            (Method::PATCH, entry.clone()),
            Some(json!({"description": format!("soak {worker} {n} edited")})),
            &[("if-match", etag.as_str())],
            StatusCode::OK,
        )
        .await;
        expect(
            &client,
            &tally,
            began,
            (Method::GET, format!("{org}/time-entries?limit=50")),
            None,
            &[],
            StatusCode::OK,
        )
        .await;
        expect(
            &client,
            &tally,
            began,
            (
                Method::GET,
                format!("{org}/reports/summary?from=2026-02-01&to=2026-02-28&group=project&tz=UTC"),
            ),
            None,
            &[],
            StatusCode::OK,
        )
        .await;
        if n.is_multiple_of(10) {
            expect(
                &client,
                &tally,
                began,
                (
                    Method::GET,
                    format!("{org}/exports/entries.csv?from=2026-02-01&to=2026-02-28&tz=UTC"),
                ),
                None,
                &[],
                StatusCode::OK,
            )
            .await;
        }
        expect(
            &client,
            &tally,
            began,
            (Method::DELETE, entry),
            None,
            &[],
            StatusCode::NO_CONTENT,
        )
        .await;
        let mut sent = 6 + u64::from(n.is_multiple_of(10));
        if worker == 0 {
            // the timer is per person: one worker drives it
            expect(
                &client,
                &tally,
                began,
                (Method::POST, format!("{org}/timer/start")),
                Some(json!({"description": "soak timer"})),
                &[],
                StatusCode::CREATED,
            )
            .await;
            let stopped = expect(
                &client,
                &tally,
                began,
                (Method::POST, format!("{org}/timer/stop")),
                None,
                &[],
                StatusCode::OK,
            )
            .await;
            if let Some(id) = stopped.body["id"].as_str() {
                expect(
                    &client,
                    &tally,
                    began,
                    (Method::DELETE, format!("{org}/time-entries/{id}")),
                    None,
                    &[],
                    StatusCode::NO_CONTENT,
                )
                .await;
            }
            sent += 3;
        }
        requests.fetch_add(sent, Ordering::Relaxed);
    }
}

fn p99(mut latencies: Vec<f64>) -> f64 {
    if latencies.is_empty() {
        return 0.0;
    }
    latencies.sort_by(f64::total_cmp);
    latencies[((latencies.len() as f64 * 0.99).ceil() as usize).saturating_sub(1)]
}

async fn a_mixed_workload_keeps_memory_and_descriptors_flat_and_never_fails(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("GOGOTIME_BIND", "127.0.0.1:0"),
        ("GOGOTIME_METRICS_BIND", ""),
        ("GOGOTIME_ENV", "development"),
        ("JWT_SECRET", "soak-secret-that-is-long-enough-for-hs256"),
        ("GOGOTIME_SHUTDOWN_DELAY_SECONDS", "0"),
    ];
    let server = Server::start(&env, dir.path());
    let pid = server.pid();
    let (client, org, project, tag) = set_up(&server.address).await;
    let client = Arc::new(client);
    let ids = Arc::new((org, project, tag));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let requests = Arc::new(AtomicU64::new(0));
    let run = Duration::from_secs(seconds());
    let began = Instant::now();
    let deadline = began + run;

    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            tokio::spawn(work(
                w,
                client.clone(),
                ids.clone(),
                tally.clone(),
                requests.clone(),
                began,
                deadline,
            ))
        })
        .collect();
    // (seconds, RSS MiB, descriptors), every tenth of the run
    let mut samples = vec![(0.0, usage(pid).0, usage(pid).1)];
    for _ in 0..10 {
        tokio::time::sleep(run / 10).await;
        let (rss, fds) = usage(pid);
        samples.push((began.elapsed().as_secs_f64(), rss, fds));
    }
    for w in workers {
        w.await.expect("a worker finished");
    }
    let (rss_end, fds_end) = usage(pid);
    let tally = tally.lock().await;

    let total = requests.load(Ordering::Relaxed);
    println!(
        "soak {backend:?}: {} s, {total} requests ({:.0}/s), {} unexpected answers",
        run.as_secs(),
        total as f64 / run.as_secs_f64(),
        tally.unexpected.len()
    );
    let tenth = run.as_secs_f64() / 10.0;
    for (i, (at, rss, fds)) in samples.iter().enumerate() {
        let window: Vec<f64> = tally
            .latencies
            .iter()
            .filter(|(t, _)| i > 0 && *t >= at - tenth && *t < *at)
            .map(|(_, l)| *l)
            .collect();
        println!(
            "soak {backend:?}: t={at:5.1} s  RSS {rss:6.1} MiB  fds {fds:3}  p99 {:6.1} ms over {} requests",
            p99(window.clone()) * 1000.0,
            window.len()
        );
    }
    assert!(
        tally.unexpected.is_empty(),
        "{} unexpected answers, first ones: {:#?}",
        tally.unexpected.len(),
        &tally.unexpected[..tally.unexpected.len().min(5)]
    );
    assert!(total > 0, "the workload sent nothing");
    // the warm-up ends after the first quarter: samples[3] is at 30 % of the run
    let (_, rss_warm, fds_warm) = samples[3];
    assert!(
        rss_end - rss_warm <= RSS_GROWTH_MIB,
        "resident memory grew {:.1} MiB after the warm-up ({rss_warm:.1} → {rss_end:.1})",
        rss_end - rss_warm
    );
    assert!(
        fds_end - fds_warm <= FD_GROWTH,
        "open descriptors grew from {fds_warm} to {fds_end} after the warm-up"
    );
}
