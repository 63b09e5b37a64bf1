//! Where inbound messages and delivery statuses enter the log, from provider webhooks, status polling and the
//! sandbox alike: deduplicated, never moving a status backwards, and told to open event streams.

use std::sync::Arc;

use sidechat_domain::wire::{DeliveryStatus, StatusEvent};

use crate::events::{Event, Events};
use crate::metrics::Metrics;
use crate::present;
use crate::signing::UrlSigner;
use crate::store::{InboundMessage, MessageRow, Store, WorkspaceId};

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
}

impl Ingest {
    /// Logs an inbound message once, however often the provider delivers it; true if it was new.
    pub async fn inbound(&self, workspace: &WorkspaceId, message: InboundMessage) -> anyhow::Result<bool> {
        let new = self.store.insert_inbound(workspace, &message).await?;
        self.metrics.webhook_event("message", new);
        if new && let Some(row) = self.store.message(workspace, &message.id).await? {
            self.publish_message(&row);
        }
        Ok(new)
    }

    /// Applies a status report for the provider's message id; true if it changed the status.
    pub async fn status(
        &self,
        workspace: &WorkspaceId,
        provider_id: &str,
        status: DeliveryStatus,
        error: Option<(&str, &str)>,
    ) -> anyhow::Result<bool> {
        let now = jiff::Timestamp::now().as_millisecond();
        let changed = self.store.apply_status(workspace, provider_id, status, error, now).await?;
        self.metrics.webhook_event("status", changed.is_some());
        let Some((id, status)) = changed else { return Ok(false) };
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
