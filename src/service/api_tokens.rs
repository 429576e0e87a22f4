//! Personal API tokens: created with an optional expiry, the secret shown once, revocable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::secrets::{self, API_TOKEN_PREFIX};
use super::{Actor, Ctx, audit, invalid};
use crate::db::{Ts, credentials};
use crate::domain::account::ApiToken;
use crate::domain::ids::ApiTokenId;
use crate::domain::profile::parse_name;
use crate::error::{AppError, AppResult};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    #[schema(schema_with = crate::domain::field_schema::required_name)]
    pub name: String,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// Shown only in this response.
    pub secret: String,
}

pub async fn create(ctx: &Ctx, actor: &Actor, input: NewApiToken) -> AppResult<CreatedApiToken> {
    let name = parse_name(&input.name).map_err(|m| invalid("name", m))?;
    let now = ctx.clock.now();
    if input.expires_at.is_some_and(|at| at <= now) {
        return Err(invalid("expires_at", "must be in the future"));
    }
    let secret = secrets::new_token(API_TOKEN_PREFIX);
    let token = ApiToken {
        id: ApiTokenId::new(),
        name,
        expires_at: input.expires_at,
        last_used_at: None,
        created_at: now,
    };
    let mut tx = ctx.db.begin().await?;
    credentials::insert_api_token(
        &mut tx.conn(),
        actor.user.id,
        &token,
        &secrets::digest(&secret),
    )
    .await?;
    audit::user_event(
        &mut tx,
        &actor.user,
        "api_token.created",
        json!({ "token_id": token.id, "name": token.name }),
        &actor.ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedApiToken { token, secret })
}

pub async fn list(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<ApiToken>> {
    let mut pooled = ctx.db.acquire().await?;
    Ok(credentials::list_api_tokens(&mut pooled.conn(), actor.user.id).await?)
}

/// Revokes one of the actor's tokens; answers its name, for the notice.
pub async fn revoke(ctx: &Ctx, actor: &Actor, id: ApiTokenId) -> AppResult<String> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let token = credentials::revoke_api_token(&mut tx.conn(), actor.user.id, id, Ts(now))
        .await?
        .ok_or_else(|| AppError::NotFound("You have no API token with this id.".into()))?;
    audit::user_event(
        &mut tx,
        &actor.user,
        "api_token.revoked",
        json!({ "token_id": token.id, "name": token.name }),
        &actor.ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token.name)
}
