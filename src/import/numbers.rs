//! Exact decimals (no floats): money in minor units, and durations in seconds. Accepts a decimal
//! comma or dot, grouping separators, currency codes or symbols around amounts. May import
//! nothing from the crate.

/// An exact decimal number: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// More digits than any time sheet needs, few enough for `i128` arithmetic.
const MAX_DIGITS: usize = 24;

/// Reads `85.50`, `85,50`, `1,234.56`, `1.234,56`, `1'234.56`, `EUR 84.00`, `-5`, `(5.00)`.
/// With both `.` and `,` present, the last one is the decimal separator. A single `.` or `,` is
/// always a decimal separator (`1,000` is one, not a thousand); the same one repeated is grouping.
pub(crate) fn parse_decimal(cell: &str) -> Result<Decimal, String> {
    let raw = cell.trim();
    let not_a_number = || format!("“{raw}” is not a number");
    let accounting_negative = raw.starts_with('(') && raw.ends_with(')');
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\'' | '’' | '(' | ')'))
        .collect();
    let is_numeric = |c: char| c.is_ascii_digit() || matches!(c, '.' | ',');
    let mut core = strip_currency(&compact, Side::End);
    let mut sign = None;
    loop {
        if let Some(rest) = core.strip_prefix(['-', '+']) {
            if sign.is_some() {
                return Err(not_a_number());
            }
            sign = Some(core.starts_with('-'));
            core = rest;
        } else {
            let rest = strip_currency(core, Side::Start);
            if rest.len() == core.len() {
                break;
            }
            core = rest;
        }
    }
    let negative = sign == Some(true) || accounting_negative;
    if core.is_empty() || !core.chars().all(is_numeric) {
        return Err(not_a_number());
    }
    let (integer, fraction, grouping) = split_separators(core).ok_or_else(not_a_number)?;
    let integer: String = match grouping {
        Some(separator) => {
            let groups: Vec<&str> = integer.split(separator).collect();
            let well_formed =
                (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
            if !well_formed {
                return Err(not_a_number());
            }
            groups.concat()
        }
        None => integer.to_string(),
    };
    if integer.len() + fraction.len() > MAX_DIGITS {
        return Err(format!("“{raw}” has too many digits"));
    }
    let digits = format!("{integer}{fraction}");
    let mantissa: i128 = digits.parse().map_err(|_| not_a_number())?;
    Ok(Decimal {
        mantissa: if negative { -mantissa } else { mantissa },
        scale: u32::try_from(fraction.len()).map_err(|_| not_a_number())?,
    })
}

#[derive(Clone, Copy)]
enum Side {
    Start,
    End,
}

/// `text` without a currency symbol (`$`, `€`, …) or a 2–3 letter code (`EUR`, `kr`) at `side`.
fn strip_currency(text: &str, side: Side) -> &str {
    const SYMBOLS: &[char] = &['$', '€', '£', '¥', '₹', '₽', '₩', '₺', '₪', '฿', '¢', '₣'];
    let letters = |t: &str| -> usize {
        let run = match side {
            Side::Start => t.chars().take_while(|c| c.is_alphabetic()).count(),
            Side::End => t.chars().rev().take_while(|c| c.is_alphabetic()).count(),
        };
        if (2..=3).contains(&run) { run } else { 0 }
    };
    match side {
        Side::Start => {
            let stripped = text.trim_start_matches(SYMBOLS);
            let run = letters(stripped);
            let cut: usize = stripped.chars().take(run).map(char::len_utf8).sum();
            &stripped[cut..]
        }
        Side::End => {
            let stripped = text.trim_end_matches(SYMBOLS);
            let run = letters(stripped);
            let cut: usize = stripped.chars().rev().take(run).map(char::len_utf8).sum();
            &stripped[..stripped.len() - cut]
        }
    }
}

/// Integer part, fraction digits and grouping separator of an unsigned number made of digits,
/// `.` and `,`.
fn split_separators(core: &str) -> Option<(&str, &str, Option<char>)> {
    let dots = core.matches('.').count();
    let commas = core.matches(',').count();
    let split_at = |separator: char| {
        let (integer, fraction) = core.rsplit_once(separator)?;
        Some((integer, fraction))
    };
    match (dots, commas) {
        (0, 0) => Some((core, "", None)),
        (1, 0) => split_at('.').map(|(i, f)| (i, f, None)),
        (0, 1) => split_at(',').map(|(i, f)| (i, f, None)),
        (_, 0) => Some((core, "", Some('.'))),
        (0, _) => Some((core, "", Some(','))),
        _ => {
            let last = core.rfind(['.', ','])?;
            let decimal = core[last..].chars().next()?;
            let grouping = if decimal == '.' { ',' } else { '.' };
            let (integer, fraction) = split_at(decimal)?;
            (!integer.contains(decimal) && !fraction.contains(grouping)).then_some((
                integer,
                fraction,
                Some(grouping),
            ))
        }
    }
}

