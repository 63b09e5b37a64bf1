//! What the relay stores for the demo: the demo company's installation (its CRM is the Pipedrive stand-in's
//! demo data set), and the history and canned texts stored on first start (a second start finds them and adds
//! nothing).

use sidechat_domain::E164;
use sidechat_domain::wire::DeliveryStatus;

use super::{DEMO_ACCESS_TOKEN, DEMO_COMPANY_ID};
use crate::store::{Accepted, CannedRow, InboundMessage, Installation, NewOutbound, SendOutcome, Store};

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
