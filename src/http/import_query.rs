//! The import options of a request, read once for the API's query and the import page's form.

use std::str::FromStr;

use crate::error::AppError;
use crate::import::{DateOrder, Format, Options};
use crate::service::invalid;

/// The import options from the fields of a query or form; `tz` is required, `auto` or empty
/// leaves the format and the date order to detection.
pub fn options(
    tz: &str,
    format: Option<&str>,
    date_order: Option<&str>,
    max_bytes: u64,
) -> Result<Options, AppError> {
    let tz = tz.trim();
    if tz.is_empty() {
        return Err(invalid(
            "tz",
            "is required: the IANA time zone the file's times are in (e.g. Europe/Berlin)",
        ));
    }
    let zone = chrono_tz::Tz::from_str(tz)
        .map_err(|_| invalid("tz", format!("“{tz}” is not an IANA time zone name")))?;
    let mut options = Options::new(zone);
    options.max_bytes = max_bytes;
    if let Some(format) = format
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != "auto")
    {
        options.format = Some(Format::from_str(format).map_err(|e| invalid("format", e))?);
    }
    if let Some(order) = date_order
        .map(str::trim)
        .filter(|o| !o.is_empty() && *o != "auto")
    {
        options.date_order = Some(match order.to_ascii_lowercase().as_str() {
            "dmy" | "day_first" => DateOrder::DayFirst,
            "mdy" | "month_first" => DateOrder::MonthFirst,
            _ => {
                return Err(invalid(
                    "date_order",
                    "must be dmy (DD/MM/YYYY) or mdy (MM/DD/YYYY)",
                ));
            }
        });
    }
    Ok(options)
}
