//! Columns matched by header name, never by position: the header names (aliases) each format
//! uses for each field, and the map from fields to column indexes. May import `field` and
//! `format` only.

use super::field::{Field, normalize_header};
use super::format::Format;

/// Header names of `field` in `format`, most preferred first.
pub(crate) fn aliases(format: Format, field: Field) -> &'static [&'static str] {
    use Field::*;
    match (format, field) {
        (Format::Toggl, StartDate) => &["Start date"],
        (Format::Toggl, Start) => &["Start time"],
        (Format::Toggl, EndDate) => &["End date", "Stop date"],
        (Format::Toggl, End) => &["End time", "Stop time"],
        (Format::Toggl, Duration) => &["Duration"],
        (Format::Toggl, UserName) => &["User", "Member"],
        (Format::Toggl, HourlyRate) => &["Hourly rate", "Rate"],

        (Format::Clockify, StartDate) => &["Start Date"],
        (Format::Clockify, Start) => &["Start Time"],
        (Format::Clockify, EndDate) => &["End Date"],
        (Format::Clockify, End) => &["End Time"],
        (Format::Clockify, Duration) => &["Duration (h)", "Duration (decimal)"],
        (Format::Clockify, Task) => &["Task", "Activity"],
        (Format::Clockify, HourlyRate) => &["Billable Rate", "Hourly rate"],
        (Format::Clockify, Amount) => &["Billable Amount", "Amount"],

        (Format::Kimai, Date) => &["Date", "Datum"],
        (Format::Kimai, Start) => &["From", "Begin", "Von", "Beginn"],
        (Format::Kimai, End) => &["To", "End", "Bis", "Ende"],
        (Format::Kimai, Duration) => &["Duration", "Dauer"],
        // Kimai's "Name" is the display name (alias); "User" the login name.
        (Format::Kimai, UserName) => &["Name", "Alias", "User", "Username", "Benutzer"],
        (Format::Kimai, UserEmail) => &["E-mail", "E-Mail", "Email"],
        (Format::Kimai, Client) => &["Customer", "Kunde"],
        (Format::Kimai, Project) => &["Project", "Projekt"],
        (Format::Kimai, Task) => &["Activity", "Tätigkeit", "Aktivität"],
        (Format::Kimai, Description) => &["Description", "Beschreibung"],
        (Format::Kimai, Tags) => &["Tags", "Schlagworte", "Schlagwörter"],
        (Format::Kimai, Billable) => &["Billable", "Abrechenbar"],
        (Format::Kimai, HourlyRate) => &[
            "Hourly price",
            "Hourly rate",
            "Stundenpreis",
            "Stundenlohn",
            "Stundensatz",
        ],
        // Kimai's "Price" is the entry's total, not a rate.
        (Format::Kimai, Amount) => &["Price", "Preis", "Lohn"],
        (Format::Kimai, Currency) => &["Currency", "Währung"],

        (Format::Solidtime, Start) => &["Start"],
        (Format::Solidtime, End) => &["End"],
        (Format::Solidtime, Duration) => &["Duration", "Duration (decimal)"],

        (Format::SolidtimeOrganization, Start) => &["start"],
        (Format::SolidtimeOrganization, End) => &["end"],
        (Format::SolidtimeOrganization, UserName) => &["user_id"],
        (Format::SolidtimeOrganization, Client) => &["client_id"],
        (Format::SolidtimeOrganization, Project) => &["project_id"],
        (Format::SolidtimeOrganization, Task) => &["task_id"],
        (Format::SolidtimeOrganization, HourlyRate) => &["billable_rate"],

        (Format::Harvest, Date) => &["Date"],
        (Format::Harvest, Start) => &["Start Time", "Started At"],
        (Format::Harvest, End) => &["End Time", "Ended At"],
        (Format::Harvest, Duration) => &["Hours"],
        (Format::Harvest, FirstName) => &["First Name"],
        (Format::Harvest, LastName) => &["Last Name"],
        (Format::Harvest, Description) => &["Notes"],
        (Format::Harvest, Billable) => &["Billable?", "Billable"],
        (Format::Harvest, HourlyRate) => &["Billable Rate"],
        (Format::Harvest, Amount) => &["Billable Amount"],

        (Format::Gogotime, Start) => &["start"],
        (Format::Gogotime, End) => &["end"],
        (Format::Gogotime, DurationSeconds) => &["duration_seconds"],
        (Format::Gogotime, Duration) => &["duration"],
        (Format::Gogotime, UserEmail) => &["user_email"],
        (Format::Gogotime, UserName) => &["user_name"],
        (Format::Gogotime, HourlyRate) => &["hourly_rate"],

        (Format::Generic, _) => generic(field),
        // Fields a tool writes under the usual English name.
        (_, UserEmail) => &["Email"],
        (_, UserName) => &["User"],
        (_, Client) => &["Client"],
        (_, Project) => &["Project"],
        (_, Task) => &["Task"],
        (_, Description) => &["Description"],
        (_, Tags) => &["Tags"],
        (_, Billable) => &["Billable"],
        (_, Amount) => &["Amount"],
        (_, Currency) => &["Currency"],
        (_, Date) => &["Date"],
        _ => &[],
    }
}

