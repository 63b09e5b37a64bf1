//! Where inbound messages and delivery statuses enter the log, from provider webhooks, status polling and the
//! sandbox alike: deduplicated, never moving a status backwards, and told to open event streams.

use std::sync::Arc;

use sidechat_domain::wire::{DeliveryStatus, StatusEvent};

use crate::clock::Clock;
use crate::events::{Event, Events};
use crate::metrics::{EventKind, Metrics};
use crate::present;
use crate::signing::UrlSigner;
use crate::store::{InboundMessage, MessageRow, StatusApplied, Store, WorkspaceId};

/// What ingestion needs; cheap to clone.
#[derive(Clone)]
pub struct Ingest {
    /// The log.
    pub store: Store,
    /// The live streams.
    pub events: Events,
    /// Attachment URLs in published messages.
    pub signer: Arc<UrlSigner>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Now, for rules that depend on time.
    pub clock: Clock,
    /// Where file bytes are kept.
    pub files: crate::files::Files,
}

impl Ingest {
    /// Logs an inbound message once, however often the provider delivers it; true if it was new.
    pub async fn inbound(&self, workspace: &WorkspaceId, message: InboundMessage) -> anyhow::Result<bool> {
        let new = self.store.insert_inbound(workspace, &message).await?;
        self.metrics.webhook_event(EventKind::Message, new);
        if new && let Some(row) = self.store.message(workspace, &message.id).await? {
            self.publish_message(&row);
        }
        Ok(new)
    }

    /// Applies a status report for the provider's message id; true if it changed the status.
    ///
    /// A report for an id the log does not hold yet (a webhook that beat the recording of the send) is kept and
    /// applied by [`Self::sent`] once the id is recorded. Both sides look again after writing, so a report and
    /// a recording that cross are applied all the same.
    pub async fn status(
        &self,
        workspace: &WorkspaceId,
        provider_id: &str,
        status: DeliveryStatus,
        error: Option<(&str, &str)>,
    ) -> anyhow::Result<bool> {
        let now = self.clock.millis();
        let applied = self.store.apply_status(workspace, provider_id, status, error, now).await?;
        if applied == StatusApplied::Unknown {
            self.store.keep_early_status(workspace, provider_id, status, error, now).await?;
            self.metrics.webhook_event(EventKind::EarlyStatus, true);
            // The send may have been recorded meanwhile, and have looked for early reports before this one.
            if self.store.message_by_provider_id(workspace, provider_id).await?.is_some() {
                return self.sent(workspace, provider_id).await;
            }
            return Ok(false);
        }
        self.metrics.webhook_event(EventKind::Status, matches!(applied, StatusApplied::Changed { .. }));
        self.published(workspace, applied).await
    }

    /// Applies the status reports that came before the send's provider id was recorded; true if one changed
    /// the status.
    pub async fn sent(&self, workspace: &WorkspaceId, provider_id: &str) -> anyhow::Result<bool> {
        let mut changed = false;
        for early in self.store.take_early_statuses(workspace, provider_id).await? {
            let error = early.error.as_ref().map(|(code, message)| (code.as_str(), message.as_str()));
            let now = self.clock.millis();
            let applied = self.store.apply_status(workspace, provider_id, early.status, error, now).await?;
            changed |= self.published(workspace, applied).await?;
        }
        Ok(changed)
    }

    /// Tells the streams about a status change, if there was one.
    async fn published(&self, workspace: &WorkspaceId, applied: StatusApplied) -> anyhow::Result<bool> {
        let StatusApplied::Changed { id, status } = applied else { return Ok(false) };
        if let Some(row) = self.store.message(workspace, &id).await? {
            self.publish_status(&row, status);
        }
        Ok(true)
    }

    /// Tells the streams about a logged message.
    pub fn publish_message(&self, row: &MessageRow) {
        self.events.publish(&row.workspace, row.contact.as_str(), Event::Message(present::message(row, &self.signer)));
    }

    /// Tells the streams about a message's new status.
    pub fn publish_status(&self, row: &MessageRow, status: DeliveryStatus) {
        let error = present::message(row, &self.signer).error;
        self.publish_status_event(
            &row.workspace,
            row.contact.as_str(),
            StatusEvent { id: row.id.clone(), status, error },
        );
    }

    /// Tells the streams of one customer number about a status change.
    pub fn publish_status_event(&self, workspace: &WorkspaceId, contact: &str, event: StatusEvent) {
        self.events.publish(workspace, contact, Event::Status(event));
    }
}
