//! `/api/v1/organizations/{org_id}/{clients,projects,tags}` and project tasks and members.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::authn::Authenticated;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::domain::catalog::{Client, Project, ProjectMember, Tag, Task};
use crate::domain::ids::{ClientId, OrganizationId, ProjectId, TagId, TaskId, UserId};
use crate::http::problem::ApiError;
use crate::service::catalog::{ListQuery, clients, projects, tags, tasks};
use crate::state::AppState;

type Result<T> = std::result::Result<T, ApiError>;

fn created<T: serde::Serialize>(value: T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteQuery {
    #[serde(default)]
    force: bool,
}

pub async fn clients_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Client>>> {
    Ok(Json(clients::list(&s.ctx, &a.actor, org, &q).await?))
}

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

pub async fn client_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ClientId)>,
) -> Result<Json<Client>> {
    Ok(Json(clients::get(&s.ctx, &a.actor, org, id).await?))
}

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

pub async fn client_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ClientId)>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode> {
    clients::delete(&s.ctx, &a.actor, org, id, q.force).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn projects_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiQuery(q): ApiQuery<projects::ProjectsQuery>,
) -> Result<Json<Vec<Project>>> {
    Ok(Json(projects::list(&s.ctx, &a.actor, org, &q).await?))
}

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

pub async fn project_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ProjectId)>,
) -> Result<Json<Project>> {
    Ok(Json(projects::get(&s.ctx, &a.actor, org, id).await?))
}

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

pub async fn project_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ProjectId)>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode> {
    projects::delete(&s.ctx, &a.actor, org, id, q.force).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn project_members_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, ProjectId)>,
) -> Result<Json<Vec<ProjectMember>>> {
    Ok(Json(projects::members(&s.ctx, &a.actor, org, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProjectMember {
    user_id: UserId,
}

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

pub async fn project_member_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id, user)): ApiPath<(OrganizationId, ProjectId, UserId)>,
) -> Result<StatusCode> {
    projects::remove_member(&s.ctx, &a.actor, org, id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn tasks_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project)): ApiPath<(OrganizationId, ProjectId)>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Task>>> {
    Ok(Json(tasks::list(&s.ctx, &a.actor, org, project, &q).await?))
}

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

pub async fn task_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project, id)): ApiPath<(OrganizationId, ProjectId, TaskId)>,
) -> Result<Json<Task>> {
    Ok(Json(tasks::get(&s.ctx, &a.actor, org, project, id).await?))
}

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

pub async fn task_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, project, id)): ApiPath<(OrganizationId, ProjectId, TaskId)>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode> {
    tasks::delete(&s.ctx, &a.actor, org, project, id, q.force).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn tags_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Tag>>> {
    Ok(Json(tags::list(&s.ctx, &a.actor, org, &q).await?))
}

pub async fn tags_post(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath(org): ApiPath<OrganizationId>,
    ApiJson(input): ApiJson<tags::TagInput>,
) -> Result<Response> {
    Ok(created(tags::create(&s.ctx, &a.actor, org, input).await?))
}

pub async fn tag_get(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TagId)>,
) -> Result<Json<Tag>> {
    Ok(Json(tags::get(&s.ctx, &a.actor, org, id).await?))
}

pub async fn tag_patch(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TagId)>,
    ApiJson(input): ApiJson<tags::TagInput>,
) -> Result<Json<Tag>> {
    Ok(Json(tags::update(&s.ctx, &a.actor, org, id, input).await?))
}

pub async fn tag_delete(
    State(s): State<AppState>,
    a: Authenticated,
    ApiPath((org, id)): ApiPath<(OrganizationId, TagId)>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode> {
    tags::delete(&s.ctx, &a.actor, org, id, q.force).await?;
    Ok(StatusCode::NO_CONTENT)
}
