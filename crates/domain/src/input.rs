//! Cleaning up phone numbers as people type them, before any numbering plan is consulted.
//!
//! CRMs store numbers the way users typed them: full-width digits from Japanese input methods, `tel:` links,
//! `00` instead of `+`, dots, dashes, brackets and extensions. This module turns such text into ASCII digits
//! with an optional leading `+`, and says what it found. It knows nothing of countries.

/// What a stored phone number looks like once cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanNumber {
    /// ASCII digits, with a leading `+` when the number carried an international prefix (`+`, `00`).
    pub number: String,
    /// The extension's digits, if the text carried one (`ext. 12`, `x12`, `;ext=12`, `#12`).
    pub extension: Option<String>,
}

impl CleanNumber {
    /// Whether the number carried a country code (a `+` or `00` in front).
    pub fn has_country_code(&self) -> bool {
        self.number.starts_with('+')
    }

    /// The digits alone.
    pub fn digits(&self) -> &str {
        self.number.trim_start_matches('+')
    }
}

/// Why a text cannot be a phone number, before looking at any numbering plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Nothing but blanks.
    #[error("the number is empty")]
    Empty,
    /// Letters where digits belong (`call me`, `1-800-FLOWERS`).
    #[error("a phone number cannot contain letters (found `{0}`)")]
    Letters(char),
    /// A character that has no place in a phone number.
    #[error("`{0}` has no place in a phone number")]
    UnexpectedCharacter(char),
    /// A `+` anywhere but in front.
    #[error("`+` may only stand in front of the number")]
    MisplacedPlus,
    /// Separators but no digits.
    #[error("the number has no digits")]
    NoDigits,
}

/// Maps the full-width and look-alike characters Japanese (and other) input methods produce to ASCII.
fn to_ascii(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        '＋' => '+',
        '（' => '(',
        '）' => ')',
        '．' | '。' => '.',
        '／' => '/',
        '＃' => '#',
        '；' => ';',
        '＝' => '=',
        // Dashes: full-width hyphen-minus, Unicode hyphens and dashes, minus sign, the katakana long vowel mark
        // that Japanese users often type as a dash.
        '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' => '-',
        'Ａ'..='Ｚ' => char::from(b'A' + (c as u32 - 'Ａ' as u32) as u8),
        'ａ'..='ｚ' => char::from(b'a' + (c as u32 - 'ａ' as u32) as u8),
        c if c.is_whitespace() => ' ',
        c => c,
    }
}

/// Where an extension starts, and where its digits start: `ext. 12`, `extension 12`, `x12`, `;ext=12`, `#12`.
fn split_extension(text: &str) -> (&str, Option<&str>) {
    let lower = text.to_ascii_lowercase();
    for marker in [";ext=", "extension", "ext.", "ext", "x", "#"] {
        if let Some(at) = lower.rfind(marker) {
            let rest = text[at + marker.len()..].trim();
            if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
                return (&text[..at], Some(rest));
            }
        }
    }
    (text, None)
}

/// Cleans what a CRM stored into digits with an optional leading `+`.
pub fn clean(raw: &str) -> Result<CleanNumber, InputError> {
    let ascii: String = raw.chars().map(to_ascii).collect();
    let trimmed = ascii.trim();
    if trimmed.is_empty() {
        return Err(InputError::Empty);
    }
    let without_scheme =
        trimmed.get(..4).filter(|scheme| scheme.eq_ignore_ascii_case("tel:")).map_or(trimmed, |_| &trimmed[4..]);
    let (body, extension) = split_extension(without_scheme);

    let mut number = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '0'..='9' => number.push(c),
            '+' if number.is_empty() => number.push('+'),
            '+' => return Err(InputError::MisplacedPlus),
            ' ' | '-' | '.' | '/' | '(' | ')' => {}
            c if c.is_alphabetic() => return Err(InputError::Letters(c)),
            c => return Err(InputError::UnexpectedCharacter(c)),
        }
    }
    if number.trim_start_matches('+').is_empty() {
        return Err(InputError::NoDigits);
    }
    // `00` is the international prefix nearly everywhere people write it: `0049…` means `+49…`.
    if let Some(rest) = number.strip_prefix("00").filter(|rest| !rest.starts_with('0') && !rest.is_empty()) {
        number = format!("+{rest}");
    }
    Ok(CleanNumber { number, extension: extension.map(str::to_owned) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cleaned(raw: &str) -> Result<(String, Option<String>), InputError> {
        clean(raw).map(|c| (c.number, c.extension))
    }

    #[test]
    fn what_crms_store_is_cleaned_to_digits() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("+49 89 636 48018", "+498963648018", None),
            ("0049 89 63648018", "+498963648018", None),
            ("(089) 636-48018", "08963648018", None),
            ("tel:+1-520-878-2491", "+15208782491", None),
            ("TEL:+1-520-878-2491", "+15208782491", None),
            ("+33.1.42.68.53.00", "+33142685300", None),
            ("＋８１　９０－１２３４－５６７８", "+819012345678", None),
            ("０９０ー１２３４ー５６７８", "09012345678", None),
            ("+49 89 636 48018 ext. 12", "+498963648018", Some("12")),
            ("+49 89 636 48018 x12", "+498963648018", Some("12")),
            ("+49 89 636 48018 extension 7", "+498963648018", Some("7")),
            ("tel:+1-520-878-2491;ext=3", "+15208782491", Some("3")),
            ("+1 520 878 2491 #44", "+15208782491", Some("44")),
            ("030/1234567", "0301234567", None),
            ("\u{a0}+55 11 91234-5678\u{a0}", "+5511912345678", None),
        ];
        for (raw, number, extension) in cases {
            assert_eq!(cleaned(raw), Ok(((*number).to_owned(), extension.map(str::to_owned))), "input {raw:?}");
        }
    }

    #[test]
    fn what_is_not_a_number_says_why() {
        let cases: &[(&str, InputError)] = &[
            ("", InputError::Empty),
            ("   ", InputError::Empty),
            ("call me", InputError::Letters('c')),
            ("1-800-FLOWERS", InputError::Letters('F')),
            ("+49 89 abc", InputError::Letters('a')),
            ("49+89", InputError::MisplacedPlus),
            ("---", InputError::NoDigits),
            ("+", InputError::NoDigits),
            ("+49 89 * 1", InputError::UnexpectedCharacter('*')),
        ];
        for (raw, error) in cases {
            assert_eq!(cleaned(raw), Err(error.clone()), "input {raw:?}");
        }
    }

    #[test]
    fn country_code_is_seen_only_with_an_international_prefix() {
        assert!(clean("+49 89 636 48018").unwrap().has_country_code());
        assert!(clean("0049 89 636 48018").unwrap().has_country_code());
        assert!(!clean("089 636 48018").unwrap().has_country_code());
        assert!(!clean("498963648018").unwrap().has_country_code());
    }

    proptest! {
        #[test]
        fn cleaning_never_panics(raw in ".{0,40}") {
            let _ = clean(&raw);
        }

        #[test]
        fn separators_and_width_do_not_change_the_digits(
            digits in "[1-9][0-9]{7,13}",
            seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just("."), Just("／")], 14),
            full_width in any::<bool>(),
        ) {
            let mut text = String::from("+");
            for (i, d) in digits.chars().enumerate() {
                let d = if full_width { char::from_u32('０' as u32 + d.to_digit(10).unwrap()).unwrap() } else { d };
                text.push(d);
                text.push_str(seps[i % seps.len()]);
            }
            let clean = clean(&text).unwrap();
            prop_assert_eq!(clean.number, format!("+{digits}"));
        }
    }
}
