//! Passkeys (issue 18): registering one on the profile, password-less sign-in, a passkey as the
//! second factor, removal, the refusals (a challenge answered twice, another relying party or
//! origin, another key, a removed passkey, another person's passkey), the shared sign-in
//! limiter, the audit trail, and an organization's two-factor requirement met by a passkey.
//! The browser's side is an independent software authenticator (Python, `cryptography`):
//! tests/it/helpers/soft_authenticator.py.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::{PASSWORD, TestUser};
use crate::helpers::web::{Page, WebClient};
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    a_passkey_added_on_the_profile_signs_in_without_a_password,
    a_challenge_answers_once,
    answers_for_another_relying_party_or_origin_or_from_another_key_are_refused,
    a_removed_passkey_signs_in_no_more_and_removal_needs_the_password,
    a_passkey_is_the_second_factor_after_the_password_but_not_someone_elses,
    refused_passkeys_count_towards_the_sign_in_limit,
    a_passkey_meets_an_organizations_two_factor_requirement,
    the_api_registers_removes_and_signs_in_with_passkeys_for_tokens,
);

pub(crate) const EMAIL: &str = "ada@example.org";
/// The origin the app serves (GOGOTIME_PUBLIC_URL of the test apps).
pub(crate) const ORIGIN: &str = "http://localhost:8080";

/// The software authenticator's answer to `command` ("create" or "get").
pub(crate) fn authenticator(command: &str, request: Value) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/helpers/soft_authenticator.py"
    );
    let out = std::process::Command::new("python3")
        .args([script, command, &request.to_string()])
        .output()
        .expect("python3 runs (pip install cryptography)");
    assert!(
        out.status.success(),
        "the software authenticator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the authenticator answers JSON")
}

/// A passkey kept by the software authenticator.
#[derive(Clone)]
pub(crate) struct Device {
    pub(crate) state: Value,
}

impl Device {
    /// Answers sign-in options; `tweak` adds "rp_id", "origin" or "other_key" to go wrong.
    pub(crate) fn answer(&mut self, options: &Value, tweak: Value) -> String {
        let mut request = json!({ "origin": ORIGIN, "options": options, "state": self.state });
        if let Value::Object(extra) = tweak {
            for (k, v) in extra {
                request[k] = v;
            }
        }
        let out = authenticator("get", request);
        self.state = out["state"].clone();
        out["response"].to_string()
    }
}

/// Posts a form to a ceremony's options endpoint and reads the JSON options.
pub(crate) async fn options(web: &mut WebClient<'_>, path: &str, fields: &[(&str, &str)]) -> Value {
    let page = web.post(path, fields).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    serde_json::from_str(&page.body).expect("options are JSON")
}

/// Ada with an organization (so her account's events are audited).
pub(crate) async fn ada(app: &TestApp) -> (TestUser, String) {
    let user = app.sign_up(EMAIL, Some("Analytical Engines")).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &user.token).await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    (user, org)
}

/// Adds a passkey named `name` through the profile page of a signed-in `web`.
pub(crate) async fn add_passkey(web: &mut WebClient<'_>, name: &str) -> (Device, Page) {
    web.get("/account/passkeys").await;
    let options = options(web, "/account/passkeys/options", &[("name", name)]).await;
    let made = authenticator("create", json!({ "origin": ORIGIN, "options": options }));
    let credential = made["response"].to_string();
    let added = web
        .post("/account/passkeys", &[("credential", &credential)])
        .await;
    (
        Device {
            state: made["state"].clone(),
        },
        added,
    )
}

/// Ada signed in on the web with a passkey added.
pub(crate) async fn with_passkey(app: &TestApp) -> (Device, TestUser, String) {
    let (user, org) = ada(app).await;
    let mut web = WebClient::new(app);
    web.sign_in(EMAIL).await;
    let (device, added) = add_passkey(&mut web, "Laptop").await;
    added.assert_redirect("/account/passkeys");
    (device, user, org)
}

/// A password-less sign-in attempt in a fresh browser; the answer to the final post.
async fn passkey_sign_in<'a>(
    app: &'a TestApp,
    device: &mut Device,
    tweak: Value,
) -> (WebClient<'a>, Page) {
    let mut web = WebClient::new(app);
    web.get("/sign-in").await;
    let options = options(&mut web, "/sign-in/passkey/options", &[]).await;
    let credential = device.answer(&options, tweak);
    let page = web
        .post(
            "/sign-in/passkey",
            &[("credential", &credential), ("next", "/account/profile")],
        )
        .await;
    (web, page)
}

fn signed_in(web: &WebClient<'_>, page: &Page) -> bool {
    page.location.as_deref() == Some("/account/profile") && web.cookie("gogotime_session").is_some()
}

