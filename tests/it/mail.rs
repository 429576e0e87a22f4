//! Email through a real SMTP server (aiosmtpd, started per test from
//! tests/fixtures/smtp_server.py), on both databases: password reset by email, the invitation
//! email, delivery after an SMTP outage, and STARTTLS with an operator's private CA. Exact
//! values: recipients, subjects, links. Address verification is `email_verification.rs`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use gogotime::db::Db;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::smtp::{SmtpServer, link_path};
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, set, spawn_app_with};
use crate::metrics::value;

const NEW_PASSWORD: &str = "a brand new passphrase 42";
const RESET_LINK: &str = "http://localhost:8080/reset-password/";

pub async fn spawn_mail_app(backend: Backend, smtp: &SmtpServer) -> TestApp {
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    spawn_app_with(backend, |env| {
        set(env, "GOGOTIME_SMTP_URL", &url);
        set(env, "GOGOTIME_MAIL_FROM", "GoGoTime <time@example.test>");
        // retry every second while a test's SMTP server is down
        set(env, "GOGOTIME_MAIL_RETRY_MAX_SECONDS", "1");
    })
    .await
}

/// (recipient, attempts, sent, last error) of every outbox row, oldest first.
pub async fn outbox(app: &TestApp) -> Vec<(String, i64, bool, Option<String>)> {
    let sql = "select recipient, cast(attempts as bigint), sent_at is not null, last_error from mail_outbox order by id";
    match &app.db {
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Db::Sqlite(pool, _) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    }
}

/// The outbox once every message was tried at least twice (waiting up to 20 s).
async fn after_two_failed_attempts(app: &TestApp) -> Vec<(String, i64, bool, Option<String>)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let rows = outbox(app).await;
        if rows.iter().all(|r| r.1 >= 2) || Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn request_reset(app: &TestApp, email: &str) -> (reqwest::StatusCode, Value) {
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({ "email": email }),
    )
    .await
}

async fn a_reset_link_by_email_sets_a_new_password_once_and_ends_every_session(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    app.sign_up("ann@example.test", None).await;
    // registration sent the address its verification link
    let verification = smtp.take(1).await;
    assert_eq!(
        verification[0]["subject"],
        "Confirm your GoGoTime email address"
    );
    let mut earlier = WebClient::new(&app);
    earlier.sign_in("ann@example.test").await;
    earlier.get("/").await.assert_redirect("/o/");

    let mut web = WebClient::new(&app);
    web.get("/sign-in")
        .await
        .assert_contains("<a href=\"/forgot-password\">Forgot your password?</a>");
    web.get("/forgot-password").await;
    let sent = web
        .post("/forgot-password", &[("email", "ann@example.test")])
        .await;
    assert_eq!(sent.status, 200);
    sent.assert_contains("If an account uses that address, we sent it a link");

    let mail = smtp.wait_for(1).await;
    assert_eq!(mail[0]["rcpt_tos"], json!(["ann@example.test"]));
    assert_eq!(mail[0]["to"], "ann@example.test");
    assert_eq!(mail[0]["from"], "GoGoTime <time@example.test>");
    assert_eq!(mail[0]["subject"], "Reset your GoGoTime password");
    assert_eq!(mail[0]["content_type"], "multipart/alternative");
    let path = link_path(&mail[0], RESET_LINK);

    let form = web.get(&path).await;
    assert_eq!(form.status, 200);
    form.assert_contains("Choose a new password");
    let done = web.post(&path, &[("password", NEW_PASSWORD)]).await;
    done.assert_redirect("/sign-in");

    assert_eq!(app.token_for("ann@example.test", PASSWORD).await.0, 401);
    assert_eq!(app.token_for("ann@example.test", NEW_PASSWORD).await.0, 200);
    earlier.get("/").await.assert_redirect("/sign-in");
    let again = web
        .post(&path, &[("password", "yet another passphrase 7")])
        .await;
    assert_eq!(again.status, 404);
    again.assert_contains("This password reset link is not valid");
    assert_eq!(app.token_for("ann@example.test", NEW_PASSWORD).await.0, 200);

    let mail = smtp.wait_for(2).await;
    assert_eq!(mail[1]["rcpt_tos"], json!(["ann@example.test"]));
    assert_eq!(mail[1]["subject"], "Your GoGoTime password was changed");
    let notice = mail[1]["text"].as_str().unwrap();
    assert!(
        notice.contains("was just changed with a reset link"),
        "{notice}"
    );
    assert!(
        notice.contains("If this wasn't you, reset your password at once"),
        "{notice}"
    );
    assert!(
        notice.contains("http://localhost:8080/forgot-password"),
        "{notice}"
    );
    let (_, tokens) = app.token_for("ann@example.test", NEW_PASSWORD).await;
    let token = tokens["access_token"].as_str().unwrap();
    let (_, events) = app.get_as("/api/v1/me/security-events", token).await;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "password.reset_by_email"),
        "{events}"
    );
}

