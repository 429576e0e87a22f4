//! Single sign-on with OpenID Connect (issue 18) against a real provider: panva's certified
//! `oidc-provider`, started per test from tests/fixtures/oidc_provider (npm ci there first;
//! scripts/test does). The provider signs in the account a test names (or serves tampered ID
//! tokens on demand), and the flow runs over real HTTP: the app's redirect, the provider's
//! authorization and interaction endpoints with their cookies, the callback, the token endpoint,
//! the key set and userinfo.

use std::collections::BTreeMap;
use std::process::Stdio;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::both_backends;
use crate::helpers::accounts::{PASSWORD, TestUser};
use crate::helpers::web::{Page, WebClient};
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    a_verified_address_in_an_allowed_domain_gets_an_account_and_joins,
    someone_removed_is_not_let_back_in_by_signing_in_again,
    each_bad_answer_is_refused_with_a_clear_page_and_nothing_created,
    a_wrong_state_or_a_foreign_browser_is_refused,
    a_replayed_code_is_refused,
    an_existing_account_is_linked_only_after_its_password,
    the_settings_never_show_the_secret_and_refuse_bad_values,
    the_last_way_to_sign_in_cannot_be_disconnected,
);

pub(crate) const CLIENT_ID: &str = "gogotime-test";
pub(crate) const CLIENT_SECRET: &str = "fixture-client-secret-0123456789abcdef";
/// The public URL every test app has (helpers::base_env): the provider redirects there, and
/// the test sends the callback to the app's real address instead.
pub(crate) const PUBLIC_URL: &str = "http://localhost:8080";

/// A running oidc-provider; stopped when dropped.
pub(crate) struct Provider {
    pub(crate) issuer: String,
    http: reqwest::Client,
    _child: Child,
}

impl Provider {
    /// A provider whose client may be sent back to `org`'s callback, or to the instance's
    /// (`/sso/instance/callback`, the instance-wide provider's: tests/it/instance_sso.rs).
    pub(crate) async fn start(org: &str) -> Provider {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/oidc_provider");
        assert!(
            std::path::Path::new(dir)
                .join("node_modules/oidc-provider")
                .exists(),
            "the provider fixture is not installed: run `npm ci` in {dir} (scripts/test does)"
        );
        let mut redirect_uris = vec![format!("{PUBLIC_URL}/sso/{org}/callback")];
        let instance = format!("{PUBLIC_URL}/sso/instance/callback");
        if !redirect_uris.contains(&instance) {
            redirect_uris.push(instance);
        }
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(dir)
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URIS", redirect_uris.join(","))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs (apt-get install nodejs npm)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .await
            .expect("the provider prints its issuer");
        let started: Value = serde_json::from_str(&line).expect("a JSON line");
        Provider {
            issuer: started["issuer"].as_str().expect("issuer").to_string(),
            http: crate::helpers::client(),
            _child: child,
        }
    }

    pub(crate) async fn control(&self, what: &str, body: &str) {
        let response = self
            .http
            .post(format!("{}/_test/{what}", self.issuer))
            .body(body.to_string())
            .send()
            .await
            .expect("the provider answers");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    /// The next sign-in at the provider is this account (see provider.mjs for the names).
    pub(crate) async fn login_as(&self, login: &str) {
        self.control("login-as", login).await;
    }

    async fn tamper(&self, mode: &str) {
        self.control("tamper", mode).await;
    }
}

/// The browser's visit to the provider: follows its redirects with its cookies until it sends
/// the browser back to the app, and returns the app path it sends it to.
async fn through_provider(provider: &Provider, authorize_url: &str) -> String {
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let mut url = authorize_url.to_string();
    for _ in 0..10 {
        let cookies: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let response = provider
            .http
            .get(&url)
            .header(COOKIE, cookies.join("; "))
            .send()
            .await
            .expect("the provider answers");
        for value in response.headers().get_all(SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                jar.insert(k.to_string(), v.to_string());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_string());
        let Some(location) = location else {
            panic!(
                "the provider answered {status} without a redirect: {}",
                response.text().await.unwrap()
            );
        };
        if let Some(path) = location.strip_prefix(PUBLIC_URL) {
            return path.to_string();
        }
        url = if location.starts_with('/') {
            format!("{}{location}", provider.issuer)
        } else {
            location
        };
    }
    panic!("the provider kept redirecting");
}

/// Starts a sign-in at `/sso/{org}` and brings the provider's answer back to the app.
pub(crate) async fn sso_sign_in(web: &mut WebClient<'_>, provider: &Provider, org: &str) -> Page {
    let callback = provider_answer(web, provider, org).await;
    web.get(&callback).await
}

/// The callback path the provider sends the browser to, not yet followed.
pub(crate) async fn provider_answer(
    web: &mut WebClient<'_>,
    provider: &Provider,
    org: &str,
) -> String {
    let start = web.get(&format!("/sso/{org}")).await;
    let authorize = start.assert_redirect(&provider.issuer);
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    assert!(
        web.cookie("gogotime_sso").is_some(),
        "the sign-in is bound to the browser"
    );
    through_provider(provider, &authorize).await
}

pub(crate) struct Setup {
    pub(crate) app: TestApp,
    pub(crate) admin: TestUser,
    pub(crate) org: String,
    pub(crate) provider: Provider,
}

/// An instance with an organization whose owner configured single sign-on for example.com.
pub(crate) async fn set_up(backend: Backend) -> Setup {
    let app = spawn_app(backend).await;
    let admin = app
        .sign_up("owner@example.net", Some("Analytical Engines"))
        .await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &admin.token).await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    let provider = Provider::start(&org).await;
    let (status, saved) = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/organizations/{org}/sso"),
            Some(&admin.token),
            Some(json!({
                "display_name": "Test IdP",
                "issuer": provider.issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "allowed_domains": ["example.com", "example.org"],
            })),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    Setup {
        app,
        admin,
        org,
        provider,
    }
}

