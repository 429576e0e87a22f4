//! Page weight and render time of the web UI: prints the embedded CSS and JS sizes (raw and
//! gzip, against issue 21's budgets: 25 KB of CSS and 25 KB of page scripts), and the server time to render the home page of a
//! person with 200 entries this week, measured over loopback HTTP against the real app on a
//! SQLite file (or on `BENCH_DATABASE_URL`, an empty PostgreSQL database, when set).
//! Run with `cargo bench --bench pages`.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::{Datelike, TimeZone, Utc};
use gogotime::config::{Config, EnvSnapshot};
use gogotime::http::assets::Assets;
use gogotime::startup::App;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const ENTRIES: i64 = 200;
const RUNS: usize = 300;

fn main() {
    assets();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(home_page());
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip").len()
}

fn assets() {
    let (mut css, mut js) = (0, 0);
    for (name, raw, gzip) in Assets::get().sizes() {
        println!("asset {name}: {raw} bytes, {gzip} bytes gzip");
        if name.ends_with(".css") {
            css += gzip;
        } else if name.ends_with(".js") {
            js += gzip;
        }
    }
    println!(
        "total CSS {:.1} KB gzip (budget 25 KB), total JS {:.1} KB gzip (budget 25 KB)",
        css as f64 / 1024.0,
        js as f64 / 1024.0
    );
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Value {
    let mut request = client.request(method, url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {value}");
    value
}

async fn home_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or(sqlite);
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let env = EnvSnapshot::from_pairs([
        ("GOGOTIME_ENV", "development"),
        ("DATABASE_URL", url.as_str()),
        ("GOGOTIME_BIND", "127.0.0.1:0"),
        ("GOGOTIME_METRICS_BIND", ""),
        ("GOGOTIME_LOG", "error"),
        ("JWT_SECRET", "bench-secret-bench-secret-bench-secret"),
    ]);
    let (config, _) = Config::from_env(&env).expect("config");
    let app = App::build(config).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let post = reqwest::Method::POST;
    call(&client, post.clone(), format!("{base}/api/v1/auth/register"), None,
        json!({"email": "ada@example.org", "password": PASSWORD, "name": "Ada", "organization_name": "Bench"})).await;
    let tokens = call(
        &client,
        post.clone(),
        format!("{base}/api/v1/auth/token"),
        None,
        json!({"email": "ada@example.org", "password": PASSWORD}),
    )
    .await;
    let token = tokens["access_token"].as_str().expect("token").to_string();
    let orgs = call(
        &client,
        reqwest::Method::GET,
        format!("{base}/api/v1/organizations"),
        Some(&token),
        Value::Null,
    )
    .await;
    let org = orgs[0]["id"].as_str().expect("org").to_string();
    let api = format!("{base}/api/v1/organizations/{org}");
    let client_id = call(
        &client,
        post.clone(),
        format!("{api}/clients"),
        Some(&token),
        json!({"name": "Acme"}),
    )
    .await["id"]
        .clone();
    let mut projects = Vec::new();
    for name in ["Website", "Mobile app", "Support", "Research", "Internal"] {
        let p = call(
            &client,
            post.clone(),
            format!("{api}/projects"),
            Some(&token),
            json!({"name": name, "client_id": client_id}),
        )
        .await;
        projects.push(p["id"].clone());
    }
    // 200 entries spread over this week (UTC, Monday start): 29 a day, 20 minutes apart
    let today = Utc::now().date_naive();
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let week_start = Utc.from_utc_datetime(&monday.and_hms_opt(0, 0, 0).expect("midnight"));
    for i in 0..ENTRIES {
        let start = week_start
            + chrono::Duration::days(i % 7)
            + chrono::Duration::minutes(300 + (i / 7) * 20);
        let end = start + chrono::Duration::minutes(15);
        call(
            &client,
            post.clone(),
            format!("{api}/time-entries"),
            Some(&token),
            json!({
                "start": start, "end": end, "description": format!("Task number {i}"),
                "project_id": projects[(i % 5) as usize], "billable": i % 2 == 0,
            }),
        )
        .await;
    }
    let response = client
        .post(format!("{base}/api/v1/auth/session"))
        .json(&json!({"email": "ada@example.org", "password": PASSWORD}))
        .send()
        .await
        .expect("session");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string();
    let page = format!("{base}/o/{org}");
    let fetch = || async {
        let response = client
            .get(&page)
            .header("cookie", &cookie)
            .send()
            .await
            .expect("page");
        assert_eq!(response.status(), 200);
        response.bytes().await.expect("body")
    };
    let html = fetch().await;
    for _ in 0..20 {
        fetch().await;
    }
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        fetch().await;
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "home page with {ENTRIES} entries this week ({backend}; target 5 ms): median {:.2} ms, p95 {:.2} ms, min {:.2} ms over {RUNS} requests; HTML {} bytes, {} bytes gzip",
        ms(times[RUNS / 2]),
        ms(times[RUNS * 95 / 100]),
        ms(times[0]),
        html.len(),
        gzip_len(&html)
    );
}
