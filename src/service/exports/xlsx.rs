//! XLSX: one sheet with the CSV's columns as real cells — dates and date-times as dates,
//! durations as Excel time values shown `[h]:mm:ss`, money as numbers shown `0.00`. The sheet
//! is written in rust_xlsxwriter's constant-memory mode (rows go to a temporary file as they
//! come) on a blocking thread, and the finished ZIP is streamed out in chunks.

use std::io::Write;

use chrono::{DateTime, Datelike, Timelike};
use chrono_tz::Tz;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use crate::domain::money;

use super::lines::{Line, Pages};
use super::{CHUNK_BYTES, COLUMNS};
use crate::metrics::product::{ExportOutcome, ExportRun};

type Sender = mpsc::Sender<std::io::Result<Vec<u8>>>;

/// Column widths in characters, in [`COLUMNS`] order.
const WIDTHS: [f64; 18] = [
    38.0, 11.0, 19.0, 19.0, 10.0, 10.0, 8.0, 28.0, 20.0, 20.0, 20.0, 20.0, 40.0, 20.0, 8.0, 10.0,
    10.0, 8.0,
];

pub fn spawn(pages: Pages, sender: Sender, export: ExportRun) {
    let runtime = Handle::current();
    tokio::task::spawn_blocking(move || {
        let Err(e) = write(pages, &runtime, &sender) else {
            export.finish(ExportOutcome::Completed);
            return;
        };
        if sender.is_closed() {
            export.finish(ExportOutcome::Cancelled);
            return;
        }
        export.finish(ExportOutcome::Failed);
        tracing::error!(error = %e, "an XLSX export stopped half-way");
        let _ = sender.blocking_send(Err(std::io::Error::other("export failed")));
    });
}

/// `0.00` for EUR, `0` for JPY, `0.000` for KWD.
fn money_format(currency: &str) -> String {
    match money::minor_digits(currency) {
        0 => "0".to_string(),
        digits => format!("0.{}", "0".repeat(digits as usize)),
    }
}

struct Formats {
    header: Format,
    date: Format,
    datetime: Format,
    duration: Format,
    two_places: Format,
    /// Money in the currency's decimals (none for JPY).
    money: Format,
}

fn write(mut pages: Pages, runtime: &Handle, sender: &Sender) -> Result<(), String> {
    let text = |e: XlsxError| e.to_string();
    let formats = Formats {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        duration: Format::new().set_num_format("[h]:mm:ss"),
        two_places: Format::new().set_num_format("0.00"),
        money: Format::new().set_num_format(money_format(&pages.currency)),
    };
    let mut workbook = Workbook::new();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(text)?;
    sheet.set_name("Time entries").map_err(text)?;
    for (col, (name, width)) in (0u16..).zip(COLUMNS.iter().zip(WIDTHS)) {
        sheet.set_column_width(col, width).map_err(text)?;
        sheet
            .write_string_with_format(0, col, *name, &formats.header)
            .map_err(text)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(text)?;
    let mut row = 0u32;
    while let Some(page) = runtime
        .block_on(pages.next())
        .map_err(|e| format!("{e:#}"))?
    {
        if sender.is_closed() {
            return Err("the client went away".into());
        }
        for line in &page {
            row += 1;
            write_line(sheet, row, line, &pages.currency, &formats).map_err(text)?;
        }
    }
    let mut out = ChunkWriter {
        sender,
        buffer: Vec::with_capacity(CHUNK_BYTES),
    };
    workbook.save_to_writer(&mut out).map_err(text)?;
    out.flush().map_err(|e| e.to_string())
}

fn write_line(
    sheet: &mut Worksheet,
    row: u32,
    line: &Line,
    currency: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    let record = line.to_record(currency);
    let day = line.start.date_naive();
    let date = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
    sheet.write_string(row, 0, &record[0])?;
    sheet.write_datetime_with_format(row, 1, date, &f.date)?;
    sheet.write_datetime_with_format(row, 2, excel_time(line.start)?, &f.datetime)?;
    sheet.write_datetime_with_format(row, 3, excel_time(line.end)?, &f.datetime)?;
    sheet.write_number(row, 4, line.seconds as f64)?;
    // Excel counts time in days
    sheet.write_number_with_format(row, 5, line.seconds as f64 / 86_400.0, &f.duration)?;
    sheet.write_number_with_format(row, 6, line.seconds as f64 / 3600.0, &f.two_places)?;
    for col in 7..=13 {
        let text = &record[usize::from(col)];
        if !text.is_empty() {
            sheet.write_string(row, col, text)?;
        }
    }
    sheet.write_boolean(row, 14, line.billable)?;
    if let Some(rate) = line.rate {
        sheet.write_number_with_format(row, 15, money::major(rate, currency), &f.money)?;
    }
    sheet.write_number_with_format(row, 16, money::major(line.amount, currency), &f.money)?;
    sheet.write_string(row, 17, currency)?;
    Ok(())
}

/// The local wall-clock time (Excel has no time zones; the export's zone is in its request).
fn excel_time(at: DateTime<Tz>) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(at.year() as u16, at.month() as u8, at.day() as u8)?.and_hms(
        at.hour() as u16,
        at.minute() as u8,
        at.second(),
    )
}

/// Hands the ZIP bytes on in chunks; fails once the client has gone, which ends the export.
struct ChunkWriter<'a> {
    sender: &'a Sender,
    buffer: Vec<u8>,
}

impl Write for ChunkWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}
