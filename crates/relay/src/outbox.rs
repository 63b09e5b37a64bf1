//! The durable outbox: every accepted message is stored as `queued` before the widget hears 202, and this
//! worker sends queued messages until each is sent or refused for good.
//!
//! Each attempt holds a lease on its message ([`crate::store`]'s outbox) that lasts past the longest the attempt
//! may take ([`Policy::attempt`]); every way an attempt can end records an outcome, and a lease that runs out
//! anyway (a killed relay, a database that stopped answering) makes the message due again for any worker.
//!
//! Throttling (429, the Cloud API's rate codes) is retried with exponential backoff and jitter. A timeout, a 5xx
//! or an answer without a message id leaves the outcome unknown: where the provider lets us look (TimelinesAI),
//! the next attempt checks whether the message went out before sending it again. Where it cannot (the Cloud API),
//! it is sent again: the one case where a customer may receive a message twice. Every such send is counted in
//! `sidechat_resends_total`, by cause: `after_unknown` (the earlier attempt's outcome was unknown) or
//! `after_restart` (the earlier attempt's lease ran out: its relay stopped mid-send).

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use sidechat_domain::wire::{DeliveryStatus, MessageError, StatusEvent, TemplateSend};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::files::Files;
use crate::ingest::Ingest;
use crate::metrics::{ResendCause, SendResult};
use crate::providers::{Outgoing, OutgoingFile, Provider, SendError, pick_sent};
use crate::store::{Bytes, Earlier, OutboxItem, SendOutcome, WorkspaceId};
use crate::whatsapp::WhatsApp;

/// How many sends may be under way at once.
const CONCURRENT_SENDS: usize = 32;
/// After this many attempts a message is failed.
pub const MAX_ATTEMPTS: i64 = 12;
/// The longest wait between two attempts unless `SIDECHAT_RETRY_MAX_WAIT_MS` says otherwise.
pub const MAX_WAIT: Duration = Duration::from_secs(300);
/// How long to sleep when nothing is due and nothing wakes the worker.
const IDLE: Duration = Duration::from_secs(30);
/// How long to wait after the outbox could not be read before reading it again.
const AFTER_ERROR: Duration = Duration::from_secs(1);
/// How much longer a lease lasts than the attempt it covers: room for clocks that differ between relays.
const LEASE_MARGIN: Duration = Duration::from_secs(10);
/// The waits between tries to record an outcome the database did not take.
const RECORD_RETRIES: [Duration; 3] = [Duration::from_millis(200), Duration::from_secs(1), Duration::from_secs(5)];

/// How long the calls of a send attempt may take, and how long to wait between attempts.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// The call that sends the message (`SIDECHAT_SEND_TIMEOUT_MS`).
    pub send: Duration,
    /// Any other provider call, a file upload included (`SIDECHAT_PROVIDER_TIMEOUT_MS`).
    pub provider: Duration,
    /// The longest wait between two attempts (`SIDECHAT_RETRY_MAX_WAIT_MS`).
    pub max_wait: Duration,
}

impl Policy {
    /// The longest an attempt may take, looking for an earlier send and uploading a file included: past it, its
    /// outcome is unknown.
    pub fn attempt(&self) -> Duration {
        self.send + self.provider * 2
    }

    /// How long a claim holds a message.
    pub fn lease(&self) -> Duration {
        self.attempt() + LEASE_MARGIN
    }
}

