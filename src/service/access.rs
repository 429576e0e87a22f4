//! The membership check every organization-scoped use case starts with. A leaf of `service`:
//! the use cases all ask it, and it asks only the database and the role table.

use super::Acting;
use crate::db::{Conn, organizations, users};
use crate::domain::account::MyOrganization;
use crate::domain::ids::OrganizationId;
use crate::domain::role::{Permission, Role, allows};
use crate::error::{AppError, AppResult};

pub fn not_found() -> AppError {
    AppError::NotFound("There is no such organization, or you are not a member of it.".into())
}

/// The actor's membership, if it grants `permission`. Non-members get 404 (never 403), so
/// organization ids cannot be probed; members without the permission get 403. The same
/// statement checks that the account is enabled (a caller with an access token has had no
/// other check): a disabled or deleted account gets 401, as at sign-in.
pub async fn require_member(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    actor: &impl Acting,
    permission: Permission,
) -> AppResult<MyOrganization> {
    let found = organizations::find_for_enabled_member(conn, org, actor.user_id()).await?;
    check_member(conn, actor, found, permission).await
}

/// The rule of `require_member`, applied to what a statement that read more besides found of
/// the actor's membership (`None`: no membership, or the account is not enabled).
pub async fn check_member(
    conn: &mut Conn<'_>,
    actor: &impl Acting,
    found: Option<MyOrganization>,
    permission: Permission,
) -> AppResult<MyOrganization> {
    let Some(mine) = found else {
        return Err(refusal(conn, actor).await?);
    };
    if let Some(provider) = &mine.sso_required_by {
        sso_required(
            mine.organization.id,
            &mine.organization.name,
            provider,
            actor,
        )?;
    }
    if mine.two_factor_missing {
        return Err(two_factor_missing(&mine.organization.name));
    }
    permit(mine.role, permission)?;
    Ok(mine)
}

/// The refusal of a member of an organization that requires two-factor sign-in, before they
/// have set it up: whatever their role, nothing of the organization until they do.
pub fn two_factor_missing(organization: &str) -> AppError {
    AppError::TwoFactorSetupRequired {
        organization: organization.to_string(),
    }
}

/// The refusal of a member of an organization that lets its members in only through its single
/// sign-on (`provider`), unless the caller came in that way, or with a personal API token.
pub fn sso_required(
    org: OrganizationId,
    name: &str,
    provider: &str,
    actor: &impl Acting,
) -> AppResult<()> {
    if actor.came_in().passes_sso_requirement(org) {
        return Ok(());
    }
    Err(AppError::SingleSignOnRequired {
        organization: name.to_string(),
        organization_id: org,
        provider: provider.to_string(),
    })
}

/// Why a statement that checks membership found none for the actor: a disabled or deleted
/// account is 401, as at sign-in; anyone else gets the 404 of an organization that does not
/// exist. Only the refusal pays for telling the two apart.
pub async fn refusal(conn: &mut Conn<'_>, actor: &impl Acting) -> AppResult<AppError> {
    let enabled = users::find(conn, actor.user_id())
        .await?
        .is_some_and(|(user, _)| !user.disabled);
    Ok(if enabled {
        not_found()
    } else {
        AppError::Unauthorized
    })
}

/// 403 unless `role` has `permission`.
pub fn permit(role: Role, permission: Permission) -> AppResult<()> {
    if allows(role, permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "Your role ({}) does not allow this in this organization.",
            role.as_str()
        )))
    }
}
