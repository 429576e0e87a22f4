//! The organization and account pages through a browser without JavaScript: members and
//! invitations, settings, profile, password, API tokens and sessions.

use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::web::{Page, WebClient, html_unescape};
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    an_invited_person_joins_through_the_link_shown_once_and_appears_among_the_members,
    an_owner_changes_a_role_but_the_last_owner_cannot_step_down,
    an_admin_removes_a_member_and_revokes_an_invitation,
    settings_with_bad_values_come_back_with_inline_errors_and_good_ones_are_saved,
    a_profile_change_shows_the_new_time_zone,
    an_api_token_secret_is_shown_once_then_listed_without_it_until_revoked,
    changing_the_password_signs_out_and_the_new_password_works,
    signing_out_everywhere_ends_every_session_of_the_person,
    a_member_can_neither_open_the_settings_nor_change_roles,
    joining_or_creating_an_organization_replaces_the_session_id,
);

/// The session cookie over plain HTTP (the test server's).
const SESSION: &str = "gogotime_session";

/// The text between `start` and the next `end` after it.
fn between(page: &Page, start: &str, end: &str) -> String {
    let body = html_unescape(&page.body);
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} is not on the page:\n{body}"))
        + start.len();
    let to = body[from..].find(end).expect("the end marker") + from;
    body[from..to].trim().to_string()
}

/// Signs in through the web as a user of `org_with_every_role` and opens the members page.
async fn members_page_as<'a>(app: &'a TestApp, email: &str, org: &str) -> (WebClient<'a>, Page) {
    let mut web = WebClient::new(app);
    web.sign_in(email).await;
    let page = web.get(&format!("/o/{org}/members")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (web, page)
}

async fn role_of(app: &TestApp, org: &str, token: &str, email: &str) -> String {
    let (_, members) = app
        .get_as(&format!("/api/v1/organizations/{org}/members"), token)
        .await;
    let member = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .cloned()
        .unwrap_or(Value::Null);
    member["role"].as_str().unwrap_or("none").to_string()
}

async fn an_invited_person_joins_through_the_link_shown_once_and_appears_among_the_members(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut owner = WebClient::new(&app);
    let home = owner
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    let members = format!("{home}/members");
    owner.get(&members).await;

    let created = owner
        .post(
            &format!("{home}/invitations"),
            &[("email", "nina@example.org"), ("role", "manager")],
        )
        .await;
    let link = between(&created, "id=\"invite-link\">", "<");
    let token = link.split("/invite/").nth(1).expect("an invitation link");
    let again = owner.get(&members).await;
    let mut newcomer = WebClient::new(&app);
    let invite = newcomer.get(&format!("/invite/{token}")).await;
    let joined = newcomer
        .post(
            &format!("/invite/{token}"),
            &[
                ("name", "Nina New"),
                ("password", PASSWORD),
                ("time_zone", "Europe/Paris"),
            ],
        )
        .await;
    let profile = newcomer.get("/account/profile").await;
    let after = owner.get(&members).await;

    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert!(link.starts_with("http://localhost:8080/invite/"), "{link}");
    assert!(!again.body.contains(token), "the link is shown only once");
    again.assert_contains("nina@example.org");
    invite.assert_contains("Join Acme");
    joined.assert_redirect("/");
    profile.assert_contains("nina@example.org");
    after.assert_contains("Nina New");
    after.assert_contains("No invitation is waiting to be accepted.");
}

async fn an_owner_changes_a_role_but_the_last_owner_cannot_step_down(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (mut owner, _) = members_page_as(&app, "owner@example.org", &org.id).await;

    let changed = owner
        .post(
            &format!("/o/{}/members/{}/role", org.id, org.member.id),
            &[("role", "manager")],
        )
        .await;
    let notice = owner.follow(changed).await;
    let stepping_down = owner
        .post(
            &format!("/o/{}/members/{}/role", org.id, org.owner.id),
            &[("role", "admin")],
        )
        .await;

    notice.assert_contains("member is now manager.");
    assert_eq!(
        role_of(&app, &org.id, &org.owner.token, "member@example.org").await,
        "manager"
    );
    assert_eq!(stepping_down.status, StatusCode::UNPROCESSABLE_ENTITY);
    stepping_down.assert_contains("last owner");
    assert_eq!(
        role_of(&app, &org.id, &org.owner.token, "owner@example.org").await,
        "owner"
    );
}

async fn an_admin_removes_a_member_and_revokes_an_invitation(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    app.invite(&org.id, &org.owner, "later@example.org", "member")
        .await;
    let (mut admin, page) = members_page_as(&app, "admin@example.org", &org.id).await;
    let invitations = format!("/o/{}/invitations/", org.id);
    let invitation = between(&page, &format!("action=\"{invitations}"), "/revoke\"");

    let removed = admin
        .post(
            &format!("/o/{}/members/{}/remove", org.id, org.member.id),
            &[],
        )
        .await;
    let revoked = admin
        .post(&format!("{invitations}{invitation}/revoke"), &[])
        .await;
    let after = admin.follow(revoked).await;

    removed.assert_redirect(&format!("/o/{}/members", org.id));
    after.assert_contains("The invitation was revoked");
    assert!(!after.body.contains("member@example.org"), "{}", after.body);
    assert!(!after.body.contains("later@example.org"), "{}", after.body);
    assert!(
        !page.body.contains("Remove owner"),
        "an admin is not offered to remove the owner"
    );
}

async fn settings_with_bad_values_come_back_with_inline_errors_and_good_ones_are_saved(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    let settings = format!("{home}/settings");
    web.get(&settings).await;

    let bad = web
        .post(
            &settings,
            &[
                ("name", "Acme"),
                ("currency", "EURO"),
                ("default_rate", "85.50"),
                ("lock_before", ""),
                ("max_entry_hours", "0"),
            ],
        )
        .await;
    let good = web
        .post(
            &settings,
            &[
                ("name", "Acme Ltd"),
                ("currency", "usd"),
                ("default_rate", "85,5"),
                ("lock_before", "2026-01-01"),
                ("max_entry_hours", "12"),
            ],
        )
        .await;
    let saved = web.follow(good).await;
    let owner = app.sign_in("owner@example.org").await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;

    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"currency-error\"");
    bad.assert_contains("is not an ISO 4217 currency code");
    bad.assert_contains("id=\"max_entry_hours-error\"");
    bad.assert_contains("from 1 to 168");
    bad.assert_contains("value=\"EURO\"");
    bad.assert_contains("value=\"85.50\"");
    saved.assert_contains("Settings saved.");
    saved.assert_contains("value=\"USD\"");
    saved.assert_contains("now 85.50 USD");
    saved.assert_contains("value=\"2026-01-01\"");
    saved.assert_contains("Delete Acme Ltd");
    assert_eq!(orgs[0]["default_rate"], 8550);
    assert_eq!(
        orgs[0]["allow_overlap"], false,
        "an unticked box is sent as nothing"
    );
    assert_eq!(orgs[0]["max_entry_hours"], 12);
}

