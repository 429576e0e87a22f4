//! Time entries from other trackers' CSV exports (Toggl Track, Clockify, Kimai, solidtime,
//! Harvest), GoGoTime's own export and a generic CSV (docs/import.md). Pure parsing: no
//! database, no HTTP. May import `crate::domain` (entry rules) and `crate::error` (the mapping of
//! [`ImportError`] to `AppError`).
//!
//! Two passes over the same bytes keep memory bounded whatever the file size: [`scan`] reads it
//! once to settle everything that concerns the whole file (size, encoding, format, columns, row
//! count, day/month order of slash dates, decided from every date in the file), then [`read`]
//! streams the records. [`parse`] does both over a seekable input and collects the result.
//!
//! ```no_run
//! use gogotime::import::{self, Options};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let options = Options::new(chrono_tz::Europe::Berlin);
//! let path = "export.csv";
//! if std::fs::metadata(path)?.len() > import::MAX_BYTES {
//!     return Err("too large".into());
//! }
//! let scan = import::scan(std::fs::File::open(path)?, &options)?;
//! let mut rows = import::read(std::fs::File::open(path)?, &scan)?;
//! while let Some(batch) = rows.next_batch(500)? {
//!     // insert batch.records, report batch.errors and batch.warnings
//! }
//! # Ok(())
//! # }
//! ```

mod columns;
mod dates;
mod error;
mod field;
mod format;
mod input;
mod numbers;
mod record;
mod row;
mod scan;
mod span;
mod times;

#[cfg(test)]
mod bad_input_tests;
#[cfg(test)]
mod fixture_tests;

use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};

use chrono_tz::Tz;
use serde::Serialize;

pub use dates::DateOrder;
pub use error::{DateSample, ImportError, RowIssue};
pub use format::{Format, GOGOTIME_COLUMNS, GOGOTIME_HEADER};
pub use record::Record;
pub use scan::{Scan, scan};
pub use span::DEFAULT_START;

use input::Source;
use row::{Context, Occurrences, build};

/// The largest file the importer reads: 100 MiB, some million rows. Callers check it before
/// accepting an upload; the reader also stops with [`ImportError::TooLarge`] past it.
pub const MAX_BYTES: u64 = 100 * 1024 * 1024;

/// How to read a file.
#[derive(Debug, Clone)]
pub struct Options {
    /// Zone for date-times written without an offset (most exports): normally the importing
    /// user's profile time zone, which is what the exporting tool displayed.
    pub time_zone: Tz,
    /// `None`: detect from the header.
    pub format: Option<Format>,
    /// Needed only when every slash date in the file could be either `DD/MM` or `MM/DD`.
    pub date_order: Option<DateOrder>,
    /// Defaults to [`MAX_BYTES`].
    pub max_bytes: u64,
}

impl Options {
    pub fn new(time_zone: Tz) -> Self {
        Options {
            time_zone,
            format: None,
            date_order: None,
            max_bytes: MAX_BYTES,
        }
    }
}

/// One step of the stream, in file order; a row's warnings come before its record or error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[expect(
    clippy::large_enum_variant,
    reason = "records are the usual item; boxing them would allocate once per row for nothing"
)]
pub enum Outcome {
    Record(Record),
    /// The row yields no record.
    Error(RowIssue),
    /// The row's record comes next, but something was assumed or adjusted.
    Warning(RowIssue),
}

/// Records, row errors and warnings of some rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Batch {
    pub records: Vec<Record>,
    pub errors: Vec<RowIssue>,
    pub warnings: Vec<RowIssue>,
}

impl Batch {
    fn push(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Record(record) => self.records.push(record),
            Outcome::Error(issue) => self.errors.push(issue),
            Outcome::Warning(issue) => self.warnings.push(issue),
        }
    }

    fn is_empty(&self) -> bool {
        self.records.is_empty() && self.errors.is_empty() && self.warnings.is_empty()
    }
}

/// A whole file, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub format: Format,
    /// See [`Scan::date_order`].
    pub date_order: Option<DateOrder>,
    pub records: Vec<Record>,
    pub errors: Vec<RowIssue>,
    pub warnings: Vec<RowIssue>,
}

/// Pass two: streams the records of the file [`scan`] read, which must be the same bytes.
pub fn read<R: Read>(input: R, scan: &Scan) -> Result<Rows<R>, ImportError> {
    let source = Source::open(input, scan.max_bytes)?;
    if source.header != scan.header || source.delimiter != scan.delimiter {
        return Err(ImportError::Changed);
    }
    Ok(Rows {
        source,
        scan: scan.clone(),
        occurrences: Occurrences::new(),
        pending: VecDeque::new(),
        rows_seen: 0,
        finished: false,
    })
}

/// Both passes over a seekable input (a file, or `std::io::Cursor` over uploaded bytes), with
/// every record in memory: for previews, tests and files of ordinary size.
pub fn parse<R: Read + Seek>(mut input: R, options: &Options) -> Result<Parsed, ImportError> {
    let begin = input.stream_position().map_err(ImportError::Io)?;
    let scan = scan(&mut input, options)?;
    input
        .seek(SeekFrom::Start(begin))
        .map_err(ImportError::Io)?;
    let mut all = Batch::default();
    for outcome in read(&mut input, &scan)? {
        all.push(outcome?);
    }
    Ok(Parsed {
        format: scan.format,
        date_order: scan.date_order,
        records: all.records,
        errors: all.errors,
        warnings: all.warnings,
    })
}

/// The records of a file, one row at a time; see [`read`]. An `Err` ends the stream: the input
/// failed or no longer matches what [`scan`] read.
pub struct Rows<R: Read> {
    source: Source<R>,
    scan: Scan,
    occurrences: Occurrences,
    pending: VecDeque<Outcome>,
    rows_seen: u64,
    finished: bool,
}

impl<R: Read> Rows<R> {
    /// Up to `max_records` records with the errors and warnings met on the way; `None` once the
    /// file is done.
    pub fn next_batch(&mut self, max_records: usize) -> Result<Option<Batch>, ImportError> {
        let mut batch = Batch::default();
        while batch.records.len() < max_records.max(1) {
            match self.next() {
                Some(outcome) => batch.push(outcome?),
                None => break,
            }
        }
        Ok((!batch.is_empty()).then_some(batch))
    }

    fn read_row(&mut self) -> Result<bool, ImportError> {
        let Some(line) = self.source.next_row()? else {
            if self.rows_seen != self.scan.data_rows {
                return Err(ImportError::Changed);
            }
            return Ok(false);
        };
        self.rows_seen += 1;
        let ctx = Context {
            format: self.scan.format,
            columns: &self.scan.columns,
            header_len: self.scan.header.len(),
            date_order: self.scan.date_order,
            time_zone: self.scan.time_zone,
        };
        let built = build(&ctx, self.source.row(), line, &mut self.occurrences);
        self.pending
            .extend(built.warnings.into_iter().map(Outcome::Warning));
        self.pending
            .extend(built.errors.into_iter().map(Outcome::Error));
        self.pending.extend(built.record.map(Outcome::Record));
        Ok(true)
    }
}

impl<R: Read> Iterator for Rows<R> {
    type Item = Result<Outcome, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(outcome) = self.pending.pop_front() {
                return Some(Ok(outcome));
            }
            if self.finished {
                return None;
            }
            match self.read_row() {
                Ok(true) => {}
                Ok(false) => self.finished = true,
                Err(err) => {
                    self.finished = true;
                    return Some(Err(err));
                }
            }
        }
    }
}
