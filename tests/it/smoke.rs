//! `gogotime smoke`: the real binary against the real app over HTTP. A healthy server passes every
//! check and keeps nothing smoke made; a wrong URL, a 5xx, a version mismatch or a bad token fail
//! at that check, by name, with exit status 1.

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::binary::{self, Run};
use crate::helpers::{Backend, TestApp, spawn_app};

/// A smoke account (its only organization is "Smoke") and a personal API token for it.
async fn smoke_account(app: &TestApp) -> (String, String, String) {
    let owner = app.sign_up("smoke@example.com", Some("Smoke")).await;
    let (status, created) = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&owner.token),
            json!({ "name": "smoke" }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    (
        created["secret"].as_str().unwrap().to_string(),
        orgs[0]["id"].as_str().unwrap().to_string(),
        owner.token,
    )
}

async fn smoke(args: &[&str], env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = std::iter::once("smoke".to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        binary::run(&args, &env, dir.path())
    })
    .await
    .unwrap()
}

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

fn checks(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .filter(|l| l.starts_with(['✓', '✗', '–', '!']))
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect()
}

both_backends!(a_healthy_server_passes_every_check_and_keeps_nothing_smoke_made);

async fn a_healthy_server_passes_every_check_and_keeps_nothing_smoke_made(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, org, owner) = smoke_account(&app).await;

    let run = smoke(
        &["--url", &app.address],
        &[("GOGOTIME_SMOKE_TOKEN", &token)],
    )
    .await;

    assert_eq!(run.code, 0, "{}", run.output());
    assert_eq!(
        checks(&run),
        [
            "✓ health",
            "✓ version",
            "✓ assets",
            "✓ sign-in",
            "✓ timer",
            "✓ report",
            "✓ cleanup"
        ]
    );
    assert!(
        line(&run, "health").starts_with("✓ health       200 (database ok, migrations ok) in "),
        "{}",
        run.stdout
    );
    assert!(
        line(&run, "version").starts_with(&format!(
            "✓ version      {} (commit {}) as expected",
            gogotime::build_info::VERSION,
            gogotime::build_info::COMMIT
        )),
        "{}",
        run.stdout
    );
    assert!(line(&run, "assets").contains(".css in "), "{}", run.stdout);
    assert!(line(&run, "assets").contains(".js in "), "{}", run.stdout);
    assert!(
        line(&run, "sign-in")
            .starts_with("✓ sign-in      smoke@example.com signed in with an API token"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run, "timer").starts_with("✓ timer        started and stopped in Smoke (entry "),
        "{}",
        run.stdout
    );
    assert!(
        line(&run, "report").contains("counts the smoke entry (1 s)"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run, "cleanup").contains("(then 404)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("smoke: 7 passed"), "{}", run.stdout);
    // nothing is left: no entry with smoke's description, no running timer
    let (_, left) = app
        .get_as(
            &format!("/api/v1/organizations/{org}/time-entries?q=gogotime%20smoke"),
            &owner,
        )
        .await;
    assert_eq!(left["items"], json!([]), "{left}");
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/organizations/{org}/timer"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_signs_in_like_a_person() {
    let app = spawn_app(Backend::Sqlite).await;
    smoke_account(&app).await;

    let run = smoke(
        &["--url", &app.address, "--email", "smoke@example.com"],
        &[(
            "GOGOTIME_SMOKE_PASSWORD",
            crate::helpers::accounts::PASSWORD,
        )],
    )
    .await;

    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        line(&run, "sign-in")
            .starts_with("✓ sign-in      smoke@example.com signed in with a password"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_url_fails_at_health_and_stops_there() {
    let port = crate::preflight::free_port();
    let url = format!("http://127.0.0.1:{port}");

    let run = smoke(&["--url", &url, "--timeout", "3"], &[]).await;

    assert_eq!(run.code, 1, "{}", run.output());
    assert_eq!(checks(&run), ["✗ health"]);
    let health = line(&run, "health");
    assert!(
        health.starts_with(&format!(
            "✗ health       no answer from {url}/api/system/health: "
        )),
        "{health}"
    );
    assert!(
        health.contains("— fix: check the URL (scheme, host, port)"),
        "{health}"
    );
    assert!(
        run.stdout.contains("smoke: 0 passed, 1 failed"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_answering_5xx_fails_at_health() {
    let app = spawn_app(Backend::Sqlite).await;
    app.db.close().await;

    let run = smoke(&["--url", &app.address], &[]).await;

    assert_eq!(run.code, 1, "{}", run.output());
    assert_eq!(checks(&run), ["✗ health"]);
    let health = line(&run, "health");
    assert!(
        health.starts_with(
            "✗ health       GET /api/system/health answered 503 Service Unavailable: {"
        ),
        "{health}"
    );
    assert!(
        health.contains("\"database\":{\"status\":\"unavailable\"}"),
        "{health}"
    );
    assert!(
        health.contains("— fix: the deployment is not ready"),
        "{health}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_mismatch_fails_naming_both_versions() {
    let app = spawn_app(Backend::Sqlite).await;

    let run = smoke(&["--url", &app.address, "--expect-version", "9.9.9"], &[]).await;

    assert_eq!(run.code, 1, "{}", run.output());
    assert_eq!(checks(&run), ["✓ health", "✗ version"]);
    assert_eq!(
        line(&run, "version"),
        format!(
            "✗ version      the server runs {} (commit {}), expected 9.9.9 — fix: finish or repeat the deploy of the expected version (a replica of the old one may still be in rotation), or pass --expect-version with the version you meant",
            gogotime::build_info::VERSION,
            gogotime::build_info::COMMIT
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_or_wrong_token_fails_at_sign_in() {
    let app = spawn_app(Backend::Sqlite).await;
    smoke_account(&app).await;

    let run = smoke(
        &["--url", &app.address],
        &[("GOGOTIME_SMOKE_TOKEN", "ggt_not-a-token")],
    )
    .await;

    assert_eq!(run.code, 1, "{}", run.output());
    assert_eq!(
        checks(&run),
        ["✓ health", "✓ version", "✓ assets", "✗ sign-in"]
    );
    let sign_in = line(&run, "sign-in");
    assert!(
        sign_in.starts_with("✗ sign-in      GET /api/v1/me answered 401 Unauthorized"),
        "{sign_in}"
    );
    assert!(
        sign_in.contains("— fix: the token is wrong, expired or revoked"),
        "{sign_in}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_in_several_organizations_needs_the_smoke_one_named() {
    let app = spawn_app(Backend::Sqlite).await;
    let (token, org, owner) = smoke_account(&app).await;
    let (status, _) = app
        .post(
            "/api/v1/organizations",
            Some(&owner),
            json!({ "name": "Real work" }),
        )
        .await;
    assert_eq!(status, 201);

    let ambiguous = smoke(
        &["--url", &app.address],
        &[("GOGOTIME_SMOKE_TOKEN", &token)],
    )
    .await;
    let named = smoke(
        &["--url", &app.address, "--org", &org],
        &[("GOGOTIME_SMOKE_TOKEN", &token)],
    )
    .await;

    assert_eq!(ambiguous.code, 1, "{}", ambiguous.output());
    let timer = line(&ambiguous, "timer");
    assert!(
        timer.starts_with("✗ timer        the smoke account belongs to 2 organizations: "),
        "{timer}"
    );
    assert!(
        timer.contains("— fix: pass --org with the id of the organization smoke may write to"),
        "{timer}"
    );
    assert_eq!(named.code, 0, "{}", named.output());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timer_smoke_did_not_start_is_left_running() {
    let app = spawn_app(Backend::Sqlite).await;
    let (token, org, owner) = smoke_account(&app).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/organizations/{org}/timer/start"),
            Some(&owner),
            json!({ "description": "real work" }),
        )
        .await;
    assert_eq!(status, 201);

    let run = smoke(
        &["--url", &app.address],
        &[("GOGOTIME_SMOKE_TOKEN", &token)],
    )
    .await;

    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        line(&run, "timer").starts_with("✗ timer        the smoke account has a timer running in Smoke that smoke did not start ('real work')"),
        "{}",
        run.stdout
    );
    let (_, running) = app
        .get_as(&format!("/api/v1/organizations/{org}/timer"), &owner)
        .await;
    assert_eq!(running["description"], "real work");
    assert_eq!(running["running"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_only_the_anonymous_checks_run() {
    let app = spawn_app(Backend::Sqlite).await;

    let run = smoke(&["--url", &app.address], &[]).await;

    assert_eq!(run.code, 0, "{}", run.output());
    assert_eq!(
        checks(&run),
        [
            "✓ health",
            "✓ version",
            "✓ assets",
            "– sign-in",
            "– timer",
            "– report",
            "– cleanup"
        ]
    );
    assert!(
        run.stdout.contains("smoke: 3 passed, 4 not checked"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_arguments_exit_2_and_say_what_to_give() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (
            &["--url", "time.example.com"],
            &[],
            "--url time.example.com: not an absolute URL",
        ),
        (
            &["--url", "ftp://time.example.com"],
            &[],
            "expected an http:// or https:// address",
        ),
        (
            &["--url", "http://x", "--expect-version", "latest"],
            &[],
            "--expect-version: 'latest' is not a version like 1.2.3",
        ),
        (
            &["--url", "http://x", "--email", "a@b.c"],
            &[],
            "--email a@b.c needs the password in GOGOTIME_SMOKE_PASSWORD",
        ),
        (
            &["--url", "http://x", "--email", "a@b.c"],
            &[("GOGOTIME_SMOKE_TOKEN", "t")],
            "are both given; use one way to sign in",
        ),
        (
            &["--url", "http://x", "--ca-file", "/nonexistent.pem"],
            &[],
            "--ca-file /nonexistent.pem cannot be read",
        ),
    ];
    for (args, env, message) in cases {
        let run = smoke(args, env).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.output());
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
}
