//! A database as the release before workspaces left it: its schema (the relay's own migrations 0001–0003) and,
//! written with plain SQL in that schema, its kind of history: two conversations with statuses, provider ids and
//! a file, an idempotency key, canned texts kept per company (two Pipedrive companies and Zoho), and both
//! companies' installations with their plaintext tokens.

use std::path::Path;

use sha2::{Digest, Sha256};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Connection};

use crate::support::{Backend, INSTALLED_COMPANY, OTHER_WORKSPACE_COMPANY};

pub const MUNICH: &str = "+498963648018";
pub const PARIS: &str = "+33612345678";
/// A sandbox sender: (id, number).
pub const BERLIN: (&str, &str) = ("sandbox-de", "+4930901820");
const SAO_PAULO: (&str, &str) = ("sandbox-br", "+551133334444");

/// The idempotency key of the reply to Munich ([`HISTORY`]'s second message).
pub const KEY: &str = "reply-munich-1";
/// That send's request as the previous release serialized and hashed it.
const KEYED_REQUEST: &str = r#"{"from":"sandbox-de","to":"+498963648018","country":null,"body":"Yes, until Friday. I will send it.","attachments":[],"template":null}"#;
/// The file of [`HISTORY`]'s third message, `offer.pdf`.
pub const OFFER: &[u8] = b"%PDF-1.4 the offer, sent before the upgrade";

/// A message as the previous release logged it.
pub struct Logged {
    pub contact: &'static str,
    /// The sender's id and number.
    pub sender: (&'static str, &'static str),
    pub direction: &'static str,
    pub body: &'static str,
    pub status: &'static str,
    pub provider_id: Option<&'static str>,
    /// The provider's error code and message.
    pub error: Option<(&'static str, &'static str)>,
}

const fn inbound(
    contact: &'static str,
    sender: (&'static str, &'static str),
    body: &'static str,
    id: &'static str,
) -> Logged {
    Logged { contact, sender, direction: "in", body, status: "delivered", provider_id: Some(id), error: None }
}

const fn outbound(
    contact: &'static str,
    sender: (&'static str, &'static str),
    body: &'static str,
    status: &'static str,
    id: Option<&'static str>,
) -> Logged {
    Logged { contact, sender, direction: "out", body, status, provider_id: id, error: None }
}

/// The log, oldest first, one minute apart; the third message carries [`OFFER`].
pub const HISTORY: [Logged; 7] = [
    inbound(MUNICH, BERLIN, "Is the solar offer still valid?", "sandbox-reply-1"),
    outbound(MUNICH, BERLIN, "Yes, until Friday. I will send it.", "read", Some("sandbox-2")),
    outbound(MUNICH, BERLIN, "", "delivered", Some("sandbox-3")),
    Logged {
        error: Some(("131026", "Message undeliverable")),
        ..outbound(PARIS, SAO_PAULO, "Bonjour Pierre", "failed", None)
    },
    inbound(MUNICH, BERLIN, "Thanks, got it!", "sandbox-reply-4"),
    outbound(PARIS, SAO_PAULO, "Bonjour Pierre, voici notre offre.", "sent", Some("sandbox-5")),
    inbound(PARIS, SAO_PAULO, "Merci, je regarde.", "sandbox-reply-6"),
];

/// Canned texts as kept per company: (company, name, module, body).
pub const CANNED: [(&str, &str, &str, &str); 4] = [
    ("pipedrive:7001", "Welcome", "Persons", "Hi $[Persons.First Name|there]!"),
    ("pipedrive:7001", "Offer follow-up", "Deals", "About $[Deals.Title]: any questions?"),
    ("pipedrive:7003", "Bienvenue", "Persons", "Bonjour $[Persons.First Name] !"),
    ("zoho", "Zoho greeting", "Contacts", "Hello ${Contacts.First Name}"),
];

/// The Pipedrive companies whose installations the previous release kept, in the order they installed.
pub const INSTALLED: [u64; 2] = [INSTALLED_COMPANY, OTHER_WORKSPACE_COMPANY];

/// The plaintext access token the previous release kept for a company (whoever authorized last: its admin).
pub fn old_access_token(company: u64) -> String {
    format!("old-plaintext-access-{company}")
}

