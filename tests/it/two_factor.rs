//! Two-factor sign-in (issue 18): enrolment, codes at sign-in on the web and at the token
//! endpoint, replay and time-window rules, recovery codes, the shared sign-in limiter, turning
//! it off, and the audit trail. Codes are computed by an independent implementation (Python's
//! pyotp) at the app's controlled clock.

use chrono::Duration;
use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    enrolment_needs_a_right_code_and_shows_recovery_codes_once,
    the_token_endpoint_asks_for_the_code_names_the_field_and_refuses_wrong_ones,
    a_code_is_accepted_once_and_only_within_one_step_of_now,
    wrong_codes_count_towards_the_sign_in_limit_like_wrong_passwords,
    a_recovery_code_signs_in_exactly_once,
    turning_off_and_new_recovery_codes_need_the_password_and_a_second_factor,
    api_tokens_and_refresh_tokens_keep_working_without_a_code,
    the_web_sign_in_asks_for_the_code_after_the_password,
    a_web_challenge_ends_after_five_wrong_codes_or_five_minutes,
    the_account_page_sets_up_two_factor_with_a_qr_code,
    an_operator_turns_two_factor_off_for_someone_locked_out,
);

const EMAIL: &str = "ada@example.org";

/// The code pyotp computes for a base32 secret at a Unix time.
pub(crate) fn code_at(secret: &str, unix: i64) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import pyotp,sys; print(pyotp.TOTP(sys.argv[1]).at(int(sys.argv[2])))",
            secret,
            &unix.to_string(),
        ])
        .output()
        .expect("python3 runs (pip install pyotp)");
    assert!(
        out.status.success(),
        "pyotp failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Enrolled {
    token: String,
    org: String,
    secret: String,
    recovery_codes: Vec<String>,
}

impl Enrolled {
    /// The current code.
    fn code(&self, app: &TestApp) -> String {
        code_at(&self.secret, app.clock_now())
    }
}

/// Ada with an organization (so her account's events are audited) and two-factor on.
async fn enrolled(app: &TestApp) -> Enrolled {
    let user = app.sign_up(EMAIL, Some("Analytical Engines")).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &user.token).await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    let (secret, codes) = turn_on(app, &user.token).await;
    Enrolled {
        token: user.token,
        org,
        secret,
        recovery_codes: codes["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect(),
    }
}

/// Turns two-factor sign-in on for the holder of `token` through the API; returns the secret
/// and the confirmation's answer (the recovery codes), with the clock moved past the code used.
pub(crate) async fn turn_on(app: &TestApp, token: &str) -> (String, Value) {
    let (status, setup) = app
        .post("/api/v1/me/two-factor", Some(token), json!({}))
        .await;
    assert_eq!(status, 201, "{setup}");
    let secret = setup["secret"].as_str().unwrap().to_string();
    let code = code_at(&secret, app.clock_now());
    let (status, codes) = app
        .post(
            "/api/v1/me/two-factor/confirm",
            Some(token),
            json!({ "code": code }),
        )
        .await;
    assert_eq!(status, 200, "{codes}");
    // three steps on: the enrolment code's step is out of every window the tests look at
    app.clock.advance(Duration::seconds(90));
    (secret, codes)
}

async fn token_with(app: &TestApp, totp: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({ "email": EMAIL, "password": PASSWORD });
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    app.post("/api/v1/auth/token", None, body).await
}

async fn audit_actions(app: &TestApp, who: &Enrolled) -> Vec<String> {
    app.audit_actions(&who.org, &who.token).await
}

