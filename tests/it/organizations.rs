//! Organizations, members, roles, invitations and the audit log.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::{Backend, spawn_app};

both_backends!(
    the_last_owner_can_be_neither_demoted_nor_removed,
    only_owners_grant_or_take_the_owner_role,
    an_unknown_role_is_a_422,
    invitations_are_single_use_and_expire_after_seven_days,
    a_failed_acceptance_leaves_nothing_half_written,
    a_signed_in_person_accepts_an_invitation_for_their_own_email_only,
    members_may_leave_but_not_remove_others,
    the_audit_log_records_who_did_what_newest_first_in_pages,
    organizations_are_created_renamed_and_validated,
    an_organization_is_created_with_the_settings_given,
    client_addresses_come_from_x_forwarded_for_only_behind_trusted_proxies,
);

async fn the_last_owner_can_be_neither_demoted_nor_removed(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let path = format!("/api/v1/organizations/{}/members/{}", org.id, org.owner.id);

    let (demote, problem) = app
        .call(
            Method::PATCH,
            &path,
            Some(&org.owner.token),
            Some(json!({"role": "admin"})),
        )
        .await;
    let (remove, _) = app
        .call(Method::DELETE, &path, Some(&org.owner.token), None)
        .await;
    let (promote, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/organizations/{}/members/{}", org.id, org.admin.id),
            Some(&org.owner.token),
            Some(json!({"role": "owner"})),
        )
        .await;
    let (demote_now, _) = app
        .call(
            Method::PATCH,
            &path,
            Some(&org.owner.token),
            Some(json!({"role": "admin"})),
        )
        .await;

    assert_eq!(demote, 409);
    assert!(
        problem["detail"].as_str().unwrap().contains("last owner"),
        "{problem}"
    );
    assert_eq!(remove, 409);
    assert_eq!(promote, 200);
    assert_eq!(
        demote_now, 200,
        "with a second owner the first may step down"
    );
}

async fn only_owners_grant_or_take_the_owner_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let member = format!("/api/v1/organizations/{}/members/{}", org.id, org.member.id);
    let owner = format!("/api/v1/organizations/{}/members/{}", org.id, org.owner.id);

    let (grant, _) = app
        .call(
            Method::PATCH,
            &member,
            Some(&org.admin.token),
            Some(json!({"role": "owner"})),
        )
        .await;
    let (take, _) = app
        .call(
            Method::PATCH,
            &owner,
            Some(&org.admin.token),
            Some(json!({"role": "member"})),
        )
        .await;
    let (invite_owner, _) = app
        .post(
            &format!("/api/v1/organizations/{}/invitations", org.id),
            Some(&org.admin.token),
            json!({"email": "x@example.org", "role": "owner"}),
        )
        .await;
    let (promote, body) = app
        .call(
            Method::PATCH,
            &member,
            Some(&org.admin.token),
            Some(json!({"role": "manager"})),
        )
        .await;

    assert_eq!(
        (grant, take, invite_owner),
        (
            reqwest::StatusCode::FORBIDDEN,
            reqwest::StatusCode::FORBIDDEN,
            reqwest::StatusCode::FORBIDDEN
        )
    );
    assert_eq!(promote, 200);
    assert_eq!(body["role"], "manager");
}

async fn an_unknown_role_is_a_422(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;

    let (status, problem) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/organizations/{}/members/{}", org.id, org.member.id),
            Some(&org.owner.token),
            Some(json!({"role": "superuser"})),
        )
        .await;

    assert_eq!(status, 422);
    assert!(
        problem["errors"]["role"][0]
            .as_str()
            .unwrap()
            .contains("not a role")
    );
}

async fn invitations_are_single_use_and_expire_after_seven_days(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("owner@example.org", None).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    let first = app.invite(&org, &owner, "bob@example.org", "manager").await;
    let second = app
        .invite(&org, &owner, "carol@example.org", "member")
        .await;
    let account = json!({"name": "Bob", "password": PASSWORD});

    let (accepted, joined) = app
        .post(
            &format!("/api/v1/invitations/{first}/accept"),
            None,
            account.clone(),
        )
        .await;
    let (reused, _) = app
        .post(
            &format!("/api/v1/invitations/{first}/accept"),
            None,
            account.clone(),
        )
        .await;
    app.clock.advance(Duration::days(7) + Duration::seconds(1));
    let (expired, problem) = app
        .post(
            &format!("/api/v1/invitations/{second}/accept"),
            None,
            account,
        )
        .await;
    let (forged, _) = app
        .post(
            "/api/v1/invitations/ggi_not-a-token/accept",
            None,
            json!({}),
        )
        .await;

    assert_eq!(accepted, 201, "{joined}");
    assert_eq!(joined["role"], "manager");
    assert_eq!(reused, 404);
    assert_eq!(expired, 404);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("expired")),
        "{problem}"
    );
    assert_eq!(forged, 404);
    let owner = app.sign_in("owner@example.org").await; // the earlier access token expired with the clock
    let (_, invitations) = app
        .get_as(
            &format!("/api/v1/organizations/{org}/invitations"),
            &owner.token,
        )
        .await;
    assert_eq!(
        invitations.as_array().unwrap().len(),
        1,
        "the accepted invitation is no longer open: {invitations}"
    );
}