impl Decimal {
    /// `self × factor`, rounded half away from zero to a whole number.
    fn times_rounded(self, factor: i128) -> Option<(i128, bool)> {
        let divisor = 10_i128.checked_pow(self.scale)?;
        let product = self.mantissa.checked_mul(factor)?;
        let (quotient, remainder) = (product / divisor, product % divisor);
        let rounded = remainder != 0;
        let away = remainder.abs() * 2 >= divisor && rounded;
        Some((quotient + if away { product.signum() } else { 0 }, rounded))
    }
}

/// Money in minor units of a currency with `digits` decimals (`2`: × 100), and whether it had
/// to be rounded to the currency's smallest unit.
pub(crate) fn parse_money(cell: &str, digits: u32) -> Result<(i64, bool), String> {
    let decimal = parse_decimal(cell)?;
    decimal
        .times_rounded(10_i128.pow(digits))
        .and_then(|(minor, rounded)| Some((i64::try_from(minor).ok()?, rounded)))
        .ok_or_else(|| format!("“{}” is too large", cell.trim()))
}

/// A whole number (`duration_seconds`, minor units written as integers).
pub(crate) fn parse_integer(cell: &str) -> Result<i64, String> {
    let raw = cell.trim();
    raw.parse::<i64>()
        .map_err(|_| format!("“{raw}” is not a whole number"))
}

/// The most an entry can plausibly last: a year.
const MAX_DURATION_SECONDS: i64 = 366 * 24 * 3600;

/// A duration in seconds from `1:30:15` or `1:30` (hours:minutes[:seconds]), decimal hours
/// (`1.5`, `1,5`), `18:25 min` (a clock labelled minutes counts minutes and seconds: 18 min
/// 25 s), `1:30 h`, or units (`1h 30min`, `45 min`, `90s`). Negative durations are refused.
pub(crate) fn parse_duration(cell: &str) -> Result<i64, String> {
    let raw = cell.trim();
    let lower = raw.to_lowercase();
    let not_a_duration =
        || format!("“{raw}” is not a duration; expected 1:30:00, 1:30, 1.5, 18:25 min or 1h 30min");
    if lower.starts_with(['-', '(']) {
        return Err(format!("“{raw}” is negative"));
    }
    let (body, unit) = split_unit(&lower);
    let seconds = if body.contains(':') {
        let clock = parse_clock(body).ok_or_else(not_a_duration)?;
        match unit {
            // `18:25 min` is 18 minutes 25 seconds: the clock's units shift down by 60.
            Some(60) if body.matches(':').count() == 1 => clock / 60,
            Some(3600) | None => clock,
            Some(_) => return Err(not_a_duration()),
        }
    } else if lower.chars().any(char::is_alphabetic) {
        parse_units(&lower).ok_or_else(not_a_duration)?
    } else {
        let hours = parse_decimal(&lower).map_err(|_| not_a_duration())?;
        let (seconds, _) = hours.times_rounded(3600).ok_or_else(not_a_duration)?;
        i64::try_from(seconds).map_err(|_| not_a_duration())?
    };
    if seconds < 0 {
        return Err(format!("“{raw}” is negative"));
    }
    if seconds > MAX_DURATION_SECONDS {
        return Err(format!("“{raw}” is longer than a year"));
    }
    Ok(seconds)
}

/// `h:mm` or `h:mm:ss` in seconds; hours may exceed 24.
fn parse_clock(body: &str) -> Option<i64> {
    let parts: Vec<&str> = body.trim().split(':').collect();
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.len() <= 7 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let minutes_or_seconds = |s: &str| number(s).filter(|n| s.len() == 2 && *n < 60);
    let hours = number(parts[0])?;
    match parts.len() {
        2 => Some(hours * 3600 + minutes_or_seconds(parts[1])? * 60),
        3 => {
            Some(hours * 3600 + minutes_or_seconds(parts[1])? * 60 + minutes_or_seconds(parts[2])?)
        }
        _ => None,
    }
}

/// A trailing unit word: `min` → 60, `h` → 3600, with the rest of the cell.
fn split_unit(lower: &str) -> (&str, Option<i64>) {
    let body = lower.trim_end_matches(char::is_alphabetic);
    let unit = &lower[body.len()..];
    (body.trim(), unit_seconds(unit))
}

