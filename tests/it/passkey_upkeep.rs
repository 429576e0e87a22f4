//! Passkeys after they are made (issue 18's leftovers): renaming one on the Passkeys page and
//! through `PATCH /api/v1/me/passkeys/{id}` (the name rule of their creation, someone else's
//! passkey not found, `passkey.renamed` audited), expired ceremonies swept when the next one
//! starts, and the second-factor page offering only the factors the person has.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::TestUser;
use crate::helpers::web::{Page, WebClient};
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::passkeys::{
    EMAIL, ORIGIN, ada, add_passkey, authenticator, password_step, with_passkey,
};
use gogotime::db::Db;

both_backends!(
    a_passkey_is_renamed_on_its_page_under_the_rule_of_its_creation,
    the_api_renames_a_passkey_and_refuses_bad_names_and_other_peoples_passkeys,
    expired_ceremonies_are_swept_when_the_next_one_starts,
    the_second_factor_page_offers_the_code_field_only_with_an_authenticator_app,
);

/// The names no passkey may take, with the message each is refused with.
fn bad_names() -> Vec<(String, &'static str)> {
    vec![
        (
            "   ".into(),
            "is missing: name the passkey after the device or app that keeps it, like \"Laptop\"",
        ),
        ("x".repeat(201), "must be at most 200 characters"),
        ("Lap\u{7}top".into(), "must not contain control characters"),
    ]
}

/// The id of the first passkey on a Passkeys page (from its rename form).
fn first_id(page: &Page) -> String {
    let marker = "action=\"/account/passkeys/";
    let start = page.body.find(marker).expect("a passkey row") + marker.len();
    page.body[start..].split('/').next().unwrap().to_string()
}

async fn security_events(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, events) = app.get_as("/api/v1/me/security-events", token).await;
    assert_eq!(status, 200, "{events}");
    events.as_array().unwrap().clone()
}

async fn a_passkey_is_renamed_on_its_page_under_the_rule_of_its_creation(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, _) = ada(&app).await;
    let mut web = WebClient::new(&app);
    web.sign_in(EMAIL).await;
    add_passkey(&mut web, "Laptop").await;
    let list = web.get("/account/passkeys").await;
    let id = first_id(&list);
    let path = format!("/account/passkeys/{id}/rename");

    let renamed = web.post(&path, &[("name", "  Work laptop  ")]).await;
    renamed.assert_redirect("/account/passkeys");
    let listed = web.follow(renamed).await;
    let mut refusals = Vec::new();
    for (name, message) in bad_names() {
        refusals.push((web.post(&path, &[("name", &name)]).await, name, message));
    }
    app.sign_up("bob@example.org", None).await;
    let mut bob = WebClient::new(&app);
    bob.sign_in("bob@example.org").await;
    bob.get("/account/passkeys").await;
    let not_bobs = bob.post(&path, &[("name", "Mine now")]).await;
    let after = web.get("/account/passkeys").await;

    assert_eq!(
        listed.text_of("table.data tbody td").as_deref(),
        Some("Work laptop")
    );
    assert_eq!(
        listed.text_of("p.notice").as_deref(),
        Some("Passkey renamed to \"Work laptop\".")
    );
    assert!(
        listed.body.contains(&format!(
            "id=\"rename-{id}\" name=\"name\" value=\"Work laptop\""
        )),
        "{}",
        listed.body
    );
    for (page, name, message) in refusals {
        assert_eq!(page.status, 422, "{name:?}: {}", page.body);
        let sentence = format!("New name {message}.");
        assert_eq!(
            page.text_of("#new_name-error").as_deref(),
            Some(sentence.as_str()),
            "{name:?}"
        );
        assert_eq!(
            page.text_of("table.data tbody td").as_deref(),
            Some("Work laptop")
        );
        assert!(page.body.contains("aria-describedby=\"new_name-error\""));
        assert!(
            !page.body.contains("id=\"name-error\""),
            "the add form is not marked"
        );
    }
    assert_eq!(not_bobs.status, 404, "{}", not_bobs.body);
    assert_eq!(
        after.text_of("table.data tbody td").as_deref(),
        Some("Work laptop")
    );
    let renames: Vec<Value> = security_events(&app, &user.token)
        .await
        .into_iter()
        .filter(|e| e["action"] == "passkey.renamed")
        .collect();
    assert_eq!(renames.len(), 1, "{renames:?}");
    assert_eq!(
        renames[0]["detail"],
        json!({ "passkey": id, "from": "Laptop", "to": "Work laptop" })
    );
}

