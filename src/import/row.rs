//! One CSV row to a record: reads the cells the column map names (`span` places the entry in
//! time) and collects every problem of the row rather than the first. May import the other
//! `import` modules except `scan`, and `crate::domain::{entries, catalog}`.

use std::collections::HashMap;

use chrono_tz::Tz;
use csv::StringRecord;

use super::columns::ColumnMap;
use super::dates::DateOrder;
use super::error::RowIssue;
use super::field::Field;
use super::format::Format;
use super::numbers::{parse_integer, parse_money};
use super::record::{Key, Record, fingerprint};
use crate::domain::catalog::parse_color;
use crate::domain::entries::{check_description, parse_rate};
use crate::domain::formula::restore;
use crate::domain::money::minor_digits;

/// What every row of one file is read with.
pub(crate) struct Context<'a> {
    pub(crate) format: Format,
    pub(crate) columns: &'a ColumnMap,
    pub(crate) header_len: usize,
    pub(crate) date_order: Option<DateOrder>,
    pub(crate) time_zone: Tz,
}

/// What one row gave: a record unless it had errors, and its warnings.
#[derive(Debug, Default)]
pub(crate) struct Built {
    pub(crate) record: Option<Record>,
    pub(crate) errors: Vec<RowIssue>,
    pub(crate) warnings: Vec<RowIssue>,
}

/// Counts rows whose start the source did not give, by fingerprint (see [`fingerprint`]).
pub(crate) type Occurrences = HashMap<String, u32>;

pub(crate) fn build(
    ctx: &Context<'_>,
    row: &StringRecord,
    line: u64,
    occurrences: &mut Occurrences,
) -> Built {
    let mut reader = RowReader {
        ctx,
        row,
        line,
        built: Built::default(),
    };
    if row.len() > ctx.header_len {
        reader.error(
            None,
            None,
            format!(
                "has {} cells but the header has {}; a value containing the delimiter probably lacks its quotes",
                row.len(),
                ctx.header_len
            ),
        );
        return reader.built;
    }
    let record = reader.record(occurrences);
    if record.is_none() && reader.built.errors.is_empty() {
        reader.error(None, None, "could not be read".into());
    }
    let mut built = reader.built;
    if built.errors.is_empty() {
        built.record = record;
    }
    built
}

/// Reads one row; `span` adds the methods that place it in time.
pub(super) struct RowReader<'a> {
    pub(super) ctx: &'a Context<'a>,
    row: &'a StringRecord,
    line: u64,
    built: Built,
}

impl<'a> RowReader<'a> {
    fn record(&mut self, occurrences: &mut Occurrences) -> Option<Record> {
        let user_email = self.text(Field::UserEmail);
        let user_name = self.user_name();
        let client = self.text(Field::Client);
        let project = self.text(Field::Project);
        let project_color = self.project_color();
        let task = self.text(Field::Task);
        let description = self.description();
        let tags = self.tags();
        let billable = self.billable();
        // amounts are in the row's currency's decimals (two when it names none)
        let currency = self.currency();
        let digits = currency.as_deref().map_or(2, minor_digits);
        let hourly_rate_minor = self.hourly_rate(digits);
        let amount_minor = self.money(Field::Amount, digits);
        let start = self.start()?;
        let end = self.end(&start)?;
        let key = Key {
            start: start.instant,
            end,
            user: user_email.as_deref().or(user_name.as_deref()),
            project: project.as_deref(),
            task: task.as_deref(),
            description: &description,
        };
        let mut print = fingerprint(self.ctx.format, &key, 1);
        if start.assumed {
            let seen = occurrences.entry(print.clone()).or_insert(0);
            *seen += 1;
            if *seen > 1 {
                print = fingerprint(self.ctx.format, &key, *seen);
            }
        }
        Some(Record {
            line: self.line,
            start: start.instant,
            end,
            user_email,
            user_name,
            client,
            project,
            project_color,
            task,
            description,
            tags,
            billable,
            hourly_rate_minor,
            amount_minor,
            currency,
            fingerprint: print,
        })
    }

