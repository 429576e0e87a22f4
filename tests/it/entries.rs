//! Time entries and the timer: arithmetic, rules, concurrency, bad input (both databases).

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::{Org, TestUser};
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    entries_store_utc_instants_and_derive_whole_second_durations,
    back_to_back_entries_never_overlap_and_overlaps_name_the_other_entry,
    end_before_start_absurd_dates_and_overlong_entries_are_refused,
    malformed_input_gets_problem_details,
    starting_a_timer_stops_the_running_one_at_the_same_instant,
    concurrent_timer_starts_leave_exactly_one_running_entry,
    a_timer_past_the_maximum_is_flagged_not_cut,
    a_timer_across_midnight_and_a_dst_change_counts_real_elapsed_seconds,
    stale_if_match_gets_412_with_the_current_entry,
    members_edit_their_own_entries_and_managers_everyones,
    the_lock_date_protects_old_entries_except_from_admins,
    projects_tasks_and_tags_are_checked_for_new_entries,
    rates_resolve_most_specific_first_and_history_keeps_its_rate,
    filters_and_cursor_pagination_walk_every_entry_once,
    deleted_entries_become_tombstones_for_sync,
    bulk_changes_are_all_or_nothing,
    deleting_a_project_in_use_needs_an_admin_and_force,
    continuing_an_entry_starts_a_new_timer_with_its_fields,
    a_timer_stopped_or_replaced_within_its_first_second_lasts_one_second,
);

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn p(org: &Org, rest: &str) -> String {
    format!("/api/v1/organizations/{}/{rest}", org.id)
}

async fn entry(app: &TestApp, org: &Org, user: &TestUser, body: Value) -> (u16, Value) {
    let (status, body) = app
        .post(&p(org, "time-entries"), Some(&user.token), body)
        .await;
    (status.as_u16(), body)
}

async fn settings(app: &TestApp, org: &Org, body: Value) {
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/organizations/{}", org.id),
            Some(&org.owner.token),
            Some(body),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn entries_store_utc_instants_and_derive_whole_second_durations(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;

    let (status, e) = entry(&app, &org, &org.member, json!({"start": "2026-03-01T10:00:00.900+01:00", "end": "2026-03-01T11:30:15+01:00", "description": "  Planning  "})).await;

    assert_eq!(status, 201, "{e}");
    assert_eq!(e["start"], "2026-03-01T09:00:00Z");
    assert_eq!(e["end"], "2026-03-01T10:30:15Z");
    assert_eq!(e["duration_seconds"], 5415);
    assert_eq!(e["description"], "Planning");
    assert_eq!(e["running"], false);
    assert_eq!(e["version"], 1);
    assert_eq!(e["user_id"], org.member.id.as_str());
}

async fn back_to_back_entries_never_overlap_and_overlaps_name_the_other_entry(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    settings(&app, &org, json!({"allow_overlap": false})).await;

    let (_, first) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"}),
    )
    .await;
    let (touching, _) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-02T10:00:00Z", "end": "2026-03-02T11:00:00Z"}),
    )
    .await;
    let (before, _) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-02T08:00:00Z", "end": "2026-03-02T09:00:00Z"}),
    )
    .await;
    let (overlap, problem) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-02T09:59:59Z", "end": "2026-03-02T10:30:00Z"}),
    )
    .await;
    let (other_person, _) = entry(
        &app,
        &org,
        &org.manager,
        json!({"start": "2026-03-02T09:30:00Z", "end": "2026-03-02T10:30:00Z"}),
    )
    .await;

    assert_eq!((touching, before), (201, 201));
    assert_eq!(overlap, 409);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(first["id"].as_str().unwrap()),
        "{problem}"
    );
    assert_eq!(other_person, 201, "the rule is per person");
}

