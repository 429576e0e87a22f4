//! The operator commands: `secret generate`, `healthcheck`, and `--help` texts.

use crate::both_backends;
use crate::helpers::binary;
use crate::helpers::{Backend, spawn_app};

#[test]
fn secret_generate_prints_a_fresh_url_safe_secret_of_32_bytes() {
    let dir = tempfile::tempdir().unwrap();

    let first = binary::run(&["secret", "generate"], &[], dir.path());
    let second = binary::run(&["secret", "generate"], &[], dir.path());

    assert_eq!(first.code, 0);
    let secret = first.stdout.trim();
    assert_eq!(secret.len(), 43);
    assert!(
        secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    assert_ne!(secret, second.stdout.trim());
}

#[test]
fn every_command_help_names_the_variables_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["serve", "--help"],
            &[
                "DATABASE_URL",
                "JWT_SECRET",
                "GOGOTIME_BIND",
                "PORT",
                "GOGOTIME_METRICS_BIND",
            ],
        ),
        (
            &["migrate", "up", "--help"],
            &["DATABASE_URL", "GOGOTIME_ENV"],
        ),
        (&["migrate", "status", "--help"], &["DATABASE_URL"]),
        (
            &["config", "check", "--help"],
            &["GOGOTIME_ENV", "JWT_SECRET"],
        ),
        (
            &["healthcheck", "--help"],
            &["GOGOTIME_BIND", "PORT", "--url"],
        ),
    ];
    for (args, variables) in cases {
        let run = binary::run(args, &[], dir.path());
        assert_eq!(run.code, 0, "{args:?}");
        for variable in *variables {
            assert!(
                run.stdout.contains(variable),
                "{args:?} --help should name {variable}:\n{}",
                run.stdout
            );
        }
    }
}

#[test]
fn healthcheck_fails_with_status_1_when_nothing_answers() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    let run = binary::run(
        &["healthcheck", "--timeout", "2"],
        &[("PORT", &port.to_string())],
        dir.path(),
    );

    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(&format!(
            "unhealthy: http://127.0.0.1:{port}/api/system/health"
        )),
        "{}",
        run.stdout
    );
}

both_backends!(healthcheck_exits_0_for_a_healthy_server_and_1_once_it_is_not);

async fn healthcheck_exits_0_for_a_healthy_server_and_1_once_it_is_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let url = app.url("/api/system/health");

    let healthy = tokio::task::spawn_blocking({
        let (url, path) = (url.clone(), dir.path().to_path_buf());
        move || binary::run(&["healthcheck", "--url", &url], &[], &path)
    })
    .await
    .unwrap();
    app.db.close().await;
    let unhealthy = tokio::task::spawn_blocking({
        let path = dir.path().to_path_buf();
        move || binary::run(&["healthcheck", "--url", &url], &[], &path)
    })
    .await
    .unwrap();

    assert_eq!(healthy.code, 0, "{}", healthy.output());
    assert_eq!(unhealthy.code, 1, "{}", unhealthy.output());
    assert!(unhealthy.stdout.contains("503"), "{}", unhealthy.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_flag_api_and_metrics_name_the_same_release() {
    let app = spawn_app(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();

    let flag = binary::run(&["--version"], &[], dir.path());
    let (status, api) = app.get_json("/api/system/version").await;
    let metrics = app.metrics().await;

    assert_eq!(flag.code, 0, "{}", flag.output());
    assert_eq!(status, 200);
    let (version, commit) = (
        api["version"].as_str().unwrap(),
        api["commit"].as_str().unwrap(),
    );
    assert_eq!(
        flag.stdout.trim(),
        format!("gogotime {version} (commit {commit})")
    );
    assert_eq!(version, gogotime::build_info::VERSION);
    assert!(
        metrics.contains(&format!("version=\"{version}\""))
            && metrics.contains(&format!("commit=\"{commit}\"")),
        "{metrics}"
    );
}
