//! ISO 3166-1 alpha-2 country codes, as the wire carries them (`"DE"`).
//!
//! This module checks only the form (two ASCII letters). Whether a country has a telephone numbering plan
//! is the phone module's business, which knows the metadata.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A country, by its ISO 3166-1 alpha-2 code in upper case (`DE`, `JP`, `BR`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country([u8; 2]);

/// Why a string is not a country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a country code: expected two letters, as in ISO 3166-1 alpha-2 (`DE`)")]
pub struct CountryError(pub String);

impl Country {
    /// Reads a two-letter code, in either case.
    pub fn parse(raw: &str) -> Result<Self, CountryError> {
        match raw.trim().as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(CountryError(raw.to_owned())),
        }
    }

    /// The code in upper case.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters, checked in `parse`.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Country {
    type Error = CountryError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Country> for String {
    fn from(value: Country) -> Self {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_read_in_either_case_and_junk_is_refused() {
        let cases: &[(&str, Option<&str>)] = &[
            ("DE", Some("DE")),
            ("jp", Some("JP")),
            (" br ", Some("BR")),
            ("", None),
            ("D", None),
            ("DEU", None),
            ("4", None),
            ("D1", None),
            ("ÄÖ", None),
        ];
        for (raw, expected) in cases {
            let got = Country::parse(raw).ok();
            assert_eq!(got.as_ref().map(Country::as_str), *expected, "input {raw:?}");
        }
    }

    #[test]
    fn country_travels_as_a_plain_string() {
        let country: Country = serde_json::from_str("\"fr\"").unwrap();
        assert_eq!(serde_json::to_string(&country).unwrap(), "\"FR\"");
        assert!(serde_json::from_str::<Country>("\"France\"").is_err());
    }
}
