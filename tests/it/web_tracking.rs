//! The tracking pages without JavaScript: plain form posts through setup, timer, entries and
//! week, inline form errors, CSRF, and what a member sees.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, spawn_app};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Creates a client and a project through the API; returns the project id.
async fn client_and_project(app: &TestApp, email: &str, org: &str) -> String {
    let (_, tokens) = app.token_for(email, PASSWORD).await;
    let token = tokens["access_token"].as_str().unwrap();
    let (status, client) = app
        .post(
            &format!("/api/v1/organizations/{org}/clients"),
            Some(token),
            json!({ "name": "Acme" }),
        )
        .await;
    assert_eq!(status, 201, "{client}");
    let (status, project) = app
        .post(
            &format!("/api/v1/organizations/{org}/projects"),
            Some(token),
            json!({ "name": "Website", "client_id": client["id"] }),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    project["id"].as_str().unwrap().to_string()
}

/// The first value of `name="entry_id" value="…"` on an entries page.
fn first_entry_id(body: &str) -> String {
    let marker = "name=\"entry_id\" value=\"";
    let start = body.find(marker).expect("an entry on the page") + marker.len();
    body[start..start + 36].to_string()
}

async fn the_core_flow_works_with_plain_form_posts(backend: Backend) {
    let app = spawn_app(backend).await;
    // Wednesday 25 Nov 2026, 10:00 in Berlin
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    let org = home.trim_start_matches("/o/").to_string();
    let project = client_and_project(&app, "ada@example.org", &org).await;

    let page = web.get(&home).await;
    page.assert_contains("Start a timer");
    page.assert_contains("Acme · Website");

    let started = web
        .post(
            &format!("{home}/timer/start"),
            &[
                ("description", "Design review"),
                ("project_id", &project),
                ("billable", "true"),
            ],
        )
        .await;
    assert_eq!(started.assert_redirect(&home), home);
    let page = web.follow(started).await;
    page.assert_contains("Timer started.");
    page.assert_contains("Running: Design review");
    page.assert_contains("0:00:00");

    app.clock.set(at("2026-11-25T10:25:00Z"));
    let stopped = web.post(&format!("{home}/timer/stop"), &[]).await;
    let page = web.follow(stopped).await;
    page.assert_contains("Timer stopped at 11:25: 1:25.");
    assert!(!page.body.contains("Running:"), "no timer runs any more");
    page.assert_contains("Today, Wed 25 Nov 2026");
    page.assert_contains(">1:25<");

    let list = web.get(&format!("{home}/entries")).await;
    let id = first_entry_id(&list.body);
    list.assert_contains("10:00–11:25");
    assert!(
        !list.body.contains("edit-form"),
        "rows open for editing one at a time"
    );
    let editing = web.get(&format!("{home}/entries?edit={id}")).await;
    editing.assert_contains("class=\"row edit-form\"");
    editing.assert_contains("value=\"10:00\"");
    editing.assert_contains("value=\"11:25\"");
    let saved = web
        .post(
            &format!("{home}/entries/{id}"),
            &[
                ("version", "2"),
                ("back", &format!("{home}/entries")),
                ("description", "Design review, part 1"),
                ("project_id", &project),
                ("billable", "true"),
                ("date", "2026-11-25"),
                ("start", "10:00"),
                ("end", "12:00"),
            ],
        )
        .await;
    saved.assert_redirect(&format!("{home}/entries"));
    let list = web.follow(saved).await;
    list.assert_contains("Entry saved.");
    list.assert_contains("Design review, part 1");
    list.assert_contains("10:00–12:00");
    list.assert_contains(">2:00<");
    let found = web.get(&format!("{home}/entries?text=PART+1")).await;
    found.assert_contains("Design review, part 1");
    let none = web
        .get(&format!("{home}/entries?text=nothing+like+it"))
        .await;
    none.assert_contains("No entries match.");

    let week = web.get(&format!("{home}/week")).await;
    week.assert_contains("Week of Mon 23 Nov 2026 – Sun 29 Nov 2026");
    week.assert_contains("Acme · Website");
    week.assert_contains("<strong data-row-total>2:00</strong>");

    let deleted = web
        .post(
            &format!("{home}/entries/{id}/delete"),
            &[("back", &format!("{home}/entries"))],
        )
        .await;
    let list = web.follow(deleted).await;
    list.assert_contains("Entry deleted.");
    list.assert_contains("No entries match.");
}

async fn a_form_error_is_shown_next_to_its_field_with_the_input_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    web.get(&format!("{home}/week")).await;
    let page = web
        .post(
            &format!("{home}/week/add"),
            &[
                ("date", "2026-11-24"),
                ("duration", "30:00"),
                ("description", "Marathon"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("id=\"duration-error\"");
    page.assert_contains("this organization allows at most");
    page.assert_contains("aria-invalid=\"true\" aria-describedby=\"duration-error\"");
    page.assert_contains("value=\"30:00\"");
    page.assert_contains("value=\"Marathon\"");

    let page = web
        .post(
            &format!("{home}/week/add"),
            &[("date", "2026-11-24"), ("duration", "soon")],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("&#39;soon&#39; is not a duration");

    let added = web
        .post(
            &format!("{home}/week/add"),
            &[
                ("date", "2026-11-24"),
                ("duration", "2:30"),
                ("description", "Reading"),
            ],
        )
        .await;
    let week = web.follow(added).await;
    week.assert_contains("Added 2:30 on Tue 24 Nov 2026, 09:00–11:30.");
    // a second one goes after the first, never on top of it
    let added = web
        .post(
            &format!("{home}/week/add"),
            &[("date", "2026-11-24"), ("duration", "1:00")],
        )
        .await;
    web.follow(added)
        .await
        .assert_contains("Added 1:00 on Tue 24 Nov 2026, 11:30–12:30.");

    // the grid's cells: more time adds an entry for the difference, less is refused
    let week = web.get(&format!("{home}/week?start=2026-11-23")).await;
    week.assert_contains("name=\"cell.|.2026-11-24\" value=\"3:30\"");
    let grid = |was: &'static str, now: &'static str| {
        vec![
            ("start", "2026-11-23"),
            ("was.|.2026-11-24", was),
            ("cell.|.2026-11-24", now),
            ("was.|.2026-11-25", ""),
            ("cell.|.2026-11-25", ""),
        ]
    };
    let saved = web
        .post(&format!("{home}/week/cells"), &grid("3:30", "4:15"))
        .await;
    let week = web.follow(saved).await;
    week.assert_contains("Added 0:45 on Tue 24 Nov 2026.");
    week.assert_contains("name=\"cell.|.2026-11-24\" value=\"4:15\"");
    let list = web
        .get(&format!("{home}/entries?from=2026-11-24&to=2026-11-24"))
        .await;
    list.assert_contains("12:30–13:15");
    // less time: the latest manual entries of the day shrink or go (0:45 gone, 1:00 → 0:30)
    let less = web
        .post(&format!("{home}/week/cells"), &grid("4:15", "3:00"))
        .await;
    let week = web.follow(less).await;
    week.assert_contains("Took 1:15 off Tue 24 Nov 2026.");
    week.assert_contains("name=\"cell.|.2026-11-24\" value=\"3:00\"");
    let list = web
        .get(&format!("{home}/entries?from=2026-11-24&to=2026-11-24"))
        .await;
    list.assert_contains("11:30–12:00");
    assert!(!list.body.contains("12:30–13:15"));

    // a timer's entry is never shortened by the grid
    app.clock.set(at("2026-11-25T12:00:00Z"));
    web.get(&home).await;
    let started = web
        .post(&format!("{home}/timer/start"), &[("description", "timed")])
        .await;
    web.follow(started).await;
    app.clock.set(at("2026-11-25T13:00:00Z"));
    let stopped = web.post(&format!("{home}/timer/stop"), &[]).await;
    web.follow(stopped).await;
    web.get(&format!("{home}/week?start=2026-11-23")).await;
    let refused = web
        .post(
            &format!("{home}/week/cells"),
            &[
                ("start", "2026-11-23"),
                ("was.|.2026-11-25", "1:00"),
                ("cell.|.2026-11-25", "0:30"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.assert_contains(
        "This time was tracked with the timer, and the week grid only changes time typed in here.",
    );
    let list = web
        .get(&format!("{home}/entries?from=2026-11-25&to=2026-11-25"))
        .await;
    list.assert_contains("13:00–14:00");
}

async fn forged_posts_are_refused_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    web.get(&home).await;
    for token in ["", "forged-token-that-is-not-the-sessions"] {
        let page = web
            .post_raw(
                &format!("{home}/timer/start"),
                &[("_csrf", token), ("description", "Forged")],
            )
            .await;
        assert_eq!(page.status, 403, "{}", page.body);
        page.assert_contains("was not sent from a GoGoTime page");
    }
    let page = web.get(&home).await;
    assert!(!page.body.contains("Running:"), "no timer was started");

    // anonymous forms need the form cookie too
    let mut stranger = WebClient::new(&app);
    let page = stranger
        .post_raw(
            "/sign-in",
            &[
                ("_csrf", "x"),
                ("email", "ada@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
}

async fn visitors_are_led_to_setup_then_sign_in_and_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    web.get("/").await.assert_redirect("/setup");
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    web.get("/setup").await.assert_redirect("/sign-in");

    let mut other = WebClient::new(&app);
    other.get("/").await.assert_redirect("/sign-in");
    let wanted = format!("{home}/entries");
    let location = other.get(&wanted).await.assert_redirect("/sign-in?next=");
    let page = other.get(&location).await;
    assert_eq!(page.field("next").as_deref(), Some(wanted.as_str()));
    let wrong = other
        .post(
            "/sign-in",
            &[
                ("email", "ada@example.org"),
                ("password", "wrong password!!"),
                ("next", &wanted),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    wrong.assert_contains("The email or password is not right");
    wrong.assert_contains("value=\"ada@example.org\"");
    let signed_in = other
        .post(
            "/sign-in",
            &[
                ("email", "ada@example.org"),
                ("password", PASSWORD),
                ("next", &wanted),
            ],
        )
        .await;
    assert_eq!(signed_in.assert_redirect(&wanted), wanted);
    // only our own paths are followed after signing in
    let mut third = WebClient::new(&app);
    third.get("/sign-in").await;
    let page = third
        .post(
            "/sign-in",
            &[
                ("email", "ada@example.org"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.assert_redirect("/"), "/");

    other.get(&wanted).await.assert_contains("Sign out");
    let out = other.post("/sign-out", &[]).await;
    out.assert_redirect("/sign-in");
    other.get(&wanted).await.assert_redirect("/sign-in");
}

async fn an_invited_member_joins_and_sees_only_their_own_time(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut owner = WebClient::new(&app);
    let home = owner
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    let org = home.trim_start_matches("/o/").to_string();
    owner.get(&home).await;
    let started = owner
        .post(
            &format!("{home}/timer/start"),
            &[("description", "Owner's secret work")],
        )
        .await;
    owner.follow(started).await;

    let ada = app.sign_in("ada@example.org").await;
    let token = app.invite(&org, &ada, "bob@example.org", "member").await;
    let mut bob = WebClient::new(&app);
    let invite = bob.get(&format!("/invite/{token}")).await;
    invite.assert_contains("Join Analytical");
    invite.assert_contains("bob@example.org");
    let short = bob
        .post(
            &format!("/invite/{token}"),
            &[("name", "Bob"), ("password", "short")],
        )
        .await;
    assert_eq!(short.status, 422);
    short.assert_contains("id=\"password-error\"");
    short.assert_contains("value=\"Bob\"");
    let joined = bob
        .post(
            &format!("/invite/{token}"),
            &[
                ("name", "Bob"),
                ("password", PASSWORD),
                ("time_zone", "Europe/Berlin"),
            ],
        )
        .await;
    joined.assert_redirect("/");
    bob.get("/").await.assert_redirect(&home);

    app.clock.set(at("2026-11-25T09:30:00Z"));
    let page = bob.get(&home).await;
    page.assert_contains("Nothing tracked this week yet");
    let list = bob.get(&format!("{home}/entries")).await;
    assert!(
        !list.body.contains("Owner&#39;s secret work"),
        "members see only their own entries"
    );
    assert!(
        !list.body.contains("f-user"),
        "members get no person filter"
    );
    let other_user = bob.get(&format!("{home}/entries?user_id={}", ada.id)).await;
    assert_eq!(other_user.status, 422);
    other_user.assert_contains("Members see only their own entries");
    let week = bob.get(&format!("{home}/week?user={}", ada.id)).await;
    assert_eq!(week.status, 403, "{}", week.body);

    let owner_list = owner.get(&format!("{home}/entries")).await;
    owner_list.assert_contains("Owner&#39;s secret work");
    owner_list.assert_contains("id=\"f-user\"");
}

both_backends!(
    the_core_flow_works_with_plain_form_posts,
    a_form_error_is_shown_next_to_its_field_with_the_input_kept,
    forged_posts_are_refused_and_change_nothing,
    visitors_are_led_to_setup_then_sign_in_and_back,
    an_invited_member_joins_and_sees_only_their_own_time,
    the_week_grid_adds_a_row_for_a_project_not_yet_in_it,
    the_home_page_marks_what_ticks_with_the_running_timer,
);

/// The grid's last row: choose a project (or task) that has no row yet, type its days, save;
/// each typed day becomes an entry of that project. Typed days without a choice, a choice
/// without days, or a project that already has a row are refused, with the typing kept.
async fn the_week_grid_adds_a_row_for_a_project_not_yet_in_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    let org = home.trim_start_matches("/o/").to_string();
    let project = client_and_project(&app, "ada@example.org", &org).await;
    let week = web.get(&format!("{home}/week?start=2026-11-23")).await;
    week.assert_contains(&format!(
        "<option value=\"{project}|\">Acme · Website</option>"
    ));
    week.assert_contains("name=\"new.row.2026-11-26\" value=\"\"");

    let add = |choice: &str, day: &str, time: &str| {
        vec![
            ("start".to_string(), "2026-11-23".to_string()),
            ("new_row".to_string(), choice.to_string()),
            (format!("new.row.{day}"), time.to_string()),
        ]
    };
    let post = async |web: &mut WebClient, form: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        web.post(&format!("{home}/week/cells"), &pairs).await
    };

    let unchosen = post(&mut web, add("", "2026-11-26", "1:15")).await;
    assert_eq!(unchosen.status, 422);
    assert_eq!(
        unchosen.text_of("#new-row-error").as_deref(),
        Some("Choose the project (or No project) of the new row.")
    );
    unchosen.assert_contains("name=\"new.row.2026-11-26\" value=\"1:15\"");
    let empty = post(&mut web, add(&format!("{project}|"), "2026-11-26", "")).await;
    assert_eq!(
        empty.text_of("#new-row-error").as_deref(),
        Some("Type the new row's time into at least one day.")
    );
    let bad = post(&mut web, add(&format!("{project}|"), "2026-11-26", "soon")).await;
    assert_eq!(bad.status, 422);
    bad.assert_contains(&format!("<option value=\"{project}|\" selected>"));
    assert_eq!(
        bad.text_of("#new-cell-error-3").as_deref(),
        Some("'soon' is not a duration; write it as h:mm (e.g. 1:30) or in hours (1.5).")
    );

    let saved = post(&mut web, add(&format!("{project}|"), "2026-11-26", "1:15")).await;
    let week = web.follow(saved).await;
    week.assert_contains("Added 1:15 on Thu 26 Nov 2026.");
    week.assert_contains(&format!(
        "name=\"cell.{project}|.2026-11-26\" value=\"1:15\""
    ));
    let list = web
        .get(&format!("{home}/entries?from=2026-11-26&to=2026-11-26"))
        .await;
    list.assert_contains("Acme · Website");
    list.assert_contains("09:00–10:15");

    // the project has its row now: the new row may not add to it
    let mut form = add(&format!("{project}|"), "2026-11-27", "2:00");
    form.push((format!("was.{project}|.2026-11-27"), String::new()));
    form.push((format!("cell.{project}|.2026-11-27"), String::new()));
    let twice = post(&mut web, form).await;
    assert_eq!(twice.status, 422);
    assert_eq!(
        twice.text_of("#new-row-error").as_deref(),
        Some("This project already has a row above: type its time there.")
    );
    let list = web
        .get(&format!("{home}/entries?from=2026-11-27&to=2026-11-27"))
        .await;
    list.assert_contains("No entries match.");
}

/// While a timer runs, the home page gives its script the seconds behind every figure that
/// counts it (the week's total twice, the running project's row, the running row itself), so
/// they tick together; once stopped, nothing is marked.
async fn the_home_page_marks_what_ticks_with_the_running_timer(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    web.get(&format!("{home}/week")).await;
    let added = web
        .post(
            &format!("{home}/week/add"),
            &[("date", "2026-11-24"), ("duration", "2:30")],
        )
        .await;
    web.follow(added).await;
    let started = web
        .post(&format!("{home}/timer/start"), &[("description", "Call")])
        .await;
    web.follow(started).await;
    app.clock.set(at("2026-11-25T09:10:00Z"));

    let page = web.get(&home).await;
    // 2:30 yesterday and 0:10 running, all without a project
    assert_eq!(
        page.body.matches("data-ticks=\"9600\"").count(),
        3,
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("data-ticks=").count(), 3);
    page.assert_contains("data-running=\"600\"");
    page.assert_contains(
        "<span data-live-length>0:10:00</span> <span class=\"badge\">running</span>",
    );

    let stopped = web.post(&format!("{home}/timer/stop"), &[]).await;
    let page = web.follow(stopped).await;
    assert!(
        !page.body.contains("data-ticks="),
        "nothing ticks without a timer"
    );
    assert!(!page.body.contains("data-running"));
}
