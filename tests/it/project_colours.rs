//! Project colours: new projects go round the palette (API, page and import alike), an explicit
//! colour is kept, and pages and reports show each project's colour.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::{Org, PASSWORD};
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::imports::BOUNDARY;

both_backends!(
    projects_created_without_a_colour_go_round_the_palette,
    the_project_form_offers_the_next_palette_colour_and_keeps_a_custom_one,
    an_import_keeps_a_valid_colour_from_the_file_and_gives_the_rest_palette_colours,
    entry_rows_week_rows_and_reports_show_the_project_colour,
);

/// The first colours of the palette, in order (src/domain/palette.rs).
const BLUE: &str = "#237aed";
const ORANGE: &str = "#d4550b";
const GREEN: &str = "#1f9032";
const MAGENTA: &str = "#cf34d4";
const TEAL: &str = "#0b8c7b";

/// The dot the pages draw beside a project's name (templates/macros.html).
fn dot(color: &str) -> String {
    format!(
        r#"<svg class="dot" width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false"><circle cx="5" cy="5" r="5" fill="{color}"/></svg>"#
    )
}

fn path(org: &str, rest: &str) -> String {
    format!("/api/v1/organizations/{org}/{rest}")
}

async fn new_project(app: &TestApp, org: &Org, body: Value) -> Value {
    let (status, project) = app
        .post(&path(&org.id, "projects"), Some(&org.manager.token), body)
        .await;
    assert_eq!(status, 201, "{project}");
    project
}

/// Every project's colour by name.
async fn colours(app: &TestApp, org: &str, token: &str) -> Vec<(String, String)> {
    let (status, list) = app.get_as(&path(org, "projects?archived=all"), token).await;
    assert_eq!(status, 200, "{list}");
    let mut all: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["color"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    all.sort();
    all
}

async fn projects_created_without_a_colour_go_round_the_palette(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;

    let first = new_project(&app, &org, json!({"name": "First"})).await;
    let second = new_project(&app, &org, json!({"name": "Second"})).await;
    let third = new_project(&app, &org, json!({"name": "Third"})).await;
    let explicit = new_project(&app, &org, json!({"name": "Own", "color": "#ABCDEF"})).await;
    let fourth = new_project(&app, &org, json!({"name": "Fourth"})).await;
    let (deleted, _) = app
        .call(
            reqwest::Method::DELETE,
            &path(
                &org.id,
                &format!("projects/{}", second["id"].as_str().unwrap()),
            ),
            Some(&org.manager.token),
            None,
        )
        .await;
    let after_delete = new_project(&app, &org, json!({"name": "Fifth"})).await;

    assert_eq!(
        [&first, &second, &third].map(|p| p["color"].as_str().unwrap()),
        [BLUE, ORANGE, GREEN]
    );
    assert_eq!(explicit["color"], "#abcdef", "an explicit colour is kept");
    assert_eq!(fourth["color"], MAGENTA, "a custom colour takes no turn");
    assert_eq!(deleted, 204);
    assert_eq!(
        after_delete["color"], ORANGE,
        "the colour a deleted project freed is the least used again"
    );
}

async fn the_project_form_offers_the_next_palette_colour_and_keeps_a_custom_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    let org = home.trim_start_matches("/o/").to_string();
    let (_, tokens) = app.token_for("ada@example.org", PASSWORD).await;
    let token = tokens["access_token"].as_str().unwrap();

    let fresh = web.get(&format!("{home}/projects")).await;
    fresh.assert_contains(&format!(
        r#"<input type="radio" name="color" value="{BLUE}" checked>"#
    ));
    fresh.assert_contains(&format!(
        r#"<span class="visually-hidden">Teal {TEAL}</span>"#
    ));
    let offered = web
        .post(
            &format!("{home}/projects"),
            &[("name", "Offered"), ("color", BLUE)],
        )
        .await;
    offered.assert_redirect(&format!("{home}/projects/"));
    let next = web.get(&format!("{home}/projects")).await;
    next.assert_contains(&format!(
        r#"<input type="radio" name="color" value="{ORANGE}" checked>"#
    ));
    let custom = web
        .post(
            &format!("{home}/projects"),
            &[
                ("name", "Custom"),
                ("color", "custom"),
                ("custom_color", "#123456"),
            ],
        )
        .await;
    custom.assert_redirect(&format!("{home}/projects/"));
    let unchosen = web
        .post(&format!("{home}/projects"), &[("name", "Unchosen")])
        .await;
    unchosen.assert_redirect(&format!("{home}/projects/"));

    assert_eq!(
        colours(&app, &org, token).await,
        [
            ("Custom".to_string(), "#123456".to_string()),
            ("Offered".to_string(), BLUE.to_string()),
            ("Unchosen".to_string(), ORANGE.to_string()),
        ]
    );
    let list = web.get(&format!("{home}/projects")).await;
    list.assert_contains(&dot("#123456"));
}

