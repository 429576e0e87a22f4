//! The organization the matrix runs against: one user per role, an outsider, credentials that
//! must not work, and one of each kind of object; plus the fresh targets routes that consume
//! or destroy something need, made on demand with the owner's credentials.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::{Body, Req, Who};
use crate::helpers::TestApp;
use crate::helpers::accounts::{PASSWORD, TestUser};
use crate::helpers::browser;

pub const BOUNDARY: &str = "gogotime-matrix-boundary-41d7";

pub struct Fixture {
    pub org: String,
    /// The outsider's own organization.
    pub elsewhere: String,
    pub owner: TestUser,
    pub admin: TestUser,
    pub manager: TestUser,
    pub member: TestUser,
    pub outsider: TestUser,
    /// Another member, whose role changes and rates are set by the matrix.
    pub subject: TestUser,
    /// Personal API tokens of the working callers (their JWTs expire when the clock moves).
    api: [String; 5],
    expired_access: String,
    expired_api: String,
    revoked_api: String,
    disabled_api: String,
    /// A refresh token the disabled admin got before being disabled.
    pub disabled_refresh: String,
    pub client: String,
    pub project: String,
    pub task: String,
    pub tag: String,
    /// An entry of the member's and one of the owner's.
    pub member_entry: String,
    pub owner_entry: String,
    /// The token of a link to a report the owner shared.
    pub shared_token: String,
    /// Fresh-object counter, for unique names and emails.
    n: u32,
}

/// Access tokens live 15 minutes; the matrix runs with the clock moved past that.
const PAST_ACCESS_TOKEN_LIFETIME: i64 = 16;

impl Fixture {
    pub async fn build(app: &TestApp) -> Fixture {
        let org = app.org_with_every_role().await;
        let o = org.id.clone();
        let subject = app
            .invite_new(&o, &org.owner, "subject@example.org", "member")
            .await;
        let disabled = app
            .invite_new(&o, &org.owner, "disabled@example.org", "admin")
            .await;
        let api_token = |user: TestUser, expires: Option<String>| async move {
            let mut body = json!({"name": "matrix"});
            if let Some(at) = expires {
                body["expires_at"] = json!(at);
            }
            let (status, token) = app
                .post("/api/v1/me/api-tokens", Some(&user.token), body)
                .await;
            assert_eq!(status, 201, "{token}");
            (
                token["secret"].as_str().unwrap().to_string(),
                token["id"].as_str().unwrap().to_string(),
            )
        };
        let mut api = Vec::new();
        for user in [
            &org.outsider,
            &org.member,
            &org.manager,
            &org.admin,
            &org.owner,
        ] {
            api.push(api_token(user.clone(), None).await.0);
        }
        // expires a minute from now, long before the clock moves past the access tokens
        let soon = chrono::DateTime::from_timestamp(app.clock_now() + 60, 0)
            .unwrap()
            .to_rfc3339();
        let (expired_api, _) = api_token(org.owner.clone(), Some(soon)).await;
        let (revoked_api, revoked_id) = api_token(org.owner.clone(), None).await;
        let (status, body) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/me/api-tokens/{revoked_id}"),
                Some(&org.owner.token),
                None,
            )
            .await;
        assert_eq!(status, 204, "{body}");
        let (disabled_api, _) = api_token(disabled.clone(), None).await;
        let (_, tokens) = app.token_for("disabled@example.org", PASSWORD).await;
        let disabled_refresh = tokens["refresh_token"].as_str().unwrap().to_string();
        browser::disable_user(app, "disabled@example.org").await;