async fn enrolment_needs_a_right_code_and_shows_recovery_codes_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(EMAIL, Some("Analytical Engines")).await;
    let (_, setup) = app
        .post("/api/v1/me/two-factor", Some(&user.token), json!({}))
        .await;
    let secret = setup["secret"].as_str().unwrap();
    let uri = setup["otpauth_uri"].as_str().unwrap();
    let (_, pending) = app.get_as("/api/v1/me/two-factor", &user.token).await;
    let (pending_sign_in, _) = token_with(&app, None).await;
    let far = code_at(secret, app.clock_now() + 300);
    let (wrong, wrong_body) = app
        .post(
            "/api/v1/me/two-factor/confirm",
            Some(&user.token),
            json!({ "code": far }),
        )
        .await;
    let right = code_at(secret, app.clock_now());
    let (ok, codes) = app
        .post(
            "/api/v1/me/two-factor/confirm",
            Some(&user.token),
            json!({ "code": right }),
        )
        .await;
    let (_, on) = app.get_as("/api/v1/me/two-factor", &user.token).await;
    let (again, _) = app
        .post("/api/v1/me/two-factor", Some(&user.token), json!({}))
        .await;

    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    assert!(
        uri.starts_with("otpauth://totp/GoGoTime%3Aada%40example.org?secret=")
            && uri.contains("&issuer=GoGoTime"),
        "{uri}"
    );
    assert_eq!(
        pending,
        json!({ "enabled": false, "pending": true, "recovery_codes_left": 0, "required_by": [] })
    );
    assert_eq!(
        pending_sign_in, 200,
        "a pending secret does not change signing in"
    );
    assert_eq!(wrong, 422);
    assert!(wrong_body["errors"]["code"].is_array(), "{wrong_body}");
    assert_eq!(ok, 200);
    let codes = codes["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(
        on,
        json!({ "enabled": true, "pending": false, "recovery_codes_left": 10, "required_by": [] })
    );
    assert!(
        !on.to_string().contains(codes[0].as_str().unwrap()),
        "recovery codes are shown once only"
    );
    assert_eq!(again, 409, "a second setup does not replace the active one");
}

async fn the_token_endpoint_asks_for_the_code_names_the_field_and_refuses_wrong_ones(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let ada = enrolled(&app).await;

    let (missing, problem) = token_with(&app, None).await;
    let wrong_code = code_at(&ada.secret, app.clock_now() + 600);
    let (wrong, _) = token_with(&app, Some(&wrong_code)).await;
    let (garbage, _) = token_with(&app, Some("not a code")).await;
    let (right, pair) = token_with(&app, Some(&ada.code(&app))).await;
    let (wrong_password, _) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({ "email": EMAIL, "password": "wrong password!", "totp": ada.code(&app) }),
        )
        .await;

    assert_eq!(missing, 401);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("two-factor code is required") && detail.contains("`totp`"),
        "{detail}"
    );
    assert_eq!(wrong, 401);
    assert_eq!(garbage, 401);
    assert_eq!(right, 200, "{pair}");
    assert!(pair["access_token"].is_string());
    assert_eq!(wrong_password, 401);
    let actions = audit_actions(&app, &ada).await;
    assert!(
        actions.contains(&"two_factor.enabled".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"sign_in.failed".to_string()),
        "{actions:?}"
    );
}

async fn a_code_is_accepted_once_and_only_within_one_step_of_now(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = enrolled(&app).await;
    let now = app.clock_now();

    let (two_back, _) = token_with(&app, Some(&code_at(&ada.secret, now - 60))).await;
    let (two_ahead, _) = token_with(&app, Some(&code_at(&ada.secret, now + 60))).await;
    let (one_back, _) = token_with(&app, Some(&code_at(&ada.secret, now - 30))).await;
    let (one_back_again, _) = token_with(&app, Some(&code_at(&ada.secret, now - 30))).await;
    let (current, _) = token_with(&app, Some(&code_at(&ada.secret, now))).await;
    let (current_again, _) = token_with(&app, Some(&code_at(&ada.secret, now))).await;
    let (older_after_newer, _) = token_with(&app, Some(&code_at(&ada.secret, now - 30))).await;
    let (one_ahead, _) = token_with(&app, Some(&code_at(&ada.secret, now + 30))).await;

    assert_eq!(two_back, 401, "two steps back is out of the window");
    assert_eq!(two_ahead, 401, "two steps ahead is out of the window");
    assert_eq!(one_back, 200, "one step back is within the window");
    assert_eq!(one_back_again, 401, "a code works once");
    assert_eq!(current, 200);
    assert_eq!(current_again, 401, "a code works once");
    assert_eq!(
        older_after_newer, 401,
        "a step before the last accepted one is refused"
    );
    assert_eq!(one_ahead, 200, "one step ahead is within the window");
}

