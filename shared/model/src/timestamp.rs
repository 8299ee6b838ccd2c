use std::fmt;
use std::str::FromStr;

use serde_with::{DeserializeFromStr, SerializeDisplay};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset};

/// A UTC instant with one-second precision.
///
/// Stored and served as RFC 3339 with a `Z` offset and no fraction (`2019-08-24T14:15:22Z`,
/// its `Display` and `Serialize`); [`Timestamp::date_time_utc`] is the `YYYY-MM-DD HH:MM:SS`
/// form of `GET /users/me`. Parsing accepts any RFC 3339 offset and fraction, converts to UTC
/// and drops the fraction, so items written by other tools still read back. Both forms are
/// printed by `time` from a format description; a failure to print is an error of the
/// formatter (so of the serialiser), never an empty string.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, SerializeDisplay, DeserializeFromStr,
)]
pub struct Timestamp(OffsetDateTime);

/// A string that is not an RFC 3339 date-time (the error never quotes it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 date-time")]
pub struct TimestampError;

const RFC3339_SECONDS: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
const DATE_TIME_UTC: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// The earliest and the latest instant RFC 3339 can print: 0000-01-01T00:00:00Z and
/// 9999-12-31T23:59:59Z.
const UNIX_RANGE: std::ops::RangeInclusive<i64> = -62_167_219_200..=253_402_300_799;

impl Timestamp {
    /// The current time, truncated to the second.
    pub fn now() -> Self {
        Self::from_unix_seconds(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// The instant `seconds` after the Unix epoch, clamped to years 0000 to 9999.
    pub fn from_unix_seconds(seconds: i64) -> Self {
        let seconds = seconds.clamp(*UNIX_RANGE.start(), *UNIX_RANGE.end());
        Self(OffsetDateTime::UNIX_EPOCH.saturating_add(Duration::seconds(seconds)))
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// This instant moved by `seconds` (negative: earlier).
    pub fn plus_seconds(&self, seconds: i64) -> Self {
        Self::from_unix_seconds(self.unix_seconds().saturating_add(seconds))
    }

    /// Parses any RFC 3339 date-time, converting it to UTC and dropping a fraction.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let parsed = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| TimestampError)?;
        // An offset can move an instant of year 0000 or 9999 out of `time`'s range, where
        // `to_offset` would panic.
        let utc = parsed
            .checked_to_offset(UtcOffset::UTC)
            .ok_or(TimestampError)?;
        Ok(Self(utc.replace_nanosecond(0).map_err(|_| TimestampError)?))
    }

    /// This instant as `GET /users/me` prints it: `2016-01-01 12:00:00` (UTC).
    pub fn date_time_utc(self) -> DateTimeUtc {
        DateTimeUtc(self)
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, format: &[BorrowedFormatItem<'_>]) -> fmt::Result {
        f.write_str(&self.0.format(format).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, RFC3339_SECONDS)
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, TimestampError> {
        Self::parse(text)
    }
}

/// A [`Timestamp`] in `GET /users/me`'s form, `YYYY-MM-DD HH:MM:SS` (UTC), to print or
/// serialise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SerializeDisplay)]
pub struct DateTimeUtc(Timestamp);

impl fmt::Display for DateTimeUtc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f, DATE_TIME_UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_both_wire_formats() {
        let t = Timestamp::parse("2019-08-24T14:15:22Z").unwrap();
        assert_eq!(t.to_string(), "2019-08-24T14:15:22Z");
        assert_eq!(t.date_time_utc().to_string(), "2019-08-24 14:15:22");
        assert_eq!(
            serde_json::to_value(t.date_time_utc()).unwrap(),
            "2019-08-24 14:15:22"
        );
        assert_eq!(t.unix_seconds(), 1_566_656_122);
    }

    #[test]
    fn normalises_offsets_and_fractions_to_utc_seconds() {
        let t = Timestamp::parse("2019-08-24T16:15:22.987+02:00").unwrap();
        assert_eq!(t.to_string(), "2019-08-24T14:15:22Z");
        let before_year_zero = Timestamp::parse("0000-01-01T00:00:00+01:00").unwrap();
        assert_eq!(before_year_zero.to_string(), "-0001-12-31T23:00:00Z");
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for bad in [
            "",
            "2019-08-24",
            "2019-08-24 14:15:22",
            "yesterday",
            "2019-13-01T00:00:00Z",
            // Valid RFC 3339, but past year 9999 in UTC.
            "9999-12-31T23:30:00-01:00",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn clamps_out_of_range_seconds() {
        assert_eq!(
            Timestamp::from_unix_seconds(i64::MAX).to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            Timestamp::from_unix_seconds(i64::MIN).to_string(),
            "0000-01-01T00:00:00Z"
        );
    }

    #[test]
    fn round_trips_through_serde() {
        let t = Timestamp::from_unix_seconds(1_700_000_000);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2023-11-14T22:13:20Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }
}
