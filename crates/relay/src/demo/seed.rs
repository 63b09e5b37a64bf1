//! The demo's data: people, deals and files of the demo CRM, and the history and canned texts stored on first
//! start (a second start finds them and adds nothing).

use base64::Engine;
use sidechat_domain::E164;
use sidechat_domain::wire::DeliveryStatus;

use super::{DEMO_ACCESS_TOKEN, DEMO_COMPANY_ID};
use crate::store::{Accepted, CannedRow, InboundMessage, Installation, NewOutbound, SendOutcome, Store};

/// A person of the demo CRM.
pub struct Person {
    pub id: u64,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
    pub language: &'static str,
    /// (label, value as stored, primary)
    pub phones: &'static [(&'static str, &'static str, bool)],
}

/// A deal of the demo CRM.
pub struct Deal {
    pub id: u64,
    pub title: &'static str,
    pub person_id: Option<u64>,
    pub value: u64,
    pub currency: &'static str,
    pub installation_date: &'static str,
}

/// A file of the demo CRM.
pub struct File {
    pub id: u64,
    pub name: &'static str,
    pub size: u64,
    pub person_id: Option<u64>,
    pub deal_id: Option<u64>,
}

/// Numbers as CRMs really hold them: with and without country codes, full-width digits, junk.
pub const PEOPLE: &[Person] = &[
    Person {
        id: 1,
        first_name: "Marie",
        last_name: "Dubois",
        email: "marie.dubois@example.fr",
        language: "French",
        phones: &[("mobile", "+33 6 12 34 56 78", true), ("work", "01 42 68 53 00", false)],
    },
    Person {
        id: 2,
        first_name: "Kenji",
        last_name: "Tanaka",
        email: "kenji.tanaka@example.jp",
        language: "Japanese",
        phones: &[("work", "+81 3-1234-5678", false), ("mobile", "０９０－１２３４－５６７８", true)],
    },
    Person {
        id: 3,
        first_name: "Ana",
        last_name: "Souza",
        email: "ana.souza@example.com.br",
        language: "Portuguese",
        phones: &[("mobile", "+55 11 91234-5678", true), ("home", "(11) 3333-4444", false)],
    },
    Person {
        id: 4,
        first_name: "Lukas",
        last_name: "Weber",
        email: "lukas.weber@example.de",
        language: "German",
        phones: &[
            ("work", "0049 89 63648018", false),
            ("mobile", "+49 151 23456789", true),
            ("other", "ask reception", false),
        ],
    },
    Person {
        id: 5,
        first_name: "Priya",
        last_name: "Sharma",
        email: "priya.sharma@example.in",
        language: "Hindi",
        phones: &[("mobile", "+91 98765 43210", true)],
    },
];

pub const DEALS: &[Deal] = &[
    Deal {
        id: 10,
        title: "Solar panels for the Dubois bakery",
        person_id: Some(1),
        value: 18_500,
        currency: "EUR",
        installation_date: "2027-01-15",
    },
    Deal {
        id: 11,
        title: "Tanaka Logistics renewal",
        person_id: Some(2),
        value: 2_400_000,
        currency: "JPY",
        installation_date: "2026-12-01",
    },
    Deal {
        id: 12,
        title: "São Paulo office fit-out",
        person_id: Some(3),
        value: 95_000,
        currency: "BRL",
        installation_date: "2027-03-10",
    },
];

pub const FILES: &[File] = &[
    File { id: 100, name: "devis-boulangerie.pdf", size: PDF.len() as u64, person_id: Some(1), deal_id: None },
    File { id: 101, name: "shop-front.png", size: 0, person_id: Some(1), deal_id: None },
    File { id: 102, name: "site-visit.mp4", size: 24_000_000, person_id: Some(1), deal_id: None },
    File { id: 110, name: "renewal-terms.pdf", size: PDF.len() as u64, person_id: None, deal_id: Some(11) },
    File { id: 120, name: "floor-plan.pdf", size: PDF.len() as u64, person_id: Some(3), deal_id: Some(12) },
];

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
/// A one-pixel PNG.
const PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// The bytes of a demo file. The oversized video has none: the relay refuses it before downloading.
pub fn file_bytes(id: u64) -> Option<Vec<u8>> {
    match id {
        100 | 110 | 120 => Some(PDF.to_vec()),
        101 => base64::engine::general_purpose::STANDARD.decode(PNG_BASE64).ok(),
        _ => None,
    }
}

/// The size the CRM reports for a file.
pub fn file_size(file: &File) -> u64 {
    if file.size > 0 { file.size } else { file_bytes(file.id).map_or(0, |b| b.len() as u64) }
}

