//! `gogotime preflight`: the real binary against real databases, a real metrics endpoint, a real
//! TLS server (openssl s_server) and real backup directories. Each failure is a ✗ line that
//! names the fix, with exit status 1.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::both_backends;
use crate::helpers::binary::{self, Run};
use crate::helpers::{Backend, TestDatabase, spawn_app, tls};

const SECRET: &str = "0123456789abcdef0123456789abcdef-preflight";

/// A production environment for `url`, as a deploy would give the new release.
fn production(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GOGOTIME_ENV", "production".into()),
        ("DATABASE_URL", url.into()),
        ("GOGOTIME_PUBLIC_URL", "https://localhost".into()),
        ("JWT_SECRET", SECRET.into()),
    ]
}

fn preflight(env: &[(&str, String)], args: &[&str], dir: &Path) -> Run {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut all = vec!["preflight"];
    all.extend_from_slice(args);
    binary::run(&all, &env, dir)
}

/// The line of check `name` (the mark, then the name padded to the column).
fn line<'a>(run: &'a Run, name: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| {
            l.chars()
                .skip(2)
                .collect::<String>()
                .starts_with(&format!("{name} "))
        })
        .unwrap_or_else(|| panic!("no '{name}' line in:\n{}", run.output()))
}

fn migrate(url: &str, dir: &Path) {
    let run = binary::run(&["migrate", "up"], &[("DATABASE_URL", url)], dir);
    assert_eq!(run.code, 0, "{}", run.output());
}

fn shipped_migrations() -> usize {
    gogotime::db::migrate::embedded_versions().0.len()
}

both_backends!(
    a_migrated_database_passes_every_check_that_runs,
    a_pending_migration_in_production_fails_and_names_migrate_up,
    a_schema_from_a_newer_release_fails_unless_rolling_back,
);

async fn a_migrated_database_passes_every_check_that_runs(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    migrate(&db.url, dir.path());

    let run = preflight(&production(&db.url), &["--env", "production"], dir.path());

    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        line(&run, "config").starts_with("✓ config       valid for production"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run, "database").starts_with("✓ database"),
        "{}",
        run.stdout
    );
    assert_eq!(
        line(&run, "schema"),
        format!(
            "✓ schema       {} migrations applied; none pending, none newer than this release",
            shipped_migrations()
        )
    );
    assert!(line(&run, "disk").starts_with("✓ disk"), "{}", run.stdout);
    assert!(
        line(&run, "backups").starts_with("– backups      not checked: pass --backups DIR"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run, "certificate").starts_with("– certificate  not checked"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run, "public-url")
            .starts_with("✓ public-url   localhost (GOGOTIME_PUBLIC_URL) resolves to"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run, "metrics").starts_with("– metrics      not checked"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("preflight: 5 passed, 3 not checked"),
        "{}",
        run.stdout
    );
    if backend == Backend::Postgres {
        // scripts/test's server takes TLS with verify-full on 127.0.0.1
        assert!(
            line(&run, "database").contains("TLS (sslmode=verify-full)"),
            "{}",
            run.stdout
        );
    }
}

async fn a_pending_migration_in_production_fails_and_names_migrate_up(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();

    let refused = preflight(&production(&db.url), &[], dir.path());
    let before_migrate = preflight(&production(&db.url), &["--before-migrate"], dir.path());

    assert_eq!(refused.code, 1, "{}", refused.output());
    let schema = line(&refused, "schema");
    assert!(
        schema.starts_with(&format!(
            "✗ schema       {} pending migration(s): 20261126000001 instance",
            shipped_migrations()
        )),
        "{schema}"
    );
    assert!(
        schema.contains("with GOGOTIME_AUTO_MIGRATE=false this release refuses to start"),
        "{schema}"
    );
    assert!(
        schema.contains("— fix: run `gogotime migrate up` first"),
        "{schema}"
    );
    assert!(refused.stdout.contains("1 failed"), "{}", refused.stdout);
    assert_eq!(before_migrate.code, 0, "{}", before_migrate.output());
    assert!(
        line(&before_migrate, "schema").contains("pending, to be applied by `gogotime migrate up`"),
        "{}",
        before_migrate.stdout
    );
}

async fn a_schema_from_a_newer_release_fails_unless_rolling_back(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    migrate(&db.url, dir.path());
    crate::migrations::record_newer_migration(&db.url, backend).await;

    let refused = preflight(&production(&db.url), &[], dir.path());
    let rollback = preflight(&production(&db.url), &["--allow-newer-schema"], dir.path());

    assert_eq!(refused.code, 1, "{}", refused.output());
    let schema = line(&refused, "schema");
    assert!(
        schema.contains(&format!(
            "the database has 1 migration(s) this release ({}) does not know: 29990101000001 from the future",
            gogotime::build_info::VERSION
        )),
        "{schema}"
    );
    assert!(schema.contains("— fix: deploy that newer release instead; when rolling back on purpose, pass --allow-newer-schema"), "{schema}");
    assert_eq!(rollback.code, 0, "{}", rollback.output());
    assert!(
        line(&rollback, "schema").contains(
            "1 newer than this release (29990101000001 from the future), accepted for a rollback"
        ),
        "{}",
        rollback.stdout
    );
}

