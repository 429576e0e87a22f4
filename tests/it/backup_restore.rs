//! `gogotime backup` and `gogotime restore`, the real binary on both databases: the restore drill
//! (data written through the API, a backup while requests keep writing, a restore into an empty
//! database whose every table matches the manifest, checked here independently, and an app that
//! serves it), and the refusals: truncated or corrupt backups, a non-empty target, a newer schema.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use sha2::Digest;

use crate::both_backends;
use crate::helpers::accounts::TestUser;
use crate::helpers::postgres as pg;
use crate::helpers::{Backend, TestApp, TestDatabase, binary, spawn_app, spawn_app_on};

both_backends!(
    a_backup_taken_under_writes_restores_every_table_exactly_and_serves,
    restore_refuses_a_truncated_backup_and_leaves_the_target_empty,
    restore_refuses_a_corrupt_backup_and_leaves_the_target_empty,
    restore_refuses_a_target_that_is_not_empty,
    restore_refuses_a_backup_of_a_newer_schema,
);

fn env(url: &str) -> Vec<(&str, &str)> {
    vec![("DATABASE_URL", url), ("GOGOTIME_LOG", "warn")]
}

/// Runs `gogotime backup --to DIR`; returns the new backup directory.
fn backup(url: &str, to: &Path) -> PathBuf {
    let run = binary::run(&["backup", "--to", to.to_str().unwrap()], &env(url), to);
    assert_eq!(run.code, 0, "backup failed: {}", run.output());
    let name = run
        .stdout
        .strip_prefix("backup ")
        .and_then(|rest| rest.split(':').next())
        .unwrap_or_else(|| panic!("no backup path in: {}", run.stdout));
    PathBuf::from(name)
}

fn restore(url: &str, from: &Path) -> binary::Run {
    binary::run(&["restore", from.to_str().unwrap()], &env(url), from)
}

/// An empty database of the same kind, not yet created on disk for SQLite.
async fn empty_target(backend: Backend, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("restored/gogotime.db").display()),
        Backend::Postgres => pg::fresh_database().await,
    }
}

/// Table name → (rows, SHA-256 of the rows in byte order), computed here without GoGoTime's code.
async fn fingerprints(url: &str) -> Vec<(String, u64, String)> {
    let mut out = Vec::new();
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "select tablename::text from pg_tables where schemaname = 'public' order by 1",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for table in tables {
            let sql = format!("select t::text from \"{table}\" t order by t::text collate \"C\"");
            let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&pool).await.unwrap();
            out.push((table, rows.len() as u64, sha256_lines(&rows)));
        }
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for table in tables {
            let columns: Vec<String> =
                sqlx::query_scalar("select name from pragma_table_info(?1) order by cid")
                    .bind(&table)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let row = columns
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            let sql = format!("select {row} from \"{table}\" order by 1");
            let rows: Vec<String> = sqlx::query_scalar(&sql)
                .fetch(&pool)
                .try_collect()
                .await
                .unwrap();
            out.push((table, rows.len() as u64, sha256_lines(&rows)));
        }
        pool.close().await;
    }
    out
}

