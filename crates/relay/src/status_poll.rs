//! Status polling, for providers that send no status webhooks (TimelinesAI): every interval, each outbound
//! message sent but not yet read is looked up and its status fed to [`Ingest::status`], like a webhook's.
//! A message is polled until it is read (or failed), for at most [`POLL_FOR`].

use std::time::Duration;

use sidechat_domain::wire::DeliveryStatus;
use tokio_util::sync::CancellationToken;

use std::sync::Arc;

use crate::ingest::Ingest;
use crate::whatsapp::{Connection, WhatsApp};

/// How long after it was accepted a message's status is still polled.
pub const POLL_FOR: Duration = Duration::from_secs(7 * 24 * 3600);
/// The most messages looked up in one round.
const PER_ROUND: i64 = 500;

/// Polls every TimelinesAI connection every `interval` until `stop` is cancelled.
pub async fn run(ingest: Ingest, whatsapp: Arc<WhatsApp>, interval: Duration, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(interval) => {}
        }
        let connections = match whatsapp.all_of(sidechat_domain::Provider::Timelines).await {
            Ok(connections) => connections,
            Err(error) => {
                tracing::error!(error = %error, "reading the connections to poll");
                continue;
            }
        };
        for connection in connections {
            tokio::select! {
                () = stop.cancelled() => return,
                () = round(&ingest, &connection) => {}
            }
        }
    }
}

/// One pass over the messages awaiting a status.
async fn round(ingest: &Ingest, connection: &Connection) {
    let (workspace, provider) = (connection.workspace(), &connection.provider);
    let since = jiff::Timestamp::now().as_millisecond() - POLL_FOR.as_millis() as i64;
    let pending = match ingest.store.unread_sent(workspace, since, PER_ROUND).await {
        Ok(pending) => pending,
        Err(error) => {
            tracing::error!(error = %error, "reading the messages awaiting a status");
            return;
        }
    };
    if pending.is_empty() {
        return;
    }
    // A workspace may have several connections: each asks only about the messages of its own numbers.
    let senders = match provider.senders().await {
        Ok(senders) => senders,
        Err(error) => {
            tracing::warn!(connection = %connection.row.id, error = format!("{error:#}"), "listing senders to poll");
            return;
        }
    };
    for message in pending {
        if !senders.iter().any(|sender| sender.id == message.sender_id) {
            continue;
        }
        let Some(provider_id) = message.provider_id.as_deref() else { continue };
        let status = match provider.status(provider_id).await {
            Ok(Some(status)) => status,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(message = %message.id, error = format!("{error:#}"), "polling a delivery status");
                continue;
            }
        };
        let error = (status == DeliveryStatus::Failed)
            .then_some(("provider_failed", "the provider reported that the message could not be sent"));
        if let Err(error) = ingest.status(workspace, provider_id, status, error).await {
            tracing::error!(message = %message.id, error = format!("{error:#}"), "applying a polled status");
        }
    }
}
