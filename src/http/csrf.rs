//! The one comparison of a sent CSRF token with the session's, for the API's cookie requests
//! and every page form. A leaf of `http`, like `cookies`.

use subtle::ConstantTimeEq;

/// True when `sent` is the session's token. Constant-time (the `subtle` crate): how long the
/// comparison takes does not reveal how much of a guess matched. An empty expected token never
/// matches.
pub fn matches(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_token_matches() {
        assert!(matches("abc123", "abc123"));
        assert!(!matches("abc124", "abc123"));
        assert!(!matches("abc12", "abc123"));
        assert!(!matches("", ""));
    }
}