fn sha256_lines(rows: &[String]) -> String {
    let mut sha = sha2::Sha256::new();
    for row in rows {
        sha.update(row.as_bytes());
        sha.update(b"\n");
    }
    hex::encode(sha.finalize())
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn manifest_tables(manifest: &Value) -> Vec<(String, u64, String)> {
    let mut tables: Vec<(String, u64, String)> = manifest["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["rows"].as_u64().unwrap(),
                t["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    tables.sort();
    tables
}

/// Two organizations with tags, rates, entries and the audit trail those changes leave.
async fn seed(app: &TestApp) -> (TestUser, String) {
    let owner = app.sign_up("owner@example.com", Some("Drill One")).await;
    let (_, second) = app
        .post(
            "/api/v1/organizations",
            Some(&owner.token),
            json!({"name": "Drill Two"}),
        )
        .await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let first = orgs[0]["id"].as_str().unwrap().to_string();
    for org in [first.clone(), second["id"].as_str().unwrap().to_string()] {
        let (status, tag) = app
            .post(
                &format!("/api/v1/organizations/{org}/tags"),
                Some(&owner.token),
                json!({"name": "billable"}),
            )
            .await;
        assert_eq!(status, 201, "{tag}");
        let (status, _) = app
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/organizations/{org}/rates/default"),
                Some(&owner.token),
                Some(json!({"hourly_rate": 9500})),
            )
            .await;
        assert_eq!(status, 200);
        for day in 10..25 {
            let (status, body) = app
                .post(
                    &format!("/api/v1/organizations/{org}/time-entries"),
                    Some(&owner.token),
                    json!({"start": format!("2026-03-{day}T09:00:00Z"), "end": format!("2026-03-{day}T12:30:00Z"),
                           "description": format!("drill {day}"), "tags": [tag["id"]]}),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/organizations/{first}/invitations"),
            Some(&owner.token),
            json!({"email": "new@example.com", "role": "member"}),
        )
        .await;
    assert_eq!(status, 201);
    (owner, first)
}

async fn a_backup_taken_under_writes_restores_every_table_exactly_and_serves(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, org) = seed(&app).await;
    let dir = tempfile::tempdir().unwrap();
    // a writer that keeps creating entries while the backup runs
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (client, url, token, stop, written) = (
            app.client.clone(),
            app.url(&format!("/api/v1/organizations/{org}/time-entries")),
            owner.token.clone(),
            stop.clone(),
            written.clone(),
        );
        tokio::spawn(async move {
            let mut minute = 0;
            while !stop.load(Ordering::SeqCst) {
                minute += 1;
                let body = json!({"start": "2026-04-01T08:00:00Z", "end": format!("2026-04-01T08:{:02}:{:02}Z", minute / 60, minute % 60 + 1), "description": "while backing up"});
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
                written.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while written.load(Ordering::SeqCst) < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let source = app.database_url().to_string();
    let backup_dir = tokio::task::spawn_blocking({
        let to = dir.path().to_path_buf();
        move || backup(&source, &to)
    })
    .await
    .unwrap();
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let target = empty_target(backend, dir.path()).await;
    let run = restore(&target, &backup_dir);

    assert_eq!(run.code, 0, "{}", run.output());
    let manifest = manifest(&backup_dir);
    let expected = manifest_tables(&manifest);
    let mut found = fingerprints(&target).await;
    found.sort();
    assert_eq!(found, expected, "restored tables differ from the manifest");
    let count = |name: &str| expected.iter().find(|t| t.0 == name).unwrap().1;
    assert!(
        count("time_entries") >= 30 + 5,
        "entries: {}",
        count("time_entries")
    );
    assert!(count("audit_log") >= 1 && count("tags") == 2 && count("organizations") == 2);
    // the restored database is the one the app now serves
    let restored = spawn_app_on(TestDatabase::postgres(target.clone()), |_| {}).await;
    let (status, entries) = restored
        .get_as(
            &format!("/api/v1/organizations/{org}/time-entries?limit=500"),
            &owner.token,
        )
        .await;
    assert_eq!(status, 200, "{entries}");
    let listed = entries["items"]
        .as_array()
        .map_or_else(|| entries.as_array().unwrap().len(), Vec::len);
    let first_org_rows = found.iter().find(|t| t.0 == "time_entries").unwrap().1 - 15;
    assert_eq!(listed as u64, first_org_rows);
}

/// A backup of a freshly seeded database, and an empty target for it.
async fn backed_up(backend: Backend) -> (tempfile::TempDir, PathBuf, String) {
    let app = spawn_app(backend).await;
    seed(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let backup_dir = backup(app.database_url(), dir.path());
    let target = empty_target(backend, dir.path()).await;
    (dir, backup_dir, target)
}

async fn assert_target_empty(backend: Backend, target: &str) {
    match backend {
        Backend::Sqlite => {
            let path = target.strip_prefix("sqlite://").unwrap();
            assert!(!Path::new(path).exists(), "{path} was created");
            assert!(!Path::new(&format!("{path}.restoring")).exists());
        }
        Backend::Postgres => assert!(fingerprints(target).await.is_empty(), "tables were created"),
    }
}

fn data_file(backup_dir: &Path) -> PathBuf {
    let name = manifest(backup_dir)["file"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    backup_dir.join(name)
}

async fn restore_refuses_a_truncated_backup_and_leaves_the_target_empty(backend: Backend) {
    let (_dir, backup_dir, target) = backed_up(backend).await;
    let file = data_file(&backup_dir);
    let size = std::fs::metadata(&file).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap()
        .set_len(size / 2)
        .unwrap();

    let run = restore(&target, &backup_dir);

    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!("is {} bytes but the manifest says {size}: the backup is truncated or damaged; nothing was restored", size / 2)),
        "{}",
        run.stderr
    );
    assert_target_empty(backend, &target).await;
}

async fn restore_refuses_a_corrupt_backup_and_leaves_the_target_empty(backend: Backend) {
    let (_dir, backup_dir, target) = backed_up(backend).await;
    let file = data_file(&backup_dir);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&file, bytes).unwrap();

    let run = restore(&target, &backup_dir);

    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("does not match the SHA-256 in the manifest: the backup is corrupt; nothing was restored"),
        "{}",
        run.stderr
    );
    assert_target_empty(backend, &target).await;
}

async fn restore_refuses_a_target_that_is_not_empty(backend: Backend) {
    let app = spawn_app(backend).await;
    seed(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let backup_dir = backup(app.database_url(), dir.path());
    let before = fingerprints(app.database_url()).await;

    let run = restore(app.database_url(), &backup_dir);

    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
    assert!(
        run.stderr.contains("restore only into an empty database"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fingerprints(app.database_url()).await,
        before,
        "the target changed"
    );
}

async fn restore_refuses_a_backup_of_a_newer_schema(backend: Backend) {
    let (_dir, backup_dir, target) = backed_up(backend).await;
    let mut manifest = manifest(&backup_dir);
    manifest["schema_version"] = json!(99_991_231_000_000_i64);
    manifest["gogotime_version"] = json!("9.9.9");
    std::fs::write(backup_dir.join("manifest.json"), manifest.to_string()).unwrap();

    let run = restore(&target, &backup_dir);

    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("the backup's schema (version 99991231000000) is newer than this release of GoGoTime knows"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("restore it with GoGoTime 9.9.9 or later"),
        "{}",
        run.stderr
    );
    assert_target_empty(backend, &target).await;
}

#[test]
fn restore_of_a_directory_without_a_manifest_says_what_it_expects() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("x.db").display());

    let run = restore(&url, dir.path());

    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("manifest.json cannot be read"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("name a directory written by `gogotime backup`"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backup_service_backs_up_on_schedule_prunes_and_reports_its_last_success() {
    let app = spawn_app(Backend::Sqlite).await;
    seed(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let args = [
        "backup",
        "--to",
        dir.path().to_str().unwrap(),
        "--every",
        "10s",
        "--keep-daily",
        "1",
        "--metrics-bind",
        &bind,
    ];
    let mut child = std::process::Command::new(binary::BINARY)
        .args(args)
        .env_clear()
        .env("DATABASE_URL", app.database_url())
        .env("GOGOTIME_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = chrono::Utc::now().timestamp();

    // the first backup at start, the second after 10 s; keep-daily 1 leaves the newest only
    let mut last_success = 0;
    for _ in 0..300 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if let Ok(response) = app
            .client
            .get(format!("http://{bind}/metrics"))
            .send()
            .await
        {
            let text = response.text().await.unwrap();
            last_success = metric(&text, "gogotime_backup_last_success_timestamp_seconds");
            if metric(&text, "gogotime_backups_kept") == 1 && last_success >= started + 10 {
                break;
            }
        }
    }
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();

    assert!(
        last_success >= started + 10,
        "no second backup reported: {last_success} vs start {started}"
    );
    assert_eq!(status.code(), Some(0));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "expected the newest backup only: {names:?}");
    assert!(
        names[0].starts_with("gogotime-") && !names[0].ends_with(".partial"),
        "{names:?}"
    );
}

fn metric(text: &str, name: &str) -> i64 {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(name)
                .and_then(|v| v.trim().parse::<f64>().ok())
        })
        .map_or(0, |v| v as i64)
}