async fn an_unknown_address_gets_the_same_answer_and_no_email(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    app.sign_up("ann@example.test", None).await;
    smtp.take(1).await;

    let known = request_reset(&app, "ann@example.test").await;
    let unknown = request_reset(&app, "nobody@example.test").await;
    assert_eq!(known.0, 202);
    assert_eq!(known, unknown);
    let mut web = WebClient::new(&app);
    web.get("/forgot-password").await;
    let known = web
        .post("/forgot-password", &[("email", "ann@example.test")])
        .await;
    let unknown = web
        .post("/forgot-password", &[("email", "nobody@example.test")])
        .await;
    assert_eq!(known.status, 200);
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));

    let mail = smtp.wait_for(2).await;
    for message in &mail {
        assert_eq!(message["rcpt_tos"], json!(["ann@example.test"]));
    }
    let recipients: Vec<String> = outbox(&app).await.into_iter().map(|r| r.0).collect();
    // the verification message of the registration, and the two links
    assert_eq!(
        recipients,
        ["ann@example.test", "ann@example.test", "ann@example.test"]
    );
}

async fn expired_forged_and_refused_reset_tokens_change_nothing(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    app.sign_up("ann@example.test", None).await;
    smtp.take(1).await;
    assert_eq!(request_reset(&app, "ann@example.test").await.0, 202);
    let path = link_path(&smtp.wait_for(1).await[0], RESET_LINK);
    let token = path.trim_start_matches("/reset-password/").to_string();
    let confirm = |token: String, password: &'static str| {
        let app = &app;
        async move {
            let response = app
                .client
                .post(app.url("/api/v1/auth/password-reset/confirm"))
                .json(&json!({ "token": token, "password": password }))
                .send()
                .await
                .unwrap();
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_string();
            let status = response.status();
            (status, kind, response.json::<Value>().await.unwrap())
        }
    };

    let (status, kind, problem) = confirm(token.clone(), "short").await;
    assert_eq!(
        (status.as_u16(), kind.as_str()),
        (422, "application/problem+json")
    );
    assert!(problem["errors"]["password"].is_array(), "{problem}");

    let (status, kind, problem) = confirm(format!("ggw_{}", "A".repeat(43)), NEW_PASSWORD).await;
    assert_eq!(
        (status.as_u16(), kind.as_str()),
        (404, "application/problem+json")
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("This password reset link is not valid"),
        "{problem}"
    );
    let mut web = WebClient::new(&app);
    let forged = web.get("/reset-password/ggw_forged").await;
    assert_eq!(forged.status, 404);
    forged.assert_contains("This password reset link is not valid");

    app.clock.advance(chrono::Duration::minutes(31));
    let (status, _, problem) = confirm(token, NEW_PASSWORD).await;
    assert_eq!(status.as_u16(), 404);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("This password reset link has expired"),
        "{problem}"
    );
    let expired = web.get(&path).await;
    assert_eq!(expired.status, 404);
    expired.assert_contains("This password reset link has expired");

    assert_eq!(app.token_for("ann@example.test", PASSWORD).await.0, 200);
    assert_eq!(app.token_for("ann@example.test", NEW_PASSWORD).await.0, 401);
    assert_eq!(smtp.messages().len(), 1, "no password-changed notice");
}

