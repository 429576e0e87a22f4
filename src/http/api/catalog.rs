//! `/api/v1/organizations/{org_id}/{clients,projects,tags}` and project tasks and members.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::authn::Authenticated;
use super::doc::ROLE;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::params::Listing;
use crate::domain::catalog::{Client, Project, ProjectMember, Tag, Task};
use crate::domain::ids::{ClientId, OrganizationId, ProjectId, TagId, TaskId, UserId};
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::catalog::{ListQuery, clients, projects, tags, tasks};

type Result<T> = std::result::Result<T, HttpError>;

fn created<T: serde::Serialize>(value: T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Admins: delete although time entries use it.
    #[serde(default)]
    force: bool,
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/clients",
    tag = "clients",
    params(("org_id" = uuid::Uuid, Path), Listing),
    responses(
        (status = 200, description = "Success", body = Vec<Client>),
        (status = 403, description = ROLE),
    ),
)]
pub async fn clients_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Client>>> {
    Ok(Json(clients::list(&s.ctx, &a.actor, org, &q).await?))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/clients",
    tag = "clients",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = clients::ClientInput,
    responses(
        (status = 201, description = "Success", body = Client),
        (status = 403, description = ROLE),
        (status = 409, description = "Another client has this name"),
    ),
)]
pub async fn clients_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<clients::ClientInput>,
) -> Result<Response> {
    Ok(created(
        clients::create(&s.ctx, &a.actor, org, input).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/clients/{id}",
    tag = "clients",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Client)),
)]
pub async fn client_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ClientId)>,
) -> Result<Json<Client>> {
    Ok(Json(clients::get(&s.ctx, &a.actor, org, id).await?))
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/clients/{id}",
    tag = "clients",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    request_body = clients::ClientInput,
    responses(
        (status = 200, description = "Success", body = Client),
        (status = 403, description = ROLE),
        (status = 409, description = "Another client has this name"),
    ),
)]
pub async fn client_patch(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ClientId)>,
    ApiJson(input): ApiJson<clients::ClientInput>,
) -> Result<Json<Client>> {
    Ok(Json(
        clients::update(&s.ctx, &a.actor, org, id, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/clients/{id}",
    tag = "clients",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), DeleteQuery),
    responses(
        (status = 204, description = "Success"),
        (status = 403, description = ROLE),
        (status = 409, description = "It has projects: archive it instead, or (admins) add force=true; or one of its projects has the name of a project without a client"),
    ),
)]
pub async fn client_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ClientId)>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode> {
    clients::delete(&s.ctx, &a.actor, org, id, q.force).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/projects",
    tag = "projects",
    params(("org_id" = uuid::Uuid, Path), Listing, ("client_id" = Option<uuid::Uuid>, Query, description = "Only this client's projects")),
    responses(
        (status = 200, description = "Success", body = Vec<Project>),
        (status = 403, description = ROLE),
    ),
)]
pub async fn projects_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiQuery(q): ApiQuery<projects::ProjectsQuery>,
) -> Result<Json<Vec<Project>>> {
    Ok(Json(projects::list(&s.ctx, &a.actor, org, &q).await?))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/projects",
    tag = "projects",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = projects::ProjectInput,
    responses(
        (status = 201, description = "Success", body = Project),
        (status = 403, description = ROLE),
        (status = 409, description = "Another project of this client has this name"),
    ),
)]
pub async fn projects_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<projects::ProjectInput>,
) -> Result<Response> {
    Ok(created(
        projects::create(&s.ctx, &a.actor, org, input).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/projects/{id}",
    tag = "projects",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Project)),
)]
pub async fn project_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ProjectId)>,
) -> Result<Json<Project>> {
    Ok(Json(projects::get(&s.ctx, &a.actor, org, id).await?))
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/projects/{id}",
    tag = "projects",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    request_body = projects::ProjectInput,
    responses(
        (status = 200, description = "Success", body = Project),
        (status = 403, description = ROLE),
        (status = 409, description = "Another project of this client has this name"),
    ),
)]
pub async fn project_patch(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ProjectId)>,
    ApiJson(input): ApiJson<projects::ProjectInput>,
) -> Result<Json<Project>> {
    Ok(Json(
        projects::update(&s.ctx, &a.actor, org, id, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/projects/{id}",
    tag = "projects",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), DeleteQuery),
    responses(
        (status = 204, description = "Success"),
        (status = 403, description = ROLE),
        (status = 409, description = "Time entries use it: archive it instead, or (admins) add force=true"),
    ),
)]
pub async fn project_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ProjectId)>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode> {
    projects::delete(&s.ctx, &a.actor, org, id, q.force).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/projects/{id}/members",
    tag = "projects",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Vec<ProjectMember>)),
)]
pub async fn project_members_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ProjectId)>,
) -> Result<Json<Vec<ProjectMember>>> {
    Ok(Json(projects::members(&s.ctx, &a.actor, org, id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProjectMember {
    user_id: UserId,
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/projects/{id}/members",
    tag = "projects",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    request_body = NewProjectMember,
    responses(
        (status = 201, description = "Success", body = Vec<ProjectMember>),
        (status = 403, description = ROLE),
    ),
)]
pub async fn project_members_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ProjectId)>,
    ApiJson(input): ApiJson<NewProjectMember>,
) -> Result<Response> {
    Ok(created(
        projects::add_member(&s.ctx, &a.actor, org, id, input.user_id).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/projects/{id}/members/{user_id}",
    tag = "projects",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Success"),
        (status = 403, description = ROLE),
    ),
)]
pub async fn project_member_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id, user)): ApiPath<(OrganizationId, ProjectId, UserId)>,
) -> Result<StatusCode> {
    projects::remove_member(&s.ctx, &a.actor, org, id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/projects/{id}/tasks",
    tag = "tasks",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), Listing),
    responses(
        (status = 200, description = "Success", body = Vec<Task>),
        (status = 403, description = ROLE),
    ),
)]
pub async fn tasks_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project)): ApiPath<(OrganizationId, ProjectId)>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Task>>> {
    Ok(Json(tasks::list(&s.ctx, &a.actor, org, project, &q).await?))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/projects/{id}/tasks",
    tag = "tasks",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    request_body = tasks::TaskInput,
    responses(
        (status = 201, description = "Success", body = Task),
        (status = 403, description = ROLE),
        (status = 409, description = "Another task of this project has this name"),
    ),
)]
pub async fn tasks_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project)): ApiPath<(OrganizationId, ProjectId)>,
    ApiJson(input): ApiJson<tasks::TaskInput>,
) -> Result<Response> {
    Ok(created(
        tasks::create(&s.ctx, &a.actor, org, project, input).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/projects/{id}/tasks/{task_id}",
    tag = "tasks",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), ("task_id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Task)),
)]
pub async fn task_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project, id)): ApiPath<(OrganizationId, ProjectId, TaskId)>,
) -> Result<Json<Task>> {
    Ok(Json(tasks::get(&s.ctx, &a.actor, org, project, id).await?))
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/projects/{id}/tasks/{task_id}",
    tag = "tasks",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), ("task_id" = uuid::Uuid, Path)),
    request_body = tasks::TaskInput,
    responses(
        (status = 200, description = "Success", body = Task),
        (status = 403, description = ROLE),
        (status = 409, description = "Another task of this project has this name"),
    ),
)]
pub async fn task_patch(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project, id)): ApiPath<(OrganizationId, ProjectId, TaskId)>,
    ApiJson(input): ApiJson<tasks::TaskInput>,
) -> Result<Json<Task>> {
    Ok(Json(
        tasks::update(&s.ctx, &a.actor, org, project, id, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/projects/{id}/tasks/{task_id}",
    tag = "tasks",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), ("task_id" = uuid::Uuid, Path), DeleteQuery),
    responses(
        (status = 204, description = "Success"),
        (status = 403, description = ROLE),
        (status = 409, description = "Time entries use it: archive it instead, or (admins) add force=true"),
    ),
)]
pub async fn task_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project, id)): ApiPath<(OrganizationId, ProjectId, TaskId)>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode> {
    tasks::delete(&s.ctx, &a.actor, org, project, id, q.force).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/tags",
    tag = "tags",
    params(("org_id" = uuid::Uuid, Path), Listing),
    responses(
        (status = 200, description = "Success", body = Vec<Tag>),
        (status = 403, description = ROLE),
    ),
)]
pub async fn tags_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Tag>>> {
    Ok(Json(tags::list(&s.ctx, &a.actor, org, &q).await?))
}

