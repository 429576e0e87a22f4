//! The web half of the matrix: every page (GET route) of the web router × every kind of
//! browser → the exact status, and the forms of an organization and of one's account posted
//! by those who may not. The web router has no machine-readable route list (its routes are
//! declared by each page module's `routes()` in src/http/web/), so these tables are kept by
//! hand, and `the_web_matrix_lists_every_page_route` (mod.rs) reads those declarations to fail
//! on a route added without a row. Every declared form is also posted forged (no CSRF token, a
//! wrong one) by someone who may use it: see web/forged.rs, which takes its forms from the
//! same declarations.
//!
//! Rules: someone without a working session is sent to sign in (303 to /sign-in), another
//! organization's pages answer the 404 page, a role that may not see a page gets the 403 page,
//! and no page shown to a member or an outsider contains another person's entry.

mod forged;

use std::collections::BTreeSet;

use reqwest::header::{COOKIE, LOCATION};
use serde_json::json;

use crate::helpers::{Backend, TestApp, browser, spawn_app};

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
        (
            "/sign-in/two-factor",
            "no sign-in waiting for a code",
            [303; 8],
        ),
        ("/sign-in/sso", "", [200; 8]),
        (
            "/sso/{org}",
            "an organization without single sign-on",
            [404; 8],
        ),
        (
            "/sso/{org}/callback",
            "no sign-in started in this browser",
            [403; 8],
        ),
        (
            "/sso/{org}/link",
            "no link waiting for a password",
            [303; 8],
        ),
        (
            "/sso/instance",
            "an instance without its own provider",
            [404; 8],
        ),
        (
            "/sso/instance/callback",
            "no sign-in started in this browser",
            [403; 8],
        ),
        (
            "/sso/instance/link",
            "no link waiting for a password",
            [303; 8],
        ),
        (
            "/sso/{org}/required",
            "an organization without single sign-on",
            [404; 8],
        ),
        ("/register", "", [200; 8]),
        ("/forgot-password", "", [200; 8]),
        ("/reset-password/{token}", "an unknown link", [404; 8]),
        ("/verify-email/{token}", "an unknown link", [404; 8]),
        ("/invite/{token}", "a pending invitation", [200; 8]),
        ("/shared/{token}", "the owner's link", [200; 8]),
        ("/orgs/new", "", signed_in(200, 200, 200, 200, 200)),
        ("/account/profile", "", signed_in(200, 200, 200, 200, 200)),
        ("/account/password", "", signed_in(200, 200, 200, 200, 200)),
        (
            "/account/two-factor",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
        ("/account/passkeys", "", signed_in(200, 200, 200, 200, 200)),
        (
            "/account/identities",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
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
        (
            "/o/{org}/entries/{id}/delete",
            "the member's entry",
            org_page(200, 200, 200, 200),
        ),
        (
            "/o/{org}/entries/{id}/delete",
            "the owner's entry",
            org_page(404, 200, 200, 200),
        ),
        ("/o/{org}/week", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/calendar", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/reports", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/members", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/settings", "", org_page(403, 403, 200, 200)),
        ("/o/{org}/settings/sso", "", org_page(403, 403, 200, 200)),
        ("/o/{org}/import", "", org_page(403, 200, 200, 200)),
        ("/o/{org}/clients", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/projects", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/projects/{id}", "", org_page(200, 200, 200, 200)),
        ("/o/{org}/tags", "", org_page(200, 200, 200, 200)),
    ]
}

