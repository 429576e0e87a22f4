//! The export formats the importer knows, how each is recognised from its header, and GoGoTime's
//! own CSV header. May import `field` only.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::field::{Field, normalize_header};

/// GoGoTime's own CSV export columns, in order. `start`/`end` are ISO 8601 local date-times with
/// offset, `duration` is `h:mm:ss`, `hours` decimal (informational), `tags` are joined by `, `,
/// `billable` is `true|false`, `hourly_rate` and `amount` are major units with a dot (`85.50`).
pub const GOGOTIME_COLUMNS: [&str; 18] = [
    "id",
    "date",
    "start",
    "end",
    "duration_seconds",
    "duration",
    "hours",
    "user_email",
    "user_name",
    "client",
    "project",
    "task",
    "description",
    "tags",
    "billable",
    "hourly_rate",
    "amount",
    "currency",
];

/// [`GOGOTIME_COLUMNS`] as the header line the exporter writes.
pub const GOGOTIME_HEADER: &str = "id,date,start,end,duration_seconds,duration,hours,user_email,user_name,client,project,task,description,tags,billable,hourly_rate,amount,currency";

/// Where a CSV file came from. Detected from the header, or chosen by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Toggl Track, Reports → Detailed → Export CSV.
    Toggl,
    /// Clockify, Reports → Detailed → Export → Save as CSV (old and 2024 layouts).
    Clockify,
    /// Kimai, Export → CSV (any header language Kimai ships in English or German).
    Kimai,
    /// solidtime, Reports → Detailed → Export CSV.
    Solidtime,
    /// `time_entries.csv` from a solidtime organization export (ZIP); names things by id.
    SolidtimeOrganization,
    /// Harvest, Reports → Detailed time → Export → CSV.
    Harvest,
    /// GoGoTime's own export ([`GOGOTIME_HEADER`]).
    Gogotime,
    /// The documented generic CSV (docs/import.md).
    Generic,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Toggl,
        Format::Clockify,
        Format::Kimai,
        Format::Solidtime,
        Format::SolidtimeOrganization,
        Format::Harvest,
        Format::Gogotime,
        Format::Generic,
    ];

    /// Stable identifier: used in options, URLs and fingerprints.
    pub fn id(self) -> &'static str {
        match self {
            Format::Toggl => "toggl",
            Format::Clockify => "clockify",
            Format::Kimai => "kimai",
            Format::Solidtime => "solidtime",
            Format::SolidtimeOrganization => "solidtime_organization",
            Format::Harvest => "harvest",
            Format::Gogotime => "gogotime",
            Format::Generic => "generic",
        }
    }

    /// Name for people.
    pub fn name(self) -> &'static str {
        match self {
            Format::Toggl => "Toggl Track",
            Format::Clockify => "Clockify",
            Format::Kimai => "Kimai",
            Format::Solidtime => "solidtime",
            Format::SolidtimeOrganization => "solidtime organization export",
            Format::Harvest => "Harvest",
            Format::Gogotime => "GoGoTime",
            Format::Generic => "generic CSV",
        }
    }

    /// True when the client, project, task, tags and user name of each record hold the source's
    /// ids (solidtime UUIDs) rather than names: resolve them with the export's `clients.csv`,
    /// `projects.csv`, `tasks.csv`, `tags.csv` and `members.csv`.
    pub fn names_are_ids(self) -> bool {
        self == Format::SolidtimeOrganization
    }

    /// Columns that identify the format: every group must have a column named like one of its
    /// members. Checked in [`Format::ALL`] order, so more specific formats come first.
    fn signature(self) -> &'static [&'static [&'static str]] {
        match self {
            Format::Gogotime => &[&["duration_seconds"], &["user_email"], &["start"], &["end"]],
            Format::SolidtimeOrganization => {
                &[&["member_id"], &["organization_id"], &["start"], &["end"]]
            }
            Format::Clockify => &[&["Start Date"], &["Start Time"], &["Duration (h)", "Group"]],
            Format::Toggl => &[&["Start date"], &["Start time"], &["Duration"]],
            Format::Solidtime => &[&["Start"], &["End"], &["Duration (decimal)"], &["User"]],
            Format::Harvest => &[&["Date"], &["Hours"], &["First Name"], &["Last Name"]],
            Format::Kimai => &[
                &["Date", "Datum"],
                &["From", "Begin", "Von", "Beginn"],
                &["To", "End", "Bis", "Ende"],
                &["Activity", "Tätigkeit", "Aktivität"],
                &["Customer", "Kunde"],
            ],
            Format::Generic => &[],
        }
    }

    /// Fields a row needs: each group must be mapped to a column by at least one member.
    pub(crate) fn requirements(self) -> &'static [&'static [Field]] {
        use Field::*;
        match self {
            Format::Toggl | Format::Clockify => &[&[StartDate], &[Start], &[End, Duration]],
            Format::Kimai => &[&[Date], &[Start], &[End, Duration]],
            Format::Harvest => &[&[Date], &[Duration]],
            Format::Solidtime | Format::SolidtimeOrganization | Format::Gogotime => {
                &[&[Start], &[End]]
            }
            Format::Generic => &[&[Start, Date, StartDate], &[End, Duration, DurationSeconds]],
        }
    }

    /// The format whose signature the header carries, most specific first.
    pub(crate) fn detect(header: &[String]) -> Option<Format> {
        let names: Vec<String> = header.iter().map(|h| normalize_header(h).0).collect();
        Format::ALL
            .into_iter()
            .filter(|f| *f != Format::Generic)
            .find(|f| {
                f.signature().iter().all(|group| {
                    group
                        .iter()
                        .any(|alias| names.contains(&normalize_header(alias).0))
                })
            })
    }

    /// What a header of this format looks like, for error messages.
    pub(crate) fn signature_hint(self) -> String {
        if self == Format::Generic {
            return "generic CSV (a start column or a date column, and an end or duration column)"
                .into();
        }
        let columns: Vec<String> = self
            .signature()
            .iter()
            .map(|group| group.join(" or "))
            .collect();
        format!("{} ({})", self.name(), columns.join(", "))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Format::ALL
            .into_iter()
            .find(|f| f.id() == wanted)
            .ok_or_else(|| {
                let ids: Vec<&str> = Format::ALL.iter().map(|f| f.id()).collect();
                format!(
                    "unknown import format “{s}”; expected one of {}",
                    ids.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(line: &str, delimiter: char) -> Vec<String> {
        line.split(delimiter).map(str::to_string).collect()
    }

    #[test]
    fn the_gogotime_header_line_lists_the_columns_in_order() {
        assert_eq!(GOGOTIME_HEADER, GOGOTIME_COLUMNS.join(","));
    }

    #[test]
    fn each_export_header_is_recognised() {
        let cases = [
            (
                "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)",
                Format::Toggl,
            ),
            (
                "Project,Client,Description,Task,User,Group,Email,Tags,Type,Billable,Invoiced,Invoice ID,Start Date,Start Time,End Date,End Time,Duration (h),Duration (decimal),Billable Rate (EUR),Billable Amount (EUR),Date of creation",
                Format::Clockify,
            ),
            (
                "Project,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,Client",
                Format::Clockify,
            ),
            (
                "Datum;Von;Bis;Dauer;Währung;Preis;Name;Benutzer;E-Mail;Kunde;Projekt;Tätigkeit;Beschreibung;Abrechenbar;Schlagworte",
                Format::Kimai,
            ),
            (
                "Description,Task,Project,Client,User,Start,End,Duration,Duration (decimal),Billable,Tags",
                Format::Solidtime,
            ),
            (
                "id,description,start,end,billable_rate,billable,type,member_id,user_id,organization_id,client_id,project_id,task_id,tags,is_imported,still_active_email_sent_at,created_at,updated_at",
                Format::SolidtimeOrganization,
            ),
            (
                "Date,Client,Project,Project Code,Task,Notes,Hours,Billable?,Invoiced?,Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,Cost Amount,Currency,External Reference URL",
                Format::Harvest,
            ),
            (GOGOTIME_HEADER, Format::Gogotime),
        ];
        for (line, expected) in cases {
            let delimiter = if line.contains(';') { ';' } else { ',' };
            assert_eq!(
                Format::detect(&header(line, delimiter)),
                Some(expected),
                "{line}"
            );
        }
    }

    #[test]
    fn a_header_without_a_signature_is_not_detected() {
        assert_eq!(Format::detect(&header("start,end,project", ',')), None);
        assert_eq!(Format::detect(&header("name,age", ',')), None);
    }

    #[test]
    fn formats_parse_from_their_ids_in_any_case() {
        for format in Format::ALL {
            assert_eq!(format.id().parse::<Format>(), Ok(format));
        }
        assert_eq!(
            "Solidtime-Organization".parse::<Format>(),
            Ok(Format::SolidtimeOrganization)
        );
        assert!("excel".parse::<Format>().unwrap_err().contains("toggl"));
    }
}
