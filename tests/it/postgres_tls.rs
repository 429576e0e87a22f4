//! PostgreSQL over TLS (sslmode/sslrootcert in DATABASE_URL, rustls): a private cluster with
//! `ssl=on` that accepts TLS connections only, and a CA made here.

use std::path::Path;

use gogotime::config::{Config, EnvSnapshot};
use gogotime::db::Db;

use crate::helpers::postgres::{Cluster, chown_to_postgres};
use crate::helpers::{TestDatabase, binary, spawn_app_on, tls};

/// A cluster requiring TLS whose certificate names only `localhost`, and its CA's directory.
fn tls_cluster() -> (Cluster, tempfile::TempDir) {
    let certs = tempfile::tempdir().unwrap();
    tls::make_ca_and_server_cert(certs.path(), &["localhost"]);
    for file in ["", "cert.pem", "key.pem"] {
        chown_to_postgres(&certs.path().join(file));
    }
    (Cluster::start_with_tls(certs.path()), certs)
}

fn url(cluster: &Cluster, host: &str, query: &str) -> String {
    format!(
        "postgres://postgres@{host}:{}/postgres?{query}",
        cluster.port
    )
}

fn database_config(url: &str) -> gogotime::config::DatabaseConfig {
    let env = EnvSnapshot::from_pairs(crate::helpers::base_env(url));
    Config::from_env(&env)
        .expect("valid configuration")
        .0
        .database
}

fn ca(dir: &Path) -> String {
    dir.join("ca.pem").display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_with_the_right_ca_connects_over_tls_and_serves() {
    let (cluster, certs) = tls_cluster();
    let url = url(
        &cluster,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", ca(certs.path())),
    );

    let app = spawn_app_on(TestDatabase::postgres(url), |_| {}).await;

    let (status, _) = app.get_json("/api/system/health").await;
    assert_eq!(status, 200);
    let Db::Postgres(pool) = &app.db else {
        panic!("a PostgreSQL pool")
    };
    let ssl: bool = sqlx::query_scalar("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(ssl, "the connection is not encrypted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_refuses_a_certificate_from_another_ca() {
    let (cluster, _certs) = tls_cluster();
    let other = tempfile::tempdir().unwrap();
    tls::make_ca_and_server_cert(other.path(), &["localhost"]);
    let url = url(
        &cluster,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", ca(other.path())),
    );

    let error = Db::connect(&database_config(&url)).await.unwrap_err();

    let message = error.to_string();
    assert!(
        message.contains(&format!(
            "sslmode=verify-full: the server's certificate is not signed by the CA in sslrootcert={}; no connection was made",
            ca(other.path())
        )),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_refuses_a_host_name_the_certificate_does_not_list() {
    let (cluster, certs) = tls_cluster();
    let root = format!("sslrootcert={}", ca(certs.path()));
    let by_address = url(
        &cluster,
        "127.0.0.1",
        &format!("sslmode=verify-full&{root}"),
    );

    let error = Db::connect(&database_config(&by_address))
        .await
        .unwrap_err();

    assert!(
        error.to_string().contains(
            "sslmode=verify-full: the server's certificate does not name the host in DATABASE_URL"
        ),
        "{error}"
    );
    assert!(
        error.to_string().contains("no connection was made"),
        "{error}"
    );
}

#[test]
fn sslmode_disable_against_a_server_that_requires_tls_fails_naming_sslmode() {
    let (cluster, _certs) = tls_cluster();
    let dir = tempfile::tempdir().unwrap();
    let url = url(&cluster, "127.0.0.1", "sslmode=disable");

    let run = binary::run(
        &["migrate", "status"],
        &[("DATABASE_URL", &url), ("GOGOTIME_LOG_FORMAT", "pretty")],
        dir.path(),
    );

    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.output().contains("the server accepts only TLS connections, and DATABASE_URL has sslmode=disable: use sslmode=verify-full"),
        "{}",
        run.output()
    );
}

#[test]
fn production_refuses_plaintext_to_another_host_unless_explicitly_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let env = |allow: &'static str| {
        vec![
            ("GOGOTIME_ENV", "production"),
            (
                "DATABASE_URL",
                "postgres://app:hunter2@db.example.com:5432/time?sslmode=disable",
            ),
            ("GOGOTIME_PUBLIC_URL", "https://time.example.com"),
            (
                "JWT_SECRET",
                "a-secret-that-is-long-enough-for-production-use",
            ),
            ("GOGOTIME_DATABASE_ALLOW_PLAINTEXT", allow),
        ]
    };

    let refused = binary::run(&["config", "check"], &env("false"), dir.path());
    let allowed = binary::run(&["config", "check"], &env("true"), dir.path());

    assert_eq!(refused.code, 2, "{}", refused.output());
    assert!(refused.stderr.contains("DATABASE_URL has sslmode=disable towards db.example.com:5432, which is not this machine: production refuses to send the database password and every query unencrypted"), "{}", refused.stderr);
    assert!(!refused.output().contains("hunter2"));
    assert_eq!(allowed.code, 0, "{}", allowed.output());
    assert!(
        allowed.stdout.contains("database TLS: sslmode=disable (no TLS: queries and the password cross the network in plain text)"),
        "{}",
        allowed.stdout
    );
}

#[test]
fn config_check_reports_the_tls_mode_in_effect() {
    let dir = tempfile::tempdir().unwrap();
    let certs = tempfile::tempdir().unwrap();
    tls::make_ca_and_server_cert(certs.path(), &["db.example.com"]);
    let database_url = format!(
        "postgres://app:pw@db.example.com/time?sslmode=verify-full&sslrootcert={}",
        ca(certs.path())
    );

    let run = binary::run(
        &["config", "check"],
        &[("DATABASE_URL", &database_url)],
        dir.path(),
    );

    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.stdout.contains(&format!(
            "database TLS: sslmode=verify-full (TLS always; the certificate and the host name are checked); CA file {}",
            ca(certs.path())
        )),
        "{}",
        run.stdout
    );
}
