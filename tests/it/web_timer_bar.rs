//! The home page's timer bar without JavaScript: the combined project/task picker, the
//! suggestions from recent descriptions (whose, in which organization, in what order), Manual
//! mode with its errors kept in the bar, and the empty state of an organization without projects.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::Org;
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    the_plain_bar_starts_a_timer_on_a_task_chosen_from_the_combined_picker,
    suggestions_repeat_the_last_entry_of_each_own_description_newest_first,
    manual_mode_adds_an_entry_and_keeps_a_bad_end_in_the_bar,
    the_empty_state_shows_exactly_while_there_are_no_projects,
);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn create(app: &TestApp, org: &str, token: &str, rest: &str, body: Value) -> String {
    let (status, created) = app
        .post(
            &format!("/api/v1/organizations/{org}/{rest}"),
            Some(token),
            body,
        )
        .await;
    assert_eq!(status, 201, "{rest}: {created}");
    created["id"].as_str().unwrap().to_string()
}

/// Acme › Website with the task Design, and the tag "meeting": (project, task, tag).
async fn catalog(app: &TestApp, org: &Org) -> (String, String, String) {
    let token = &org.owner.token;
    let client = create(app, &org.id, token, "clients", json!({"name": "Acme"})).await;
    let project = create(
        app,
        &org.id,
        token,
        "projects",
        json!({"name": "Website", "client_id": client}),
    )
    .await;
    let task = create(
        app,
        &org.id,
        token,
        &format!("projects/{project}/tasks"),
        json!({"name": "Design"}),
    )
    .await;
    let tag = create(app, &org.id, token, "tags", json!({"name": "meeting"})).await;
    (project, task, tag)
}

async fn owner_web<'a>(app: &'a TestApp, org: &Org) -> (WebClient<'a>, String) {
    let mut web = WebClient::new(app);
    web.sign_in("owner@example.org").await;
    (web, format!("/o/{}", org.id))
}

async fn the_plain_bar_starts_a_timer_on_a_task_chosen_from_the_combined_picker(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let org = app.org_with_every_role().await;
    let (project, task, tag) = catalog(&app, &org).await;
    let (mut web, home) = owner_web(&app, &org).await;

    let page = web.get(&home).await;
    // one select: the client's group, the project, its task under it
    page.assert_contains(&format!(
        "<optgroup label=\"Acme\"><option value=\"{project}\">Website</option><option value=\"{project}/{task}\">Website › Design</option></optgroup>"
    ));
    let started = web
        .post(
            &format!("{home}/timer/start"),
            &[
                ("from", "bar"),
                ("description", "Design review"),
                ("project_task", &format!("{project}/{task}")),
                ("tag_id", &tag),
                ("billable", "true"),
            ],
        )
        .await;
    started.assert_redirect(&home);
    let page = web.follow(started).await;
    page.assert_contains("Running: Design review");
    page.assert_contains("Acme · Website › Design");

    let (status, running) = app
        .get_as(
            &format!("/api/v1/organizations/{}/timer", org.id),
            &org.owner.token,
        )
        .await;
    assert_eq!(status, 200, "{running}");
    assert_eq!(running["project_id"], project.as_str());
    assert_eq!(running["task_id"], task.as_str());
    assert_eq!(running["tags"], json!([tag]));
    assert_eq!(running["billable"], true);
    assert_eq!(running["description"], "Design review");
}

