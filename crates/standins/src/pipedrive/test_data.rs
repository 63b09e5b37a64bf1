//! The API tests' data set: two companies (7100, 7200) holding the same users and records: persons 101 (three
//! phones, files) and 102, person 103 seen only by its owner, deals 501 (person 102) and 502 (no person),
//! files 9001–9003 and the oversized 9009, custom fields of the three kinds the relay renders, and a person
//! (503) whose reads answer 503.

use serde_json::{Map, Value, json};

use super::records::{Deal, FieldDefinition, File, Labelled, Person};
use super::world::{App, Company, User, Visibility, World};

/// The app's client id, as the test relays are configured.
pub const CLIENT_ID: &str = "test-client";
/// The app's client secret (the test relays' `PIPEDRIVE_CLIENT_SECRET`).
pub const CLIENT_SECRET: &str = "test-pipedrive-client-secret";
/// Where the test relays say Pipedrive redirects after an install.
pub const REDIRECT_URI: &str = "http://relay.test/oauth/pipedrive/callback";

/// The companies of the data set.
pub const COMPANIES: [u64; 2] = [7100, 7200];
/// Each company's admin, the owner of every record: who installs when a test names only the company.
pub const ADMIN_ID: u64 = 42;
/// Each company's member without admin rights.
pub const MEMBER_ID: u64 = 43;
/// A person only its owner (the admin) sees: the member gets 404 for it.
pub const PRIVATE_PERSON_ID: u64 = 103;

// Custom field keys are 40 hex characters, as Pipedrive makes them.

/// "Customer tier", an option field.
pub const TIER_KEY: &str = "4c2d8b1e0f9a7c6b5d4e3f2a1b0c9d8e7f6a5b4c";
/// "Preferred language", a text field.
pub const LANGUAGE_KEY: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
/// "Installation fee", a monetary deal field.
pub const FEE_KEY: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

/// The bytes of the files the data set holds (9009 is listed only, at 200 MB).
pub fn file_bytes(id: u64) -> Option<Vec<u8>> {
    match id {
        9001 => Some(b"%PDF-1.4 the offer for Marie".to_vec()),
        9002 => Some(vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4]),
        9003 => Some(b"%PDF-1.4 the contract".to_vec()),
        _ => None,
    }
}

impl World {
    /// The API tests' world: the test app, both companies, and person 503 unavailable.
    pub fn test_data() -> Self {
        Self {
            app: Some(App {
                client_id: CLIENT_ID.to_owned(),
                client_secret: CLIENT_SECRET.to_owned(),
                redirect_uri: REDIRECT_URI.to_owned(),
            }),
            companies: COMPANIES.iter().map(|id| company(*id)).collect(),
            standing_tokens: Vec::new(),
            unavailable: vec!["/api/v2/persons/503".to_owned()],
        }
    }
}

fn company(id: u64) -> Company {
    let user = |id: u64, name: &str, email: &str, is_admin: bool| User {
        id,
        name: name.to_owned(),
        email: email.to_owned(),
        is_admin,
        timezone_name: "Europe/Berlin".to_owned(),
        locale: "en_US".to_owned(),
    };
    Company {
        id,
        name: format!("Company {id}"),
        domain: format!("company{id}"),
        country: "DE".to_owned(),
        users: vec![
            user(ADMIN_ID, "Ada Admin", "ada@example.com", true),
            user(MEMBER_ID, "Max Member", "max@example.com", false),
        ],
        persons: persons(),
        deals: deals(),
        files: files(),
        person_fields: person_fields(),
        deal_fields: deal_fields(),
        // Two per page: the relay must follow the cursor to read them all.
        field_page_size: 2,
    }
}

fn custom(values: Value) -> Map<String, Value> {
    values.as_object().cloned().unwrap_or_default()
}

fn person(id: u64, first: &str, last: &str, phones: Vec<Labelled>, custom_fields: Value) -> Person {
    Person {
        id,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        owner_id: ADMIN_ID,
        visible_to: Visibility::COMPANY,
        emails: vec![Labelled::new("work", &format!("{}@example.com", first.to_lowercase()), true)],
        phones,
        custom_fields: custom(custom_fields),
        add_time: "2025-01-02T10:00:00Z".to_owned(),
        update_time: "2025-03-04T11:00:00Z".to_owned(),
    }
}

fn persons() -> Vec<Person> {
    vec![
        person(
            101,
            "Marie",
            "Curie",
            vec![
                Labelled::new("work", "089 636 48018", false),
                Labelled::new("mobile", "+49 30 901820", true),
                Labelled::new("other", "n/a", false),
            ],
            json!({TIER_KEY: 12, LANGUAGE_KEY: "French"}),
        ),
        person(
            102,
            "Pierre",
            "Curie",
            vec![Labelled::new("mobile", "+33 6 12 34 56 78", true)],
            json!({TIER_KEY: null, LANGUAGE_KEY: null}),
        ),
        Person {
            visible_to: Visibility::OWNER,
            ..person(
                PRIVATE_PERSON_ID,
                "Irène",
                "Joliot-Curie",
                vec![Labelled::new("mobile", "+33 6 98 76 54 32", true)],
                json!({}),
            )
        },
    ]
}

fn deals() -> Vec<Deal> {
    let deal = |id: u64, title: &str, person_id: Option<u64>| Deal {
        id,
        title: title.to_owned(),
        owner_id: ADMIN_ID,
        visible_to: Visibility::COMPANY,
        person_id,
        value: 12000,
        currency: "EUR".to_owned(),
        status: "open".to_owned(),
        custom_fields: custom(json!({FEE_KEY: {"value": 500, "currency": "EUR"}})),
        add_time: "2025-01-02T10:00:00Z".to_owned(),
        update_time: "2025-03-04T11:00:00Z".to_owned(),
    };
    vec![deal(501, "Solar roof for the lab", Some(102)), deal(502, "Deal without a person", None)]
}

fn files() -> Vec<File> {
    let added = "2025-02-01 09:00:00";
    let with_content =
        |id: u64, name: &str| File::with_content(id, name, file_bytes(id).unwrap_or_default(), ADMIN_ID, added);
    vec![
        with_content(9001, "offer.pdf").on_person(101),
        with_content(9002, "photo.JPG").on_person(101),
        with_content(9003, "contract.pdf").on_deal(501),
        File::listed_only(9009, "site-survey.mp4", 200_000_000, ADMIN_ID, added).on_person(101),
    ]
}

fn person_fields() -> Vec<FieldDefinition> {
    vec![
        FieldDefinition::new("name", "Name", "varchar", false),
        FieldDefinition::new("first_name", "First name", "varchar", false),
        FieldDefinition::new("last_name", "Last name", "varchar", false),
        FieldDefinition::new("phones", "Phone", "phone", false),
        FieldDefinition::new(TIER_KEY, "Customer tier", "enum", true)
            .with_options(json!([{"id": 12, "label": "Gold"}, {"id": 13, "label": "Silver"}])),
        FieldDefinition::new(LANGUAGE_KEY, "Preferred language", "varchar", true),
    ]
}

fn deal_fields() -> Vec<FieldDefinition> {
    vec![
        FieldDefinition::new("title", "Title", "varchar", false),
        FieldDefinition::new("value", "Value", "monetary", false),
        FieldDefinition::new("status", "Status", "status", false),
        FieldDefinition::new(FEE_KEY, "Installation fee", "monetary", true),
    ]
}
