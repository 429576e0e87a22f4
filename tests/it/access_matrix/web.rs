//! The web half of the matrix: every page (GET route) of the web router × every kind of
//! browser → the exact status. The web router has no machine-readable route list (its routes
//! are declared by each page module's `routes()` in src/http/web/), so this table is kept by
//! hand; `the_web_table_lists_every_page_route` reads those declarations to catch a page added
//! without a row.
//!
//! Rules: someone without a working session is sent to sign in (303 to /sign-in), another
//! organization's pages answer the 404 page, a role that may not see a page gets the 403 page,
//! and no page shown to a member or an outsider contains another person's entry.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::accounts::PASSWORD;
use crate::helpers::{Backend, TestApp, binary, spawn_app};

/// Who browses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    Anonymous,
    /// The owner's session cookie after that session was revoked.
    RevokedSession,
    /// An admin's session cookie, after `gogotime user disable` disabled the admin.
    Disabled,
    Outsider,
    Member,
    Manager,
    Admin,
    Owner,
}

const BROWSERS: [Browser; 8] = [
    Browser::Anonymous,
    Browser::RevokedSession,
    Browser::Disabled,
    Browser::Outsider,
    Browser::Member,
    Browser::Manager,
    Browser::Admin,
    Browser::Owner,
];

type Expect = [u16; 8];

/// A page that needs a session: sign-in redirect for the three without a working one, then
/// outsider, member, manager, admin, owner.
const fn signed_in(o: u16, me: u16, ma: u16, ad: u16, ow: u16) -> Expect {
    [303, 303, 303, o, me, ma, ad, ow]
}

/// A page of the organization: the 404 page for an outsider.
const fn org_page(me: u16, ma: u16, ad: u16, ow: u16) -> Expect {
    signed_in(404, me, ma, ad, ow)
}

/// The description of the owner's entry: no page shown to a member or an outsider has it.
const OWNERS_SECRET: &str = "owner-only-planning-7f3a";