async fn end_before_start_absurd_dates_and_overlong_entries_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let cases = [
        (
            json!({"start": "2026-03-01T10:00:00Z", "end": "2026-03-01T09:00:00Z"}),
            "end",
        ),
        (
            json!({"start": "2026-03-01T10:00:00Z", "end": "2026-03-01T10:00:00Z"}),
            "end",
        ),
        (
            json!({"start": "0000-01-01T10:00:00Z", "end": "0000-01-01T11:00:00Z"}),
            "start",
        ),
        (
            json!({"start": "9999-01-01T10:00:00Z", "end": "9999-01-01T11:00:00Z"}),
            "start",
        ),
        (
            json!({"start": "2026-03-01T10:00:00Z", "end": "2026-03-02T10:00:01Z"}),
            "end",
        ),
        (
            json!({"start": "2026-03-01T10:00:00Z", "end": "2026-03-01T11:00:00Z", "description": "d".repeat(5001)}),
            "description",
        ),
        (json!({"end": "2026-03-01T11:00:00Z"}), "start"),
    ];
    for (body, field) in cases {
        let (status, problem) = entry(&app, &org, &org.member, body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert!(problem["errors"][field].is_array(), "{body}: {problem}");
    }
    let (_, problem) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-01T10:00:00Z", "end": "2026-03-02T12:00:00Z"}),
    )
    .await;
    assert!(
        problem["errors"]["end"][0]
            .as_str()
            .unwrap()
            .contains("at most 24 hours"),
        "{problem}"
    );
    let (exactly_24, _) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-05T10:00:00Z", "end": "2026-03-06T10:00:00Z"}),
    )
    .await;
    assert_eq!(exactly_24, 201);
}

