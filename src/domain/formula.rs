//! Spreadsheet formula injection: text GoGoTime exports as CSV or XLSX is made inert the way
//! OWASP recommends, and GoGoTime's importer undoes exactly that, so its own export round-trips.
//!
//! The rule (docs/exports.md, docs/import.md):
//! - **Export:** a text cell that starts with `=`, `+`, `-`, `@`, tab or carriage return — after
//!   any number of `'` — gets one more `'` in front. Spreadsheets then read it as text instead of
//!   a formula. Only people's text is escaped (descriptions, names of clients, projects, tasks,
//!   tags and people, e-mail addresses); numbers GoGoTime writes stay numbers.
//! - **Import of a GoGoTime export:** a cell that is one or more `'` followed by one of those
//!   characters loses its first `'`.
//!
//! Escaping `'=x` too (to `''=x`) is what makes the pair exact: every text maps to one cell and
//! back, including a description someone really began with an apostrophe. A `'` before anything
//! else (`'tis`) is left alone both ways.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula (OWASP's list).
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True when `text` is `'`* then a trigger character.
fn looks_like_formula(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(TRIGGERS)
}

/// The cell to write for `text`: `'` in front when a spreadsheet could read it as a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if looks_like_formula(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The text a GoGoTime export's cell stands for: [`neutralise`] undone.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_evaluate_get_a_quote() {
        for (text, cell) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("''-x", "'''-x"),
        ] {
            assert_eq!(neutralise(text), cell, "{text:?}");
        }
    }

    #[test]
    fn other_text_is_left_alone() {
        for text in ["", "plain", "a=b", " =x", "'tis", "'", "''", "x-1", "1+1"] {
            assert!(matches!(neutralise(text), Cow::Borrowed(_)), "{text:?}");
            assert_eq!(restore(text), text, "{text:?}");
        }
    }

    #[test]
    fn restoring_undoes_neutralising_exactly() {
        for text in [
            "=cmd", "+1", "-2", "@x", "\tx", "\rx", "'=x", "''=x", "'+", "'", "'a", "", "=",
        ] {
            assert_eq!(restore(&neutralise(text)), text, "{text:?}");
        }
    }
}
