use super::*;

#[test]
fn calling_codes_of_the_seeds_countries() {
    let cases = [("DE", 49), ("JP", 81), ("BR", 55), ("IN", 91), ("FR", 33), ("US", 1), ("CA", 1)];
    for (country, code) in cases {
        assert_eq!(of(Country::parse(country).unwrap()), Some(code), "{country}");
    }
    assert_eq!(of(Country::parse("ZZ").unwrap()), None);
}

#[test]
fn a_number_suggests_the_country_of_its_calling_code() {
    let cases = [
        ("+4915112345678", "DE"),
        ("+819012345678", "JP"),
        ("+5511987654321", "BR"),
        ("+33612345678", "FR"),
        ("+12025550123", "US"),
        ("+74951234567", "RU"),
        ("+447700900123", "GB"),
        ("+35312345678", "IE"),
        ("+3801234567", "UA"),
    ];
    for (number, country) in cases {
        let suggested = country_of(&E164::parse(number).unwrap());
        assert_eq!(suggested.as_ref().map(Country::as_str), Some(country), "{number}");
    }
}

#[test]
fn one_main_country_per_shared_calling_code() {
    let mut codes: Vec<u16> = CALLING_CODES.iter().map(|(_, code, _)| *code).collect();
    codes.sort_unstable();
    codes.dedup();
    for code in codes {
        let sharing: Vec<_> = CALLING_CODES.iter().filter(|(_, c, _)| *c == code).collect();
        let mains = sharing.iter().filter(|(_, _, main)| *main).count();
        assert!(sharing.len() == 1 || mains == 1, "+{code} is shared by {sharing:?} with {mains} main countries");
    }
}

#[cfg(feature = "phone")]
#[test]
fn the_table_agrees_with_the_phone_metadata() {
    for (id, code, _) in CALLING_CODES {
        let country = Country::parse(id).unwrap();
        assert_eq!(crate::phone::calling_code(country), Some(code), "{id}");
    }
    // Numbers of main countries suggest the same country either way.
    for number in ["+4915112345678", "+819012345678", "+5511987654321", "+12025550123", "+442079460123"] {
        let number = E164::parse(number).unwrap();
        assert_eq!(country_of(&number), crate::phone::suggest_country(&number), "{number:?}");
    }
}
