//! Pass one: reads the whole file once, in constant memory, and settles what must hold for every
//! row before any record is handed out: text and CSV well-formed, the format, the columns, at
//! least one row, and the day/month order of slash dates. May import the other `import` modules
//! except `row`.

use std::io::Read;

use chrono_tz::Tz;
use csv::StringRecord;

use super::Options;
use super::columns::ColumnMap;
use super::dates::{DateOrder, Evidence, evidence, shape, split_date};
use super::error::{DateSample, ImportError};
use super::field::Field;
use super::format::Format;
use super::input::Source;

/// What pass one learnt; [`super::read`] streams the records with it.
#[derive(Debug, Clone)]
pub struct Scan {
    pub(crate) format: Format,
    pub(crate) delimiter: u8,
    pub(crate) header: Vec<String>,
    pub(crate) columns: ColumnMap,
    pub(crate) data_rows: u64,
    pub(crate) date_order: Option<DateOrder>,
    pub(crate) time_zone: Tz,
    pub(crate) max_bytes: u64,
}

impl Scan {
    pub fn format(&self) -> Format {
        self.format
    }

    /// The header cells, trimmed, as the file spells them.
    pub fn columns(&self) -> &[String] {
        &self.header
    }

    /// `,`, `;` or tab.
    pub fn delimiter(&self) -> char {
        char::from(self.delimiter)
    }

    /// Rows that are not blank; each becomes a record or an error.
    pub fn data_rows(&self) -> u64 {
        self.data_rows
    }

    /// The order slash dates are read in: as given in the options, else as the file showed;
    /// `None` when the file has no slash dates.
    pub fn date_order(&self) -> Option<DateOrder> {
        self.date_order
    }
}

/// Cells that may hold a date.
const DATE_FIELDS: [Field; 5] = [
    Field::Date,
    Field::StartDate,
    Field::Start,
    Field::EndDate,
    Field::End,
];

/// Reads the whole of `input` once. Fails on anything that concerns the file rather than a row.
pub fn scan<R: Read>(input: R, options: &Options) -> Result<Scan, ImportError> {
    let mut source = Source::open(input, options.max_bytes)?;
    let header = source.header.clone();
    let (format, columns) = choose_format(&header, options.format)?;
    let mut orders = OrderEvidence::default();
    let mut data_rows = 0;
    while let Some(line) = source.next_row()? {
        data_rows += 1;
        for field in DATE_FIELDS {
            orders.note(source.row(), &columns, field, line);
        }
    }
    if data_rows == 0 {
        return Err(ImportError::NoRows);
    }
    let date_order = match options.date_order {
        Some(order) => Some(order),
        None => orders.decide()?,
    };
    Ok(Scan {
        format,
        delimiter: source.delimiter,
        header,
        columns,
        data_rows,
        date_order,
        time_zone: options.time_zone,
        max_bytes: options.max_bytes,
    })
}

/// The chosen format, else the detected one, else the generic format if the header fits it.
fn choose_format(
    header: &[String],
    chosen: Option<Format>,
) -> Result<(Format, ColumnMap), ImportError> {
    let unknown = || ImportError::UnknownHeader {
        found: header.to_vec(),
    };
    let format = chosen
        .or_else(|| Format::detect(header))
        .unwrap_or(Format::Generic);
    let columns = ColumnMap::new(format, header);
    let missing = columns.missing(format);
    match (missing.is_empty(), chosen) {
        (true, _) => Ok((format, columns)),
        (false, Some(format)) => Err(ImportError::MissingColumns {
            format,
            missing,
            found: header.to_vec(),
        }),
        (false, None) => Err(unknown()),
    }
}

/// The first date cell that showed each order, and the first that could go either way.
#[derive(Default)]
struct OrderEvidence {
    day_first: Option<DateSample>,
    month_first: Option<DateSample>,
    ambiguous: Option<DateSample>,
}

impl OrderEvidence {
    fn note(&mut self, row: &StringRecord, columns: &ColumnMap, field: Field, line: u64) {
        let Some(cell) = columns.column(field).and_then(|i| row.get(i)) else {
            return;
        };
        let Some(shape) = split_date(cell).and_then(|(token, _)| shape(token)) else {
            return;
        };
        let slot = match evidence(shape) {
            Evidence::DayFirst => &mut self.day_first,
            Evidence::MonthFirst => &mut self.month_first,
            Evidence::Ambiguous => &mut self.ambiguous,
            Evidence::None => return,
        };
        if slot.is_none() {
            *slot = Some(DateSample {
                line,
                column: columns.name(field).unwrap_or_default().to_string(),
                value: cell.trim().to_string(),
            });
        }
    }

    /// Any first part over 12 means day first, any second part over 12 month first; both is an
    /// error, and neither (with dates that could go either way) needs the caller to choose.
    fn decide(self) -> Result<Option<DateOrder>, ImportError> {
        match (self.day_first, self.month_first) {
            (Some(day_first), Some(month_first)) => Err(ImportError::ConflictingDateOrder {
                day_first,
                month_first,
            }),
            (Some(_), None) => Ok(Some(DateOrder::DayFirst)),
            (None, Some(_)) => Ok(Some(DateOrder::MonthFirst)),
            (None, None) => match self.ambiguous {
                Some(sample) => Err(ImportError::AmbiguousDateOrder(sample)),
                None => Ok(None),
            },
        }
    }
}
