//! Instants in SQLite are integer microseconds since the Unix epoch: they sort and compare
//! correctly, unlike free-form text. PostgreSQL uses `timestamptz` natively.

use chrono::{DateTime, Utc};

pub fn to_sqlite(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_micros()
}

pub fn from_sqlite(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_through_microseconds() {
        let now = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        assert_eq!(from_sqlite(to_sqlite(now)), now);
    }
}
