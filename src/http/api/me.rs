//! `/api/v1/me/*`: the caller's profile, password, API tokens and sessions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::authn::Authenticated;
use super::extract::{ApiJson, ApiPath};
use crate::domain::account::{ApiToken, Session, User};
use crate::domain::ids::{ApiTokenId, SessionId};
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::{accounts, api_tokens, sessions};

#[utoipa::path(
    get,
    path = "/me",
    tag = "me",
    responses((status = 200, description = "Success", body = User)),
)]
pub async fn me_get(auth: Authenticated) -> Json<User> {
    Json(auth.actor.user)
}

#[utoipa::path(
    patch,
    path = "/me",
    tag = "me",
    request_body = crate::service::accounts::ProfileInput,
    responses((status = 200, description = "Success", body = User)),
)]
pub async fn me_patch(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<accounts::ProfileInput>,
) -> Result<Json<User>, HttpError> {
    Ok(Json(
        accounts::update_profile(&state.ctx, &auth.actor, input).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    #[schema(schema_with = crate::domain::field_schema::required_password)]
    new_password: String,
}

#[utoipa::path(
    post,
    path = "/me/password",
    tag = "me",
    request_body = PasswordChange,
    responses((status = 204, description = "Success")),
)]
pub async fn password_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<PasswordChange>,
) -> Result<StatusCode, HttpError> {
    accounts::change_password(
        &state.ctx,
        &auth.actor,
        &input.current_password,
        &input.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/me/api-tokens",
    tag = "me",
    responses((status = 200, description = "Success", body = Vec<ApiToken>)),
)]
pub async fn api_tokens_get(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<ApiToken>>, HttpError> {
    Ok(Json(api_tokens::list(&state.ctx, &auth.actor).await?))
}

#[utoipa::path(
    post,
    path = "/me/api-tokens",
    tag = "me",
    request_body = api_tokens::NewApiToken,
    responses((status = 201, description = "Success", body = api_tokens::CreatedApiToken)),
)]
pub async fn api_tokens_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<api_tokens::NewApiToken>,
) -> Result<Response, HttpError> {
    let created = api_tokens::create(&state.ctx, &auth.actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(
    delete,
    path = "/me/api-tokens/{id}",
    tag = "me",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Success")),
)]
pub async fn api_token_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<ApiTokenId>,
) -> Result<StatusCode, HttpError> {
    api_tokens::revoke(&state.ctx, &auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/me/sessions",
    tag = "me",
    responses((status = 200, description = "Success", body = Vec<Session>)),
)]
pub async fn sessions_get(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<Session>>, HttpError> {
    Ok(Json(sessions::list(&state.ctx, &auth.actor).await?))
}

#[utoipa::path(
    delete,
    path = "/me/sessions/{id}",
    tag = "me",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Success")),
)]
pub async fn session_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<SessionId>,
) -> Result<StatusCode, HttpError> {
    sessions::revoke(&state.ctx, &auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Sign out everywhere".
#[utoipa::path(
    post,
    path = "/me/sessions/revoke-all",
    tag = "me",
    responses((status = 204, description = "Success")),
)]
pub async fn sessions_revoke_all(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<StatusCode, HttpError> {
    sessions::revoke_all(&state.ctx, &auth.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
