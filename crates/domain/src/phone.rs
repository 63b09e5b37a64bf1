//! Phone numbers checked against the world's numbering plans (libphonenumber's metadata, through the
//! `phonenumber` crate): what the relay uses to turn what a CRM stores into E.164.
//!
//! No default region is ever assumed: a number without a country code needs one from the caller (the user's
//! choice, suggested from the sender number's country, seed 003).

use phonenumber::{Mode, PhoneNumber, Type, country::Id, metadata::DATABASE};

use crate::country::Country;
use crate::e164::E164;
use crate::input::{InputError, clean};

/// A phone number that parsed and is valid in its numbering plan.
#[derive(Debug, Clone)]
pub struct Phone {
    number: PhoneNumber,
    e164: E164,
    extension: Option<String>,
}

/// Why a stored text is not a phone number Sidechat can send to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// The text is not a number at all (empty, letters, stray characters).
    #[error(transparent)]
    Input(#[from] InputError),
    /// A national number (`089 636 48018`) and no country to read it in.
    #[error("the number has no country code: choose the country it belongs to")]
    MissingCountryCode,
    /// The country code after `+` belongs to no numbering plan.
    #[error("no country uses the calling code in `{0}`")]
    UnknownCountryCode(String),
    /// The country the caller chose has no numbering plan.
    #[error("`{0}` is not a country with a telephone numbering plan")]
    UnknownCountry(Country),
    /// Fewer digits than any number of its country has.
    #[error("the number is too short for its country")]
    TooShort,
    /// More digits than any number of its country has.
    #[error("the number is too long for its country")]
    TooLong,
    /// The right length, but no number of its country looks like this.
    #[error("the number is not a valid number in its country")]
    Invalid,
}

impl Phone {
    /// Parses what a CRM stored, reading a number without a country code in `country`.
    pub fn parse(raw: &str, country: Option<Country>) -> Result<Self, PhoneError> {
        let clean = clean(raw)?;
        let region = country.map(region_of).transpose()?;
        if !clean.has_country_code() && region.is_none() {
            return Err(PhoneError::MissingCountryCode);
        }
        let number = phonenumber::parse(region, &clean.number).map_err(|e| match e {
            phonenumber::ParseError::InvalidCountryCode => PhoneError::UnknownCountryCode(clean.number.clone()),
            phonenumber::ParseError::TooLong => PhoneError::TooLong,
            _ => PhoneError::TooShort,
        })?;
        check_length(&number)?;
        if !number.is_valid() {
            return Err(PhoneError::Invalid);
        }
        let e164 = E164::parse(&number.format().mode(Mode::E164).to_string()).map_err(|_| PhoneError::Invalid)?;
        Ok(Self { number, e164, extension: clean.extension })
    }

    /// The number in E.164 form.
    pub fn e164(&self) -> &E164 {
        &self.e164
    }

    /// The number formatted for people, internationally (`+49 89 63648018`).
    pub fn international(&self) -> String {
        self.number.format().mode(Mode::International).to_string()
    }

    /// WhatsApp's id for the number: its digits without `+`.
    pub fn wa_id(&self) -> &str {
        self.e164.wa_id()
    }

    /// The extension the text carried, which WhatsApp ignores.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// The country the number belongs to; `None` for non-geographic numbers.
    pub fn country(&self) -> Option<Country> {
        self.number.country().id().and_then(|id| Country::parse(id.as_ref()).ok())
    }
}

/// Whether a stored number carries its country code (`+` or `00` in front). Junk carries none.
pub fn has_country_code(raw: &str) -> bool {
    clean(raw).is_ok_and(|c| c.has_country_code())
}

/// The country to suggest for a stored number without a country code: the sender number's (seed 003).
pub fn suggest_country(sender: &E164) -> Option<Country> {
    Phone::parse(sender.as_str(), None).ok()?.country()
}

/// The calling code of a country (`DE` → 49), if it has a numbering plan.
pub fn calling_code(country: Country) -> Option<u16> {
    region_of(country).ok().and_then(|id| DATABASE.by_id(id.as_ref()).map(|meta| meta.country_code()))
}

fn region_of(country: Country) -> Result<Id, PhoneError> {
    country
        .as_str()
        .parse::<Id>()
        .ok()
        .filter(|id| DATABASE.by_id(id.as_ref()).is_some())
        .ok_or(PhoneError::UnknownCountry(country))
}

/// The kinds of number whose lengths bound what a country's numbers may be.
const NUMBER_TYPES: [Type; 10] = [
    Type::FixedLine,
    Type::Mobile,
    Type::TollFree,
    Type::PremiumRate,
    Type::SharedCost,
    Type::PersonalNumber,
    Type::Voip,
    Type::Pager,
    Type::Uan,
    Type::Voicemail,
];

/// Tells a number that is too short or too long from one that is merely invalid, from the lengths its
/// numbering plan allows.
fn check_length(number: &PhoneNumber) -> Result<(), PhoneError> {
    let national = number.national();
    let length = national.value().to_string().len() + usize::from(national.zeros());
    let Some(plans) = DATABASE.by_code(&number.code().value()) else {
        return Err(PhoneError::UnknownCountryCode(format!("+{}", number.code().value())));
    };
    let lengths: Vec<u16> = plans
        .iter()
        .flat_map(|meta| NUMBER_TYPES.iter().filter_map(|kind| meta.descriptors().get(*kind)))
        .flat_map(|descriptor| descriptor.possible_length().iter().copied())
        .collect();
    let (Some(&min), Some(&max)) = (lengths.iter().min(), lengths.iter().max()) else {
        return Ok(());
    };
    if length < usize::from(min) {
        Err(PhoneError::TooShort)
    } else if length > usize::from(max) {
        Err(PhoneError::TooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
