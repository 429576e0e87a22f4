//! Password rules: 12 to 1024 characters, not the email address. The
//! pages show `MIN_CHARS` from here, so the form and the server state one rule.

use secrecy::{ExposeSecret, SecretString};

use super::email::Email;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 1024;

/// A password that passed the rules; never printed.
pub struct Password(SecretString);

impl Password {
    pub fn parse(raw: &str, email: &Email) -> Result<Password, String> {
        if raw.chars().count() < MIN_CHARS {
            return Err(format!("must be at least {MIN_CHARS} characters long"));
        }
        // characters, like the minimum and like the OpenAPI document's maxLength
        if raw.chars().count() > MAX_CHARS {
            return Err(format!("must be at most {MAX_CHARS} characters long"));
        }
        if raw.trim().eq_ignore_ascii_case(email.as_str()) {
            return Err("must not be your email address".into());
        }
        Ok(Password(SecretString::from(raw)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_has_its_own_message() {
        let email = Email::parse("ada@example.org").unwrap();
        assert!(
            Password::parse("short", &email)
                .err()
                .unwrap()
                .contains("at least 12")
        );
        assert!(
            Password::parse(&"x".repeat(1025), &email)
                .err()
                .unwrap()
                .contains("at most 1024 characters")
        );
        // characters, not bytes: 1024 two-byte letters are allowed
        assert!(Password::parse(&"é".repeat(1024), &email).is_ok());
        assert!(
            Password::parse("ADA@example.org", &email)
                .err()
                .unwrap()
                .contains("email")
        );
        assert!(Password::parse("correct horse battery", &email).is_ok());
    }
}
