//! The catalog pages through a browser without JavaScript: clients, projects with their tasks,
//! people and rates, and tags; inline errors; what members may not do.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::{Org, PASSWORD};
use crate::helpers::web::{Page, WebClient, html_unescape};
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    an_owner_builds_a_client_a_project_with_a_task_a_rate_and_a_tag_through_forms,
    an_empty_client_name_comes_back_with_the_message_next_to_it_and_the_notes_kept,
    a_member_sees_the_catalog_without_forms_and_is_refused_when_creating_a_client,
    a_post_without_the_form_token_is_refused_and_changes_nothing,
    a_private_project_appears_for_a_person_once_a_manager_adds_them,
    a_client_with_projects_is_not_deleted_and_the_page_says_why,
    a_rate_that_is_not_an_amount_comes_back_next_to_its_field,
    yen_have_no_decimals_in_forms_or_on_pages,
);

/// The value of the `<option>` labelled `label`.
fn option_value(page: &Page, label: &str) -> String {
    let body = html_unescape(&page.body);
    let end = body
        .find(&format!("\">{label}</option>"))
        .unwrap_or_else(|| panic!("no option {label:?} on the page:\n{body}"));
    let start = body[..end].rfind("value=\"").expect("an option value") + "value=\"".len();
    body[start..end].to_string()
}

/// The id in the first form action `…/{collection}/{id}` on the page.
fn id_after(page: &Page, collection: &str) -> String {
    let marker = format!("/{collection}/");
    let start = page.body.find(&marker).expect("a link to an item") + marker.len();
    page.body[start..start + 36].to_string()
}

fn api(org: &str, rest: &str) -> String {
    format!("/api/v1/organizations/{org}/{rest}")
}

async fn owner_token(app: &TestApp) -> String {
    let (status, tokens) = app.token_for("owner@example.org", PASSWORD).await;
    assert_eq!(status, 200, "{tokens}");
    tokens["access_token"].as_str().unwrap().to_string()
}

