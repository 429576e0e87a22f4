//! Feedback on the pages (issue 21): empty lists say what they are for and link the next step,
//! and after a change the page comes back on the row it touched with a notice naming it.

use crate::both_backends;
use crate::helpers::web::{Page, WebClient};
use crate::helpers::{Backend, spawn_app};
use chrono::{DateTime, Utc};

both_backends!(
    empty_lists_say_what_they_are_for_and_link_the_next_step_until_the_first_item,
    the_members_page_invites_while_the_owner_is_alone,
    a_tag_change_comes_back_on_its_row_and_the_notice_names_it,
    project_and_task_changes_come_back_on_what_changed_with_names,
    revoking_a_token_comes_back_on_the_list_and_names_the_token,
    an_empty_week_and_an_empty_report_say_what_to_do_until_time_is_tracked,
    deleting_the_organization_needs_its_box_ticked_even_without_javascript,
);

/// The text of the list's empty state, `None` when the page shows none.
fn empty_state(page: &Page) -> Option<String> {
    page.text_of(".empty-state")
}

/// Where a form's answer redirects, and the page it leads to.
async fn landing(web: &mut WebClient<'_>, answer: Page) -> (String, Page) {
    let location = answer.assert_redirect("/");
    (location, web.follow(answer).await)
}

/// The id after `marker` (`id="tag-`) on the page.
fn id_after(page: &Page, marker: &str) -> String {
    let start = page.body.find(marker).expect("the marker") + marker.len();
    page.body[start..start + 36].to_string()
}

