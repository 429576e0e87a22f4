//! Registration, password sign-in, access and refresh tokens, rate limiting.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::{Backend, set, spawn_app, spawn_app_with};

both_backends!(
    the_first_user_becomes_instance_admin_and_owner_of_a_new_organization,
    duplicate_email_in_any_letter_case_is_a_409_naming_the_field,
    invalid_registrations_get_422_with_every_field_error,
    registration_follows_the_instance_policy_after_the_first_user,
    wrong_password_and_unknown_email_get_the_same_401,
    access_tokens_pin_hs256_issuer_audience_and_expiry,
    refresh_tokens_rotate_and_reuse_revokes_the_whole_family,
    logout_revokes_the_refresh_family,
    ten_failed_sign_ins_lock_the_account_with_retry_after,
    the_sign_in_page_answers_a_lock_with_429_and_says_so,
    failures_from_one_address_lock_every_account_tried_from_it,
    a_concurrent_burst_of_guesses_gets_no_more_than_ten_tries,
    concurrent_right_and_wrong_sign_ins_never_fail_the_server,
    concurrent_first_registrations_make_exactly_one_instance_admin,
    concurrent_successful_sign_ins_all_succeed,
    profile_changes_are_validated,
    changing_the_password_checks_the_current_one_and_signs_out_everywhere,
    malformed_requests_get_400_415_and_422_problems,
);

async fn the_first_user_becomes_instance_admin_and_owner_of_a_new_organization(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, user) = app.register("Ada@Example.org", None).await;
    let ada = app.sign_in("ada@example.org").await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &ada.token).await;

    assert_eq!(status, 201, "{user}");
    assert_eq!(user["email"], "Ada@Example.org");
    assert_eq!(user["is_instance_admin"], true);
    assert_eq!(user["time_zone"], "UTC");
    assert!(user.get("password_hash").is_none());
    assert_eq!(orgs.as_array().unwrap().len(), 1);
    assert_eq!(orgs[0]["role"], "owner");
    assert_eq!(orgs[0]["currency"], "EUR");
}

async fn duplicate_email_in_any_letter_case_is_a_409_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;

    let (status, problem) = app.register("ADA@Example.ORG", None).await;

    assert_eq!(status, 409);
    assert!(
        problem["detail"].as_str().unwrap().starts_with("email:"),
        "{problem}"
    );
}

async fn invalid_registrations_get_422_with_every_field_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (
            json!({"email": "not-an-email", "password": PASSWORD, "name": "A"}),
            "email",
        ),
        (
            json!({"email": "a@example.org", "password": "short", "name": "A"}),
            "password",
        ),
        (
            json!({"email": "a@example.org", "password": "x".repeat(1025), "name": "A"}),
            "password",
        ),
        (
            json!({"email": "a@example.org", "password": "a@example.org", "name": "A"}),
            "password",
        ),
        (
            json!({"email": "a@example.org", "password": PASSWORD, "name": " "}),
            "name",
        ),
        (
            json!({"email": "a@example.org", "password": PASSWORD, "name": "A", "time_zone": "Mars/Olympus"}),
            "time_zone",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = app.post("/api/v1/auth/register", None, body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert!(problem["errors"][field].is_array(), "{body}: {problem}");
    }

    let (status, problem) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "bad", "password": "short", "name": ""}),
        )
        .await;
    assert_eq!(status, 422);
    for field in ["email", "password", "name"] {
        assert!(
            problem["errors"][field].is_array(),
            "all problems at once: {problem}"
        );
    }
    let (_, none) = app.register("a@example.org", None).await;
    assert_eq!(
        none["is_instance_admin"], true,
        "no failed attempt left a user behind"
    );
}

async fn registration_follows_the_instance_policy_after_the_first_user(backend: Backend) {
    let closed = spawn_app_with(backend, |env| set(env, "GOGOTIME_REGISTRATION", "closed")).await;
    let invite = spawn_app_with(backend, |env| set(env, "GOGOTIME_REGISTRATION", "invite")).await;

    let (first, _) = closed.register("first@example.org", None).await;
    let (second, problem) = closed.register("second@example.org", None).await;
    invite.register("first@example.org", None).await;
    let (by_invite_only, invite_problem) = invite.register("second@example.org", None).await;

    assert_eq!(first, 201, "the very first user may always register");
    assert_eq!(second, 403);
    assert!(problem["detail"].as_str().unwrap().contains("closed"));
    assert_eq!(by_invite_only, 403);
    assert!(
        invite_problem["detail"]
            .as_str()
            .unwrap()
            .contains("invitation")
    );
}