#[utoipa::path(
    post,
    path = "/organizations/{org_id}/tags",
    tag = "tags",
    params(("org_id" = uuid::Uuid, Path)),
    request_body = tags::TagInput,
    responses(
        (status = 201, description = "Success", body = Tag),
        (status = 403, description = ROLE),
        (status = 409, description = "Another tag has this name"),
    ),
)]
pub async fn tags_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<tags::TagInput>,
) -> Result<Response> {
    Ok(created(tags::create(&s.ctx, &a.actor, org, input).await?))
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/tags/{id}",
    tag = "tags",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Success", body = Tag)),
)]
pub async fn tag_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TagId)>,
) -> Result<Json<Tag>> {
    Ok(Json(tags::get(&s.ctx, &a.actor, org, id).await?))
}

#[utoipa::path(
    patch,
    path = "/organizations/{org_id}/tags/{id}",
    tag = "tags",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path)),
    request_body = tags::TagInput,
    responses(
        (status = 200, description = "Success", body = Tag),
        (status = 403, description = ROLE),
        (status = 409, description = "Another tag has this name"),
    ),
)]
pub async fn tag_patch(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TagId)>,
    ApiJson(input): ApiJson<tags::TagInput>,
) -> Result<Json<Tag>> {
    Ok(Json(tags::update(&s.ctx, &a.actor, org, id, input).await?))
}

#[utoipa::path(
    delete,
    path = "/organizations/{org_id}/tags/{id}",
    tag = "tags",
    params(("org_id" = uuid::Uuid, Path), ("id" = uuid::Uuid, Path), DeleteQuery),
    responses(
        (status = 204, description = "Success"),
        (status = 403, description = ROLE),
        (status = 409, description = "Time entries use it: archive it instead, or (admins) add force=true"),
    ),
)]
pub async fn tag_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TagId)>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode> {
    tags::delete(&s.ctx, &a.actor, org, id, q.force).await?;
    Ok(StatusCode::NO_CONTENT)
}
