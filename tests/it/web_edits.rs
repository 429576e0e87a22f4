//! Editing time on the pages the way a person does (forms submitted exactly as rendered): times
//! nobody touched stay exact to the second, a past-midnight end is explicit, unusual lengths
//! are confirmed first, the week grid keeps what was typed, a stale timer page gets a notice,
//! and messages name fields by their labels.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::web::{Page, WebClient};
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    an_entry_saved_with_its_times_untouched_keeps_its_instants_exactly,
    the_inline_edit_and_a_changed_start_keep_the_untouched_end_exact,
    an_end_before_the_start_is_refused_until_the_end_date_says_the_next_day,
    an_entry_longer_than_a_usual_day_is_saved_only_once_confirmed,
    the_week_grid_keeps_every_typed_value_and_marks_each_bad_cell_on_its_own,
    clearing_timer_time_in_the_week_grid_says_why_in_words,
    stopping_a_timer_another_tab_stopped_shows_the_timer_page_with_a_notice,
    a_forgotten_timer_is_offered_a_stop_one_usual_day_after_its_start,
    form_errors_name_fields_by_their_labels_and_one_password_rule_holds,
    the_icon_is_served_and_an_empty_report_claims_no_share,
);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A fresh instance: the owner signed in on the pages (zone Europe/Berlin) and an API token.
struct Setup<'a> {
    web: WebClient<'a>,
    home: String,
    org: String,
    /// An access token issued at set-up (valid while the clock stays near).
    token: String,
}

async fn set_up(app: &TestApp) -> Setup<'_> {
    let mut web = WebClient::new(app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    let org = home.trim_start_matches("/o/").to_string();
    let (_, tokens) = app.token_for("ada@example.org", PASSWORD).await;
    let token = tokens["access_token"].as_str().unwrap().to_string();
    Setup {
        web,
        home,
        org,
        token,
    }
}