    /// The trimmed cell of `field`, `None` when the column is absent or the cell empty. In a
    /// GoGoTime export, the `'` the exporter put before text a spreadsheet would read as a
    /// formula is taken off again (`crate::domain::formula`: only a `'` followed by `'`s and
    /// then `=`, `+`, `-`, `@`, tab or CR), so the export imports back byte-identical. Other
    /// trackers' files are read as they are: their quoting rules are not ours to guess.
    pub(super) fn cell(&self, field: Field) -> Option<&'a str> {
        let index = self.ctx.columns.column(field)?;
        let mut value = self.row.get(index)?.trim();
        if self.ctx.format == Format::Gogotime {
            value = restore(value);
        }
        (!value.is_empty()).then_some(value)
    }

    fn text(&self, field: Field) -> Option<String> {
        self.cell(field).map(str::to_string)
    }

    fn issue(&self, field: Option<Field>, value: Option<&str>, message: String) -> RowIssue {
        RowIssue {
            line: self.line,
            column: field
                .and_then(|f| self.ctx.columns.name(f))
                .map(str::to_string),
            value: value.map(str::to_string),
            message,
        }
    }

    pub(super) fn error(&mut self, field: Option<Field>, value: Option<&str>, message: String) {
        let issue = self.issue(field, value, message);
        self.built.errors.push(issue);
    }

    pub(super) fn warn(&mut self, field: Option<Field>, value: Option<&str>, message: String) {
        let issue = self.issue(field, value, message);
        self.built.warnings.push(issue);
    }

    /// Runs `parse` on the cell of `field`, recording its error.
    pub(super) fn parsed<T>(
        &mut self,
        field: Field,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.cell(field)?;
        match parse(value) {
            Ok(parsed) => Some(parsed),
            Err(message) => {
                self.error(Some(field), Some(value), message);
                None
            }
        }
    }

    /// A colour that is not `#rrggbb` is no reason to drop the entry: the project gets a palette
    /// colour instead, and the row says so.
    fn project_color(&mut self) -> Option<String> {
        let raw = self.cell(Field::ProjectColor)?;
        match parse_color(raw) {
            Ok(color) => Some(color),
            Err(message) => {
                self.warn(
                    Some(Field::ProjectColor),
                    Some(raw),
                    format!("{message}; a new project gets a palette colour instead"),
                );
                None
            }
        }
    }

    fn user_name(&self) -> Option<String> {
        self.text(Field::UserName).or_else(|| {
            let parts: Vec<&str> = [Field::FirstName, Field::LastName]
                .into_iter()
                .filter_map(|f| self.cell(f))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
    }

    fn description(&mut self) -> String {
        self.parsed(Field::Description, check_description)
            .unwrap_or_default()
    }

    /// `a, b` in one cell; a solidtime organization export writes a JSON array of ids.
    fn tags(&mut self) -> Vec<String> {
        let names: Vec<String> = if self.ctx.format == Format::SolidtimeOrganization {
            self.parsed(Field::Tags, |cell| {
                serde_json::from_str::<Vec<String>>(cell)
                    .map_err(|_| format!("“{cell}” is not a JSON list of tag ids"))
            })
            .unwrap_or_default()
        } else {
            self.cell(Field::Tags)
                .map(|cell| cell.split(',').map(str::to_string).collect())
                .unwrap_or_default()
        };
        let mut tags: Vec<String> = Vec::new();
        for name in names {
            let name = name.trim();
            if !name.is_empty() && !tags.iter().any(|t| t == name) {
                tags.push(name.to_string());
            }
        }
        tags
    }

    fn billable(&mut self) -> Option<bool> {
        self.parsed(Field::Billable, |cell| {
            parse_bool(cell).ok_or_else(|| format!("“{cell}” is not yes or no"))
        })
    }

    fn hourly_rate(&mut self, digits: u32) -> Option<i64> {
        // solidtime stores rates in cents and exports them as such.
        let minor = if self.ctx.format == Format::SolidtimeOrganization {
            self.parsed(Field::HourlyRate, parse_integer)?
        } else {
            self.money(Field::HourlyRate, digits)?
        };
        match parse_rate(Some(minor)) {
            Ok(rate) => rate,
            Err(message) => {
                let value = self.cell(Field::HourlyRate);
                self.error(Some(Field::HourlyRate), value, message);
                None
            }
        }
    }

    fn money(&mut self, field: Field, digits: u32) -> Option<i64> {
        let (minor, rounded) = self.parsed(field, |cell| parse_money(cell, digits))?;
        if rounded {
            let value = self.cell(field);
            self.warn(
                Some(field),
                value,
                "was rounded to the currency's smallest unit".into(),
            );
        }
        Some(minor)
    }

    fn currency(&mut self) -> Option<String> {
        let Some(cell) = self.cell(Field::Currency) else {
            return self.ctx.columns.header_currency.clone();
        };
        let code = currency_code(cell);
        if code.is_none() {
            self.warn(
                Some(Field::Currency),
                Some(cell),
                "is not an ISO 4217 currency code such as EUR; the currency is left empty".into(),
            );
        }
        code
    }
}

fn parse_bool(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "x" | "ja" | "j" | "wahr" | "oui" | "sí" | "si"
        | "billable" => Some(true),
        "no" | "n" | "false" | "0" | "nein" | "falsch" | "non" | "non-billable"
        | "not billable" => Some(false),
        _ => None,
    }
}

/// `EUR`, `eur`, `Euro - EUR` (Harvest), `€`, `£`: the ISO 4217 code, if there is one.
fn currency_code(cell: &str) -> Option<String> {
    let cell = cell.trim();
    if cell.len() == 3 && cell.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Some(cell.to_ascii_uppercase());
    }
    match cell {
        "€" => return Some("EUR".into()),
        "£" => return Some("GBP".into()),
        _ => {}
    }
    cell.split(|c: char| !c.is_ascii_alphabetic())
        .rfind(|word| word.len() == 3 && word.bytes().all(|b| b.is_ascii_uppercase()))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_and_no_are_read_in_several_spellings() {
        for cell in ["Yes", "true", "1", "Ja", "x"] {
            assert_eq!(parse_bool(cell), Some(true), "{cell}");
        }
        for cell in ["No", "FALSE", "0", "nein", "non-billable"] {
            assert_eq!(parse_bool(cell), Some(false), "{cell}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn currency_codes_are_found_in_the_usual_spellings() {
        assert_eq!(currency_code("EUR").as_deref(), Some("EUR"));
        assert_eq!(currency_code("usd").as_deref(), Some("USD"));
        assert_eq!(currency_code("Euro - EUR").as_deref(), Some("EUR"));
        assert_eq!(
            currency_code("United States Dollar - USD").as_deref(),
            Some("USD")
        );
        assert_eq!(currency_code("€").as_deref(), Some("EUR"));
        assert_eq!(currency_code("Dollar"), None);
    }
}
