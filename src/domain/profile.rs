//! Profile settings: IANA time zone, first day of the week, display name, currency.

/// An IANA time zone name such as `Europe/Berlin`.
pub fn parse_time_zone(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    raw.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| {
            format!("'{raw}' is not an IANA time zone such as Europe/Berlin or America/New_York")
        })
}

/// 1 = Monday … 7 = Sunday (ISO 8601).
pub fn parse_week_start(day: i64) -> Result<i16, String> {
    match i16::try_from(day) {
        Ok(day @ 1..=7) => Ok(day),
        _ => Err(format!(
            "{day} is not a day of the week; use 1 (Monday) to 7 (Sunday)"
        )),
    }
}

/// The longest name, in characters after trimming.
pub const MAX_NAME_CHARS: usize = 200;

/// A display name: trimmed, 1 to 200 characters.
pub fn parse_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err("is required".into()),
        n if n > MAX_NAME_CHARS => Err(format!("must be at most {MAX_NAME_CHARS} characters")),
        _ if name.chars().any(char::is_control) => {
            Err("must not contain control characters".into())
        }
        _ => Ok(name.to_string()),
    }
}

/// Active ISO 4217 currency codes.
pub const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD \
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF \
IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU \
MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP \
SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

pub fn parse_currency(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && CURRENCIES.split_whitespace().any(|c| c == code) {
        Ok(code)
    } else {
        Err(format!(
            "'{}' is not an ISO 4217 currency code such as EUR or USD",
            raw.trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_values_are_checked() {
        assert_eq!(parse_time_zone("Europe/Berlin").unwrap(), "Europe/Berlin");
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert_eq!(parse_week_start(7), Ok(7));
        assert!(parse_week_start(0).is_err());
        assert_eq!(parse_currency("usd"), Ok("USD".into()));
        assert!(parse_currency("XYZ").is_err());
        assert!(parse_name("  ").is_err());
    }
}
