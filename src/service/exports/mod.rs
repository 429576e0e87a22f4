//! Exports: time entries as CSV, JSON or XLSX, the summary report as PDF, and each person's
//! secret iCalendar feed. Entries are read a page at a time and handed on as encoded chunks
//! through a bounded channel, so an export of any size holds only a page and a few chunks.
//! May import `db`, `domain` and the reports service; never axum.

pub mod calendar;
mod ical;
mod lines;
mod pdf;
mod text;
mod xlsx;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use tokio::sync::mpsc;

use super::access::require_member;
use super::reports::query::ReportRequest;
use super::reports::restrict;
use super::{Actor, Ctx};
use crate::domain::ids::OrganizationId;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::metrics::product::{ExportFormat, ExportOutcome, ExportRun};
use lines::Pages;

pub use lines::ExportedEntry;

/// How many encoded chunks may wait for a slow client before the producer waits too.
const CHUNKS_IN_FLIGHT: usize = 8;
/// Encoded bytes gathered before they are handed on.
const CHUNK_BYTES: usize = 32 * 1024;

/// The column names of the CSV and XLSX exports, in order: the importer's own format, so an
/// export imports back without loss.
pub const COLUMNS: [&str; 18] = crate::import::GOGOTIME_COLUMNS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Xlsx,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Json => "application/json",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Bytes on their way to the client; an `Err` aborts the response (the file is then visibly
/// incomplete instead of silently short).
pub type Chunks = mpsc::Receiver<std::io::Result<Vec<u8>>>;

pub enum Body {
    /// Produced while the client reads.
    Stream(Chunks),
    /// Small enough to build at once.
    Whole(Vec<u8>),
}

/// A file to download.
pub struct Download {
    /// A safe ASCII file name (letters, digits, `-`, `_`, `.`).
    pub filename: String,
    pub content_type: &'static str,
    pub body: Body,
}

/// `GET exports/entries.{csv,json,xlsx}`: the entries (not running) starting in the range,
/// oldest first, with the detailed report's parameters. Every parameter and the caller's
/// access are checked before the first byte is sent.
pub async fn entries(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    request: &ReportRequest,
    format: Format,
) -> AppResult<Download> {
    request.check()?;
    let mut query = request.clone();
    // read-only: a pooled connection, not a (write-locking on SQLite) transaction
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    drop(pooled);
    restrict(&mine, actor, &mut query)?;
    let filename = filename(
        &mine.organization.name,
        query.from,
        query.to,
        format.extension(),
    );
    let run = ctx.metrics.export(match format {
        Format::Csv => ExportFormat::Csv,
        Format::Json => ExportFormat::Json,
        Format::Xlsx => ExportFormat::Xlsx,
    });
    let pages = Pages::open(ctx.clone(), org, &query, mine.organization.currency).await?;
    let (sender, chunks) = mpsc::channel(CHUNKS_IN_FLIGHT);
    match format {
        Format::Csv => text::spawn(pages, text::Encoding::Csv, sender, run),
        Format::Json => text::spawn(pages, text::Encoding::Json, sender, run),
        Format::Xlsx => xlsx::spawn(pages, sender, run),
    }
    Ok(Download {
        filename,
        content_type: format.content_type(),
        body: Body::Stream(chunks),
    })
}

/// What the entries files (CSV, JSON, XLSX) hold differently from the report with the same
/// parameters: the files list finished entries starting in the range, each whole; the report
/// (and its PDF) also counts running timers up to now, and only the part of an entry inside the
/// range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DifferencesFromReport {
    /// Running entries the report counts and the files leave out.
    pub running: i64,
    /// Finished entries crossing the range's start or end: the report counts their part inside
    /// it, the files list those starting in it whole and leave out the others.
    pub crossing_edges: i64,
}

impl DifferencesFromReport {
    pub fn any(self) -> bool {
        self.running > 0 || self.crossing_edges > 0
    }
}

pub async fn differences_from_report(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    request: &ReportRequest,
) -> AppResult<DifferencesFromReport> {
    request.check()?;
    let mut query = request.clone();
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    restrict(&mine, actor, &mut query)?;
    let (start, end) = query.range();
    let (running, crossing_edges) = crate::db::entries::running_and_crossing(
        &mut pooled.conn(),
        org,
        &query.db_filter(),
        crate::db::Ts(start),
        crate::db::Ts(end),
    )
    .await?;
    Ok(DifferencesFromReport {
        running,
        crossing_edges,
    })
}

