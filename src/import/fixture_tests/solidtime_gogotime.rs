//! solidtime (detailed report and organization export) and GoGoTime exports.

use super::*;

#[test]
fn a_solidtime_detailed_export_is_read_in_the_users_time_zone() {
    let mia = Record {
        user_name: some("Mia Wagner"),
        client: some("Initech"),
        project: some("Platform"),
        ..entry(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    };
    let expected = [
        Record {
            task: some("Backend"),
            description: "API design".into(),
            tags: tags(&["api", "planning"]),
            billable: Some(true),
            ..entry(2, "2026-02-10T07:00:00Z", "2026-02-10T09:15:00Z").merge(&mia)
        },
        Record {
            description: "Code review".into(),
            billable: Some(false),
            ..entry(3, "2026-02-10T09:30:00Z", "2026-02-10T10:00:00Z").merge(&mia)
        },
        Record {
            user_name: some("Noah Fischer"),
            client: None,
            project: some("Helpdesk"),
            description: "Support call".into(),
            tags: tags(&["support"]),
            billable: Some(true),
            ..entry(4, "2026-02-11T15:40:00Z", "2026-02-11T15:58:25Z").merge(&mia)
        },
    ];
    check(
        "solidtime_detailed.csv",
        &in_zone(chrono_tz::Europe::Vienna),
        Format::Solidtime,
        &expected,
    );
}

#[test]
fn a_solidtime_organization_export_gives_ids_and_cents() {
    let ids = Record {
        user_name: some("0446cdd8-3ad1-43d6-9231-9e0dc4eeb71c"),
        ..entry(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    };
    let expected = [
        Record {
            client: some("b4187a44-41f4-46d7-8460-f15a25b3aad6"),
            project: some("06e79ec4-33f8-4730-804c-d03c014991d1"),
            task: some("b49688a0-94f3-4cb3-9ca1-5003de955fb0"),
            description: "Working hard".into(),
            tags: tags(&[
                "2c5c2da7-9ef8-4410-bb8f-6e0a90f9d2c7",
                "bf6c0ac5-2587-474b-8983-40bb3ea8002f",
            ]),
            billable: Some(true),
            hourly_rate_minor: Some(10_000),
            ..entry(2, "2024-03-04T09:23:00Z", "2024-03-04T10:23:01Z").merge(&ids)
        },
        Record {
            description: "Lunch break".into(),
            billable: Some(false),
            ..entry(3, "2024-03-04T12:00:00Z", "2024-03-04T12:30:00Z").merge(&ids)
        },
    ];
    let parsed = check(
        "solidtime_organization_time_entries.csv",
        &in_zone(chrono_tz::Asia::Tokyo),
        Format::SolidtimeOrganization,
        &expected,
    );
    assert!(parsed.format.names_are_ids());
    assert_eq!(
        parsed.errors,
        vec![RowIssue {
            line: 4,
            column: None,
            value: None,
            message: "has neither an end nor a duration".into(),
        }],
        "a running timer has no end"
    );
}

#[test]
fn a_gogotime_export_is_read_by_its_offsets_whatever_the_time_zone() {
    let expected = [
        Record {
            user_email: some("anna@example.com"),
            user_name: some("Anna Berg"),
            client: some("Acme GmbH"),
            project: some("Website relaunch"),
            task: some("Deployment"),
            description: "Night release, part 1".into(),
            tags: tags(&["ops", "release"]),
            billable: Some(true),
            hourly_rate_minor: Some(8_550),
            amount_minor: Some(6_413),
            currency: some("EUR"),
            // 01:30+01:00 to 03:15+02:00: 45 minutes across the spring change in Berlin.
            ..entry(2, "2026-03-29T00:30:00Z", "2026-03-29T01:15:00Z")
        },
        Record {
            user_email: some("ben@example.com"),
            user_name: some("Ben Okafor"),
            project: some("Internal"),
            description: "Training".into(),
            billable: Some(false),
            ..entry(3, "2026-03-30T07:00:00Z", "2026-03-30T15:30:00Z")
        },
    ];
    check(
        "gogotime_export.csv",
        &in_zone(chrono_tz::Pacific::Auckland),
        Format::Gogotime,
        &expected,
    );
}