async fn malformed_input_gets_problem_details(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let url = app.url(&p(&org, "time-entries"));
    let send = |body: &'static str, content_type: &'static str| {
        app.client
            .post(&url)
            .bearer_auth(&org.member.token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let bad_time = send(r#"{"start": "yesterday at 9"}"#, "application/json")
        .await
        .unwrap();
    let bad_json = send(r#"{"start": "#, "application/json").await.unwrap();
    let bad_type = send(r#"{"start": "2026-03-01T09:00:00Z"}"#, "text/plain")
        .await
        .unwrap();
    let unknown_field = send(
        r#"{"start": "2026-03-01T09:00:00Z", "colour": 1}"#,
        "application/json",
    )
    .await
    .unwrap();
    let (bad_limit, _) = app
        .get_as(&p(&org, "time-entries?limit=501"), &org.member.token)
        .await;
    let (bad_from, problem) = app
        .get_as(&p(&org, "time-entries?from=2026-13-01"), &org.member.token)
        .await;
    let (bad_cursor, _) = app
        .get_as(&p(&org, "time-entries?cursor=garbage"), &org.member.token)
        .await;
    let (empty_id, empty_problem) = app
        .get_as(
            &p(&org, "time-entries?tag_id=&running=true"),
            &org.member.token,
        )
        .await;
    let (foreign_id, _) = app
        .get_as(
            &p(&org, "time-entries/0190c8a8-0000-7000-8000-000000000000"),
            &org.member.token,
        )
        .await;

    for (response, status) in [
        (bad_time, 422),
        (bad_json, 400),
        (bad_type, 415),
        (unknown_field, 422),
    ] {
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    assert_eq!(bad_limit, 422);
    assert_eq!(bad_from, 422);
    assert!(
        problem["errors"]["from"][0]
            .as_str()
            .unwrap()
            .contains("RFC 3339")
    );
    assert_eq!(bad_cursor, 422);
    assert_eq!(
        empty_id, 422,
        "an empty id is not 'no filter': {empty_problem}"
    );
    assert_eq!(
        empty_problem["errors"]["tag_id"][0],
        "is empty; give an id or leave tag_id out"
    );
    assert_eq!(foreign_id, 404);
}

async fn starting_a_timer_stops_the_running_one_at_the_same_instant(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let token = Some(org.member.token.as_str());

    let (none, _) = app.call(Method::GET, &p(&org, "timer"), token, None).await;
    let (s1, first) = app
        .call(Method::POST, &p(&org, "timer/start"), token, None)
        .await;
    app.clock.advance(Duration::minutes(10)); // inside the access token's 15 minutes
    let (s2, second) = app
        .post(
            &p(&org, "timer/start"),
            token,
            json!({"description": "Review"}),
        )
        .await;
    app.clock.advance(Duration::minutes(5));
    let member = app.sign_in("member@example.org").await; // a fresh access token
    let token = Some(member.token.as_str());
    let (_, running) = app.call(Method::GET, &p(&org, "timer"), token, None).await;
    let (stopped, stop) = app
        .call(Method::POST, &p(&org, "timer/stop"), token, None)
        .await;
    let (again, _) = app
        .call(Method::POST, &p(&org, "timer/stop"), token, None)
        .await;

    assert_eq!(none, 204);
    assert_eq!(
        (s1, s2),
        (reqwest::StatusCode::CREATED, reqwest::StatusCode::CREATED)
    );
    assert!(first["stopped"].is_null());
    assert_eq!(second["stopped"]["id"], first["started"]["id"]);
    assert_eq!(
        second["stopped"]["end"], second["started"]["start"],
        "stopped at the same instant the new one starts"
    );
    assert_eq!(second["stopped"]["duration_seconds"], 600);
    assert_eq!(running["id"], second["started"]["id"]);
    assert_eq!(running["duration_seconds"], 300);
    assert_eq!(running["exceeds_max_entry_hours"], false);
    assert_eq!(stopped, 200);
    assert_eq!(stop["duration_seconds"], 300);
    assert_eq!(again, 404);
}

async fn concurrent_timer_starts_leave_exactly_one_running_entry(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let url = app.url(&p(&org, "timer/start"));

    let starts: Vec<_> = (0..16)
        .map(|i| {
            let request = app
                .client
                .post(&url)
                .bearer_auth(&org.member.token)
                .json(&json!({"description": format!("start {i}")}));
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for start in starts {
        statuses.push(start.await.unwrap());
    }
    let (_, running) = app
        .get_as(&p(&org, "time-entries?running=true"), &org.member.token)
        .await;

    assert_eq!(
        running["items"].as_array().unwrap().len(),
        1,
        "statuses {statuses:?}"
    );
    // all started at the same (fixed) instant: later ones cannot stop an entry at its own start
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 422),
        "{statuses:?}"
    );
    assert!(statuses.contains(&201));
}

async fn a_timer_past_the_maximum_is_flagged_not_cut(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    settings(&app, &org, json!({"max_entry_hours": 10})).await;
    let token = Some(org.member.token.as_str());
    app.call(Method::POST, &p(&org, "timer/start"), token, None)
        .await;

    app.clock.advance(Duration::hours(11));
    let member = app.sign_in("member@example.org").await;
    let (_, running) = app.get_as(&p(&org, "timer"), &member.token).await;
    let (stop_now, problem) = app
        .call(
            Method::POST,
            &p(&org, "timer/stop"),
            Some(&member.token),
            None,
        )
        .await;
    let end = DateTime::parse_from_rfc3339(running["start"].as_str().unwrap()).unwrap()
        + Duration::hours(8);
    let (stop_earlier, stopped) = app
        .post(
            &p(&org, "timer/stop"),
            Some(&member.token),
            json!({"end": end.to_rfc3339()}),
        )
        .await;

    assert_eq!(running["exceeds_max_entry_hours"], true);
    assert_eq!(running["max_entry_hours"], 10);
    assert_eq!(running["duration_seconds"], 11 * 3600, "reported, not cut");
    assert_eq!(stop_now, 422);
    assert!(
        problem["errors"]["end"][0]
            .as_str()
            .unwrap()
            .contains("earlier end"),
        "{problem}"
    );
    assert_eq!(stop_earlier, 200);
    assert_eq!(stopped["duration_seconds"], 8 * 3600);
}

async fn a_timer_across_midnight_and_a_dst_change_counts_real_elapsed_seconds(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    app.call(
        Method::PATCH,
        "/api/v1/me",
        Some(&org.member.token),
        Some(json!({"time_zone": "Europe/Berlin"})),
    )
    .await;
    // Berlin leaves summer time on 2026-10-25 at 03:00 local: that night has 25 hours.
    app.clock.set(t("2026-10-24T21:30:00Z")); // 23:30 local (CEST)
    let member = app.sign_in("member@example.org").await;
    app.call(
        Method::POST,
        &p(&org, "timer/start"),
        Some(&member.token),
        None,
    )
    .await;

    app.clock.set(t("2026-10-25T02:30:00Z")); // 03:30 local (CET): 5 real hours later
    let member = app.sign_in("member@example.org").await;
    let (_, stopped) = app
        .call(
            Method::POST,
            &p(&org, "timer/stop"),
            Some(&member.token),
            None,
        )
        .await;

    assert_eq!(stopped["start"], "2026-10-24T21:30:00Z");
    assert_eq!(stopped["end"], "2026-10-25T02:30:00Z");
    assert_eq!(
        stopped["duration_seconds"],
        5 * 3600,
        "wall clocks say 4 h; 5 h really passed"
    );
}

async fn stale_if_match_gets_412_with_the_current_entry(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, e) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T10:00:00Z"}),
    )
    .await;
    let url = app.url(&p(
        &org,
        &format!("time-entries/{}", e["id"].as_str().unwrap()),
    ));

    let get = app
        .client
        .get(&url)
        .bearer_auth(&org.member.token)
        .send()
        .await
        .unwrap();
    let etag = get.headers()["etag"].to_str().unwrap().to_string();
    let first = app
        .client
        .patch(&url)
        .bearer_auth(&org.member.token)
        .header("if-match", &etag)
        .json(&json!({"description": "mine"}))
        .send()
        .await
        .unwrap();
    let new_etag = first.headers()["etag"].to_str().unwrap().to_string();
    let stale = app
        .client
        .patch(&url)
        .bearer_auth(&org.member.token)
        .header("if-match", &etag)
        .json(&json!({"description": "lost?"}))
        .send()
        .await
        .unwrap();
    let missing = app
        .client
        .patch(&url)
        .bearer_auth(&org.member.token)
        .json(&json!({"description": "x"}))
        .send()
        .await
        .unwrap();

    assert_eq!(etag, "\"1\"");
    assert_eq!(first.status(), 200);
    assert_eq!(new_etag, "\"2\"");
    assert_eq!(stale.status(), 412);
    let problem: Value = stale.json().await.unwrap();
    assert_eq!(problem["current"]["description"], "mine");
    assert_eq!(problem["current"]["version"], 2);
    assert_eq!(missing.status(), 428);
}

async fn members_edit_their_own_entries_and_managers_everyones(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, mine) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T10:00:00Z"}),
    )
    .await;
    let (_, managers) = entry(
        &app,
        &org,
        &org.manager,
        json!({"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T10:00:00Z"}),
    )
    .await;
    let path = |e: &Value| p(&org, &format!("time-entries/{}", e["id"].as_str().unwrap()));

    let (member_reads_other, _) = app.get_as(&path(&managers), &org.member.token).await;
    let (member_deletes_other, _) = app
        .call(
            Method::DELETE,
            &path(&managers),
            Some(&org.member.token),
            None,
        )
        .await;
    let (_, member_list) = app
        .get_as(&p(&org, "time-entries"), &org.member.token)
        .await;
    let (member_asks_other, _) = app
        .get_as(
            &p(&org, &format!("time-entries?user_id={}", org.manager.id)),
            &org.member.token,
        )
        .await;
    let (_, manager_list) = app
        .get_as(&p(&org, "time-entries"), &org.manager.token)
        .await;
    let (for_member, created) = entry(&app, &org, &org.manager, json!({"user_id": org.member.id, "start": "2026-03-03T09:00:00Z", "end": "2026-03-03T10:00:00Z"})).await;
    let (manager_deletes, _) = app
        .call(Method::DELETE, &path(&mine), Some(&org.manager.token), None)
        .await;
    let (outsider, _) = app.get_as(&path(&managers), &org.outsider.token).await;

    assert_eq!(member_reads_other, 404);
    assert_eq!(member_deletes_other, 404);
    assert_eq!(member_list["items"].as_array().unwrap().len(), 1);
    assert_eq!(member_asks_other, 403);
    assert_eq!(manager_list["items"].as_array().unwrap().len(), 2);
    assert_eq!(for_member, 201);
    assert_eq!(created["user_id"], org.member.id.as_str());
    assert_eq!(manager_deletes, 204);
    assert_eq!(outsider, 404);
}

async fn the_lock_date_protects_old_entries_except_from_admins(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, old) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-02-27T09:00:00Z", "end": "2026-02-27T10:00:00Z"}),
    )
    .await;
    settings(&app, &org, json!({"lock_before": "2026-03-01"})).await;
    let old_path = p(
        &org,
        &format!("time-entries/{}", old["id"].as_str().unwrap()),
    );

    let (create_locked, problem) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-02-28T23:00:00Z", "end": "2026-02-28T23:30:00Z"}),
    )
    .await;
    let (create_open, _) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-01T00:00:00Z", "end": "2026-03-01T00:30:00Z"}),
    )
    .await;
    let (manager_delete, _) = app
        .call(Method::DELETE, &old_path, Some(&org.manager.token), None)
        .await;
    let (admin_delete, _) = app
        .call(Method::DELETE, &old_path, Some(&org.admin.token), None)
        .await;

    assert_eq!(create_locked, 403);
    assert!(
        problem["detail"].as_str().unwrap().contains("2026-03-01"),
        "{problem}"
    );
    assert_eq!(create_open, 201, "the lock date itself is open");
    assert_eq!(manager_delete, 403);
    assert_eq!(admin_delete, 204);
}