        let (_, theirs) = app
            .get_as("/api/v1/organizations", &org.outsider.token)
            .await;
        let elsewhere = theirs[0]["id"].as_str().unwrap().to_string();
        let mut fx = Fixture {
            org: o,
            elsewhere,
            expired_access: org.owner.token.clone(),
            owner: org.owner,
            admin: org.admin,
            manager: org.manager,
            member: org.member,
            outsider: org.outsider,
            subject,
            api: api.try_into().unwrap(),
            expired_api,
            revoked_api,
            disabled_api,
            disabled_refresh,
            client: String::new(),
            project: String::new(),
            task: String::new(),
            tag: String::new(),
            member_entry: String::new(),
            owner_entry: String::new(),
            shared_token: String::new(),
            n: 0,
        };
        app.clock
            .advance(Duration::minutes(PAST_ACCESS_TOKEN_LIFETIME));
        fx.client = fx.create(app, "clients", json!({"name": "Acme"})).await;
        fx.project = fx
            .create(
                app,
                "projects",
                json!({"name": "Website", "client_id": fx.client}),
            )
            .await;
        fx.task = fx
            .create(
                app,
                &format!("projects/{}/tasks", fx.project),
                json!({"name": "Design"}),
            )
            .await;
        fx.tag = fx.create(app, "tags", json!({"name": "urgent"})).await;
        fx.member_entry = fx.entry_of(app, Who::Member).await;
        fx.owner_entry = fx.entry_of(app, Who::Owner).await;
        let (status, share) = fx
            .owner_call(
                app,
                Method::POST,
                "reports/shared",
                json!({"name": "Shared", "params": "from=2026-02-01&to=2026-02-28&tz=UTC"}),
            )
            .await;
        assert_eq!(status, 201, "{share}");
        fx.shared_token = share["url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        fx
    }

    /// The credential the caller presents, if any.
    pub fn credential(&self, who: Who) -> Option<&str> {
        Some(match who {
            Who::Anonymous => return None,
            Who::ExpiredAccessToken => &self.expired_access,
            Who::ExpiredApiToken => &self.expired_api,
            Who::RevokedApiToken => &self.revoked_api,
            Who::Disabled => &self.disabled_api,
            Who::Outsider => &self.api[0],
            Who::Member => &self.api[1],
            Who::Manager => &self.api[2],
            Who::Admin => &self.api[3],
            Who::Owner => &self.api[4],
        })
    }

    pub fn user(&self, who: Who) -> Option<&TestUser> {
        match who {
            Who::Outsider => Some(&self.outsider),
            Who::Member => Some(&self.member),
            Who::Manager => Some(&self.manager),
            Who::Admin => Some(&self.admin),
            Who::Owner => Some(&self.owner),
            _ => None,
        }
    }

