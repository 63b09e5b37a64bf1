//! The demo's data set: one company and its user, five people whose numbers are written as CRMs really hold
//! them (with and without country codes, full-width digits, junk), three deals and their files. The relay's
//! demo mode serves it under `/demo/pipedrive` and reads it through its real Pipedrive client with
//! [`DEMO_ACCESS_TOKEN`], a token the demo company holds from the start.

use base64::Engine;
use serde_json::{Map, Value, json};

use super::records::{Deal, FieldDefinition, File, Labelled, Person};
use super::world::{Company, StandingToken, User, Visibility, World};

/// The demo's Pipedrive company.
pub const DEMO_COMPANY_ID: u64 = 1;
/// The demo's Pipedrive user, its admin.
pub const DEMO_USER_ID: u64 = 1;
/// The access token the demo user holds from the start.
pub const DEMO_ACCESS_TOKEN: &str = "sidechat-demo-access-token";

/// The custom field "Preferred language" of persons.
const LANGUAGE_KEY: &str = "5b3f0d6c2a9e4f1b8c7d6e5f4a3b2c1d0e9f8a7b";
/// The custom field "Installation date" of deals.
const INSTALL_KEY: &str = "a1c3e5f7b9d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0";

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
/// A one-pixel PNG.
const PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

impl World {
    /// The demo's world: no OAuth app (the demo installs with [`DEMO_ACCESS_TOKEN`]), one company.
    pub fn demo() -> Self {
        Self {
            app: None,
            companies: vec![company()],
            standing_tokens: vec![StandingToken {
                access_token: DEMO_ACCESS_TOKEN.to_owned(),
                company_id: DEMO_COMPANY_ID,
                user_id: DEMO_USER_ID,
            }],
            unavailable: Vec::new(),
        }
    }
}

fn company() -> Company {
    Company {
        id: DEMO_COMPANY_ID,
        name: "Sidechat Demo".to_owned(),
        domain: "sidechat-demo".to_owned(),
        country: "DE".to_owned(),
        users: vec![User {
            id: DEMO_USER_ID,
            name: "Demo User".to_owned(),
            email: "demo@example.com".to_owned(),
            is_admin: true,
            timezone_name: "Europe/Berlin".to_owned(),
            locale: "en_US".to_owned(),
        }],
        persons: persons(),
        deals: deals(),
        files: files(),
        person_fields: vec![FieldDefinition::new(LANGUAGE_KEY, "Preferred language", "varchar", true)],
        deal_fields: vec![FieldDefinition::new(INSTALL_KEY, "Installation date", "varchar", true)],
        field_page_size: 100,
    }
}

fn one_field(key: &str, value: &str) -> Map<String, Value> {
    json!({ key: value }).as_object().cloned().unwrap_or_default()
}

fn person(id: u64, name: (&str, &str), email: &str, language: &str, phones: &[(&str, &str, bool)]) -> Person {
    Person {
        id,
        first_name: name.0.to_owned(),
        last_name: name.1.to_owned(),
        owner_id: DEMO_USER_ID,
        visible_to: Visibility::COMPANY,
        emails: vec![Labelled::new("work", email, true)],
        phones: phones.iter().map(|(label, value, primary)| Labelled::new(label, value, *primary)).collect(),
        custom_fields: one_field(LANGUAGE_KEY, language),
        add_time: "2026-09-01T09:00:00Z".to_owned(),
        update_time: "2026-11-01T09:00:00Z".to_owned(),
    }
}

fn persons() -> Vec<Person> {
    vec![
        person(
            1,
            ("Marie", "Dubois"),
            "marie.dubois@example.fr",
            "French",
            &[("mobile", "+33 6 12 34 56 78", true), ("work", "01 42 68 53 00", false)],
        ),
        person(
            2,
            ("Kenji", "Tanaka"),
            "kenji.tanaka@example.jp",
            "Japanese",
            &[("work", "+81 3-1234-5678", false), ("mobile", "０９０－１２３４－５６７８", true)],
        ),
        person(
            3,
            ("Ana", "Souza"),
            "ana.souza@example.com.br",
            "Portuguese",
            &[("mobile", "+55 11 91234-5678", true), ("home", "(11) 3333-4444", false)],
        ),
        person(
            4,
            ("Lukas", "Weber"),
            "lukas.weber@example.de",
            "German",
            &[
                ("work", "0049 89 63648018", false),
                ("mobile", "+49 151 23456789", true),
                ("other", "ask reception", false),
            ],
        ),
        person(5, ("Priya", "Sharma"), "priya.sharma@example.in", "Hindi", &[("mobile", "+91 98765 43210", true)]),
    ]
}

fn deals() -> Vec<Deal> {
    let deal = |id: u64, title: &str, person_id: u64, value: u64, currency: &str, installation_date: &str| Deal {
        id,
        title: title.to_owned(),
        owner_id: DEMO_USER_ID,
        visible_to: Visibility::COMPANY,
        person_id: Some(person_id),
        value,
        currency: currency.to_owned(),
        status: "open".to_owned(),
        custom_fields: one_field(INSTALL_KEY, installation_date),
        add_time: "2026-10-01T09:00:00Z".to_owned(),
        update_time: "2026-11-01T09:00:00Z".to_owned(),
    };
    vec![
        deal(10, "Solar panels for the Dubois bakery", 1, 18_500, "EUR", "2027-01-15"),
        deal(11, "Tanaka Logistics renewal", 2, 2_400_000, "JPY", "2026-12-01"),
        deal(12, "São Paulo office fit-out", 3, 95_000, "BRL", "2027-03-10"),
    ]
}

fn files() -> Vec<File> {
    let added = "2026-10-02 09:00:00";
    let pdf = |id: u64, name: &str| File::with_content(id, name, PDF.to_vec(), DEMO_USER_ID, added);
    let png = base64::engine::general_purpose::STANDARD.decode(PNG_BASE64).unwrap_or_default();
    vec![
        pdf(100, "devis-boulangerie.pdf").on_person(1),
        File::with_content(101, "shop-front.png", png, DEMO_USER_ID, added).on_person(1),
        // Over the relay's limits: it refuses the file before downloading, so there are no bytes to serve.
        File::listed_only(102, "site-visit.mp4", 24_000_000, DEMO_USER_ID, added).on_person(1),
        pdf(110, "renewal-terms.pdf").on_deal(11),
        pdf(120, "floor-plan.pdf").on_person(3).on_deal(12),
    ]
}