#[test]
fn an_unreachable_database_fails_naming_the_server_and_skips_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("postgres://gogotime:hunter2@127.0.0.1:{port}/gogotime?sslmode=disable");

    let run = preflight(&production(&url), &["--timeout", "3"], dir.path());

    assert_eq!(run.code, 1, "{}", run.output());
    let database = line(&run, "database");
    assert!(
        database.starts_with(&format!(
            "✗ database     cannot connect to PostgreSQL at 127.0.0.1:{port}"
        )),
        "{database}"
    );
    assert!(
        database.contains("— fix: check DATABASE_URL (host, port, user, password, database name)"),
        "{database}"
    );
    assert!(!run.output().contains("hunter2"), "{}", run.output());
    assert_eq!(
        line(&run, "schema"),
        "– schema       not checked: no database connection"
    );
}

#[test]
fn every_configuration_problem_is_a_line_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/gogotime.db");
    let mut env = production(&format!("sqlite://{}", db.display()));
    env.retain(|(k, _)| *k != "JWT_SECRET");
    env.push(("JWT_SECRET", "too-short".into()));
    env.push(("GOGOTIME_LOG", "debug".into()));

    let run = preflight(&env, &["--env", "staging"], dir.path());

    assert_eq!(run.code, 1, "{}", run.output());
    let config: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("✗ config"))
        .collect();
    assert_eq!(config.len(), 3, "{}", run.stdout);
    assert!(config[0].contains("GOGOTIME_ENV is production, but this preflight is for staging — fix: set GOGOTIME_ENV=staging"), "{config:?}");
    assert!(
        config.iter().any(|l| l.contains(
            "JWT_SECRET is 9 bytes; production needs at least 32 — run `gogotime secret generate`"
        )),
        "{config:?}"
    );
    assert!(
        config
            .iter()
            .any(|l| l.contains("GOGOTIME_LOG enables debug or trace logging")),
        "{config:?}"
    );
    // the database is still checked: its settings are fine
    assert!(
        line(&run, "database").starts_with("✓ database     SQLite"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_newest_backup_must_be_recent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("data/gogotime.db").display());
    migrate(&url, dir.path());
    let backups = dir.path().join("backups");
    let backups_arg = backups.display().to_string();
    std::fs::create_dir(&backups).unwrap();

    let empty = preflight(&production(&url), &["--backups", &backups_arg], dir.path());
    let made = binary::run(
        &["backup", "--to", &backups_arg],
        &[("DATABASE_URL", url.as_str())],
        dir.path(),
    );
    assert_eq!(made.code, 0, "{}", made.output());
    let fresh = preflight(&production(&url), &["--backups", &backups_arg], dir.path());
    age_the_backups(&backups, chrono::Duration::days(2));
    let stale = preflight(&production(&url), &["--backups", &backups_arg], dir.path());

    assert_eq!(empty.code, 1, "{}", empty.output());
    assert!(line(&empty, "backups").starts_with(&format!("✗ backups      no complete backup in {backups_arg} — fix: take one now: `gogotime backup --to {backups_arg}`")), "{}", empty.stdout);
    assert_eq!(fresh.code, 0, "{}", fresh.output());
    assert!(
        line(&fresh, "backups").starts_with("✓ backups      newest backup gogotime-"),
        "{}",
        fresh.stdout
    );
    assert!(
        line(&fresh, "backups").contains("is 0 min old (at most 26 h wanted)"),
        "{}",
        fresh.stdout
    );
    assert_eq!(stale.code, 1, "{}", stale.output());
    assert!(
        line(&stale, "backups").contains("is 2 days old (more than 26 h)"),
        "{}",
        stale.stdout
    );
}