/// Route template, what the case shows, expected statuses.
fn table() -> Vec<(&'static str, &'static str, Expect)> {
    vec![
        ("/", "", [303, 303, 303, 303, 303, 303, 303, 303]),
        ("/system/status", "", [200; 8]),
        ("/setup", "after setup", [303; 8]),
        ("/sign-in", "", [200; 8]),
        ("/register", "", [200; 8]),
        ("/invite/{token}", "a pending invitation", [200; 8]),
        ("/shared/{token}", "the owner's link", [200; 8]),
        ("/orgs/new", "", signed_in(200, 200, 200, 200, 200)),
        ("/account/profile", "", signed_in(200, 200, 200, 200, 200)),
        ("/account/password", "", signed_in(200, 200, 200, 200, 200)),
        ("/account/tokens", "", signed_in(200, 200, 200, 200, 200)),
        ("/account/sessions", "", signed_in(200, 200, 200, 200, 200)),
        ("/o/{org}", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/entries", "", org_page(200, 200, 200, 200)),
        (
            "/o/{org}/entries/{id}/edit",
            "the member's entry",
            org_page(200, 200, 200, 200),
        ),
        (
            "/o/{org}/entries/{id}/edit",
            "the owner's entry",
            org_page(404, 200, 200, 200),
        ),
        ("/o/{org}/week", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/reports", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/members", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/settings", "", org_page(403, 403, 200, 200)),
        ("/o/{org}/import", "", org_page(403, 200, 200, 200)),
        ("/o/{org}/clients", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/projects", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/projects/{id}", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/tags", "", org_page(200, 200, 200, 200)),
    ]
}

struct WebFixture {
    org: String,
    /// Session cookies (`name=value`) per browser; none for the anonymous one.
    cookies: Vec<Option<String>>,
    project: String,
    member_entry: String,
    owner_entry: String,
    invitation: String,
    shared: String,
}

/// Signs in through the API's session endpoint; the cookie and the session's id.
async fn session(app: &TestApp, email: &str) -> String {
    let response = app
        .client
        .post(app.url("/api/v1/auth/session"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "signing {email} in");
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

impl WebFixture {
    async fn build(app: &TestApp) -> WebFixture {
        let org = app.org_with_every_role().await;
        let o = org.id.clone();
        app.invite_new(&o, &org.owner, "disabled@example.org", "admin")
            .await;
        let disabled_cookie = session(app, "disabled@example.org").await;
        let url = app.database_url().to_string();
        let run = tokio::task::spawn_blocking(move || {
            let dir = tempfile::tempdir().unwrap();
            binary::run(
                &["user", "disable", "--email", "disabled@example.org"],
                &[("DATABASE_URL", &url)],
                dir.path(),
            )
        })
        .await
        .unwrap();
        assert_eq!(run.code, 0, "{}", run.output());
        // a session of the owner's, then revoked by the owner from elsewhere
        let revoked_cookie = session(app, "owner@example.org").await;
        let (_, sessions) = app.get_as("/api/v1/me/sessions", &org.owner.token).await;
        for s in sessions.as_array().unwrap() {
            let path = format!("/api/v1/me/sessions/{}", s["id"].as_str().unwrap());
            let (status, body) = app
                .call(reqwest::Method::DELETE, &path, Some(&org.owner.token), None)
                .await;
            assert_eq!(status, 204, "{body}");
        }
        let mut cookies = vec![None, Some(revoked_cookie), Some(disabled_cookie)];
        for email in ["outsider", "member", "manager", "admin", "owner"] {
            cookies.push(Some(session(app, &format!("{email}@example.org")).await));
        }
        let p = |rest: &str| format!("/api/v1/organizations/{o}/{rest}");
        let (_, project) = app
            .post(
                &p("projects"),
                Some(&org.owner.token),
                json!({"name": "Website"}),
            )
            .await;
        let entry = |user: &str, description: &str| {
            json!({"user_id": user, "start": "2026-02-03T09:00:00Z", "end": "2026-02-03T10:00:00Z",
                   "project_id": project["id"], "description": description})
        };
        let (status, member_entry) = app
            .post(
                &p("time-entries"),
                Some(&org.owner.token),
                entry(&org.member.id, "member-visible-work"),
            )
            .await;
        assert_eq!(status, 201, "{member_entry}");
        let (status, owner_entry) = app
            .post(
                &p("time-entries"),
                Some(&org.owner.token),
                entry(&org.owner.id, OWNERS_SECRET),
            )
            .await;
        assert_eq!(status, 201, "{owner_entry}");
        let invitation = app
            .invite(&o, &org.owner, "pending@example.org", "member")
            .await;
        let (status, share) = app
            .post(
                &p("reports/shared"),
                Some(&org.owner.token),
                json!({"name": "Shared", "params": "from=2026-02-01&to=2026-02-28&tz=UTC&group=user"}),
            )
            .await;
        assert_eq!(status, 201, "{share}");
        WebFixture {
            org: o,
            cookies,
            project: project["id"].as_str().unwrap().to_string(),
            member_entry: member_entry["id"].as_str().unwrap().to_string(),
            owner_entry: owner_entry["id"].as_str().unwrap().to_string(),
            invitation,
            shared: share["url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string(),
        }
    }

    fn path(&self, template: &str, variant: &str) -> String {
        let entry = if variant == "the owner's entry" {
            &self.owner_entry
        } else {
            &self.member_entry
        };
        let path = template.replace("{org}", &self.org);
        if template.starts_with("/invite/") {
            path.replace("{token}", &self.invitation)
        } else if template.starts_with("/shared/") {
            path.replace("{token}", &self.shared)
        } else if template.contains("/entries/") {
            path.replace("{id}", entry)
        } else {
            path.replace("{id}", &self.project)
        }
    }
}

pub async fn every_web_page_answers_each_browser_as_the_matrix_says(backend: Backend) {
    let app = spawn_app(backend).await;
    let fx = WebFixture::build(&app).await;
    let table = table();
    let mut failures = Vec::new();
    let mut checks = 0;
    for (template, variant, expect) in &table {
        let path = fx.path(template, variant);
        for (i, browser) in BROWSERS.iter().enumerate() {
            let mut request = app.client.get(app.url(&path));
            if let Some(cookie) = &fx.cookies[i] {
                request = request.header(COOKIE, cookie);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get(LOCATION)
                .map(|l| l.to_str().unwrap().to_string())
                .unwrap_or_default();
            let body = response.text().await.unwrap();
            checks += 1;
            if status != expect[i] {
                failures.push(format!(
                    "GET {template} [{variant}] as {browser:?}: {path} answered {status} \
                     (location {location:?}), expected {}",
                    expect[i]
                ));
            }
            let signed_out = matches!(
                browser,
                Browser::Anonymous | Browser::RevokedSession | Browser::Disabled
            );
            if status == 303 && signed_out && expect[i] == 303 && template.starts_with("/o/") {
                let wanted = format!("/sign-in?next={}", path.replace('/', "%2F"));
                if location != wanted {
                    failures.push(format!(
                        "GET {template} as {browser:?}: redirected to {location:?}, not {wanted:?}"
                    ));
                }
            }
            if matches!(browser, Browser::Member | Browser::Outsider)
                && body.contains(OWNERS_SECRET)
            {
                failures.push(format!(
                    "GET {template} [{variant}] as {browser:?}: the page shows the owner's entry"
                ));
            }
        }
    }
    println!(
        "authorization matrix (web): {} page cases × {} browsers = {checks} checks",
        table.len(),
        BROWSERS.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {checks} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every `.route("…", get(…))` declared in src/http/web/ has a row in [`table`] (the web router
/// cannot list its routes, so its declarations are read instead).
pub fn the_web_table_lists_every_page_route() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/web");
    let mut declared = std::collections::BTreeSet::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source: String = std::fs::read_to_string(&path)
                    .unwrap()
                    .split_whitespace()
                    .collect();
                for part in source.split(".route(").skip(1) {
                    let Some(rest) = part.strip_prefix('"') else {
                        continue;
                    };
                    let Some((route, handlers)) = rest.split_once('"') else {
                        continue;
                    };
                    let handlers = handlers.split(".route(").next().unwrap();
                    if handlers.starts_with(",get(") || handlers.contains(").get(") {
                        declared.insert(route.to_string());
                    }
                }
                // the named-item pages (clients, tags) build `/o/{org}/<plural>` from their kind
                for part in source.split("plural:\"").skip(1) {
                    let plural = part.split('"').next().unwrap();
                    declared.insert(format!("/o/{{org}}/{plural}"));
                }
            }
        }
    }
    let listed: std::collections::BTreeSet<String> =
        table().iter().map(|(t, _, _)| t.to_string()).collect();
    let missing: Vec<&String> = declared.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&declared).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the web matrix (tests/it/access_matrix/web.rs) must list exactly the pages declared in \
         src/http/web/.\nPages with no row: {missing:#?}\nRows for pages that no longer exist: {stale:#?}"
    );
}
