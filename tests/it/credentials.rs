//! Personal API tokens and browser sessions (cookie, CSRF, revocation), and disabled users.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::browser;
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    api_tokens_are_shown_once_usable_as_bearer_and_revocable,
    api_tokens_stop_working_when_they_expire,
    session_cookies_authenticate_and_state_changes_need_the_csrf_token,
    signing_out_everywhere_ends_every_session_and_refresh_token,
    a_disabled_user_cannot_sign_in_and_their_credentials_stop_working,
    production_cookies_are_secure_and_host_prefixed_with_hsts,
);

async fn api_tokens_are_shown_once_usable_as_bearer_and_revocable(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("ada@example.org", None).await;

    let (created, token) = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&ada.token),
            json!({"name": "CI"}),
        )
        .await;
    let secret = token["secret"].as_str().unwrap();
    let (me, body) = app.get_as("/api/v1/me", secret).await;
    let (_, list) = app.get_as("/api/v1/me/api-tokens", &ada.token).await;
    let (revoked, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/me/api-tokens/{}", token["id"].as_str().unwrap()),
            Some(&ada.token),
            None,
        )
        .await;
    let (after, _) = app.get_as("/api/v1/me", secret).await;

    assert_eq!(created, 201);
    assert!(secret.starts_with("ggt_") && secret.len() > 40);
    assert_eq!(me, 200);
    assert_eq!(body["email"], "ada@example.org");
    assert_eq!(list[0]["name"], "CI");
    assert!(
        list[0].get("secret").is_none(),
        "the secret is shown only once"
    );
    assert!(
        list[0]["last_used_at"].is_string(),
        "last use is recorded: {list}"
    );
    assert_eq!(revoked, 204);
    assert_eq!(after, 401);
}

