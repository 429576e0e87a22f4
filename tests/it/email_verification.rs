//! Proving an email address through a real SMTP server (aiosmtpd), on both databases: the link
//! registration sends, sending it again (rate-limited), expired/used/replaced/forged links that
//! change nothing, a change of address that waits for the new address's link and tells the old
//! one, a change with email off, the password-changed notice, and the account's security
//! activity for a person in no organization.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::smtp::{SmtpServer, link_path};
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::mail::{outbox, spawn_mail_app};

const VERIFY_LINK: &str = "http://localhost:8080/verify-email/";

async fn me(app: &TestApp, email: &str) -> Value {
    let user = app.sign_in(email).await;
    app.get_as("/api/v1/me", &user.token).await.1
}

async fn actions(app: &TestApp, email: &str) -> Vec<String> {
    let user = app.sign_in(email).await;
    let (status, events) = app.get_as("/api/v1/me/security-events", &user.token).await;
    assert_eq!(status, 200, "{events}");
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

async fn confirm(app: &TestApp, token: &str) -> (reqwest::StatusCode, Value) {
    app.post(
        "/api/v1/auth/email-verification/confirm",
        None,
        json!({ "token": token }),
    )
    .await
}

async fn registration_sends_a_link_that_verifies_the_address_once(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    app.sign_up("owner@example.test", None).await;
    smtp.take(1).await;
    // the second person is in no organization: the account's own audit trail still records
    app.sign_up("bea@example.test", None).await;
    assert_eq!(me(&app, "bea@example.test").await["email_verified"], false);

    let mail = smtp.wait_for(1).await;
    assert_eq!(mail[0]["rcpt_tos"], json!(["bea@example.test"]));
    assert_eq!(mail[0]["subject"], "Confirm your GoGoTime email address");
    assert_eq!(mail[0]["content_type"], "multipart/alternative");
    let text = mail[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Please confirm that bea@example.test is the address"),
        "{text}"
    );
    assert!(text.contains("expires in 24 hours"), "{text}");
    let path = link_path(&mail[0], VERIFY_LINK);
    assert!(path.starts_with("/verify-email/ggv_"), "{path}");

    // opening the link (as a mail scanner does, twice) only shows what it would confirm
    let mut web = WebClient::new(&app);
    let opened = web.get(&path).await;
    let reopened = web.get(&path).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(reopened.status, 200, "{}", reopened.body);
    assert_eq!(
        reopened.text_of("main").unwrap(),
        "Confirm your email address Confirm that bea@example.test is the address of your \
         GoGoTime account. Confirm this address"
    );
    let form = reopened.form(&format!("form[action=\"{path}\"]"));
    assert_eq!(
        form.fields.len(),
        1,
        "only the form token: {:?}",
        form.fields
    );
    assert_eq!(me(&app, "bea@example.test").await["email_verified"], false);

    let page = web.submit(&form).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.assert_contains("<strong>bea@example.test</strong> is verified");
    let me_now = me(&app, "bea@example.test").await;
    assert_eq!(
        (
            &me_now["email"],
            &me_now["email_verified"],
            &me_now["pending_email"]
        ),
        (&json!("bea@example.test"), &json!(true), &Value::Null)
    );

    let again = web.submit(&form).await;
    assert_eq!(again.status, 404);
    again.assert_contains("This verification link is not valid");
    let reopened_after = web.get(&path).await;
    assert_eq!(reopened_after.status, 404);
    reopened_after.assert_contains("This verification link is not valid");
    assert!(!reopened_after.body.contains("Confirm this address"));
    let events = actions(&app, "bea@example.test").await;
    assert_eq!(
        events.first().map(String::as_str),
        Some("sign_in.succeeded")
    );
    assert!(events.contains(&"email.verified".to_string()), "{events:?}");
    // nothing more was sent: verifying tells nobody
    assert_eq!(smtp.messages().len(), 1);
}

async fn used_replaced_expired_and_forged_links_change_nothing(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    let ann = app.sign_up("ann@example.test", None).await;
    let first = link_path(&smtp.wait_for(1).await[0], VERIFY_LINK);

    // "send again" replaces the first link; three links an hour, registration's included
    let resend = |token: String| {
        let app = &app;
        async move {
            app.post("/api/v1/me/email-verification", Some(&token), json!({}))
                .await
        }
    };
    let (status, sent) = resend(ann.token.clone()).await;
    assert_eq!(
        (status.as_u16(), sent),
        (202, json!({"email": "ann@example.test"}))
    );
    assert_eq!(resend(ann.token.clone()).await.0, 202);
    let (status, problem) = resend(ann.token.clone()).await;
    assert_eq!(status, 429, "{problem}");
    let mail = smtp.wait_for(3).await;
    let latest = link_path(&mail[2], VERIFY_LINK);

    let token_of = |path: &str| path.trim_start_matches("/verify-email/").to_string();
    let (status, problem) = confirm(&app, &token_of(&first)).await;
    assert_eq!(status, 404, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("This verification link is not valid"),
        "{problem}"
    );
    let (status, problem) = confirm(&app, &format!("ggv_{}", "A".repeat(43))).await;
    assert_eq!(status, 404, "{problem}");
    let mut web = WebClient::new(&app);
    let forged = web.get("/verify-email/ggv_forged").await;
    assert_eq!(forged.status, 404);
    forged.assert_contains("This verification link is not valid");
    let (status, problem) = app
        .post(
            "/api/v1/auth/email-verification/confirm",
            None,
            json!({ "token": "x", "extra": 1 }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");

    // the page opened in time, its button pressed too late
    let opened = web.get(&latest).await;
    let button = opened.form(&format!("form[action=\"{latest}\"]"));
    app.clock.advance(chrono::Duration::hours(25));
    let (status, problem) = confirm(&app, &token_of(&latest)).await;
    assert_eq!(status, 404, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().starts_with(
            "This verification link has expired (links work for 24 hours). Nothing was changed"
        ),
        "{problem}"
    );
    let expired = web.get(&latest).await;
    assert_eq!(expired.status, 404);
    expired.assert_contains("This verification link has expired");
    assert!(!expired.body.contains("Confirm this address"));
    let pressed = web.submit(&button).await;
    assert_eq!(pressed.status, 404);
    pressed.assert_contains("This verification link has expired");
    assert_eq!(me(&app, "ann@example.test").await["email_verified"], false);
    assert!(
        !actions(&app, "ann@example.test")
            .await
            .contains(&"email.verified".to_string())
    );

    // an hour later the limit is lifted, and the new link works
    let ann = app.sign_in("ann@example.test").await;
    assert_eq!(resend(ann.token.clone()).await.0, 202);
    let fresh = link_path(&smtp.wait_for(4).await[3], VERIFY_LINK);
    let (status, verified) = confirm(&app, &token_of(&fresh)).await;
    assert_eq!(
        (status.as_u16(), verified),
        (200, json!({"email": "ann@example.test", "changed": false}))
    );
    let (status, problem) = resend(ann.token.clone()).await;
    assert_eq!(status, 409, "{problem}");
}

async fn a_new_address_takes_effect_when_its_link_is_followed_and_the_old_one_is_told(
    backend: Backend,
) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    app.sign_up("ann@example.test", None).await;
    smtp.take(1).await;
    let mut web = WebClient::new(&app);
    web.sign_in("ann@example.test").await;
    web.get("/account/profile").await;

    let wrong = web
        .post(
            "/account/email",
            &[
                ("email", "ann.new@example.test"),
                ("current_password", "not it"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    wrong.assert_contains(
        "id=\"current_password-error\">Current password is not your current password.</p>",
    );
    wrong.assert_contains("value=\"ann.new@example.test\"");
    let asked = web
        .post(
            "/account/email",
            &[
                ("email", "ann.new@example.test"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    asked.assert_redirect("/account/profile");
    let profile = web.get("/account/profile").await;
    profile.assert_contains(
        "We sent a link to ann.new@example.test. Your address changes once you follow it.",
    );
    profile.assert_contains("We sent a link to <strong>ann.new@example.test</strong>");
    let pending = me(&app, "ann@example.test").await;
    assert_eq!(
        (&pending["email"], &pending["pending_email"]),
        (&json!("ann@example.test"), &json!("ann.new@example.test"))
    );

    let mail = smtp.wait_for(1).await;
    assert_eq!(mail[0]["rcpt_tos"], json!(["ann.new@example.test"]));
    assert_eq!(
        mail[0]["subject"],
        "Confirm your new GoGoTime email address"
    );
    let link = link_path(&mail[0], VERIFY_LINK);
    let mut browser = WebClient::new(&app);
    let opened = browser.get(&link).await;
    assert_eq!(
        opened.text_of("main").unwrap(),
        "Confirm your email address Confirm that your account should use \
         ann.new@example.test from now on. We will tell your previous address about the \
         change. Confirm this address"
    );
    assert_eq!(
        me(&app, "ann@example.test").await["pending_email"],
        "ann.new@example.test",
        "opening the link changes nothing"
    );
    let page = browser.post(&link, &[]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.assert_contains("Your account now uses <strong>ann.new@example.test</strong>");

    let notice = smtp.wait_for(2).await;
    assert_eq!(notice[1]["rcpt_tos"], json!(["ann@example.test"]));
    assert_eq!(
        notice[1]["subject"],
        "Your GoGoTime email address was changed"
    );
    let words = notice[1]["text"].as_str().unwrap().split_whitespace();
    let text = words.collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("was just changed from ann@example.test to ann.new@example.test."),
        "{text}"
    );
    assert!(text.contains("If this wasn't you"), "{text}");
    assert_eq!(app.token_for("ann@example.test", PASSWORD).await.0, 401);
    let now = me(&app, "ann.new@example.test").await;
    assert_eq!(
        (&now["email"], &now["email_verified"], &now["pending_email"]),
        (&json!("ann.new@example.test"), &json!(true), &Value::Null)
    );
    let events = actions(&app, "ann.new@example.test").await;
    for action in ["email.change_requested", "email.changed"] {
        assert!(events.contains(&action.to_string()), "{events:?}");
    }
}

async fn an_address_in_use_or_the_same_one_is_refused_and_nothing_is_queued(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    let ann = app.sign_up("ann@example.test", None).await;
    app.sign_up("bea@example.test", None).await;
    smtp.take(2).await;
    let change = |email: &'static str, password: &'static str| {
        let app = &app;
        let token = ann.token.clone();
        async move {
            app.post(
                "/api/v1/me/email",
                Some(&token),
                json!({ "email": email, "current_password": password }),
            )
            .await
        }
    };

    let cases = [
        (
            "BEA@example.test",
            PASSWORD,
            409,
            "email: another account uses this address",
        ),
        ("ann@example.test", PASSWORD, 422, "Please correct: email."),
        ("not an address", PASSWORD, 422, "Please correct: email."),
        (
            "ann.new@example.test",
            "wrong",
            422,
            "Please correct: current_password.",
        ),
    ];
    for (email, password, status, detail) in cases {
        let (got, problem) = change(email, password).await;
        assert_eq!(got, status, "{email}: {problem}");
        assert_eq!(problem["detail"], detail, "{email}: {problem}");
    }
    assert_eq!(
        outbox(&app).await.len(),
        2,
        "only the two registrations' links"
    );
    assert_eq!(
        me(&app, "ann@example.test").await["pending_email"],
        Value::Null
    );
}

async fn with_email_off_a_new_address_is_in_use_at_once_and_unproven(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let ann = app.sign_up("ann@example.test", None).await;
    let registered = me(&app, "ann@example.test").await;
    assert_eq!(registered["email_verified"], false);

    let (status, changed) = app
        .post(
            "/api/v1/me/email",
            Some(&ann.token),
            json!({ "email": "ann.new@example.test", "current_password": PASSWORD }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), changed),
        (
            200,
            json!({"email": "ann.new@example.test", "pending": false})
        )
    );
    let now = me(&app, "ann.new@example.test").await;
    assert_eq!(
        (&now["email"], &now["email_verified"], &now["pending_email"]),
        (&json!("ann.new@example.test"), &json!(false), &Value::Null)
    );
    let (status, problem) = app
        .post("/api/v1/me/email-verification", Some(&ann.token), json!({}))
        .await;
    assert_eq!(status, 403, "{problem}");
    let mut web = WebClient::new(&app);
    web.sign_in("ann.new@example.test").await;
    let profile = web.get("/account/profile").await;
    profile.assert_contains("This server does not send email, so addresses cannot be verified");
    assert!(!profile.body.contains("Send the link again"));
    assert!(outbox(&app).await.is_empty());
}

async fn changing_the_password_tells_the_address_and_is_recorded(backend: Backend) {
    let smtp = SmtpServer::started().await;
    let app = spawn_mail_app(backend, &smtp).await;
    let ann = app.sign_up("ann@example.test", None).await;
    smtp.take(1).await;

    let (status, body) = app
        .post(
            "/api/v1/me/password",
            Some(&ann.token),
            json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase 42" }),
        )
        .await;
    assert_eq!(status, 204, "{body}");

    let mail = smtp.wait_for(1).await;
    assert_eq!(mail[0]["rcpt_tos"], json!(["ann@example.test"]));
    assert_eq!(mail[0]["subject"], "Your GoGoTime password was changed");
    let text = mail[0]["text"].as_str().unwrap();
    assert!(
        text.contains("was just changed on your account page"),
        "{text}"
    );
    assert!(
        text.contains("If this wasn't you, reset your password at once"),
        "{text}"
    );
    let user = app
        .token_for("ann@example.test", "a brand new passphrase 42")
        .await
        .1;
    let token = user["access_token"].as_str().unwrap();
    let (_, events) = app.get_as("/api/v1/me/security-events", token).await;
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions[..2],
        ["sign_in.succeeded", "password.changed"],
        "{events}"
    );
}

both_backends!(
    registration_sends_a_link_that_verifies_the_address_once,
    used_replaced_expired_and_forged_links_change_nothing,
    a_new_address_takes_effect_when_its_link_is_followed_and_the_old_one_is_told,
    an_address_in_use_or_the_same_one_is_refused_and_nothing_is_queued,
    with_email_off_a_new_address_is_in_use_at_once_and_unproven,
    changing_the_password_tells_the_address_and_is_recorded,
);