async fn wrong_codes_count_towards_the_sign_in_limit_like_wrong_passwords(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = enrolled(&app).await;
    let wrong = code_at(&ada.secret, app.clock_now() + 900);

    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(token_with(&app, Some(&wrong)).await.0.as_u16());
    }
    let locked = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({ "email": EMAIL, "password": PASSWORD, "totp": ada.code(&app) }))
        .send()
        .await
        .unwrap();
    let locked_status = locked.status();
    let retry_after = locked.headers().get("retry-after").cloned();
    app.clock.advance(Duration::minutes(16));
    let (after_window, _) = token_with(&app, Some(&ada.code(&app))).await;

    assert_eq!(statuses, [vec![401; 10], vec![429]].concat());
    assert_eq!(locked_status, 429, "even the right code waits out the lock");
    assert!(retry_after.is_some());
    assert_eq!(after_window, 200);
}

async fn a_recovery_code_signs_in_exactly_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = enrolled(&app).await;
    let code = &ada.recovery_codes[0];

    let (first, _) = token_with(&app, Some(&code.to_uppercase())).await;
    let (second, _) = token_with(&app, Some(code)).await;
    let (another, _) = token_with(&app, Some(&ada.recovery_codes[1].replace('-', ""))).await;
    let (_, status) = app.get_as("/api/v1/me/two-factor", &ada.token).await;

    assert_eq!(first, 200, "recovery codes are read in any letter case");
    assert_eq!(second, 401, "a recovery code works once");
    assert_eq!(another, 200, "the dash is optional");
    assert_eq!(status["recovery_codes_left"], 8);
    let actions = audit_actions(&app, &ada).await;
    let used = actions
        .iter()
        .filter(|a| *a == "two_factor.recovery_code_used")
        .count();
    assert_eq!(used, 2, "{actions:?}");
}

async fn turning_off_and_new_recovery_codes_need_the_password_and_a_second_factor(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let ada = enrolled(&app).await;
    let reauth = |password: &str, code: &str| json!({ "current_password": password, "code": code });
    let regenerate = "/api/v1/me/two-factor/recovery-codes";
    let disable = "/api/v1/me/two-factor/disable";

    let (no_password, body1) = app
        .post(
            disable,
            Some(&ada.token),
            reauth("wrong password!", &ada.code(&app)),
        )
        .await;
    let wrong_code = code_at(&ada.secret, app.clock_now() + 600);
    let (no_code, body2) = app
        .post(disable, Some(&ada.token), reauth(PASSWORD, &wrong_code))
        .await;
    let (fresh, codes) = app
        .post(
            regenerate,
            Some(&ada.token),
            reauth(PASSWORD, &ada.code(&app)),
        )
        .await;
    let (old_code, _) = token_with(&app, Some(&ada.recovery_codes[5])).await;
    let new_code = codes["recovery_codes"][0].as_str().unwrap().to_string();
    let (off, _) = app
        .post(disable, Some(&ada.token), reauth(PASSWORD, &new_code))
        .await;
    let (plain_sign_in, _) = token_with(&app, None).await;
    let (_, status) = app.get_as("/api/v1/me/two-factor", &ada.token).await;

    assert_eq!(no_password, 422);
    assert!(body1["errors"]["current_password"].is_array(), "{body1}");
    assert_eq!(no_code, 422);
    assert!(body2["errors"]["code"].is_array(), "{body2}");
    assert_eq!(fresh, 200, "{codes}");
    assert_eq!(old_code, 401, "the replaced recovery codes no longer work");
    assert_eq!(off, 204, "a recovery code may stand in for the app");
    assert_eq!(plain_sign_in, 200);
    assert_eq!(status["enabled"], false);
    let actions = audit_actions(&app, &ada).await;
    for action in [
        "two_factor.enabled",
        "two_factor.recovery_codes_regenerated",
        "two_factor.recovery_code_used",
        "two_factor.disabled",
    ] {
        assert!(
            actions.contains(&action.to_string()),
            "{action} in {actions:?}"
        );
    }
}

