//! The membership check every organization-scoped use case starts with. A leaf of `service`:
//! the use cases all ask it, and it asks only the database and the role table.

use super::Actor;
use crate::db::{Conn, organizations};
use crate::domain::account::MyOrganization;
use crate::domain::ids::OrganizationId;
use crate::domain::role::{Permission, allows};
use crate::error::{AppError, AppResult};

pub fn not_found() -> AppError {
    AppError::NotFound("There is no such organization, or you are not a member of it.".into())
}

/// The actor's membership, if it grants `permission`. Non-members get 404 (never 403), so
/// organization ids cannot be probed; members without the permission get 403.
pub async fn require_member(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    actor: &Actor,
    permission: Permission,
) -> AppResult<MyOrganization> {
    let mine = organizations::find_for_member(conn, org, actor.user.id)
        .await?
        .ok_or_else(not_found)?;
    if !allows(mine.role, permission) {
        return Err(AppError::Forbidden(format!(
            "Your role ({}) does not allow this in this organization.",
            mine.role.as_str()
        )));
    }
    Ok(mine)
}
