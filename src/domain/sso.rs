//! Single sign-on rules that need no I/O: whose provider a sign-in goes through (`Scope`), the
//! allowed email domains of a provider, and whether an address is in them.

use super::email::Email;
use super::ids::OrganizationId;

/// Whose provider a sign-in goes through: the one the operator configured for the whole instance
/// (`GOGOTIME_SSO_*`), or an organization's own. One flow serves both; only what follows a
/// sign-in differs (an organization's provider makes its people members, the instance's makes
/// them members of nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Instance,
    Organization(OrganizationId),
}

impl Scope {
    /// The organization whose provider it is; `None` for the instance's.
    pub fn organization(self) -> Option<OrganizationId> {
        match self {
            Scope::Instance => None,
            Scope::Organization(org) => Some(org),
        }
    }

    /// Where the sign-in starts, and below which its callback and link pages are:
    /// `/sso/instance` cannot be an organization's (their ids are UUIDs).
    pub fn path(self) -> String {
        match self {
            Scope::Instance => "/sso/instance".to_string(),
            Scope::Organization(org) => format!("/sso/{org}"),
        }
    }
}

/// At most this many domains per provider.
pub const MAX_DOMAINS: usize = 50;

/// One domain as an admin types it: `example.com`, any letter case, no `@`, no wildcard.
pub fn parse_domain(raw: &str) -> Result<String, String> {
    let domain = raw.trim().trim_start_matches('@').to_lowercase();
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if domain.len() > 253 || !domain.contains('.') || !labels_ok {
        let shown: String = raw.trim().chars().take(80).collect();
        return Err(format!(
            "'{shown}' is not an email domain like example.com (no wildcards; list each domain)"
        ));
    }
    Ok(domain)
}

/// The domains of a list (separated by white space or commas), without repeats; at least one.
pub fn parse_domains<'a>(raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut domains: Vec<String> = Vec::new();
    for part in raw
        .into_iter()
        .flat_map(|s| s.split(|c: char| c.is_whitespace() || c == ','))
        .filter(|s| !s.is_empty())
    {
        let domain = parse_domain(part)?;
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if domains.is_empty() {
        return Err("needs at least one email domain, e.g. example.com".into());
    }
    if domains.len() > MAX_DOMAINS {
        return Err(format!("has more than {MAX_DOMAINS} domains"));
    }
    Ok(domains)
}

/// The lowercase domain of an address.
pub fn domain_of(email: &Email) -> &str {
    email
        .normalized()
        .rsplit_once('@')
        .map_or("", |(_, domain)| domain)
}

/// Whether the address's domain is exactly one of `allowed` (a subdomain is another domain).
pub fn domain_allowed(email: &Email, allowed: &[String]) -> bool {
    let domain = domain_of(email);
    allowed.iter().any(|a| a == domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_lowercased_deduplicated_and_checked() {
        assert_eq!(
            parse_domains(["Example.com, @example.org example.com"]).unwrap(),
            vec!["example.com", "example.org"]
        );
        for bad in [
            "",
            "*.example.com",
            "example",
            "a@b.com",
            "-x.com",
            "x..com",
        ] {
            assert!(parse_domains([bad]).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn only_the_exact_domain_is_allowed() {
        let allowed = vec!["example.com".to_string()];
        let ok = Email::parse("Ada@Example.COM").unwrap();
        let sub = Email::parse("ada@mail.example.com").unwrap();
        let lookalike = Email::parse("ada@evilexample.com").unwrap();
        assert!(domain_allowed(&ok, &allowed));
        assert!(!domain_allowed(&sub, &allowed));
        assert!(!domain_allowed(&lookalike, &allowed));
    }
}