async fn wrong_password_and_unknown_email_get_the_same_401(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;

    let (wrong, wrong_body) = app.token_for("ada@example.org", "not the password").await;
    let (unknown, unknown_body) = app
        .token_for("nobody@example.org", "not the password")
        .await;

    assert_eq!(wrong, 401);
    assert_eq!(unknown, 401);
    assert_eq!(wrong_body["detail"], unknown_body["detail"]);
}

fn jwt(header: serde_json::Value, claims: serde_json::Value, secret: &[u8]) -> String {
    use hmac_sha256::sign;
    let head = URL_SAFE_NO_PAD.encode(header.to_string());
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(sign(format!("{head}.{body}").as_bytes(), secret));
    format!("{head}.{body}.{signature}")
}

/// HMAC-SHA256 from sha2, so forged tokens are made independently of the code under test.
mod hmac_sha256 {
    use sha2::{Digest, Sha256};

    pub fn sign(message: &[u8], key: &[u8]) -> Vec<u8> {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
        let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
        let inner_hash = Sha256::new()
            .chain_update(&inner)
            .chain_update(message)
            .finalize();
        Sha256::new()
            .chain_update(&outer)
            .chain_update(inner_hash)
            .finalize()
            .to_vec()
    }
}

async fn access_tokens_pin_hs256_issuer_audience_and_expiry(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("ada@example.org", None).await;
    let secret = b"test-secret-that-is-long-enough-for-hs256";
    let now = app.clock_now();
    let claims = |iss: &str, aud: &str, exp: i64| json!({"sub": ada.id, "iss": iss, "aud": aud, "iat": now, "exp": exp});
    let issuer = "http://localhost:8080";
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});

    let genuine_copy = jwt(
        hs256.clone(),
        claims(issuer, "gogotime-api", now + 60),
        secret,
    );
    let forged = [
        (
            "alg none",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
                URL_SAFE_NO_PAD.encode(claims(issuer, "gogotime-api", now + 60).to_string())
            ),
        ),
        (
            "HS512",
            jwt(
                json!({"alg": "HS512", "typ": "JWT"}),
                claims(issuer, "gogotime-api", now + 60),
                secret,
            ),
        ),
        (
            "wrong secret",
            jwt(
                hs256.clone(),
                claims(issuer, "gogotime-api", now + 60),
                b"another-secret-another-secret-12345",
            ),
        ),
        (
            "wrong issuer",
            jwt(
                hs256.clone(),
                claims("https://evil.example", "gogotime-api", now + 60),
                secret,
            ),
        ),
        (
            "wrong audience",
            jwt(hs256.clone(), claims(issuer, "other-api", now + 60), secret),
        ),
        (
            "expired",
            jwt(
                hs256.clone(),
                claims(issuer, "gogotime-api", now - 1),
                secret,
            ),
        ),
        ("garbage", "not.a.jwt".to_string()),
    ];

    let (genuine, _) = app.get_as("/api/v1/me", &genuine_copy).await;
    assert_eq!(
        genuine, 200,
        "a correctly made token is accepted (the forgeries below differ in one thing)"
    );
    for (what, token) in forged {
        let (status, body) = app.get_as("/api/v1/me", &token).await;
        assert_eq!(status, 401, "{what}: {body}");
    }
    app.clock.advance(Duration::minutes(16));
    let (expired, _) = app.get_as("/api/v1/me", &ada.token).await;
    assert_eq!(expired, 401, "access tokens live 15 minutes");
}

async fn refresh_tokens_rotate_and_reuse_revokes_the_whole_family(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;
    let (_, first) = app.token_for("ada@example.org", PASSWORD).await;
    let refresh = |token: &str| json!({ "refresh_token": token });

    let (rotated, second) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            refresh(first["refresh_token"].as_str().unwrap()),
        )
        .await;
    let (reused, _) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            refresh(first["refresh_token"].as_str().unwrap()),
        )
        .await;
    let (after_theft, _) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            refresh(second["refresh_token"].as_str().unwrap()),
        )
        .await;
    let (forged, _) = app
        .post("/api/v1/auth/refresh", None, refresh("ggr_made-up"))
        .await;

    assert_eq!(rotated, 200, "{second}");
    assert_ne!(first["refresh_token"], second["refresh_token"]);
    assert_eq!(second["token_type"], "Bearer");
    assert_eq!(second["expires_in"], 900);
    assert_eq!(reused, 401, "a used refresh token is refused");
    assert_eq!(
        after_theft, 401,
        "reuse revokes the whole family, including the newest token"
    );
    assert_eq!(forged, 401);
}

