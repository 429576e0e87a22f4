//! Roles from an identity provider's groups (issue 18): which role a person's groups give in an
//! organization whose single sign-on maps groups to roles. Pure rules, no I/O.

use serde::{Deserialize, Serialize};

use super::role::Role;

/// Mappings an organization may keep.
pub const MAX_MAPPINGS: usize = 100;
const MAX_GROUP: usize = 200;
const MAX_CLAIM: usize = 100;

/// One group and the role its members get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoleMapping {
    /// The group's name exactly as the provider sends it in the groups claim.
    #[schema(min_length = 1, max_length = 200)]
    pub group: String,
    /// `member`, `manager` or `admin`: ownership is never handed out by a provider.
    pub role: Role,
}

/// A role a provider may give: any but owner (owners are made by owners, by hand).
pub fn parse_role(raw: &str) -> Result<Role, String> {
    match Role::parse(raw.trim()) {
        Ok(Role::Owner) => Err(
            "owner cannot come from single sign-on; use member, manager or admin (owners are made by hand)"
                .into(),
        ),
        Ok(role) => Ok(role),
        Err(_) => Err(format!(
            "'{}' is not a role single sign-on can give; use member, manager or admin",
            raw.trim()
        )),
    }
}

/// The name of the claim carrying the groups: a JSON member name, no spaces.
pub fn parse_claim_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("is required (most providers call it groups)".into());
    }
    if name.chars().count() > MAX_CLAIM {
        return Err(format!("must be at most {MAX_CLAIM} characters"));
    }
    if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(name.to_string())
}

/// (group, role) pairs as typed: each group named once, never empty, never the owner role.
pub fn parse_mappings<'a>(
    raw: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<RoleMapping>, String> {
    let mut mappings: Vec<RoleMapping> = Vec::new();
    for (group, role) in raw {
        let group = group.trim();
        if group.is_empty() {
            return Err("every mapping needs a group name".into());
        }
        if group.chars().count() > MAX_GROUP {
            return Err(format!("group names are at most {MAX_GROUP} characters"));
        }
        if group.chars().any(char::is_control) {
            return Err(format!("the group name {group:?} has a control character"));
        }
        if mappings.iter().any(|m| m.group == group) {
            return Err(format!("the group {group:?} is mapped twice"));
        }
        let role = parse_role(role).map_err(|e| format!("group {group:?}: {e}"))?;
        mappings.push(RoleMapping {
            group: group.to_string(),
            role,
        });
    }
    if mappings.len() > MAX_MAPPINGS {
        return Err(format!("at most {MAX_MAPPINGS} mappings"));
    }
    Ok(mappings)
}

/// How an organization takes roles from its provider.
#[derive(Debug, Clone)]
pub struct RolePolicy {
    /// Empty: roles are not taken from the provider (new people join as members).
    pub mappings: Vec<RoleMapping>,
    /// The role of someone in none of the mapped groups.
    pub default_role: Role,
    /// Refuse someone in none of the mapped groups instead of giving `default_role`.
    pub refuse_unmapped: bool,
}

/// What the provider's groups say about a person's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// No mappings: roles are managed by hand.
    NotMapped,
    /// The highest role of the person's mapped groups, or the default role.
    Role(Role),
    /// In none of the mapped groups, and the organization refuses such people.
    Refuse,
}

impl RolePolicy {
    pub fn decide(&self, groups: &[String]) -> Decision {
        if self.mappings.is_empty() {
            return Decision::NotMapped;
        }
        let best = self
            .mappings
            .iter()
            .filter(|m| groups.contains(&m.group))
            .map(|m| m.role)
            .max();
        match best {
            Some(role) => Decision::Role(role),
            None if self.refuse_unmapped => Decision::Refuse,
            None => Decision::Role(self.default_role),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(refuse_unmapped: bool) -> RolePolicy {
        RolePolicy {
            mappings: parse_mappings([("staff", "member"), ("leads", "manager"), ("it", "admin")])
                .unwrap(),
            default_role: Role::Member,
            refuse_unmapped,
        }
    }

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn the_highest_mapped_role_wins() {
        let p = policy(false);
        assert_eq!(
            p.decide(&groups(&["staff", "it"])),
            Decision::Role(Role::Admin)
        );
        assert_eq!(
            p.decide(&groups(&["leads", "x"])),
            Decision::Role(Role::Manager)
        );
    }

    #[test]
    fn no_matching_group_gives_the_default_or_a_refusal() {
        assert_eq!(
            policy(false).decide(&groups(&["x"])),
            Decision::Role(Role::Member)
        );
        assert_eq!(policy(true).decide(&[]), Decision::Refuse);
    }

    #[test]
    fn without_mappings_nothing_is_decided() {
        let p = RolePolicy {
            mappings: vec![],
            default_role: Role::Admin,
            refuse_unmapped: true,
        };
        assert_eq!(p.decide(&groups(&["it"])), Decision::NotMapped);
    }

    #[test]
    fn bad_mappings_are_refused() {
        for (bad, why) in [
            (vec![("it", "owner")], "owner role"),
            (vec![("  ", "admin")], "empty group"),
            (vec![("it", "admin"), ("it", "member")], "group twice"),
            (vec![("it", "boss")], "not a role"),
        ] {
            assert!(parse_mappings(bad).is_err(), "{why}");
        }
        assert!(parse_claim_name(" ").is_err());
        assert!(parse_claim_name("roles and groups").is_err());
        assert_eq!(parse_claim_name(" groups ").unwrap(), "groups");
    }
}
