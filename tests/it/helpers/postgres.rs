//! PostgreSQL for tests. `GOGOTIME_TEST_DATABASE_URL` names a server (scripts/test starts a
//! throwaway cluster and sets it); each test gets its own database on it. Without it, tests
//! on PostgreSQL fail and say how to get one — they are never skipped silently.
//! `Cluster` starts a private cluster for tests that stop and start the server.

use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::Connection;

pub fn admin_url() -> String {
    std::env::var("GOGOTIME_TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "GOGOTIME_TEST_DATABASE_URL is not set, so the PostgreSQL half of the suite cannot run. \
             Run the suite with `scripts/test` (it starts a throwaway PostgreSQL cluster with initdb/pg_ctl), \
             or set GOGOTIME_TEST_DATABASE_URL=postgres://user@host:port/postgres for a server tests may create databases on."
        )
    })
}

/// Creates an empty database and returns its URL.
pub async fn fresh_database() -> String {
    create_database_on(&admin_url()).await
}

pub async fn create_database_on(admin: &str) -> String {
    let name = format!("gogotime_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::raw_sql(&format!("create database {name}"))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    conn.close().await.ok();
    let mut url = url::Url::parse(admin).expect("admin URL parses");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A private PostgreSQL cluster in a temporary directory, stopped and removed on drop.
pub struct Cluster {
    dir: tempfile::TempDir,
    pub port: u16,
    /// Extra `-c name=value` settings, e.g. TLS (see `start_with_tls`).
    settings: Vec<String>,
}

impl Cluster {
    pub fn start() -> Self {
        Self::start_with(Vec::new(), None)
    }

    /// A cluster that accepts only TLS connections, with `cert.pem`/`key.pem` from `tls_dir`.
    pub fn start_with_tls(tls_dir: &Path) -> Self {
        let settings = vec![
            "ssl=on".to_string(),
            format!("ssl_cert_file={}", tls_dir.join("cert.pem").display()),
            format!("ssl_key_file={}", tls_dir.join("key.pem").display()),
        ];
        // TLS connections from loopback only; anything else is rejected
        let hba = "hostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\nhostnossl all all 0.0.0.0/0 reject\nhostnossl all all ::/0 reject\nlocal all all trust\n";
        Self::start_with(settings, Some(hba))
    }

    fn start_with(settings: Vec<String>, hba: Option<&str>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        chown_to_postgres(dir.path());
        let data = dir.path().join("data");
        run_as_postgres(&[
            "initdb",
            "-D",
            path(&data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
        ]);
        if let Some(hba) = hba {
            let path = data.join("pg_hba.conf");
            std::fs::write(&path, hba).expect("write pg_hba.conf");
            chown_to_postgres(&path);
        }
        let port = free_port();
        let cluster = Self {
            dir,
            port,
            settings,
        };
        cluster.pg_ctl_start();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn pg_ctl_start(&self) {
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        for setting in &self.settings {
            options.push_str(&format!(" -c {setting}"));
        }
        let log = self.dir.path().join("log");
        run_as_postgres(&[
            "pg_ctl",
            "-D",
            path(&self.data()),
            "-o",
            &options,
            "-l",
            path(&log),
            "-w",
            "start",
        ]);
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast shutdown), keeping the cluster for a restart.
    pub fn stop_and_keep(self) -> Self {
        run_as_postgres(&[
            "pg_ctl",
            "-D",
            path(&self.data()),
            "-m",
            "fast",
            "-w",
            "stop",
        ]);
        self
    }

    pub fn restart_and_keep(self) -> Self {
        self.pg_ctl_start();
        self
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = command_as_postgres(&[
            "pg_ctl",
            "-D",
            path(&self.data()),
            "-m",
            "immediate",
            "stop",
        ])
        .output();
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// initdb and postgres refuse to run as root; the suite may run as root in CI.
fn command_as_postgres(args: &[&str]) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).args(args);
        command
    } else {
        let mut command = Command::new(args[0]);
        command.args(&args[1..]);
        command
    }
}

fn run_as_postgres(args: &[&str]) {
    let output = command_as_postgres(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {}: {e} (are the PostgreSQL binaries on PATH?)",
            args[0]
        )
    });
    assert!(
        output.status.success(),
        "{} failed: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

pub fn chown_to_postgres(dir: &Path) {
    if is_root() {
        let status = Command::new("chown")
            .args(["postgres:postgres", path(dir)])
            .status()
            .expect("chown");
        assert!(status.success(), "chown of the cluster directory failed");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind port 0")
        .local_addr()
        .expect("local addr")
        .port()
}
