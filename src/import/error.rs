//! What can go wrong: file-level errors that stop an import, and row issues (errors or warnings)
//! that concern one line. May import `format`, and `crate::error` for the mapping to `AppError`.

use serde::Serialize;

use super::format::Format;
use crate::error::{AppError, FieldErrors};

/// A problem with one line: as an error the line yields no record, as a warning it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    /// 1-based line in the file where the row starts (the header is line 1).
    pub line: u64,
    /// Header name of the column at fault, as the file spells it.
    pub column: Option<String>,
    /// The cell's text.
    pub value: Option<String>,
    pub message: String,
}

/// A date cell quoted in an error about the date order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateSample {
    pub line: u64,
    pub column: String,
    pub value: String,
}

/// Why a whole file cannot be imported. Messages are written for the person who uploaded it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("This file is not a UTF-8 CSV text file: {0}")]
    NotText(String),
    #[error(
        "This file is larger than {} MiB; export a shorter date range and import the parts one after another",
        .limit / (1024 * 1024)
    )]
    TooLarge { limit: u64 },
    #[error("This file is empty")]
    Empty,
    #[error("{}", unknown_header(.found))]
    UnknownHeader { found: Vec<String> },
    #[error(
        "This file does not look like a {} export: it has no {} column. Columns found: {}",
        .format.name(),
        .missing.join(" column and no "),
        .found.join(", ")
    )]
    MissingColumns {
        format: Format,
        missing: Vec<String>,
        found: Vec<String>,
    },
    #[error("This file has a header line but no time entries")]
    NoRows,
    #[error(
        "The dates in column “{}” could be day/month or month/day (for example “{}” on line {}), and no date in the file settles it; choose the date order (DD/MM/YYYY or MM/DD/YYYY) and import again",
        .0.column, .0.value, .0.line
    )]
    AmbiguousDateOrder(DateSample),
    #[error(
        "This file mixes day-first dates (“{}” in column “{}” on line {}) and month-first dates (“{}” in column “{}” on line {}); correct the file so all dates use one order",
        .day_first.value, .day_first.column, .day_first.line,
        .month_first.value, .month_first.column, .month_first.line
    )]
    ConflictingDateOrder {
        day_first: DateSample,
        month_first: DateSample,
    },
    #[error("Line {line} is not valid CSV: {message}")]
    Csv { line: u64, message: String },
    #[error("This file changed while it was being imported; import it again")]
    Changed,
    #[error("This file could not be read")]
    Io(#[source] std::io::Error),
}

fn unknown_header(found: &[String]) -> String {
    let expected: Vec<String> = Format::ALL.iter().map(|f| f.signature_hint()).collect();
    let found = if found.len() == 1 {
        format!(
            "a single column “{}” (is the file separated by commas, semicolons or tabs?)",
            found[0]
        )
    } else {
        found.join(", ")
    };
    format!(
        "The header line does not match any export GoGoTime can import. Columns found: {found}. Expected one of: {}",
        expected.join("; ")
    )
}

impl From<ImportError> for AppError {
    fn from(err: ImportError) -> Self {
        match err {
            ImportError::Io(io) => {
                AppError::Internal(anyhow::Error::new(io).context("reading an import file failed"))
            }
            other => {
                let message = other.to_string();
                let mut fields = FieldErrors::new();
                fields.insert("file".into(), vec![message.clone()]);
                AppError::Validation { message, fields }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_header_names_the_columns_found_and_those_expected() {
        let message = ImportError::UnknownHeader {
            found: vec!["Name".into(), "Age".into()],
        }
        .to_string();
        assert!(message.contains("Columns found: Name, Age."), "{message}");
        assert!(
            message.contains("Toggl Track (Start date, Start time, Duration)"),
            "{message}"
        );
        assert!(message.contains("generic CSV"), "{message}");
    }

    #[test]
    fn a_single_column_header_suggests_a_delimiter_problem() {
        let message = ImportError::UnknownHeader {
            found: vec!["Date|Hours".into()],
        }
        .to_string();
        assert!(message.contains("single column “Date|Hours”"), "{message}");
    }

    #[test]
    fn file_errors_become_validation_errors_on_the_file_field() {
        let AppError::Validation { message, fields } = AppError::from(ImportError::NoRows) else {
            panic!("expected a validation error");
        };
        assert_eq!(message, "This file has a header line but no time entries");
        assert_eq!(fields["file"], vec![message.clone()]);
    }

    #[test]
    fn read_failures_are_internal_errors() {
        let err = ImportError::Io(std::io::Error::other("disk on fire"));
        assert!(matches!(AppError::from(err), AppError::Internal(_)));
    }
}
