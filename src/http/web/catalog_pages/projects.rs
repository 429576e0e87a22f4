//! `/o/{org}/projects`: the list, and for managers a form to create one. A project's own page,
//! with everything else about it, is in `project`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};

use super::colours::{self, ColourChoice};
use super::{Attempt, Listing, parse_amount, parse_hours, rejected, retry};
use crate::domain::catalog::{Client, Visibility};
use crate::domain::ids::{ClientId, OrganizationId};
use crate::http::state::AppState;
use crate::http::web::form::{Fields, FormErrors, SignedForm};
use crate::http::web::format;
use crate::http::web::org::org_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{Viewer, redirect_with_notice};
use crate::service::catalog::projects::{self, ProjectInput, ProjectsQuery};
use crate::service::catalog::{ListQuery, clients};
use crate::service::organizations;
use crate::service::{Actor, Ctx};

/// A client as a `<select>` offers it.
pub struct ClientOption {
    pub id: String,
    pub name: String,
}

/// The clients a project may belong to (active ones), and every client's name by id.
pub async fn client_choices(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    manages: bool,
) -> Result<(Vec<ClientOption>, HashMap<ClientId, String>), crate::error::AppError> {
    // managers also see archived clients, which archived or older projects may still name
    let query = ListQuery {
        archived: manages.then(|| "all".to_string()),
        search: None,
    };
    let all: Vec<Client> = clients::list(ctx, actor, org, &query).await?;
    let options = all
        .iter()
        .filter(|c| !c.archived)
        .map(|c| ClientOption {
            id: c.id.to_string(),
            name: c.name.clone(),
        })
        .collect();
    let names = all.into_iter().map(|c| (c.id, c.name)).collect();
    Ok((options, names))
}

/// The project form's fields as the service's input; `editing` adds what only the edit form
/// has (archived, budget). Fields that are not numbers or ids are errors before any service call.
pub fn project_input(
    fields: &Fields,
    editing: bool,
    currency: &str,
) -> Result<ProjectInput, FormErrors> {
    let mut errors = FormErrors::default();
    let client_id = match fields.non_empty("client_id") {
        None => None,
        Some(raw) => raw.parse::<ClientId>().map(Some).unwrap_or_else(|_| {
            errors.add("client_id", "is not a client of this organization");
            None
        }),
    };
    let estimate = parse_hours(fields.get("estimate_hours")).unwrap_or_else(|m| {
        errors.add("estimate_hours", m);
        None
    });
    let budget = parse_amount(fields.get("budget"), currency).unwrap_or_else(|m| {
        errors.add("budget", m);
        None
    });
    if !errors.is_empty() {
        errors.summarise();
        return Err(errors);
    }
    Ok(ProjectInput {
        name: Some(fields.get("name").into()),
        client_id: Some(client_id),
        color: colours::chosen(fields),
        billable_default: Some(fields.checked("billable_default")),
        archived: editing.then(|| fields.checked("archived")),
        visibility: Some(fields.non_empty("visibility").unwrap_or("public").into()),
        estimate_hours: Some(estimate),
        budget: editing.then_some(budget),
    })
}

struct Row {
    id: String,
    name: String,
    color: String,
    client: String,
    billable: bool,
    estimate: String,
    private: bool,
    archived: bool,
}

#[derive(Template)]
#[template(path = "manage/projects.html")]
struct ProjectsPage {
    chrome: Chrome,
    show_archived: bool,
    suffix: &'static str,
    rows: Vec<Row>,
    /// Errors of a form this viewer is not shown.
    errors: FormErrors,
    clients: Vec<ClientOption>,
    new_errors: FormErrors,
    new_name: String,
    new_client: String,
    new_color: ColourChoice,
    new_billable: bool,
    new_private: bool,
    new_estimate: String,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    listing: &Listing,
    mut attempt: Attempt,
    headers: &HeaderMap,
    status: StatusCode,
) -> PageResult {
    let (chrome, _) = org_chrome(state, viewer, org, "projects").await?;
    let manages = chrome.manages();
    attempt.unless_shown(|_| manages);
    let query = ProjectsQuery {
        list: listing.query(),
        client_id: None,
    };
    let all = projects::list(&state.ctx, &viewer.actor, org, &query).await?;
    let (clients, names) = client_choices(&state.ctx, &viewer.actor, org, manages).await?;
    let rows = all
        .into_iter()
        .map(|p| Row {
            id: p.id.to_string(),
            client: p
                .client_id
                .and_then(|c| names.get(&c).cloned())
                .unwrap_or_default(),
            name: p.name,
            color: p.color,
            billable: p.billable_default,
            estimate: p
                .estimate_seconds
                .map(format::hours_minutes)
                .unwrap_or_default(),
            private: p.visibility == Visibility::Private,
            archived: p.archived,
        })
        .collect();
    let (new_errors, fields, fresh) = match attempt.take("new") {
        Some((errors, fields)) => (errors, fields, false),
        None => (FormErrors::default(), Fields::default(), true),
    };
    // the form offers the colour the service would pick, so leaving it alone changes nothing
    let new_color = match colours::chosen(&fields) {
        Some(color) => color,
        None if manages => projects::next_color(&state.ctx, &viewer.actor, org)
            .await?
            .hex
            .to_string(),
        None => String::new(),
    };
    let page = ProjectsPage {
        chrome,
        show_archived: listing.all(),
        suffix: listing.suffix(),
        rows,
        errors: attempt.rest(),
        clients,
        new_errors,
        new_name: fields.get("name").into(),
        new_client: fields.get("client_id").into(),
        new_color: ColourChoice::of(&new_color),
        // a new project is billable unless the person unticked it
        new_billable: fresh || fields.checked("billable_default"),
        new_private: fields.get("visibility") == "private",
        new_estimate: fields.get("estimate_hours").into(),
    };
    Ok(page::html_with_status(&page, headers, status))
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
) -> PageResult {
    render(
        &state,
        &viewer,
        org,
        &listing,
        Attempt::default(),
        &headers,
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    Query(listing): Query<Listing>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let SignedForm { viewer, fields } = form;
    let currency = organizations::get(&state.ctx, &viewer.actor, org)
        .await?
        .organization
        .currency;
    let input = match project_input(&fields, false, &currency) {
        Ok(input) => input,
        Err(errors) => {
            let (attempt, status) = rejected("new", fields, errors);
            return render(&state, &viewer, org, &listing, attempt, &headers, status).await;
        }
    };
    match projects::create(&state.ctx, &viewer.actor, org, input).await {
        Ok(project) => Ok(redirect_with_notice(
            &format!("/o/{org}/projects/{}", project.id),
            &format!("Project “{}” created.", project.name),
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => {
            let (attempt, status) = retry("new", fields, e)?;
            render(&state, &viewer, org, &listing, attempt, &headers, status).await
        }
    }
}
