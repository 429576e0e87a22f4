//! The calendar page as the server draws it (without JavaScript): blocks at their exact local
//! times in their project's colour, each a link to its edit page; entries past midnight on
//! both days; week and day views; only the organization's own entries; a bad date said next to
//! its field.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::web::{Page, WebClient};
use crate::helpers::{Backend, TestApp, spawn_app};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Ada (Europe/Berlin, weeks from Monday) signed in on the web, on Wed 25 Nov 2026; her API
/// token and her organization's id and home path.
async fn ada(app: &TestApp) -> (WebClient<'_>, String, String, String) {
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut web = WebClient::new(app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    let org = home.trim_start_matches("/o/").to_string();
    let token = app.sign_in("ada@example.org").await.token;
    (web, token, org, home)
}

async fn create(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, made) = app.post(path, Some(token), body).await;
    assert_eq!(status, 201, "{made}");
    made
}

async fn entry(app: &TestApp, token: &str, org: &str, body: Value) -> String {
    let path = format!("/api/v1/organizations/{org}/time-entries");
    create(app, token, &path, body).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An attribute of every element matching `selector`, in document order.
fn attrs(page: &Page, selector: &str, attr: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(&page.body);
    let selector = scraper::Selector::parse(selector).expect("a valid CSS selector");
    document
        .select(&selector)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

fn block(day: &str, id: &str) -> String {
    format!("svg.cal-col[data-day=\"{day}\"] a.cal-block[data-id=\"{id}\"]")
}

async fn an_entry_is_a_block_at_its_time_in_its_colour_linking_to_its_edit_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut web, token, org, home) = ada(&app).await;
    let project = create(
        &app,
        &token,
        &format!("/api/v1/organizations/{org}/projects"),
        json!({ "name": "Website", "color": "#0b8c7b" }),
    )
    .await;
    // 09:15–10:45 in Berlin on Tuesday
    let id = entry(
        &app,
        &token,
        &org,
        json!({ "description": "Design review", "project_id": project["id"],
                "start": "2026-11-24T08:15:00Z", "end": "2026-11-24T09:45:00Z" }),
    )
    .await;

    let page = web.get(&format!("{home}/calendar?date=2026-11-24")).await;

    assert_eq!(page.status, 200);
    let link = block("2026-11-24", &id);
    assert_eq!(
        attrs(&page, &link, "href"),
        vec![format!("{home}/entries/{id}/edit")]
    );
    assert_eq!(
        attrs(&page, &link, "aria-label"),
        vec!["Design review 09:15–10:45, Tue 24 Nov, Website. Edit".to_string()]
    );
    // 40 px an hour: 09:15 is 370 px down, an hour and a half 60 px tall
    let shape = format!("{link} svg.cal-box");
    assert_eq!(attrs(&page, &shape, "y"), vec!["370"]);
    assert_eq!(attrs(&page, &shape, "height"), vec!["60"]);
    assert_eq!(attrs(&page, &shape, "width"), vec!["100.000%"]);
    assert_eq!(
        attrs(&page, &format!("{link} rect.cal-fill"), "fill"),
        vec!["#0b8c7b"]
    );
    assert_eq!(
        attrs(&page, &link, "class"),
        vec!["cal-block movable"],
        "a stopped entry of one day can be dragged"
    );
    assert_eq!(
        page.text_of(&format!("{link} text")).as_deref(),
        Some("Design review 09:15–10:45")
    );
    // the page's script is its own file, loaded by this page only
    page.assert_contains("/static/calendar.");
    assert!(!web.get(&home).await.body.contains("/static/calendar."));
}

async fn an_entry_past_midnight_is_drawn_on_both_days(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut web, token, org, home) = ada(&app).await;
    // Tue 22:00 – Wed 02:30 in Berlin
    let id = entry(
        &app,
        &token,
        &org,
        json!({ "description": "Release night",
                "start": "2026-11-24T21:00:00Z", "end": "2026-11-25T01:30:00Z" }),
    )
    .await;

    let page = web.get(&format!("{home}/calendar?date=2026-11-24")).await;

    let tuesday = format!("{} svg.cal-box", block("2026-11-24", &id));
    assert_eq!(attrs(&page, &tuesday, "y"), vec!["880"]);
    assert_eq!(attrs(&page, &tuesday, "height"), vec!["80"]);
    let wednesday = block("2026-11-25", &id);
    assert_eq!(
        attrs(&page, &format!("{wednesday} svg.cal-box"), "y"),
        vec!["0"]
    );
    assert_eq!(
        attrs(&page, &format!("{wednesday} svg.cal-box"), "height"),
        vec!["100"]
    );
    assert_eq!(
        attrs(&page, &wednesday, "aria-label"),
        vec![
            "Release night 22:00–02:30 (+1 day), Wed 25 Nov, continued from the day before. Edit"
                .to_string()
        ]
    );
    // both pieces are changed on the edit page, not dragged
    assert_eq!(attrs(&page, "a.cal-block.movable", "data-id").len(), 0);
    assert_eq!(attrs(&page, "a.cal-block", "data-id"), vec![id.clone(), id]);

    // the day view of Wednesday still shows the part after midnight
    let day = web
        .get(&format!("{home}/calendar?date=2026-11-25&view=day"))
        .await;
    assert_eq!(attrs(&day, "a.cal-block", "data-id").len(), 1);
}