impl Setup {
    pub(crate) async fn member_emails(&self) -> Vec<String> {
        let path = format!("/api/v1/organizations/{}/members", self.org);
        let (status, members) = self.app.get_as(&path, &self.admin.token).await;
        assert_eq!(status, 200, "{members}");
        let mut emails: Vec<String> = members
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().unwrap().to_string())
            .collect();
        emails.sort();
        emails
    }

    pub(crate) async fn audit_actions(&self) -> Vec<String> {
        self.app.audit_actions(&self.org, &self.admin.token).await
    }

    /// The organization's page, as the browser `web` holding a session (or none) sees it.
    async fn signed_in_page(&self, web: &mut WebClient<'_>) -> Page {
        web.get(&format!("/o/{}", self.org)).await
    }
}

async fn a_verified_address_in_an_allowed_domain_gets_an_account_and_joins(backend: Backend) {
    let s = set_up(backend).await;
    s.provider.login_as("ada@example.com").await;
    let mut web = WebClient::new(&s.app);

    let back = sso_sign_in(&mut web, &s.provider, &s.org).await;

    back.assert_redirect(&format!("/o/{}", s.org));
    assert!(web.cookie("gogotime_session").is_some(), "signed in");
    assert!(
        web.cookie("gogotime_sso").is_none(),
        "the sign-in's cookie is used up"
    );
    assert_eq!(s.signed_in_page(&mut web).await.status, 200);
    assert_eq!(
        s.member_emails().await,
        ["ada@example.com", "owner@example.net"]
    );
    let actions = s.audit_actions().await;
    assert!(
        actions.contains(&"sso.account_created".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"sso.signed_in".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"sso.configured".to_string()),
        "{actions:?}"
    );

    // the next sign-in finds the same account by its subject
    let mut again = WebClient::new(&s.app);
    sso_sign_in(&mut again, &s.provider, &s.org)
        .await
        .assert_redirect(&format!("/o/{}", s.org));
    assert_eq!(s.member_emails().await.len(), 2);
    let metrics = s.app.metrics().await;
    assert!(
        metrics.contains("gogotime_sso_sign_ins_total{outcome=\"signed_in\"} 2"),
        "{metrics}"
    );
}

