//! A phone number in E.164 form (`+498963648018`): the one form Sidechat stores, compares and sends.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A number in E.164 form: `+`, then 8 to 15 digits, the first not `0`.
///
/// This type checks the form only; [`crate::phone::Phone::parse`] is what turns what a CRM stores into one,
/// checked against the numbering plans.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct E164(String);

/// Why a string is not in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an international number in E.164 form (`+` and 8 to 15 digits)")]
pub struct E164Error(pub String);

/// The fewest digits an E.164 number has here (country code included). Shorter numbers exist only in
/// a few small numbering plans and are never WhatsApp accounts.
pub const MIN_DIGITS: usize = 8;
/// The most digits E.164 allows.
pub const MAX_DIGITS: usize = 15;

impl E164 {
    /// Accepts only the canonical form: `+` followed by digits, nothing else.
    pub fn parse(raw: &str) -> Result<Self, E164Error> {
        let digits = raw.strip_prefix('+').ok_or_else(|| E164Error(raw.to_owned()))?;
        let well_formed = (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if well_formed { Ok(Self(raw.to_owned())) } else { Err(E164Error(raw.to_owned())) }
    }

    /// `+498963648018`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without `+` (`498963648018`): WhatsApp's `wa_id`, and what the matching rule compares.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// The WhatsApp id of this number: its digits without `+`.
    pub fn wa_id(&self) -> &str {
        self.digits()
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for E164 {
    type Error = E164Error;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<E164> for String {
    fn from(value: E164) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_the_canonical_form_is_accepted() {
        let cases: &[(&str, bool)] = &[
            ("+498963648018", true),
            ("+15208782491", true),
            ("+123456789012345", true),
            ("+1234567", false),
            ("+1234567890123456", false),
            ("498963648018", false),
            ("+49 89 63648018", false),
            ("+049896364801", false),
            ("", false),
            ("+", false),
        ];
        for (raw, ok) in cases {
            assert_eq!(E164::parse(raw).is_ok(), *ok, "input {raw:?}");
        }
    }

    #[test]
    fn wa_id_is_the_digits_without_plus() {
        let number = E164::parse("+498963648018").unwrap();
        assert_eq!(number.wa_id(), "498963648018");
        assert_eq!(serde_json::to_string(&number).unwrap(), "\"+498963648018\"");
        assert!(serde_json::from_str::<E164>("\"0049 89\"").is_err());
    }

    proptest! {
        #[test]
        fn wa_id_round_trips(digits in "[1-9][0-9]{7,14}") {
            let number = E164::parse(&format!("+{digits}")).unwrap();
            prop_assert_eq!(number.wa_id(), digits.as_str());
            prop_assert_eq!(E164::parse(&format!("+{}", number.wa_id())).unwrap(), number);
        }
    }
}