impl Setup<'_> {
    fn api(&self, rest: &str) -> String {
        format!("/api/v1/organizations/{}/{rest}", self.org)
    }

    async fn create_entry(&self, app: &TestApp, body: Value) -> Value {
        let (status, entry) = app
            .post(&self.api("time-entries"), Some(&self.token), body)
            .await;
        assert_eq!(status, 201, "{entry}");
        entry
    }

    async fn entry(&self, app: &TestApp, id: &str) -> Value {
        let (status, entry) = app
            .get_as(&self.api(&format!("time-entries/{id}")), &self.token)
            .await;
        assert_eq!(status, 200, "{entry}");
        entry
    }

    async fn entries_between(&self, app: &TestApp, from: &str, to: &str) -> Vec<Value> {
        let (_, tokens) = app.token_for("ada@example.org", PASSWORD).await;
        let (status, page) = app
            .get_as(
                &self.api(&format!("time-entries?from={from}&to={to}&limit=200")),
                tokens["access_token"].as_str().unwrap(),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        page["items"].as_array().unwrap().clone()
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The instants the tests try: the cases that broke (same minute, one second, past midnight,
/// both DST changes in Berlin, the hour that happens twice), then seeded random ones.
fn cases() -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let mut cases = vec![
        // same minute: the edit form showed 10:00–10:00 and saved 24 hours
        (at("2026-11-24T09:00:05Z"), Some(at("2026-11-24T09:00:40Z"))),
        (at("2026-11-24T12:00:00Z"), Some(at("2026-11-24T12:00:01Z"))),
        // 23:30:15 → 02:10:07 the next day, Berlin time
        (at("2026-11-24T22:30:15Z"), Some(at("2026-11-25T01:10:07Z"))),
        // spring forward: 01:30 CET → 03:30 CEST is one hour
        (at("2026-03-29T00:30:00Z"), Some(at("2026-03-29T01:30:00Z"))),
        // fall back: 02:30 CEST (00:30Z) and 02:30 CET (01:30Z) are different instants
        (at("2026-10-25T00:30:00Z"), Some(at("2026-10-25T01:30:00Z"))),
        (at("2026-10-25T01:30:00Z"), Some(at("2026-10-25T01:45:09Z"))),
        // a running timer
        (at("2026-11-26T08:15:33Z"), None),
    ];
    let mut rng = StdRng::seed_from_u64(20);
    let year = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for _ in 0..30 {
        let start = year + Duration::seconds(rng.random_range(0..330 * 86_400));
        let length = match rng.random_range(0..3) {
            0 => rng.random_range(1..60),
            1 => rng.random_range(60..3 * 3600),
            _ => rng.random_range(3 * 3600..20 * 3600),
        };
        cases.push((start, Some(start + Duration::seconds(length))));
    }
    cases
}

async fn an_entry_saved_with_its_times_untouched_keeps_its_instants_exactly(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-27T12:00:00Z"));
    let mut s = set_up(&app).await;

    for (n, (start, end)) in cases().into_iter().enumerate() {
        let created = s
            .create_entry(
                &app,
                json!({ "start": rfc3339(start), "end": end.map(rfc3339), "description": format!("case {n}") }),
            )
            .await;
        let id = created["id"].as_str().unwrap();

        let page = s.web.get(&format!("{}/entries/{id}/edit", s.home)).await;
        assert_eq!(page.status, 200);
        let mut form = page.form("form.edit-form");
        form.set("description", &format!("case {n}, described"));
        let saved = s.web.submit(&form).await;
        saved.assert_redirect(&s.home);

        let after = s.entry(&app, id).await;
        assert_eq!(after["description"], format!("case {n}, described"));
        assert_eq!(after["start"], created["start"], "case {n}: start kept");
        assert_eq!(after["end"], created["end"], "case {n}: end kept");
        assert_eq!(
            after["duration_seconds"], created["duration_seconds"],
            "case {n}"
        );
    }
}

async fn the_inline_edit_and_a_changed_start_keep_the_untouched_end_exact(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-27T12:00:00Z"));
    let mut s = set_up(&app).await;
    let created = s
        .create_entry(
            &app,
            json!({ "start": "2026-11-24T09:00:05Z", "end": "2026-11-24T09:00:40Z", "description": "quick call" }),
        )
        .await;
    let id = created["id"].as_str().unwrap();

    // the entries page opens the row for editing in place
    let list = s
        .web
        .get(&format!(
            "{}/entries?from=2026-11-24&to=2026-11-24&edit={id}",
            s.home
        ))
        .await;
    let mut form = list.form("form.edit-form");
    assert_eq!(form.get("start"), "10:00:05", "the form shows the seconds");
    assert_eq!(form.get("end"), "10:00:40");
    assert_eq!(form.get("end_date"), "", "same day: no end date");
    form.set("description", "quick call with Bob");
    s.web.submit(&form).await.assert_redirect(&s.home);
    let after = s.entry(&app, id).await;
    assert_eq!(after["start"], "2026-11-24T09:00:05Z");
    assert_eq!(after["end"], "2026-11-24T09:00:40Z");

    // moving only the start keeps the end to the second
    let page = s.web.get(&format!("{}/entries/{id}/edit", s.home)).await;
    let mut form = page.form("form.edit-form");
    form.set("start", "09:45");
    s.web.submit(&form).await.assert_redirect(&s.home);
    let after = s.entry(&app, id).await;
    assert_eq!(after["start"], "2026-11-24T08:45:00Z");
    assert_eq!(after["end"], "2026-11-24T09:00:40Z");
    assert_eq!(after["duration_seconds"], 940);
}

async fn an_end_before_the_start_is_refused_until_the_end_date_says_the_next_day(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-27T12:00:00Z"));
    let mut s = set_up(&app).await;
    let list = s.web.get(&format!("{}/entries", s.home)).await;
    let mut form = list.form("form#add-entry");
    form.set("description", "night shift")
        .set("date", "2026-11-24")
        .set("start", "22:00")
        .set("end", "02:00");

    let refused = s.web.submit(&form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(
        "<p class=\"field-error\" id=\"end-error\">The end is before the start. For an entry that goes past midnight, give its end date.</p>",
    );
    // what was typed is still there
    let again = refused.form("form#add-entry");
    assert_eq!(again.get("description"), "night shift");
    assert_eq!(again.get("start"), "22:00");
    assert_eq!(again.get("end"), "02:00");
    assert!(
        s.entries_between(&app, "2026-11-23T00:00:00Z", "2026-11-26T00:00:00Z")
            .await
            .is_empty()
    );

    form.set("end", "22:00");
    let zero = s.web.submit(&form).await;
    assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);
    zero.assert_contains("The end is the same as the start: an entry needs a length.");

    form.set("end", "02:00").set("end_date", "2026-11-25");
    let added = s.web.submit(&form).await;
    added.assert_redirect(&s.home);
    let stored = s
        .entries_between(&app, "2026-11-23T00:00:00Z", "2026-11-26T00:00:00Z")
        .await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["start"], "2026-11-24T21:00:00Z");
    assert_eq!(stored[0]["end"], "2026-11-25T01:00:00Z");
    // the list says where it ends
    let list = s
        .web
        .get(&format!("{}/entries?from=2026-11-24&to=2026-11-24", s.home))
        .await;
    list.assert_contains("22:00–02:00 <span class=\"badge later\">+1 day</span>");
}

async fn an_entry_longer_than_a_usual_day_is_saved_only_once_confirmed(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-27T12:00:00Z"));
    let mut s = set_up(&app).await;
    let list = s.web.get(&format!("{}/entries", s.home)).await;
    let mut form = list.form("form#add-entry");
    // 14:00 → 13:00 the next day: 23 hours, as the old form read a typo
    form.set("date", "2026-11-24")
        .set("start", "14:00")
        .set("end", "13:00")
        .set("end_date", "2026-11-25");

    let asked = s.web.submit(&form).await;
    assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY);
    asked.assert_contains(
        "This entry is 23:00 long, longer than a usual day in this organization (10:00).",
    );
    asked.assert_contains(
        "<button type=\"submit\" name=\"confirm_unusual\" value=\"true\">Add anyway</button>",
    );
    assert!(
        s.entries_between(&app, "2026-11-23T00:00:00Z", "2026-11-27T00:00:00Z")
            .await
            .is_empty()
    );

    form.set("confirm_unusual", "true");
    s.web.submit(&form).await.assert_redirect(&s.home);
    let stored = s
        .entries_between(&app, "2026-11-23T00:00:00Z", "2026-11-27T00:00:00Z")
        .await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["duration_seconds"], 23 * 3600);

    // overlapping entries that fill a day past 24 hours are questioned too
    s.create_entry(
        &app,
        json!({ "start": "2026-11-26T00:00:00Z", "end": "2026-11-26T09:00:00Z" }),
    )
    .await;
    let list = s.web.get(&format!("{}/entries", s.home)).await;
    let mut form = list.form("form#add-entry");
    form.set("date", "2026-11-26")
        .set("start", "00:30")
        .set("end", "23:30")
        .set("confirm_unusual", "");
    let asked = s.web.submit(&form).await;
    asked.assert_contains("Thu 26 Nov 2026 would total 32:00 for this person, more than 24 hours: some entries overlap.");

    // the longest entry is a rule, not a question
    form.set("start", "00:00")
        .set("end", "01:00")
        .set("end_date", "2026-11-28")
        .set("confirm_unusual", "true");
    let refused = s.web.submit(&form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("this organization allows at most 24 hours per entry");
}