/// The forms (POST routes) of an organization's pages. Each is posted with a valid CSRF token
/// by the outsider (the 404 page) and by the three browsers without a working session (sent to
/// sign in); nothing may change. The roles inside the organization are covered by the API
/// matrix, whose services these forms call.
fn org_forms() -> Vec<&'static str> {
    vec![
        "/o/{org}/timer/start",
        "/o/{org}/timer/stop",
        "/o/{org}/entries",
        "/o/{org}/entries/bulk",
        "/o/{org}/entries/{id}",
        "/o/{org}/entries/{id}/delete",
        "/o/{org}/entries/{id}/restore",
        "/o/{org}/entries/{id}/continue",
        "/o/{org}/week/add",
        "/o/{org}/week/cells",
        "/o/{org}/reports/save",
        "/o/{org}/reports/saved/{id}/delete",
        "/o/{org}/reports/share",
        "/o/{org}/reports/shared/{id}/revoke",
        "/o/{org}/members/{user}/role",
        "/o/{org}/members/{user}/remove",
        "/o/{org}/invitations",
        "/o/{org}/invitations/{id}/revoke",
        "/o/{org}/settings",
        "/o/{org}/settings/sso",
        "/o/{org}/settings/sso/remove",
        "/o/{org}/settings/sso/password-sign-in",
        "/o/{org}/delete",
        "/o/{org}/import",
        "/o/{org}/import/{upload}/confirm",
        "/o/{org}/clients",
        "/o/{org}/clients/{id}",
        "/o/{org}/clients/{id}/delete",
        "/o/{org}/projects",
        "/o/{org}/projects/{id}",
        "/o/{org}/projects/{id}/delete",
        "/o/{org}/projects/{id}/tasks",
        "/o/{org}/projects/{id}/tasks/{task}",
        "/o/{org}/projects/{id}/tasks/{task}/delete",
        "/o/{org}/projects/{id}/members",
        "/o/{org}/projects/{id}/members/{user}/remove",
        "/o/{org}/projects/{id}/rate",
        "/o/{org}/projects/{id}/rates/{user}",
        "/o/{org}/tags",
        "/o/{org}/tags/{id}",
        "/o/{org}/tags/{id}/delete",
    ]
}

/// The forms of one's own account. Without a working session they send to sign-in; a member
/// naming the owner's API token or session gets the 404 page, and the owner's stay working.
fn account_forms() -> Vec<&'static str> {
    vec![
        "/account/profile",
        "/account/email",
        "/account/email-verification",
        "/account/password",
        "/account/two-factor/start",
        "/account/two-factor/confirm",
        "/account/two-factor/recovery-codes",
        "/account/two-factor/disable",
        "/account/tokens",
        "/account/tokens/{id}/revoke",
        "/account/identities/{id}/disconnect",
        "/account/passkeys",
        "/account/passkeys/options",
        "/account/passkeys/{id}/rename",
        "/account/passkeys/{id}/remove",
        "/account/calendar-feed",
        "/account/calendar-feed/revoke",
        "/account/sessions/{id}/revoke",
        "/account/sessions/revoke-all",
    ]
}

struct WebFixture {
    org: String,
    /// The owner's personal API token (secret, id) and the id of the owner's session.
    owner_token: (String, String),
    owner_session: String,
    owner_id: String,
    /// The owner's access token (JWT), for reading the state before and after forged posts.
    owner_access: String,
    /// Session cookies (`name=value`) per browser; none for the anonymous one.
    cookies: Vec<Option<String>>,
    project: String,
    member_entry: String,
    owner_entry: String,
    invitation: String,
    shared: String,
}

/// Signs in through the API's session endpoint; the cookie.
async fn session(app: &TestApp, email: &str) -> String {
    browser::sign_in(app, email).await.cookie
}

