//! An organization that requires two-factor sign-in of its members (issue 18): who may turn the
//! requirement on, what a member without two-factor sign-in gets (403 from the API, the guided
//! setup on the pages) until they set it up, that it cannot be turned off while required, and
//! the audit trail.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::{Org, TestUser};
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::two_factor::{code_at, turn_on};

both_backends!(
    only_someone_with_two_factor_may_require_it,
    a_member_without_two_factor_is_refused_until_they_set_it_up,
    the_pages_take_a_member_without_two_factor_to_the_setup,
    lifting_the_requirement_lets_members_back_in_and_is_audited,
);

const REFUSAL: &str = "Analytical Engines requires two-factor sign-in of its members. Turn it on for your account (Account → Two-factor, at /account/two-factor), then try again.";

async fn set_requirement(
    app: &TestApp,
    org: &str,
    who: &TestUser,
    on: bool,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/organizations/{org}");
    let body = json!({ "require_two_factor": on });
    app.call(Method::PATCH, &path, Some(&who.token), Some(body))
        .await
}

/// The organization of every role, renamed so the refusal names it, with the owner's
/// two-factor sign-in on and the requirement set.
async fn required(app: &TestApp) -> Org {
    let org = app.org_with_every_role().await;
    let path = format!("/api/v1/organizations/{}", org.id);
    let body = json!({ "name": "Analytical Engines" });
    let (status, renamed) = app
        .call(Method::PATCH, &path, Some(&org.owner.token), Some(body))
        .await;
    assert_eq!(status, 200, "{renamed}");
    turn_on(app, &org.owner.token).await;
    let (status, set) = set_requirement(app, &org.id, &org.owner, true).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["require_two_factor"], json!(true), "{set}");
    org
}

async fn audit_actions(app: &TestApp, org: &Org) -> Vec<String> {
    app.audit_actions(&org.id, &org.owner.token).await
}

async fn only_someone_with_two_factor_may_require_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (status, refused) = set_requirement(&app, &org.id, &org.owner, true).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["errors"]["require_two_factor"][0],
        json!(
            "needs two-factor sign-in on your own account first: turn it on under Account → Two-factor, then require it of the members"
        ),
        "{refused}"
    );
    let (_, shown) = app
        .get_as(
            &format!("/api/v1/organizations/{}", org.id),
            &org.owner.token,
        )
        .await;
    assert_eq!(shown["require_two_factor"], json!(false), "{shown}");
    assert!(
        !audit_actions(&app, &org)
            .await
            .contains(&"organization.two_factor_required".to_string())
    );

    // a member's role does not allow it at all, two-factor or not
    turn_on(&app, &org.member.token).await;
    let (status, refused) = set_requirement(&app, &org.id, &org.member, true).await;
    assert_eq!(status, 403, "{refused}");
}