async fn a_profile_change_shows_the_new_time_zone(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    web.set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    web.get("/account/profile").await;

    let bad = web
        .post(
            "/account/profile",
            &[
                ("name", "Olivia"),
                ("time_zone", "Mars/Olympus"),
                ("week_start", "1"),
            ],
        )
        .await;
    let good = web
        .post(
            "/account/profile",
            &[
                ("name", "Olivia O."),
                ("time_zone", "America/New_York"),
                ("week_start", "7"),
            ],
        )
        .await;
    let saved = web.follow(good).await;

    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("is not an IANA time zone");
    bad.assert_contains("value=\"Mars/Olympus\"");
    saved.assert_contains("Profile saved.");
    saved.assert_contains("value=\"America/New_York\"");
    saved.assert_contains("<option value=\"7\" selected>Sunday</option>");
    saved.assert_contains("Olivia O.");
}

async fn an_api_token_secret_is_shown_once_then_listed_without_it_until_revoked(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    web.set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    web.get("/account/tokens").await;

    let created = web
        .post(
            "/account/tokens",
            &[("name", "Invoice script"), ("expires_in_days", "30")],
        )
        .await;
    let secret = between(&created, "id=\"new-token\">", "<");
    let (works, me) = app.get_as("/api/v1/me", &secret).await;
    let listed = web.get("/account/tokens").await;
    let revoke = between(&listed, "action=\"/account/tokens/", "\"");
    let revoked = web.post(&format!("/account/tokens/{revoke}"), &[]).await;
    let after = web.follow(revoked).await;
    let (refused, _) = app.get_as("/api/v1/me", &secret).await;

    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    created.assert_contains("it will not be shown again");
    assert_eq!(works, StatusCode::OK, "{me}");
    listed.assert_contains("Invoice script");
    assert!(
        !listed.body.contains(&secret),
        "the secret is shown only once"
    );
    after.assert_contains("Token “Invoice script” revoked");
    after.assert_contains("You have no API tokens yet.");
    assert_eq!(refused, StatusCode::UNAUTHORIZED);
}

