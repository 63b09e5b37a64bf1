//! Timestamps on the wire: RFC 3339, as the relay writes them (`2026-11-22T09:30:00.123Z`).
//!
//! Writing is jiff's own (`Timestamp`'s `Display`). Reading takes RFC 3339 only, not the whole Temporal grammar
//! jiff's `Deserialize` accepts (time zone annotations, basic format, extended years…): the relay never writes
//! those, and leaving their parser out keeps the widget's WebAssembly module small. Use it on a field with
//! `#[serde(with = "rfc3339")]`, or `#[serde(default, with = "rfc3339::option")]` on an `Option<Timestamp>`.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not an RFC 3339 timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("expected an RFC 3339 timestamp such as 2026-11-22T09:30:00Z")]
pub struct NotRfc3339;

/// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t` or a space may stand for `T`, `z` for `Z`). A leap
/// second (`:60`) reads as `:59`, as jiff reads it.
pub fn parse(text: &str) -> Result<Timestamp, NotRfc3339> {
    let mut text = Cursor(text.as_bytes());
    let year = text.number_then(4, b"-")?;
    let month = text.number_then(2, b"-")?;
    let day = text.number_then(2, b"Tt ")?;
    let hour = text.number_then(2, b":")?;
    let minute = text.number_then(2, b":")?;
    let second = match text.number(2)? {
        60 => 59,
        second => second,
    };
    let nanosecond = if text.skip(b".").is_ok() { text.fraction()? } else { 0 };
    let offset = text.offset()?;
    text.end()?;

    let civil = DateTime::new(year as i16, month as i8, day as i8, hour as i8, minute as i8, second as i8, nanosecond)
        .map_err(|_| NotRfc3339)?;
    Offset::from_seconds(offset).and_then(|offset| offset.to_timestamp(civil)).map_err(|_| NotRfc3339)
}

/// The unread rest of a timestamp.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    /// The next byte, if it is one of `any`.
    fn skip(&mut self, any: &[u8]) -> Result<u8, NotRfc3339> {
        match self.0.split_first() {
            Some((&byte, rest)) if any.contains(&byte) => {
                self.0 = rest;
                Ok(byte)
            }
            _ => Err(NotRfc3339),
        }
    }

    /// Exactly `digits` decimal digits.
    fn number(&mut self, digits: usize) -> Result<i32, NotRfc3339> {
        (0..digits).try_fold(0, |number, _| Ok(number * 10 + i32::from(self.skip(b"0123456789")? - b'0')))
    }

    /// Exactly `digits` decimal digits, then one of `then`.
    fn number_then(&mut self, digits: usize, then: &[u8]) -> Result<i32, NotRfc3339> {
        let number = self.number(digits)?;
        self.skip(then)?;
        Ok(number)
    }

    /// A fraction of a second of one to nine digits, in nanoseconds.
    fn fraction(&mut self) -> Result<i32, NotRfc3339> {
        let digits = self.0.iter().take_while(|byte| byte.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return Err(NotRfc3339);
        }
        Ok(self.number(digits)? * 10_i32.pow(9 - digits as u32))
    }

    /// `Z`, or `+HH:MM` / `-HH:MM`, in seconds east of UTC.
    fn offset(&mut self) -> Result<i32, NotRfc3339> {
        let sign = match self.skip(b"Zz+-")? {
            b'+' => 1,
            b'-' => -1,
            _ => return Ok(0),
        };
        let (hours, minutes) = (self.number_then(2, b":")?, self.number(2)?);
        if hours > 23 || minutes > 59 {
            return Err(NotRfc3339);
        }
        Ok(sign * (hours * 3600 + minutes * 60))
    }

    /// Nothing left.
    fn end(&self) -> Result<(), NotRfc3339> {
        if self.0.is_empty() { Ok(()) } else { Err(NotRfc3339) }
    }
}

