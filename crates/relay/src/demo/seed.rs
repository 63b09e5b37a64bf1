//! What the relay stores for the demo: the demo company's installation (its CRM is the Pipedrive stand-in's
//! demo data set), and the history and canned texts stored on first start (a second start finds them and adds
//! nothing).

use sidechat_domain::Crm;
use sidechat_domain::E164;
use sidechat_domain::wire::{Author, DeliveryStatus, Role};

use super::{DEMO_ACCESS_TOKEN, DEMO_COMPANY_ID, DEMO_USER_ID};
use crate::secrets::Sealer;
use crate::store::{
    Accepted, CannedRow, InboundMessage, NewOutbound, SealedTokens, SendOutcome, Store, UserProfile, WorkspaceId,
};

/// Connects the demo user's Pipedrive account (its CRM at `{public_url}/demo/pipedrive`, on every start: the
/// address may change), and stores history and canned texts the first time. The demo company is admitted into
/// the operator workspace like any listed company.
pub async fn seed(store: &Store, sealer: &Sealer, workspace: &WorkspaceId, public_url: &str) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now().as_millisecond();
    let user = store.user_by_crm_id(workspace, Crm::Pipedrive, &DEMO_USER_ID.to_string(), now).await?;
    let first_start = store.tokens(workspace, &user.id).await?.is_none();
    let profile = UserProfile { name: "Demo User".into(), email: Some("demo@example.com".into()), role: Role::Admin };
    let user = store.save_user_profile(workspace, Crm::Pipedrive, &user.crm_user_id, &profile, now).await?;
    let context = |which: &str| format!("pipedrive/{workspace}/{}/{which}", user.id);
    let tokens = SealedTokens {
        access_token: sealer.seal(DEMO_ACCESS_TOKEN, &context("access")),
        refresh_token: sealer.seal("sidechat-demo-refresh-token", &context("refresh")),
        api_domain: format!("{}/demo/pipedrive", public_url.trim_end_matches('/')),
        expires_at: now + 10 * 365 * 24 * 3_600_000,
        accounts_server: None,
    };
    store.save_tokens(workspace, &user.id, &tokens, now).await?;
    tracing::debug!(company = DEMO_COMPANY_ID, "the demo user's CRM account is connected");
    if !first_start {
        return Ok(());
    }
    for (name, module, body) in CANNED {
        let row = CannedRow {
            id: uuid::Uuid::now_v7().to_string(),
            name: (*name).into(),
            module: (*module).into(),
            body: (*body).into(),
            owner: None,
        };
        store.insert_canned_text(workspace, &row, now).await?;
    }
    let author = Author { id: user.id.clone(), name: user.name.clone() };
    seed_history(store, workspace, &author, now).await
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

async fn seed_history(store: &Store, workspace: &WorkspaceId, author: &Author, now: i64) -> anyhow::Result<()> {
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
                .insert_inbound(
                    workspace,
                    &InboundMessage {
                        id: uuid::Uuid::now_v7().to_string(),
                        provider_id: format!("demo-history-{i}"),
                        sender_id: SANDBOX_SENDER.0.into(),
                        business_phone: business.clone(),
                        contact,
                        body: (*body).into(),
                        attachment_ids: Vec::new(),
                        at,
                    },
                )
                .await?;
            continue;
        }
        let new = NewOutbound {
            author: author.clone(),
            id: uuid::Uuid::now_v7().to_string(),
            sender_id: SANDBOX_SENDER.0.into(),
            business_phone: business.clone(),
            contact,
            body: (*body).into(),
            template: None,
            attachments: Vec::new(),
            now: at,
        };
        if let Accepted::Created(row) = store.accept_outbound(workspace, &format!("history-{i}"), "seed", &new).await? {
            let provider_id = format!("demo-history-{i}");
            store
                .record_outcome(workspace, &row.id, &SendOutcome::Sent { provider_id: provider_id.clone() }, None, at)
                .await?;
            store.apply_status(workspace, &provider_id, DeliveryStatus::Read, None, at + HOUR / 6).await?;
        }
    }
    Ok(())
}