async fn projects_tasks_and_tags_are_checked_for_new_entries(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let mgr = Some(org.manager.token.as_str());
    let (_, web) = app
        .post(
            &p(&org, "projects"),
            mgr,
            json!({"name": "Web", "billable_default": true}),
        )
        .await;
    let (_, other) = app
        .post(&p(&org, "projects"), mgr, json!({"name": "Other"}))
        .await;
    let (_, archived) = app
        .post(
            &p(&org, "projects"),
            mgr,
            json!({"name": "Old", "archived": true}),
        )
        .await;
    let (_, private) = app
        .post(
            &p(&org, "projects"),
            mgr,
            json!({"name": "Secret", "visibility": "private"}),
        )
        .await;
    let (_, task) = app
        .post(
            &p(
                &org,
                &format!("projects/{}/tasks", web["id"].as_str().unwrap()),
            ),
            mgr,
            json!({"name": "Design"}),
        )
        .await;
    let (_, tag) = app
        .post(&p(&org, "tags"), mgr, json!({"name": "urgent"}))
        .await;
    let (_, foreign_tag) = {
        let (_, orgs) = app
            .get_as("/api/v1/organizations", &org.outsider.token)
            .await;
        app.post(
            &format!(
                "/api/v1/organizations/{}/tags",
                orgs[0]["id"].as_str().unwrap()
            ),
            Some(&org.outsider.token),
            json!({"name": "theirs"}),
        )
        .await
    };
    let base = |extra: Value| {
        let mut body = json!({"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T10:00:00Z"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };

    let (ok, good) = entry(
        &app,
        &org,
        &org.member,
        base(
            json!({"project_id": web["id"], "task_id": task["id"], "tags": [tag["id"], tag["id"]]}),
        ),
    )
    .await;
    let (wrong_task, wrong_task_problem) = entry(
        &app,
        &org,
        &org.member,
        base(json!({"project_id": other["id"], "task_id": task["id"]})),
    )
    .await;
    let (task_alone, _) = entry(
        &app,
        &org,
        &org.member,
        base(json!({"task_id": task["id"]})),
    )
    .await;
    let (to_archived, _) = entry(
        &app,
        &org,
        &org.member,
        base(json!({"project_id": archived["id"]})),
    )
    .await;
    let (to_private, _) = entry(
        &app,
        &org,
        &org.member,
        base(json!({"project_id": private["id"]})),
    )
    .await;
    let (with_foreign_tag, _) = entry(
        &app,
        &org,
        &org.member,
        base(json!({"tags": [foreign_tag["id"]]})),
    )
    .await;
    let (unknown_project, _) = entry(
        &app,
        &org,
        &org.member,
        base(json!({"project_id": "0190c8a8-0000-7000-8000-000000000000"})),
    )
    .await;

    assert_eq!(ok, 201, "{good}");
    assert_eq!(
        good["billable"], true,
        "billable follows the project's default"
    );
    assert_eq!(
        good["tags"].as_array().unwrap().len(),
        1,
        "duplicate tags collapse"
    );
    assert_eq!(wrong_task, 422);
    assert_eq!(
        wrong_task_problem["errors"]["task_id"][0],
        "Choose a task of the selected project: this task belongs to another one."
    );
    assert_eq!(task_alone, 422);
    assert_eq!(to_archived, 422);
    assert_eq!(to_private, 422);
    assert_eq!(with_foreign_tag, 404);
    assert_eq!(unknown_project, 404);
}

async fn rates_resolve_most_specific_first_and_history_keeps_its_rate(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let admin = Some(org.admin.token.as_str());
    let (_, web) = app
        .post(&p(&org, "projects"), admin, json!({"name": "Web"}))
        .await;
    let web_id = web["id"].as_str().unwrap();
    let put = |path: String, rate: Value| {
        let app = &app;
        async move {
            app.call(
                Method::PUT,
                &path,
                admin,
                Some(json!({"hourly_rate": rate})),
            )
            .await
        }
    };
    let rate_of = |e: &Value| e["hourly_rate"].as_i64();
    let new_entry = |day: u32, project: Option<&str>| {
        let mut body = json!({"start": format!("2026-03-{day:02}T09:00:00Z"), "end": format!("2026-03-{day:02}T10:00:00Z")});
        if let Some(project) = project {
            body["project_id"] = json!(project);
        }
        body
    };

    let (_, none) = entry(&app, &org, &org.member, new_entry(1, Some(web_id))).await;
    put(p(&org, "rates/default"), json!(5000)).await;
    let (_, org_rate) = entry(&app, &org, &org.member, new_entry(2, Some(web_id))).await;
    put(
        p(&org, &format!("rates/members/{}", org.member.id)),
        json!(6000),
    )
    .await;
    let (_, member_rate) = entry(&app, &org, &org.member, new_entry(3, Some(web_id))).await;
    put(p(&org, &format!("rates/projects/{web_id}")), json!(7000)).await;
    let (_, project_rate) = entry(&app, &org, &org.member, new_entry(4, Some(web_id))).await;
    let (_, no_project) = entry(&app, &org, &org.member, new_entry(5, None)).await;
    let (status, table) = put(
        p(
            &org,
            &format!("rates/projects/{web_id}/members/{}", org.member.id),
        ),
        json!(8000),
    )
    .await;
    let (_, project_member_rate) = entry(&app, &org, &org.member, new_entry(6, Some(web_id))).await;
    let (_, first_again) = app
        .get_as(
            &p(
                &org,
                &format!("time-entries/{}", none["id"].as_str().unwrap()),
            ),
            &org.member.token,
        )
        .await;
    let (manager_rates, _) = app.get_as(&p(&org, "rates"), &org.manager.token).await;
    let (negative, _) = put(p(&org, "rates/default"), json!(-1)).await;
    let (recalc, result) = app
        .call(
            Method::POST,
            &p(
                &org,
                "time-entries/recalculate-rates?from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z",
            ),
            admin,
            None,
        )
        .await;
    let (_, recalculated) = app
        .get_as(
            &p(
                &org,
                &format!("time-entries/{}", none["id"].as_str().unwrap()),
            ),
            &org.member.token,
        )
        .await;

    assert_eq!(rate_of(&none), None);
    assert_eq!(rate_of(&org_rate), Some(5000));
    assert_eq!(rate_of(&member_rate), Some(6000));
    assert_eq!(rate_of(&project_rate), Some(7000));
    assert_eq!(
        rate_of(&no_project),
        Some(6000),
        "without a project the member rate applies"
    );
    assert_eq!(status, 200, "{table}");
    assert_eq!(rate_of(&project_member_rate), Some(8000));
    assert_eq!(
        rate_of(&first_again),
        None,
        "rate changes do not rewrite history"
    );
    assert_eq!(manager_rates, 403);
    assert_eq!(negative, 422);
    assert_eq!(recalc, 200, "{result}");
    assert_eq!(
        (result["matched"].as_i64(), result["updated"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        rate_of(&recalculated),
        Some(8000),
        "an explicit recalculation applies today's rates"
    );
}

async fn filters_and_cursor_pagination_walk_every_entry_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, web) = app
        .post(
            &p(&org, "projects"),
            Some(&org.manager.token),
            json!({"name": "Web"}),
        )
        .await;
    for day in 1..=12 {
        let mut body = json!({"start": format!("2026-04-{day:02}T09:00:00Z"), "end": format!("2026-04-{day:02}T10:00:00Z"), "description": format!("Day {day}"), "billable": day % 2 == 0});
        if day <= 4 {
            body["project_id"] = web["id"].clone();
        }
        entry(&app, &org, &org.member, body).await;
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = cursor
            .as_ref()
            .map_or("time-entries?limit=5&sort=start".to_string(), |c| {
                format!("time-entries?limit=5&sort=start&cursor={c}")
            });
        let (_, page) = app.get_as(&p(&org, &query), &org.member.token).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["description"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let count = |q: &str| {
        let app = &app;
        let token = org.member.token.clone();
        let path = p(&org, q);
        async move {
            app.get_as(&path, &token).await.1["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };

    assert_eq!(
        seen,
        (1..=12).map(|d| format!("Day {d}")).collect::<Vec<_>>()
    );
    assert_eq!(
        count("time-entries?from=2026-04-03T00:00:00Z&to=2026-04-05T00:00:00Z").await,
        2
    );
    assert_eq!(
        count(&format!(
            "time-entries?project_id[]={}",
            web["id"].as_str().unwrap()
        ))
        .await,
        4
    );
    assert_eq!(count("time-entries?billable=true").await, 6);
    assert_eq!(
        count("time-entries?q=day%201").await,
        4,
        "Day 1, 10, 11, 12"
    );
    assert_eq!(count("time-entries?running=true").await, 0);
    let (_, newest) = app
        .get_as(&p(&org, "time-entries?limit=1"), &org.member.token)
        .await;
    assert_eq!(
        newest["items"][0]["description"], "Day 12",
        "newest first by default"
    );
}

async fn deleted_entries_become_tombstones_for_sync(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let since = app.clock_now();
    let (_, e) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T10:00:00Z"}),
    )
    .await;
    app.call(
        Method::DELETE,
        &p(&org, &format!("time-entries/{}", e["id"].as_str().unwrap())),
        Some(&org.member.token),
        None,
    )
    .await;
    let since = DateTime::from_timestamp(since, 0)
        .unwrap()
        .to_rfc3339()
        .replace('+', "%2B");

    let (_, live) = app
        .get_as(&p(&org, "time-entries"), &org.member.token)
        .await;
    let (_, sync) = app
        .get_as(
            &p(&org, &format!("time-entries?updated_since={since}")),
            &org.member.token,
        )
        .await;

    assert_eq!(live["items"].as_array().unwrap().len(), 0);
    assert_eq!(sync["items"].as_array().unwrap().len(), 1);
    assert!(sync["items"][0]["deleted_at"].is_string(), "{sync}");
}

async fn bulk_changes_are_all_or_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, web) = app
        .post(
            &p(&org, "projects"),
            Some(&org.manager.token),
            json!({"name": "Web"}),
        )
        .await;
    let (_, a) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T10:00:00Z"}),
    )
    .await;
    let (_, b) = entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"}),
    )
    .await;
    let (_, other) = entry(
        &app,
        &org,
        &org.manager,
        json!({"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"}),
    )
    .await;
    let token = Some(org.member.token.as_str());

    let (failed, problem) = app
        .call(
            Method::PATCH,
            &p(&org, "time-entries"),
            token,
            Some(json!({"ids": [a["id"], other["id"]], "set": {"project_id": web["id"]}})),
        )
        .await;
    let (_, a_after) = app
        .get_as(
            &p(&org, &format!("time-entries/{}", a["id"].as_str().unwrap())),
            &org.member.token,
        )
        .await;
    let (ok, updated) = app.call(Method::PATCH, &p(&org, "time-entries"), token, Some(json!({"ids": [a["id"], b["id"]], "set": {"project_id": web["id"], "billable": true}}))).await;
    let (failed_delete, _) = app
        .call(
            Method::DELETE,
            &p(&org, "time-entries"),
            token,
            Some(json!({"ids": [a["id"], "0190c8a8-0000-7000-8000-000000000000"]})),
        )
        .await;
    let (_, still) = app
        .get_as(&p(&org, "time-entries"), &org.member.token)
        .await;
    let (deleted, _) = app
        .call(
            Method::DELETE,
            &p(&org, "time-entries"),
            token,
            Some(json!({"ids": [a["id"], b["id"]]})),
        )
        .await;
    let (empty, _) = app
        .call(
            Method::DELETE,
            &p(&org, "time-entries"),
            token,
            Some(json!({"ids": []})),
        )
        .await;

    assert_eq!(failed, 404);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Nothing was changed"),
        "{problem}"
    );
    assert!(
        a_after["project_id"].is_null(),
        "the failed bulk changed nothing"
    );
    assert_eq!(ok, 200);
    assert!(
        updated
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["project_id"] == web["id"] && e["version"] == 2)
    );
    assert_eq!(failed_delete, 404);
    assert_eq!(still["items"].as_array().unwrap().len(), 2);
    assert_eq!(deleted, 204);
    assert_eq!(empty, 422);
}