/// The week page's grid form for the week of 23 Nov 2026.
async fn week_grid(s: &mut Setup<'_>) -> (Page, crate::helpers::web::Form) {
    let page = s
        .web
        .get(&format!("{}/week?start=2026-11-23", s.home))
        .await;
    let form = page.form("form#grid");
    (page, form)
}

async fn the_week_grid_keeps_every_typed_value_and_marks_each_bad_cell_on_its_own(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-27T12:00:00Z"));
    let mut s = set_up(&app).await;
    s.create_entry(
        &app,
        json!({ "start": "2026-11-23T08:00:00Z", "end": "2026-11-23T09:00:00Z" }),
    )
    .await;
    let (_, mut form) = week_grid(&mut s).await;
    assert_eq!(form.get("cell.|.2026-11-23"), "1:00");
    form.set("cell.|.2026-11-24", "0:45")
        .set("cell.|.2026-11-25", "abc");

    let refused = s.web.submit(&form).await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = refused.form("form#grid");
    assert_eq!(
        shown.get("cell.|.2026-11-24"),
        "0:45",
        "a valid typed value is kept"
    );
    assert_eq!(shown.get("cell.|.2026-11-25"), "abc", "the bad one too");
    assert_eq!(
        shown.get("was.|.2026-11-24"),
        "",
        "compared with what is stored"
    );
    refused.assert_contains("Nothing was saved: one cell needs a change (marked below).");
    refused.assert_contains(
        "name=\"cell.|.2026-11-25\" value=\"abc\" data-was=\"\" data-seconds=\"0\" inputmode=\"decimal\" size=\"5\" placeholder=\"–\" aria-label=\"No project, Wed 25 Nov\" aria-invalid=\"true\" aria-describedby=\"cell-error-0-2\"",
    );
    refused.assert_contains(
        "<p class=\"field-error\" id=\"cell-error-0-2\">&#39;abc&#39; is not a duration; write it as h:mm (e.g. 1:30) or in hours (1.5).</p>",
    );
    assert!(
        !refused.body.contains("aria-describedby=\"cell-error-0-1\""),
        "the good cell is not marked"
    );
    let stored = s
        .entries_between(&app, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")
        .await;
    assert_eq!(stored.len(), 1, "nothing saved");

    // fixed, the same form saves both days
    let mut fixed = shown.clone();
    fixed.set("cell.|.2026-11-25", "1:30");
    let saved = s.web.submit(&fixed).await;
    saved.assert_redirect(&format!("{}/week?start=2026-11-23", s.home));
    let page = s.web.follow(saved).await;
    page.assert_contains("Added 0:45 on Tue 24 Nov 2026, added 1:30 on Wed 25 Nov 2026.");
    let stored = s
        .entries_between(&app, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")
        .await;
    assert_eq!(stored.len(), 3);
}

async fn clearing_timer_time_in_the_week_grid_says_why_in_words(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T12:00:00Z"));
    let mut s = set_up(&app).await;
    s.web.get(&s.home.clone()).await;
    let started = s
        .web
        .post(
            &format!("{}/timer/start", s.home),
            &[("description", "timed")],
        )
        .await;
    s.web.follow(started).await;
    app.clock.set(at("2026-11-25T13:30:00Z"));
    let stopped = s.web.post(&format!("{}/timer/stop", s.home), &[]).await;
    s.web.follow(stopped).await;

    let (_, mut form) = week_grid(&mut s).await;
    assert_eq!(form.get("cell.|.2026-11-25"), "1:30");
    form.set("cell.|.2026-11-25", "");
    let refused = s.web.submit(&form).await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(
        "This time was tracked with the timer, and the week grid only changes time typed in here. To take away 1:30, edit or delete those timer entries on the Entries page.",
    );
    assert!(!refused.body.contains("Please correct"), "{}", refused.body);
    let stored = s
        .entries_between(&app, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")
        .await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["duration_seconds"], 5400);
}

async fn stopping_a_timer_another_tab_stopped_shows_the_timer_page_with_a_notice(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut s = set_up(&app).await;
    s.web.get(&s.home.clone()).await;
    let started = s
        .web
        .post(
            &format!("{}/timer/start", s.home),
            &[("description", "focus")],
        )
        .await;
    let page = s.web.follow(started).await;
    let stop = page.form("form#stop-timer");
    app.clock.set(at("2026-11-25T09:25:00Z"));
    s.web.submit(&stop).await.assert_redirect(&s.home);

    // the other tab still shows the running timer and its Stop button
    app.clock.set(at("2026-11-25T09:40:00Z"));
    let stale = s.web.submit(&stop).await;

    let location = stale.assert_redirect(&s.home);
    assert_eq!(location, s.home);
    let page = s.web.follow(stale).await;
    assert_eq!(page.status, 200);
    page.assert_contains(
        "The timer was already stopped, at 10:25 (0:25:00 tracked). Nothing else was changed.",
    );
    let stored = s
        .entries_between(&app, "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z")
        .await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["end"], "2026-11-25T09:25:00Z");
}

/// The "still running?" form suggests the end of a usual day (the organization's setting, 10
/// hours by default) after the start, in the viewer's time zone; the page once used 8 hours.
async fn a_forgotten_timer_is_offered_a_stop_one_usual_day_after_its_start(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T07:30:00Z"));
    let mut s = set_up(&app).await;
    s.web.get(&s.home.clone()).await;
    let started = s
        .web
        .post(
            &format!("{}/timer/start", s.home),
            &[("description", "left on")],
        )
        .await;
    s.web.follow(started).await;
    // past the longest entry (24 hours)
    app.clock.set(at("2026-11-26T08:00:00Z"));

    let page = s.web.get(&s.home.clone()).await;

    page.assert_contains("This timer has run longer than this organization's 24 hours per entry.");
    let stop_at = page.form("div.stack form");
    // 07:30 UTC + 10 h = 17:30 UTC = 18:30 in Berlin
    assert_eq!(stop_at.get("date"), "2026-11-25");
    assert_eq!(stop_at.get("time"), "18:30");
}

async fn form_errors_name_fields_by_their_labels_and_one_password_rule_holds(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut s = set_up(&app).await;
    let (_, website) = app
        .post(
            &s.api("projects"),
            Some(&s.token),
            json!({ "name": "Website" }),
        )
        .await;
    let (_, shop) = app
        .post(
            &s.api("projects"),
            Some(&s.token),
            json!({ "name": "Shop" }),
        )
        .await;
    let (_, checkout) = app
        .post(
            &s.api(&format!("projects/{}/tasks", shop["id"].as_str().unwrap())),
            Some(&s.token),
            json!({ "name": "Checkout" }),
        )
        .await;
    let home = s.web.get(&s.home.clone()).await;
    let mut start = home.form("form[action$=\"/timer/start\"]");
    start
        .set("project_id", website["id"].as_str().unwrap())
        .set("task_id", checkout["id"].as_str().unwrap());

    let refused = s.web.submit(&start).await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(
        "<div class=\"form-error\" role=\"alert\">Choose a task of the selected project: this task belongs to another one.</div>",
    );
    assert!(
        !refused.body.contains("task_id."),
        "no field names in messages"
    );

    // the page and the server state the same password rule
    let page = s.web.get("/account/password").await;
    page.assert_contains("(at least 12 characters)");
    page.assert_contains("minlength=\"12\"");
    let mut form = page.form("form[action=\"/account/password\"]");
    form.set("current_password", PASSWORD)
        .set("new_password", "eleven-char");
    let weak = s.web.submit(&form).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    weak.assert_contains("New password must be at least 12 characters long.");
}

async fn the_icon_is_served_and_an_empty_report_claims_no_share(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut s = set_up(&app).await;

    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/x-icon");
    let bytes = icon.bytes().await.unwrap();
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
    let page = s.web.get(&s.home.clone()).await;
    let marker = "<link rel=\"icon\" href=\"";
    let start = page.body.find(marker).expect("an icon link") + marker.len();
    let href = &page.body[start..start + page.body[start..].find('"').unwrap()];
    let svg = app.get(href).await;
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");

    let report = s
        .web
        .get(&format!(
            "{}/reports?from=2026-11-23&to=2026-11-29&group=project",
            s.home
        ))
        .await;
    assert_eq!(report.status, 200);
    report.assert_contains("<tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">0:00</td><td class=\"num\">–</td>");
    assert!(!report.body.contains("100 %"), "{}", report.body);
}
