use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset};

/// A UTC instant with one-second precision.
///
/// Stored and served as RFC 3339 with a `Z` offset and no fraction (`2019-08-24T14:15:22Z`);
/// [`Timestamp::to_date_time_utc`] gives the `YYYY-MM-DD HH:MM:SS` form of `GET /users/me`. Parsing
/// accepts any RFC 3339 offset and fraction, converts to UTC and drops the fraction, so items
/// written by other tools still read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

/// A string that is not an RFC 3339 date-time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError(String);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an RFC 3339 date-time: {}", self.0)
    }
}

impl std::error::Error for TimestampError {}

const RFC3339_SECONDS: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
const DATE_TIME_UTC: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

impl Timestamp {
    /// The current time, truncated to the second.
    pub fn now() -> Self {
        Self::from_unix_seconds(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// The instant `seconds` after the Unix epoch; clamped to the range RFC 3339 can print
    /// (years 0000 to 9999).
    pub fn from_unix_seconds(seconds: i64) -> Self {
        const MIN: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
        const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
        let clamped = seconds.clamp(MIN, MAX);
        // The clamp keeps the value inside `time`'s range, so this cannot fail.
        Self(OffsetDateTime::from_unix_timestamp(clamped).unwrap_or(OffsetDateTime::UNIX_EPOCH))
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
        let parsed = OffsetDateTime::parse(text, &Rfc3339)
            .map_err(|_| TimestampError(text.chars().take(64).collect()))?;
        // An offset can move an instant of year 0000 or 9999 out of `time`'s range, where
        // `to_offset` would panic.
        let utc = parsed
            .checked_to_offset(UtcOffset::UTC)
            .ok_or_else(|| TimestampError(text.chars().take(64).collect()))?;
        Ok(Self(
            utc - Duration::nanoseconds(i64::from(utc.nanosecond())),
        ))
    }

    /// `2019-08-24T14:15:22Z`: the form of `GET /me` and of stored items.
    pub fn to_rfc3339(&self) -> String {
        match self.digits(b'T') {
            Some(digits) => digits.as_str().to_owned(),
            // Formatting a UTC instant with a fixed description cannot fail; an empty string
            // would only show a bug in this function.
            None => self.0.format(RFC3339_SECONDS).unwrap_or_default(),
        }
    }

    /// `2016-01-01 12:00:00` (UTC): the form of `GET /users/me` (`YYYY-MM-DD HH:MM:SS`).
    pub fn to_date_time_utc(&self) -> String {
        match self.digits(b' ') {
            Some(digits) => digits.date_time().to_owned(),
            None => self.0.format(DATE_TIME_UTC).unwrap_or_default(),
        }
    }

    /// `YYYY-MM-DD?HH:MM:SSZ` on the stack, `separator` between date and time: what the two
    /// format descriptions above print ([`Digits::date_time`] without the `Z`), without
    /// interpreting them or allocating on every rendered timestamp (a `GET /me` document
    /// holds a dozen). `None` for a year outside 0000-9999, which [`Timestamp::parse`] can
    /// produce from an offset at either end and the descriptions print with a sign.
    fn digits(&self, separator: u8) -> Option<Digits> {
        let year = u32::try_from(self.0.year()).ok().filter(|y| *y <= 9999)?;
        let (hour, minute, second) = self.0.to_hms();
        let mut out = *b"0000-00-00T00:00:00Z";
        out[10] = separator;
        for (at, width, value) in [
            (0, 4, year),
            (5, 2, u32::from(u8::from(self.0.month()))),
            (8, 2, u32::from(self.0.day())),
            (11, 2, u32::from(hour)),
            (14, 2, u32::from(minute)),
            (17, 2, u32::from(second)),
        ] {
            let mut rest = value;
            for slot in out[at..at + width].iter_mut().rev() {
                *slot = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
        }
        Some(Digits(out))
    }
}

/// The 20 ASCII bytes [`Timestamp::digits`] writes.
struct Digits([u8; 20]);

impl Digits {
    fn as_str(&self) -> &str {
        // Only ASCII digits, `-`, `:`, `Z` and the separator are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The date and time without the closing `Z`.
    fn date_time(&self) -> &str {
        self.as_str().get(..19).unwrap_or_default()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.digits(b'T') {
            Some(digits) => serializer.serialize_str(digits.as_str()),
            None => serializer.serialize_str(&self.to_rfc3339()),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_both_wire_formats() {
        let t = Timestamp::parse("2019-08-24T14:15:22Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2019-08-24T14:15:22Z");
        assert_eq!(t.to_date_time_utc(), "2019-08-24 14:15:22");
        assert_eq!(t.unix_seconds(), 1_566_656_122);
    }

    #[test]
    fn normalises_offsets_and_fractions_to_utc_seconds() {
        let t = Timestamp::parse("2019-08-24T16:15:22.987+02:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2019-08-24T14:15:22Z");
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
            Timestamp::from_unix_seconds(i64::MAX).to_rfc3339(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            Timestamp::from_unix_seconds(i64::MIN).to_rfc3339(),
            "0000-01-01T00:00:00Z"
        );
    }

    #[test]
    fn the_digits_print_what_the_format_descriptions_print() {
        // A day a week over years 0000-9999, at a time of day that moves with it, and the last
        // second of the range; then the signed year that only the descriptions print.
        const FIRST: i64 = -62_167_219_200;
        const LAST: i64 = 253_402_300_799;
        for seconds in (FIRST..=LAST).step_by(7 * 86_400 + 3_607).chain([LAST]) {
            let t = Timestamp::from_unix_seconds(seconds);
            assert_eq!(
                t.to_rfc3339(),
                t.0.format(RFC3339_SECONDS).unwrap(),
                "{seconds}"
            );
            assert_eq!(
                t.to_date_time_utc(),
                t.0.format(DATE_TIME_UTC).unwrap(),
                "{seconds}"
            );
            assert_eq!(
                serde_json::to_value(t).unwrap(),
                serde_json::Value::String(t.to_rfc3339())
            );
        }
        assert_eq!(
            Timestamp::from_unix_seconds(LAST).to_date_time_utc(),
            "9999-12-31 23:59:59"
        );
        let before_year_zero = Timestamp::parse("0000-01-01T00:00:00+01:00").unwrap();
        assert_eq!(before_year_zero.to_rfc3339(), "-0001-12-31T23:00:00Z");
        assert_eq!(
            serde_json::to_value(before_year_zero).unwrap(),
            "-0001-12-31T23:00:00Z"
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
