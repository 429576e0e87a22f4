//! Toggl Track and Clockify exports.

use super::*;

#[test]
fn a_toggl_detailed_export_is_read_with_durations_recomputed_from_start_and_end() {
    let anna = Record {
        user_email: some("anna@example.com"),
        user_name: some("Anna Berg"),
        currency: some("EUR"),
        ..entry(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    };
    let ben = Record {
        user_email: some("ben@example.com"),
        user_name: some("Ben Okafor"),
        ..anna.clone()
    };
    let expected = [
        Record {
            client: some("Acme GmbH"),
            project: some("Website relaunch"),
            task: some("Design"),
            description: "Homepage mock-ups".into(),
            tags: tags(&["design", "client-call"]),
            billable: Some(true),
            amount_minor: Some(21_250),
            ..entry(2, "2026-03-02T08:00:00Z", "2026-03-02T10:30:00Z").merge(&anna)
        },
        Record {
            project: some("Internal"),
            description: "Team meeting, weekly".into(),
            billable: Some(false),
            amount_minor: Some(0),
            ..entry(3, "2026-03-02T13:00:00Z", "2026-03-02T13:45:10Z").merge(&anna)
        },
        Record {
            client: some("Acme GmbH"),
            project: some("Website relaunch"),
            task: some("Deployment"),
            description: "Release 2.0 \"night shift\"".into(),
            tags: tags(&["ops"]),
            billable: Some(true),
            amount_minor: Some(23_375),
            ..entry(4, "2026-03-05T21:30:00Z", "2026-03-06T00:15:00Z").merge(&ben)
        },
        Record {
            client: some("Acme GmbH"),
            project: some("Website relaunch"),
            task: some("Design"),
            tags: tags(&["design"]),
            billable: Some(true),
            amount_minor: Some(8_500),
            ..entry(5, "2026-07-01T06:00:00Z", "2026-07-01T07:00:00Z").merge(&ben)
        },
        Record {
            client: some("Acme GmbH"),
            project: some("Website relaunch"),
            description: "Call notes:\nsend offer".into(),
            billable: Some(true),
            amount_minor: Some(2_833),
            // The Duration column says 15 minutes; start and end say 20, and win.
            ..entry(6, "2026-03-03T09:00:00Z", "2026-03-03T09:20:00Z").merge(&anna)
        },
    ];
    let parsed = check(
        "toggl_detailed.csv",
        &in_zone(chrono_tz::Europe::Berlin),
        Format::Toggl,
        &expected,
    );
    assert!(parsed.errors.is_empty() && parsed.warnings.is_empty());
}

#[test]
fn a_clockify_2024_export_with_twelve_hour_times_and_month_first_dates_is_read() {
    let carla = Record {
        user_email: some("carla@example.com"),
        user_name: some("Carla Diaz"),
        client: some("Northwind"),
        project: some("Mobile app"),
        currency: some("USD"),
        billable: Some(true),
        ..entry(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    };
    let dave = Record {
        user_email: some("dave@example.com"),
        user_name: some("Dave Lee"),
        ..carla.clone()
    };
    let expected = [
        Record {
            task: some("Planning"),
            description: "Sprint planning".into(),
            tags: tags(&["meeting"]),
            hourly_rate_minor: Some(12_000),
            amount_minor: Some(18_000),
            // 4 March is before the switch to daylight saving time (8 March): EST.
            ..entry(2, "2026-03-04T14:00:00Z", "2026-03-04T15:30:00Z").merge(&carla)
        },
        Record {
            task: some("Development"),
            description: "Bug fixing".into(),
            tags: tags(&["bugs", "ios"]),
            hourly_rate_minor: Some(12_000),
            amount_minor: Some(54_100),
            ..entry(3, "2026-03-13T17:15:00Z", "2026-03-13T21:45:30Z").merge(&carla)
        },
        Record {
            client: None,
            project: some("Office"),
            description: "Lunch".into(),
            billable: Some(false),
            hourly_rate_minor: Some(0),
            amount_minor: Some(0),
            ..entry(4, "2026-03-13T16:00:00Z", "2026-03-13T16:30:00Z").merge(&dave)
        },
        Record {
            task: some("Development"),
            description: "Hotfix".into(),
            hourly_rate_minor: Some(10_000),
            amount_minor: Some(12_500),
            ..entry(5, "2026-03-21T03:30:00Z", "2026-03-21T04:45:00Z").merge(&dave)
        },
    ];
    let parsed = check(
        "clockify_2024_12h_mdy.csv",
        &in_zone(chrono_tz::America::New_York),
        Format::Clockify,
        &expected,
    );
    assert_eq!(parsed.date_order, Some(DateOrder::MonthFirst));
}

#[test]
fn an_older_clockify_export_with_activity_and_day_first_dates_is_read() {
    let emma = Record {
        user_email: some("emma@example.com"),
        user_name: some("Emma Stone"),
        project: some("Research"),
        currency: some("GBP"),
        ..entry(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    };
    let expected = [
        Record {
            task: some("Reading"),
            description: "Literature review".into(),
            billable: Some(false),
            hourly_rate_minor: Some(0),
            amount_minor: Some(0),
            ..entry(2, "2026-03-02T09:15:00Z", "2026-03-02T12:00:00Z").merge(&emma)
        },
        Record {
            task: some("Writing"),
            description: "Interview transcription".into(),
            tags: tags(&["fieldwork"]),
            billable: Some(true),
            hourly_rate_minor: Some(6_000),
            amount_minor: Some(8_000),
            ..entry(3, "2026-03-25T13:00:00Z", "2026-03-25T14:20:00Z").merge(&emma)
        },
        Record {
            task: some("Teaching"),
            description: "Workshop".into(),
            billable: Some(true),
            hourly_rate_minor: Some(6_000),
            amount_minor: Some(36_000),
            // 1 April, British Summer Time.
            ..entry(4, "2026-04-01T09:00:00Z", "2026-04-01T15:00:00Z").merge(&emma)
        },
    ];
    let parsed = check(
        "clockify_activity_dmy.csv",
        &in_zone(chrono_tz::Europe::London),
        Format::Clockify,
        &expected,
    );
    assert_eq!(parsed.date_order, Some(DateOrder::DayFirst));
}
