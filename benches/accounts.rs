//! Prints the cost of a password hash with the chosen argon2id parameters, and what the
//! sign-in rate limiter does with a burst of 100 wrong passwords against the real server
//! (SQLite file, loopback only). Run with `cargo bench --bench accounts`.

use std::time::{Duration, Instant};

use gogotime::config::{Config, EnvSnapshot};
use gogotime::service::passwords;
use gogotime::startup::App;

fn main() {
    hash_cost();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(burst(false));
    runtime.block_on(burst(true));
}

fn hash_cost() {
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            passwords::hash_blocking("correct horse battery staple").expect("hash");
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "argon2id m={} KiB t={} p={}: median {:.1} ms, min {:.1} ms, max {:.1} ms per hash (20 runs)",
        passwords::MEMORY_KIB,
        passwords::ITERATIONS,
        passwords::PARALLELISM,
        times[10].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[19].as_secs_f64() * 1e3
    );
}

async fn burst(concurrent: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let env = EnvSnapshot::from_pairs([
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
    let client = reqwest::Client::new();
    client
        .post(format!("{base}/api/v1/auth/register"))
        .json(&serde_json::json!({"email": "ada@example.org", "password": "correct horse battery staple", "name": "Ada"}))
        .send()
        .await
        .expect("register");

    let started = Instant::now();
    let attempt = |client: reqwest::Client, base: String| async move {
        client
            .post(format!("{base}/api/v1/auth/token"))
            .json(&serde_json::json!({"email": "ada@example.org", "password": "wrong password!"}))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    };
    let statuses: Vec<u16> = if concurrent {
        let tasks: Vec<_> = (0..100)
            .map(|_| tokio::spawn(attempt(client.clone(), base.clone())))
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap_or(0));
        }
        statuses
    } else {
        let mut statuses = Vec::new();
        for _ in 0..100 {
            statuses.push(attempt(client.clone(), base.clone()).await);
        }
        statuses
    };
    let elapsed = started.elapsed();
    let count = |s: u16| statuses.iter().filter(|&&x| x == s).count();
    println!(
        "burst of 100 wrong passwords ({}): {} × 401, {} × 429, {} other; took {:.0} ms",
        if concurrent {
            "100 at once"
        } else {
            "one after another"
        },
        count(401),
        count(429),
        100 - count(401) - count(429),
        elapsed.as_secs_f64() * 1e3
    );
}