/// Writes a timestamp as jiff does: RFC 3339 in UTC.
pub fn serialize<S: Serializer>(timestamp: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
    timestamp.serialize(serializer)
}

/// Reads a timestamp with [`parse`].
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
    parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
}

/// The same for an optional timestamp, `null` when absent.
pub mod option {
    use super::*;

    /// Writes a timestamp as jiff does, or `null`.
    pub fn serialize<S: Serializer>(timestamp: &Option<Timestamp>, serializer: S) -> Result<S::Ok, S::Error> {
        timestamp.serialize(serializer)
    }

    /// Reads a timestamp with [`parse`], or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| parse(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn reads_what_jiff_reads_in_rfc_3339() {
        for text in [
            "2026-11-22T09:30:00Z",
            "2026-11-22T09:30:00.1Z",
            "2026-11-22T09:30:00.123Z",
            "2026-11-22T09:30:00.123456789Z",
            "2026-11-22t09:30:00z",
            "2026-11-22 09:30:00Z",
            "2026-11-22T09:30:00+05:30",
            "2026-11-22T09:30:00-08:00",
            "2026-11-22T00:30:00+01:00",
            "2024-02-29T23:59:60Z",
            "0001-01-01T00:00:00Z",
            "9999-12-30T21:59:59.999999999Z",
        ] {
            assert_eq!(parse(text), Ok(text.parse::<Timestamp>().unwrap()), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_rfc_3339() {
        for text in [
            "",
            "2026-11-22",
            "2026-11-22T09:30Z",
            "2026-11-22T09:30:00",
            "2026-11-22T09:30:00.Z",
            "2026-11-22T09:30:00.1234567890Z",
            "2026-11-22T09:30:00Z[Europe/Paris]",
            "2026-11-22T09:30:00+0530",
            "2026-11-22T09:30:00+24:00",
            "2026-11-22T09:30:00Zx",
            "20261122T093000Z",
            "+002026-11-22T09:30:00Z",
            "2026-02-29T09:30:00Z",
            "2026-13-01T09:30:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T09:61:00Z",
            "2026-11-22T09:30:61Z",
            "2026-11-22T09:30:00,5Z",
        ] {
            assert_eq!(parse(text), Err(NotRfc3339), "{text}");
        }
    }

    #[test]
    fn serde_reads_and_writes_the_same_json_as_jiff() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Both {
            #[serde(with = "super")]
            at: Timestamp,
            #[serde(default, with = "super::option")]
            maybe: Option<Timestamp>,
        }
        let at: Timestamp = "2026-11-22T09:30:00.12Z".parse().unwrap();
        let both = Both { at, maybe: None };
        let json = serde_json::to_value(&both).unwrap();
        assert_eq!(json, serde_json::json!({"at": "2026-11-22T09:30:00.12Z", "maybe": null}));
        assert_eq!(serde_json::from_value::<Both>(json).unwrap(), both);
        let later = serde_json::json!({"at": "2026-11-22T09:30:00Z", "maybe": "2026-11-23T09:30:00Z"});
        assert_eq!(serde_json::from_value::<Both>(later).unwrap().maybe, Some("2026-11-23T09:30:00Z".parse().unwrap()));
        let absent: Both = serde_json::from_value(serde_json::json!({"at": "2026-11-22T09:30:00Z"})).unwrap();
        assert_eq!(absent.maybe, None);
        assert!(serde_json::from_value::<Both>(serde_json::json!({"at": "2026-11-22T09:30:00Z[UTC]"})).is_err());
    }

    proptest! {
        #[test]
        fn reads_back_every_timestamp_jiff_writes(
            second in -62_135_596_800_i64..253_402_207_200,
            nanosecond in 0..1_000_000_000_i32,
        ) {
            let timestamp = Timestamp::new(second, nanosecond).unwrap();
            prop_assert_eq!(parse(&timestamp.to_string()), Ok(timestamp));
        }
    }
}
