//! Undoing a delete through the API: the entry comes back with its id and fields within ten
//! minutes, by its person or a manager, and never past a lock date or over a newer entry.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::{Org, TestUser};
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    a_deleted_entry_comes_back_with_its_id_and_fields_and_the_restore_is_audited,
    a_restore_after_ten_minutes_is_refused_with_a_clear_problem,
    only_the_entrys_person_or_a_manager_of_its_organization_may_restore_it,
    a_restore_respects_the_lock_date_and_refused_overlaps,
);

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn entry_path(org: &str, id: &str) -> String {
    format!("/api/v1/organizations/{org}/time-entries/{id}")
}

/// Creates a finished entry as `user`; its JSON.
async fn created(app: &TestApp, org: &Org, user: &TestUser, start: &str, end: &str) -> Value {
    let body = json!({"start": start, "end": end, "description": "Kept safe", "billable": true});
    let (status, e) = app
        .post(
            &format!("/api/v1/organizations/{}/time-entries", org.id),
            Some(&user.token),
            body,
        )
        .await;
    assert_eq!(status, 201, "{e}");
    e
}

async fn delete(app: &TestApp, org: &str, id: &str, user: &TestUser) {
    let (status, body) = app
        .call(
            Method::DELETE,
            &entry_path(org, id),
            Some(&user.token),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
}

async fn restore(app: &TestApp, org: &str, id: &str, user: &TestUser) -> (u16, Value) {
    let path = format!("{}/restore", entry_path(org, id));
    let (status, body) = app.call(Method::POST, &path, Some(&user.token), None).await;
    (status.as_u16(), body)
}

async fn a_deleted_entry_comes_back_with_its_id_and_fields_and_the_restore_is_audited(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.clock.set(t("2026-03-02T12:00:00Z"));
    let org = app.org_with_every_role().await;
    let e = created(
        &app,
        &org,
        &org.member,
        "2026-03-02T08:00:00Z",
        "2026-03-02T09:30:15Z",
    )
    .await;
    let id = e["id"].as_str().unwrap();
    app.clock.advance(Duration::minutes(1));
    delete(&app, &org.id, id, &org.member).await;
    let (gone, _) = app
        .get_as(&entry_path(&org.id, id), &org.member.token)
        .await;

    app.clock.advance(Duration::minutes(2));
    let (status, back) = restore(&app, &org.id, id, &org.member).await;
    let (found, again) = app
        .get_as(&entry_path(&org.id, id), &org.member.token)
        .await;
    let (twice, problem) = restore(&app, &org.id, id, &org.member).await;

    assert_eq!(gone, 404);
    assert_eq!(status, 200, "{back}");
    assert_eq!(found, 200);
    for field in [
        "id",
        "user_id",
        "description",
        "start",
        "end",
        "billable",
        "project_id",
        "task_id",
        "tags",
        "hourly_rate",
        "duration_seconds",
    ] {
        assert_eq!(back[field], e[field], "{field}");
        assert_eq!(again[field], e[field], "{field}");
    }
    assert_eq!(back["version"], 3, "created, deleted, restored");
    assert_eq!(back["updated_at"], "2026-03-02T12:03:00Z");
    assert_eq!(twice, 409);
    assert_eq!(
        problem["detail"],
        "This entry is not deleted; there is nothing to restore."
    );
    let actions = app.audit_actions(&org.id, &org.owner.token).await;
    assert_eq!(actions[0], "time_entry.restored", "{actions:?}");
}

async fn a_restore_after_ten_minutes_is_refused_with_a_clear_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(t("2026-03-02T12:00:00Z"));
    let org = app.org_with_every_role().await;
    let first = created(
        &app,
        &org,
        &org.member,
        "2026-03-02T08:00:00Z",
        "2026-03-02T09:00:00Z",
    )
    .await;
    let second = created(
        &app,
        &org,
        &org.member,
        "2026-03-02T10:00:00Z",
        "2026-03-02T11:00:00Z",
    )
    .await;
    let (first, second) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    delete(&app, &org.id, first, &org.member).await;
    delete(&app, &org.id, second, &org.member).await;

    app.clock.advance(Duration::minutes(10));
    let (in_time, _) = restore(&app, &org.id, first, &org.member).await;
    app.clock.advance(Duration::seconds(1));
    let (late, problem) = restore(&app, &org.id, second, &org.member).await;
    let (still_gone, _) = app
        .get_as(&entry_path(&org.id, second), &org.member.token)
        .await;

    assert_eq!(in_time, 200, "ten minutes to the second is still in time");
    assert_eq!(late, 409, "{problem}");
    assert_eq!(
        problem["detail"],
        "This entry was deleted at 2026-03-02T12:00:00+00:00, more than 10 minutes ago; a deleted entry can be restored only within 10 minutes."
    );
    assert_eq!(still_gone, 404);
}