async fn an_invitation_is_emailed_with_a_link_that_accepts_it(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    let owner = app.sign_up("owner@example.test", None).await;
    smtp.take(1).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let (org, org_name) = (
        orgs[0]["id"].as_str().unwrap(),
        orgs[0]["name"].as_str().unwrap(),
    );

    let (status, invitation) = app
        .post(
            &format!("/api/v1/organizations/{org}/invitations"),
            Some(&owner.token),
            json!({ "email": "bea@example.test", "role": "manager" }),
        )
        .await;
    assert_eq!(status, 201, "{invitation}");

    let mail = smtp.wait_for(1).await;
    assert_eq!(mail[0]["rcpt_tos"], json!(["bea@example.test"]));
    assert_eq!(
        mail[0]["subject"],
        format!("You are invited to join {org_name} on GoGoTime")
    );
    let path = link_path(&mail[0], "http://localhost:8080/invite/");
    assert_eq!(
        format!("http://localhost:8080{path}"),
        invitation["accept_url"].as_str().unwrap()
    );
    let (status, joined) = app
        .post(
            &format!("/api/v1{path}/accept").replace("/invite/", "/invitations/"),
            None,
            json!({ "name": "Bea", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 201, "{joined}");
    assert_eq!(joined["role"], "manager");
    // following the emailed link proved the address: no verification message is sent
    let bea = app.sign_in("bea@example.test").await;
    let (_, me) = app.get_as("/api/v1/me", &bea.token).await;
    assert_eq!(me["email_verified"], true, "{me}");

    let mut web = WebClient::new(&app);
    web.sign_in("owner@example.test").await;
    web.get(&format!("/o/{org}/members")).await;
    let page = web
        .post(
            &format!("/o/{org}/invitations"),
            &[("email", "cy@example.test"), ("role", "member")],
        )
        .await;
    assert_eq!(page.status, 200);
    page.assert_contains("Invitation created and emailed to <strong>cy@example.test</strong>");
    let mail = smtp.wait_for(2).await;
    assert_eq!(mail[1]["rcpt_tos"], json!(["cy@example.test"]));
    link_path(&mail[1], "http://localhost:8080/invite/ggi_");
}

async fn messages_queued_while_smtp_is_down_arrive_once_when_it_is_back(backend: Backend) {
    let mut smtp = SmtpServer::stopped();
    // First the server hangs: connections are accepted by the kernel, and never answered. A
    // request that talked to SMTP would wait for lettre's 30 s timeout; a queued one answers
    // at once. (A refused connection fails in microseconds and could not tell them apart.)
    let black_hole = std::net::TcpListener::bind(("127.0.0.1", smtp.port)).unwrap();
    let app = spawn_mail_app(backend, &smtp).await;
    let people = ["a@example.test", "b@example.test", "c@example.test"];
    for email in people {
        let started = Instant::now();
        app.sign_up(email, None).await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "registering waited on SMTP: {:?}",
            started.elapsed()
        );
    }
    for email in people {
        let started = Instant::now();
        assert_eq!(request_reset(&app, email).await.0, 202);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the request waited on SMTP: {:?}",
            started.elapsed()
        );
    }
    // then it is down: the hanging connection is reset, new ones are refused
    drop(black_hole);
    let rows = after_two_failed_attempts(&app).await;
    // a verification message and a reset link for each person
    assert_eq!(rows.len(), 6, "{rows:?}");
    for (recipient, attempts, sent, error) in &rows {
        assert!(*attempts >= 2 && !sent, "{recipient}: {rows:?}");
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains(&format!("127.0.0.1:{}", smtp.port))),
            "{rows:?}"
        );
    }

    // operators see the backlog on the metrics listener (instance-wide, from the table)
    let waiting = app.metrics().await;
    let pending = r#"gogotime_mail_outbox_messages{state="pending"}"#;
    let given_up = r#"gogotime_mail_outbox_messages{state="given_up"}"#;
    let age = "gogotime_mail_outbox_oldest_pending_age_seconds";
    assert_eq!(value(&waiting, pending), 6.0);
    assert_eq!(value(&waiting, given_up), 0.0);
    // two attempts at least a second apart were made since the first was queued
    assert!(value(&waiting, age) >= 1.0, "{waiting}");

    smtp.start().await;
    let mail = smtp.wait_for(6).await;
    // a few more retry rounds: nothing arrives twice
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mail_after = smtp.messages();
    assert_eq!(mail_after.len(), 6, "{mail_after:#?}");
    let ids: BTreeSet<&str> = mail
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
    let recipients: BTreeSet<&str> = mail
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap())
        .collect();
    assert_eq!(recipients, BTreeSet::from(people));
    let rows = outbox(&app).await;
    assert!(rows.iter().all(|r| r.2 && r.3.is_none()), "{rows:?}");
    let delivered = app.metrics().await;
    assert_eq!(
        (value(&delivered, pending), value(&delivered, age)),
        (0.0, 0.0)
    );
    smtp.stop().await;
}

