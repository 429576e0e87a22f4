//! Bad input, table by table: files that cannot be imported at all, rows that cannot, rows that
//! can with a warning, and a large generated file streamed without holding it.

use std::io::{Cursor, Read};

use chrono_tz::Tz;

use super::*;

fn parse_bytes(bytes: &[u8], options: &Options) -> Result<Parsed, ImportError> {
    parse(Cursor::new(bytes.to_vec()), options)
}

fn utc() -> Options {
    Options::new(Tz::UTC)
}

#[test]
fn files_that_cannot_be_imported_say_why() {
    let latin1: &[u8] = b"start,end,description\n2026-01-01 09:00,2026-01-01 10:00,Gr\xfc\xdfe\n";
    let cases: [(&str, &[u8], &str); 12] = [
        (
            "binary junk",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            "not a UTF-8 CSV text file",
        ),
        (
            "a NUL byte",
            b"start,end\n2026-01-01 09:00,\0\n",
            "not a UTF-8 CSV text file",
        ),
        ("Latin-1 text", latin1, "not a UTF-8 CSV text file"),
        (
            "UTF-16 text",
            b"\xFF\xFEs\0t\0a\0r\0t\0",
            "it is UTF-16 text",
        ),
        ("nothing", b"", "This file is empty"),
        ("a header only", b"start,end\r\n", "no time entries"),
        ("blank rows only", b"start,end\n\n , \n", "no time entries"),
        (
            "an unknown header",
            b"name,age\nAnn,42\n",
            "Columns found: name, age.",
        ),
        ("JSON", b"{\"entries\": []}\n", "single column"),
        (
            "a header without an end or duration",
            b"date,project\n2026-01-01,X\n",
            "Columns found: date, project.",
        ),
        (
            "both date orders",
            b"date,start,end\n25/03/2026,09:00,10:00\n03/25/2026,09:00,10:00\n",
            "mixes day-first dates (\u{201c}25/03/2026\u{201d} in column \u{201c}date\u{201d} on line 2) and month-first dates (\u{201c}03/25/2026\u{201d} in column \u{201c}date\u{201d} on line 3)",
        ),
        (
            "dates that fit both orders",
            b"date,start,end\n03/04/2026,09:00,10:00\n",
            "(for example \u{201c}03/04/2026\u{201d} on line 2)",
        ),
    ];
    for (case, bytes, message) in cases {
        let err = parse_bytes(bytes, &utc()).expect_err(case);
        assert!(err.to_string().contains(message), "{case}: {err}");
    }
}

#[test]
fn a_chosen_format_names_the_columns_it_misses() {
    let options = Options {
        format: Some(Format::Clockify),
        ..utc()
    };
    let err = parse_bytes(
        b"Start date,Start time,Duration\n2026-01-01,09:00,1:00:00\n",
        &options,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "This file does not look like a Clockify export: it has no End Time or Duration (h) column. Columns found: Start date, Start time, Duration"
    );
}

#[test]
fn a_chosen_format_overrides_detection() {
    let options = Options {
        format: Some(Format::Generic),
        ..utc()
    };
    let parsed = parse_bytes(
        b"Start date,Start time,Duration\n2026-01-01,09:00,1:30:00\n",
        &options,
    )
    .unwrap();
    assert_eq!(parsed.format, Format::Generic);
    assert_eq!(parsed.records[0].duration_seconds(), 5400);
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let options = Options {
        max_bytes: 10,
        ..utc()
    };
    let err = parse_bytes(b"start,end\n2026-01-01 09:00,2026-01-01 10:00\n", &options).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge { limit: 10 }), "{err}");
    assert_eq!(MAX_BYTES, 100 * 1024 * 1024);
}

const HEADER: &str = "date,start,end,duration,project,billable,rate,description,currency\n";

fn row_issues(row: &str) -> (Vec<RowIssue>, Vec<RowIssue>, usize) {
    let parsed = parse_bytes(format!("{HEADER}{row}\n").as_bytes(), &utc())
        .unwrap_or_else(|e| panic!("{row}: {e}"));
    (parsed.errors, parsed.warnings, parsed.records.len())
}

