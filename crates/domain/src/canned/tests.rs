use proptest::prelude::*;

use super::*;

fn leads() -> Module {
    Module::parse("Leads").unwrap()
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn bodies_parse_into_text_and_fields() {
    let body = Body::parse("Hi $[Leads.First Name|there], your $[Leads.Company] offer", &leads()).unwrap();
    assert_eq!(
        body.parts(),
        &[
            Part::Text("Hi ".to_owned()),
            Part::Field(MergeField {
                module: "Leads".into(),
                label: "First Name".into(),
                fallback: Some("there".into())
            }),
            Part::Text(", your ".to_owned()),
            Part::Field(MergeField { module: "Leads".into(), label: "Company".into(), fallback: None }),
            Part::Text(" offer".to_owned()),
        ]
    );
    assert_eq!(body.fields(), ["Leads.First Name", "Leads.Company"]);
}

#[test]
fn a_lone_dollar_or_bracket_is_text() {
    let body = Body::parse("Price: $5 [approx.] $ [x]", &leads()).unwrap();
    assert_eq!(body.parts(), &[Part::Text("Price: $5 [approx.] $ [x]".to_owned())]);
    assert!(body.fields().is_empty());
}

#[test]
fn rendering_fills_values_uses_fallbacks_and_reports_what_is_missing() {
    let body = Body::parse("Hi $[Leads.First Name|there], from $[Leads.Company] ($[Leads.Company])", &leads()).unwrap();
    // (record values, rendered text, missing fields)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a [&'a str]);
    let cases: &[Case<'_>] = &[
        (&[("Leads.First Name", "Marie"), ("Leads.Company", "Zylker")], "Hi Marie, from Zylker (Zylker)", &[]),
        (&[("Leads.Company", "Zylker")], "Hi there, from Zylker (Zylker)", &[]),
        (&[("Leads.First Name", "  ")], "Hi there, from  ()", &["Leads.Company"]),
        (&[], "Hi there, from  ()", &["Leads.Company"]),
    ];
    for (pairs, text, missing) in cases {
        let rendered = body.render(&values(pairs));
        assert_eq!(rendered.text, *text, "values {pairs:?}");
        assert_eq!(rendered.missing, *missing, "values {pairs:?}");
    }
}

#[test]
fn malformed_bodies_are_refused_with_the_position_of_the_fault() {
    let cases: &[(&str, CannedError)] = &[
        ("Hi $[Leads.]", CannedError::MissingLabel { at: 3 }),
        ("Hi $[Leads.First Name", CannedError::Unclosed { at: 3 }),
        ("$[Leads.First $[Leads.Last Name]", CannedError::Unclosed { at: 0 }),
        ("ok $[]", CannedError::EmptyField { at: 3 }),
        ("ok $[First Name]", CannedError::MissingModule { at: 3 }),
        ("ok $[.First Name]", CannedError::MissingModule { at: 3 }),
        ("日本 $[Leads.]", CannedError::MissingLabel { at: 3 }),
        (
            "Hi $[Contacts.First Name]",
            CannedError::WrongModule { at: 3, expected: "Leads".into(), found: "Contacts".into() },
        ),
    ];
    for (source, error) in cases {
        assert_eq!(Body::parse(source, &leads()), Err(error.clone()), "body {source:?}");
    }
    assert_eq!(
        CannedError::MissingLabel { at: 3 }.to_string(),
        "the merge field at character 4 names no field after the module"
    );
}

#[test]
fn canned_texts_check_name_module_and_body() {
    let cases: &[(&str, &str, &str, CannedError)] = &[
        ("", "Leads", "Hi", CannedError::EmptyName),
        (&"n".repeat(101), "Leads", "Hi", CannedError::NameTooLong),
        ("Hello", "Le ads", "Hi", CannedError::InvalidModule("Le ads".into())),
        ("Hello", "", "Hi", CannedError::InvalidModule(String::new())),
        ("Hello", "Leads", "  ", CannedError::EmptyBody),
        ("Hello", "Leads", &"x".repeat(4097), CannedError::BodyTooLong),
        (
            "Hello",
            "Leads",
            "Hi $[Deals.Name]",
            CannedError::WrongModule { at: 3, expected: "Leads".into(), found: "Deals".into() },
        ),
    ];
    for (name, module, body, error) in cases {
        assert_eq!(CannedText::new(name, module, body), Err(error.clone()), "{name:?} {module:?} {body:?}");
    }
    let text = CannedText::new(" Welcome ", "Custom_Module2", "Hi $[Custom_Module2.Name]").unwrap();
    assert_eq!(text.name(), "Welcome");
    assert_eq!(text.module().as_str(), "Custom_Module2");
}

#[test]
fn editing_keeps_the_module() {
    let text = CannedText::new("Welcome", "Leads", "Hi $[Leads.First Name]").unwrap();
    let edited = text.edit("Welcome back", "Leads", "Hello again $[Leads.First Name]").unwrap();
    assert_eq!(edited.name(), "Welcome back");
    assert_eq!(
        text.edit("Welcome", "Contacts", "Hi $[Contacts.First Name]"),
        Err(CannedError::ModuleImmutable { from: "Leads".into(), to: "Contacts".into() })
    );
}

fn text_part() -> impl Strategy<Value = Part> {
    "[^$\\[\\]]{1,12}".prop_map(Part::Text)
}

fn field_part() -> impl Strategy<Value = Part> {
    ("[A-Za-z][A-Za-z ]{0,10}[A-Za-z]", proptest::option::of("[^\\]\\[|]{0,8}"))
        .prop_map(|(label, fallback)| Part::Field(MergeField { module: "Leads".to_owned(), label, fallback }))
}

/// Bodies as parts, with no two text parts side by side (the parser joins them).
fn parts() -> impl Strategy<Value = Vec<Part>> {
    proptest::collection::vec(prop_oneof![text_part(), field_part()], 0..8).prop_map(|parts| {
        let mut joined: Vec<Part> = Vec::new();
        for part in parts {
            match (joined.last_mut(), part) {
                (Some(Part::Text(previous)), Part::Text(next)) => previous.push_str(&next),
                (_, part) => joined.push(part),
            }
        }
        joined
    })
}

proptest! {
    #[test]
    fn bodies_round_trip_through_their_source(parts in parts()) {
        let body = Body { parts: parts.clone() };
        let reparsed = Body::parse(&body.to_string(), &leads()).unwrap();
        prop_assert_eq!(reparsed.parts(), parts.as_slice());
    }

    #[test]
    fn with_every_value_present_nothing_is_missing_and_text_stays(parts in parts()) {
        let body = Body { parts: parts.clone() };
        let all: BTreeMap<String, String> = body.fields().into_iter().map(|k| (k.clone(), format!("<{k}>"))).collect();
        let rendered = body.render(&all);
        prop_assert!(rendered.missing.is_empty());
        let expected: String = parts.iter().map(|p| match p {
            Part::Text(t) => t.clone(),
            Part::Field(f) => format!("<{}>", f.key()),
        }).collect();
        prop_assert_eq!(rendered.text, expected);
    }

    #[test]
    fn parsing_never_panics(source in ".{0,40}") {
        let _ = Body::parse(&source, &leads());
    }
}