async fn a_passkey_added_on_the_profile_signs_in_without_a_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, org) = ada(&app).await;
    let mut web = WebClient::new(&app);
    web.sign_in(EMAIL).await;
    let before = web.get("/account/passkeys").await;

    let (mut device, added) = add_passkey(&mut web, "Laptop").await;
    let listed = web.follow(added).await;
    let (mut fresh, entered) = passkey_sign_in(&app, &mut device, json!({})).await;
    let profile = fresh.get("/account/profile").await;
    let listed_after_use = web.get("/account/passkeys").await;

    before.assert_contains("You have no passkey yet.");
    before.assert_contains("Adding a passkey and signing in with one need JavaScript");
    listed.assert_contains("<td>Laptop</td>");
    assert!(
        signed_in(&fresh, &entered),
        "{:?} {}",
        entered.location,
        entered.body
    );
    assert_eq!(profile.status, 200);
    assert!(
        !listed_after_use.body.contains("<td>Never</td>"),
        "last used is recorded"
    );
    let actions = app.audit_actions(&org, &user.token).await;
    for action in ["passkey.added", "passkey.used", "sign_in.succeeded"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

async fn a_challenge_answers_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut device, _, _) = with_passkey(&app).await;
    let mut web = WebClient::new(&app);
    web.get("/sign-in").await;
    let options = options(&mut web, "/sign-in/passkey/options", &[]).await;
    let credential = device.answer(&options, json!({}));

    let first = web
        .post(
            "/sign-in/passkey",
            &[("credential", &credential), ("next", "/account/profile")],
        )
        .await;
    let mut other = WebClient::new(&app);
    other.get("/sign-in").await;
    let again = other
        .post(
            "/sign-in/passkey",
            &[("credential", &credential), ("next", "/account/profile")],
        )
        .await;

    assert!(signed_in(&web, &first), "{:?}", first.location);
    again.assert_redirect("/sign-in");
    assert_eq!(other.cookie("gogotime_session"), None);
}

async fn answers_for_another_relying_party_or_origin_or_from_another_key_are_refused(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (mut device, _, _) = with_passkey(&app).await;
    let cases = [
        ("another relying party", json!({ "rp_id": "evil.example" })),
        (
            "another origin",
            json!({ "origin": "http://evil.example:8080" }),
        ),
        ("another key", json!({ "other_key": true })),
    ];

    for (case, tweak) in cases {
        let (web, page) = passkey_sign_in(&app, &mut device, tweak).await;
        page.assert_redirect("/sign-in");
        assert_eq!(web.cookie("gogotime_session"), None, "{case}");
    }
    let (web, page) = passkey_sign_in(&app, &mut device, json!({})).await;
    assert!(signed_in(&web, &page), "the right answer still works");
}

async fn a_removed_passkey_signs_in_no_more_and_removal_needs_the_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, org) = ada(&app).await;
    let mut web = WebClient::new(&app);
    web.sign_in(EMAIL).await;
    let (mut device, _) = add_passkey(&mut web, "Phone").await;
    let list = web.get("/account/passkeys").await;
    let marker = "action=\"/account/passkeys/";
    let start = list.body.find(marker).expect("a remove form") + marker.len();
    let id = list.body[start..].split('/').next().unwrap().to_string();
    let path = format!("/account/passkeys/{id}/remove");

    let wrong = web
        .post(&path, &[("current_password", "not-the-password")])
        .await;
    let (still, page) = passkey_sign_in(&app, &mut device, json!({})).await;
    let kept = signed_in(&still, &page);
    web.get("/account/passkeys").await;
    let removed = web.post(&path, &[("current_password", PASSWORD)]).await;
    let (refused, page) = passkey_sign_in(&app, &mut device, json!({})).await;

    assert_eq!(wrong.status, 422);
    wrong.assert_contains("is not your current password");
    assert!(kept, "a wrong password removes nothing");
    removed.assert_redirect("/account/passkeys");
    page.assert_redirect("/sign-in");
    assert_eq!(refused.cookie("gogotime_session"), None);
    let actions = app.audit_actions(&org, &user.token).await;
    assert!(
        actions.iter().any(|a| a == "passkey.removed"),
        "{actions:?}"
    );
}

pub(crate) async fn password_step(web: &mut WebClient<'_>, email: &str) {
    web.get("/sign-in").await;
    let page = web
        .post(
            "/sign-in",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("next", "/account/profile"),
            ],
        )
        .await;
    page.assert_redirect("/sign-in/two-factor");
    web.follow(page).await;
}

pub(crate) async fn second_factor(web: &mut WebClient<'_>, device: &mut Device) -> Page {
    let options = options(web, "/sign-in/two-factor/passkey/options", &[]).await;
    let credential = device.answer(&options, json!({}));
    web.post(
        "/sign-in/two-factor/passkey",
        &[("credential", &credential), ("next", "/account/profile")],
    )
    .await
}