/// Makes a fresh database the previous release's, with its history; the installations' API is at `api_domain`.
/// Answers the messages' ids and times (ms), in [`HISTORY`]'s order.
pub async fn prepare(backend: Backend, database_url: &str, api_domain: &str) -> Vec<(String, i64)> {
    let mut db = previous_schema(backend, database_url).await;
    let logged = write_history(&mut db, api_domain).await;
    db.close().await.unwrap();
    logged
}

/// The relay's own migrations up to 0003, so the relay finds them applied with the checksums it expects.
async fn previous_schema(backend: Backend, database_url: &str) -> AnyConnection {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let mut migrator =
        Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(folder)).await.unwrap();
    migrator.migrations = migrator.migrations.iter().filter(|m| m.version <= 3).cloned().collect::<Vec<_>>().into();
    assert_eq!(migrator.iter().map(|m| m.version).collect::<Vec<_>>(), [1, 2, 3]);
    sqlx::any::install_default_drivers();
    let url = match backend {
        Backend::Sqlite => format!("{database_url}?mode=rwc"),
        Backend::Postgres => database_url.to_owned(),
    };
    let mut connection = AnyConnection::connect(&url).await.unwrap();
    migrator.run(&mut connection).await.unwrap();
    connection
}

async fn write_history(db: &mut AnyConnection, api_domain: &str) -> Vec<(String, i64)> {
    let started = jiff::Timestamp::now().as_millisecond() - 3 * 86_400_000;
    let mut logged = Vec::new();
    for (i, message) in HISTORY.iter().enumerate() {
        let (id, at) = (uuid::Uuid::now_v7().to_string(), started + i as i64 * 60_000);
        sqlx::query(
            "INSERT INTO messages (id, direction, sender_id, business_phone, contact, body, status, error_code,
                 error_message, provider_id, created_at, updated_at, attempts)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
        )
        .bind(&id)
        .bind(message.direction)
        .bind(message.sender.0)
        .bind(message.sender.1)
        .bind(message.contact)
        .bind(message.body)
        .bind(message.status)
        .bind(message.error.map(|(code, _)| code))
        .bind(message.error.map(|(_, text)| text))
        .bind(message.provider_id)
        .bind(at)
        .bind(i64::from(message.direction == "out"))
        .execute(&mut *db)
        .await
        .unwrap();
        logged.push((id, at));
    }
    let file = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO attachments (id, company, name, size, mime, data, created_at)
         VALUES ($1, 'pipedrive:7001', 'offer.pdf', $2, 'application/pdf', $3, $4)",
    )
    .bind(&file)
    .bind(OFFER.len() as i64)
    .bind(OFFER.to_vec())
    .bind(logged[2].1)
    .execute(&mut *db)
    .await
    .unwrap();
    sqlx::query("INSERT INTO message_attachments (message_id, position, attachment_id) VALUES ($1, 0, $2)")
        .bind(&logged[2].0)
        .bind(&file)
        .execute(&mut *db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO idempotency_keys (company, idempotency_key, request_hash, message_id, created_at)
         VALUES ('pipedrive:7001', $1, $2, $3, $4)",
    )
    .bind(KEY)
    .bind(hex::encode(Sha256::digest(KEYED_REQUEST.as_bytes())))
    .bind(&logged[1].0)
    .bind(logged[1].1)
    .execute(&mut *db)
    .await
    .unwrap();
    for (company, name, module, body) in CANNED {
        sqlx::query(
            "INSERT INTO canned_texts (id, company, name, module, body, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(company)
        .bind(name)
        .bind(module)
        .bind(body)
        .bind(started)
        .execute(&mut *db)
        .await
        .unwrap();
    }
    for (i, company) in INSTALLED.into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO installations (crm, company_id, access_token, refresh_token, api_domain, token_expires_at,
                 installed_at)
             VALUES ('pipedrive', $1, $2, $3, $4, $5, $6)",
        )
        .bind(company.to_string())
        .bind(old_access_token(company))
        .bind(format!("old-plaintext-refresh-{company}"))
        .bind(api_domain)
        .bind(jiff::Timestamp::now().as_millisecond() + 3_600_000)
        .bind(started - 86_400_000 + i as i64)
        .execute(&mut *db)
        .await
        .unwrap();
    }
    logged
}
