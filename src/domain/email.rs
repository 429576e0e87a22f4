//! Email addresses: trimmed, at most 254 bytes, one `@`, a dotted domain; compared without
//! regard to letter case.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    original: String,
    normalized: String,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = raw.trim();
        let invalid = || {
            format!(
                "'{}' is not an email address like name@example.com",
                email.chars().take(80).collect::<String>()
            )
        };
        if email.is_empty() {
            return Err("is required".into());
        }
        if email.len() > 254 {
            return Err("is longer than 254 characters".into());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let valid = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && email
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>(),;:\\\"[]".contains(c));
        if !valid {
            return Err(invalid());
        }
        Ok(Email {
            original: email.to_string(),
            normalized: email.to_lowercase(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Lower-cased form used for uniqueness and look-ups.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn addresses_are_trimmed_and_compared_case_insensitively() {
        let email = Email::parse("  Ada.Lovelace@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "Ada.Lovelace@Example.ORG");
        assert_eq!(email.normalized(), "ada.lovelace@example.org");
    }

    #[test]
    fn malformed_addresses_are_refused_with_a_reason() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@@example.org",
            "ada@example..org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(
            Email::parse(&format!("{}@example.org", "a".repeat(250)))
                .unwrap_err()
                .contains("254")
        );
    }
}