fn unit_seconds(unit: &str) -> Option<i64> {
    match unit {
        "h" | "hr" | "hrs" | "hour" | "hours" | "std" | "stunden" => Some(3600),
        "m" | "min" | "mins" | "minute" | "minutes" | "minuten" => Some(60),
        "s" | "sec" | "secs" | "second" | "seconds" | "sek" => Some(1),
        _ => None,
    }
}

/// `1h 30min`, `2h`, `45 min`, `1.5h`, `90s`: numbers each followed by a unit.
fn parse_units(lower: &str) -> Option<i64> {
    let mut total: i128 = 0;
    let mut rest = lower.trim();
    let mut any = false;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_end);
        let after = after.trim_start();
        let unit_end = after
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_end);
        let factor = unit_seconds(unit)?;
        let (seconds, _) = parse_decimal(number)
            .ok()?
            .times_rounded(i128::from(factor))?;
        total = total.checked_add(seconds)?;
        any = true;
        rest = after.trim_start();
    }
    any.then(|| i64::try_from(total).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_read_exactly_in_minor_units() {
        let cases = [
            ("85.50", 8550),
            ("85,50", 8550),
            ("85", 8500),
            ("1,234.56", 123_456),
            ("1.234,56", 123_456),
            ("2.000,0", 200_000),
            ("1'234.50", 123_450),
            ("1 234,50", 123_450),
            (" EUR 84.00 ", 8400),
            ("$1,947.99", 194_799),
            ("84,00 €", 8400),
            ("-5.25", -525),
            ("(5.25)", -525),
            ("USD -5", -500),
            ("0.1", 10),
            ("1.000.000", 100_000_000),
            ("12 kr", 1200),
            ("-€3", -300),
            ("€-3", -300),
        ];
        for (cell, minor) in cases {
            assert_eq!(parse_money(cell, 2), Ok((minor, false)), "{cell}");
        }
    }

    #[test]
    fn money_with_more_than_two_decimals_is_rounded_half_away_from_zero() {
        assert_eq!(parse_money("33.335", 2), Ok((3334, true)));
        assert_eq!(parse_money("33.334", 2), Ok((3333, true)));
        assert_eq!(parse_money("-0.005", 2), Ok((-1, true)));
        assert_eq!(parse_money("1.500", 2), Ok((150, false)));
        assert_eq!(
            parse_money("5000", 0),
            Ok((5000, false)),
            "yen have no decimals"
        );
        assert_eq!(parse_money("12.345", 3), Ok((12345, false)));
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for cell in [
            "",
            "abc",
            "1.2.3,4,5",
            "12,34.5,6",
            "1,23,456",
            "1..2",
            "8 5x0",
            "--5",
            "12x",
            "x12",
            "5-",
        ] {
            assert!(parse_money(cell, 2).is_err(), "{cell}");
        }
        assert!(parse_money("1234567890123456789012345", 2).is_err());
    }

    #[test]
    fn durations_are_read_in_every_supported_spelling() {
        let cases = [
            ("1:30:15", 5415),
            ("01:00:01", 3601),
            ("0:06", 360),
            ("26:30", 95_400),
            ("1.5", 5400),
            ("1,5", 5400),
            ("0,01", 36),
            ("20,0", 72_000),
            ("0.25", 900),
            ("18:25 min", 1105),
            ("18:25min", 1105),
            ("1:30 h", 5400),
            ("1h 05min", 3900),
            ("45 min", 2700),
            ("2h", 7200),
            ("1.5h", 5400),
            ("90s", 90),
            ("0", 0),
        ];
        for (cell, seconds) in cases {
            assert_eq!(parse_duration(cell), Ok(seconds), "{cell}");
        }
    }

    #[test]
    fn bad_durations_are_refused_with_a_reason() {
        let cases = [
            ("-1:00", "negative"),
            ("-0.5", "negative"),
            ("1:5", "not a duration"),
            ("1:60", "not a duration"),
            ("1:30:15:00", "not a duration"),
            ("soon", "not a duration"),
            ("3 parsecs", "not a duration"),
            ("9000:00", "longer than a year"),
        ];
        for (cell, message) in cases {
            let err = parse_duration(cell).unwrap_err();
            assert!(err.contains(message), "{cell}: {err}");
        }
    }

    #[test]
    fn whole_numbers_are_read_as_integers() {
        assert_eq!(parse_integer(" 5400 "), Ok(5400));
        assert!(parse_integer("54.5").is_err());
    }
}