async fn deleting_a_project_in_use_needs_an_admin_and_force(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, web) = app
        .post(
            &p(&org, "projects"),
            Some(&org.manager.token),
            json!({"name": "Web"}),
        )
        .await;
    let (_, tag) = app
        .post(
            &p(&org, "tags"),
            Some(&org.manager.token),
            json!({"name": "t"}),
        )
        .await;
    let (_, e) = entry(&app, &org, &org.member, json!({"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T10:00:00Z", "project_id": web["id"], "tags": [tag["id"]]})).await;
    let project = p(&org, &format!("projects/{}", web["id"].as_str().unwrap()));
    let tag_path = p(&org, &format!("tags/{}", tag["id"].as_str().unwrap()));

    let (refused, problem) = app
        .call(Method::DELETE, &project, Some(&org.manager.token), None)
        .await;
    let (tag_refused, _) = app
        .call(Method::DELETE, &tag_path, Some(&org.manager.token), None)
        .await;
    let (manager_force, _) = app
        .call(
            Method::DELETE,
            &format!("{project}?force=true"),
            Some(&org.manager.token),
            None,
        )
        .await;
    let (admin_force, _) = app
        .call(
            Method::DELETE,
            &format!("{project}?force=true"),
            Some(&org.admin.token),
            None,
        )
        .await;
    let (_, kept) = app
        .get_as(
            &p(&org, &format!("time-entries/{}", e["id"].as_str().unwrap())),
            &org.member.token,
        )
        .await;

    assert_eq!(refused, 409);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("1 time entries"),
        "{problem}"
    );
    assert_eq!(tag_refused, 409);
    assert_eq!(manager_force, 409);
    assert_eq!(admin_force, 204);
    assert!(
        kept["project_id"].is_null(),
        "the entry keeps its time without the project: {kept}"
    );
    assert_eq!(kept["duration_seconds"], 3600);
}

