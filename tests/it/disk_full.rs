//! Disk full under SQLite: the data directory is a small tmpfs this test mounts and fills.
//! Writes must be refused with a 503 problem+json that says what is wrong (not a 500), reads
//! must go on, the database must pass `PRAGMA integrity_check`, and once space is freed writes
//! must work again without a restart. (SQLite only: PostgreSQL's disk is the server's own.)

use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sqlx::Connection;

use crate::helpers::binary::{self, Server};
use crate::helpers::tmpfs::Tmpfs;

/// Room left beside the filler: enough for a few entries, so the writes run into the wall.
const LEFT_FREE: u64 = 192 * 1024;
/// A bounded number of attempts to fill what is left.
const MAX_WRITES: usize = 2_000;

struct Api {
    client: reqwest::Client,
    address: String,
    token: String,
    org: String,
}

impl Api {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, HeaderMap, Value) {
        let url = format!("{}/api/v1/organizations/{}/{path}", self.address, self.org);
        let mut request = self.client.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn create(&self, n: usize, tag: &str) -> (u16, HeaderMap, Value) {
        let start = chrono::DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z").unwrap()
            + chrono::Duration::hours(n as i64);
        let end = start + chrono::Duration::minutes(45);
        // long descriptions fill the disk in tens of writes, not thousands
        let description = format!("entry {n} {}", "x".repeat(3_000));
        self.call(
            Method::POST,
            "time-entries",
            Some(json!({"description": description, "start": start, "end": end, "tags": [tag]})),
        )
        .await
    }

    /// Every entry's description, or the failed answer.
    async fn descriptions(&self) -> Result<Vec<String>, Value> {
        let mut all = Vec::new();
        let mut cursor = String::new();
        loop {
            let (status, _, page) = self
                .call(
                    Method::GET,
                    &format!("time-entries?limit=500{cursor}"),
                    None,
                )
                .await;
            if status != 200 {
                return Err(page);
            }
            for entry in page["items"].as_array().unwrap() {
                assert_eq!(entry["tags"].as_array().unwrap().len(), 1, "{entry}");
                all.push(entry["description"].as_str().unwrap().to_string());
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        all.sort();
        Ok(all)
    }
}

async fn sign_up(client: &reqwest::Client, address: &str) -> Api {
    let owner = binary::sign_up(client, address, "full@example.org", "Full Disk Ltd").await;
    Api {
        client: client.clone(),
        address: address.to_string(),
        token: owner.token,
        org: owner.org,
    }
}

fn filled_entry(n: usize) -> String {
    format!("entry {n} {}", "x".repeat(3_000))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_refuses_writes_with_503_keeps_reading_and_recovers_without_restart()
{
    let small = Tmpfs::mount("8m");
    let database = small.path().join("gogotime.db");
    let url = format!("sqlite://{}", database.display());
    let cwd = tempfile::tempdir().unwrap();
    let env = [
        ("GOGOTIME_ENV", "development"),
        ("DATABASE_URL", url.as_str()),
        ("GOGOTIME_BIND", "127.0.0.1:0"),
        ("GOGOTIME_METRICS_BIND", ""),
        ("GOGOTIME_PUBLIC_URL", "http://localhost:8080"),
        (
            "JWT_SECRET",
            "disk-full-secret-that-is-long-enough-for-hs256",
        ),
        ("GOGOTIME_SHUTDOWN_DELAY_SECONDS", "0"),
    ];
    let server = Server::start(&env, cwd.path());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let api = sign_up(&client, &server.address).await;
    let (status, _, tag) = api
        .call(Method::POST, "tags", Some(json!({"name": "disk"})))
        .await;
    assert_eq!(status, 201, "{tag}");
    let tag = tag["id"].as_str().unwrap().to_string();

    // the filler takes all but a little of the filesystem
    let filler = small.path().join("filler");
    let size = small.available().saturating_sub(LEFT_FREE);
    std::fs::write(&filler, vec![0u8; size as usize]).expect("write the filler");

    let mut acknowledged = Vec::new();
    let mut refusal = None;
    for n in 0..MAX_WRITES {
        let (status, headers, body) = api.create(n, &tag).await;
        if status == 201 {
            acknowledged.push(filled_entry(n));
        } else {
            refusal = Some((n, status, headers, body));
            break;
        }
    }
    let (refused, status, headers, body) =
        refusal.unwrap_or_else(|| panic!("{MAX_WRITES} writes fitted in {LEFT_FREE} bytes"));
    println!(
        "disk full drill: {} writes fitted, then {status} {}",
        acknowledged.len(),
        body["detail"]
    );
    assert_eq!(status, 503, "{body}");
    assert_eq!(headers["content-type"], "application/problem+json");
    // freeing space takes a person: no Retry-After inviting clients to hammer a full disk
    assert_eq!(headers.get("retry-after"), None);
    assert_eq!(
        body["detail"],
        "The server's disk is full, so this change was not saved. Try again once an administrator has freed space."
    );

    // reads go on: every acknowledged entry with its tag, nothing of the refused one
    let (tags_status, _, _) = api.call(Method::GET, "tags", None).await;
    assert_eq!(tags_status, 200);
    let mut expected = acknowledged.clone();
    expected.sort();
    let listed = api.descriptions().await;
    assert_eq!(listed, Ok(expected.clone()), "{:#?}", server.logs());
    let readiness = client
        .get(format!("{}/api/system/health", server.address))
        .send()
        .await
        .unwrap()
        .status();
    println!("disk full drill: readiness while full {readiness}");

    // the file is sound, checked by SQLite itself on a connection of its own
    let mut check = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let integrity: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&mut check)
        .await
        .unwrap();
    check.close().await.unwrap();
    assert_eq!(integrity, "ok");

    // space comes back: the same server writes again
    std::fs::remove_file(&filler).unwrap();
    let (status, _, body) = api.create(refused, &tag).await;
    assert_eq!(
        status,
        201,
        "after freeing space: {body}\n{:#?}",
        server.logs()
    );
    expected.push(filled_entry(refused));
    expected.sort();
    let listed = api.descriptions().await;
    assert_eq!(listed, Ok(expected), "{:#?}", server.logs());
    assert!(
        server
            .logs()
            .iter()
            .any(|line| line.contains("disk is full")),
        "the operator is told in the log: {:#?}",
        server.logs()
    );
    drop(server);
    drop(small);
}
