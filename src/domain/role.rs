//! Roles in an organization and the one table of what each may do.

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    // declared from least to most powerful, so `Ord` compares power
    Member,
    Manager,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Manager, Role::Member];

    pub fn parse(raw: &str) -> Result<Role, String> {
        match raw {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "manager" => Ok(Role::Manager),
            "member" => Ok(Role::Member),
            _ => Err(format!(
                "'{raw}' is not a role; use owner, admin, manager or member"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Member => "member",
        }
    }
}

/// Things a member of an organization may want to do there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ViewOrganization,
    UpdateOrganization,
    DeleteOrganization,
    ViewMembers,
    /// Change roles below owner, remove non-owners.
    ManageMembers,
    /// Grant or take the owner role, remove owners.
    ManageOwners,
    ManageInvitations,
    ViewAuditLog,
    /// Clients, projects, tasks, tags.
    ManageCatalog,
    ManageRates,
    /// Archived clients, projects, tasks and tags, and private projects one is not a member of.
    ViewWholeCatalog,
    /// Delete a client, project, task or tag that entries still use (with `force`).
    ForceDeleteCatalog,
    /// Everyone's time entries and reports, not only one's own.
    ViewAllEntries,
    EditAllEntries,
    /// Change entries that start before the organization's lock date.
    EditLockedEntries,
    /// Import time entries from a file (for any member).
    ImportEntries,
}

/// The permission matrix. Every authorization decision, in the services and on the pages
/// (which show only what one may do), asks this function or the two below built on it; the
/// access-matrix tests read the same table.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        ViewOrganization | ViewMembers => true,
        DeleteOrganization | ManageOwners => role == Owner,
        UpdateOrganization | ManageMembers | ManageInvitations | ViewAuditLog | ManageRates
        | ForceDeleteCatalog | EditLockedEntries => role >= Admin,
        ManageCatalog | ViewWholeCatalog | ViewAllEntries | EditAllEntries | ImportEntries => {
            role >= Manager
        }
    }
}

/// May someone with `role` change the role of (or remove) a member who has `target`?
pub fn may_manage_member(role: Role, target: Role) -> bool {
    allows(role, Permission::ManageMembers)
        && (target != Role::Owner || allows(role, Permission::ManageOwners))
}

/// The roles someone with `role` may give (by a role change or an invitation).
pub fn grantable_roles(role: Role) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Owner || allows(role, Permission::ManageOwners))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_matches_the_documented_roles() {
        assert!(allows(Role::Owner, Permission::DeleteOrganization));
        assert!(!allows(Role::Admin, Permission::DeleteOrganization));
        assert!(allows(Role::Admin, Permission::ManageMembers));
        assert!(!allows(Role::Admin, Permission::ManageOwners));
        assert!(allows(Role::Manager, Permission::ManageCatalog));
        assert!(!allows(Role::Manager, Permission::ManageInvitations));
        assert!(!allows(Role::Member, Permission::ViewAllEntries));
        assert!(allows(Role::Member, Permission::ViewMembers));
    }

    #[test]
    fn only_owners_manage_owners() {
        assert!(may_manage_member(Role::Owner, Role::Owner));
        assert!(!may_manage_member(Role::Admin, Role::Owner));
        assert!(may_manage_member(Role::Admin, Role::Manager));
        assert!(!may_manage_member(Role::Manager, Role::Member));
        assert_eq!(
            grantable_roles(Role::Admin),
            [Role::Admin, Role::Manager, Role::Member]
        );
        assert_eq!(grantable_roles(Role::Owner).len(), 4);
    }

    #[test]
    fn roles_parse_from_their_names_only() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("superuser").unwrap_err().contains("not a role"));
    }
}
