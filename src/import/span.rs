//! When an entry happened: its start and end from the row's date, time and duration cells, read
//! in the import's time zone (DST-correct), with the rules for entries past midnight and for
//! sources that give only a day. May import `row`, `dates`, `times`, `numbers` and
//! `crate::domain::entries`.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::dates::parse_date;
use super::field::Field;
use super::numbers::{parse_duration, parse_integer};
use super::row::RowReader;
use super::times::{Stamp, parse_stamp, resolve};
use crate::domain::entries::check_instant;

/// Where an entry starts when the source gives only its day (Harvest): 09:00 local time.
pub const DEFAULT_START: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(time) => time,
    None => panic!("09:00 is a valid time"),
};

/// The entry's start: where it came from decides how its end is found.
pub(super) struct Start {
    pub(super) instant: DateTime<Utc>,
    /// Wall-clock start in the import's time zone.
    pub(super) local: NaiveDateTime,
    /// The source gave only a day; the start is [`DEFAULT_START`].
    pub(super) assumed: bool,
}

impl RowReader<'_> {
    pub(super) fn start(&mut self) -> Option<Start> {
        let order = self.ctx.date_order;
        let day = self.day()?;
        let stamp = match self.cell(Field::Start) {
            Some(_) => Some(self.parsed(Field::Start, |c| parse_stamp(c, order))?),
            None => None,
        };
        let (local, assumed) = match (stamp, day) {
            (Some(Stamp::Instant(instant)), _) => {
                let instant = instant.with_timezone(&Utc);
                let local = instant.with_timezone(&self.ctx.time_zone).naive_local();
                return self.checked(Field::Start, instant).map(|instant| Start {
                    instant,
                    local,
                    assumed: false,
                });
            }
            (Some(Stamp::Local(local)), _) => (local, false),
            (Some(Stamp::Time(time)), Some(day)) => (day.and_time(time), false),
            (Some(Stamp::Date(day)), _) | (None, Some(day)) => (day.and_time(DEFAULT_START), true),
            (Some(Stamp::Time(_)), None) => {
                let value = self.cell(Field::Start);
                self.error(
                    Some(Field::Start),
                    value,
                    "is a time of day but the row has no date".into(),
                );
                return None;
            }
            (None, None) => {
                self.error(None, None, "has no start date or time".into());
                return None;
            }
        };
        let instant = self.resolve(Field::Start, local)?;
        Some(Start {
            instant,
            local,
            assumed,
        })
    }

    /// The row's day from `StartDate`, else `Date`.
    fn day(&mut self) -> Option<Option<NaiveDate>> {
        let order = self.ctx.date_order;
        for field in [Field::StartDate, Field::Date] {
            if self.cell(field).is_some() {
                return self.parsed(field, |c| parse_date(c, order)).map(Some);
            }
        }
        Some(None)
    }

    pub(super) fn end(&mut self, start: &Start) -> Option<DateTime<Utc>> {
        let order = self.ctx.date_order;
        let stamp = match self.cell(Field::End) {
            Some(_) => Some(self.parsed(Field::End, |c| parse_stamp(c, order))?),
            None => None,
        };
        let end = match stamp {
            Some(Stamp::Instant(instant)) => {
                self.checked(Field::End, instant.with_timezone(&Utc))?
            }
            Some(Stamp::Local(local)) => self.resolve(Field::End, after_start(local, start))?,
            Some(Stamp::Time(time)) => {
                let day = match self.cell(Field::EndDate) {
                    Some(_) => self.parsed(Field::EndDate, |c| parse_date(c, order))?,
                    None => start.local.date(),
                };
                self.resolve(Field::End, after_start(day.and_time(time), start))?
            }
            Some(Stamp::Date(_)) => {
                let value = self.cell(Field::End);
                self.error(Some(Field::End), value, "is a date without a time".into());
                return None;
            }
            None => {
                let seconds = self.duration()?;
                self.checked(Field::End, start.instant + Duration::seconds(seconds))?
            }
        };
        if end <= start.instant {
            let field = [Field::End, Field::DurationSeconds, Field::Duration]
                .into_iter()
                .find(|f| self.cell(*f).is_some())
                .unwrap_or(Field::End);
            let value = self.cell(field);
            let message = if end == start.instant {
                "makes the entry 0 seconds long; an entry must end after it starts".to_string()
            } else {
                format!(
                    "is before the start ({} UTC)",
                    start.instant.format("%Y-%m-%d %H:%M:%S")
                )
            };
            self.error(Some(field), value, message);
            return None;
        }
        Some(end)
    }

    /// Seconds from `DurationSeconds`, else `Duration`, for rows without an end.
    fn duration(&mut self) -> Option<i64> {
        if self.cell(Field::DurationSeconds).is_some() {
            return self.parsed(Field::DurationSeconds, |cell| {
                parse_integer(cell).and_then(|s| {
                    if s < 0 {
                        Err(format!("“{cell}” is negative"))
                    } else {
                        Ok(s)
                    }
                })
            });
        }
        if self.cell(Field::Duration).is_some() {
            return self.parsed(Field::Duration, parse_duration);
        }
        self.error(None, None, "has neither an end nor a duration".into());
        None
    }

    /// Reads a wall-clock time in the import's time zone, warning when it happened twice.
    fn resolve(&mut self, field: Field, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let tz = self.ctx.time_zone;
        let value = self.cell(field);
        match resolve(local, tz) {
            Ok(resolved) => {
                if let Some(other) = resolved.other_offset {
                    self.warn(
                        Some(field),
                        value,
                        format!(
                            "{} happens twice in {} (the clocks go back); read as the first, at {} rather than {}",
                            local.format("%Y-%m-%d %H:%M:%S"),
                            tz.name(),
                            resolved.offset,
                            other
                        ),
                    );
                }
                self.checked(field, resolved.instant)
            }
            Err(message) => {
                self.error(Some(field), value, message);
                None
            }
        }
    }

    /// The instant, if it falls in the years GoGoTime accepts.
    fn checked(&mut self, field: Field, instant: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match check_instant(instant) {
            Ok(instant) => Some(instant),
            Err(message) => {
                let value = self.cell(field);
                self.error(Some(field), value, message);
                None
            }
        }
    }
}

/// An end earlier than the start on the same day is on the next day (an entry past midnight).
fn after_start(end: NaiveDateTime, start: &Start) -> NaiveDateTime {
    if end < start.local && end.date() == start.local.date() {
        end + Duration::days(1)
    } else {
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_start_is_nine_in_the_morning() {
        assert_eq!(DEFAULT_START.to_string(), "09:00:00");
    }
}
