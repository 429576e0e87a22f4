//! Browser sessions started through the API's session endpoint, and `gogotime user disable`,
//! as the tests that need a signed-in browser (or a disabled one) set them up.

use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::json;

use super::accounts::PASSWORD;
use super::{TestApp, binary};

/// A browser session: what the server set and what a browser sends back.
pub struct BrowserSession {
    /// The whole `Set-Cookie` header, attributes included.
    pub set_cookie: String,
    /// The `name=value` pair a browser sends in its `Cookie` header.
    pub cookie: String,
    /// The session's CSRF token, as the endpoint returns it.
    pub csrf: String,
    /// Every header of the answer (e.g. `Strict-Transport-Security`).
    pub headers: HeaderMap,
}

/// Signs `email` in (with the accounts' shared password) through `POST /api/v1/auth/session`.
pub async fn sign_in(app: &TestApp, email: &str) -> BrowserSession {
    let response = app
        .client
        .post(app.url("/api/v1/auth/session"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "signing {email} in");
    let headers = response.headers().clone();
    let set_cookie = headers[SET_COOKIE].to_str().unwrap().to_string();
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let body: serde_json::Value = response.json().await.unwrap();
    BrowserSession {
        set_cookie,
        cookie,
        csrf: body["csrf_token"].as_str().unwrap().to_string(),
        headers,
    }
}

/// Disables the account of `email` with the operator CLI (`gogotime user disable`), as an
/// operator would; panics with the command's output if it fails.
pub async fn disable_user(app: &TestApp, email: &str) {
    let url = app.database_url().to_string();
    let email = email.to_string();
    let run = tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        binary::run(
            &["user", "disable", "--email", &email],
            &[("DATABASE_URL", &url)],
            dir.path(),
        )
    })
    .await
    .unwrap();
    assert_eq!(run.code, 0, "{}", run.output());
}
