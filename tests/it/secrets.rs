//! Secrets stay secret: the real binary is used with a known password, JWT secret, database
//! password, access token, API token, calendar feed address, session cookie and invitation
//! token — on the happy paths and on the error paths that are most tempted to echo them — and
//! then every line it logged (at debug level), every error body it answered and its /metrics
//! output are searched for those exact values. `gogotime config check` prints every secret
//! redacted. On SQLite and PostgreSQL.

use std::collections::BTreeMap;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::Backend;
use crate::helpers::binary::{self, Server};

crate::both_backends!(no_secret_reaches_a_log_line_an_error_body_or_a_metric);

/// Every secret `config check` could print, in both places a PostgreSQL URL may carry a
/// password: each is absent from its output and a redaction marker stands in its place.
#[test]
fn config_check_redacts_every_secret() {
    let dir = tempfile::tempdir().unwrap();
    let in_user_info = format!("postgres://app:{DATABASE_PASSWORD}@db.example:5432/time");
    let in_query =
        format!("postgres://app@db.example:5432/time?sslmode=require&password={DATABASE_PASSWORD}");
    for (url, shown) in [
        (
            in_user_info.as_str(),
            "DATABASE_URL=postgres://app:***@db.example:5432/time",
        ),
        (
            in_query.as_str(),
            "DATABASE_URL=postgres://app@db.example:5432/time?sslmode=require&password=***",
        ),
    ] {
        let check = binary::run(
            &["config", "check"],
            &[
                ("GOGOTIME_ENV", "production"),
                ("DATABASE_URL", url),
                ("JWT_SECRET", JWT_SECRET),
                ("GOGOTIME_PUBLIC_URL", "https://time.example.org"),
            ],
            dir.path(),
        );
        let output = check.output();
        assert_eq!(check.code, 0, "{output}");
        for secret in [DATABASE_PASSWORD, JWT_SECRET] {
            assert!(!output.contains(secret), "{secret} in:\n{output}");
        }
        assert!(check.stdout.contains("JWT_SECRET=<redacted>"), "{output}");
        assert!(check.stdout.contains(shown), "{output}");
    }
    // refused values are named, never repeated
    let check = binary::run(
        &["config", "check"],
        &[
            ("GOGOTIME_ENV", "production"),
            (
                "DATABASE_URL",
                &format!("postgress://app:{DATABASE_PASSWORD}@db/time"),
            ),
            ("JWT_SECRET", "short-jwt-secret-value"),
            ("GOGOTIME_PUBLIC_URL", "https://time.example.org"),
        ],
        dir.path(),
    );
    let output = check.output();
    assert_eq!(check.code, 2, "{output}");
    assert!(
        output.contains("DATABASE_URL") && output.contains("JWT_SECRET"),
        "{output}"
    );
    for secret in [DATABASE_PASSWORD, "short-jwt-secret-value"] {
        assert!(!output.contains(secret), "{secret} in:\n{output}");
    }
}

/// Long and unique, so a match can only be the value itself.
const PASSWORD: &str = "Pw-7c1e9b3a5d2f4e60-staple";
const OTHER_PASSWORD: &str = "Pw-0d4c8e2b6a1f3957-battery";
const WRONG_PASSWORD: &str = "Pw-9a8b7c6d5e4f3a2b-wrong";
const JWT_SECRET: &str = "jwt-5f0c2d9e8b7a6f1e3d4c5b6a7988aa0b-secret";
const DATABASE_PASSWORD: &str = "db-3e7a1c5b9d2f4a68";

/// The requests of one test and every error body they got back.
struct Session {
    client: reqwest::Client,
    base: String,
    /// (request path, status and body) of every 4xx/5xx answer; only the body is searched.
    error_bodies: Vec<(String, String)>,
}

impl Session {
    /// Sends a request and keeps the body of any 4xx/5xx answer.
    async fn send(&mut self, request: reqwest::RequestBuilder) -> (u16, Response) {
        let response = request.send().await.expect("request sent");
        (response.status().as_u16(), response)
    }