async fn a_member_without_two_factor_is_refused_until_they_set_it_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = required(&app).await;
    assert!(
        audit_actions(&app, &org)
            .await
            .contains(&"organization.two_factor_required".to_string())
    );

    // the owner, who has it, works as before
    let entries = format!("/api/v1/organizations/{}/time-entries", org.id);
    let projects = format!("/api/v1/organizations/{}/projects", org.id);
    let (status, page) = app.get_as(&entries, &org.owner.token).await;
    assert_eq!(status, 200, "{page}");

    // everyone else is refused, whatever their role, on the page read and on every other use case
    for who in [&org.admin, &org.manager, &org.member] {
        for path in [&entries, &projects] {
            let (status, refused) = app.get_as(path, &who.token).await;
            assert_eq!(status, 403, "{path}: {refused}");
            assert_eq!(refused["detail"], json!(REFUSAL), "{path}: {refused}");
        }
    }
    let body = json!({ "name": "Sneaked in" });
    let (status, refused) = app.post(&projects, Some(&org.member.token), body).await;
    assert_eq!(status, 403, "{refused}");
    let (_, listed) = app.get_as(&projects, &org.owner.token).await;
    assert!(!listed.to_string().contains("Sneaked in"), "{listed}");

    // the organization is still listed, and the account says who requires it
    let (status, mine) = app.get_as("/api/v1/organizations", &org.member.token).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine[0]["name"], json!("Analytical Engines"), "{mine}");
    let (_, state) = app.get_as("/api/v1/me/two-factor", &org.member.token).await;
    assert_eq!(
        state["required_by"],
        json!(["Analytical Engines"]),
        "{state}"
    );
    assert_eq!(state["enabled"], json!(false), "{state}");

    // set up, the member is let in at once (the next request, same token)
    let (secret, _) = turn_on(&app, &org.member.token).await;
    let (status, page) = app.get_as(&entries, &org.member.token).await;
    assert_eq!(status, 200, "{page}");

    // and cannot turn it off while the organization requires it
    let proof = json!({
        "current_password": crate::helpers::accounts::PASSWORD,
        "code": code_at(&secret, app.clock_now()),
    });
    let (status, refused) = app
        .post(
            "/api/v1/me/two-factor/disable",
            Some(&org.member.token),
            proof,
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(
        refused["detail"],
        json!(
            "Two-factor sign-in stays on: Analytical Engines requires it of its members. Leave it first, or ask an owner to stop requiring it."
        ),
        "{refused}"
    );
    let (_, state) = app.get_as("/api/v1/me/two-factor", &org.member.token).await;
    assert_eq!(state["enabled"], json!(true), "{state}");
}

async fn the_pages_take_a_member_without_two_factor_to_the_setup(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = required(&app).await;
    let mut web = WebClient::new(&app);
    web.sign_in("member@example.org").await;
    let projects = web.get(&format!("/o/{}/projects", org.id)).await;
    assert_eq!(projects.assert_redirect("/"), "/account/two-factor");
    let setup = web.get("/account/two-factor").await;
    assert_eq!(setup.status, StatusCode::OK);
    let notice = setup
        .text_of("#two-factor-required")
        .expect("the page says who requires it");
    assert_eq!(
        notice,
        "Analytical Engines requires two-factor sign-in of its members. Set it up here to continue; until then it stays closed to you."
    );

    // the guided setup on the page: start, enter the app's code, continue
    let started = web.submit(&setup.form("#start-form")).await;
    started.assert_redirect("/account/two-factor");
    let setup = web.get("/account/two-factor").await;
    let secret = setup.text_of("#totp-secret").expect("the key is shown");
    let mut confirm = setup.form("#confirm-form");
    confirm.set("code", &code_at(&secret, app.clock_now()));
    let done = web.submit(&confirm).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        done.text_of("#continue").as_deref(),
        Some("Continue to your organization")
    );
    assert!(done.text_of("#two-factor-required").is_none());
    let projects = web.get(&format!("/o/{}/projects", org.id)).await;
    assert_eq!(projects.status, StatusCode::OK, "{}", projects.body);
}

async fn lifting_the_requirement_lets_members_back_in_and_is_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = required(&app).await;
    let entries = format!("/api/v1/organizations/{}/time-entries", org.id);
    let (status, _) = app.get_as(&entries, &org.member.token).await;
    assert_eq!(status, 403);
    let (status, lifted) = set_requirement(&app, &org.id, &org.owner, false).await;
    assert_eq!(status, 200, "{lifted}");
    assert_eq!(lifted["require_two_factor"], json!(false), "{lifted}");
    let (status, page) = app.get_as(&entries, &org.member.token).await;
    assert_eq!(status, 200, "{page}");
    let actions = audit_actions(&app, &org).await;
    let required_at = actions
        .iter()
        .position(|a| a == "organization.two_factor_required");
    let lifted_at = actions
        .iter()
        .position(|a| a == "organization.two_factor_optional");
    // newest first
    assert!(
        matches!((lifted_at, required_at), (Some(l), Some(r)) if l < r),
        "{actions:?}"
    );
}