async fn only_the_entrys_person_or_a_manager_of_its_organization_may_restore_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(t("2026-03-02T12:00:00Z"));
    let org = app.org_with_every_role().await;
    let owners = created(
        &app,
        &org,
        &org.owner,
        "2026-03-02T08:00:00Z",
        "2026-03-02T09:00:00Z",
    )
    .await;
    let members = created(
        &app,
        &org,
        &org.member,
        "2026-03-02T08:00:00Z",
        "2026-03-02T09:00:00Z",
    )
    .await;
    let (owners, members) = (
        owners["id"].as_str().unwrap(),
        members["id"].as_str().unwrap(),
    );
    delete(&app, &org.id, owners, &org.owner).await;
    delete(&app, &org.id, members, &org.member).await;
    let (_, theirs) = app
        .get_as("/api/v1/organizations", &org.outsider.token)
        .await;
    let elsewhere = theirs[0]["id"].as_str().unwrap();

    let (member_on_owners, _) = restore(&app, &org.id, owners, &org.member).await;
    let (outsider, _) = restore(&app, &org.id, members, &org.outsider).await;
    let (through_own_org, problem) = restore(&app, elsewhere, members, &org.outsider).await;
    let (manager_on_members, _) = restore(&app, &org.id, members, &org.manager).await;
    let (never_existed, _) = restore(
        &app,
        &org.id,
        "0190c8a8-0000-7000-8000-000000000000",
        &org.owner,
    )
    .await;

    assert_eq!(
        member_on_owners, 404,
        "another's entry is not even there for a member"
    );
    assert_eq!(outsider, 404);
    assert_eq!(through_own_org, 404, "{problem}");
    assert_eq!(
        problem["detail"],
        "There is no such time entry in this organization."
    );
    assert_eq!(manager_on_members, 200);
    assert_eq!(never_existed, 404);
}

async fn a_restore_respects_the_lock_date_and_refused_overlaps(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(t("2026-03-02T12:00:00Z"));
    let org = app.org_with_every_role().await;
    let old = created(
        &app,
        &org,
        &org.member,
        "2026-02-27T09:00:00Z",
        "2026-02-27T10:00:00Z",
    )
    .await;
    let old = old["id"].as_str().unwrap();
    delete(&app, &org.id, old, &org.member).await;
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/organizations/{}", org.id),
            Some(&org.owner.token),
            Some(json!({"lock_before": "2026-03-01", "allow_overlap": false})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let replaced = created(
        &app,
        &org,
        &org.member,
        "2026-03-02T08:00:00Z",
        "2026-03-02T09:00:00Z",
    )
    .await;
    delete(&app, &org.id, replaced["id"].as_str().unwrap(), &org.member).await;
    let newer = created(
        &app,
        &org,
        &org.member,
        "2026-03-02T08:30:00Z",
        "2026-03-02T09:30:00Z",
    )
    .await;

    let (member_locked, locked) = restore(&app, &org.id, old, &org.member).await;
    let (admin_locked, _) = restore(&app, &org.id, old, &org.admin).await;
    let (overlap, problem) =
        restore(&app, &org.id, replaced["id"].as_str().unwrap(), &org.member).await;

    assert_eq!(member_locked, 403, "{locked}");
    assert!(
        locked["detail"].as_str().unwrap().contains("2026-03-01"),
        "{locked}"
    );
    assert_eq!(admin_locked, 200, "admins may change locked entries");
    assert_eq!(overlap, 409, "{problem}");
    assert_eq!(
        problem["detail"],
        format!(
            "The entry cannot come back: it would overlap entry {} added since, and this organization does not allow overlapping entries.",
            newer["id"].as_str().unwrap()
        )
    );
}