async fn continuing_an_entry_starts_a_new_timer_with_its_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, web) = app
        .post(
            &p(&org, "projects"),
            Some(&org.manager.token),
            json!({"name": "Web"}),
        )
        .await;
    let (_, e) = entry(&app, &org, &org.member, json!({"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T10:00:00Z", "project_id": web["id"], "description": "Layout", "billable": false})).await;

    let (status, started) = app
        .call(
            Method::POST,
            &p(
                &org,
                &format!("time-entries/{}/continue", e["id"].as_str().unwrap()),
            ),
            Some(&org.member.token),
            None,
        )
        .await;

    assert_eq!(status, 201, "{started}");
    assert_eq!(started["started"]["running"], true);
    assert_eq!(started["started"]["description"], "Layout");
    assert_eq!(started["started"]["project_id"], web["id"]);
    assert_eq!(started["started"]["billable"], false);
    assert_ne!(started["started"]["id"], e["id"]);
}

async fn a_timer_stopped_or_replaced_within_its_first_second_lasts_one_second(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let token = Some(org.member.token.as_str());
    let (_, first) = app
        .call(Method::POST, &p(&org, "timer/start"), token, None)
        .await;
    // the clock stands still: a double click
    let (status, second) = app
        .call(Method::POST, &p(&org, "timer/start"), token, None)
        .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["stopped"]["id"], first["started"]["id"]);
    assert_eq!(second["stopped"]["duration_seconds"], 1);
    assert_eq!(second["started"]["start"], second["stopped"]["end"]);
    let (status, stopped) = app
        .call(Method::POST, &p(&org, "timer/stop"), token, None)
        .await;
    assert_eq!(status, 200, "{stopped}");
    assert_eq!(stopped["duration_seconds"], 1);
    // an explicit end is taken as given, and refused when it is not after the start
    app.call(Method::POST, &p(&org, "timer/start"), token, None)
        .await;
    let (status, refused) = app
        .post(
            &p(&org, "timer/stop"),
            token,
            json!({ "end": first["started"]["start"] }),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
}