/// POSTs a CSV file to the import endpoint.
async fn import(app: &TestApp, org: &Org, csv: &str) -> (u16, Value) {
    let query = format!("tz=UTC&dry_run=false&fallback_user_id={}", org.owner.id);
    let response = app
        .client
        .post(app.url(&path(&org.id, &format!("imports?{query}"))))
        .bearer_auth(&org.admin.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(crate::imports::multipart(csv.as_bytes()))
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

async fn an_import_keeps_a_valid_colour_from_the_file_and_gives_the_rest_palette_colours(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    new_project(&app, &org, json!({"name": "Existing"})).await;
    let csv = "date,start,end,project,project_color,description\n\
               2026-03-02,09:00,10:00,Website,#0B8C7B,one\n\
               2026-03-02,10:00,11:00,Internal,,two\n\
               2026-03-02,11:00,12:00,Research,teal,three\n\
               2026-03-02,12:00,13:00,Existing,#000000,four\n";

    let (status, done) = import(&app, &org, csv).await;

    assert_eq!(status, 201, "{done}");
    assert_eq!(
        colours(&app, &org.id, &org.owner.token).await,
        [
            ("Existing".to_string(), BLUE.to_string()),
            ("Internal".to_string(), ORANGE.to_string()),
            ("Research".to_string(), GREEN.to_string()),
            ("Website".to_string(), TEAL.to_string()),
        ],
        "the file's colour for Website, the palette for the others; an existing project keeps its own"
    );
    let warnings = done["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{done}");
    assert_eq!(warnings[0]["line"], 4);
    assert_eq!(warnings[0]["value"], "teal");
    assert_eq!(
        warnings[0]["message"],
        "'teal' is not a colour like #3b82f6; a new project gets a palette colour instead"
    );
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn entry_rows_week_rows_and_reports_show_the_project_colour(backend: Backend) {
    let app = spawn_app(backend).await;
    // Wednesday 25 Nov 2026, 10:00 in Berlin
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    let org = home.trim_start_matches("/o/").to_string();
    let (_, tokens) = app.token_for("ada@example.org", PASSWORD).await;
    let token = tokens["access_token"].as_str().unwrap();
    let (_, website) = app
        .post(
            &path(&org, "projects"),
            Some(token),
            json!({"name": "Website"}),
        )
        .await;
    let (_, own) = app
        .post(
            &path(&org, "projects"),
            Some(token),
            json!({"name": "Own colour", "color": "#123456"}),
        )
        .await;
    for (project, start, end) in [
        (&website, "2026-11-24T08:00:00Z", "2026-11-24T10:00:00Z"),
        (&own, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"),
    ] {
        let (status, body) = app
            .post(
                &path(&org, "time-entries"),
                Some(token),
                json!({"start": start, "end": end, "description": "Work", "project_id": project["id"]}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    let page = web.get(&home).await;
    let entries = web.get(&format!("{home}/entries")).await;
    let week = web.get(&format!("{home}/week")).await;
    let report = web.get(&format!("{home}/reports")).await;
    let (status, summary) = app
        .get_as(
            &path(
                &org,
                "reports/summary?from=2026-11-23&to=2026-11-29&group=project",
            ),
            token,
        )
        .await;

    page.assert_contains(&format!(r#"<span class="muted">· {}Website"#, dot(BLUE)));
    page.assert_contains(&format!("<td>{}Own colour</td>", dot("#123456")));
    entries.assert_contains(&format!(r#"<td class="text project">{}Website"#, dot(BLUE)));
    week.assert_contains(&format!(r#"<th scope="row">{}Website</th>"#, dot(BLUE)));
    report.assert_contains(&format!(r#"<th scope="row">{}Website</th>"#, dot(BLUE)));
    report.assert_contains(&format!(
        r#"<span class="share-label">Website</span> <span class="share-value">2:00</span><svg class="share-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect width="100.0" height="8" fill="{BLUE}"/></svg>"#
    ));
    report.assert_contains(r##"<rect width="50.0" height="8" fill="#123456"/>"##);
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["groups"][0]["label"], "Website");
    assert_eq!(summary["groups"][0]["color"], BLUE);
    assert_eq!(summary["groups"][1]["color"], "#123456");
}