/// Runs the outbox until `stop` is cancelled, then lets the sends under way finish.
///
/// The worker claims due messages only when some may be waiting: at start, when `wake` says a message was
/// queued, when the next retry or lease end falls due, or when a claim filled every free slot and a slot frees
/// up. A send that finishes otherwise costs no query; its retry time, if any, comes back from the attempt.
pub async fn run(ingest: Ingest, whatsapp: Arc<WhatsApp>, policy: Policy, wake: Arc<Notify>, stop: CancellationToken) {
    let mut in_flight = JoinSet::new();
    // Whether due messages may be waiting unclaimed.
    let mut backlog = true;
    // The earliest known time a message not yet claimed falls due (ms).
    let mut next_due: Option<i64> = None;
    let clock = ingest.clock.clone();
    loop {
        let room = CONCURRENT_SENDS.saturating_sub(in_flight.len());
        if backlog && room > 0 {
            let now = clock.millis();
            let lease_until = now + policy.lease().as_millis() as i64;
            match ingest.store.claim_due(now, lease_until, room as i64).await {
                Ok(claimed) => {
                    backlog = claimed.claimed == room;
                    for item in claimed.items {
                        let (ingest, whatsapp) = (ingest.clone(), whatsapp.clone());
                        in_flight.spawn(async move { attempt(&ingest, &whatsapp, policy, item).await });
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
        let wait = next_due
            .map_or(IDLE, |due| Duration::from_millis((due - clock.millis()).clamp(0, IDLE.as_millis() as i64) as u64));
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
async fn attempt(ingest: &Ingest, whatsapp: &WhatsApp, policy: Policy, item: OutboxItem) -> Option<i64> {
    let OutboxItem { message, earlier } = item;
    let (id, workspace, contact) = (message.id.clone(), message.workspace.clone(), message.contact.clone());
    let attempts = message.attempts;
    let claim = Claim { workspace: &workspace, contact: &contact, id: &id, attempts };
    let retry_later = |unknown: bool| SendOutcome::Retry {
        at: ingest.clock.millis() + backoff(attempts, policy.max_wait).as_millis() as i64,
        unknown: unknown || earlier != Earlier::NotSent,
    };
    let connection = match whatsapp.for_outbox(&workspace, &message.sender_id).await {
        Ok(Some(connection)) => connection,
        Ok(None) => {
            // The number's connection was removed: nothing can send it.
            let outcome = SendOutcome::Failed {
                code: "unknown_sender".to_owned(),
                message: "the number's WhatsApp connection was removed before the message went out".to_owned(),
            };
            return record(ingest, claim, outcome).await;
        }
        Err(error) => {
            tracing::warn!(message = %id, error = format!("{error:#}"), "finding the connection of a queued message");
            return record(ingest, claim, retry_later(false)).await;
        }
    };
    let provider = connection.provider.as_ref();
    let outgoing = match outgoing(ingest, &workspace, message).await {
        Ok(outgoing) => outgoing,
        Err(Unsendable::Gone(outcome)) => return record(ingest, claim, outcome).await,
        Err(Unsendable::ForNow(error)) => {
            tracing::warn!(message = %id, error = format!("{error:#}"), "preparing a send");
            return record(ingest, claim, retry_later(false)).await;
        }
    };
    let started = std::time::Instant::now();
    let send = async {
        match earlier {
            Earlier::NotSent => provider.send(&outgoing).await,
            Earlier::Unknown | Earlier::Interrupted => {
                // An earlier attempt may have gone out: look before sending again, where the provider lets us.
                match find_sent(ingest, provider, &outgoing).await {
                    Ok(Some(provider_id)) => {
                        tracing::info!(message = %id, provider_id, "the earlier attempt went out: not sending again");
                        Ok(provider_id)
                    }
                    Ok(None) => {
                        let cause = if earlier == Earlier::Interrupted {
                            ResendCause::AfterRestart
                        } else {
                            ResendCause::AfterUnknown
                        };
                        ingest.metrics.resend(cause);
                        tracing::warn!(message = %id, cause = cause.label(), "sending again a message whose earlier attempt may have gone out");
                        provider.send(&outgoing).await
                    }
                    Err(error) => {
                        Err(SendError::Unknown { reason: format!("checking for an earlier send: {error:#}") })
                    }
                }
            }
        }
    };
    let result = tokio::time::timeout(policy.attempt(), send).await.unwrap_or_else(|_| {
        Err(SendError::Unknown { reason: format!("the attempt took longer than {:?}", policy.attempt()) })
    });
    ingest.metrics.provider_latency(started.elapsed().as_secs_f64());
    let now = ingest.clock.millis();
    let outcome = match result {
        Ok(provider_id) => {
            ingest.metrics.send(SendResult::Sent);
            SendOutcome::Sent { provider_id }
        }
        Err(SendError::Permanent { code, message }) => {
            ingest.metrics.send(SendResult::Failed);
            tracing::info!(message = %id, code, reason = message, "provider refused the message");
            SendOutcome::Failed { code, message }
        }
        Err(SendError::Retryable { reason, .. } | SendError::Unknown { reason }) if attempts >= MAX_ATTEMPTS => {
            ingest.metrics.send(SendResult::Failed);
            SendOutcome::Failed {
                code: "retries_exhausted".to_owned(),
                message: format!("gave up after {attempts} attempts: {reason}"),
            }
        }
        Err(SendError::Retryable { reason, retry_after }) => {
            ingest.metrics.send(SendResult::Retry);
            // The provider's own wait is honoured (up to the default longest wait), even above a shorter setting.
            let delay = retry_after.map_or_else(|| backoff(attempts, policy.max_wait), |after| after.min(MAX_WAIT));
            tracing::info!(message = %id, reason, delay_ms = delay.as_millis() as u64, "retrying later");
            SendOutcome::Retry { at: now + delay.as_millis() as i64, unknown: earlier != Earlier::NotSent }
        }
        Err(SendError::Unknown { reason }) => {
            ingest.metrics.send(SendResult::Retry);
            let delay = backoff(attempts, policy.max_wait);
            tracing::warn!(message = %id, reason, delay_ms = delay.as_millis() as u64, "outcome unknown, checking later");
            SendOutcome::Retry { at: now + delay.as_millis() as i64, unknown: true }
        }
    };
    record(ingest, claim, outcome).await
}

/// The provider's id for `outgoing` if an earlier attempt sent it: of what the provider shows, not a message the
/// log already holds (an earlier one with the same text), and the closest after acceptance.
async fn find_sent(ingest: &Ingest, provider: &Provider, outgoing: &Outgoing) -> anyhow::Result<Option<String>> {
    let candidates = provider.find_sent(outgoing).await?;
    if candidates.is_empty() {
        return Ok(None);
    }
    let uids: Vec<String> = candidates.iter().map(|c| c.uid.clone()).collect();
    let known = ingest.store.known_provider_ids(&outgoing.message.workspace, &uids).await?;
    Ok(pick_sent(candidates, outgoing.message.created_at, |uid| known.contains(uid)))
}

/// The claim an attempt holds.
#[derive(Clone, Copy)]
struct Claim<'a> {
    workspace: &'a WorkspaceId,
    contact: &'a sidechat_domain::E164,
    id: &'a str,
    /// The attempt number the claim counted: the outcome is recorded only while the message is still its.
    attempts: i64,
}

/// Records what an attempt came to and tells the open streams; returns when to try again (ms), if it is to be.
///
/// The database may refuse for a moment: the outcome is tried again a few times. If it still cannot be recorded,
/// the claim's lease runs out and another attempt takes the message (and, knowing the outcome is unknown, looks
/// before sending again where the provider lets it).
async fn record(ingest: &Ingest, claim: Claim<'_>, outcome: SendOutcome) -> Option<i64> {
    let Claim { workspace, contact, id, attempts } = claim;
    let mut outcome = outcome;
    let mut waits = RECORD_RETRIES.iter();
    let recorded = loop {
        match ingest.store.record_outcome(workspace, id, &outcome, Some(attempts), ingest.clock.millis()).await {
            Ok(recorded) => break recorded,
            // The provider id is another message's: what was taken for this one's earlier send was not it. Look
            // again at once.
            Err(sqlx::Error::Database(error))
                if error.is_unique_violation() && matches!(outcome, SendOutcome::Sent { .. }) =>
            {
                tracing::warn!(message = %id, "the provider id found is another message's: looking again");
                outcome = SendOutcome::Retry { at: ingest.clock.millis(), unknown: true };
            }
            Err(error) => match waits.next() {
                Some(wait) => {
                    tracing::warn!(message = %id, error = %error, "recording a send's outcome; trying again");
                    tokio::time::sleep(*wait).await;
                }
                None => {
                    tracing::error!(message = %id, error = %error, "could not record a send's outcome: its lease will run out and another attempt will settle it");
                    return None;
                }
            },
        }
    };
    let Some(status) = recorded else {
        tracing::warn!(message = %id, "the message's lease ran out before its outcome was recorded: another attempt has it");
        return None;
    };
    let error = match &outcome {
        SendOutcome::Retry { at, .. } => return Some(*at),
        SendOutcome::Failed { code, message } if status == DeliveryStatus::Failed => {
            Some(MessageError { code: code.clone(), message: message.clone() })
        }
        _ => None,
    };
    ingest.publish_status_event(workspace, contact.as_str(), StatusEvent { id: id.to_owned(), status, error });
    if let SendOutcome::Sent { provider_id } = &outcome
        && let Err(error) = ingest.sent(workspace, provider_id).await
    {
        tracing::error!(message = %id, error = format!("{error:#}"), "applying status reports that came before the send was recorded");
    }
    None
}

/// The wait before attempt `attempts + 1`: doubling from half a second, with ±50 % jitter, never more than `cap`.
pub fn backoff(attempts: i64, cap: Duration) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1u32 << attempts.clamp(0, 16) as u32);
    base.mul_f64(rand::rng().random_range(0.5..1.5)).min(cap)
}

/// Why a claimed message could not be handed to its provider.
enum Unsendable {
    /// It never can be: this outcome says why.
    Gone(SendOutcome),
    /// Not now (the database did not answer).
    ForNow(anyhow::Error),
}

async fn outgoing(
    ingest: &Ingest,
    workspace: &WorkspaceId,
    message: crate::store::MessageRow,
) -> Result<Outgoing, Unsendable> {
    let missing = |name: &str| {
        Unsendable::Gone(SendOutcome::Failed {
            code: "attachment_missing".to_owned(),
            message: format!("the file {name} is no longer stored"),
        })
    };
    let mut attachments = Vec::with_capacity(message.attachments.len());
    for listed in &message.attachments {
        let found = ingest.store.attachment(workspace, &listed.id).await.map_err(|e| Unsendable::ForNow(e.into()))?;
        let file = match found {
            Some((meta, Bytes::Database(data))) => OutgoingFile::bytes(meta, data),
            Some((meta, Bytes::Files)) => {
                let key = Files::key(workspace, &meta.id);
                match ingest.files.readable(&key).await {
                    Ok(_) => OutgoingFile::in_files(meta, ingest.files.clone(), key),
                    Err(object_store::Error::NotFound { .. }) => return Err(missing(&listed.name)),
                    Err(other) => return Err(Unsendable::ForNow(other.into())),
                }
            }
            None | Some((_, Bytes::Pending)) => return Err(missing(&listed.name)),
        };
        attachments.push(file);
    }
    let template = match message.template.as_deref().map(serde_json::from_str::<TemplateSend>).transpose() {
        Ok(template) => template,
        Err(error) => {
            return Err(Unsendable::Gone(SendOutcome::Failed {
                code: "unreadable".to_owned(),
                message: format!("the message's template could not be read back: {error}"),
            }));
        }
    };
    Ok(Outgoing { message, attachments, template })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        for cap in [MAX_WAIT, Duration::from_secs(8)] {
            for attempts in 0..40 {
                let delay = backoff(attempts, cap);
                let base = Duration::from_millis(500).saturating_mul(1u32 << attempts.clamp(0, 16) as u32);
                assert!(delay >= base.mul_f64(0.5).min(cap), "attempt {attempts}: {delay:?}");
                assert!(delay <= base.mul_f64(1.5).min(cap), "attempt {attempts}: {delay:?}");
            }
        }
    }
}