async fn a_failed_acceptance_leaves_nothing_half_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("owner@example.org", None).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    let token = app.invite(&org, &owner, "bob@example.org", "member").await;

    let (status, problem) = app
        .post(
            &format!("/api/v1/invitations/{token}/accept"),
            None,
            json!({"name": "Bob", "password": "short"}),
        )
        .await;
    let (retry, _) = app
        .post(
            &format!("/api/v1/invitations/{token}/accept"),
            None,
            json!({"name": "Bob", "password": PASSWORD}),
        )
        .await;

    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"]["password"].is_array());
    assert_eq!(
        retry, 201,
        "the invitation stayed open and no account was left behind"
    );
}

async fn a_signed_in_person_accepts_an_invitation_for_their_own_email_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("owner@example.org", None).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    let bob = app.sign_up("bob@example.org", Some("Bob's shop")).await;
    let eve = app.sign_up("eve@example.org", None).await;
    let token = app.invite(&org, &owner, "BOB@example.org", "admin").await;

    let (wrong_person, _) = app
        .post(
            &format!("/api/v1/invitations/{token}/accept"),
            Some(&eve.token),
            json!({}),
        )
        .await;
    let anonymous = app
        .post(
            &format!("/api/v1/invitations/{token}/accept"),
            None,
            json!({"name": "B", "password": PASSWORD}),
        )
        .await;
    let (accepted, joined) = app
        .call(
            Method::POST,
            &format!("/api/v1/invitations/{token}/accept"),
            Some(&bob.token),
            None,
        )
        .await;
    let (_, bobs_orgs) = app.get_as("/api/v1/organizations", &bob.token).await;

    assert_eq!(wrong_person, 403);
    assert_eq!(
        anonymous.0, 409,
        "an existing account must sign in to accept: {}",
        anonymous.1
    );
    assert_eq!(accepted, 201, "{joined}");
    assert_eq!(joined["role"], "admin");
    assert_eq!(bobs_orgs.as_array().unwrap().len(), 2);
}

async fn members_may_leave_but_not_remove_others(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let members = format!("/api/v1/organizations/{}/members", org.id);

    let (remove_other, _) = app
        .call(
            Method::DELETE,
            &format!("{members}/{}", org.manager.id),
            Some(&org.member.token),
            None,
        )
        .await;
    let (leave, _) = app
        .call(
            Method::DELETE,
            &format!("{members}/{}", org.member.id),
            Some(&org.member.token),
            None,
        )
        .await;
    let (after, _) = app.get_as(&members, &org.member.token).await;

    assert_eq!(remove_other, 403);
    assert_eq!(leave, 204);
    assert_eq!(
        after, 404,
        "a former member sees the organization as absent"
    );
}

async fn the_audit_log_records_who_did_what_newest_first_in_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    app.token_for("member@example.org", "wrong password!").await;
    app.call(
        Method::PATCH,
        &format!("/api/v1/organizations/{}/members/{}", org.id, org.member.id),
        Some(&org.owner.token),
        Some(json!({"role": "manager"})),
    )
    .await;
    let (_, token) = app
        .post(
            "/api/v1/me/api-tokens",
            Some(&org.member.token),
            json!({"name": "laptop"}),
        )
        .await;
    app.call(
        Method::DELETE,
        &format!("/api/v1/me/api-tokens/{}", token["id"].as_str().unwrap()),
        Some(&org.member.token),
        None,
    )
    .await;
    app.call(
        Method::DELETE,
        &format!(
            "/api/v1/organizations/{}/members/{}",
            org.id, org.manager.id
        ),
        Some(&org.owner.token),
        None,
    )
    .await;
    let log = format!("/api/v1/organizations/{}/audit-log", org.id);

    let (_, all) = app
        .get_as(&format!("{log}?limit=200"), &org.owner.token)
        .await;
    let actions: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    let (_, first_page) = app
        .get_as(&format!("{log}?limit=2"), &org.owner.token)
        .await;
    let cursor = first_page["next_cursor"].as_str().unwrap();
    let (_, second_page) = app
        .get_as(&format!("{log}?limit=2&before={cursor}"), &org.owner.token)
        .await;
    let (bad_limit, _) = app
        .get_as(&format!("{log}?limit=1000"), &org.owner.token)
        .await;

    assert_eq!(
        &actions[..5],
        [
            "member.removed",
            "api_token.revoked",
            "api_token.created",
            "member.role_changed",
            "sign_in.failed"
        ]
    );
    for expected in [
        "invitation.created",
        "member.added",
        "sign_in.succeeded",
        "organization.created",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let removed = &all["items"][0];
    assert_eq!(removed["actor_user_id"], org.owner.id.as_str());
    assert_eq!(removed["target_user_id"], org.manager.id.as_str());
    assert_eq!(removed["ip"], "127.0.0.1");
    assert_eq!(first_page["items"].as_array().unwrap().len(), 2);
    assert_eq!(second_page["items"][0]["action"], actions[2]);
    assert_eq!(bad_limit, 422);
}

