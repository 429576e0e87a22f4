//! Test helpers: `spawn_app(backend)` runs the real app on port 0 against a fresh database.

pub mod accounts;
pub mod binary;
pub mod browser;
pub mod doc_check;
pub mod postgres;
pub mod shell_docs;
pub mod smtp;
pub mod tcp_proxy;
pub mod tls;
pub mod tmpfs;
pub mod web;

use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use gogotime::clock::FixedClock;
use gogotime::config::{Config, EnvSnapshot};
use gogotime::db::Db;
use gogotime::startup::App;
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(Backend)` as two tests, `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )+
        }
    };
}

/// A database nobody else uses; the SQLite file lives as long as `_dir`.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("data/gogotime.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => Self::postgres(postgres::fresh_database().await),
        }
    }

    pub fn postgres(url: String) -> Self {
        Self { url, _dir: None }
    }
}

pub struct TestApp {
    /// The app's clock: stands still unless a test moves it.
    pub clock: FixedClock,
    pub address: String,
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub db: Db,
    /// Keeps a SQLite file's directory alive as long as the app.
    _database: TestDatabase,
}

/// Variables every test app gets: loopback, port 0, quiet logs, no shutdown delay.
pub fn base_env(database_url: &str) -> Vec<(String, String)> {
    [
        ("GOGOTIME_ENV", "development"),
        ("DATABASE_URL", database_url),
        ("GOGOTIME_BIND", "127.0.0.1:0"),
        ("GOGOTIME_PUBLIC_URL", "http://localhost:8080"),
        ("GOGOTIME_METRICS_BIND", "127.0.0.1:0"),
        ("JWT_SECRET", "test-secret-that-is-long-enough-for-hs256"),
        ("GOGOTIME_LOG", "warn"),
        ("GOGOTIME_SHUTDOWN_DELAY_SECONDS", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub fn set(env: &mut Vec<(String, String)>, name: &str, value: &str) {
    env.retain(|(k, _)| k != name);
    env.push((name.to_string(), value.to_string()));
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(
    backend: Backend,
    customise: impl FnOnce(&mut Vec<(String, String)>),
) -> TestApp {
    let database = TestDatabase::new(backend).await;
    spawn_app_on(database, customise).await
}

/// Panics on the server's threads (tokio's workers) since the last check. A panic while
/// serving a request is a defect even when the response looked fine (the connection task of a
/// streamed download died after the headers went out, and tests still saw 200), so every test
/// that spawns an app fails when one happened.
static SERVER_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record_server_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            if thread.name().is_some_and(|name| name.starts_with("tokio-")) {
                let message = format!("{info}");
                SERVER_PANICS
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push(message);
            }
            previous(info);
        }));
    });
}

/// Fails the calling test when any server thread panicked since the last call.
pub fn assert_no_server_panics() {
    let panics = std::mem::take(
        &mut *SERVER_PANICS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    );
    assert!(
        panics.is_empty(),
        "the server panicked while serving:\n{}",
        panics.join("\n")
    );
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_no_server_panics();
        }
    }
}

pub async fn spawn_app_on(
    database: TestDatabase,
    customise: impl FnOnce(&mut Vec<(String, String)>),
) -> TestApp {
    record_server_panics();
    let mut env = base_env(&database.url);
    customise(&mut env);
    let (config, _warnings) =
        Config::from_env(&EnvSnapshot::from_pairs(env)).expect("test configuration is valid");
    let clock = FixedClock::at(chrono::Utc::now());
    let app = App::build_with_clock(config, Arc::new(clock.clone()))
        .await
        .expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let db = app.db();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        clock,
        address,
        metrics_address,
        client: client(),
        db,
        _database: database,
    }
}

/// A client that neither follows redirects nor decompresses, so tests see the raw response.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

impl TestApp {
    pub fn clock_now(&self) -> i64 {
        use gogotime::clock::Clock;
        self.clock.now().timestamp()
    }

    pub fn database_url(&self) -> &str {
        &self._database.url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_json(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    pub async fn metrics(&self) -> String {
        let url = format!(
            "{}/metrics",
            self.metrics_address.as_ref().expect("metrics enabled")
        );
        self.client
            .get(url)
            .send()
            .await
            .expect("metrics answered")
            .text()
            .await
            .expect("metrics text")
    }

    /// Polls readiness until it answers `status` or `within` passes; returns whether it did.
    pub async fn wait_for_health(&self, status: u16, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            if let Ok(response) = self.client.get(self.url("/api/system/health")).send().await
                && response.status().as_u16() == status
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }
}