async fn api_tokens_and_refresh_tokens_keep_working_without_a_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = enrolled(&app).await;
    let (_, created) = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&ada.token),
            json!({ "name": "script" }),
        )
        .await;
    let (_, pair) = token_with(&app, Some(&ada.code(&app))).await;

    let (with_api_token, _) = app
        .get_as("/api/v1/me", created["secret"].as_str().unwrap())
        .await;
    let (refreshed, _) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": pair["refresh_token"] }),
        )
        .await;
    let (session_without_code, _) = app
        .post(
            "/api/v1/auth/session",
            None,
            json!({ "email": EMAIL, "password": PASSWORD }),
        )
        .await;

    assert_eq!(with_api_token, 200);
    assert_eq!(refreshed, 200);
    assert_eq!(
        session_without_code, 401,
        "a browser session through the API needs the code too"
    );
}

/// The sign-in form, answered with the code page's redirect and the challenge cookie.
async fn password_step(web: &mut WebClient<'_>) -> crate::helpers::web::Page {
    web.get("/sign-in?next=%2Faccount%2Fprofile").await;
    let page = web
        .post(
            "/sign-in",
            &[
                ("email", EMAIL),
                ("password", PASSWORD),
                ("next", "/account/profile"),
            ],
        )
        .await;
    page.assert_redirect("/sign-in/two-factor");
    page
}

async fn the_web_sign_in_asks_for_the_code_after_the_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = enrolled(&app).await;
    let mut web = WebClient::new(&app);

    let to_code = password_step(&mut web).await;
    let no_session_yet = web.cookie("gogotime_session");
    let code_page = web.follow(to_code).await;
    let wrong = code_at(&ada.secret, app.clock_now() + 600);
    let refused = web
        .post(
            "/sign-in/two-factor",
            &[("code", &wrong), ("next", "/account/profile")],
        )
        .await;
    let right = ada.code(&app);
    let signed_in = web
        .post(
            "/sign-in/two-factor",
            &[("code", &right), ("next", "/account/profile")],
        )
        .await;
    let profile = web.get("/account/profile").await;

    let mut other = WebClient::new(&app);
    password_step(&mut other).await;
    let replayed = other
        .post("/sign-in/two-factor", &[("code", &right), ("next", "/")])
        .await;

    assert_eq!(no_session_yet, None, "no session before the second factor");
    assert_eq!(code_page.status, 200);
    code_page.assert_contains("autocomplete=\"one-time-code\"");
    assert_eq!(refused.status, 401);
    refused.assert_contains("class=\"field-error\" id=\"code-error\"");
    signed_in.assert_redirect("/account/profile");
    assert!(web.cookie("gogotime_session").is_some());
    assert!(
        web.cookie("gogotime_sign_in").is_none(),
        "the challenge is over"
    );
    assert_eq!(profile.status, 200);
    assert_eq!(replayed.status, 401, "the same code does not sign in twice");
    replayed.assert_contains("id=\"code-error\"");
}