    pub fn email(who: Who) -> &'static str {
        match who {
            Who::Outsider => "outsider@example.org",
            Who::Member => "member@example.org",
            Who::Manager => "manager@example.org",
            Who::Admin => "admin@example.org",
            Who::Disabled => "disabled@example.org",
            _ => "owner@example.org",
        }
    }

    pub fn next(&mut self) -> u32 {
        self.n += 1;
        self.n
    }

    /// `/api/v1/organizations/{org}/{rest}`.
    pub fn p(&self, rest: &str) -> String {
        if rest.is_empty() {
            format!("/api/v1/organizations/{}", self.org)
        } else {
            format!("/api/v1/organizations/{}/{rest}", self.org)
        }
    }

    pub async fn send(&self, app: &TestApp, req: &Req, who: Who) -> (u16, Value) {
        let mut request = app.client.request(req.method.clone(), app.url(&req.path));
        if let Some(token) = self.credential(who) {
            request = request.bearer_auth(token);
        }
        if let Some(tag) = &req.if_match {
            request = request.header("if-match", tag);
        }
        request = match &req.body {
            Body::None => request,
            Body::Json(body) => request.json(body),
            Body::Multipart(bytes) => request
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(bytes.clone()),
        };
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    /// A call under the organization with the owner's API token.
    pub async fn owner_call(
        &self,
        app: &TestApp,
        method: Method,
        rest: &str,
        body: Value,
    ) -> (reqwest::StatusCode, Value) {
        app.call(method, &self.p(rest), Some(&self.api[4]), Some(body))
            .await
    }

    /// Creates an object under the organization as the owner; its id.
    pub async fn create(&mut self, app: &TestApp, rest: &str, body: Value) -> String {
        let (status, created) = self.owner_call(app, Method::POST, rest, body).await;
        assert_eq!(status.as_u16(), 201, "POST {rest}: {created}");
        created["id"].as_str().unwrap().to_string()
    }

    /// A fresh finished entry of `who`'s (member or owner), made by the owner.
    pub async fn entry_of(&mut self, app: &TestApp, who: Who) -> String {
        let user = self.user(who).unwrap().id.clone();
        let day = 1 + self.next() % 27;
        let body = json!({
            "user_id": user,
            "start": format!("2026-02-{day:02}T09:00:00Z"),
            "end": format!("2026-02-{day:02}T10:00:00Z"),
            "project_id": self.project,
            "description": "matrix work",
        });
        self.create(app, "time-entries", body).await
    }

    /// A fresh entry of `who`'s, deleted by the owner a moment ago (restorable).
    pub async fn deleted_entry_of(&mut self, app: &TestApp, who: Who) -> String {
        let entry = self.entry_of(app, who).await;
        let response = app
            .client
            .delete(app.url(&self.p(&format!("time-entries/{entry}"))))
            .bearer_auth(&self.api[4])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
        entry
    }

    /// The current ETag of an entry.
    pub async fn etag(&self, app: &TestApp, entry: &str) -> String {
        let response = app
            .client
            .get(app.url(&self.p(&format!("time-entries/{entry}"))))
            .bearer_auth(&self.api[4])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.headers()["etag"].to_str().unwrap().to_string()
    }

    /// A fresh member of the organization (for removals).
    pub async fn new_member(&mut self, app: &TestApp) -> String {
        let n = self.next();
        let token = self
            .owner_call(
                app,
                Method::POST,
                "invitations",
                json!({"email": format!("joiner{n}@example.org"), "role": "member"}),
            )
            .await;
        assert_eq!(token.0, 201, "{}", token.1);
        let accept = format!(
            "/api/v1/invitations/{}/accept",
            token.1["token"].as_str().unwrap()
        );
        let (status, joined) = app
            .post(
                &accept,
                None,
                json!({"name": "Joiner", "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 201, "{joined}");
        let (_, members) = app.get_as(&self.p("members"), &self.api[4]).await;
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == format!("joiner{n}@example.org"))
            .expect("the new member is listed")["user_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A fresh invitation; (id, token).
    pub async fn invitation(&mut self, app: &TestApp) -> (String, String) {
        let n = self.next();
        let (status, created) = self
            .owner_call(
                app,
                Method::POST,
                "invitations",
                json!({"email": format!("invited{n}@example.org"), "role": "member"}),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        (
            created["id"].as_str().unwrap().to_string(),
            created["token"].as_str().unwrap().to_string(),
        )
    }

    /// A fresh personal API token of the owner's; its id.
    pub async fn owner_api_token(&self, app: &TestApp) -> String {
        let (status, token) = app
            .post(
                "/api/v1/me/api-tokens",
                Some(&self.api[4]),
                json!({"name": "target"}),
            )
            .await;
        assert_eq!(status, 201, "{token}");
        token["id"].as_str().unwrap().to_string()
    }

    /// A fresh browser session of the owner's; its id.
    pub async fn owner_session(&self, app: &TestApp) -> String {
        let (_, before) = app.get_as("/api/v1/me/sessions", &self.api[4]).await;
        browser::sign_in(app, "owner@example.org").await;
        let (_, after) = app.get_as("/api/v1/me/sessions", &self.api[4]).await;
        let known: Vec<&Value> = before
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["id"])
            .collect();
        after
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["id"])
            .find(|id| !known.contains(id))
            .expect("the new session is listed")
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// A small CSV in GoGoTime's own export format, as an import upload.
pub fn import_upload() -> Vec<u8> {
    let csv = "date,start,end,user_email,project,description\n\
               2026-01-05,2026-01-05T09:00:00Z,2026-01-05T10:00:00Z,member@example.org,Website,imported\n";
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"entries.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv.as_bytes());
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}