async fn an_owner_builds_a_client_a_project_with_a_task_a_rate_and_a_tag_through_forms(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    let org = home.trim_start_matches("/o/").to_string();

    web.get(&format!("{home}/clients")).await;
    let client_created = web
        .post(
            &format!("{home}/clients"),
            &[("name", "Globex"), ("notes", "net 30")],
        )
        .await;
    let clients = web.follow(client_created).await;
    let projects = web.get(&format!("{home}/projects")).await;
    let created = web
        .post(
            &format!("{home}/projects"),
            &[
                ("name", "Website"),
                ("client_id", &option_value(&projects, "Globex")),
                ("color", "#FF8800"),
                ("visibility", "private"),
                ("estimate_hours", "12,5"),
                ("billable_default", "true"),
            ],
        )
        .await;
    let project = created.assert_redirect(&format!("{home}/projects/"));
    let project_page = web.follow(created).await;
    let task_added = web
        .post(&format!("{project}/tasks"), &[("name", "Design")])
        .await;
    let with_task = web.follow(task_added).await;
    let task = format!("{project}/tasks/{}", id_after(&with_task, "tasks"));
    let renamed = web.post(&task, &[("name", "Visual design")]).await;
    let after_rename = web.follow(renamed).await;
    let done = web.post(&task, &[("done", "true")]).await;
    let after_done = web.follow(done).await;
    let rated = web
        .post(&format!("{project}/rate"), &[("hourly_rate", "85.50")])
        .await;
    let after_rate = web.follow(rated).await;
    web.get(&format!("{home}/tags")).await;
    let tag_created = web
        .post(&format!("{home}/tags"), &[("name", "urgent")])
        .await;
    let tags = web.follow(tag_created).await;

    clients.assert_contains("Client “Globex” created.");
    clients.assert_contains("net 30");
    project_page.assert_contains("Project “Website” created.");
    project_page.assert_contains("Globex");
    project_page.assert_contains("12:30 h");
    project_page.assert_contains("fill=\"#ff8800\"");
    after_rename.assert_contains("Task “Visual design” renamed.");
    after_done.assert_contains("Task “Visual design” marked done.");
    after_rate.assert_contains("Rate saved.");
    after_rate.assert_contains("85.50 EUR");
    tags.assert_contains("Tag “urgent” created.");
    let token = owner_token(&app).await;
    let project_id = project.rsplit('/').next().unwrap();
    let (_, saved) = app
        .get_as(&api(&org, &format!("projects/{project_id}")), &token)
        .await;
    let (_, tasks) = app
        .get_as(&api(&org, &format!("projects/{project_id}/tasks")), &token)
        .await;
    let (_, rates) = app.get_as(&api(&org, "rates"), &token).await;
    let (_, all_tags) = app.get_as(&api(&org, "tags"), &token).await;
    assert_eq!(saved["color"], "#ff8800");
    assert_eq!(saved["visibility"], "private");
    assert_eq!(saved["estimate_seconds"], 45000);
    assert_eq!(saved["billable_default"], true);
    assert_eq!(tasks[0]["name"], "Visual design");
    assert_eq!(tasks[0]["done"], true);
    let project_rate = rates["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["project_id"] == project_id)
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(project_rate["hourly_rate"], 8550);
    assert_eq!(all_tags[0]["name"], "urgent");
}

async fn an_empty_client_name_comes_back_with_the_message_next_to_it_and_the_notes_kept(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    web.get(&format!("{home}/clients")).await;

    let page = web
        .post(
            &format!("{home}/clients"),
            &[("name", "  "), ("notes", "net 30 days")],
        )
        .await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(
        "name=\"name\" value=\"  \" required maxlength=\"200\" aria-invalid=\"true\"",
    );
    page.assert_contains("<p class=\"field-error\" id=\"name-error\">Name is required.</p>");
    page.assert_contains(">net 30 days</textarea>");
    page.assert_contains("No clients yet.");
}

async fn a_member_sees_the_catalog_without_forms_and_is_refused_when_creating_a_client(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    app.post(
        &api(&org.id, "clients"),
        Some(&org.manager.token),
        json!({"name": "Globex"}),
    )
    .await;
    let mut member = WebClient::new(&app);
    member.sign_in("member@example.org").await;

    let clients = member.get(&format!("/o/{}/clients", org.id)).await;
    let projects = member.get(&format!("/o/{}/projects", org.id)).await;
    let tags = member.get(&format!("/o/{}/tags", org.id)).await;
    let refused = member
        .post(&format!("/o/{}/clients", org.id), &[("name", "Initech")])
        .await;

    assert_eq!(clients.status, StatusCode::OK);
    clients.assert_contains("Globex");
    for page in [&clients, &projects, &tags] {
        assert!(!page.body.contains("<h2 id=\"new-"), "{}", page.body);
        assert!(!page.body.contains("/delete"), "{}", page.body);
        assert!(!page.body.contains("archived=all"), "{}", page.body);
    }
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("Your role (member) does not allow this in this organization.");
    assert_eq!(client_names(&app, &org).await, ["Globex"]);
}

async fn client_names(app: &TestApp, org: &Org) -> Vec<String> {
    let (_, clients) = app
        .get_as(&api(&org.id, "clients?archived=all"), &org.manager.token)
        .await;
    clients
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

async fn a_post_without_the_form_token_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, client) = app
        .post(
            &api(&org.id, "clients"),
            Some(&org.manager.token),
            json!({"name": "Globex"}),
        )
        .await;
    let mut manager = WebClient::new(&app);
    manager.sign_in("manager@example.org").await;
    let client_path = format!("/o/{}/clients/{}", org.id, client["id"].as_str().unwrap());

    let forged_delete = manager
        .post_raw(&format!("{client_path}/delete"), &[])
        .await;
    let forged_rename = manager
        .post_raw(
            &client_path,
            &[("_csrf", "not-the-token"), ("name", "Hacked")],
        )
        .await;
    let forged_create = manager
        .post_raw(&format!("/o/{}/clients", org.id), &[("name", "Initech")])
        .await;

    for forged in [&forged_delete, &forged_rename, &forged_create] {
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    }
    assert_eq!(client_names(&app, &org).await, ["Globex"]);
}

