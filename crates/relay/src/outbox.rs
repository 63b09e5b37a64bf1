//! The durable outbox: every accepted message is stored as `queued` before the widget hears 202, and this
//! worker sends queued messages until each is sent or refused for good.
//!
//! Throttling (429, the Cloud API's rate codes) is retried with exponential backoff and jitter. A timeout or a
//! 5xx leaves the outcome unknown: where the provider lets us look, the worker checks whether the message went
//! out before sending it again. A message that was in flight when the relay stopped is picked up on restart;
//! for providers that cannot tell whether it went out, it is sent again (the one case where a repeat is
//! possible), and counted as `resent_after_restart`.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use sidechat_domain::wire::{DeliveryStatus, MessageError, StatusEvent, TemplateSend};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::ingest::Ingest;
use crate::providers::{Outgoing, SendError};
use crate::store::{OutboxItem, SendOutcome, WorkspaceId};
use crate::whatsapp::WhatsApp;

/// How many sends may be under way at once.
const CONCURRENT_SENDS: usize = 32;
/// After this many attempts a message is failed.
pub const MAX_ATTEMPTS: i64 = 12;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// How long to sleep when nothing is due and nothing wakes the worker.
const IDLE: Duration = Duration::from_secs(30);
/// How long to wait after the outbox could not be read before reading it again.
const AFTER_ERROR: Duration = Duration::from_secs(1);

/// Runs the outbox until `stop` is cancelled, then lets the sends under way finish.
///
/// The worker claims due messages only when some may be waiting: at start, when `wake` says a message was
/// queued, when the next retry falls due, or when a claim filled every free slot and a slot frees up. A send
/// that finishes otherwise costs no query; its retry time, if any, comes back from the attempt.
pub async fn run(ingest: Ingest, whatsapp: Arc<WhatsApp>, wake: Arc<Notify>, stop: CancellationToken) {
    let mut in_flight = JoinSet::new();
    // Whether due messages may be waiting unclaimed.
    let mut backlog = true;
    // The earliest known time a message not yet claimed falls due (ms).
    let mut next_due: Option<i64> = None;
    loop {
        let room = CONCURRENT_SENDS.saturating_sub(in_flight.len());
        if backlog && room > 0 {
            let now = jiff::Timestamp::now().as_millisecond();
            match ingest.store.claim_due(now, room as i64).await {
                Ok(items) => {
                    backlog = items.len() == room;
                    for item in items {
                        let (ingest, whatsapp) = (ingest.clone(), whatsapp.clone());
                        in_flight.spawn(async move { attempt(&ingest, &whatsapp, item).await });
                    }
                    if !backlog {
                        next_due = ingest.store.next_due().await.unwrap_or_else(|error| {
                            tracing::error!(error = %error, "reading when the outbox is next due");
                            Some(now + AFTER_ERROR.as_millis() as i64)
                        });
                    }
                }
                Err(error) => {
                    tracing::error!(error = %error, "reading the outbox");
                    (backlog, next_due) = (false, Some(now + AFTER_ERROR.as_millis() as i64));
                }
            }
        }
        let wait = next_due.map_or(IDLE, |due| {
            Duration::from_millis(
                (due - jiff::Timestamp::now().as_millisecond()).clamp(0, IDLE.as_millis() as i64) as u64
            )
        });
        tokio::select! {
            () = stop.cancelled() => break,
            () = wake.notified() => backlog = true,
            // With every slot taken, a due message waits for a slot, not for the clock.
            () = tokio::time::sleep(wait), if in_flight.len() < CONCURRENT_SENDS => (backlog, next_due) = (true, None),
            Some(joined) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Ok(Some(retry_at)) = joined {
                    next_due = Some(next_due.map_or(retry_at, |due| due.min(retry_at)));
                }
            }
        }
    }
    let unfinished = in_flight.len();
    if unfinished > 0 {
        tracing::info!(unfinished, "finishing sends under way before stopping");
    }
    while in_flight.join_next().await.is_some() {}
}

