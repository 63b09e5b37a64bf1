//! Which stored CRM number a WhatsApp number belongs to (seed 003's rule).
//!
//! First an exact match on the full international number with `+`. Failing that, digits only: cut digits from
//! the left of the WhatsApp number and look for the rest at the end of each stored number's digits, longest
//! first. The shortest tail tried has [`MIN_SUFFIX_DIGITS`] digits: with fewer left there is too little to be
//! sure, and there is no match. The longest match wins; a tie goes to the first stored number in the
//! caller's order.

use crate::e164::E164;
use crate::input::clean;

/// The fewest digits a tail match may rest on.
pub const MIN_SUFFIX_DIGITS: usize = 8;

/// How a stored number matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// The stored number is the same international number.
    Exact,
    /// The last `digits` digits of the WhatsApp number end the stored number's digits.
    Suffix {
        /// How many digits matched.
        digits: usize,
    },
}

/// The stored number that matched, by its position in the caller's list, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneMatch {
    /// Index into the stored numbers as the caller passed them.
    pub index: usize,
    /// Exact, or on how many trailing digits.
    pub kind: MatchKind,
}

/// Finds the stored number (as the CRM keeps it, formatting and all) that `number` belongs to.
/// Stored values that are not numbers at all are skipped.
pub fn match_number<S: AsRef<str>>(number: &E164, stored: &[S]) -> Option<PhoneMatch> {
    let cleaned: Vec<Option<String>> = stored.iter().map(|raw| clean(raw.as_ref()).ok().map(|c| c.number)).collect();

    if let Some(index) = cleaned.iter().position(|c| c.as_deref() == Some(number.as_str())) {
        return Some(PhoneMatch { index, kind: MatchKind::Exact });
    }

    let digits = number.digits();
    (0..=digits.len().saturating_sub(MIN_SUFFIX_DIGITS)).find_map(|cut| {
        let tail = &digits[cut..];
        let index = cleaned
            .iter()
            .position(|c| c.as_deref().is_some_and(|stored| stored.trim_start_matches('+').ends_with(tail)))?;
        Some(PhoneMatch { index, kind: MatchKind::Suffix { digits: tail.len() } })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(raw: &str) -> E164 {
        E164::parse(raw).unwrap()
    }

    #[test]
    fn seed_003_rule_table() {
        let cases: &[(&str, &[&str], Option<PhoneMatch>)] = &[
            // exact on the full international number, whatever the formatting
            ("+498963648018", &["+49 89 636 48018"], Some(PhoneMatch { index: 0, kind: MatchKind::Exact })),
            ("+498963648018", &["0049 89 63648018"], Some(PhoneMatch { index: 0, kind: MatchKind::Exact })),
            // exact wins over an earlier tail match
            (
                "+498963648018",
                &["089 63648018", "+49 89 63648018"],
                Some(PhoneMatch { index: 1, kind: MatchKind::Exact }),
            ),
            // stored without country code: the national digits end the number
            (
                "+498963648018",
                &["(089) 636-48018"],
                Some(PhoneMatch { index: 0, kind: MatchKind::Suffix { digits: 10 } }),
            ),
            // stored digits without +: all digits match as a tail
            ("+498963648018", &["498963648018"], Some(PhoneMatch { index: 0, kind: MatchKind::Suffix { digits: 12 } })),
            // the longest tail wins over an earlier, shorter one
            (
                "+819012345678",
                &["+1 212 345 678", "090-1234-5678"],
                Some(PhoneMatch { index: 1, kind: MatchKind::Suffix { digits: 10 } }),
            ),
            // a tie goes to the first stored number
            (
                "+819012345678",
                &["0 9012345678", "9012345678"],
                Some(PhoneMatch { index: 0, kind: MatchKind::Suffix { digits: 10 } }),
            ),
            // eight trailing digits are enough
            ("+498963648018", &["63648018"], Some(PhoneMatch { index: 0, kind: MatchKind::Suffix { digits: 8 } })),
            // seven are not: no match
            ("+498963648018", &["3648018"], None),
            ("+498963648018", &["+33 1 42 68 53 00"], None),
            // junk is skipped, not fatal
            (
                "+498963648018",
                &["call me", "", "+49 89 63648018"],
                Some(PhoneMatch { index: 2, kind: MatchKind::Exact }),
            ),
            ("+498963648018", &[], None),
        ];
        for (number, stored, expected) in cases {
            assert_eq!(match_number(&e164(number), stored), *expected, "{number} in {stored:?}");
        }
    }

    proptest! {
        #[test]
        fn a_stored_copy_of_the_number_always_matches_exactly(
            digits in "[1-9][0-9]{7,14}",
            others in proptest::collection::vec("[0-9]{0,7}", 0..4),
            at in 0usize..4,
        ) {
            let number = e164(&format!("+{digits}"));
            let mut stored = others.clone();
            let at = at.min(stored.len());
            stored.insert(at, format!("00{digits}"));
            let found = match_number(&number, &stored).unwrap();
            prop_assert_eq!(found, PhoneMatch { index: at, kind: MatchKind::Exact });
        }

        #[test]
        fn a_tail_match_is_a_real_shared_tail_of_at_least_eight_digits(
            digits in "[1-9][0-9]{7,14}",
            stored in proptest::collection::vec("[1-9][0-9]{0,14}", 1..5),
        ) {
            let number = e164(&format!("+{digits}"));
            match match_number(&number, &stored) {
                Some(PhoneMatch { index, kind: MatchKind::Suffix { digits: n } }) => {
                    prop_assert!(n >= MIN_SUFFIX_DIGITS);
                    let tail = &digits[digits.len() - n..];
                    prop_assert!(stored[index].ends_with(tail));
                    // no longer tail matches any stored number, and no earlier one matches this tail
                    let longer = &digits[digits.len() - (n + 1).min(digits.len())..];
                    if longer.len() > n {
                        prop_assert!(stored.iter().all(|s| !s.ends_with(longer)));
                    }
                    prop_assert!(stored[..index].iter().all(|s| !s.ends_with(tail)));
                }
                Some(PhoneMatch { kind: MatchKind::Exact, .. }) => prop_assert!(false, "no stored number has a +"),
                None => {
                    let tail = &digits[digits.len() - MIN_SUFFIX_DIGITS..];
                    prop_assert!(stored.iter().all(|s| !s.ends_with(tail)));
                }
            }
        }
    }
}