async fn api_tokens_stop_working_when_they_expire(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("ada@example.org", None).await;
    let now = chrono::DateTime::from_timestamp(app.clock_now(), 0).unwrap();

    let (past, _) = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&ada.token),
            json!({"name": "old", "expires_at": (now - Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    let (_, token) = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&ada.token),
            json!({"name": "short", "expires_at": (now + Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    let secret = token["secret"].as_str().unwrap().to_string();
    let (before, _) = app.get_as("/api/v1/me", &secret).await;
    app.clock.advance(Duration::hours(2));
    let (after, _) = app.get_as("/api/v1/me", &secret).await;

    assert_eq!(past, 422);
    assert_eq!(before, 200);
    assert_eq!(after, 401);
}

/// Signs in through the session endpoint, checks the cookie's attributes in development;
/// returns the cookie pair and the CSRF token.
async fn browser_sign_in(app: &TestApp, email: &str) -> (String, String) {
    let session = browser::sign_in(app, email).await;
    let set_cookie = &session.set_cookie;
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains("Secure"),
        "development serves plain http"
    );
    (session.cookie, session.csrf)
}

async fn session_cookies_authenticate_and_state_changes_need_the_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("ada@example.org", None).await;
    let (cookie, csrf) = browser_sign_in(&app, "ada@example.org").await;
    let patch = |csrf: Option<&str>| {
        let mut request = app
            .client
            .patch(app.url("/api/v1/me"))
            .header("cookie", &cookie)
            .json(&json!({"name": "Ada B."}));
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request.send()
    };

    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let forged = patch(None).await.unwrap();
    let wrong = patch(Some("guessed")).await.unwrap();
    // a valid token, but sent by another site's page: refused before the handler
    let cross_site = |origin: &'static str| {
        app.client
            .patch(app.url("/api/v1/me"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("origin", origin)
            .json(&json!({"name": "Mallory"}))
            .send()
    };
    let other_site = cross_site("https://evil.example").await.unwrap();
    let other_site_type = other_site.headers()["content-type"].clone();
    let other_site: serde_json::Value = other_site.json().await.unwrap();
    let null_origin = cross_site("null").await.unwrap().status();
    let own_origin = app
        .client
        .patch(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .header("origin", app.url("").trim_end_matches('/'))
        .json(&json!({"name": "Ada B."}))
        .send()
        .await
        .unwrap()
        .status();
    let forged_page_form = app
        .client
        .post(app.url("/sign-out"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let forged_page_status = forged_page_form.status();
    let forged_page = forged_page_form.text().await.unwrap();
    let proper = patch(Some(&csrf)).await.unwrap();
    let sessions: serde_json::Value = app
        .client
        .get(app.url("/api/v1/me/sessions"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sign_out = app
        .client
        .delete(app.url("/api/v1/auth/session"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    let after = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();

    assert_eq!(me.status(), 200);
    assert_eq!(forged.status(), 403);
    assert_eq!(wrong.status(), 403);
    assert_eq!(other_site["status"], 403);
    assert_eq!(other_site_type, "application/problem+json");
    assert_eq!(
        other_site["detail"],
        "This request came from another site (https://evil.example) and was refused. Open GoGoTime at its own address and try again."
    );
    assert_eq!(null_origin, 403);
    assert_eq!(own_origin, 200);
    assert_eq!(forged_page_status, 403);
    assert!(
        forged_page.contains("This request came from another site (https://evil.example)"),
        "{forged_page}"
    );
    assert_eq!(proper.status(), 200);
    assert_eq!(sessions.as_array().unwrap().len(), 1);
    assert_eq!(sign_out.status(), 204);
    assert_eq!(after.status(), 401);
}

async fn signing_out_everywhere_ends_every_session_and_refresh_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("ada@example.org", None).await;
    let (laptop, _) = browser_sign_in(&app, "ada@example.org").await;
    let (phone, _) = browser_sign_in(&app, "ada@example.org").await;
    let (_, tokens) = app.token_for("ada@example.org", PASSWORD).await;

    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/me/sessions/revoke-all",
            Some(&ada.token),
            None,
        )
        .await;
    let laptop_after = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &laptop)
        .send()
        .await
        .unwrap();
    let phone_after = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &phone)
        .send()
        .await
        .unwrap();
    let (refresh, _) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": tokens["refresh_token"]}),
        )
        .await;

    assert_eq!(status, 204);
    assert_eq!(laptop_after.status(), 401);
    assert_eq!(phone_after.status(), 401);
    assert_eq!(refresh, 401);
}

async fn a_disabled_user_cannot_sign_in_and_their_credentials_stop_working(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("ada@example.org", None).await;
    let (_, api_token) = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&ada.token),
            json!({"name": "script"}),
        )
        .await;
    let (_, tokens) = app.token_for("ada@example.org", PASSWORD).await;
    let (cookie, _) = browser_sign_in(&app, "ada@example.org").await;

    // the operator names the account in another case: emails compare case-insensitively
    browser::disable_user(&app, "ADA@example.org").await;
    assert_eq!(app.token_for("ada@example.org", PASSWORD).await.0, 401);
    assert_eq!(
        app.get_as("/api/v1/me", &ada.token).await.0,
        401,
        "access token"
    );
    assert_eq!(
        app.get_as("/api/v1/me", api_token["secret"].as_str().unwrap())
            .await
            .0,
        401,
        "API token"
    );
    assert_eq!(
        app.post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": tokens["refresh_token"]})
        )
        .await
        .0,
        401
    );
    let session = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 401, "session");
}

async fn production_cookies_are_secure_and_host_prefixed_with_hsts(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |env| {
        crate::helpers::set(env, "GOGOTIME_ENV", "production");
        crate::helpers::set(env, "GOGOTIME_PUBLIC_URL", "https://time.example.com");
        crate::helpers::set(env, "GOGOTIME_AUTO_MIGRATE", "true");
        crate::helpers::set(env, "GOGOTIME_REGISTRATION", "open");
    })
    .await;
    app.register("ada@example.org", None).await;

    let session = browser::sign_in(&app, "ada@example.org").await;

    let cookie = &session.set_cookie;
    assert!(cookie.starts_with("__Host-gogotime_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        session.headers["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
}