/// The generic format's names; the first is canonical (docs/import.md lists them all).
fn generic(field: Field) -> &'static [&'static str] {
    use Field::*;
    match field {
        Date => &["date", "day", "spent date", "datum"],
        StartDate => &["start_date", "begin date", "from date"],
        Start => &[
            "start",
            "start time",
            "started at",
            "start at",
            "begin",
            "from",
            "von",
            "beginn",
        ],
        EndDate => &["end_date", "stop date", "to date"],
        End => &[
            "end",
            "end time",
            "ended at",
            "end at",
            "stop",
            "stop time",
            "finish",
            "to",
            "bis",
            "ende",
        ],
        Duration => &[
            "duration",
            "duration (h)",
            "duration (decimal)",
            "hours",
            "time spent",
            "dauer",
            "stunden",
        ],
        DurationSeconds => &["duration_seconds", "seconds", "duration (seconds)"],
        UserEmail => &["user_email", "email", "e-mail", "user e-mail", "mail"],
        UserName => &[
            "user_name",
            "user",
            "member",
            "employee",
            "person",
            "benutzer",
        ],
        FirstName => &["first_name"],
        LastName => &["last_name"],
        Client => &["client", "customer", "kunde"],
        Project => &["project", "projekt"],
        Task => &["task", "activity", "tätigkeit", "aufgabe"],
        Description => &[
            "description",
            "notes",
            "note",
            "comment",
            "details",
            "beschreibung",
            "kommentar",
        ],
        Tags => &["tags", "tag", "labels", "schlagworte"],
        Billable => &["billable", "abrechenbar"],
        HourlyRate => &[
            "hourly_rate",
            "hourly rate",
            "rate",
            "billable rate",
            "hourly price",
            "stundensatz",
            "stundenpreis",
        ],
        Amount => &["amount", "billable amount", "total", "betrag"],
        Currency => &["currency", "währung"],
        ProjectColor => &["project_color", "project colour", "colour", "color"],
    }
}

/// Which column holds which field, found once from the header.
#[derive(Debug, Clone)]
pub(crate) struct ColumnMap {
    index: [Option<usize>; Field::ALL.len()],
    /// Original header names, for messages.
    names: Vec<String>,
    /// A currency code found in a header such as `Amount (USD)`.
    pub(crate) header_currency: Option<String>,
}

impl ColumnMap {
    /// Assigns each field the first column named like one of its aliases; a column serves one
    /// field only.
    pub(crate) fn new(format: Format, header: &[String]) -> Self {
        let normalized: Vec<(String, Option<String>)> =
            header.iter().map(|h| normalize_header(h)).collect();
        let mut index = [None; Field::ALL.len()];
        let mut used = vec![false; header.len()];
        let mut header_currency = None;
        for (slot, field) in Field::ALL.iter().enumerate() {
            for alias in aliases(format, *field) {
                let wanted = normalize_header(alias).0;
                let found = normalized
                    .iter()
                    .enumerate()
                    .find(|(i, (name, _))| !used[*i] && *name == wanted);
                if let Some((i, (_, currency))) = found {
                    used[i] = true;
                    index[slot] = Some(i);
                    if header_currency.is_none() {
                        header_currency.clone_from(currency);
                    }
                    break;
                }
            }
        }
        ColumnMap {
            index,
            names: header.to_vec(),
            header_currency,
        }
    }

    pub(crate) fn column(&self, field: Field) -> Option<usize> {
        let slot = Field::ALL.iter().position(|f| *f == field)?;
        self.index[slot]
    }

    pub(crate) fn has(&self, field: Field) -> bool {
        self.column(field).is_some()
    }

    /// The header name of the column that holds `field`, as the file spells it.
    pub(crate) fn name(&self, field: Field) -> Option<&str> {
        self.column(field).map(|i| self.names[i].trim())
    }

    /// Requirement groups of `format` that no column satisfies, described for people.
    pub(crate) fn missing(&self, format: Format) -> Vec<String> {
        format
            .requirements()
            .iter()
            .filter(|group| !group.iter().any(|f| self.has(*f)))
            .map(|group| {
                let names: Vec<&str> = group
                    .iter()
                    .filter_map(|f| aliases(format, *f).first().copied())
                    .collect();
                names.join(" or ")
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columns_are_found_by_name_not_position() {
        let map = ColumnMap::new(
            Format::Generic,
            &strings(&["Notes", "END", "Start", "Projekt"]),
        );
        assert_eq!(map.column(Field::Start), Some(2));
        assert_eq!(map.column(Field::End), Some(1));
        assert_eq!(map.column(Field::Description), Some(0));
        assert_eq!(map.column(Field::Project), Some(3));
        assert_eq!(map.name(Field::End), Some("END"));
        assert!(map.missing(Format::Generic).is_empty());
    }

    #[test]
    fn the_amount_currency_comes_from_the_header() {
        let map = ColumnMap::new(
            Format::Toggl,
            &strings(&["Start date", "Start time", "Duration", "Amount (CHF)"]),
        );
        assert_eq!(map.header_currency.as_deref(), Some("CHF"));
        assert_eq!(map.column(Field::Amount), Some(3));
    }

    #[test]
    fn missing_requirements_name_the_expected_columns() {
        let map = ColumnMap::new(Format::Clockify, &strings(&["Project", "Start Time"]));
        assert_eq!(
            map.missing(Format::Clockify),
            vec![
                "Start Date".to_string(),
                "End Time or Duration (h)".to_string()
            ]
        );
        let map = ColumnMap::new(Format::Generic, &strings(&["project"]));
        assert_eq!(
            map.missing(Format::Generic),
            vec![
                "start or date or start_date".to_string(),
                "end or duration or duration_seconds".to_string()
            ]
        );
    }
}