/// Moves the creation time in every manifest back by `by`, as if the backups were that old.
fn age_the_backups(root: &Path, by: chrono::Duration) {
    for entry in std::fs::read_dir(root).unwrap() {
        let manifest = entry.unwrap().path().join("manifest.json");
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
        let created: chrono::DateTime<chrono::Utc> =
            json["created_at"].as_str().unwrap().parse().unwrap();
        json["created_at"] = serde_json::json!((created - by).to_rfc3339());
        std::fs::write(&manifest, serde_json::to_vec(&json).unwrap()).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_endpoint_must_answer_with_gogotime_metrics() {
    let app = spawn_app(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let url = app.database_url().to_string();
    let metrics = format!("{}/metrics", app.metrics_address.clone().unwrap());
    let wrong = format!("http://127.0.0.1:{}/metrics", free_port());

    let (ok, down) = tokio::task::spawn_blocking({
        let path = dir.path().to_path_buf();
        move || {
            let env = production(&url);
            (
                preflight(&env, &["--metrics-url", &metrics], &path),
                preflight(&env, &["--metrics-url", &wrong, "--timeout", "2"], &path),
            )
        }
    })
    .await
    .unwrap();

    assert_eq!(ok.code, 0, "{}", ok.output());
    assert!(
        line(&ok, "metrics").contains("answered: gogotime_build_info{"),
        "{}",
        ok.stdout
    );
    assert_eq!(down.code, 1, "{}", down.output());
    assert!(
        line(&down, "metrics").starts_with("✗ metrics      http://127.0.0.1:"),
        "{}",
        down.stdout
    );
    assert!(
        line(&down, "metrics").contains("did not answer"),
        "{}",
        down.stdout
    );
    assert!(
        line(&down, "metrics").contains("— fix: check GOGOTIME_METRICS_BIND"),
        "{}",
        down.stdout
    );
}

/// `openssl s_server` with a certificate from a CA made for the test, valid for two days.
struct TlsServer {
    child: Child,
    port: u16,
}

impl TlsServer {
    fn start(dir: &Path) -> Self {
        tls::make_ca_and_server_cert(dir, &["127.0.0.1"]);
        let port = free_port();
        let server = Self {
            child: Command::new("openssl")
                .args(["s_server", "-quiet", "-www", "-accept"])
                .arg(format!("127.0.0.1:{port}"))
                .args(["-cert", "cert.pem", "-key", "key.pem"])
                .current_dir(dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("openssl s_server starts"),
            port,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("openssl s_server did not listen on {port}");
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_certificate_that_expires_within_the_limit_fails() {
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(dir.path());
    let db = format!("sqlite://{}", dir.path().join("data/gogotime.db").display());
    migrate(&db, dir.path());
    let url = format!("https://127.0.0.1:{}/", server.port);
    let ca = dir.path().join("ca.pem").display().to_string();

    let soon = preflight(
        &production(&db),
        &["--url", &url, "--ca-file", &ca],
        dir.path(),
    );
    let enough = preflight(
        &production(&db),
        &["--url", &url, "--ca-file", &ca, "--cert-min-days", "1"],
        dir.path(),
    );
    let untrusted = preflight(&production(&db), &["--url", &url], dir.path());

    assert_eq!(soon.code, 1, "{}", soon.output());
    let certificate = line(&soon, "certificate");
    assert!(
        certificate.starts_with("✗ certificate  127.0.0.1: valid until "),
        "{certificate}"
    );
    assert!(
        certificate.contains(
            "(1 days left, issuer CN=GoGoTime test CA): fewer than 14 days — fix: renew it now"
        ),
        "{certificate}"
    );
    assert_eq!(enough.code, 0, "{}", enough.output());
    assert!(
        line(&enough, "certificate").starts_with("✓ certificate  127.0.0.1: valid until "),
        "{}",
        enough.stdout
    );
    assert_eq!(untrusted.code, 1, "{}", untrusted.output());
    let refused = line(&untrusted, "certificate");
    assert!(
        refused.starts_with(&format!("✗ certificate  no TLS connection to {url}")),
        "{refused}"
    );
    assert!(refused.contains("UnknownIssuer"), "{refused}");
}

#[test]
fn too_little_free_space_fails_naming_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("data/gogotime.db").display());
    migrate(&db, dir.path());

    let run = preflight(&production(&db), &["--min-free", "1000000T"], dir.path());

    assert_eq!(run.code, 1, "{}", run.output());
    let disk = line(&run, "disk");
    assert!(disk.starts_with("✗ disk"), "{disk}");
    assert!(disk.contains("(temporary files) has "), "{disk}");
    assert!(disk.contains("free, less than 1000000.0 TiB"), "{disk}");
    assert!(
        disk.contains("— fix: free space or give the volume more room"),
        "{disk}"
    );
}

#[test]
fn a_public_url_that_does_not_resolve_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("data/gogotime.db").display());
    migrate(&db, dir.path());
    let mut env = production(&db);
    env.retain(|(k, _)| *k != "GOGOTIME_PUBLIC_URL");
    env.push((
        "GOGOTIME_PUBLIC_URL",
        "https://gogotime-preflight.invalid".into(),
    ));

    let run = preflight(&env, &[], dir.path());

    assert_eq!(run.code, 1, "{}", run.output());
    let public = line(&run, "public-url");
    assert!(
        public.starts_with(
            "✗ public-url   gogotime-preflight.invalid (GOGOTIME_PUBLIC_URL) does not resolve"
        ),
        "{public}"
    );
    assert!(
        public.contains("— fix: create the DNS record (A/AAAA) for gogotime-preflight.invalid"),
        "{public}"
    );
}

#[test]
fn invalid_arguments_exit_2_and_say_what_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--skip", "config"],
            "--skip config: no such check; use one of database, schema, disk, backups, certificate, public-url, metrics",
        ),
        (
            &["--min-free", "lots"],
            "--min-free is 'lots'; expected a size such as 500M, 1G or 2T",
        ),
        (
            &["--max-backup-age", "1"],
            "--max-backup-age is '1'; expected a duration of at least 10 seconds",
        ),
        (
            &["--env", "prod"],
            "--env prod: expected development, staging or production",
        ),
    ];
    for (args, message) in cases {
        let run = preflight(&production("sqlite://x.db"), args, dir.path());
        assert_eq!(run.code, 2, "{args:?}: {}", run.output());
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