/// Registers a passkey named `name` through the API; its JSON.
async fn api_passkey(app: &TestApp, user: &TestUser, name: &str) -> Value {
    let (status, options) = app
        .post(
            "/api/v1/me/passkeys/options",
            Some(&user.token),
            json!({ "name": name }),
        )
        .await;
    assert_eq!(status, 200, "{options}");
    let made = authenticator("create", json!({ "origin": ORIGIN, "options": options }));
    let (status, passkey) = app
        .post(
            "/api/v1/me/passkeys",
            Some(&user.token),
            json!({ "credential": made["response"] }),
        )
        .await;
    assert_eq!(status, 201, "{passkey}");
    passkey
}

async fn the_api_renames_a_passkey_and_refuses_bad_names_and_other_peoples_passkeys(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (user, _) = ada(&app).await;
    let passkey = api_passkey(&app, &user, "Script key").await;
    let path = format!("/api/v1/me/passkeys/{}", passkey["id"].as_str().unwrap());
    let bob = app.sign_up("bob@example.org", None).await;
    let rename = |token: String, path: String, body: Value| {
        let app = &app;
        async move {
            app.call(Method::PATCH, &path, Some(&token), Some(body))
                .await
        }
    };

    let (_, before) = app.get_as("/api/v1/me/passkeys", &user.token).await;
    let (status, renamed) = rename(
        user.token.clone(),
        path.clone(),
        json!({ "name": " CI key " }),
    )
    .await;
    let (_, listed) = app.get_as("/api/v1/me/passkeys", &user.token).await;
    let mut refusals = Vec::new();
    for (name, message) in bad_names() {
        let (status, problem) =
            rename(user.token.clone(), path.clone(), json!({ "name": name })).await;
        refusals.push((status, problem, message));
    }
    let (bobs, bobs_problem) = rename(
        bob.token.clone(),
        path.clone(),
        json!({ "name": "Mine now" }),
    )
    .await;
    let unknown = "/api/v1/me/passkeys/01a23000-0000-7000-8000-000000000000".to_string();
    let (nobodys, _) = rename(user.token.clone(), unknown, json!({ "name": "Ghost" })).await;
    let (_, after) = app.get_as("/api/v1/me/passkeys", &user.token).await;

    assert_eq!(status, 200, "{renamed}");
    assert_eq!(
        renamed,
        json!({
            "id": passkey["id"],
            "name": "CI key",
            "created_at": before[0]["created_at"],
            "last_used_at": null,
        })
    );
    assert_eq!(listed, json!([renamed]));
    for (status, problem, message) in refusals {
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"]["name"], json!([message]), "{problem}");
    }
    assert_eq!(bobs, 404, "{bobs_problem}");
    assert_eq!(bobs_problem["detail"], "You have no passkey with this id.");
    assert_eq!(nobodys, 404);
    assert_eq!(
        after,
        json!([renamed]),
        "nothing but the first rename changed"
    );
    let actions: Vec<Value> = security_events(&app, &user.token)
        .await
        .into_iter()
        .filter(|e| e["action"] == "passkey.renamed")
        .map(|e| e["detail"].clone())
        .collect();
    assert_eq!(
        actions,
        [json!({ "passkey": passkey["id"], "from": "Script key", "to": "CI key" })]
    );
}