    async fn json(
        &mut self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(auth) = auth {
            request = request.header(AUTHORIZATION, auth);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let (status, response) = self.send(request).await;
        let text = response.text().await.expect("a body");
        if status >= 400 {
            self.error_bodies
                .push((path.to_string(), format!("{status}: {text}")));
        }
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// `json`, asserting the status; the body.
    async fn expect(
        &mut self,
        want: u16,
        (method, path): (Method, &str),
        auth: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let (status, body) = self.json(method.clone(), path, auth, body).await;
        assert_eq!(status, want, "{method} {path}: {body}");
        body
    }

    /// A form post (or a GET when `fields` is `None`) with cookies; status, cookies set, body.
    async fn page(
        &mut self,
        path: &str,
        cookies: &BTreeMap<String, String>,
        fields: Option<&[(&str, &str)]>,
    ) -> (u16, BTreeMap<String, String>, String) {
        let cookie = cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let url = format!("{}{path}", self.base);
        let request = match fields {
            Some(fields) => self
                .client
                .post(url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(fields)
                        .finish(),
                ),
            None => self.client.get(url),
        };
        let (status, response) = self.send(request.header(COOKIE, cookie)).await;
        let mut set = BTreeMap::new();
        for value in response.headers().get_all(SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                set.insert(name.to_string(), value.to_string());
            }
        }
        let body = response.text().await.expect("a body");
        if status >= 400 {
            self.error_bodies
                .push((path.to_string(), format!("{status}: {body}")));
        }
        (status, set, body)
    }
}

/// `name="_csrf" value="…"` of a rendered form.
fn csrf(page: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).expect("a form with a CSRF token") + marker.len();
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn no_secret_reaches_a_log_line_an_error_body_or_a_metric(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}/data/gogotime.db", dir.path().display()),
        // the test cluster trusts local connections, so the password is sent nowhere it matters
        // but is in every place GoGoTime keeps the URL
        Backend::Postgres => {
            let mut url =
                url::Url::parse(&crate::helpers::postgres::fresh_database().await).unwrap();
            url.set_password(Some(DATABASE_PASSWORD)).unwrap();
            url.to_string()
        }
    };
    let env: Vec<(&str, &str)> = vec![
        ("DATABASE_URL", database_url.as_str()),
        ("GOGOTIME_BIND", "127.0.0.1:0"),
        ("GOGOTIME_METRICS_BIND", "127.0.0.1:0"),
        ("GOGOTIME_PUBLIC_URL", "http://localhost:8080"),
        ("JWT_SECRET", JWT_SECRET),
        // everything GoGoTime and its libraries log short of trace
        ("GOGOTIME_LOG", "debug"),
    ];

    let owned_env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let cwd = dir.path().to_path_buf();
    let server = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = owned_env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Server::start(&env, &cwd)
    })
    .await
    .unwrap();
    let mut s = Session {
        client: crate::helpers::client(),
        base: server.address.clone(),
        error_bodies: Vec::new(),
    };
    // values the server hands out, collected as they come
    let mut secrets: Vec<(&str, String)> = vec![
        ("password", PASSWORD.into()),
        ("second password", OTHER_PASSWORD.into()),
        ("wrong password", WRONG_PASSWORD.into()),
        ("JWT secret", JWT_SECRET.into()),
    ];
    if backend == Backend::Postgres {
        secrets.push(("database password", DATABASE_PASSWORD.into()));
    }

    let access = use_passwords(&mut s, &mut secrets).await;
    use_api_token(&mut s, &mut secrets, &access).await;
    use_calendar_feed(&mut s, &mut secrets, &access).await;
    let (_, orgs) = s
        .json(
            Method::GET,
            "/api/v1/organizations",
            Some(&bearer(&access)),
            None,
        )
        .await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    use_invitation(&mut s, &mut secrets, &access, &org).await;
    use_session_cookie(&mut s, &mut secrets, &org).await;

    let metrics_address = server
        .logs()
        .iter()
        .find_map(|line| {
            let json: Value = serde_json::from_str(line).ok()?;
            json["metrics"].as_str().map(str::to_owned)
        })
        .expect("the serving line names the metrics address");
    let metrics = s
        .client
        .get(format!("http://{metrics_address}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("gogotime_http_requests_total"),
        "{metrics}"
    );
    assert_nothing_leaked(&server, &secrets, &s.error_bodies, &metrics);
}

