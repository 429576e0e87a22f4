//! The fields a record is built from, whatever a source calls them, and the one way header
//! names are compared. A leaf of `import`: `format` and `columns` both build on it.

/// What a column means, whatever the source calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    /// Day of the entry when start/end hold times only (Kimai, Harvest, GoGoTime).
    Date,
    StartDate,
    /// A date-time, or a time of day combined with `StartDate`/`Date`.
    Start,
    EndDate,
    /// A date-time, or a time of day combined with `EndDate` or the start's date.
    End,
    /// `h:mm:ss`, `h:mm`, decimal hours or `mm:ss min`; used only when start or end is missing.
    Duration,
    /// Whole seconds; preferred over `Duration`.
    DurationSeconds,
    UserEmail,
    UserName,
    FirstName,
    LastName,
    Client,
    Project,
    Task,
    Description,
    Tags,
    Billable,
    HourlyRate,
    Amount,
    Currency,
    /// `#rrggbb`: the colour a project created by the import gets.
    ProjectColor,
}

impl Field {
    pub(crate) const ALL: [Field; 21] = [
        Field::Date,
        Field::StartDate,
        Field::Start,
        Field::EndDate,
        Field::End,
        Field::Duration,
        Field::DurationSeconds,
        Field::UserEmail,
        Field::UserName,
        Field::FirstName,
        Field::LastName,
        Field::Client,
        Field::Project,
        Field::Task,
        Field::Description,
        Field::Tags,
        Field::Billable,
        Field::HourlyRate,
        Field::Amount,
        Field::Currency,
        Field::ProjectColor,
    ];
}

/// Lower-cases and keeps letters and digits only, so `Start date`, `start_date` and `START-DATE`
/// are one name. A trailing `(USD)`-style currency code is cut off and returned separately
/// (`Amount (USD)`, `Billable Rate (EUR)`); Toggl writes `Amount ()` when it has none.
pub(crate) fn normalize_header(raw: &str) -> (String, Option<String>) {
    let mut name = raw.trim().trim_start_matches('\u{feff}').trim();
    let mut currency = None;
    if let Some(open) = name.rfind('(')
        && name.ends_with(')')
    {
        let inside = &name[open + 1..name.len() - 1];
        if inside.is_empty()
            || (inside.len() == 3 && inside.bytes().all(|b| b.is_ascii_uppercase()))
        {
            currency = (!inside.is_empty()).then(|| inside.to_string());
            name = &name[..open];
        }
    }
    let normalized = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (normalized, currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_ignore_case_spaces_and_punctuation() {
        assert_eq!(normalize_header(" Start date ").0, "startdate");
        assert_eq!(normalize_header("start_date").0, "startdate");
        assert_eq!(normalize_header("E-Mail").0, "email");
        assert_eq!(normalize_header("Billable?").0, "billable");
        assert_eq!(normalize_header("Tätigkeit").0, "tätigkeit");
        assert_eq!(normalize_header("\u{feff}Datum").0, "datum");
        assert_eq!(normalize_header("Duration (h)").0, "durationh");
    }

    #[test]
    fn a_currency_code_in_parentheses_is_split_off() {
        assert_eq!(
            normalize_header("Billable Rate (USD)"),
            ("billablerate".into(), Some("USD".into()))
        );
        assert_eq!(normalize_header("Amount ()"), ("amount".into(), None));
        assert_eq!(normalize_header("Duration (decimal)").0, "durationdecimal");
    }
}
