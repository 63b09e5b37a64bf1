//! Live updates for the widget: new messages and status changes, per customer number, fanned out to every
//! open `GET /api/v1/events` stream, on this relay and, on PostgreSQL, on every relay sharing the database.
//!
//! In this process a broadcast channel carries the events. A stream that falls behind it is told to re-read the
//! history (`event: reload`) instead of silently missing events. Between relays, each event goes out as a
//! PostgreSQL `NOTIFY` naming what changed (never the message itself: a notification holds 8000 bytes); the
//! other relays read it from the database and tell their own streams ([`crate::fanout`]).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sidechat_domain::wire::{Message, StatusEvent};
use tokio::sync::{broadcast, mpsc};

use crate::store::WorkspaceId;

/// Something that happened to a conversation.
#[derive(Debug, Clone)]
pub enum Event {
    /// A message was logged (sent from the panel or received).
    Message(Message),
    /// A message's status moved.
    Status(StatusEvent),
    /// An admin erased the conversation: its streams end.
    Erased,
    /// Events may have been missed: the stream's reader re-reads the history.
    Reload,
}

/// An event and the conversation it concerns.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The workspace whose conversation it is.
    pub workspace: WorkspaceId,
    /// The customer's number, E.164.
    pub contact: String,
    /// What happened.
    pub event: Event,
    /// For every stream of every conversation (events between relays may have been missed).
    pub everyone: bool,
}

/// What one relay tells the others: which conversation changed and how, to be read from the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The relay it comes from, for an erasure (which that relay told its own streams of); empty for the
    /// notices the database sends.
    #[serde(default)]
    pub relay: String,
    /// The workspace.
    pub workspace: String,
    /// The customer's number.
    pub contact: String,
    /// What happened.
    pub kind: NoticeKind,
    /// The message concerned, for a message or a status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// What a [`Notice`] says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A message was logged.
    Message,
    /// A message's status moved.
    Status,
    /// The conversation was erased.
    Erased,
}

/// The fan-out. A slow stream is told to reload rather than hold others back.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<Envelope>,
    /// Where notices for the other relays go, on PostgreSQL.
    others: Option<(Arc<str>, mpsc::UnboundedSender<Notice>)>,
}

/// How many events a stream may fall behind before it is told to reload.
const BACKLOG: usize = 1024;

impl Default for Events {
    fn default() -> Self {
        Self { sender: broadcast::channel(BACKLOG).0, others: None }
    }
}

impl Events {
    /// A fan-out that also tells the other relays, through `notices`, as relay `relay_id`.
    pub fn shared(relay_id: &str, notices: mpsc::UnboundedSender<Notice>) -> Self {
        Self { sender: broadcast::channel(BACKLOG).0, others: Some((Arc::from(relay_id), notices)) }
    }

    /// Tells every open stream of the conversation, here and on the other relays.
    pub fn publish(&self, workspace: &WorkspaceId, contact: &str, event: Event) {
        match (&self.others, &event) {
            // On PostgreSQL a logged message and a status change come back to every relay, this one included,
            // from the database (a trigger, migration 0010), in commit order: told from here as well, a stream
            // could see a status older than one it was already told.
            (Some(_), Event::Message(_) | Event::Status(_)) => return,
            (Some((relay, notices)), Event::Erased) => {
                let notice = Notice {
                    relay: relay.to_string(),
                    workspace: workspace.as_str().to_owned(),
                    contact: contact.to_owned(),
                    kind: NoticeKind::Erased,
                    id: None,
                };
                // The task that sends notices ends only with the relay.
                let _ = notices.send(notice);
            }
            _ => {}
        }
        self.publish_here(workspace, contact, event);
    }

    /// Whether any stream is open on this relay.
    pub fn watched(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    /// Tells this relay's open streams of the conversation only.
    pub fn publish_here(&self, workspace: &WorkspaceId, contact: &str, event: Event) {
        // No receiver is no error: nobody is watching.
        let envelope = Envelope { workspace: workspace.clone(), contact: contact.to_owned(), event, everyone: false };
        let _ = self.sender.send(envelope);
    }

    /// Tells every open stream on this relay to reload (events from other relays may have been missed).
    pub fn reload_everyone(&self) {
        let workspace = WorkspaceId::trusted(String::new());
        let _ = self.sender.send(Envelope { workspace, contact: String::new(), event: Event::Reload, everyone: true });
    }

    /// A new stream of everything published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Envelope> {
        self.sender.subscribe()
    }
}