async fn a_fourth_link_within_the_hour_is_answered_alike_and_not_sent(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    app.sign_up("ann@example.test", None).await;
    smtp.take(1).await;

    let answers: Vec<_> = ask_for_links(&app, 4).await;
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    assert_eq!(answers[0].0, 202);

    smtp.wait_for(3).await;
    // the verification message and three links
    assert_eq!(outbox(&app).await.len(), 4);
}

/// Asks for a reset link for ann `times` times in a row.
async fn ask_for_links(app: &TestApp, times: usize) -> Vec<(reqwest::StatusCode, Value)> {
    let mut answers = Vec::new();
    for _ in 0..times {
        answers.push(request_reset(app, "ann@example.test").await);
    }
    answers
}

async fn without_smtp_people_are_sent_to_the_operator_and_nothing_is_queued(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let owner = app.sign_up("owner@example.test", None).await;

    let mut web = WebClient::new(&app);
    let page = web.get("/forgot-password").await;
    assert_eq!(page.status, 200);
    page.assert_contains("This server does not send email");
    page.assert_contains("gogotime user reset-password");
    assert!(
        !page.body.contains("name=\"email\""),
        "no form that pretends to send"
    );
    let (status, problem) = request_reset(&app, "owner@example.test").await;
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("Password reset by email is off on this server"),
        "{problem}"
    );

    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let org = orgs[0]["id"].as_str().unwrap();
    let (status, invitation) = app
        .post(
            &format!("/api/v1/organizations/{org}/invitations"),
            Some(&owner.token),
            json!({ "email": "bea@example.test", "role": "member" }),
        )
        .await;
    assert_eq!(status, 201, "{invitation}");
    assert!(
        invitation["accept_url"]
            .as_str()
            .unwrap()
            .starts_with("http://localhost:8080/invite/ggi_")
    );
    assert!(outbox(&app).await.is_empty());
}