/// Registration, a duplicate, a wrong and a right sign-in, a bad password change, a password
/// where a token belongs and a tampered token; the access token.
async fn use_passwords(s: &mut Session, secrets: &mut Vec<(&str, String)>) -> String {
    let owner = json!({"email": "ada@example.org", "password": PASSWORD, "name": "Ada"});
    let register = (Method::POST, "/api/v1/auth/register");
    s.expect(201, register.clone(), None, Some(owner.clone()))
        .await;
    s.expect(409, register, None, Some(owner)).await;
    let sign_in = (Method::POST, "/api/v1/auth/token");
    let wrong = json!({"email": "ada@example.org", "password": WRONG_PASSWORD});
    s.expect(401, sign_in.clone(), None, Some(wrong)).await;
    let right = json!({"email": "ada@example.org", "password": PASSWORD});
    let tokens = s.expect(200, sign_in, None, Some(right)).await;
    let access = tokens["access_token"].as_str().unwrap().to_string();
    secrets.push(("access token", access.clone()));
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    secrets.push(("refresh token", refresh));
    let change = json!({"current_password": WRONG_PASSWORD, "new_password": PASSWORD});
    let (status, _) = s
        .json(
            Method::POST,
            "/api/v1/me/password",
            Some(&bearer(&access)),
            Some(change),
        )
        .await;
    assert!((400..500).contains(&status), "{status}");
    let me = (Method::GET, "/api/v1/me");
    let basic = format!("Basic {PASSWORD}");
    s.expect(401, me.clone(), Some(&basic), None).await;
    let tampered = bearer(&format!("{access}x"));
    s.expect(401, me, Some(&tampered), None).await;
    access
}

/// An API token created, used, revoked and used again; a token in a query string.
async fn use_api_token(s: &mut Session, secrets: &mut Vec<(&str, String)>, access: &str) {
    let access = bearer(access);
    let tokens = (Method::POST, "/api/v1/me/api-tokens");
    let created = s
        .expect(201, tokens, Some(&access), Some(json!({"name": "ci"})))
        .await;
    let api_token = bearer(created["secret"].as_str().unwrap());
    secrets.push(("API token", created["secret"].as_str().unwrap().into()));
    let me = (Method::GET, "/api/v1/me");
    s.expect(200, me.clone(), Some(&api_token), None).await;
    let path = format!("/api/v1/me/api-tokens/{}", created["id"].as_str().unwrap());
    s.expect(204, (Method::DELETE, &path), Some(&access), None)
        .await;
    s.expect(401, me, Some(&api_token), None).await;
    // a token in a query string is not a credential, and the address is never logged whole
    let token = access.trim_start_matches("Bearer ");
    let path = format!("/api/v1/no-such-route?access_token={token}");
    s.expect(404, (Method::GET, &path), None, None).await;
}

/// The feed's secret address used, then rotated, and the old one refused.
async fn use_calendar_feed(s: &mut Session, secrets: &mut Vec<(&str, String)>, access: &str) {
    let access = bearer(access);
    let rotate = (Method::POST, "/api/v1/me/calendar-feed");
    let feed = s.expect(200, rotate.clone(), Some(&access), None).await;
    let feed_path = feed["url"]
        .as_str()
        .unwrap()
        .strip_prefix("http://localhost:8080")
        .expect("the feed is under the public URL")
        .to_string();
    let feed_token = feed_path
        .trim_start_matches("/feeds/")
        .trim_end_matches(".ics");
    secrets.push(("calendar feed token", feed_token.to_string()));
    let (status, _, _) = s.page(&feed_path, &BTreeMap::new(), None).await;
    assert_eq!(status, 200);
    s.expect(200, rotate, Some(&access), None).await;
    let (status, _, _) = s.page(&feed_path, &BTreeMap::new(), None).await;
    assert_eq!(status, 404);
}

