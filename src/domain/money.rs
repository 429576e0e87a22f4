//! Money: integer minor units of an ISO 4217 currency. How many digits follow the decimal point
//! depends on the currency (JPY has none, EUR two, KWD three), and every page, export and form
//! reads and writes amounts through here.

/// Digits after the decimal point in `currency` (ISO 4217's minor unit; two when unlisted).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

fn scale(currency: &str) -> i64 {
    10_i64.pow(minor_digits(currency))
}

/// `8550` EUR → `85.50`; `5000` JPY → `5000`; negative amounts keep their sign.
pub fn decimal(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency) as usize;
    let sign = if minor < 0 { "-" } else { "" };
    let value = minor.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{value}");
    }
    let scale = scale(currency).unsigned_abs();
    format!(
        "{sign}{}.{:0digits$}",
        value / scale,
        value % scale,
        digits = digits
    )
}

/// `8550` EUR → `85.50 EUR`.
pub fn with_code(minor: i64, currency: &str) -> String {
    format!("{} {currency}", decimal(minor, currency))
}

/// Major units as a number, for spreadsheets and JSON (exact for any amount below 2^53 minor
/// units, which is far beyond any invoice).
pub fn major(minor: i64, currency: &str) -> f64 {
    minor as f64 / scale(currency) as f64
}

/// An amount typed by a person (`85`, `85.5`, `85,50`) in minor units of `currency`; more
/// decimals than the currency has are refused rather than rounded.
pub fn parse(raw: &str, currency: &str) -> Result<i64, String> {
    let text = raw.trim().replace(',', ".");
    let digits = minor_digits(currency) as usize;
    let example = if digits == 0 {
        "85".to_string()
    } else {
        format!("85 or 85.5{}", "0".repeat(digits - 1))
    };
    let bad = || format!("'{}' is not an amount like {example}", raw.trim());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > digits {
        return Err(bad());
    }
    let fraction: i64 = if digits == 0 {
        0
    } else {
        format!("{fraction:0<digits$}").parse().map_err(|_| bad())?
    };
    whole
        .parse::<i64>()
        .ok()
        .and_then(|w| w.checked_mul(scale(currency)))
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(|| "is implausibly large".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_currency_has_its_own_decimals() {
        assert_eq!(with_code(8550, "EUR"), "85.50 EUR");
        assert_eq!(with_code(-105, "EUR"), "-1.05 EUR");
        assert_eq!(with_code(5000, "JPY"), "5000 JPY");
        assert_eq!(with_code(12345, "KWD"), "12.345 KWD");
        assert_eq!(major(8550, "EUR"), 85.5);
        assert_eq!(major(5000, "JPY"), 5000.0);
    }

    #[test]
    fn amounts_parse_in_the_usual_spellings_and_refuse_extra_decimals() {
        assert_eq!(parse("85", "EUR"), Ok(8500));
        assert_eq!(parse("85,5", "EUR"), Ok(8550));
        assert_eq!(parse(" 85.50 ", "EUR"), Ok(8550));
        assert_eq!(parse("5000", "JPY"), Ok(5000));
        assert!(parse("50.5", "JPY").unwrap_err().contains("like 85"));
        assert!(parse("85.505", "EUR").is_err());
        assert!(parse("-3", "EUR").is_err());
        assert!(parse("99999999999999999999", "EUR").is_err());
    }
}
