//! Golden reports with a fixed clock: local days and weeks across DST changes (Europe/Berlin,
//! America/New_York), midnight-crossing entries, month ends, every rounding mode, multi-tag
//! entries and amounts from the rate hierarchy — on SQLite and PostgreSQL.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::{Org, TestUser};
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    days_split_at_local_midnight_and_dst_days_have_23_or_25_hours,
    weeks_start_on_the_callers_week_start_and_months_split_at_their_end,
    every_rounding_mode_applies_per_entry_and_totals_sum_rounded_entries,
    an_entry_with_several_tags_counts_fully_under_each,
    amounts_follow_the_rate_hierarchy_and_subgroups_add_up,
    members_report_on_their_own_time_only,
    bad_parameters_are_named,
    the_detailed_report_pages_and_the_weekly_matrix_adds_up,
    saved_and_shared_reports_show_exactly_what_was_shared,
    database_sums_equal_the_split_in_rust_across_dst_and_midnight_with_rounding,
);

fn p(org: &Org, rest: &str) -> String {
    format!("/api/v1/organizations/{}/{rest}", org.id)
}

async fn entry(app: &TestApp, org: &Org, user: &TestUser, body: Value) -> Value {
    let (status, body) = app
        .post(&p(org, "time-entries"), Some(&user.token), body)
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn report(
    app: &TestApp,
    org: &Org,
    user: &TestUser,
    kind: &str,
    query: &str,
) -> (u16, Value) {
    let (status, body) = app
        .get_as(&p(org, &format!("reports/{kind}?{query}")), &user.token)
        .await;
    (status.as_u16(), body)
}

async fn summary(app: &TestApp, org: &Org, user: &TestUser, query: &str) -> Value {
    let (status, body) = report(app, org, user, "summary", query).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

/// (label, seconds) of each group.
fn groups(report: &Value) -> Vec<(String, i64)> {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["label"].as_str().unwrap().to_string(),
                g["seconds"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn g(label: &str, seconds: i64) -> (String, i64) {
    (label.to_string(), seconds)
}

async fn allow_long_entries(app: &TestApp, org: &Org) {
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/organizations/{}", org.id),
            Some(&org.owner.token),
            Some(json!({"max_entry_hours": 48})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn days_split_at_local_midnight_and_dst_days_have_23_or_25_hours(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    allow_long_entries(&app, &org).await;
    let m = &org.member;
    // 22:00–02:00 in Berlin (UTC+1 in January)
    entry(&app, &org, m, json!({"start": "2026-01-14T21:00:00Z", "end": "2026-01-15T01:00:00Z", "description": "night"})).await;
    // the whole of 29 March 2026 in Berlin (23 hours) and of 25 October (25 hours)
    entry(&app, &org, m, json!({"start": "2026-03-28T23:00:00Z", "end": "2026-03-29T22:00:00Z", "description": "spring"})).await;
    entry(&app, &org, m, json!({"start": "2026-10-24T22:00:00Z", "end": "2026-10-25T23:00:00Z", "description": "autumn"})).await;
    // the whole of 8 March 2026 in New York (23 hours) and of 1 November (25 hours)
    entry(&app, &org, m, json!({"start": "2026-03-08T05:00:00Z", "end": "2026-03-09T04:00:00Z", "description": "nyspring"})).await;
    entry(&app, &org, m, json!({"start": "2026-11-01T04:00:00Z", "end": "2026-11-02T05:00:00Z", "description": "nyautumn"})).await;

    let berlin = "tz=Europe/Berlin&group=day";
    let night = summary(
        &app,
        &org,
        m,
        &format!("{berlin}&from=2026-01-14&to=2026-01-15&q=night"),
    )
    .await;
    assert_eq!(
        groups(&night),
        vec![g("Wed 14 Jan 2026", 7200), g("Thu 15 Jan 2026", 7200)]
    );
    assert_eq!(
        night["totals"],
        json!({"seconds": 14400, "amount": 0, "entries": 1})
    );
    assert_eq!(night["groups"][0]["entries"], 1);
    assert_eq!(night["groups"][1]["entries"], 1);
    // only the part inside the range counts
    let half = summary(
        &app,
        &org,
        m,
        &format!("{berlin}&from=2026-01-15&to=2026-01-15"),
    )
    .await;
    assert_eq!(groups(&half), vec![g("Thu 15 Jan 2026", 7200)]);

    let spring = summary(
        &app,
        &org,
        m,
        &format!("{berlin}&from=2026-03-29&to=2026-03-29&q=spring"),
    )
    .await;
    assert_eq!(groups(&spring), vec![g("Sun 29 Mar 2026", 23 * 3600)]);
    let autumn = summary(
        &app,
        &org,
        m,
        &format!("{berlin}&from=2026-10-25&to=2026-10-25&q=autumn"),
    )
    .await;
    assert_eq!(groups(&autumn), vec![g("Sun 25 Oct 2026", 25 * 3600)]);

    let ny = "tz=America/New_York&group=day";
    let spring = summary(
        &app,
        &org,
        m,
        &format!("{ny}&from=2026-03-08&to=2026-03-08&q=nyspring"),
    )
    .await;
    assert_eq!(groups(&spring), vec![g("Sun 8 Mar 2026", 23 * 3600)]);
    let autumn = summary(
        &app,
        &org,
        m,
        &format!("{ny}&from=2026-11-01&to=2026-11-01&q=nyautumn"),
    )
    .await;
    assert_eq!(groups(&autumn), vec![g("Sun 1 Nov 2026", 25 * 3600)]);
    assert_eq!(autumn["time_zone"], "America/New_York");
    // the same New York entry seen from Berlin spans two Berlin days
    let seen_from_berlin = summary(
        &app,
        &org,
        m,
        &format!("{berlin}&from=2026-11-01&to=2026-11-02&q=nyautumn"),
    )
    .await;
    assert_eq!(
        groups(&seen_from_berlin),
        vec![
            g("Sun 1 Nov 2026", 19 * 3600),
            g("Mon 2 Nov 2026", 6 * 3600)
        ]
    );
}

async fn weeks_start_on_the_callers_week_start_and_months_split_at_their_end(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let m = &org.member;
    // Sunday 18 January 2026, and one across the end of January (UTC)
    entry(&app, &org, m, json!({"start": "2026-01-18T10:00:00Z", "end": "2026-01-18T11:00:00Z", "description": "sunday"})).await;
    entry(&app, &org, m, json!({"start": "2026-01-31T23:00:00Z", "end": "2026-02-01T01:00:00Z", "description": "month end"})).await;

    let weeks = summary(
        &app,
        &org,
        m,
        "tz=UTC&group=week&from=2026-01-01&to=2026-01-31&q=sunday",
    )
    .await;
    assert_eq!(groups(&weeks), vec![g("Week of Mon 12 Jan 2026", 3600)]);
    assert_eq!(weeks["week_start"], 1);
    let (status, _) = app
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&m.token),
            Some(json!({"week_start": 7})),
        )
        .await;
    assert_eq!(status, 200);
    let weeks = summary(
        &app,
        &org,
        m,
        "tz=UTC&group=week&from=2026-01-01&to=2026-01-31&q=sunday",
    )
    .await;
    assert_eq!(groups(&weeks), vec![g("Week of Sun 18 Jan 2026", 3600)]);

    let months = summary(
        &app,
        &org,
        m,
        "tz=UTC&group=month&from=2026-01-01&to=2026-02-28&q=month",
    )
    .await;
    assert_eq!(
        groups(&months),
        vec![g("January 2026", 3600), g("February 2026", 3600)]
    );
    assert_eq!(months["groups"][0]["key"], "2026-01-01");
    let years = summary(
        &app,
        &org,
        m,
        "tz=UTC&group=year&from=2026-01-01&to=2026-12-31",
    )
    .await;
    assert_eq!(groups(&years), vec![g("2026", 3 * 3600)]);
    // in Tokyo the month-end entry lies wholly in February
    let tokyo = summary(
        &app,
        &org,
        m,
        "tz=Asia/Tokyo&group=month&from=2026-01-01&to=2026-02-28&q=month",
    )
    .await;
    assert_eq!(groups(&tokyo), vec![g("February 2026", 7200)]);
}

async fn every_rounding_mode_applies_per_entry_and_totals_sum_rounded_entries(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let m = &org.member;
    // 7:30 and 22:30
    entry(
        &app,
        &org,
        m,
        json!({"start": "2026-02-02T09:00:00Z", "end": "2026-02-02T09:07:30Z"}),
    )
    .await;
    entry(
        &app,
        &org,
        m,
        json!({"start": "2026-02-02T10:00:00Z", "end": "2026-02-02T10:22:30Z"}),
    )
    .await;
    let base = "tz=UTC&group=day&from=2026-02-02&to=2026-02-02";
    for (rounding, minutes, expected) in [
        ("none", "", 1800),
        ("up", "15", 900 + 1800),
        ("down", "15", 900),
        ("nearest", "15", 900 + 1800),
        ("up", "1", 480 + 1380),
        ("down", "5", 300 + 1200),
        ("nearest", "6", 360 + 1440),
        ("up", "10", 600 + 1800),
        ("nearest", "30", 1800),
        ("up", "60", 7200),
        ("down", "60", 0),
    ] {
        let report = summary(
            &app,
            &org,
            m,
            &format!("{base}&rounding={rounding}&rounding_minutes={minutes}"),
        )
        .await;
        assert_eq!(
            report["totals"]["seconds"], expected,
            "{rounding} {minutes}"
        );
        assert_eq!(
            report["groups"][0]["seconds"], expected,
            "{rounding} {minutes}"
        );
        assert_eq!(report["rounding"]["mode"], rounding);
    }
    // stored entries are untouched
    let plain = summary(&app, &org, m, base).await;
    assert_eq!(plain["totals"]["seconds"], 1800);
    assert_eq!(plain["rounding"], json!({"mode": "none", "minutes": 1}));
}

async fn an_entry_with_several_tags_counts_fully_under_each(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, a) = app
        .post(
            &p(&org, "tags"),
            Some(&org.manager.token),
            json!({"name": "alpha"}),
        )
        .await;
    let (_, b) = app
        .post(
            &p(&org, "tags"),
            Some(&org.manager.token),
            json!({"name": "beta"}),
        )
        .await;
    let m = &org.member;
    entry(&app, &org, m, json!({"start": "2026-02-03T09:00:00Z", "end": "2026-02-03T10:00:00Z", "tags": [a["id"], b["id"]]})).await;
    entry(
        &app,
        &org,
        m,
        json!({"start": "2026-02-03T11:00:00Z", "end": "2026-02-03T11:30:00Z", "tags": [a["id"]]}),
    )
    .await;
    entry(
        &app,
        &org,
        m,
        json!({"start": "2026-02-03T12:00:00Z", "end": "2026-02-03T12:15:00Z"}),
    )
    .await;
    let report = summary(
        &app,
        &org,
        m,
        "tz=UTC&group=tag&from=2026-02-03&to=2026-02-03",
    )
    .await;
    assert_eq!(
        groups(&report),
        vec![g("alpha", 5400), g("beta", 3600), g("No tag", 900)]
    );
    assert_eq!(
        report["totals"],
        json!({"seconds": 6300, "amount": 0, "entries": 3})
    );
    assert_eq!(report["entries_count_under_each_tag"], true);
    let by_day = summary(
        &app,
        &org,
        m,
        "tz=UTC&group=day&subgroup=tag&from=2026-02-03&to=2026-02-03",
    )
    .await;
    assert_eq!(by_day["groups"][0]["seconds"], 6300);
    assert_eq!(by_day["groups"][0]["subgroups"][0]["label"], "alpha");
    let tagged = summary(
        &app,
        &org,
        m,
        &format!(
            "tz=UTC&group=project&from=2026-02-03&to=2026-02-03&tag_id={}",
            b["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(tagged["totals"]["seconds"], 3600);
    assert_eq!(tagged["entries_count_under_each_tag"], false);
}

async fn amounts_follow_the_rate_hierarchy_and_subgroups_add_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let admin = Some(org.admin.token.as_str());
    let (_, client) = app
        .post(&p(&org, "clients"), admin, json!({"name": "Acme"}))
        .await;
    let (_, web) = app
        .post(
            &p(&org, "projects"),
            admin,
            json!({"name": "Web", "client_id": client["id"]}),
        )
        .await;
    let web_id = web["id"].as_str().unwrap();
    let put = |path: String, rate: i64| {
        let app = &app;
        async move {
            let (status, body) = app
                .call(
                    Method::PUT,
                    &path,
                    admin,
                    Some(json!({"hourly_rate": rate})),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    };
    put(p(&org, "rates/default"), 5000).await;
    put(p(&org, &format!("rates/projects/{web_id}")), 8000).await;
    put(
        p(
            &org,
            &format!("rates/projects/{web_id}/members/{}", org.member.id),
        ),
        10000,
    )
    .await;
    let day = |h: u32, m: u32| format!("2026-02-04T{h:02}:{m:02}:00Z");
    // member on Web: 1:30 at 100.00 = 150.00; manager on Web: 0:45 at 80.00 = 60.00;
    // manager without a project: 1:00 at 50.00; a non-billable hour counts time, not money
    entry(
        &app,
        &org,
        &org.member,
        json!({"start": day(9, 0), "end": day(10, 30), "project_id": web_id, "billable": true}),
    )
    .await;
    entry(
        &app,
        &org,
        &org.manager,
        json!({"start": day(9, 0), "end": day(9, 45), "project_id": web_id, "billable": true}),
    )
    .await;
    entry(
        &app,
        &org,
        &org.manager,
        json!({"start": day(10, 0), "end": day(11, 0), "billable": true}),
    )
    .await;
    entry(
        &app,
        &org,
        &org.manager,
        json!({"start": day(11, 0), "end": day(12, 0), "project_id": web_id, "billable": false}),
    )
    .await;

    let report = summary(
        &app,
        &org,
        &org.manager,
        "tz=UTC&group=project&subgroup=user&from=2026-02-04&to=2026-02-04",
    )
    .await;
    assert_eq!(report["currency"], "EUR");
    assert_eq!(
        report["totals"],
        json!({"seconds": 5400 + 2700 + 3600 + 3600, "amount": 15000 + 6000 + 5000, "entries": 4})
    );
    let web_group = &report["groups"][0];
    assert_eq!(web_group["label"], "Web");
    assert_eq!(web_group["amount"], 21000);
    let per_user: i64 = web_group["subgroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(per_user, 21000, "sub-groups add up to their group");
    assert_eq!(report["groups"][1]["label"], "No project");
    assert_eq!(report["groups"][1]["amount"], 5000);
    let by_client = summary(
        &app,
        &org,
        &org.manager,
        "tz=UTC&group=client&from=2026-02-04&to=2026-02-04",
    )
    .await;
    assert_eq!(
        groups(&by_client),
        vec![g("Acme", 5400 + 2700 + 3600), g("No client", 3600)]
    );
    // rounding up to the hour changes the money too: 2 h × 100 + 1 h × 80 + 1 h × 50
    let rounded = summary(
        &app,
        &org,
        &org.manager,
        "tz=UTC&group=billable&from=2026-02-04&to=2026-02-04&rounding=up&rounding_minutes=60",
    )
    .await;
    assert_eq!(
        groups(&rounded),
        vec![g("Billable", 4 * 3600), g("Not billable", 3600)]
    );
    assert_eq!(rounded["totals"]["amount"], 20000 + 8000 + 5000);
}

async fn members_report_on_their_own_time_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    entry(
        &app,
        &org,
        &org.member,
        json!({"start": "2026-02-05T09:00:00Z", "end": "2026-02-05T10:00:00Z"}),
    )
    .await;
    entry(
        &app,
        &org,
        &org.manager,
        json!({"start": "2026-02-05T09:00:00Z", "end": "2026-02-05T11:00:00Z"}),
    )
    .await;
    let q = "tz=UTC&group=user&from=2026-02-05&to=2026-02-05";
    let mine = summary(&app, &org, &org.member, q).await;
    assert_eq!(mine["totals"]["seconds"], 3600);
    assert_eq!(mine["groups"].as_array().unwrap().len(), 1);
    let (status, body) = report(
        &app,
        &org,
        &org.member,
        "summary",
        &format!("{q}&user_id={}", org.manager.id),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let everyone = summary(&app, &org, &org.manager, q).await;
    assert_eq!(everyone["totals"]["seconds"], 3 * 3600);
    assert_eq!(groups(&everyone).len(), 2);
    let (status, _) = report(&app, &org, &org.outsider, "summary", q).await;
    assert_eq!(
        status, 404,
        "other organizations' reports do not exist for outsiders"
    );
}

async fn bad_parameters_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (status, body) = report(
        &app,
        &org,
        &org.member,
        "summary",
        "from=2026-02-10&to=2026-02-01&group=planet&tz=Mars/Olympus&rounding=sideways",
    )
    .await;
    assert_eq!(status, 422, "{body}");
    for field in ["to", "group", "tz", "rounding"] {
        assert!(body["errors"][field].is_array(), "{field} is named: {body}");
    }
    let (status, body) = report(&app, &org, &org.member, "summary", "group=day").await;
    assert_eq!(status, 422);
    assert!(
        body["errors"]["from"].is_array() && body["errors"]["to"].is_array(),
        "{body}"
    );
    let (status, body) = report(
        &app,
        &org,
        &org.member,
        "summary",
        "from=2026-01-01&to=2026-01-02&group=day&subgroup=day",
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["subgroup"].is_array(), "{body}");
    let (status, _) = report(
        &app,
        &org,
        &org.member,
        "summary",
        "from=2020-01-01&to=2026-01-02&group=day",
    )
    .await;
    assert_eq!(status, 422, "a report covers at most three years");
    let (status, body) = report(
        &app,
        &org,
        &org.member,
        "summary",
        "from=2026-01-01&to=2026-01-02&group=day&rounding=up&rounding_minutes=7",
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["rounding"].is_array(), "{body}");
}

async fn the_detailed_report_pages_and_the_weekly_matrix_adds_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (status, _) = app
        .call(
            Method::PUT,
            &p(&org, "rates/default"),
            Some(&org.admin.token),
            Some(json!({"hourly_rate": 6000})),
        )
        .await;
    assert_eq!(status, 200);
    for day in 9..=13 {
        entry(&app, &org, &org.member, json!({"start": format!("2026-02-{day}T09:00:00Z"), "end": format!("2026-02-{day}T09:20:00Z"), "billable": true})).await;
    }
    entry(
        &app,
        &org,
        &org.manager,
        json!({"start": "2026-02-10T09:00:00Z", "end": "2026-02-10T10:00:00Z"}),
    )
    .await;
    let q = "tz=UTC&from=2026-02-09&to=2026-02-15&rounding=up&rounding_minutes=30";
    let (status, first) = report(
        &app,
        &org,
        &org.manager,
        "detailed",
        &format!("{q}&limit=4"),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["items"].as_array().unwrap().len(), 4);
    assert_eq!(first["items"][0]["duration_seconds"], 1200);
    assert_eq!(first["items"][0]["rounded_seconds"], 1800);
    assert_eq!(first["items"][0]["amount"], 3000);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = report(
        &app,
        &org,
        &org.manager,
        "detailed",
        &format!("{q}&limit=4&cursor={cursor}"),
    )
    .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    assert!(second["next_cursor"].is_null());

    let (status, week) = report(&app, &org, &org.manager, "weekly", "week=2026-02-11&tz=UTC").await;
    assert_eq!(status, 200, "{week}");
    assert_eq!(week["days"][0], "2026-02-09");
    assert_eq!(week["days"][6], "2026-02-15");
    assert_eq!(
        week["day_totals"],
        json!([1200, 1200 + 3600, 1200, 1200, 1200, 0, 0])
    );
    assert_eq!(week["total"], 6000 + 3600);
    let rows = week["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let member_row = rows
        .iter()
        .find(|r| r["user_id"] == org.member.id.as_str())
        .unwrap();
    assert_eq!(
        member_row["days"],
        json!([1200, 1200, 1200, 1200, 1200, 0, 0])
    );
}

async fn saved_and_shared_reports_show_exactly_what_was_shared(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    entry(&app, &org, &org.member, json!({"start": "2026-02-05T09:00:00Z", "end": "2026-02-05T10:00:00Z", "description": "member work"})).await;
    entry(&app, &org, &org.manager, json!({"start": "2026-02-05T09:00:00Z", "end": "2026-02-05T11:00:00Z", "description": "manager work"})).await;
    let params = "from=2026-02-01&to=2026-02-28&group=user&tz=UTC";

    let (status, saved) = app
        .post(
            &p(&org, "reports/saved"),
            Some(&org.member.token),
            json!({"name": "February", "params": params}),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    let (status, again) = app
        .post(
            &p(&org, "reports/saved"),
            Some(&org.member.token),
            json!({"name": "February", "params": params}),
        )
        .await;
    assert_eq!(status, 409, "{again}");
    let (status, bad) = app
        .post(
            &p(&org, "reports/saved"),
            Some(&org.member.token),
            json!({"name": "Broken", "params": "from=yesterday"}),
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    let (_, list) = app
        .get_as(&p(&org, "reports/saved"), &org.member.token)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, others) = app
        .get_as(&p(&org, "reports/saved"), &org.manager.token)
        .await;
    assert_eq!(
        others.as_array().unwrap().len(),
        0,
        "saved reports are personal"
    );

    // a member's link shows the member's own time only; a manager's shows everyone's
    let (status, member_share) = app
        .post(
            &p(&org, "reports/shared"),
            Some(&org.member.token),
            json!({"name": "Mine", "params": params}),
        )
        .await;
    assert_eq!(status, 201, "{member_share}");
    let (_, manager_share) = app
        .post(
            &p(&org, "reports/shared"),
            Some(&org.manager.token),
            json!({"name": "Team", "params": params, "expires_in_days": 7}),
        )
        .await;
    let token_of = |share: &Value| {
        share["url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    };
    let (status, public) = app
        .get_json(&format!(
            "/api/v1/shared-reports/{}",
            token_of(&member_share)
        ))
        .await;
    assert_eq!(status, 200, "{public}");
    assert_eq!(public["name"], "Mine");
    assert_eq!(public["report"]["totals"]["seconds"], 3600);
    let (_, team) = app
        .get_json(&format!(
            "/api/v1/shared-reports/{}",
            token_of(&manager_share)
        ))
        .await;
    assert_eq!(team["report"]["totals"]["seconds"], 3 * 3600);
    // the HTML page shows the report and nothing to change it with
    let page = app
        .get(&format!("/shared/{}", token_of(&manager_share)))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Team") && html.contains("3:00"), "{html}");
    assert!(
        !html.contains("method=\"post\"") && !html.contains("method=\"get\""),
        "a shared page has no forms"
    );
    assert!(
        !html.contains("member work") && !html.contains("manager work"),
        "no entry details unless grouped by description"
    );

    // expiry and revocation end the link
    app.clock.advance(chrono::Duration::days(8));
    let (status, _) = app
        .get_json(&format!(
            "/api/v1/shared-reports/{}",
            token_of(&manager_share)
        ))
        .await;
    assert_eq!(status, 404);
    let member = app.sign_in("member@example.org").await;
    let (status, _) = app
        .call(
            Method::DELETE,
            &p(
                &org,
                &format!("reports/shared/{}", member_share["id"].as_str().unwrap()),
            ),
            Some(&member.token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, gone) = app
        .get_json(&format!(
            "/api/v1/shared-reports/{}",
            token_of(&member_share)
        ))
        .await;
    assert_eq!(status, 404);
    assert!(
        gone["detail"].as_str().unwrap().contains("revoked"),
        "{gone}"
    );
    let (status, _) = app
        .get_json("/api/v1/shared-reports/ggp_not-a-real-token")
        .await;
    assert_eq!(status, 404);
}

/// The summary sums entries wholly inside one local day in the database and splits the others
/// in Rust; grouping by description always takes the Rust path. Both must give the same days,
/// seconds, amounts and counts, in a zone with DST, with entries across midnight and across the
/// DST change, every rounding mode, billable and not.
async fn database_sums_equal_the_split_in_rust_across_dst_and_midnight_with_rounding(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    allow_long_entries(&app, &org).await;
    let (status, body) = app
        .call(
            Method::PUT,
            &p(&org, "rates/default"),
            Some(&org.admin.token),
            Some(json!({"hourly_rate": 7777})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let m = &org.member;
    for (start, end, billable) in [
        // inside one Berlin day (UTC+1), odd lengths so every rounding mode differs
        ("2026-03-27T08:00:00Z", "2026-03-27T08:07:31Z", true),
        ("2026-03-27T09:00:00Z", "2026-03-27T09:52:29Z", false),
        // 22:30–00:45 local: across midnight
        ("2026-03-27T21:30:00Z", "2026-03-27T23:45:00Z", true),
        // on 29 March, the 23-hour day: 01:00–04:00 local, across the change
        ("2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z", true),
        // the last hour of the 23-hour day and the first of the next
        ("2026-03-29T21:00:00Z", "2026-03-29T23:00:00Z", true),
        // 01:00 local on 30 March to 1 second past 01:00 on 31 March
        ("2026-03-29T23:00:00Z", "2026-03-30T23:00:01Z", true),
        // inside 31 March (UTC+2 now), ending exactly at local midnight
        ("2026-03-31T20:13:00Z", "2026-03-31T22:00:00Z", true),
        // starting before the report, reaching into it
        ("2026-03-25T22:00:00Z", "2026-03-26T00:30:00Z", true),
    ] {
        entry(
            &app,
            &org,
            m,
            json!({"start": start, "end": end, "description": "same", "billable": billable}),
        )
        .await;
    }
    let base = "tz=Europe/Berlin&from=2026-03-26&to=2026-03-31";
    let days = |report: &Value| -> Vec<Value> {
        let group = &report["groups"][0];
        let mut days: Vec<Value> = group["subgroups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| json!([s["key"], s["seconds"], s["amount"], s["entries"]]))
            .collect();
        days.sort_by_key(|d| d.to_string());
        days
    };
    for rounding in [
        "rounding=none",
        "rounding=up&rounding_minutes=15",
        "rounding=down&rounding_minutes=6",
        "rounding=nearest&rounding_minutes=10",
    ] {
        let in_rust = summary(
            &app,
            &org,
            m,
            &format!("{base}&{rounding}&group=description&subgroup=day"),
        )
        .await;
        let in_database = summary(
            &app,
            &org,
            m,
            &format!("{base}&{rounding}&group=user&subgroup=day"),
        )
        .await;
        assert_eq!(in_database["totals"], in_rust["totals"], "{rounding}");
        assert_eq!(days(&in_database), days(&in_rust), "{rounding}");
        for (group, subgroup) in [
            ("billable", "month"),
            ("project", "week"),
            ("day", "client"),
        ] {
            let other = summary(
                &app,
                &org,
                m,
                &format!("{base}&{rounding}&group={group}&subgroup={subgroup}"),
            )
            .await;
            assert_eq!(other["totals"], in_rust["totals"], "{rounding} {group}");
        }
    }
    // the figures themselves, without rounding: every entry's seconds inside the report (the
    // one reaching in counts from local midnight, 23:00 UTC: 1:30)
    let plain = summary(&app, &org, m, &format!("{base}&group=user&subgroup=day")).await;
    assert_eq!(
        plain["totals"]["seconds"],
        5400 + 451 + 3149 + 8100 + 7200 + 7200 + 86401 + 6420
    );
    assert_eq!(plain["totals"]["entries"], 8);
}