async fn changing_the_password_signs_out_and_the_new_password_works(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    web.set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    web.get("/account/password").await;
    let new_password = "a different horse entirely";

    let wrong = web
        .post(
            "/account/password",
            &[
                ("current_password", "not it at all"),
                ("new_password", new_password),
            ],
        )
        .await;
    let changed = web
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
            ],
        )
        .await;
    let profile = web.get("/account/profile").await;
    web.get("/sign-in").await;
    let again = web
        .post(
            "/sign-in",
            &[("email", "owner@example.org"), ("password", new_password)],
        )
        .await;

    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("id=\"current_password-error\"");
    changed.assert_redirect("/sign-in");
    profile.assert_redirect("/sign-in");
    again.assert_redirect("/");
}

async fn signing_out_everywhere_ends_every_session_of_the_person(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut here = WebClient::new(&app);
    here.set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    let mut elsewhere = WebClient::new(&app);
    elsewhere.sign_in("owner@example.org").await;

    let sessions = here.get("/account/sessions").await;
    let out = here.post("/account/sessions/revoke-all", &[]).await;
    let here_after = here.get("/account/profile").await;
    let elsewhere_after = elsewhere.get("/account/profile").await;

    assert_eq!(
        sessions
            .body
            .matches("<span class=\"badge\">this browser</span>")
            .count(),
        1
    );
    assert_eq!(sessions.body.matches("End session").count(), 1);
    out.assert_redirect("/sign-in");
    here_after.assert_redirect("/sign-in");
    elsewhere_after.assert_redirect("/sign-in");
}

async fn a_member_can_neither_open_the_settings_nor_change_roles(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (mut member, list) = members_page_as(&app, "member@example.org", &org.id).await;
    let (mut admin, _) = members_page_as(&app, "admin@example.org", &org.id).await;

    let settings = member.get(&format!("/o/{}/settings", org.id)).await;
    let demote = member
        .post(
            &format!("/o/{}/members/{}/role", org.id, org.manager.id),
            &[("role", "member")],
        )
        .await;
    let admin_settings = admin.get(&format!("/o/{}/settings", org.id)).await;

    assert_eq!(settings.status, StatusCode::FORBIDDEN);
    settings.assert_contains("Only admins and owners");
    assert!(!list.body.contains("Change role"), "read-only for members");
    assert!(!list.body.contains("Invite someone"), "{}", list.body);
    list.assert_contains("manager@example.org");
    assert_eq!(demote.status, StatusCode::FORBIDDEN);
    assert_eq!(
        role_of(&app, &org.id, &org.owner.token, "manager@example.org").await,
        "manager"
    );
    assert_eq!(admin_settings.status, StatusCode::OK);
    assert!(
        !admin_settings.body.contains("Delete organization"),
        "deleting is for owners"
    );
}

/// More access means a new session id (no fixation): the id from before the change stops
/// working, the new one carries on; a refused change keeps the session as it was.
async fn joining_or_creating_an_organization_replaces_the_session_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let token = app
        .invite(&org.id, &org.owner, "outsider@example.org", "manager")
        .await;
    let mut person = WebClient::new(&app);
    person.sign_in("outsider@example.org").await;
    let signed_in = person.cookie(SESSION).expect("a session after signing in");

    person.get(&format!("/invite/{token}")).await;
    let joined = person.post(&format!("/invite/{token}"), &[]).await;
    joined.assert_redirect(&format!("/o/{}", org.id));
    let after_joining = person.cookie(SESSION).expect("a session after joining");
    let org_home = person.follow(joined).await;

    person.get("/orgs/new").await;
    let refused = person
        .post("/orgs/new", &[("name", ""), ("currency", "EUR")])
        .await;
    let after_refusal = person.cookie(SESSION);
    let created = person
        .post("/orgs/new", &[("name", "Second Ltd"), ("currency", "EUR")])
        .await;
    created.assert_redirect("/o/");
    let after_creating = person.cookie(SESSION).expect("a session after creating");
    let new_home = person.follow(created).await;

    assert_ne!(after_joining, signed_in);
    assert_eq!(org_home.status, StatusCode::OK, "{}", org_home.body);
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(after_refusal.as_deref(), Some(after_joining.as_str()));
    assert_ne!(after_creating, after_joining);
    assert_eq!(new_home.status, StatusCode::OK, "{}", new_home.body);
    new_home.assert_contains("Second Ltd is ready.");
    for stale in [signed_in, after_joining] {
        let mut replay = WebClient::new(&app);
        replay.set_cookie(SESSION, &stale);
        replay
            .get("/account/profile")
            .await
            .assert_redirect("/sign-in");
    }
    let sessions = person.get("/account/sessions").await;
    assert_eq!(
        sessions.body.matches("/revoke\"").count(),
        1,
        "one session, replaced twice, not three:\n{}",
        sessions.body
    );
}
