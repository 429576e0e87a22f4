//! Rules every stored or searched free text shares.

/// `Err` with the message for a text that contains U+0000. PostgreSQL's text cannot hold it
/// (it refuses the query), SQLite's can: refusing it for both keeps the backends alike and
/// turns what was a server error into a field error. The OpenAPI document states it as the
/// pattern `^[^\x00]*$` on the fields that check it.
pub fn check_nul_free(raw: &str) -> Result<(), String> {
    if raw.contains('\0') {
        Err("must not contain the NUL character (U+0000)".into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_nul_character_is_refused() {
        assert_eq!(
            check_nul_free("a\0b"),
            Err("must not contain the NUL character (U+0000)".to_string())
        );
        assert_eq!(check_nul_free("tab\tand\nnewline"), Ok(()));
        assert_eq!(check_nul_free(""), Ok(()));
    }
}