#[test]
fn rows_that_cannot_be_imported_name_their_column_and_problem() {
    let long = "x".repeat(5001);
    let too_long = format!("2026-03-01,10:00,11:00,,P,,,{long},");
    let cases: [(&str, &str, Option<&str>, &str); 17] = [
        (
            "an impossible date",
            "2026-02-30,09:00,10:00,,P,,,,",
            Some("date"),
            "not a real date",
        ),
        (
            "a bad time",
            "2026-03-01,9 am,10:00,,P,,,,",
            Some("start"),
            "not a time of day",
        ),
        (
            "an end before the start",
            "2026-03-01,2026-03-02 10:00,2026-03-01 09:00,,P,,,,",
            Some("end"),
            "is before the start (2026-03-02 10:00:00 UTC)",
        ),
        (
            "no length",
            "2026-03-01,10:00,10:00,,P,,,,",
            Some("end"),
            "0 seconds long",
        ),
        (
            "a bad duration",
            "2026-03-01,10:00,,abc,P,,,,",
            Some("duration"),
            "not a duration",
        ),
        (
            "a negative duration",
            "2026-03-01,10:00,,-1:00,P,,,,",
            Some("duration"),
            "negative",
        ),
        (
            "a zero duration",
            "2026-03-01,10:00,,0:00,P,,,,",
            Some("duration"),
            "0 seconds long",
        ),
        (
            "a bad billable",
            "2026-03-01,10:00,11:00,,P,maybe,,,",
            Some("billable"),
            "not yes or no",
        ),
        (
            "a negative rate",
            "2026-03-01,10:00,11:00,,P,,-5,,",
            Some("rate"),
            "must not be negative",
        ),
        (
            "a bad rate",
            "2026-03-01,10:00,11:00,,P,,12x,,",
            Some("rate"),
            "not a number",
        ),
        (
            "an implausible year",
            "1900-01-01,10:00,11:00,,P,,,,",
            Some("start"),
            "outside the years",
        ),
        (
            "extra cells",
            "2026-03-01,10:00,11:00,,P,,,,,surplus",
            None,
            "has 10 cells but the header has 9",
        ),
        (
            "no start",
            ",,11:00,,P,,,,",
            None,
            "has no start date or time",
        ),
        (
            "no end",
            "2026-03-01,10:00,,,P,,,,",
            None,
            "has neither an end nor a duration",
        ),
        (
            "a time without a date",
            ",10:00,11:00,,P,,,,",
            Some("start"),
            "no date",
        ),
        (
            "an end without a time",
            "2026-03-01,10:00,2026-03-01,,P,,,,",
            Some("end"),
            "without a time",
        ),
        (
            "a long description",
            &too_long,
            Some("description"),
            "at most 5000",
        ),
    ];
    for (case, row, column, message) in cases {
        let (errors, _, records) = row_issues(row);
        assert_eq!(records, 0, "{case}");
        assert_eq!(errors.len(), 1, "{case}: {errors:?}");
        assert_eq!(errors[0].line, 2, "{case}");
        assert_eq!(errors[0].column.as_deref(), column, "{case}");
        assert!(
            errors[0].message.contains(message),
            "{case}: {}",
            errors[0].message
        );
    }
}

#[test]
fn every_problem_of_a_row_is_reported() {
    let (errors, _, records) = row_issues("2026-03-01,10:00,11:00,,P,maybe,12x,,");
    assert_eq!(records, 0);
    let columns: Vec<_> = errors.iter().map(|e| e.column.as_deref()).collect();
    assert_eq!(columns, vec![Some("billable"), Some("rate")]);
    assert_eq!(errors[0].value.as_deref(), Some("maybe"));
}

#[test]
fn rows_imported_with_an_assumption_carry_a_warning() {
    let cases = [
        (
            "2026-03-01,10:00,11:00,,P,,85.555,,",
            "rate",
            "rounded to the currency's smallest unit",
        ),
        (
            "2026-03-01,10:00,11:00,,P,,,,Euro",
            "currency",
            "not an ISO 4217 currency code",
        ),
    ];
    for (row, column, message) in cases {
        let (errors, warnings, records) = row_issues(row);
        assert_eq!((errors.len(), records), (0, 1), "{row}");
        assert_eq!(warnings[0].column.as_deref(), Some(column), "{row}");
        assert!(warnings[0].message.contains(message), "{row}: {warnings:?}");
    }
}

#[test]
fn an_end_before_the_start_on_the_same_day_is_the_next_day() {
    let parsed = parse_bytes(
        format!("{HEADER}2026-03-01,22:00,02:00,,P,,,,\n").as_bytes(),
        &utc(),
    )
    .unwrap();
    assert_eq!(
        parsed.records[0].end.to_rfc3339(),
        "2026-03-02T02:00:00+00:00"
    );
}

#[test]
fn warnings_come_before_their_record_in_the_stream() {
    let bytes = format!("{HEADER}2026-03-01,10:00,11:00,,P,,1.005,,\n");
    let scan = scan(bytes.as_bytes(), &utc()).unwrap();
    let kinds: Vec<&str> = read(bytes.as_bytes(), &scan)
        .unwrap()
        .map(|outcome| match outcome.unwrap() {
            Outcome::Record(_) => "record",
            Outcome::Error(_) => "error",
            Outcome::Warning(_) => "warning",
        })
        .collect();
    assert_eq!(kinds, vec!["warning", "record"]);
}

/// A CSV file of `rows` entries made up while it is read, never held whole.
struct Generated {
    rows: u32,
    next: u32,
    pending: Vec<u8>,
}

impl Generated {
    fn new(rows: u32) -> Self {
        Generated {
            rows,
            next: 0,
            pending: b"Start,End,User,Project,Description\n".to_vec(),
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() && self.next < self.rows {
            let minute = self.next % (24 * 60);
            let day = 1 + self.next / (24 * 60) % 28;
            self.pending = format!(
                "2026-02-{day:02} {:02}:{:02}:00,2026-02-{day:02} {:02}:{:02}:30,User {},Project,Row {}\n",
                minute / 60,
                minute % 60,
                minute / 60,
                minute % 60,
                self.next % 7,
                self.next
            )
            .into_bytes();
            self.next += 1;
        }
        let n = self.pending.len().min(buf.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn a_hundred_thousand_rows_stream_from_a_plain_reader() {
    let options = Options {
        format: Some(Format::Generic),
        ..utc()
    };
    let scan = scan(Generated::new(100_000), &options).unwrap();
    assert_eq!(scan.data_rows(), 100_000);
    let mut records = 0;
    let mut last_line = 0;
    let mut rows = read(Generated::new(100_000), &scan).unwrap();
    while let Some(batch) = rows.next_batch(1000).unwrap() {
        assert!(batch.errors.is_empty(), "{:?}", batch.errors.first());
        records += batch.records.len();
        last_line = batch.records.last().map_or(last_line, |r| r.line);
    }
    assert_eq!((records, last_line), (100_000, 100_001));
}
