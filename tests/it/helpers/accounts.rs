//! Account helpers: register, sign in and build organizations with one member per role.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::TestApp;

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub token: String,
}

/// An organization with one user per role, a member of another organization, and spare
/// members that tests may demote or remove.
pub struct Org {
    pub id: String,
    pub owner: TestUser,
    pub admin: TestUser,
    pub manager: TestUser,
    pub member: TestUser,
    pub outsider: TestUser,
}

impl TestApp {
    /// Sends a JSON request with an optional bearer token; returns status and body (Null if empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body");
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            },
        )
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn register(&self, email: &str, organization: Option<&str>) -> (StatusCode, Value) {
        let mut body = json!({ "email": email, "password": PASSWORD, "name": email.split('@').next().unwrap() });
        if let Some(org) = organization {
            body["organization_name"] = json!(org);
        }
        self.post("/api/v1/auth/register", None, body).await
    }

    pub async fn token_for(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.post(
            "/api/v1/auth/token",
            None,
            json!({ "email": email, "password": password }),
        )
        .await
    }

    /// The actions in an organization's audit log (up to 200), newest first, as `token` reads them.
    pub async fn audit_actions(&self, org: &str, token: &str) -> Vec<String> {
        let path = format!("/api/v1/organizations/{org}/audit-log?limit=200");
        let (status, page) = self.get_as(&path, token).await;
        assert_eq!(status, 200, "{page}");
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    }

    /// Registers a user and signs them in.
    pub async fn sign_up(&self, email: &str, organization: Option<&str>) -> TestUser {
        let (status, user) = self.register(email, organization).await;
        assert_eq!(status, 201, "registering {email}: {user}");
        self.sign_in(email).await
    }

    pub async fn sign_in(&self, email: &str) -> TestUser {
        let (status, tokens) = self.token_for(email, PASSWORD).await;
        assert_eq!(status, 200, "signing in {email}: {tokens}");
        let token = tokens["access_token"].as_str().unwrap().to_string();
        let (_, me) = self.get_as("/api/v1/me", &token).await;
        TestUser {
            id: me["id"].as_str().unwrap().to_string(),
            token,
        }
    }

    /// Invites `email` with `role` as `inviter`; returns the invitation's token.
    pub async fn invite(&self, org: &str, inviter: &TestUser, email: &str, role: &str) -> String {
        let path = format!("/api/v1/organizations/{org}/invitations");
        let (status, invitation) = self
            .post(
                &path,
                Some(&inviter.token),
                json!({ "email": email, "role": role }),
            )
            .await;
        assert_eq!(status, 201, "{invitation}");
        invitation["token"].as_str().unwrap().to_string()
    }

    /// Invites a new person and accepts by creating their account.
    pub async fn invite_new(
        &self,
        org: &str,
        inviter: &TestUser,
        email: &str,
        role: &str,
    ) -> TestUser {
        let token = self.invite(org, inviter, email, role).await;
        let body = json!({ "name": email.split('@').next().unwrap(), "password": PASSWORD });
        let (status, joined) = self
            .post(&format!("/api/v1/invitations/{token}/accept"), None, body)
            .await;
        assert_eq!(status, 201, "{joined}");
        self.sign_in(email).await
    }

    /// The first user (instance admin) owns the organization; one user per other role joins.
    pub async fn org_with_every_role(&self) -> Org {
        let owner = self.sign_up("owner@example.org", None).await;
        let (_, orgs) = self.get_as("/api/v1/organizations", &owner.token).await;
        let id = orgs[0]["id"].as_str().unwrap().to_string();
        let admin = self
            .invite_new(&id, &owner, "admin@example.org", "admin")
            .await;
        let manager = self
            .invite_new(&id, &owner, "manager@example.org", "manager")
            .await;
        let member = self
            .invite_new(&id, &owner, "member@example.org", "member")
            .await;
        let outsider = self
            .sign_up("outsider@example.org", Some("Elsewhere Ltd"))
            .await;
        Org {
            id,
            owner,
            admin,
            manager,
            member,
            outsider,
        }
    }
}