async fn suggestions_repeat_the_last_entry_of_each_own_description_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T18:00:00Z"));
    let org = app.org_with_every_role().await;
    let (project, task, tag) = catalog(&app, &org).await;
    let owner = &org.owner.token;
    let entry = |description: &str, start: &str, end: &str, extra: Value| {
        let mut body = json!({"description": description, "start": start, "end": end});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for body in [
        entry(
            "Alpha",
            "2026-11-25T08:00:00Z",
            "2026-11-25T09:00:00Z",
            json!({"project_id": project, "billable": false}),
        ),
        entry(
            "Beta",
            "2026-11-25T09:00:00Z",
            "2026-11-25T10:00:00Z",
            json!({"project_id": project, "billable": false}),
        ),
        // Alpha again, later, on the task with a tag: this is what Alpha repeats now
        entry(
            "Alpha",
            "2026-11-25T10:00:00Z",
            "2026-11-25T11:00:00Z",
            json!({"project_id": project, "task_id": task, "tags": [tag], "billable": true}),
        ),
        entry(
            "",
            "2026-11-25T11:00:00Z",
            "2026-11-25T11:30:00Z",
            json!({}),
        ),
        // more than 90 days ago: no longer a recent habit
        entry(
            "Gamma",
            "2026-08-01T09:00:00Z",
            "2026-08-01T10:00:00Z",
            json!({"project_id": project}),
        ),
    ] {
        create(&app, &org.id, owner, "time-entries", body).await;
    }
    // another person here, and the owner in another organization
    create(
        &app,
        &org.id,
        &org.member.token,
        "time-entries",
        entry(
            "Member's secret",
            "2026-11-25T12:00:00Z",
            "2026-11-25T13:00:00Z",
            json!({}),
        ),
    )
    .await;
    let (status, other) = app
        .post(
            "/api/v1/organizations",
            Some(owner),
            json!({"name": "Side project"}),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    create(
        &app,
        other["id"].as_str().unwrap(),
        owner,
        "time-entries",
        entry(
            "Side-project work",
            "2026-11-25T13:00:00Z",
            "2026-11-25T14:00:00Z",
            json!({}),
        ),
    )
    .await;

    let (mut web, home) = owner_web(&app, &org).await;
    let page = web.get(&home).await;
    let alpha = format!(
        "data-description=\"Alpha\" data-what=\"{project}/{task}\" data-tags=\"{tag}\" data-billable=\"true\""
    );
    let beta = format!(
        "data-description=\"Beta\" data-what=\"{project}\" data-tags=\"\" data-billable=\"false\""
    );
    page.assert_contains(&alpha);
    page.assert_contains(&beta);
    assert!(
        page.body.find(&alpha) < page.body.find(&beta),
        "the most recently tracked description first"
    );
    assert_eq!(
        page.body.matches("data-description=\"Alpha\"").count(),
        1,
        "each description once"
    );
    assert_eq!(page.body.matches("data-description=").count(), 2);
    // the datalist for pages without JavaScript, in the same order
    page.assert_contains(
        "<datalist id=\"recent-descriptions\"><option value=\"Alpha\"></option><option value=\"Beta\"></option></datalist>",
    );
    assert!(!page.body.contains("Member&#x27;s secret") && !page.body.contains("Member's secret"));
    assert!(!page.body.contains("Side-project work"));
    assert!(!page.body.contains("Gamma"), "older than 90 days");
}

async fn manual_mode_adds_an_entry_and_keeps_a_bad_end_in_the_bar(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T18:00:00Z"));
    let org = app.org_with_every_role().await;
    let (project, task, tag) = catalog(&app, &org).await;
    let (mut web, home) = owner_web(&app, &org).await;

    let page = web.get(&format!("{home}?mode=manual")).await;
    page.assert_contains(&format!("action=\"{home}/entries\""));
    page.assert_contains("role=\"switch\" aria-checked=\"true\"");
    page.assert_contains(
        "<input id=\"bar-date\" name=\"date\" type=\"date\" value=\"2026-11-25\" required>",
    );
    let timer_mode = web.get(&home).await;
    timer_mode.assert_contains(&format!("action=\"{home}/timer/start\""));
    timer_mode.assert_contains("value=\"2026-11-25\" required disabled");

    let what = format!("{project}/{task}");
    let sent = |end: &'static str| {
        vec![
            ("from", "bar".to_string()),
            ("back", home.clone()),
            ("description", "Workshop".to_string()),
            ("project_task", what.clone()),
            ("tag_id", tag.clone()),
            ("billable", "true".to_string()),
            ("date", "2026-11-24".to_string()),
            ("start", "10:00".to_string()),
            ("end", end.to_string()),
        ]
    };
    let bad = sent("09:00");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = web.post(&format!("{home}/entries"), &bad).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("<p class=\"field-error\" id=\"end-error\">The end is before the start. For an entry that goes past midnight, give its end date.</p>");
    refused.assert_contains("<input id=\"bar-end\" name=\"end\" type=\"time\" value=\"09:00\" required aria-invalid=\"true\" aria-describedby=\"end-error\">");
    refused.assert_contains("value=\"10:00\"");
    refused.assert_contains("value=\"Workshop\"");
    refused.assert_contains(&format!("<option value=\"{what}\" selected>"));
    refused.assert_contains(&format!("value=\"{tag}\" checked"));
    refused.assert_contains("role=\"switch\" aria-checked=\"true\"");
    assert_eq!(
        refused.body.matches("id=\"end-error\"").count(),
        1,
        "one message, at the field"
    );

    let good = sent("11:30");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let added = web.post(&format!("{home}/entries"), &good).await;
    added.assert_redirect(&home);
    web.follow(added)
        .await
        .assert_contains("Entry added: 1:30.");
    let (_, listed) = app
        .get_as(
            &format!(
                "/api/v1/organizations/{}/time-entries?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z",
                org.id
            ),
            &org.owner.token,
        )
        .await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed}");
    let entry = &items[0];
    assert_eq!(
        at(entry["start"].as_str().unwrap()),
        at("2026-11-24T10:00:00Z")
    );
    assert_eq!(
        at(entry["end"].as_str().unwrap()),
        at("2026-11-24T11:30:00Z")
    );
    assert_eq!(entry["project_id"], project.as_str());
    assert_eq!(entry["task_id"], task.as_str());
    assert_eq!(entry["tags"], json!([tag]));
    assert_eq!(entry["billable"], true);
    assert_eq!(entry["description"], "Workshop");
}

async fn the_empty_state_shows_exactly_while_there_are_no_projects(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (mut web, home) = owner_web(&app, &org).await;

    let page = web.get(&home).await;
    page.assert_contains("No projects yet");
    page.assert_contains(&format!(
        "<a class=\"cta primary\" href=\"{home}/projects\">Create your first project</a>"
    ));
    page.assert_contains(&format!(
        "<a class=\"cta\" href=\"{home}/import\">Import from Toggl or Clockify</a>"
    ));
    page.assert_contains("Nothing tracked this week yet.");
    // a member cannot create projects: told who can instead
    let mut member = WebClient::new(&app);
    member.sign_in("member@example.org").await;
    let theirs = member.get(&home).await;
    theirs.assert_contains("No projects yet");
    theirs.assert_contains("A manager of");
    assert!(!theirs.body.contains("Create your first project"));

    catalog(&app, &org).await;
    let page = web.get(&home).await;
    assert!(!page.body.contains("No projects yet"), "{}", page.body);
    assert!(!page.body.contains("Create your first project"));
}
