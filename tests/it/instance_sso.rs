//! The instance-wide OpenID provider (issue 18), configured by the operator with
//! `GOGOTIME_SSO_*`, against the same real oidc-provider as `sso` (started before the app, whose
//! environment names its issuer): the sign-in page's button, accounts made just in time in no
//! organization, the refusals, the password-proven link, and how an organization that turned
//! password sign-in off treats such a session. Then the start-up checks, through the binary.

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::accounts::{PASSWORD, TestUser};
use crate::helpers::binary;
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::sso::{CLIENT_ID, CLIENT_SECRET, Provider, provider_answer, query_param, sso_sign_in};

both_backends!(
    the_sign_in_button_makes_a_verified_account_that_joins_no_organization,
    each_refusal_creates_and_signs_in_nobody,
    a_wrong_state_or_a_replayed_code_is_refused,
    an_existing_account_is_linked_only_after_its_password,
    an_organization_without_passwords_does_not_take_an_instance_session,
    the_only_way_in_cannot_be_disconnected,
);

/// The path segment of the instance's pages: `/sso/instance`, `/sso/instance/callback`.
const INSTANCE: &str = "instance";

struct Instance {
    app: TestApp,
    /// Owns "Analytical Engines"; the instance is not fresh, so the sign-in page shows.
    owner: TestUser,
    org: String,
    provider: Provider,
}

/// An app whose operator configured the provider for example.com and example.org.
async fn set_up(backend: Backend) -> Instance {
    let provider = Provider::start(INSTANCE).await;
    let issuer = provider.issuer.clone();
    let app = spawn_app_with(backend, |env| {
        for (name, value) in [
            ("GOGOTIME_SSO_ISSUER", issuer.as_str()),
            ("GOGOTIME_SSO_CLIENT_ID", CLIENT_ID),
            ("GOGOTIME_SSO_CLIENT_SECRET", CLIENT_SECRET),
            ("GOGOTIME_SSO_ALLOWED_DOMAINS", "example.com, example.org"),
            ("GOGOTIME_SSO_DISPLAY_NAME", "Corp SSO"),
        ] {
            env.push((name.to_string(), value.to_string()));
        }
    })
    .await;
    let owner = app
        .sign_up("owner@example.net", Some("Analytical Engines"))
        .await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    Instance {
        app,
        owner,
        org,
        provider,
    }
}

impl Instance {
    async fn member_emails(&self) -> Vec<String> {
        let path = format!("/api/v1/organizations/{}/members", self.org);
        let (status, members) = self.app.get_as(&path, &self.owner.token).await;
        assert_eq!(status, 200, "{members}");
        members
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().unwrap().to_string())
            .collect()
    }

    async fn org_audit_actions(&self) -> Vec<String> {
        self.app.audit_actions(&self.org, &self.owner.token).await
    }
}

async fn the_sign_in_button_makes_a_verified_account_that_joins_no_organization(backend: Backend) {
    let s = set_up(backend).await;
    let mut web = WebClient::new(&s.app);
    let sign_in = web.get("/sign-in").await;
    sign_in.assert_contains("<a href=\"/sso/instance\">Sign in with Corp SSO</a>");
    // the organizations' own way in stays beside it
    sign_in.assert_contains("<a href=\"/sign-in/sso\">Sign in with single sign-on</a>");
    s.provider.login_as("ada@example.com").await;

    let start = web.get("/sso/instance").await;
    let authorize = start.assert_redirect(&s.provider.issuer);
    let redirect = query_param(&authorize, "redirect_uri");
    assert_eq!(redirect, "http://localhost:8080/sso/instance/callback");
    let back = sso_sign_in(&mut web, &s.provider, INSTANCE).await;

    assert_eq!(back.assert_redirect("/"), "/");
    assert!(web.cookie("gogotime_session").is_some(), "signed in");
    assert!(
        web.cookie("gogotime_sso").is_none(),
        "the sign-in's cookie is used up"
    );
    // in no organization: the start page offers to make one
    assert_eq!(web.get("/").await.assert_redirect("/"), "/orgs/new");
    assert_eq!(s.member_emails().await, ["owner@example.net"]);
    let org_actions = s.org_audit_actions().await;
    assert!(
        !org_actions.iter().any(|a| a.starts_with("sso.")),
        "no organization's log has it: {org_actions:?}"
    );
    let profile = web.get("/account/profile").await;
    profile.assert_contains("sso.account_created");
    profile.assert_contains("sso.signed_in");
    web.get("/account/identities")
        .await
        .assert_contains(&s.provider.issuer);

    // the next sign-in finds the same account by its subject
    let mut again = WebClient::new(&s.app);
    let back = sso_sign_in(&mut again, &s.provider, INSTANCE).await;
    assert_eq!(back.assert_redirect("/"), "/");
    let metrics = s.app.metrics().await;
    assert!(
        metrics.contains("gogotime_sso_sign_ins_total{outcome=\"signed_in\"} 2"),
        "{metrics}"
    );
}