async fn logout_revokes_the_refresh_family(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;
    let (_, tokens) = app.token_for("ada@example.org", PASSWORD).await;
    let body = json!({ "refresh_token": tokens["refresh_token"] });

    let (logout, _) = app.post("/api/v1/auth/logout", None, body.clone()).await;
    let (refresh, _) = app.post("/api/v1/auth/refresh", None, body).await;

    assert_eq!(logout, 204);
    assert_eq!(refresh, 401);
}

async fn ten_failed_sign_ins_lock_the_account_with_retry_after(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;

    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            app.token_for("ada@example.org", "wrong password!")
                .await
                .0
                .as_u16(),
        );
    }
    let locked = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": "ada@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let locked_status = locked.status();
    app.clock.advance(Duration::minutes(16));
    let (after_window, _) = app.token_for("ada@example.org", PASSWORD).await;

    assert_eq!(statuses, [vec![401; 10], vec![429; 2]].concat());
    assert_eq!(
        locked_status, 429,
        "even the right password waits out the lock"
    );
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(after_window, 200);
}

async fn the_sign_in_page_answers_a_lock_with_429_and_says_so(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;
    let mut web = crate::helpers::web::WebClient::new(&app);
    web.get("/sign-in").await;
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..11 {
        let page = web
            .post(
                "/sign-in",
                &[
                    ("email", "ada@example.org"),
                    ("password", "wrong password!"),
                ],
            )
            .await;
        statuses.push(page.status.as_u16());
        last = Some(page);
    }
    let locked = last.unwrap();

    assert_eq!(statuses, [vec![401; 10], vec![429]].concat());
    let alert = locked
        .text_of(".form-error")
        .expect("the reason is on the page");
    assert!(alert.starts_with("too many attempts; retry in "), "{alert}");
}

async fn failures_from_one_address_lock_every_account_tried_from_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;

    for i in 0..10 {
        app.token_for(&format!("guess{i}@example.org"), "wrong password!")
            .await;
    }
    let (status, _) = app.token_for("ada@example.org", PASSWORD).await;

    assert_eq!(status, 429);
}

async fn profile_changes_are_validated(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("ada@example.org", None).await;

    let (bad, problem) = app
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&ada.token),
            Some(json!({"time_zone": "Europe/Nowhere", "week_start": 9})),
        )
        .await;
    let (good, me) = app
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&ada.token),
            Some(json!({"time_zone": "Europe/Berlin", "week_start": 7, "name": "Ada L."})),
        )
        .await;

    assert_eq!(bad, 422);
    assert!(
        problem["errors"]["time_zone"].is_array() && problem["errors"]["week_start"].is_array(),
        "{problem}"
    );
    assert_eq!(good, 200);
    assert_eq!(
        (
            me["time_zone"].as_str(),
            me["week_start"].as_i64(),
            me["name"].as_str()
        ),
        (Some("Europe/Berlin"), Some(7), Some("Ada L."))
    );
}

async fn changing_the_password_checks_the_current_one_and_signs_out_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("ada@example.org", None).await;
    let (_, tokens) = app.token_for("ada@example.org", PASSWORD).await;
    let change = |current: &str| json!({"current_password": current, "new_password": "an entirely new passphrase"});

    let (wrong, problem) = app
        .post(
            "/api/v1/me/password",
            Some(&ada.token),
            change("not it at all"),
        )
        .await;
    let (changed, _) = app
        .post("/api/v1/me/password", Some(&ada.token), change(PASSWORD))
        .await;
    let (old_refresh, _) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": tokens["refresh_token"]}),
        )
        .await;
    let (old_password, _) = app.token_for("ada@example.org", PASSWORD).await;
    let (new_password, _) = app
        .token_for("ada@example.org", "an entirely new passphrase")
        .await;

    assert_eq!(wrong, 422);
    assert!(problem["errors"]["current_password"].is_array());
    assert_eq!(changed, 204);
    assert_eq!(
        old_refresh, 401,
        "refresh tokens are revoked on password change"
    );
    assert_eq!(old_password, 401);
    assert_eq!(new_password, 200);
}