async fn empty_lists_say_what_they_are_for_and_link_the_next_step_until_the_first_item(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;

    let projects = web.get(&format!("{home}/projects")).await;
    let clients = web.get(&format!("{home}/clients")).await;
    let tags = web.get(&format!("{home}/tags")).await;
    let entries = web.get(&format!("{home}/entries")).await;
    let reports = web.get(&format!("{home}/reports")).await;
    let tokens = web.get("/account/tokens").await;

    assert_eq!(
        empty_state(&projects).as_deref(),
        Some(
            "No projects yet. Projects are what time is tracked against: each entry can name one, \
             and reports total the hours per project. Create your first project"
        )
    );
    projects.assert_contains(r##"<a href="#new-name">Create your first project</a>"##);
    assert_eq!(
        empty_state(&clients).as_deref(),
        Some(
            "No clients yet. Clients are who the work is for: projects belong to them, and \
             reports total the time per client. Create your first client"
        )
    );
    clients.assert_contains(r##"<a href="#new-name">Create your first client</a>"##);
    assert_eq!(
        empty_state(&tags).as_deref(),
        Some(
            "No tags yet. Tags label entries across projects (billable, meeting, urgent…), so \
             entries and reports can be filtered by them. Create your first tag"
        )
    );
    tags.assert_contains(r##"<a href="#new-name">Create your first tag</a>"##);
    assert!(
        empty_state(&entries)
            .unwrap()
            .starts_with("No entries match.")
    );
    entries.assert_contains(&format!(r#"<a href="{home}">Start a timer</a>"#));
    entries.assert_contains(&format!(
        r#"<a href="{home}/import">Import from Toggl or Clockify</a>"#
    ));
    assert_eq!(
        reports.text_of("#saved-title ~ .empty-state").as_deref(),
        Some(
            "No saved reports yet. Save the settings above under a name to come back to this \
             report in one click. Save this report"
        )
    );
    reports.assert_contains(r##"<a href="#save-name">Save this report</a>"##);
    assert_eq!(
        empty_state(&tokens).as_deref(),
        Some(
            "You have no API tokens yet. Create one to connect a script, an editor plugin or \
             another program to your time. Create your first token"
        )
    );
    tokens.assert_contains(r##"<a href="#name">Create your first token</a>"##);

    let created = web
        .post(&format!("{home}/projects"), &[("name", "Website")])
        .await;
    let (path, project) = landing(&mut web, created).await;
    assert_eq!(
        empty_state(&project).as_deref(),
        Some(
            "No tasks yet. Tasks split a project into parts (design, build, support…), so \
             entries can say which part the time went to. Add the first task"
        )
    );
    project.assert_contains(r##"<a href="#new-task-name">Add the first task</a>"##);
    let with_task = web
        .post(&format!("{path}/tasks"), &[("name", "Design")])
        .await;
    let with_task = web.follow(with_task).await;
    web.post(&format!("{home}/clients"), &[("name", "Globex")])
        .await;
    web.post(&format!("{home}/tags"), &[("name", "urgent")])
        .await;
    let params = "from=2026-11-23&to=2026-11-29&group=day";
    web.get(&format!("{home}/reports?{params}")).await;
    let saved = web
        .post(
            &format!("{home}/reports/save"),
            &[("params", params), ("name", "Daily")],
        )
        .await;
    saved.assert_redirect(&format!("{home}/reports?{params}#saved-"));
    web.get("/account/tokens").await;
    web.post("/account/tokens", &[("name", "Script")]).await;

    let saved_reports = web.get(&format!("{home}/reports")).await;
    assert_eq!(
        saved_reports.text_of("#saved-title ~ .empty-state"),
        None,
        "one saved report, no empty state"
    );
    for (page, what) in [
        (web.get(&format!("{home}/projects")).await, "projects"),
        (with_task, "tasks"),
        (web.get(&format!("{home}/clients")).await, "clients"),
        (web.get(&format!("{home}/tags")).await, "tags"),
        (web.get("/account/tokens").await, "tokens"),
    ] {
        assert_eq!(empty_state(&page), None, "{what}: one item, no empty state");
    }
}

async fn the_members_page_invites_while_the_owner_is_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    let org = home.trim_start_matches("/o/").to_string();

    let alone = web.get(&format!("{home}/members")).await;
    let owner = app.sign_in("owner@example.org").await;
    app.invite_new(&org, &owner, "bob@example.org", "member")
        .await;
    let together = web.get(&format!("{home}/members")).await;

    assert_eq!(
        empty_state(&alone).as_deref(),
        Some(
            "You are the only member so far. Invite the people you work with: their time then \
             shows up in the same reports. Invite someone"
        )
    );
    alone.assert_contains(r##"<a href="#email">Invite someone</a>"##);
    assert_eq!(empty_state(&together), None);
}

async fn a_tag_change_comes_back_on_its_row_and_the_notice_names_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    web.get(&format!("{home}/tags")).await;

    let created = web
        .post(&format!("{home}/tags"), &[("name", "urgent")])
        .await;
    let (created, listed) = landing(&mut web, created).await;
    let id = id_after(&listed, "<tr data-filter-item id=\"tag-");
    let renamed = web
        .post(
            &format!("{home}/tags/{id}"),
            &[("was", "urgent"), ("name", "blocker")],
        )
        .await;
    let (renamed, after_rename) = landing(&mut web, renamed).await;
    let archived = web
        .post(&format!("{home}/tags/{id}"), &[("archived", "true")])
        .await;
    let (_, after_archive) = landing(&mut web, archived).await;
    let deleted = web.post(&format!("{home}/tags/{id}/delete"), &[]).await;
    let (deleted, after_delete) = landing(&mut web, deleted).await;

    assert_eq!(created.as_str(), format!("{home}/tags#tag-{id}"));
    assert_eq!(
        listed.text_of("p.notice[role=status]").as_deref(),
        Some("Tag “urgent” created.")
    );
    listed.assert_contains(&format!("<tr data-filter-item id=\"tag-{id}\">"));
    assert_eq!(renamed.as_str(), format!("{home}/tags#tag-{id}"));
    assert_eq!(
        after_rename.text_of("p.notice").as_deref(),
        Some("Tag “urgent” renamed to “blocker”.")
    );
    assert_eq!(
        after_archive.text_of("p.notice").as_deref(),
        Some("Tag “blocker” archived.")
    );
    assert_eq!(deleted.as_str(), format!("{home}/tags#tags-title"));
    assert_eq!(
        after_delete.text_of("p.notice").as_deref(),
        Some("Tag “blocker” deleted.")
    );
    after_delete.assert_contains("id=\"tags-title\"");
}

async fn project_and_task_changes_come_back_on_what_changed_with_names(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    web.get(&format!("{home}/projects")).await;
    let created = web
        .post(&format!("{home}/projects"), &[("name", "Website")])
        .await;
    let (path, project) = landing(&mut web, created).await;
    let edit = project.form(&format!("form[action=\"{path}\"]"));

    let mut rename = edit.clone();
    rename.set("name", "Web site");
    let renamed = web.submit(&rename).await;
    let (renamed, after_rename) = landing(&mut web, renamed).await;
    let added = web
        .post(&format!("{path}/tasks"), &[("name", "Design")])
        .await;
    let (added, after_add) = landing(&mut web, added).await;
    let task = id_after(&after_add, "id=\"task-");
    let removed = web.post(&format!("{path}/tasks/{task}/delete"), &[]).await;
    let (removed, after_remove) = landing(&mut web, removed).await;
    let deleted = web.post(&format!("{path}/delete"), &[]).await;
    let (deleted, after_delete) = landing(&mut web, deleted).await;

    assert_eq!(renamed.as_str(), format!("{path}#details-title"));
    assert_eq!(
        after_rename.text_of("p.notice").as_deref(),
        Some("Project “Website” renamed to “Web site”.")
    );
    assert_eq!(added.as_str(), format!("{path}#task-{task}"));
    assert_eq!(
        after_add.text_of("p.notice").as_deref(),
        Some("Task “Design” added.")
    );
    assert_eq!(removed.as_str(), format!("{path}#tasks"));
    assert_eq!(
        after_remove.text_of("p.notice").as_deref(),
        Some("Task “Design” deleted.")
    );
    assert_eq!(deleted.as_str(), format!("{home}/projects#projects-title"));
    assert_eq!(
        after_delete.text_of("p.notice").as_deref(),
        Some("Project “Web site” deleted.")
    );
}

async fn revoking_a_token_comes_back_on_the_list_and_names_the_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    web.set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    web.get("/account/tokens").await;
    web.post("/account/tokens", &[("name", "Invoice script")])
        .await;
    let listed = web.get("/account/tokens").await;
    let id = id_after(&listed, "id=\"token-");

    let revoked = web.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    let (revoked, after) = landing(&mut web, revoked).await;

    assert_eq!(revoked, "/account/tokens#tokens-title");
    assert_eq!(
        after.text_of("p.notice").as_deref(),
        Some("Token “Invoice script” revoked; programs using it can no longer sign in with it.")
    );
}

async fn an_empty_week_and_an_empty_report_say_what_to_do_until_time_is_tracked(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(
        DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    );
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;

    let empty_week = web.get(&format!("{home}/week")).await;
    let empty_report = web.get(&format!("{home}/reports")).await;
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
    added.assert_redirect(&format!("{home}/week"));
    let week = web.get(&format!("{home}/week")).await;
    let report = web.get(&format!("{home}/reports")).await;

    assert_eq!(
        empty_week.text_of(".empty-state").as_deref(),
        Some(
            "No time tracked in this week yet: choose a project in the last row and type its \
             hours, or add time to a day below. Choose a project Import from Toggl or Clockify"
        )
    );
    empty_week.assert_contains(r##"<a href="#new-row">Choose a project</a>"##);
    empty_week.assert_contains(&format!(
        r#"<a href="{home}/import">Import from Toggl or Clockify</a>"#
    ));
    let report_empty = empty_report.text_of(".report-card .empty-state");
    assert_eq!(
        report_empty.as_deref(),
        Some(
            "Reports total the time tracked in a period. Choose another period or fewer filters \
             above, or track some time first. Change the period Start a timer"
        )
    );
    empty_report.assert_contains(r##"<a href="#r-from">Change the period</a>"##);
    assert_eq!(week.text_of(".empty-state"), None);
    assert_eq!(report.text_of(".report-card .empty-state"), None);
}

async fn deleting_the_organization_needs_its_box_ticked_even_without_javascript(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    let settings = web.get(&format!("{home}/settings")).await;
    settings.assert_contains(r#"<input type="checkbox" name="understood" value="yes" required>"#);

    let unticked = web.post(&format!("{home}/delete"), &[]).await;
    let still_there = web.get(&home).await;
    let ticked = web
        .post(&format!("{home}/delete"), &[("understood", "yes")])
        .await;
    let gone = web.get(&home).await;

    assert_eq!(unticked.status, 422);
    assert_eq!(
        unticked.text_of("#understood-error").as_deref(),
        Some("Tick the box to confirm: deleting the organization cannot be undone.")
    );
    assert_eq!(still_there.status, 200);
    ticked.assert_redirect("/");
    assert_eq!(gone.status, 404);
}
