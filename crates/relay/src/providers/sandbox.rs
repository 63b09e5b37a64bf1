//! The sandbox: a WhatsApp counterpart inside the relay, so the demo and a newcomer see the whole flow
//! without any account. Deterministic: a sent message is delivered after [`DELIVERED_AFTER`] and read after
//! [`READ_AFTER`]; every message ending in `?` gets a reply after [`REPLY_AFTER`]. Like the Cloud API, it
//! enforces the 24-hour window and offers templates.

use std::time::Duration;

use sidechat_domain::wire::{DeliveryStatus, Sender, Template};
use sidechat_domain::{E164, Provider};

use super::{Outgoing, SendError};
use crate::ingest::Ingest;
use crate::store::{InboundMessage, WorkspaceId};

/// How long until a sent message shows as delivered.
pub const DELIVERED_AFTER: Duration = Duration::from_millis(800);
/// How long until it shows as read.
pub const READ_AFTER: Duration = Duration::from_millis(1600);
/// How long until a question gets its answer.
pub const REPLY_AFTER: Duration = Duration::from_millis(2000);

/// The sandbox provider.
pub struct Sandbox {
    ingest: Ingest,
    workspace: WorkspaceId,
    senders: Vec<Sender>,
}

/// The demo's own sandbox numbers, in Germany and Brazil: the relay's settings' connection in demo mode.
pub fn demo_senders() -> Vec<Sender> {
    [("sandbox-de", "+4930901820", "Sandbox Berlin"), ("sandbox-br", "+551133334444", "Sandbox São Paulo")]
        .into_iter()
        .map(|(id, phone, label)| Sender {
            id: id.to_owned(),
            phone: E164::parse(phone).expect("a valid sandbox number"),
            label: label.to_owned(),
            provider: Provider::Sandbox,
        })
        .collect()
}

/// A new sandbox number (Berlin, `+49 30 9018 3xxx`) and its sender id, the `attempt`-th candidate: a connect
/// tries a few until one is free.
pub fn new_number(attempt: u32) -> (String, E164) {
    use rand::Rng;
    let suffix: u32 = rand::rng().random_range(0..10_000);
    let phone = E164::parse(&format!("+49309018{:04}", (suffix + attempt) % 10_000)).expect("a valid Berlin number");
    (format!("sandbox-{}", phone.digits()), phone)
}

impl Sandbox {
    /// A sandbox with these numbers that reports through `ingest`, as a provider's webhooks would.
    pub fn new(ingest: Ingest, workspace: WorkspaceId, senders: Vec<Sender>) -> Self {
        Self { ingest, workspace, senders }
    }

    /// Its numbers.
    pub fn senders(&self) -> Vec<Sender> {
        self.senders.clone()
    }

    /// Two approved templates.
    pub fn templates(&self) -> Vec<Template> {
        vec![
            Template {
                name: "follow_up".to_owned(),
                language: "en_US".to_owned(),
                body: "Hello {{1}}, this is {{2}} following up on our conversation. Is now a good time to talk?"
                    .to_owned(),
                params: vec!["1".to_owned(), "2".to_owned()],
            },
            Template {
                name: "appointment_reminder".to_owned(),
                language: "en_US".to_owned(),
                body: "Hi {{1}}, a reminder of your appointment on {{2}}. Reply to confirm.".to_owned(),
                params: vec!["1".to_owned(), "2".to_owned()],
            },
        ]
    }

    /// Accepts the message and plays the customer's side of it.
    pub async fn send(&self, outgoing: &Outgoing) -> Result<String, SendError> {
        let provider_id = format!("sandbox-{}", uuid::Uuid::new_v4());
        let message = outgoing.message.clone();
        let (ingest, workspace) = (self.ingest.clone(), self.workspace.clone());
        let id = provider_id.clone();
        tokio::spawn(async move {
            tokio::time::sleep(DELIVERED_AFTER).await;
            report(&ingest, &workspace, &id, DeliveryStatus::Delivered).await;
            tokio::time::sleep(READ_AFTER - DELIVERED_AFTER).await;
            report(&ingest, &workspace, &id, DeliveryStatus::Read).await;
            if message.body.trim_end().ends_with('?') {
                tokio::time::sleep(REPLY_AFTER - READ_AFTER).await;
                let reply = InboundMessage {
                    id: uuid::Uuid::now_v7().to_string(),
                    provider_id: format!("sandbox-reply-{id}"),
                    sender_id: message.sender_id.clone(),
                    business_phone: message.business_phone.clone(),
                    contact: message.contact.clone(),
                    body: answer(&message.body),
                    attachment_ids: Vec::new(),
                    at: jiff::Timestamp::now().as_millisecond(),
                };
                if let Err(error) = ingest.inbound(&workspace, reply).await {
                    tracing::warn!(error = format!("{error:#}"), "sandbox reply not logged");
                }
            }
        });
        Ok(provider_id)
    }
}

async fn report(ingest: &Ingest, workspace: &WorkspaceId, provider_id: &str, status: DeliveryStatus) {
    if let Err(error) = ingest.status(workspace, provider_id, status, None).await {
        tracing::warn!(error = format!("{error:#}"), "sandbox status not applied");
    }
}

/// The sandbox customer's answer to a question.
fn answer(question: &str) -> String {
    let question: String = question.trim().chars().take(80).collect();
    format!("Thanks for asking! (sandbox reply to “{question}”)")
}
