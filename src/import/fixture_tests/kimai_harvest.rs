//! Kimai (German and English) and Harvest exports.

use super::*;

#[test]
fn a_german_kimai_export_with_bom_semicolons_and_decimal_commas_is_read() {
    let jana = Record {
        user_email: some("jana@example.de"),
        user_name: some("Jana Müller"),
        client: some("Stadtwerke Nord"),
        project: some("Kundenportal"),
        currency: some("EUR"),
        billable: Some(true),
        hourly_rate_minor: Some(8_500),
        ..entry(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    };
    let expected = [
        Record {
            task: some("Entwicklung"),
            description: "Login; Passwort zurücksetzen".into(),
            tags: tags(&["Backend", "Sprint 12"]),
            amount_minor: Some(29_750),
            ..entry(2, "2026-03-16T08:00:00Z", "2026-03-16T11:30:00Z").merge(&jana)
        },
        Record {
            task: some("Besprechung"),
            description: "Abnahme mit Kunde".into(),
            amount_minor: Some(31_875),
            ..entry(3, "2026-03-16T12:15:00Z", "2026-03-16T16:00:00Z").merge(&jana)
        },
        Record {
            user_email: some("tom@example.de"),
            user_name: some("Tom Weber"),
            client: some("Intern"),
            project: some("Wartung"),
            task: some("Server-Update"),
            description: "Nachtschicht".into(),
            tags: tags(&["ops"]),
            billable: Some(false),
            hourly_rate_minor: Some(0),
            amount_minor: Some(0),
            // "Bis" 01:30 is before "Von" 22:00: the next day.
            ..entry(4, "2026-03-17T21:00:00Z", "2026-03-18T00:30:00Z").merge(&jana)
        },
        Record {
            task: some("Workshop"),
            description: "Schulung „Portal“".into(),
            tags: tags(&["Schulung"]),
            hourly_rate_minor: Some(11_900),
            amount_minor: Some(119_000),
            // 30 March, the day after the switch to summer time.
            ..entry(5, "2026-03-30T06:00:00Z", "2026-03-30T16:00:00Z").merge(&jana)
        },
    ];
    let parsed = check(
        "kimai_de_bom_semicolon.csv",
        &in_zone(chrono_tz::Europe::Berlin),
        Format::Kimai,
        &expected,
    );
    assert_eq!(parsed.date_order, None, "dotted dates are always day first");
}

#[test]
fn an_english_kimai_export_with_decimal_durations_is_read() {
    let liam = Record {
        user_email: some("liam@example.com"),
        user_name: some("Liam Chen"),
        client: some("Globex"),
        project: some("ERP rollout"),
        currency: some("USD"),
        ..entry(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    };
    let expected = [
        Record {
            task: some("Consulting"),
            description: "Requirements workshop".into(),
            tags: tags(&["workshop", "onsite"]),
            billable: Some(true),
            hourly_rate_minor: Some(10_000),
            amount_minor: Some(35_000),
            ..entry(2, "2026-05-04T13:30:00Z", "2026-05-04T17:00:00Z").merge(&liam)
        },
        Record {
            task: some("Travel"),
            billable: Some(false),
            hourly_rate_minor: Some(0),
            amount_minor: Some(0),
            ..entry(3, "2026-05-04T18:00:00Z", "2026-05-04T18:45:00Z").merge(&liam)
        },
    ];
    check(
        "kimai_en.csv",
        &in_zone(chrono_tz::America::Chicago),
        Format::Kimai,
        &expected,
    );
}

#[test]
fn a_harvest_export_without_times_starts_each_entry_at_nine() {
    let olivia = Record {
        user_name: some("Olivia Park"),
        client: some("Umbrella Corp"),
        project: some("Data migration"),
        currency: some("USD"),
        billable: Some(true),
        hourly_rate_minor: Some(15_000),
        ..entry(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    };
    let standup = Record {
        task: some("Meetings"),
        description: "Daily stand-up".into(),
        amount_minor: Some(3_750),
        ..entry(3, "2026-04-06T16:00:00Z", "2026-04-06T16:15:00Z").merge(&olivia)
    };
    let expected = [
        Record {
            task: some("Development"),
            description: "Import scripts".into(),
            amount_minor: Some(48_750),
            // 09:00 in Los Angeles (PDT) plus 3.25 hours.
            ..entry(2, "2026-04-06T16:00:00Z", "2026-04-06T19:15:00Z").merge(&olivia)
        },
        standup.clone(),
        Record { line: 4, ..standup },
        Record {
            client: None,
            project: some("Internal"),
            task: some("Admin"),
            description: "Expenses, receipts".into(),
            billable: Some(false),
            hourly_rate_minor: Some(0),
            amount_minor: Some(0),
            // "1,5" hours: a decimal comma.
            ..entry(5, "2026-04-07T16:00:00Z", "2026-04-07T17:30:00Z").merge(&olivia)
        },
    ];
    // Two identical stand-ups on one day get distinct fingerprints (checked in `check`).
    check(
        "harvest_time_entries.csv",
        &in_zone(chrono_tz::America::Los_Angeles),
        Format::Harvest,
        &expected,
    );
}
