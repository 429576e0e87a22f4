//! The provider identities linked to the signed-in person's account, for the account page, and
//! disconnecting one, unless it is the account's last way to sign in.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::super::{Actor, Ctx, audit};
use super::has_password;
use crate::db::{sso, users};
use crate::domain::ids::IdentityId;
use crate::error::{AppError, AppResult};

pub struct Connected {
    pub id: IdentityId,
    pub issuer: String,
    /// The address the provider gave at the last sign-in.
    pub email: String,
    pub linked_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

pub async fn list(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<Connected>> {
    let mut pooled = ctx.db.acquire().await?;
    let all = sso::identities_of(&mut pooled.conn(), actor.user.id).await?;
    Ok(all
        .into_iter()
        .map(|i| Connected {
            id: i.id,
            issuer: i.issuer,
            email: i.email,
            linked_at: i.created_at.0,
            last_used_at: i.last_used_at.0,
        })
        .collect())
}

/// Whether the account can sign in with a password (accounts made by single sign-on cannot,
/// until a password reset gives them one).
pub async fn has_own_password(ctx: &Ctx, actor: &Actor) -> AppResult<bool> {
    let mut pooled = ctx.db.acquire().await?;
    let (_, hash) = users::find(&mut pooled.conn(), actor.user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(has_password(&hash))
}

pub async fn disconnect(ctx: &Ctx, actor: &Actor, id: IdentityId) -> AppResult<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let (_, hash) = users::find(&mut tx.conn(), actor.user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let all = sso::identities_of(&mut tx.conn(), actor.user.id).await?;
    let Some(identity) = all.iter().find(|i| i.id == id) else {
        return Err(AppError::NotFound(
            "You have no connected identity with this id.".into(),
        ));
    };
    if !has_password(&hash) && all.len() == 1 {
        return Err(AppError::Conflict(
            "This is your only way to sign in: set a password first (sign out, then \"Forgot your password?\" on the sign-in page), then disconnect it.".into(),
        ));
    }
    sso::delete_identity(&mut tx.conn(), actor.user.id, id).await?;
    let detail = json!({ "issuer": identity.issuer, "email": identity.email });
    audit::user_event(&mut tx, &actor.user, "sso.unlinked", detail, &actor.ip, now).await?;
    tx.commit().await?;
    Ok(())
}
