//! `/api/v1/me/passkeys` (register, list, rename, remove the caller's passkeys) and
//! `/api/v1/auth/passkey/…` (password-less sign-in for tokens). Each ceremony is two calls: the
//! options for the browser's `navigator.credentials.create()`/`get()`, then the browser's answer
//! (`credential.toJSON()`). The same service as the account's Passkeys page.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::ip;
use super::authn::Authenticated;
use super::extract::{ApiJson, ApiPath};
use crate::domain::ids::PasskeyId;
use crate::http::cache::no_store;
use crate::http::client_ip::ClientIp;
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::auth;
use crate::service::passkeys::{self as service, Passkey, Purpose};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPasskey {
    /// What to call the passkey ("Laptop", "Phone").
    #[schema(schema_with = crate::domain::field_schema::required_name)]
    name: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyAnswer {
    /// The browser's answer, as `PublicKeyCredential.toJSON()` gives it
    /// (`RegistrationResponseJSON` or `AuthenticationResponseJSON`).
    #[schema(value_type = Object)]
    credential: serde_json::Value,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyRename {
    /// The passkey's new name; the same rule as when it was added.
    #[schema(schema_with = crate::domain::field_schema::required_name)]
    name: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyRemoval {
    current_password: String,
}

/// Ceremony options as the crate wrote them (`PublicKeyCredentialCreationOptionsJSON` or
/// `PublicKeyCredentialRequestOptionsJSON`), never cached.
fn options(json: String) -> Response {
    no_store(
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            json,
        )
            .into_response(),
    )
}

#[utoipa::path(
    get,
    path = "/me/passkeys",
    tag = "me",
    responses((status = 200, description = "Your passkeys", body = Vec<Passkey>)),
)]
pub async fn passkeys_get(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<Passkey>>, HttpError> {
    Ok(Json(service::list(&state.ctx, &auth.actor).await?))
}

/// Starts registering a passkey: options for `navigator.credentials.create()`, valid 5 minutes
/// and once.
#[utoipa::path(
    post,
    path = "/me/passkeys/options",
    tag = "me",
    request_body = NewPasskey,
    responses(
        (status = 200, description = "PublicKeyCredentialCreationOptionsJSON", body = Object),
    ),
)]
pub async fn passkey_options_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<NewPasskey>,
) -> Result<Response, HttpError> {
    let json = service::register_begin(&state.ctx, &auth.actor, &input.name).await?;
    Ok(options(json))
}

/// Finishes registering: the browser's answer to the options.
#[utoipa::path(
    post,
    path = "/me/passkeys",
    tag = "me",
    request_body = PasskeyAnswer,
    responses(
        (status = 201, description = "Registered", body = Passkey),
        (status = 409, description = "This passkey is registered already"),
    ),
)]
pub async fn passkeys_post(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(input): ApiJson<PasskeyAnswer>,
) -> Result<Response, HttpError> {
    let credential = input.credential.to_string();
    let added = service::register_finish(&state.ctx, &auth.actor, &credential).await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// Renames one of your passkeys.
#[utoipa::path(
    patch,
    path = "/me/passkeys/{id}",
    tag = "me",
    params(("id" = uuid::Uuid, Path)),
    request_body = PasskeyRename,
    responses(
        (status = 200, description = "Renamed", body = Passkey),
        (status = 404, description = "You have no passkey with this id"),
        (status = 422, description = "The name is missing, longer than 200 characters or holds control characters"),
    ),
)]
pub async fn passkey_patch(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<PasskeyId>,
    ApiJson(input): ApiJson<PasskeyRename>,
) -> Result<Json<Passkey>, HttpError> {
    Ok(Json(
        service::rename(&state.ctx, &auth.actor, id, &input.name).await?,
    ))
}

/// Removes a passkey (the current password again).
#[utoipa::path(
    delete,
    path = "/me/passkeys/{id}",
    tag = "me",
    params(("id" = uuid::Uuid, Path)),
    request_body = PasskeyRemoval,
    responses(
        (status = 204, description = "Removed"),
        (status = 409, description = "Your last second factor, and an organization you belong to requires one"),
    ),
)]
pub async fn passkey_delete(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<PasskeyId>,
    ApiJson(input): ApiJson<PasskeyRemoval>,
) -> Result<StatusCode, HttpError> {
    service::remove(&state.ctx, &auth.actor, id, &input.current_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a password-less sign-in: options for `navigator.credentials.get()` (no allowed
/// credentials: the passkey names its person; user verification required).
#[utoipa::path(
    post,
    path = "/auth/passkey/options",
    tag = "auth",
    responses(
        (status = 200, description = "PublicKeyCredentialRequestOptionsJSON", body = Object),
    ),
    security(()),
)]
pub async fn sign_in_options_post(State(state): State<AppState>) -> Result<Response, HttpError> {
    let json = service::assertion_begin(&state.ctx, Purpose::SignIn, None).await?;
    Ok(options(json))
}

/// Finishes a password-less sign-in: tokens as from `POST /auth/token`.
#[utoipa::path(
    post,
    path = "/auth/passkey/token",
    tag = "auth",
    request_body = PasskeyAnswer,
    responses(
        (status = 200, description = "Signed in", body = crate::service::auth::TokenPair),
        (status = 401, description = "The passkey is unknown or was removed, the answer does not verify, the request ended or was answered already, or the account is disabled"),
        (status = 429, description = "Too many failed sign-ins"),
    ),
    security(()),
)]
pub async fn passkey_token_post(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientIp>>,
    ApiJson(input): ApiJson<PasskeyAnswer>,
) -> Result<Response, HttpError> {
    let credential = input.credential.to_string();
    let pair = auth::issue_tokens_with_passkey(&state.ctx, &credential, &ip(client)).await?;
    Ok(no_store(Json(pair).into_response()))
}
