//! Status polling, for providers that send no status webhooks (TimelinesAI). Every interval, each TimelinesAI
//! connection asks for the statuses of its messages sent but not yet read, least recently asked first
//! (round-robin, so new messages get their ticks even when many old ones stay `delivered`), and feeds what it
//! hears to [`Ingest::status`], like a webhook's. A message is asked about until it is read or failed, for at
//! most [`POLL_FOR`] after it was accepted, and at most [`DELIVERED_FOR`] after it was delivered (customers with
//! read receipts off never read). The relay's request budget (`TIMELINES_REQUESTS_PER_SECOND`) paces the calls;
//! each round asks for at most what the budget allows in an interval, shared by the connections.

use std::sync::Arc;
use std::time::Duration;

use sidechat_domain::wire::DeliveryStatus;
use tokio_util::sync::CancellationToken;

use crate::ingest::Ingest;
use crate::whatsapp::{Connection, WhatsApp};

/// How long after it was accepted a message's status is still asked for.
pub const POLL_FOR: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long after it was delivered a message's status is still asked for.
pub const DELIVERED_FOR: Duration = Duration::from_secs(48 * 3600);

/// Polls every TimelinesAI connection every `interval` until `stop` is cancelled, spending at most
/// `per_second` × `interval` requests a round.
pub async fn run(
    ingest: Ingest,
    whatsapp: Arc<WhatsApp>,
    interval: Duration,
    per_second: u32,
    stop: CancellationToken,
) {
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
        if connections.is_empty() {
            continue;
        }
        let budget = (f64::from(per_second) * interval.as_secs_f64()).floor() as i64;
        let each = (budget / connections.len() as i64).max(1);
        let rounds = connections.iter().map(|connection| round(&ingest, connection, interval, each));
        tokio::select! {
            () = stop.cancelled() => return,
            _ = futures::future::join_all(rounds) => {}
        }
    }
}

/// One pass over up to `limit` of a connection's messages awaiting a status.
async fn round(ingest: &Ingest, connection: &Connection, interval: Duration, limit: i64) {
    let (workspace, provider) = (connection.workspace(), &connection.provider);
    let senders: Vec<String> = connection.known_senders().await.into_iter().map(|sender| sender.id).collect();
    let now = ingest.clock.millis();
    let since = now - POLL_FOR.as_millis() as i64;
    let delivered_since = now - DELIVERED_FOR.as_millis() as i64;
    // Not one asked within the last interval (by this relay or another).
    let asked_before = now - interval.as_millis() as i64 + 1;
    let due = ingest.store.claim_polls(workspace, &senders, since, delivered_since, asked_before, now, limit).await;
    let due = match due {
        Ok(due) => due,
        Err(error) => {
            tracing::error!(error = %error, "reading the messages awaiting a status");
            return;
        }
    };
    for (id, provider_id) in due {
        let status = match provider.status(&provider_id).await {
            Ok(Some(status)) => status,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(message = %id, error = format!("{error:#}"), "polling a delivery status");
                continue;
            }
        };
        let error = (status == DeliveryStatus::Failed)
            .then_some(("provider_failed", "the provider reported that the message could not be sent"));
        if let Err(error) = ingest.status(workspace, &provider_id, status, error).await {
            tracing::error!(message = %id, error = format!("{error:#}"), "applying a polled status");
        }
    }
}