/// Installs the demo company with its CRM at `{public_url}/demo/pipedrive` (on every start: the address may
/// change), and stores history and canned texts the first time.
pub async fn seed(store: &Store, public_url: &str) -> anyhow::Result<()> {
    let company_id = DEMO_COMPANY_ID.to_string();
    let first_start = store.installation("pipedrive", &company_id).await?.is_none();
    let now = jiff::Timestamp::now().as_millisecond();
    store
        .upsert_installation(
            &Installation {
                crm: "pipedrive".into(),
                company_id: company_id.clone(),
                access_token: Some(DEMO_ACCESS_TOKEN.into()),
                refresh_token: Some("sidechat-demo-refresh-token".into()),
                api_domain: Some(format!("{}/demo/pipedrive", public_url.trim_end_matches('/'))),
                token_expires_at: Some(now + 10 * 365 * 24 * 3_600_000),
            },
            now,
        )
        .await?;
    if !first_start {
        return Ok(());
    }
    for company in [format!("pipedrive:{company_id}"), "zoho".to_owned()] {
        for (name, module, body) in CANNED {
            let row = CannedRow {
                id: uuid::Uuid::now_v7().to_string(),
                name: (*name).into(),
                module: (*module).into(),
                body: (*body).into(),
            };
            store.insert_canned_text(&company, &row, now).await?;
        }
    }
    seed_history(store, now).await
}

const CANNED: &[(&str, &str, &str)] = &[
    ("Welcome", "Persons", "Hello $[Persons.First Name|there], this is the Sidechat demo team. How can we help?"),
    ("Quote ready", "Persons", "Hi $[Persons.First Name], your quote is ready: I am attaching it here."),
    (
        "Deal follow-up",
        "Deals",
        "About “$[Deals.Title]”: is $[Deals.Installation date|the planned date] still right for you?",
    ),
    (
        "Lead intro",
        "Leads",
        "Hello $[Leads.First Name|there], thanks for your interest in $[Leads.Company|our products]!",
    ),
    ("Contact check-in", "Contacts", "Hi $[Contacts.First Name|there], just checking in. Anything we can do?"),
];

const HOUR: i64 = 3_600_000;
const SANDBOX_SENDER: (&str, &str) = ("sandbox-de", "+4930901820");

async fn seed_history(store: &Store, now: i64) -> anyhow::Result<()> {
    // Marie wrote an hour ago: the window is open. Kenji last wrote three days ago: it is closed.
    let history: &[(&str, i64, bool, &str)] = &[
        ("+33612345678", 3 * HOUR, true, "Bonjour ! Le devis pour les panneaux est prêt ?"),
        ("+33612345678", 2 * HOUR + HOUR / 2, false, "Bonjour Marie, presque : je vous l'envoie dans l'heure."),
        ("+33612345678", HOUR, true, "Parfait, merci <b>beaucoup</b> !"),
        ("+819012345678", 72 * HOUR, true, "Please send me the renewal terms."),
        ("+819012345678", 71 * HOUR, false, "Of course, Tanaka-san. They will follow shortly."),
    ];
    let business = E164::parse(SANDBOX_SENDER.1)?;
    for (i, (contact, ago, inbound, body)) in history.iter().enumerate() {
        let at = now - ago;
        let contact = E164::parse(contact)?;
        if *inbound {
            store
                .insert_inbound(&InboundMessage {
                    id: uuid::Uuid::now_v7().to_string(),
                    provider_id: format!("demo-history-{i}"),
                    sender_id: SANDBOX_SENDER.0.into(),
                    business_phone: business.clone(),
                    contact,
                    body: (*body).into(),
                    attachment_ids: Vec::new(),
                    at,
                })
                .await?;
            continue;
        }
        let new = NewOutbound {
            id: uuid::Uuid::now_v7().to_string(),
            sender_id: SANDBOX_SENDER.0.into(),
            business_phone: business.clone(),
            contact,
            body: (*body).into(),
            template: None,
            attachments: Vec::new(),
            now: at,
        };
        if let Accepted::Created(row) =
            store.accept_outbound("demo-seed", &format!("history-{i}"), "seed", &new).await?
        {
            let provider_id = format!("demo-history-{i}");
            store.record_outcome(&row.id, &SendOutcome::Sent { provider_id: provider_id.clone() }, at).await?;
            store.apply_status(&provider_id, DeliveryStatus::Read, None, at + HOUR / 6).await?;
        }
    }
    Ok(())
}
