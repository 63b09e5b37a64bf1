//! Live updates for the widget: new messages and status changes, per customer number, fanned out to every
//! open `GET /api/v1/events` stream.

use sidechat_domain::wire::{Message, StatusEvent};
use tokio::sync::broadcast;

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
}

/// An event and the customer number it concerns.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The workspace whose conversation it is.
    pub workspace: WorkspaceId,
    /// The customer's number, E.164.
    pub contact: String,
    /// What happened.
    pub event: Event,
}

/// The fan-out. Slow streams miss events rather than hold others back; the widget reloads on reconnect.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<Envelope>,
}

impl Default for Events {
    fn default() -> Self {
        Self { sender: broadcast::channel(1024).0 }
    }
}

impl Events {
    /// Tells every open stream.
    pub fn publish(&self, workspace: &WorkspaceId, contact: &str, event: Event) {
        // No receiver is no error: nobody is watching.
        let _ = self.sender.send(Envelope { workspace: workspace.clone(), contact: contact.to_owned(), event });
    }

    /// A new stream of everything published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Envelope> {
        self.sender.subscribe()
    }
}