async fn each_refusal_creates_and_signs_in_nobody(backend: Backend) {
    let s = set_up(backend).await;
    let cases = [
        (
            "eve@elsewhere.net",
            "eve@elsewhere.net is not in an email domain GoGoTime accepts for single sign-on.",
        ),
        // exact domains: a subdomain is another domain
        (
            "ada@mail.example.com",
            "ada@mail.example.com is not in an email domain GoGoTime accepts for single sign-on.",
        ),
        (
            "unverified:ada@example.com",
            "The identity provider has not verified your email address ada@example.com; verify it there first.",
        ),
    ];
    for (login, message) in cases {
        s.provider.login_as(login).await;
        let mut web = WebClient::new(&s.app);

        let back = sso_sign_in(&mut web, &s.provider, INSTANCE).await;

        assert_eq!(back.status, 403, "{login}: {}", back.body);
        back.assert_contains(message);
        back.assert_contains("No account was created or connected.");
        back.assert_contains("href=\"/sso/instance\"");
        assert!(
            web.cookie("gogotime_session").is_none(),
            "{login}: not signed in"
        );
    }
    // nobody got an account: each address is still free to register
    for email in [
        "eve@elsewhere.net",
        "ada@mail.example.com",
        "ada@example.com",
    ] {
        let (status, body) = s.app.register(email, None).await;
        assert_eq!(status, 201, "{email}: {body}");
    }
    let metrics = s.app.metrics().await;
    assert!(
        metrics.contains("gogotime_sso_sign_ins_total{outcome=\"refused\"} 3"),
        "{metrics}"
    );
}

async fn a_wrong_state_or_a_replayed_code_is_refused(backend: Backend) {
    let s = set_up(backend).await;
    s.provider.login_as("ada@example.com").await;

    let mut web = WebClient::new(&s.app);
    let callback = provider_answer(&mut web, &s.provider, INSTANCE).await;
    assert!(
        callback.starts_with("/sso/instance/callback?"),
        "{callback}"
    );
    let forged = callback.replace("state=", "state=x");
    let back = web.get(&forged).await;
    assert_eq!(back.status, 403, "{}", back.body);
    back.assert_contains("does not belong to this sign-in");

    // a good answer signs in once; the same answer again, cookie put back, does not
    let mut web = WebClient::new(&s.app);
    let callback = provider_answer(&mut web, &s.provider, INSTANCE).await;
    let started = web.cookie("gogotime_sso").unwrap();
    assert_eq!(web.get(&callback).await.assert_redirect("/"), "/");
    let mut replay = WebClient::new(&s.app);
    replay.set_cookie("gogotime_sso", &started);
    let back = replay.get(&callback).await;
    assert_eq!(back.status, 403, "{}", back.body);
    back.assert_contains("did not start in this browser, was used already");
    assert!(replay.cookie("gogotime_session").is_none());

    // the used code with a fresh sign-in's state: the provider will not exchange it twice
    let mut fresh = WebClient::new(&s.app);
    let new_callback = provider_answer(&mut fresh, &s.provider, INSTANCE).await;
    let new_state = query_param(&new_callback, "state");
    let old_code = query_param(&callback, "code");
    let spliced = format!("/sso/instance/callback?code={old_code}&state={new_state}");
    let back = fresh.get(&spliced).await;
    assert_eq!(back.status, 403, "{}", back.body);
    back.assert_contains("refused to exchange the sign-in code");
    assert!(fresh.cookie("gogotime_session").is_none());

    // the instance's sign-in is no answer at an organization's callback
    let mut cross = WebClient::new(&s.app);
    let answer = provider_answer(&mut cross, &s.provider, INSTANCE).await;
    let to_org = answer.replacen("/sso/instance/", &format!("/sso/{}/", s.org), 1);
    let back = cross.get(&to_org).await;
    assert_eq!(back.status, 403, "{}", back.body);
    back.assert_contains("did not start in this browser");
    assert!(cross.cookie("gogotime_session").is_none());
}