async fn a_running_entry_is_drawn_up_to_now(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut web, _, _, home) = ada(&app).await;
    web.get(&home).await;
    let started = web
        .post(&format!("{home}/timer/start"), &[("description", "Call")])
        .await;
    web.follow(started).await;
    app.clock.set(at("2026-11-25T10:30:00Z"));

    let page = web.get(&format!("{home}/calendar")).await;

    // 10:00 to 11:30 in Berlin
    let shape = "svg.cal-col[data-day=\"2026-11-25\"] a.cal-block.running svg.cal-box";
    assert_eq!(attrs(&page, shape, "y"), vec!["400"]);
    assert_eq!(attrs(&page, shape, "height"), vec!["60"]);
    assert_eq!(attrs(&page, "a.cal-block.movable", "data-id").len(), 0);
}

async fn the_week_view_shows_seven_days_from_the_week_start_and_the_day_view_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut web, _, _, home) = ada(&app).await;

    let week = web.get(&format!("{home}/calendar?date=2026-11-26")).await;
    let days = attrs(&week, "svg.cal-col", "data-day");
    assert_eq!(days.first().map(String::as_str), Some("2026-11-23"));
    assert_eq!(days.last().map(String::as_str), Some("2026-11-29"));
    assert_eq!(days.len(), 7);
    week.assert_contains("Week of Mon 23 Nov 2026 – Sun 29 Nov 2026");
    assert_eq!(
        attrs(&week, "a[rel=prev]", "href"),
        vec![format!("{home}/calendar?date=2026-11-19&view=week")]
    );
    // today is Wednesday 25 Nov
    assert_eq!(
        attrs(&week, "svg.cal-col.today", "data-day"),
        vec!["2026-11-25"]
    );

    let day = web
        .get(&format!("{home}/calendar?date=2026-11-26&view=day"))
        .await;
    assert_eq!(attrs(&day, "svg.cal-col", "data-day"), vec!["2026-11-26"]);
    assert_eq!(
        attrs(&day, "a[rel=next]", "href"),
        vec![format!("{home}/calendar?date=2026-11-27&view=day")]
    );
    // the day's "Add" link opens the form below on that day
    let add = web
        .get(&format!(
            "{home}/calendar?date=2026-11-26&view=day&add=2026-11-26"
        ))
        .await;
    assert_eq!(
        attrs(&add, "input[name=back]", "value"),
        vec![format!("{home}/calendar?date=2026-11-26&view=day")]
    );
    add.assert_contains("name=\"date\" type=\"date\" value=\"2026-11-26\"");
    add.assert_contains("required autofocus");
}

async fn another_organizations_entries_never_appear(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut web, token, org, home) = ada(&app).await;
    entry(
        &app,
        &token,
        &org,
        json!({ "description": "Ours", "start": "2026-11-24T08:00:00Z", "end": "2026-11-24T09:00:00Z" }),
    )
    .await;
    let other = create(
        &app,
        &token,
        "/api/v1/organizations",
        json!({ "name": "Side project" }),
    )
    .await;
    let other = other["id"].as_str().unwrap().to_string();
    let theirs = entry(
        &app,
        &token,
        &other,
        json!({ "description": "Side work", "start": "2026-11-24T10:00:00Z", "end": "2026-11-24T11:00:00Z" }),
    )
    .await;

    let ours = web.get(&format!("{home}/calendar?date=2026-11-24")).await;
    let side = web
        .get(&format!("/o/{other}/calendar?date=2026-11-24"))
        .await;

    assert_eq!(attrs(&ours, "a.cal-block", "data-id").len(), 1);
    assert!(!ours.body.contains("Side work"));
    assert!(!ours.body.contains(&theirs));
    assert_eq!(attrs(&side, "a.cal-block", "data-id"), vec![theirs]);
    assert!(!side.body.contains("Ours"));
}

async fn a_bad_date_or_view_is_said_next_to_its_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let (mut web, _, _, home) = ada(&app).await;
    for (query, field, message) in [
        (
            "date=2026-13-01",
            "date",
            "&#39;2026-13-01&#39; is not a day: give it as a date, e.g. 2026-11-27.",
        ),
        (
            "date=tomorrow&view=week",
            "date",
            "&#39;tomorrow&#39; is not a day",
        ),
        (
            "view=month",
            "view",
            "&#39;month&#39; is not a view: choose Week or Day.",
        ),
    ] {
        let page = web.get(&format!("{home}/calendar?{query}")).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        page.assert_contains(&format!("id=\"{field}-error\""));
        page.assert_contains(message);
        // meanwhile the calendar shows this week
        assert_eq!(
            attrs(&page, "svg.cal-col", "data-day")
                .first()
                .map(String::as_str),
            Some("2026-11-23"),
            "{query}"
        );
    }
}

both_backends!(
    an_entry_is_a_block_at_its_time_in_its_colour_linking_to_its_edit_page,
    an_entry_past_midnight_is_drawn_on_both_days,
    a_running_entry_is_drawn_up_to_now,
    the_week_view_shows_seven_days_from_the_week_start_and_the_day_view_one,
    another_organizations_entries_never_appear,
    a_bad_date_or_view_is_said_next_to_its_field,
);