async fn a_web_challenge_ends_after_five_wrong_codes_or_five_minutes(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = enrolled(&app).await;
    let mut web = WebClient::new(&app);
    let challenge_header = {
        web.get("/sign-in").await;
        let form_token = web.cookie("gogotime_form").unwrap();
        app.client
            .post(app.url("/sign-in"))
            .header("cookie", format!("gogotime_form={form_token}"))
            .form(&[
                ("_csrf", form_token.as_str()),
                ("email", EMAIL),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap()
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("gogotime_sign_in="))
    };

    let to_code = password_step(&mut web).await;
    web.follow(to_code).await;
    let wrong = code_at(&ada.secret, app.clock_now() + 600);
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let page = web.post("/sign-in/two-factor", &[("code", &wrong)]).await;
        statuses.push(page.status.as_u16());
        last = Some(page);
    }
    let ended = last.unwrap();
    let right_too_late = web
        .post("/sign-in/two-factor", &[("code", &ada.code(&app))])
        .await;

    let mut slow = WebClient::new(&app);
    let to_code = password_step(&mut slow).await;
    slow.follow(to_code).await;
    app.clock.advance(Duration::minutes(6));
    let expired = slow
        .post("/sign-in/two-factor", &[("code", &ada.code(&app))])
        .await;

    let cookie = challenge_header.expect("the password step sets the challenge cookie");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Max-Age=300"),
        "{cookie}"
    );
    assert_eq!(statuses, [401, 401, 401, 401, 303]);
    ended.assert_redirect("/sign-in");
    right_too_late.assert_redirect("/sign-in");
    assert!(web.cookie("gogotime_session").is_none());
    expired.assert_redirect("/sign-in");
    assert!(slow.cookie("gogotime_session").is_none());
}

async fn the_account_page_sets_up_two_factor_with_a_qr_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    web.set_up_instance("Ada", EMAIL, "Analytical Engines")
        .await;

    let off = web.get("/account/two-factor").await;
    let started = web.submit(&off.form("#start-form")).await;
    let setup = web.follow(started).await;
    let secret = setup
        .body
        .split("id=\"totp-secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the key is on the page")
        .to_string();
    let mut confirm = setup.form("#confirm-form");
    confirm.set("code", &code_at(&secret, app.clock_now() + 600));
    let refused = web.submit(&confirm).await;
    let mut confirm = refused.form("#confirm-form");
    confirm.set("code", &code_at(&secret, app.clock_now()));
    let on = web.submit(&confirm).await;
    let later = web.get("/account/two-factor").await;

    off.assert_contains("Two-factor sign-in is off.");
    off.assert_contains("href=\"/account/two-factor\" aria-current=\"page\"");
    assert_eq!(setup.status, 200);
    setup.assert_contains("<svg");
    assert!(!setup.body.contains("<?xml"));
    assert_eq!(refused.status, 422);
    refused.assert_contains("id=\"code-error\"");
    assert_eq!(on.status, 200);
    on.assert_contains("id=\"recovery-codes\"");
    on.assert_contains("Two-factor sign-in is on.");
    let codes = on.body.matches("<li>").count() - later.body.matches("<li>").count();
    assert_eq!(codes, 10, "ten recovery codes shown on this page only");
    assert!(!later.body.contains("id=\"recovery-codes\""));
    assert!(
        !later.body.contains(&secret),
        "the key is not shown once it is on"
    );
}

async fn an_operator_turns_two_factor_off_for_someone_locked_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = enrolled(&app).await;
    let url = app.database_url().to_string();

    let run = tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        crate::helpers::binary::run(
            &["user", "reset-two-factor", "--email", EMAIL],
            &[("DATABASE_URL", &url)],
            dir.path(),
        )
    })
    .await
    .unwrap();
    let (password_only, _) = token_with(&app, None).await;

    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.output()
            .contains("two-factor sign-in of ada@example.org is off")
    );
    assert_eq!(password_only, 200);
    let actions = audit_actions(&app, &ada).await;
    assert!(
        actions.contains(&"two_factor.reset_by_operator".to_string()),
        "{actions:?}"
    );
}