/// One send attempt, recorded whatever it comes to; returns when to try again (ms) if it is to be retried.
async fn attempt(ingest: &Ingest, whatsapp: &WhatsApp, item: OutboxItem) -> Option<i64> {
    let OutboxItem { message, interrupted } = item;
    let (id, workspace, contact) = (message.id.clone(), message.workspace.clone(), message.contact.clone());
    let connection = match whatsapp.for_outbox(&workspace, &message.sender_id).await {
        Ok(Some(connection)) => connection,
        Ok(None) => {
            // The number's connection was removed: nothing can send it.
            let outcome = SendOutcome::Failed {
                code: "unknown_sender".to_owned(),
                message: "the number's WhatsApp connection was removed before the message went out".to_owned(),
            };
            return record(ingest, &workspace, &contact, &id, outcome).await;
        }
        Err(error) => {
            tracing::warn!(message = %id, error = format!("{error:#}"), "finding the connection of a queued message");
            let at = jiff::Timestamp::now().as_millisecond() + backoff(message.attempts).as_millis() as i64;
            return record(ingest, &workspace, &contact, &id, SendOutcome::Retry { at }).await;
        }
    };
    let provider = connection.provider.as_ref();
    let outgoing = match outgoing(ingest, &workspace, message).await {
        Ok(outgoing) => outgoing,
        Err(error) => {
            tracing::error!(message = %id, error = format!("{error:#}"), "preparing a send");
            return None;
        }
    };
    let started = std::time::Instant::now();
    // The claim counted this attempt: more than one means an earlier attempt may have gone out.
    let result = if interrupted || outgoing.message.attempts > 1 {
        // An earlier attempt's outcome is unknown: look before sending again, where the provider lets us.
        match provider.find_sent(&outgoing).await {
            Ok(Some(provider_id)) => Ok(provider_id),
            Ok(None) => {
                if interrupted {
                    ingest.metrics.send("resent_after_restart");
                    tracing::warn!(message = %id, "resending a message that was in flight when the relay stopped");
                }
                provider.send(&outgoing).await
            }
            Err(error) => Err(SendError::Unknown { reason: format!("checking for an earlier send: {error:#}") }),
        }
    } else {
        provider.send(&outgoing).await
    };
    ingest.metrics.provider_latency(started.elapsed().as_secs_f64());
    let attempts = outgoing.message.attempts;
    let now = jiff::Timestamp::now().as_millisecond();
    let outcome = match result {
        Ok(provider_id) => {
            ingest.metrics.send("sent");
            SendOutcome::Sent { provider_id }
        }
        Err(SendError::Permanent { code, message }) => {
            ingest.metrics.send("failed");
            tracing::info!(message = %id, code, reason = message, "provider refused the message");
            SendOutcome::Failed { code, message }
        }
        Err(SendError::Retryable { reason, .. } | SendError::Unknown { reason }) if attempts >= MAX_ATTEMPTS => {
            ingest.metrics.send("failed");
            SendOutcome::Failed {
                code: "retries_exhausted".to_owned(),
                message: format!("gave up after {attempts} attempts: {reason}"),
            }
        }
        Err(SendError::Retryable { reason, retry_after }) => {
            ingest.metrics.send("retry");
            let delay = retry_after.unwrap_or_else(|| backoff(attempts)).min(MAX_BACKOFF);
            tracing::info!(message = %id, reason, delay_ms = delay.as_millis() as u64, "retrying later");
            SendOutcome::Retry { at: now + delay.as_millis() as i64 }
        }
        Err(SendError::Unknown { reason }) => {
            ingest.metrics.send("retry");
            let delay = backoff(attempts);
            tracing::warn!(message = %id, reason, delay_ms = delay.as_millis() as u64, "outcome unknown, checking later");
            SendOutcome::Retry { at: now + delay.as_millis() as i64 }
        }
    };
    record(ingest, &workspace, &contact, &id, outcome).await
}

/// Records what an attempt came to and tells the open streams; returns when to try again (ms), if it is to be.
async fn record(
    ingest: &Ingest,
    workspace: &WorkspaceId,
    contact: &sidechat_domain::E164,
    id: &str,
    outcome: SendOutcome,
) -> Option<i64> {
    let now = jiff::Timestamp::now().as_millisecond();
    match ingest.store.record_outcome(workspace, id, &outcome, now).await {
        Ok(status) => {
            let error = match &outcome {
                SendOutcome::Retry { at } => return Some(*at),
                SendOutcome::Failed { code, message } if status == DeliveryStatus::Failed => {
                    Some(MessageError { code: code.clone(), message: message.clone() })
                }
                _ => None,
            };
            let event = StatusEvent { id: id.to_owned(), status, error };
            ingest.publish_status_event(workspace, contact.as_str(), event);
            None
        }
        Err(error) => {
            tracing::error!(message = %id, error = %error, "recording a send's outcome");
            None
        }
    }
}

/// The wait before attempt `attempts + 1`: doubling from half a second, with ±50 % jitter.
pub fn backoff(attempts: i64) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1u32 << attempts.clamp(0, 16) as u32).min(MAX_BACKOFF);
    base.mul_f64(rand::rng().random_range(0.5..1.5))
}

async fn outgoing(
    ingest: &Ingest,
    workspace: &WorkspaceId,
    message: crate::store::MessageRow,
) -> anyhow::Result<Outgoing> {
    let mut attachments = Vec::with_capacity(message.attachments.len());
    for meta in &message.attachments {
        let file = ingest
            .store
            .attachment(workspace, &meta.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("attachment {} is gone", meta.id))?;
        attachments.push(file);
    }
    let template = message.template.as_deref().map(serde_json::from_str::<TemplateSend>).transpose()?;
    Ok(Outgoing { message, attachments, template })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        for attempts in 0..40 {
            let delay = backoff(attempts);
            let base = Duration::from_millis(500).saturating_mul(1u32 << attempts.clamp(0, 16) as u32).min(MAX_BACKOFF);
            assert!(delay >= base.mul_f64(0.5) && delay <= base.mul_f64(1.5), "attempt {attempts}: {delay:?}");
        }
        assert!(backoff(30) <= MAX_BACKOFF.mul_f64(1.5));
    }
}