async fn serve_runs_the_email_worker_and_stops_it_on_sigterm(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let db = crate::helpers::TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("GOGOTIME_BIND", "127.0.0.1:0"),
        ("GOGOTIME_METRICS_BIND", ""),
        ("GOGOTIME_SHUTDOWN_DELAY_SECONDS", "0"),
        ("GOGOTIME_SMTP_URL", url.as_str()),
        ("GOGOTIME_MAIL_FROM", "time@example.test"),
    ];
    let mut server = crate::helpers::binary::Server::start(&env, dir.path());
    let started = |logs: &[String]| logs.iter().any(|l| l.contains("email worker started"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !started(&server.logs()) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(started(&server.logs()), "{:#?}", server.logs());

    server.signal("TERM");
    let code = server.wait(Duration::from_secs(15));

    assert_eq!(code, 0, "{:#?}", server.logs());
    let logs = server.logs();
    let position = |text: &str| logs.iter().position(|l| l.contains(text));
    let (stopped, complete) = (
        position("email worker stopped"),
        position("shutdown complete"),
    );
    assert!(
        stopped.is_some() && stopped < complete,
        "the worker stops before the database closes: {logs:#?}"
    );
}

/// An app sending through `smtp://{credentials}127.0.0.1:…?tls=required` (STARTTLS), with
/// `ca_file` as its private CA.
async fn spawn_starttls_app(
    backend: Backend,
    smtp: &SmtpServer,
    credentials: &str,
    ca_file: Option<&str>,
) -> TestApp {
    let url = format!("smtp://{credentials}127.0.0.1:{}?tls=required", smtp.port);
    spawn_app_with(backend, |env| {
        set(env, "GOGOTIME_SMTP_URL", &url);
        set(env, "GOGOTIME_MAIL_FROM", "GoGoTime <time@example.test>");
        set(env, "GOGOTIME_MAIL_RETRY_MAX_SECONDS", "1");
        if let Some(ca) = ca_file {
            set(env, "GOGOTIME_SMTP_CA_FILE", ca);
        }
    })
    .await
}

const SMTP_PASSWORD: &str = "smtp-pw-4f9c2e";

async fn mail_goes_out_over_starttls_to_a_server_signed_by_the_private_ca(backend: Backend) {
    let smtp = SmtpServer::started_with_starttls().await;
    let ca = smtp.ca_file();
    let app = spawn_starttls_app(backend, &smtp, "", Some(ca.to_str().unwrap())).await;

    app.sign_up("ann@example.test", None).await;

    let mail = smtp.wait_for(1).await;
    assert_eq!(mail[0]["rcpt_tos"], json!(["ann@example.test"]));
    assert_eq!(mail[0]["subject"], "Confirm your GoGoTime email address");
    assert_eq!(
        mail[0]["tls"], true,
        "delivered inside the STARTTLS session"
    );
    let rows = outbox(&app).await;
    assert_eq!(
        rows,
        [("ann@example.test".to_string(), 1, true, None)],
        "sent at the first attempt"
    );
}

async fn a_server_whose_ca_is_not_trusted_gets_nothing_and_the_message_waits(backend: Backend) {
    let smtp = SmtpServer::started_with_starttls().await;
    // no GOGOTIME_SMTP_CA_FILE: only the compiled-in public roots, which never signed it
    // the password must never show in a stored error or a log line
    let credentials = format!("gogotime:{SMTP_PASSWORD}@");
    let app = spawn_starttls_app(backend, &smtp, &credentials, None).await;

    app.sign_up("ann@example.test", None).await;

    let rows = after_two_failed_attempts(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (recipient, attempts, sent, error) = &rows[0];
    assert_eq!((recipient.as_str(), sent), ("ann@example.test", &false));
    assert!(*attempts >= 2, "{rows:?}");
    let error = error.as_deref().unwrap_or_default();
    assert!(
        error.starts_with(&format!("127.0.0.1:{} refused or failed", smtp.port))
            && error.contains("UnknownIssuer"),
        "{error}"
    );
    assert!(!error.contains(SMTP_PASSWORD), "{error}");
    assert!(smtp.messages().is_empty(), "nothing was delivered");
}

both_backends!(
    serve_runs_the_email_worker_and_stops_it_on_sigterm,
    a_fourth_link_within_the_hour_is_answered_alike_and_not_sent,
    without_smtp_people_are_sent_to_the_operator_and_nothing_is_queued,
    a_reset_link_by_email_sets_a_new_password_once_and_ends_every_session,
    an_unknown_address_gets_the_same_answer_and_no_email,
    expired_forged_and_refused_reset_tokens_change_nothing,
    an_invitation_is_emailed_with_a_link_that_accepts_it,
    messages_queued_while_smtp_is_down_arrive_once_when_it_is_back,
    mail_goes_out_over_starttls_to_a_server_signed_by_the_private_ca,
    a_server_whose_ca_is_not_trusted_gets_nothing_and_the_message_waits,
);
