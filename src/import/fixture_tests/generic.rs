//! The generic CSV: daylight saving changes, ambiguous dates, streaming and a changed file.

use super::*;

#[test]
fn a_generic_tab_separated_file_handles_both_daylight_saving_changes() {
    let anna = Record {
        user_email: some("anna@example.com"),
        user_name: some("Anna Berg"),
        project: some("Website relaunch"),
        ..entry(0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    };
    let ben = Record {
        user_email: some("ben@example.com"),
        user_name: some("Ben Okafor"),
        ..anna.clone()
    };
    let expected = [
        Record {
            task: some("Design"),
            description: "Before the change".into(),
            billable: Some(true),
            hourly_rate_minor: Some(8_550),
            ..entry(2, "2026-03-28T08:00:00Z", "2026-03-28T16:00:00Z").merge(&anna)
        },
        Record {
            task: some("Deployment"),
            description: "Starts in the autumn overlap".into(),
            tags: tags(&["ops"]),
            billable: Some(false),
            // 02:30 happened at +02:00 and again at +01:00: the first is used.
            ..entry(4, "2025-10-26T00:30:00Z", "2025-10-26T02:30:00Z").merge(&anna)
        },
        Record {
            task: some("Deployment"),
            description: "Ends in the autumn overlap".into(),
            billable: Some(false),
            ..entry(5, "2025-10-25T23:00:00Z", "2025-10-26T00:30:00Z").merge(&ben)
        },
        Record {
            project: some("Internal"),
            description: "Start and duration only".into(),
            ..entry(6, "2026-04-01T08:00:00Z", "2026-04-01T09:30:00Z").merge(&ben)
        },
    ];
    let parsed = check(
        "generic_dst.tsv",
        &in_zone(chrono_tz::Europe::Berlin),
        Format::Generic,
        &expected,
    );
    assert_eq!(
        parsed.errors,
        vec![RowIssue {
            line: 3,
            column: some("start"),
            value: some("02:30"),
            message: "2026-03-29 02:30:00 does not exist in Europe/Berlin (the clocks skip it when daylight saving time starts)".into(),
        }]
    );
    let warned: Vec<(u64, Option<&str>)> = parsed
        .warnings
        .iter()
        .map(|w| (w.line, w.column.as_deref()))
        .collect();
    assert_eq!(warned, vec![(4, Some("start")), (5, Some("end"))]);
    assert_eq!(
        parsed.warnings[0].message,
        "2025-10-26 02:30:00 happens twice in Europe/Berlin (the clocks go back); read as the first, at +02:00 rather than +01:00"
    );
}

#[test]
fn a_file_whose_slash_dates_all_fit_both_orders_needs_an_explicit_order() {
    let err = parse(
        Cursor::new(fixture("generic_ambiguous_dates.csv")),
        &in_zone(Tz::UTC),
    )
    .unwrap_err();
    let ImportError::AmbiguousDateOrder(sample) = &err else {
        panic!("expected an ambiguous date order, got {err}");
    };
    assert_eq!(
        (sample.line, sample.column.as_str(), sample.value.as_str()),
        (2, "date", "03/04/2026")
    );
    assert!(err.to_string().contains("choose the date order"), "{err}");
}

#[test]
fn an_explicit_date_order_reads_an_ambiguous_file() {
    let options = Options {
        date_order: Some(DateOrder::DayFirst),
        ..in_zone(Tz::UTC)
    };
    let expected = [
        Record {
            project: some("Alpha"),
            description: "First".into(),
            ..entry(2, "2026-04-03T09:00:00Z", "2026-04-03T10:00:00Z")
        },
        Record {
            project: some("Beta"),
            description: "Second".into(),
            ..entry(3, "2026-06-05T14:00:00Z", "2026-06-05T15:30:00Z")
        },
        Record {
            project: some("Gamma"),
            description: "Third".into(),
            ..entry(4, "2026-07-07T08:00:00Z", "2026-07-07T08:30:00Z")
        },
    ];
    check(
        "generic_ambiguous_dates.csv",
        &options,
        Format::Generic,
        &expected,
    );
}

#[test]
fn records_stream_in_batches_with_the_same_result_as_a_full_parse() {
    let bytes = fixture("harvest_time_entries.csv");
    let options = in_zone(chrono_tz::America::Los_Angeles);
    let scan = scan(bytes.as_slice(), &options).unwrap();
    assert_eq!(
        (scan.format(), scan.data_rows(), scan.delimiter()),
        (Format::Harvest, 4, ',')
    );
    let mut rows = read(bytes.as_slice(), &scan).unwrap();
    let mut sizes = Vec::new();
    let mut streamed = Vec::new();
    while let Some(batch) = rows.next_batch(3).unwrap() {
        sizes.push(batch.records.len());
        streamed.extend(batch.records);
    }
    assert_eq!(sizes, vec![3, 1]);
    assert_eq!(
        streamed,
        parse_fixture("harvest_time_entries.csv", &options).records
    );
}

#[test]
fn a_different_file_in_the_second_pass_is_refused() {
    let options = in_zone(Tz::UTC);
    let scan = scan(fixture("kimai_en.csv").as_slice(), &options).unwrap();
    assert!(matches!(
        read(fixture("toggl_detailed.csv").as_slice(), &scan),
        Err(ImportError::Changed)
    ));
    let shorter = b"Date,From,To,Duration,Currency,Price,Internal price,Hourly price,Fixed price,Name,User,E-mail,Account number,Customer,Project,Activity,Description,Billable,Tags,Type,Category,Account,Project number,VAT-ID,Order number\n2026-05-04,08:30,12:00,3.50,USD,350.00,0.00,100.00,0.00,Liam Chen,lchen,liam@example.com,,Globex,ERP rollout,Consulting,Requirements workshop,Yes,,timesheet,work,C-100,P-7,,PO-55\n";
    let outcomes: Vec<_> = read(shorter.as_slice(), &scan).unwrap().collect();
    assert!(matches!(outcomes.last(), Some(Err(ImportError::Changed))));
}

#[test]
fn the_generic_example_in_the_docs_reads_as_described() {
    let docs =
        std::fs::read_to_string(format!("{}/docs/import.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let example = docs
        .split("```csv\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/import.md has a csv example");
    let parsed = parse(Cursor::new(example.as_bytes()), &in_zone(Tz::UTC)).unwrap();
    let spans: Vec<(String, String)> = parsed
        .records
        .iter()
        .map(|r| (r.start.to_rfc3339(), r.end.to_rfc3339()))
        .collect();
    let expected = [
        ("2026-03-02T09:00:00+00:00", "2026-03-02T11:30:00+00:00"),
        ("2026-03-02T22:00:00+00:00", "2026-03-03T01:15:00+00:00"),
        ("2026-03-03T14:00:00+00:00", "2026-03-03T15:30:00+00:00"),
        ("2026-03-04T09:00:00+00:00", "2026-03-04T09:45:00+00:00"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(s, e)| (s.to_string(), e.to_string()))
        .collect();
    assert_eq!(spans, expected);
    assert!(parsed.errors.is_empty() && parsed.warnings.is_empty());
    assert_eq!(parsed.records[0].tags, tags(&["design", "review"]));
    assert_eq!(parsed.records[0].hourly_rate_minor, Some(8550));
}
