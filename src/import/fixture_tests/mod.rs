//! Fixture files under tests/fixtures/import/, parsed end to end: one realistic export per format
//! and its nasty variants, each checked record by record.

use std::io::Cursor;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::*;

mod generic;
mod kimai_harvest;
mod solidtime_gogotime;
mod trackers;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse_fixture(name: &str, options: &Options) -> Parsed {
    parse(Cursor::new(fixture(name)), options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn in_zone(zone: Tz) -> Options {
    Options::new(zone)
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

fn tags(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A record with the given line and span and nothing else; tests fill in the rest.
fn entry(line: u64, start: &str, end: &str) -> Record {
    Record {
        line,
        start: utc(start),
        end: utc(end),
        user_email: None,
        user_name: None,
        client: None,
        project: None,
        project_color: None,
        task: None,
        description: String::new(),
        tags: Vec::new(),
        billable: None,
        hourly_rate_minor: None,
        amount_minor: None,
        currency: None,
        fingerprint: String::new(),
    }
}

/// Compares records without their fingerprints, then checks those are distinct SHA-256 hex
/// strings that a second parse reproduces.
fn assert_records(parsed: &Parsed, expected: &[Record], again: &Parsed) {
    let without_prints: Vec<Record> = parsed
        .records
        .iter()
        .map(|r| Record {
            fingerprint: String::new(),
            ..r.clone()
        })
        .collect();
    assert_eq!(without_prints, expected);
    let prints: Vec<&str> = parsed
        .records
        .iter()
        .map(|r| r.fingerprint.as_str())
        .collect();
    for print in &prints {
        assert!(
            print.len() == 64 && print.bytes().all(|b| b.is_ascii_hexdigit()),
            "{print}"
        );
    }
    let mut unique = prints.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), prints.len(), "fingerprints must differ");
    let again: Vec<&str> = again
        .records
        .iter()
        .map(|r| r.fingerprint.as_str())
        .collect();
    assert_eq!(prints, again, "fingerprints must be stable");
}

fn check(name: &str, options: &Options, format: Format, expected: &[Record]) -> Parsed {
    let parsed = parse_fixture(name, options);
    assert_eq!(parsed.format, format);
    assert_records(&parsed, expected, &parse_fixture(name, options));
    parsed
}

impl Record {
    /// `self`'s line and span with every other field from `base`.
    fn merge(self, base: &Record) -> Record {
        Record {
            line: self.line,
            start: self.start,
            end: self.end,
            ..base.clone()
        }
    }
}