/// An invitation accepted with a bad body, with the wrong method, properly, then again; its
/// page opened afterwards.
async fn use_invitation(
    s: &mut Session,
    secrets: &mut Vec<(&str, String)>,
    access: &str,
    org: &str,
) {
    let invite = json!({"email": "bob@example.org", "role": "member"});
    let path = format!("/api/v1/organizations/{org}/invitations");
    let invitation = s
        .expect(
            201,
            (Method::POST, &path),
            Some(&bearer(access)),
            Some(invite),
        )
        .await;
    let token = invitation["token"].as_str().unwrap().to_string();
    secrets.push(("invitation token", token.clone()));
    let accept = format!("/api/v1/invitations/{token}/accept");
    let short = json!({"name": "Bob", "password": "short"});
    s.expect(422, (Method::POST, &accept), None, Some(short))
        .await;
    s.expect(405, (Method::GET, &accept), None, None).await;
    let bob = json!({"name": "Bob", "password": OTHER_PASSWORD});
    s.expect(201, (Method::POST, &accept), None, Some(bob.clone()))
        .await;
    let (status, _) = s.json(Method::POST, &accept, None, Some(bob)).await;
    assert!((400..500).contains(&status), "{status}");
    let (status, _, _) = s
        .page(&format!("/invite/{token}"), &BTreeMap::new(), None)
        .await;
    assert!(status < 500, "{status}");
}

/// A wrong and a right web sign-in, the session used, a forged post, the cookie as a bearer.
async fn use_session_cookie(s: &mut Session, secrets: &mut Vec<(&str, String)>, org: &str) {
    let (status, mut cookies, page) = s.page("/sign-in", &BTreeMap::new(), None).await;
    assert_eq!(status, 200);
    let token = csrf(&page);
    for (password, wants) in [(WRONG_PASSWORD, 401), (PASSWORD, 303)] {
        let fields = [
            ("_csrf", token.as_str()),
            ("email", "ada@example.org"),
            ("password", password),
        ];
        let (status, set, body) = s.page("/sign-in", &cookies, Some(&fields)).await;
        assert_eq!(status, wants, "{body}");
        cookies.extend(set);
    }
    let session = cookies
        .get("gogotime_session")
        .expect("a session cookie")
        .to_string();
    secrets.push(("session cookie", session.clone()));
    let (status, _, _) = s.page(&format!("/o/{org}/entries"), &cookies, None).await;
    assert!(status < 400, "{status}");
    let forged = [("_csrf", "forged"), ("current_password", WRONG_PASSWORD)];
    let (status, _, _) = s.page("/account/password", &cookies, Some(&forged)).await;
    assert!((400..500).contains(&status), "{status}");
    let me = (Method::GET, "/api/v1/me");
    s.expect(401, me, Some(&bearer(&session)), None).await;
}

/// Fails naming the secret and where it showed; the searches must have something to search.
fn assert_nothing_leaked(
    server: &Server,
    secrets: &[(&str, String)],
    error_bodies: &[(String, String)],
    metrics: &str,
) {
    let logs = server.logs();
    // the logs are not empty and show the routes used: a search of nothing would pass
    assert!(
        logs.iter()
            .any(|l| l.contains("/api/v1/invitations/{token}/accept")),
        "{logs:#?}"
    );
    assert!(
        error_bodies.len() >= 10,
        "the error paths were taken: {error_bodies:#?}"
    );
    for (what, value) in secrets {
        assert!(
            value.len() >= 16,
            "{what} is too short to search for: {value}"
        );
        for line in &logs {
            assert!(
                !line.contains(value.as_str()),
                "the {what} is in a log line: {line}"
            );
        }
        for (path, body) in error_bodies {
            assert!(
                !body.contains(value.as_str()),
                "the {what} is in the error body of {path}: {body}"
            );
        }
        assert!(
            !metrics.contains(value.as_str()),
            "the {what} is in /metrics"
        );
    }
}