async fn an_existing_account_is_linked_only_after_its_password(backend: Backend) {
    let s = set_up(backend).await;
    s.app.sign_up("ada@example.org", None).await;
    s.provider.login_as("ada@example.org").await;
    let mut web = WebClient::new(&s.app);

    let back = sso_sign_in(&mut web, &s.provider, INSTANCE).await;
    let link = back.assert_redirect("/sso/instance/link");
    assert_eq!(link, "/sso/instance/link");
    assert!(
        web.cookie("gogotime_session").is_none(),
        "not signed in yet"
    );
    let page = web.get(&link).await;
    page.assert_contains("Corp SSO signed you in as <strong>ada@example.org</strong>");
    assert!(
        !page.body.contains("and join"),
        "it joins nothing: {}",
        page.body
    );

    let wrong = web
        .post(&link, &[("password", "not the password at all")])
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    wrong.assert_contains("nothing was linked");
    assert!(web.cookie("gogotime_session").is_none());

    let right = web.post(&link, &[("password", PASSWORD)]).await;
    assert_eq!(right.assert_redirect("/"), "/");
    assert!(web.cookie("gogotime_session").is_some());
    let ada = s.app.sign_in("ada@example.org").await;
    let (status, events) = s.app.get_as("/api/v1/me/security-events", &ada.token).await;
    assert_eq!(status, 200, "{events}");
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"sso.linked"), "{actions:?}");
    assert!(actions.contains(&"sso.signed_in"), "{actions:?}");

    // from now on the provider signs in straight away
    let mut later = WebClient::new(&s.app);
    let back = sso_sign_in(&mut later, &s.provider, INSTANCE).await;
    assert_eq!(back.assert_redirect("/"), "/");
    assert_eq!(s.member_emails().await, ["owner@example.net"]);
}