async fn someone_removed_is_not_let_back_in_by_signing_in_again(backend: Backend) {
    let s = set_up(backend).await;
    s.provider.login_as("ada@example.com").await;
    let mut web = WebClient::new(&s.app);
    sso_sign_in(&mut web, &s.provider, &s.org)
        .await
        .assert_redirect(&format!("/o/{}", s.org));
    let path = format!("/api/v1/organizations/{}/members", s.org);
    let (_, members) = s.app.get_as(&path, &s.admin.token).await;
    let ada = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "ada@example.com")
        .expect("Ada joined")["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = s
        .app
        .call(
            reqwest::Method::DELETE,
            &format!("{path}/{ada}"),
            Some(&s.admin.token),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");

    let mut again = WebClient::new(&s.app);
    let back = sso_sign_in(&mut again, &s.provider, &s.org).await;

    assert_eq!(back.status, 403, "{}", back.body);
    back.assert_contains("Your GoGoTime account is not a member of this organization (an admin removed it, or you left). Ask one of its admins to invite you again.");
    assert!(again.cookie("gogotime_session").is_none(), "not signed in");
    assert_eq!(s.member_emails().await, ["owner@example.net"]);
}

async fn each_bad_answer_is_refused_with_a_clear_page_and_nothing_created(backend: Backend) {
    let s = set_up(backend).await;
    let cases = [
        (
            "other-key",
            "ada@example.com",
            "signature that does not verify",
        ),
        ("wrong-aud", "ada@example.com", "issued to another client"),
        ("expired", "ada@example.com", "has expired"),
        ("wrong-nonce", "ada@example.com", "nonce"),
        ("wrong-iss", "ada@example.com", "another issuer"),
        (
            "none",
            "unverified:ada@example.com",
            "has not verified your email address",
        ),
        (
            "none",
            "eve@elsewhere.net",
            "not in an email domain this organization accepts",
        ),
    ];
    for (tamper, login, message) in cases {
        s.provider.tamper(tamper).await;
        s.provider.login_as(login).await;
        let mut web = WebClient::new(&s.app);

        let back = sso_sign_in(&mut web, &s.provider, &s.org).await;

        assert_eq!(back.status, 403, "{tamper} {login}: {}", back.body);
        back.assert_contains(message);
        back.assert_contains("No account was created or connected.");
        assert!(
            web.cookie("gogotime_session").is_none(),
            "{tamper} {login}: not signed in"
        );
        assert_eq!(
            s.member_emails().await,
            ["owner@example.net"],
            "{tamper} {login}"
        );
    }
    let refused = s
        .audit_actions()
        .await
        .iter()
        .filter(|a| *a == "sso.refused")
        .count();
    assert_eq!(refused, cases.len());
    // nobody got an account either: the address is still free to register
    let (status, body) = s.app.register("ada@example.com", None).await;
    assert_eq!(status, 201, "{body}");
}

async fn a_wrong_state_or_a_foreign_browser_is_refused(backend: Backend) {
    let s = set_up(backend).await;
    s.provider.login_as("ada@example.com").await;

    // the state in the answer is not the one this browser's sign-in sent
    let mut web = WebClient::new(&s.app);
    let callback = provider_answer(&mut web, &s.provider, &s.org).await;
    let forged = callback.replace("state=", "state=x");
    let back = web.get(&forged).await;
    assert_eq!(back.status, 403, "{}", back.body);
    back.assert_contains("does not belong to this sign-in");

    // a browser that did not start the sign-in (a link sent to someone else)
    let mut web = WebClient::new(&s.app);
    let callback = provider_answer(&mut web, &s.provider, &s.org).await;
    let mut stranger = WebClient::new(&s.app);
    let back = stranger.get(&callback).await;
    assert_eq!(back.status, 403, "{}", back.body);
    back.assert_contains("did not start in this browser");

    assert!(stranger.cookie("gogotime_session").is_none());
    assert_eq!(s.member_emails().await, ["owner@example.net"]);
}

async fn a_replayed_code_is_refused(backend: Backend) {
    let s = set_up(backend).await;
    s.provider.login_as("ada@example.com").await;
    let mut web = WebClient::new(&s.app);
    let callback = provider_answer(&mut web, &s.provider, &s.org).await;
    let started = web.cookie("gogotime_sso").unwrap();
    web.get(&callback)
        .await
        .assert_redirect(&format!("/o/{}", s.org));

    // the same answer again, even with the sign-in's cookie put back: used once
    let mut replay = WebClient::new(&s.app);
    replay.set_cookie("gogotime_sso", &started);
    let back = replay.get(&callback).await;
    assert_eq!(back.status, 403, "{}", back.body);
    assert!(replay.cookie("gogotime_session").is_none());

    // the old code with a fresh sign-in's state: the provider refuses to exchange it again
    let mut fresh = WebClient::new(&s.app);
    let new_callback = provider_answer(&mut fresh, &s.provider, &s.org).await;
    let new_state = query_param(&new_callback, "state");
    let old_code = query_param(&callback, "code");
    let spliced = format!("/sso/{}/callback?code={old_code}&state={new_state}", s.org);
    let back = fresh.get(&spliced).await;
    assert_eq!(back.status, 403, "{}", back.body);
    back.assert_contains("refused to exchange the sign-in code");
    assert!(fresh.cookie("gogotime_session").is_none());
}

pub(crate) fn query_param(path: &str, name: &str) -> String {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {path}"))
}

async fn an_existing_account_is_linked_only_after_its_password(backend: Backend) {
    let s = set_up(backend).await;
    s.app.sign_up("ada@example.org", None).await;
    s.provider.login_as("ada@example.org").await;
    let mut web = WebClient::new(&s.app);

    let back = sso_sign_in(&mut web, &s.provider, &s.org).await;
    let link = back.assert_redirect(&format!("/sso/{}/link", s.org));
    assert!(
        web.cookie("gogotime_session").is_none(),
        "not signed in yet"
    );
    let page = web.get(&link).await;
    page.assert_contains("already exists");

    // a wrong password links nothing
    let wrong = web
        .post(&link, &[("password", "not the password at all")])
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    wrong.assert_contains("nothing was linked");
    assert!(web.cookie("gogotime_session").is_none());
    assert_eq!(s.member_emails().await, ["owner@example.net"]);
    assert!(!s.audit_actions().await.contains(&"sso.linked".to_string()));

    // the right one links the identity, joins the organization and signs in
    let right = web.post(&link, &[("password", PASSWORD)]).await;
    right.assert_redirect(&format!("/o/{}", s.org));
    assert!(web.cookie("gogotime_session").is_some());
    assert_eq!(
        s.member_emails().await,
        ["ada@example.org", "owner@example.net"]
    );
    assert!(s.audit_actions().await.contains(&"sso.linked".to_string()));

    // from now on the provider signs in straight away
    let mut later = WebClient::new(&s.app);
    sso_sign_in(&mut later, &s.provider, &s.org)
        .await
        .assert_redirect(&format!("/o/{}", s.org));
    let identities = later.get("/account/identities").await;
    identities.assert_contains(&s.provider.issuer);
}

async fn the_settings_never_show_the_secret_and_refuse_bad_values(backend: Backend) {
    let s = set_up(backend).await;
    let path = format!("/api/v1/organizations/{}/sso", s.org);

    let (status, shown) = s.app.get_as(&path, &s.admin.token).await;
    assert_eq!(status, 200, "{shown}");
    assert!(!shown.to_string().contains(CLIENT_SECRET), "{shown}");
    assert_eq!(shown["client_secret_set"], true);
    assert_eq!(
        shown["redirect_uri"],
        format!("{PUBLIC_URL}/sso/{}/callback", s.org)
    );
    let (_, log) = s
        .app
        .get_as(
            &format!("/api/v1/organizations/{}/audit-log", s.org),
            &s.admin.token,
        )
        .await;
    assert!(
        !log.to_string().contains(CLIENT_SECRET),
        "the audit log has no secret"
    );

    let cases = [
        ("issuer", json!("http://idp.example.com"), "https"),
        ("issuer", json!("idp.example.com"), "not a URL"),
        ("allowed_domains", json!(["*.example.com"]), "no wildcards"),
        ("allowed_domains", json!([]), "at least one"),
        ("client_id", json!(""), "is required"),
    ];
    for (field, value, message) in cases {
        let mut body = json!({
            "display_name": "Test IdP",
            "issuer": s.provider.issuer,
            "client_id": CLIENT_ID,
            "allowed_domains": ["example.com"],
        });
        body[field] = value;
        let (status, problem) = s
            .app
            .call(
                reqwest::Method::PUT,
                &path,
                Some(&s.admin.token),
                Some(body),
            )
            .await;
        assert_eq!(status, 422, "{field}: {problem}");
        let said = problem["errors"][field].to_string();
        assert!(said.contains(message), "{field}: {problem}");
    }

    // a member may not see them, an outsider does not learn the organization exists
    let member = s.app.sign_up("member@example.net", None).await;
    let (status, _) = s.app.get_as(&path, &member.token).await;
    assert_eq!(status, 404);
}

async fn the_last_way_to_sign_in_cannot_be_disconnected(backend: Backend) {
    let s = set_up(backend).await;
    s.provider.login_as("ada@example.com").await;
    let mut web = WebClient::new(&s.app);
    sso_sign_in(&mut web, &s.provider, &s.org)
        .await
        .assert_redirect(&format!("/o/{}", s.org));
    let page = web.get("/account/identities").await;
    page.assert_contains("Your account has no password");
    let form = page.form("form[action$='/disconnect']");

    let refused = web.submit(&form).await;

    assert_eq!(refused.status, 409, "{}", refused.body);
    refused.assert_contains("only way to sign in");
    web.get("/account/identities")
        .await
        .assert_contains(&s.provider.issuer);
}