async fn malformed_requests_get_400_415_and_422_problems(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = app.url("/api/v1/auth/token");

    let no_type = app
        .client
        .post(&url)
        .body(r#"{"email":"a@b.c","password":"x"}"#)
        .send()
        .await
        .unwrap();
    let broken = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let invalid_utf8 = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(vec![b'{', 0xff, 0xfe, b'}'])
        .send()
        .await
        .unwrap();
    let wrong_shape = app
        .client
        .post(&url)
        .json(&json!({"email": 5}))
        .send()
        .await
        .unwrap();

    for (response, status) in [
        (no_type, 415),
        (broken, 400),
        (invalid_utf8, 400),
        (wrong_shape, 422),
    ] {
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}

/// Each success deletes its own recorded attempts and the account's failures: without the
/// per-key locks, two at once deadlocked on PostgreSQL and one got a 500 (schemathesis --full).
/// Rounds of 8 (fewer than the 10 failures that lock, since each counts until it succeeds).
async fn concurrent_successful_sign_ins_all_succeed(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;
    let url = app.url("/api/v1/auth/token");

    let mut statuses = Vec::new();
    for _ in 0..4 {
        let round: Vec<_> = (0..8)
            .map(|_| {
                let request = app
                    .client
                    .post(&url)
                    .json(&json!({"email": "ada@example.org", "password": PASSWORD}));
                tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
            })
            .collect();
        for attempt in round {
            statuses.push(attempt.await.unwrap());
        }
    }

    assert_eq!(statuses, vec![200; 32]);
}

async fn a_concurrent_burst_of_guesses_gets_no_more_than_ten_tries(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;
    let url = app.url("/api/v1/auth/token");

    let attempts: Vec<_> = (0..30)
        .map(|_| {
            let request = app
                .client
                .post(&url)
                .json(&json!({"email": "ada@example.org", "password": "wrong password!"}));
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }

    assert_eq!(
        statuses.iter().filter(|&&s| s == 401).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 429).count(),
        20,
        "{statuses:?}"
    );
}

/// Successful sign-ins clear the account's failures while other attempts count and prune them:
/// on PostgreSQL the two once deleted the same rows in opposite orders and one died in a
/// deadlock (500).
async fn concurrent_right_and_wrong_sign_ins_never_fail_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;
    let url = app.url("/api/v1/auth/token");

    let attempts: Vec<_> = (0..40)
        .map(|i| {
            let password = if i % 2 == 0 {
                PASSWORD
            } else {
                "wrong password!"
            };
            let request = app
                .client
                .post(&url)
                .json(&json!({"email": "ada@example.org", "password": password}));
            tokio::spawn(
                async move { (i % 2 == 0, request.send().await.unwrap().status().as_u16()) },
            )
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }

    let unexpected: Vec<_> = statuses
        .iter()
        .filter(|&&(right, status)| {
            !matches!((right, status), (true, 200 | 429) | (false, 401 | 429))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "(right password, status): {statuses:?}"
    );
    assert!(statuses.contains(&(true, 200)), "{statuses:?}");
}

/// The first account becomes the instance's admin: two people registering at the same instant
/// on a fresh instance must not both become admin.
async fn concurrent_first_registrations_make_exactly_one_instance_admin(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        set(s, "GOGOTIME_REGISTRATION", "open");
    })
    .await;
    let url = app.url("/api/v1/auth/register");

    let registrations: Vec<_> = (0..8)
        .map(|i| {
            let request = app.client.post(&url).json(&json!({
                "email": format!("user{i}@example.org"),
                "password": PASSWORD,
                "name": format!("User {i}"),
            }));
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap())
            })
        })
        .collect();
    let mut users = Vec::new();
    for registration in registrations {
        users.push(registration.await.unwrap());
    }

    assert!(users.iter().all(|(status, _)| *status == 201), "{users:?}");
    let admins = users
        .iter()
        .filter(|(_, user)| user["is_instance_admin"] == true)
        .count();
    assert_eq!(admins, 1, "{users:?}");
}