impl WebFixture {
    async fn build(app: &TestApp) -> WebFixture {
        let org = app.org_with_every_role().await;
        let o = org.id.clone();
        app.invite_new(&o, &org.owner, "disabled@example.org", "admin")
            .await;
        let disabled_cookie = session(app, "disabled@example.org").await;
        browser::disable_user(app, "disabled@example.org").await;
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
        let (status, token) = app
            .post(
                "/api/v1/me/api-tokens",
                Some(&org.owner.token),
                json!({"name": "kept"}),
            )
            .await;
        assert_eq!(status, 201, "{token}");
        let (_, sessions) = app.get_as("/api/v1/me/sessions", &org.owner.token).await;
        assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");
        WebFixture {
            owner_token: (
                token["secret"].as_str().unwrap().to_string(),
                token["id"].as_str().unwrap().to_string(),
            ),
            owner_session: sessions[0]["id"].as_str().unwrap().to_string(),
            org: o,
            owner_id: org.owner.id.clone(),
            owner_access: org.owner.token.clone(),
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
        } else if template.starts_with("/reset-password/") {
            path.replace("{token}", "ggw_no-such-link")
        } else if template.starts_with("/verify-email/") {
            path.replace("{token}", "ggv_no-such-link")
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
    let mut form_checks = 0;
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
    // the organization's forms, posted with a valid CSRF token of the browser's own session
    let forms = org_forms();
    for template in &forms {
        let path = fx
            .path(template, "the owner's entry")
            .replace("{user}", &fx.owner_id)
            .replace("{task}", "01a23000-0000-7000-8000-000000000000")
            .replace("{upload}", "01a23000-0000-7000-8000-000000000000");
        for (i, browser) in BROWSERS.iter().enumerate().take(4) {
            let mut csrf = String::new();
            let mut request = app.client.post(app.url(&path));
            if let Some(cookie) = &fx.cookies[i] {
                csrf = session_csrf(&app, cookie).await.unwrap_or_default();
                request = request.header(COOKIE, cookie);
            }
            // enough fields that no form stops early at "nothing to do": an entry to change
            // or delete, a week cell to fill, a name
            let (project, entry) = (&fx.project, &fx.owner_entry);
            let (content_type, body) = if template.ends_with("/import") {
                let boundary = "matrix-form-boundary";
                (
                    format!("multipart/form-data; boundary={boundary}"),
                    format!(
                        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\
                         {csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; \
                         name=\"tz\"\r\n\r\nUTC\r\n--{boundary}\r\nContent-Disposition: \
                         form-data; name=\"file\"; filename=\"e.csv\"\r\nContent-Type: \
                         text/csv\r\n\r\ndate,start,end,description\n\
                         2026-02-02,09:00,10:00,Forged\n\r\n--{boundary}--\r\n"
                    ),
                )
            } else {
                (
                    "application/x-www-form-urlencoded".to_string(),
                    format!(
                        "_csrf={csrf}&name=Forged&role=owner&description=Forged\
                         &entry_id={entry}&action=delete&start=2026-02-02\
                         &cell.{project}%7C.2026-02-03=1%3A00&was.{project}%7C.2026-02-03="
                    ),
                )
            };
            let response = request
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get(LOCATION)
                .map(|l| l.to_str().unwrap().to_string())
                .unwrap_or_default();
            checks += 1;
            form_checks += 1;
            let expected = if *browser == Browser::Outsider {
                404
            } else {
                303
            };
            if status != expected || (status == 303 && !location.starts_with("/sign-in")) {
                failures.push(format!(
                    "POST {template} as {browser:?}: {path} answered {status} (location \
                     {location:?}), expected {expected}"
                ));
            }
        }
    }
    // a member posting the forms of pages their role does not offer: the 403 page (404 for
    // the owner's entry, which a member cannot see), and nothing changes
    let member_refused: Vec<(&str, u16)> = forms
        .iter()
        .filter_map(|template| {
            let own_work = [
                "/timer/",
                "/entries",
                "/week/",
                "/reports/save",
                "/reports/share",
            ];
            if template.contains("/entries/{id}") || template.ends_with("/confirm") {
                // the owner's entry, an upload that is not theirs
                Some((*template, 404))
            } else if template.ends_with("/import") {
                // a multipart form: the import wizard's own test posts one as a member
                None
            } else if own_work.iter().any(|w| template.contains(w))
                || template.contains("/reports/")
            {
                None
            } else {
                Some((*template, 403))
            }
        })
        .collect();
    let member = fx.cookies[4].clone().unwrap();
    let member_csrf = session_csrf(&app, &member).await.unwrap();
    for (template, expected) in &member_refused {
        let path = fx
            .path(template, "the owner's entry")
            .replace("{user}", &fx.owner_id)
            .replace("{task}", "01a23000-0000-7000-8000-000000000000")
            .replace("{upload}", "01a23000-0000-7000-8000-000000000000");
        let response = app
            .client
            .post(app.url(&path))
            .header(COOKIE, &member)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "_csrf={member_csrf}&name=Forged&role=member&description=Forged&hourly_rate=1\
                 &email=forged%40example.org&user_id={}",
                fx.owner_id
            ))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        checks += 1;
        form_checks += 1;
        if status != *expected {
            failures.push(format!(
                "POST {template} as Member: {path} answered {status}, expected {expected}"
            ));
        }
    }
    let account = account_forms();
    for template in &account {
        let target = if template.starts_with("/account/tokens/") {
            &fx.owner_token.1
        } else {
            &fx.owner_session
        };
        let path = template.replace("{id}", target);
        // the member names the owner's token or session; the others have no working session
        for i in [0, 1, 2, 4] {
            let mut csrf = String::new();
            let mut request = app.client.post(app.url(&path));
            if let Some(cookie) = &fx.cookies[i] {
                csrf = session_csrf(&app, cookie).await.unwrap_or_default();
                request = request.header(COOKIE, cookie);
            }
            if BROWSERS[i] == Browser::Member && !template.contains("{id}") {
                continue;
            }
            let response = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("_csrf={csrf}&name=Forged"))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            checks += 1;
            form_checks += 1;
            let expected = if BROWSERS[i] == Browser::Member {
                404
            } else {
                303
            };
            if status != expected {
                failures.push(format!(
                    "POST {template} as {:?}: {path} answered {status}, expected {expected}",
                    BROWSERS[i]
                ));
            }
        }
    }
    let (status, _) = app.get_as("/api/v1/me", &fx.owner_token.0).await;
    assert_eq!(status, 200, "the owner's API token still works");
    // and nothing changed: the organization, its project and the owner's entry are as they were
    let owner = fx.cookies[7].clone().unwrap();
    for page in [
        format!("/o/{}/projects/{}", fx.org, fx.project),
        format!("/o/{}/entries/{}/edit", fx.org, fx.owner_entry),
    ] {
        let response = app
            .client
            .get(app.url(&page))
            .header(COOKIE, &owner)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{page} after the forged posts");
        let html = response.text().await.unwrap();
        assert!(!html.contains("Forged"), "{page} was changed: {html}");
    }
    // last: were a forged post to get through, it could end the owner's session
    let forged = forged::post_every_form_forged(&app, &fx, &mut failures).await;
    checks += forged.checks;
    println!(
        "authorization matrix (web): {} organization forms × 4 browsers without access, {} of \
         them as a member whose role does not offer them, {} account forms; {form_checks} checks",
        forms.len(),
        member_refused.len(),
        account.len()
    );
    println!(
        "authorization matrix (web): forged posts (CSRF): {} forms with a session × {} \
         forgeries as a person who may use them, {} anonymous forms × {} forgeries; {} checks",
        forged.signed_forms,
        forged::SIGNED_FORGERIES.len(),
        forged.anonymous_forms,
        forged::ANONYMOUS_FORGERIES.len(),
        forged.checks
    );
    println!(
        "authorization matrix (web): {} page cases × {} browsers, {checks} checks in all",
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

/// The form token (`_csrf`) a page carries.
/// The form token of the session behind `cookie`, from its profile page; none when the cookie
/// no longer signs anyone in.
async fn session_csrf(app: &TestApp, cookie: &str) -> Option<String> {
    let page = app
        .client
        .get(app.url("/account/profile"))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    csrf_of(&page.text().await.unwrap())
}

fn csrf_of(page: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).map(|i| i + marker.len());
    start.map(|i| page[i..].split('"').next().unwrap().to_string())
}

/// The routes declared in src/http/web/: (GET routes, POST routes). The web router cannot list
/// its routes, so the declarations are read: `.route("…", get(…).post(…))`, and the named-item
/// pages (clients, tags), which build theirs from their kind's `plural`.
fn declared_routes() -> (BTreeSet<String>, BTreeSet<String>) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/web");
    let (mut gets, mut posts) = (BTreeSet::new(), BTreeSet::new());
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
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
                    gets.insert(route.to_string());
                }
                if handlers.starts_with(",post(") || handlers.contains(").post(") {
                    posts.insert(route.to_string());
                }
            }
            for part in source.split("plural:\"").skip(1) {
                let base = format!("/o/{{org}}/{}", part.split('"').next().unwrap());
                gets.insert(base.clone());
                posts.insert(format!("{base}/{{id}}"));
                posts.insert(format!("{base}/{{id}}/delete"));
                posts.insert(base);
            }
        }
    }
    (gets, posts)
}

/// Every page declared in src/http/web/ has a row in [`table`], and every form of an
/// organization or of one's account one in [`org_forms`] or [`account_forms`] (the sign-in,
/// registration, setup, invitation, sign-out and new-organization forms are not in this table;
/// they, like every declared form, are posted forged by [`forged`]).
pub fn the_web_table_lists_every_page_route() {
    let (gets, posts) = declared_routes();
    let listed: BTreeSet<String> = table().iter().map(|(t, _, _)| t.to_string()).collect();
    let posts: BTreeSet<String> = posts
        .into_iter()
        .filter(|p| p.starts_with("/o/") || p.starts_with("/account/"))
        .collect();
    let forms: BTreeSet<String> = org_forms()
        .into_iter()
        .chain(account_forms())
        .map(str::to_string)
        .collect();
    let missing: Vec<&String> = gets
        .difference(&listed)
        .chain(posts.difference(&forms))
        .collect();
    let stale: Vec<&String> = listed
        .difference(&gets)
        .chain(forms.difference(&posts))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the web matrix (tests/it/access_matrix/web.rs) must list exactly the pages and \
         organization forms declared in src/http/web/.\nRoutes with no row: {missing:#?}\n\
         Rows for routes that no longer exist: {stale:#?}"
    );
}