/// An organization that lets its members in only through its own provider names that provider:
/// a session from the instance's provider is refused there as a password session is.
async fn an_organization_without_passwords_does_not_take_an_instance_session(backend: Backend) {
    let s = set_up(backend).await;
    let org_provider = Provider::start(&s.org).await;
    let (status, saved) = s
        .app
        .call(
            Method::PUT,
            &format!("/api/v1/organizations/{}/sso", s.org),
            Some(&s.owner.token),
            Some(json!({
                "display_name": "Engines IdP",
                "issuer": org_provider.issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "allowed_domains": ["example.org"],
            })),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    s.app
        .invite_new(&s.org, &s.owner, "ada@example.org", "member")
        .await;
    let (status, body) = s
        .app
        .call(
            Method::PUT,
            &format!("/api/v1/organizations/{}/sso/password-sign-in", s.org),
            Some(&s.owner.token),
            Some(json!({ "password_sign_in_disabled": true })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Ada connects the instance's provider to her account and signs in through it
    s.provider.login_as("ada@example.org").await;
    let mut web = WebClient::new(&s.app);
    let link = sso_sign_in(&mut web, &s.provider, INSTANCE)
        .await
        .assert_redirect("/sso/instance/link");
    web.get(&link).await;
    assert_eq!(
        web.post(&link, &[("password", PASSWORD)])
            .await
            .assert_redirect("/"),
        "/"
    );
    let org_page = format!("/o/{}", s.org);

    let refused = web.get(&org_page).await;

    refused.assert_redirect(&format!("/sso/{}/required", s.org));
    // through the organization's own provider she gets in
    org_provider.login_as("ada@example.org").await;
    let link = sso_sign_in(&mut web, &org_provider, &s.org)
        .await
        .assert_redirect(&format!("/sso/{}/link", s.org));
    web.get(&link).await;
    web.post(&link, &[("password", PASSWORD)])
        .await
        .assert_redirect(&org_page);
    assert_eq!(web.get(&org_page).await.status, 200);
}

async fn the_only_way_in_cannot_be_disconnected(backend: Backend) {
    let s = set_up(backend).await;
    s.provider.login_as("ada@example.com").await;
    let mut web = WebClient::new(&s.app);
    sso_sign_in(&mut web, &s.provider, INSTANCE)
        .await
        .assert_redirect("/");
    let page = web.get("/account/identities").await;
    page.assert_contains(&s.provider.issuer);
    page.assert_contains("Your account has no password");
    let form = page.form("form[action$='/disconnect']");

    let refused = web.submit(&form).await;

    assert_eq!(refused.status, 409, "{}", refused.body);
    refused.assert_contains("only way to sign in");
    web.get("/account/identities")
        .await
        .assert_contains(&s.provider.issuer);
}

// ---- start-up checks, through the real binary ----

const ISSUER: (&str, &str) = ("GOGOTIME_SSO_ISSUER", "https://accounts.example.com");
const ID: (&str, &str) = ("GOGOTIME_SSO_CLIENT_ID", "gogotime");
const SECRET: (&str, &str) = ("GOGOTIME_SSO_CLIENT_SECRET", "sso-client-secret-7d1e0c5b");
const DOMAINS: (&str, &str) = ("GOGOTIME_SSO_ALLOWED_DOMAINS", "example.com");

/// An environment, and what the refusal says.
type Case = (
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[test]
fn half_an_instance_provider_refuses_to_start_naming_each_missing_variable() {
    let cases: &[Case] = &[
        (
            &[ISSUER],
            &[
                "GOGOTIME_SSO_CLIENT_ID is not set; instance single sign-on needs GOGOTIME_SSO_ISSUER, GOGOTIME_SSO_CLIENT_ID and GOGOTIME_SSO_CLIENT_SECRET together",
                "GOGOTIME_SSO_CLIENT_SECRET is not set",
                "GOGOTIME_SSO_ALLOWED_DOMAINS is not set; instance single sign-on creates accounts only for verified addresses in the domains listed there",
            ],
        ),
        (
            &[ISSUER, ID, SECRET],
            &["GOGOTIME_SSO_ALLOWED_DOMAINS is not set"],
        ),
        (
            &[ID, SECRET, DOMAINS],
            &["GOGOTIME_SSO_ISSUER is not set; instance single sign-on needs"],
        ),
        (
            &[DOMAINS],
            &["GOGOTIME_SSO_ISSUER is not set, but GOGOTIME_SSO_ALLOWED_DOMAINS is"],
        ),
        (
            &[
                ("GOGOTIME_SSO_ISSUER", "http://accounts.example.com"),
                ID,
                SECRET,
                DOMAINS,
            ],
            &["GOGOTIME_SSO_ISSUER is 'http://accounts.example.com'; it must be an https:// URL"],
        ),
        (
            &[
                ISSUER,
                ID,
                SECRET,
                ("GOGOTIME_SSO_ALLOWED_DOMAINS", "*.example.com"),
            ],
            &[
                "GOGOTIME_SSO_ALLOWED_DOMAINS '*.example.com' is not an email domain like example.com (no wildcards; list each domain)",
            ],
        ),
    ];
    for (env, messages) in cases {
        let dir = tempfile::tempdir().unwrap();

        let run = binary::run(&["serve"], env, dir.path());

        assert_eq!(run.code, 2, "{env:?}: {}", run.output());
        for message in *messages {
            assert!(run.stderr.contains(message), "{env:?}: {}", run.output());
        }
        assert!(
            !run.output().contains(SECRET.1),
            "the secret is never shown"
        );
    }
}

#[test]
fn config_check_says_the_instance_provider_is_on_without_its_secret() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("sso_client_secret");
    std::fs::write(&secret_file, format!("{}\n", SECRET.1)).unwrap();
    let file = secret_file.to_str().unwrap();
    let env = [
        ISSUER,
        ID,
        ("GOGOTIME_SSO_CLIENT_SECRET_FILE", file),
        ("GOGOTIME_SSO_ALLOWED_DOMAINS", "Example.com, example.org"),
    ];

    let run = binary::run(&["config", "check"], &env, dir.path());

    assert_eq!(run.code, 0, "{}", run.output());
    let line = |name: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {}", run.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("GOGOTIME_SSO_ISSUER"),
        "GOGOTIME_SSO_ISSUER=https://accounts.example.com (instance single sign-on on) (environment)"
    );
    assert_eq!(
        line("GOGOTIME_SSO_CLIENT_SECRET"),
        "GOGOTIME_SSO_CLIENT_SECRET=<redacted> (file)"
    );
    assert_eq!(
        line("GOGOTIME_SSO_ALLOWED_DOMAINS"),
        "GOGOTIME_SSO_ALLOWED_DOMAINS=example.com,example.org (environment)"
    );
    assert_eq!(
        line("GOGOTIME_SSO_DISPLAY_NAME"),
        "GOGOTIME_SSO_DISPLAY_NAME=single sign-on (default)"
    );
    assert!(!run.output().contains(SECRET.1), "{}", run.output());

    let off = binary::run(&["config", "check"], &[], dir.path());
    assert_eq!(off.code, 0, "{}", off.output());
    assert!(
        off.stdout
            .contains("GOGOTIME_SSO_ISSUER=(instance single sign-on off)"),
        "{}",
        off.stdout
    );
}