async fn organizations_are_created_renamed_and_validated(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("ada@example.org", None).await;

    let (created, org) = app
        .post(
            "/api/v1/organizations",
            Some(&ada.token),
            json!({"name": "Side project", "currency": "usd"}),
        )
        .await;
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    let (renamed, after) = app
        .call(
            Method::PATCH,
            &path,
            Some(&ada.token),
            Some(json!({"name": "Side business"})),
        )
        .await;
    let (invalid, problem) = app
        .call(
            Method::PATCH,
            &path,
            Some(&ada.token),
            Some(json!({"currency": "XYZ", "name": ""})),
        )
        .await;
    let (unknown_field, _) = app
        .call(
            Method::PATCH,
            &path,
            Some(&ada.token),
            Some(json!({"colour": "red"})),
        )
        .await;
    let (malformed_id, _) = app
        .get_as("/api/v1/organizations/not-a-uuid", &ada.token)
        .await;

    assert_eq!(created, 201);
    assert_eq!(
        (org["currency"].as_str(), org["role"].as_str()),
        (Some("USD"), Some("owner"))
    );
    assert_eq!(renamed, 200);
    assert_eq!(after["name"], "Side business");
    assert_eq!(invalid, 422);
    assert!(
        problem["errors"]["currency"].is_array() && problem["errors"]["name"].is_array(),
        "{problem}"
    );
    assert_eq!(unknown_field, 422);
    assert_eq!(malformed_id, 404);
}

/// The create took the same fields as the update but ignored all but name and currency.
async fn an_organization_is_created_with_the_settings_given(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("ada@example.org", None).await;
    let settings = json!({"name": "Studio", "currency": "JPY", "default_rate": 5000,
        "allow_overlap": false, "lock_before": "2026-01-01", "max_entry_hours": 12,
        "usual_day_hours": 6});

    let (created, org) = app
        .post("/api/v1/organizations", Some(&ada.token), settings)
        .await;
    let (refused, problem) = app
        .post(
            "/api/v1/organizations",
            Some(&ada.token),
            json!({"name": "", "max_entry_hours": 4, "usual_day_hours": 8}),
        )
        .await;
    let (_, listed) = app.get_as("/api/v1/organizations", &ada.token).await;

    assert_eq!(created, 201, "{org}");
    let stored = json!([
        org["default_rate"],
        org["allow_overlap"],
        org["lock_before"],
        org["max_entry_hours"],
        org["usual_day_hours"]
    ]);
    assert_eq!(stored, json!([5000, false, "2026-01-01", 12, 6]), "{org}");
    assert_eq!(refused, 422);
    assert_eq!(
        problem["errors"],
        json!({"name": ["is required"],
            "usual_day_hours": ["is 8, longer than the longest entry (4 hours); a usual day fits in one entry"]})
    );
    // the one from sign-up and Studio: nothing of the refused one was stored
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
}

async fn client_addresses_come_from_x_forwarded_for_only_behind_trusted_proxies(backend: Backend) {
    let behind_proxy = crate::helpers::spawn_app_with(backend, |env| {
        crate::helpers::set(env, "GOGOTIME_TRUSTED_PROXIES", "127.0.0.0/8")
    })
    .await;
    let direct = spawn_app(backend).await;
    let mut seen = Vec::new();

    for app in [&behind_proxy, &direct] {
        let ada = app.sign_up("ada@example.org", None).await;
        let (_, orgs) = app.get_as("/api/v1/organizations", &ada.token).await;
        app.client
            .post(app.url("/api/v1/auth/token"))
            .header("x-forwarded-for", "203.0.113.7")
            .json(&json!({"email": "ada@example.org", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let (_, log) = app
            .get_as(
                &format!(
                    "/api/v1/organizations/{}/audit-log",
                    orgs[0]["id"].as_str().unwrap()
                ),
                &ada.token,
            )
            .await;
        seen.push(log["items"][0]["ip"].as_str().unwrap().to_string());
    }

    assert_eq!(
        seen,
        ["203.0.113.7", "127.0.0.1"],
        "only a trusted proxy may name the client"
    );
}