/// `GET exports/summary.pdf`: the summary report (same parameters) as a printable document.
pub async fn summary_pdf(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    request: &ReportRequest,
) -> AppResult<Download> {
    let run = ctx.metrics.export(ExportFormat::Pdf);
    let found = async {
        let report = super::reports::summary(ctx, actor, org, request).await?;
        let mine = super::organizations::get(ctx, actor, org).await?;
        AppResult::Ok((report, mine))
    };
    let (report, mine) = match found.await {
        Ok(found) => found,
        Err(error) => return Err(close(run, error)),
    };
    let now = ctx.clock.now();
    let bytes = pdf::render(&report, &mine.organization.name, now);
    run.finish(ExportOutcome::Completed);
    Ok(Download {
        filename: filename(&mine.organization.name, report.from, report.to, "pdf"),
        content_type: "application/pdf",
        body: Body::Whole(bytes),
    })
}

/// Ends an export that stopped with `error`: a fault of ours counts as failed; a refused request
/// (bad parameters, no access) was never an export.
pub(crate) fn close(run: ExportRun, error: AppError) -> AppError {
    match error {
        AppError::Internal(_) | AppError::Unavailable { .. } => run.finish(ExportOutcome::Failed),
        _ => run.discard(),
    }
    error
}

/// `gogotime-acme-ltd-2026-01-01_2026-01-31.csv`: the organization's name in ASCII letters,
/// digits and dashes, so the name needs no quoting in `Content-Disposition`.
fn filename(organization: &str, from: NaiveDate, to: NaiveDate, extension: &str) -> String {
    let mut slug = String::new();
    for c in organization.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(40).collect();
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() {
        "organization"
    } else {
        slug
    };
    format!("gogotime-{slug}-{from}_{to}.{extension}")
}

// h:mm and h:mm:ss are the pages' (cut to the minute, never more than was tracked), and money
// is written in the currency's own decimals
pub(crate) use crate::domain::duration::{hours_minutes as hm, hours_minutes_seconds as hms};
pub(crate) use crate::domain::money::decimal;

/// Decimal hours with two places, half a hundredth rounding up: `5400` → `1.50`.
fn hours(seconds: i64) -> String {
    let hundredths = (seconds.max(0) * 100 + 1800) / 3600;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// ISO 8601 local date-time with its offset: `2026-03-29T01:30:00+01:00`.
fn local_iso(instant: DateTime<Tz>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain_ascii() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (from, to) = (d("2026-01-01"), d("2026-01-31"));
        assert_eq!(
            filename("Acme Ltd.", from, to, "csv"),
            "gogotime-acme-ltd-2026-01-01_2026-01-31.csv"
        );
        assert_eq!(
            filename("  Müller & Söhne \"GmbH\"", from, to, "pdf"),
            "gogotime-m-ller-s-hne-gmbh-2026-01-01_2026-01-31.pdf"
        );
        assert_eq!(
            filename("東京", from, to, "json"),
            "gogotime-organization-2026-01-01_2026-01-31.json"
        );
    }

    #[test]
    fn durations_and_money_are_written_exactly() {
        assert_eq!(hms(0), "0:00:00");
        assert_eq!(hms(3 * 3600 + 7 * 60 + 5), "3:07:05");
        assert_eq!(hms(100 * 3600), "100:00:00");
        assert_eq!(hm(119), "0:01", "as on the pages");
        assert_eq!(hm(5399), "1:29");
        assert_eq!(decimal(8550, "EUR"), "85.50");
        assert_eq!(decimal(5, "EUR"), "0.05");
        assert_eq!(decimal(-105, "EUR"), "-1.05");
        assert_eq!(decimal(5000, "JPY"), "5000");
        assert_eq!(hours(5400), "1.50");
        assert_eq!(hours(18), "0.01", "half a hundredth rounds up");
        assert_eq!(hours(17), "0.00");
        assert_eq!(hours(1200), "0.33");
    }
}