async fn ceremonies(app: &TestApp) -> i64 {
    let sql = "select count(*) from passkey_ceremonies";
    match &app.db {
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Sqlite(pool, _) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

async fn start_sign_in(app: &TestApp) {
    let (status, options) = app
        .post("/api/v1/auth/passkey/options", None, json!({}))
        .await;
    assert_eq!(status, 200, "{options}");
}

async fn expired_ceremonies_are_swept_when_the_next_one_starts(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, _) = ada(&app).await;
    // begun and never answered: a registration and two sign-ins
    let (status, _) = app
        .post(
            "/api/v1/me/passkeys/options",
            Some(&user.token),
            json!({ "name": "Abandoned" }),
        )
        .await;
    assert_eq!(status, 200);
    start_sign_in(&app).await;
    start_sign_in(&app).await;
    app.clock.advance(chrono::Duration::minutes(3));
    start_sign_in(&app).await;
    let all_live = ceremonies(&app).await;

    // the first three have waited their 5 minutes; the fourth has 2 left
    app.clock.advance(chrono::Duration::minutes(3));
    start_sign_in(&app).await;
    let after = ceremonies(&app).await;

    assert_eq!(all_live, 4, "none had expired yet");
    assert_eq!(
        after, 2,
        "the expired three are gone, the live one and the new one stay"
    );
}

/// The second-factor page after Ada's right password.
async fn second_factor_page(app: &TestApp, email: &str) -> Page {
    let mut web = WebClient::new(app);
    password_step(&mut web, email).await;
    web.get("/sign-in/two-factor?next=%2Faccount%2Fprofile")
        .await
}

/// The actions of the page's forms, in order.
fn forms(page: &Page) -> Vec<String> {
    let html = scraper::Html::parse_document(&page.body);
    let selector = scraper::Selector::parse("main form").unwrap();
    html.select(&selector)
        .filter_map(|f| f.value().attr("action").map(str::to_string))
        .collect()
}

async fn the_second_factor_page_offers_the_code_field_only_with_an_authenticator_app(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (_, user, _) = with_passkey(&app).await;
    let only_passkey = second_factor_page(&app, EMAIL).await;
    crate::two_factor::turn_on(&app, &user.token).await;
    let both = second_factor_page(&app, EMAIL).await;
    let bob = app.sign_up("bob@example.org", None).await;
    crate::two_factor::turn_on(&app, &bob.token).await;
    let only_app = second_factor_page(&app, "bob@example.org").await;

    assert_eq!(only_passkey.status, 200, "{}", only_passkey.body);
    assert_eq!(
        only_passkey.text_of("h1").as_deref(),
        Some("Confirm with your passkey")
    );
    assert_eq!(
        only_passkey.text_of("main p").as_deref(),
        Some(
            "Your password was right. Your second factor is a passkey: use it to finish \
             signing in. There is no code to enter, as you have no authenticator app set up."
        )
    );
    assert_eq!(forms(&only_passkey), ["/sign-in/two-factor/passkey"]);
    assert!(!only_passkey.body.contains("name=\"code\""));
    only_passkey.assert_contains(
        "<button type=\"submit\" class=\"primary\" autofocus>Use a passkey</button>",
    );

    assert_eq!(both.text_of("h1").as_deref(), Some("Two-factor code"));
    assert_eq!(
        both.text_of("main p").as_deref(),
        Some(
            "Enter the 6-digit code your authenticator app shows for GoGoTime. Lost the app? \
             Enter one of your recovery codes instead. Have a passkey? Use it below."
        )
    );
    assert_eq!(
        forms(&both),
        ["/sign-in/two-factor", "/sign-in/two-factor/passkey"]
    );

    assert_eq!(
        only_app.text_of("main p").as_deref(),
        Some(
            "Enter the 6-digit code your authenticator app shows for GoGoTime. Lost the app? \
             Enter one of your recovery codes instead."
        )
    );
    assert_eq!(forms(&only_app), ["/sign-in/two-factor"]);
}
