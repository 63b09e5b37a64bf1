use proptest::prelude::*;

use super::*;

fn country(code: &str) -> Option<Country> {
    Some(Country::parse(code).unwrap())
}

fn e164_of(raw: &str, region: Option<Country>) -> Result<String, PhoneError> {
    Phone::parse(raw, region).map(|p| p.e164().as_str().to_owned())
}

#[test]
fn what_crms_store_parses_to_e164() {
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("+49 89 636 48018", None, "+498963648018"),
        ("0049 89 63648018", None, "+498963648018"),
        ("(089) 636-48018", Some("DE"), "+498963648018"),
        ("tel:+1-520-878-2491", None, "+15208782491"),
        ("+1 520-878-2491", None, "+15208782491"),
        ("＋８１　９０－１２３４－５６７８", None, "+819012345678"),
        ("０９０－１２３４－５６７８", Some("JP"), "+819012345678"),
        ("090ー1234ー5678", Some("JP"), "+819012345678"),
        ("+33.1.42.68.53.00", None, "+33142685300"),
        ("01 42 68 53 00", Some("FR"), "+33142685300"),
        ("+91 98765 43210", None, "+919876543210"),
        ("098765 43210", Some("IN"), "+919876543210"),
        ("+55 11 91234-5678", None, "+5511912345678"),
        ("(11) 91234-5678", Some("BR"), "+5511912345678"),
        ("+49 89 636 48018 ext. 12", None, "+498963648018"),
        // a country code wins over the chosen country
        ("+49 89 636 48018", Some("FR"), "+498963648018"),
    ];
    for (raw, region, expected) in cases {
        let region = region.and_then(country);
        assert_eq!(e164_of(raw, region), Ok((*expected).to_owned()), "input {raw:?} in {region:?}");
    }
}

#[test]
fn what_is_not_a_number_gets_a_typed_error() {
    let cases: &[(&str, Option<&str>, PhoneError)] = &[
        ("", None, PhoneError::Input(InputError::Empty)),
        ("n/a", None, PhoneError::Input(InputError::Letters('n'))),
        ("+49 89", None, PhoneError::TooShort),
        ("+49 89 636 48018 1234 5678 9", None, PhoneError::TooLong),
        ("+999 1234 5678", None, PhoneError::UnknownCountryCode("+99912345678".to_owned())),
        ("089 636 48018", None, PhoneError::MissingCountryCode),
        ("089 636 48018", Some("XX"), PhoneError::UnknownCountry(Country::parse("XX").unwrap())),
        ("12", Some("DE"), PhoneError::TooShort),
        ("+1 555 000 0000", None, PhoneError::Invalid),
    ];
    for (raw, region, expected) in cases {
        let region = region.and_then(country);
        assert_eq!(e164_of(raw, region), Err(expected.clone()), "input {raw:?} in {region:?}");
    }
}

#[test]
fn formats_for_people_and_for_whatsapp() {
    let phone = Phone::parse("0049 (89) 636-48018 x7", None).unwrap();
    assert_eq!(phone.international(), "+49 89 63648018");
    assert_eq!(phone.wa_id(), "498963648018");
    assert_eq!(phone.extension(), Some("7"));
    assert_eq!(phone.country(), country("DE"));
}

#[test]
fn tells_whether_a_stored_number_has_a_country_code() {
    let cases: &[(&str, bool)] = &[
        ("+49 89 636 48018", true),
        ("0049 89 63648018", true),
        ("tel:+1-520-878-2491", true),
        ("＋８１９０１２３４５６７８", true),
        ("(089) 636-48018", false),
        ("498963648018", false),
        ("call me", false),
    ];
    for (raw, expected) in cases {
        assert_eq!(has_country_code(raw), *expected, "input {raw:?}");
    }
}

#[test]
fn suggests_the_senders_country_and_reparses_with_the_users_choice() {
    let sender = E164::parse("+4930901820").unwrap();
    let suggested = suggest_country(&sender);
    assert_eq!(suggested, country("DE"));
    assert_eq!(e164_of("(089) 636-48018", suggested), Ok("+498963648018".to_owned()));
    // the user picks Austria instead: the same digits now mean a Vienna number
    assert_eq!(e164_of("01 5877 0000", country("AT")), Ok("+43158770000".to_owned()));
    assert_eq!(suggest_country(&E164::parse("+15208782491").unwrap()), country("US"));
    assert_eq!(suggest_country(&E164::parse("+819012345678").unwrap()), country("JP"));
}

#[test]
fn calling_codes_come_from_the_numbering_plans() {
    assert_eq!(calling_code(Country::parse("DE").unwrap()), Some(49));
    assert_eq!(calling_code(Country::parse("JP").unwrap()), Some(81));
    assert_eq!(calling_code(Country::parse("XX").unwrap()), None);
}

/// Valid numbers from several plans, in E.164.
const SAMPLES: &[&str] =
    &["+498963648018", "+15208782491", "+819012345678", "+33142685300", "+919876543210", "+5511912345678"];

fn formatted(e164: &str, seps: &[&str], full_width: bool, double_zero: bool) -> String {
    let mut text = String::from(if double_zero { "00" } else { "+" });
    for (i, d) in e164[1..].chars().enumerate() {
        if full_width {
            text.push(char::from_u32('０' as u32 + d.to_digit(10).unwrap()).unwrap());
        } else {
            text.push(d);
        }
        text.push_str(seps[i % seps.len()]);
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn formatting_never_changes_the_number(
        sample in proptest::sample::select(SAMPLES),
        seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just("."), Just("－")], 1..6),
        full_width in any::<bool>(),
        double_zero in any::<bool>(),
    ) {
        let text = formatted(sample, &seps, full_width, double_zero);
        prop_assert_eq!(e164_of(&text, None), Ok(sample.to_owned()));
    }

    #[test]
    fn display_form_reparses_to_the_same_number(sample in proptest::sample::select(SAMPLES)) {
        let phone = Phone::parse(sample, None).unwrap();
        prop_assert_eq!(e164_of(&phone.international(), None), Ok(sample.to_owned()));
        prop_assert_eq!(format!("+{}", phone.wa_id()), sample);
    }

    #[test]
    fn parsing_never_panics(raw in ".{0,30}", region in proptest::option::of("[A-Z]{2}")) {
        let region = region.and_then(|r| Country::parse(&r).ok());
        let _ = Phone::parse(&raw, region);
    }
}