async fn a_private_project_appears_for_a_person_once_a_manager_adds_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, project) = app
        .post(
            &api(&org.id, "projects"),
            Some(&org.manager.token),
            json!({"name": "Secret plan", "visibility": "private"}),
        )
        .await;
    let project_path = format!("/o/{}/projects/{}", org.id, project["id"].as_str().unwrap());
    let mut member = WebClient::new(&app);
    member.sign_in("member@example.org").await;
    let mut admin = WebClient::new(&app);
    admin.sign_in("admin@example.org").await;

    let before = member.get(&format!("/o/{}/projects", org.id)).await;
    let hidden = member.get(&project_path).await;
    let page = admin.get(&project_path).await;
    let added = admin
        .post(
            &format!("{project_path}/members"),
            &[(
                "user_id",
                &option_value(&page, "member (member@example.org)"),
            )],
        )
        .await;
    let after_add = admin.follow(added).await;
    let rated = admin
        .post(
            &format!("{project_path}/rates/{}", org.member.id),
            &[("hourly_rate", "70")],
        )
        .await;
    let after_rate = admin.follow(rated).await;
    let after = member.get(&format!("/o/{}/projects", org.id)).await;
    let visible = member.get(&project_path).await;

    assert!(!before.body.contains("Secret plan"), "{}", before.body);
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    after_add.assert_contains("Person added to the project.");
    after_rate.assert_contains("name=\"hourly_rate\" value=\"70.00\"");
    after.assert_contains("Secret plan");
    assert_eq!(visible.status, StatusCode::OK);
    visible.assert_contains("member@example.org");
    assert!(
        !visible.body.contains("hourly_rate"),
        "members see no rates"
    );
}

async fn a_client_with_projects_is_not_deleted_and_the_page_says_why(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, client) = app
        .post(
            &api(&org.id, "clients"),
            Some(&org.manager.token),
            json!({"name": "Globex"}),
        )
        .await;
    app.post(
        &api(&org.id, "projects"),
        Some(&org.manager.token),
        json!({"name": "Website", "client_id": client["id"]}),
    )
    .await;
    let mut manager = WebClient::new(&app);
    manager.sign_in("manager@example.org").await;
    let clients = format!("/o/{}/clients", org.id);
    manager.get(&clients).await;

    let refused = manager
        .post(
            &format!("{clients}/{}/delete", client["id"].as_str().unwrap()),
            &[],
        )
        .await;
    let archived = manager
        .post(
            &format!("{clients}/{}?archived=all", client["id"].as_str().unwrap()),
            &[("archived", "true")],
        )
        .await;
    let location = archived.assert_redirect(&format!("{clients}?archived=all"));
    let listed = manager.get(&location).await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("This client has 1 project(s)");
    listed.assert_contains("Client “Globex” archived.");
    listed.assert_contains("<span class=\"badge\">archived</span>");
}

async fn a_rate_that_is_not_an_amount_comes_back_next_to_its_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    web.get(&format!("{home}/projects")).await;
    let created = web
        .post(&format!("{home}/projects"), &[("name", "Website")])
        .await;
    let project = created.assert_redirect(&format!("{home}/projects/"));
    web.follow(created).await;

    let page = web
        .post(&format!("{project}/rate"), &[("hourly_rate", "85.505")])
        .await;
    let unnamed_task = web.post(&format!("{project}/tasks"), &[("name", "")]).await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("id=\"project-rate\" name=\"hourly_rate\" value=\"85.505\"");
    let message = "id=\"hourly_rate-error\">'85.505' is not an amount like 85 or 85.50.</p>";
    assert!(html_unescape(&page.body).contains(message), "{}", page.body);
    assert_eq!(unnamed_task.status, StatusCode::UNPROCESSABLE_ENTITY);
    unnamed_task.assert_contains("id=\"new-task-name\" name=\"name\" value=\"\" required maxlength=\"200\" aria-invalid=\"true\"");
}

async fn yen_have_no_decimals_in_forms_or_on_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Olivia Owner", "owner@example.org", "Acme")
        .await;
    let settings = format!("{home}/settings");
    let page = web.get(&settings).await;
    let mut form = page.form(&format!("form[action=\"{settings}\"]"));
    form.set("currency", "JPY").set("default_rate", "8000.5");
    let refused = web.submit(&form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(
        "id=\"default_rate-error\">&#39;8000.5&#39; is not an amount like 85.</p>",
    );

    form.set("default_rate", "8000");
    web.submit(&form).await.assert_redirect(&settings);
    let page = web.get(&settings).await;
    assert_eq!(
        page.form(&format!("form[action=\"{settings}\"]"))
            .get("default_rate"),
        "8000"
    );
    page.assert_contains("now 8000 JPY");
}