async fn a_passkey_is_the_second_factor_after_the_password_but_not_someone_elses(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut adas, _, _) = with_passkey(&app).await;
    app.sign_up("bob@example.org", None).await;
    let mut bobs_browser = WebClient::new(&app);
    bobs_browser.sign_in("bob@example.org").await;
    let (_, added) = add_passkey(&mut bobs_browser, "Bob's key").await;
    added.assert_redirect("/account/passkeys");

    let mut web = WebClient::new(&app);
    password_step(&mut web, EMAIL).await;
    let no_session_yet = web.cookie("gogotime_session");
    let page = second_factor(&mut web, &mut adas).await;

    let mut bob = WebClient::new(&app);
    password_step(&mut bob, "bob@example.org").await;
    let with_adas = second_factor(&mut bob, &mut adas).await;

    assert_eq!(
        no_session_yet, None,
        "a passkey holder is asked for a second factor"
    );
    assert!(signed_in(&web, &page), "{:?} {}", page.location, page.body);
    assert_eq!(with_adas.status, 401, "{}", with_adas.body);
    with_adas.assert_contains("id=\"passkey-error\"");
    assert!(
        !with_adas.body.contains("name=\"code\""),
        "Bob has no authenticator app: no code field"
    );
    assert_eq!(bob.cookie("gogotime_session"), None);
}

async fn refused_passkeys_count_towards_the_sign_in_limit(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut device, _, _) = with_passkey(&app).await;

    for _ in 0..10 {
        let (web, page) = passkey_sign_in(&app, &mut device, json!({ "other_key": true })).await;
        page.assert_redirect("/sign-in");
        assert_eq!(web.cookie("gogotime_session"), None);
    }
    let (mut web, page) = passkey_sign_in(&app, &mut device, json!({})).await;
    let notice = web.follow(page).await;
    let mut by_password = WebClient::new(&app);
    by_password.get("/sign-in").await;
    let password = by_password
        .post("/sign-in", &[("email", EMAIL), ("password", PASSWORD)])
        .await;

    assert_eq!(
        web.cookie("gogotime_session"),
        None,
        "locked out even with the right passkey"
    );
    notice.assert_contains("too many attempts");
    assert_eq!(password.status, 429, "the failures count for passwords too");
}

async fn a_passkey_meets_an_organizations_two_factor_requirement(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut device, user, org) = with_passkey(&app).await;
    let path = format!("/api/v1/organizations/{org}");

    let (status, set) = app
        .call(
            Method::PATCH,
            &path,
            Some(&user.token),
            Some(json!({ "require_two_factor": true })),
        )
        .await;
    let (projects, body) = app
        .get_as(
            &format!("/api/v1/organizations/{org}/projects"),
            &user.token,
        )
        .await;
    let mut web = WebClient::new(&app);
    password_step(&mut web, EMAIL).await;
    let signed_in = second_factor(&mut web, &mut device).await;
    let home = web.get(&format!("/o/{org}")).await;

    assert_eq!(status, 200, "{set}");
    assert_eq!(set["require_two_factor"], json!(true));
    assert_eq!(projects, 200, "not sent to set up an app: {body}");
    signed_in.assert_redirect("/account/profile");
    assert_eq!(
        home.status, 200,
        "the pages do not send her to the app's setup: {:?}",
        home.location
    );
}

async fn the_api_registers_removes_and_signs_in_with_passkeys_for_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, _) = ada(&app).await;
    let (status, options) = app
        .post(
            "/api/v1/me/passkeys/options",
            Some(&user.token),
            json!({ "name": "Script key" }),
        )
        .await;
    assert_eq!(status, 200, "{options}");
    let made = authenticator("create", json!({ "origin": ORIGIN, "options": options }));
    let (added, passkey) = app
        .post(
            "/api/v1/me/passkeys",
            Some(&user.token),
            json!({ "credential": made["response"] }),
        )
        .await;
    let mut device = Device {
        state: made["state"].clone(),
    };

    let (_, sign_in) = app
        .post("/api/v1/auth/passkey/options", None, json!({}))
        .await;
    let credential: Value = serde_json::from_str(&device.answer(&sign_in, json!({}))).unwrap();
    let (token_status, tokens) = app
        .post(
            "/api/v1/auth/passkey/token",
            None,
            json!({ "credential": credential }),
        )
        .await;
    let (listed_status, listed) = app.get_as("/api/v1/me/passkeys", &user.token).await;
    let path = format!("/api/v1/me/passkeys/{}", passkey["id"].as_str().unwrap());
    let (removed, _) = app
        .call(
            Method::DELETE,
            &path,
            Some(&user.token),
            Some(json!({ "current_password": PASSWORD })),
        )
        .await;
    let (_, again) = app
        .post("/api/v1/auth/passkey/options", None, json!({}))
        .await;
    let credential: Value = serde_json::from_str(&device.answer(&again, json!({}))).unwrap();
    let (after_removal, problem) = app
        .post(
            "/api/v1/auth/passkey/token",
            None,
            json!({ "credential": credential }),
        )
        .await;

    assert_eq!(added, 201, "{passkey}");
    assert_eq!(passkey["name"], "Script key");
    assert_eq!(token_status, 200, "{tokens}");
    assert!(
        tokens["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert_eq!(listed_status, 200);
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    // the answer to the POST shows the instant a later read shows (as stored, to the microsecond)
    assert_eq!(listed[0]["created_at"], passkey["created_at"], "{listed}");
    assert_eq!(removed, 204);
    assert_eq!(after_removal, 401, "{problem}");
    assert!(problem["title"].is_string(), "problem+json: {problem}");
}
