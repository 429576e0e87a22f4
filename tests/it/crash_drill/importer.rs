//! The crash drill's importer: one person submits CSV imports (`dry_run=false`) one after the
//! other while the server is killed. Every row of an import carries that import's marker in its
//! description, so after each restart the drill counts each import's entries: exactly all of
//! them or none (an import is one transaction), all of them when the import was acknowledged,
//! each exactly as the file said, and no row twice.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;

use super::{Sent, Stored, TAG_NAMES, Writer, dispatch};
use crate::imports::{BOUNDARY, multipart};

/// Rows per import: enough that the server is inside an import most of the time, so the kill
/// cuts one off in nearly every round.
const ROWS: usize = 200;
/// A bound on imports per round, far above what fits before the kill.
const IMPORTS_PER_ROUND: usize = 500;

/// What became of one submitted import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Answered 201: all its rows must be there, always.
    Acknowledged,
    /// The crash cut its answer off; the next check decides which of the two it was.
    CutOff,
    Whole,
    Absent,
}

/// One import as submitted: its rows as the server must store them, by description.
struct Submitted {
    rows: BTreeMap<String, Stored>,
    fate: Fate,
}

/// Imports submitted, acknowledged and cut off (and of those, found whole or absent).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Figures {
    pub submitted: usize,
    pub acknowledged: usize,
    pub whole: usize,
    pub absent: usize,
    /// Imported entries compared field by field at the last check.
    pub rows_checked: usize,
}

pub(super) struct Importer {
    /// The person and organization the imports go to, signed up like the writers; it writes
    /// nothing itself, so every entry of the organization comes from an import.
    person: Writer,
    submitted: Vec<Submitted>,
}

/// Imported rows sit one per hour from January 2024, clear of the writers' entries and of
/// each other (organizations refuse overlapping entries by default).
fn row_start(import: usize, row: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
        + chrono::Duration::hours((import * ROWS + row) as i64)
}

impl Importer {
    pub(super) fn new(person: Writer) -> Self {
        Importer {
            person,
            submitted: Vec::new(),
        }
    }

    /// The next import's CSV (GoGoTime's generic format) and its rows as they must be stored.
    fn next_file(&self) -> (Vec<u8>, BTreeMap<String, Stored>) {
        let import = self.submitted.len();
        let mut csv = String::from("start,end,description,tags\n");
        let mut rows = BTreeMap::new();
        for row in 0..ROWS {
            let start = row_start(import, row);
            let end = start + chrono::Duration::minutes(15 + (row % 40) as i64);
            let description = format!("import {import} row {row}");
            let picked: Vec<usize> = self.person.tag_indices(import + row).collect();
            let names: Vec<&str> = picked.iter().map(|&i| TAG_NAMES[i]).collect();
            let mut tags: Vec<String> = picked
                .iter()
                .map(|&i| self.person.tags[i].clone())
                .collect();
            tags.sort();
            csv.push_str(&format!(
                "{},{},{description},\"{}\"\n",
                start.to_rfc3339(),
                end.to_rfc3339(),
                names.join(", ")
            ));
            let stored = Stored {
                description: description.clone(),
                start,
                end: Some(end),
                tags,
                version: 1,
            };
            rows.insert(description, stored);
        }
        (csv.into_bytes(), rows)
    }

    /// Submits one import; false when the server is gone (the import is then cut off).
    async fn submit(&mut self, client: &reqwest::Client, address: &str) -> bool {
        let (file, rows) = self.next_file();
        let url = self
            .person
            .url(address, "imports?tz=UTC&format=generic&dry_run=false");
        let request = client
            .post(url)
            .bearer_auth(&self.person.token)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart(&file));
        let fate = match dispatch(request).await {
            Sent::Answered(StatusCode::CREATED, report, _) => {
                assert_eq!(report["applied"], true, "{report}");
                assert_eq!(report["entries_to_create"], ROWS, "{report}");
                Fate::Acknowledged
            }
            Sent::Answered(status, answer, _) => panic!("an import got {status}: {answer}"),
            Sent::Cut => Fate::CutOff,
        };
        self.submitted.push(Submitted { rows, fate });
        fate == Fate::Acknowledged
    }

    /// One import before the first crash, so every check has an acknowledged import to find
    /// whole even when a loaded machine lets none finish between the kills.
    pub(super) async fn import_before_load(&mut self, client: &reqwest::Client, address: &str) {
        assert!(
            self.submit(client, address).await,
            "the server went away during the first import"
        );
    }

    /// Waits `idle`, then submits imports until the server stops answering (or the bound is
    /// reached). On SQLite an import holds the one write lock for its whole transaction and,
    /// submitted back to back, starves the other writers; starting late leaves them the first
    /// part of each round, and importing without pause up to the kill still gets one cut off.
    pub(super) async fn run_round(
        &mut self,
        client: &reqwest::Client,
        address: &str,
        idle: Duration,
    ) {
        tokio::time::sleep(idle).await;
        for _ in 0..IMPORTS_PER_ROUND {
            if !self.submit(client, address).await {
                return;
            }
        }
    }

    /// After a restart: each import's rows are all there, exactly, or none are; all are there
    /// when it was acknowledged (or found whole before); no row twice, no row of no import.
    pub(super) async fn reconcile(&mut self, client: &reqwest::Client, address: &str) {
        // `server_entries` fails on an id listed twice; a row imported twice has two ids
        let mut actual: BTreeMap<String, Stored> = BTreeMap::new();
        for (id, stored) in self.person.server_entries(client, address).await {
            let description = stored.description.clone();
            if let Some(before) = actual.insert(description, stored) {
                panic!("a row imported twice: {id} and another entry both hold {before:?}");
            }
        }
        for (n, import) in self.submitted.iter_mut().enumerate() {
            let found: Vec<(&String, Option<Stored>)> =
                import.rows.keys().map(|d| (d, actual.remove(d))).collect();
            let present = found.iter().filter(|(_, s)| s.is_some()).count();
            assert!(
                present == 0 || present == ROWS,
                "import {n} ({:?}) is half-applied: {present} of {ROWS} rows",
                import.fate
            );
            import.fate = match (import.fate, present == ROWS) {
                (Fate::CutOff, true) => Fate::Whole,
                (Fate::CutOff, false) => Fate::Absent,
                (Fate::Absent, false) => Fate::Absent,
                (fate @ (Fate::Acknowledged | Fate::Whole), true) => fate,
                (fate, _) => panic!("import {n} ({fate:?}): {present} of {ROWS} rows now"),
            };
            for (description, stored) in found {
                if let Some(stored) = stored {
                    assert_eq!(&stored, &import.rows[description], "import {n}");
                }
            }
        }
        assert!(actual.is_empty(), "entries of no import: {actual:#?}");
    }

    pub(super) fn figures(&self) -> Figures {
        let count = |fate| self.submitted.iter().filter(|i| i.fate == fate).count();
        let landed = count(Fate::Acknowledged) + count(Fate::Whole);
        Figures {
            submitted: self.submitted.len(),
            acknowledged: count(Fate::Acknowledged),
            whole: count(Fate::Whole),
            absent: count(Fate::Absent),
            rows_checked: landed * ROWS,
        }
    }
}
