//! Who is calling and in which workspace: `GET /api/v1/me`, the workspace's settings, and the ticket that opens
//! an event stream without putting a credential in a URL.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::rfc3339;

/// What a user may do in their workspace, from their role in the CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A CRM administrator: also manages the workspace.
    Admin,
    /// Everyone else.
    Member,
}

/// A Sidechat user as others see them: the author of a message, the owner of a canned text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The user's id in Sidechat.
    pub id: String,
    /// Their name, as the CRM gives it.
    pub name: String,
}

/// The calling user (`GET /api/v1/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeUser {
    /// The user's id in Sidechat.
    pub id: String,
    /// Their name, as the CRM gives it (empty until the CRM told it).
    pub name: String,
    /// Their email, when the CRM told it.
    pub email: Option<String>,
    /// Their role.
    pub role: Role,
}

/// The calling user's workspace (`GET /api/v1/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeWorkspace {
    /// The workspace's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its time zone (IANA), in which a message's day is counted.
    pub time_zone: String,
    /// Whether it has a WhatsApp connection to send from.
    pub whatsapp_connected: bool,
}

/// `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeResponse {
    /// The calling user.
    pub user: MeUser,
    /// Their workspace.
    pub workspace: MeWorkspace,
}

/// `GET|PUT /api/v1/admin/workspace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSettings {
    /// The workspace's name.
    pub name: String,
    /// Its time zone (IANA).
    pub time_zone: String,
}

/// `POST /api/v1/events/ticket`: the number whose stream the ticket opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRequest {
    /// The customer's number, E.164.
    pub phone: String,
}

/// A single-use ticket for `GET /api/v1/events?phone=…&ticket=…`, bound to the user and the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketResponse {
    /// The ticket.
    pub ticket: String,
    /// Until when it may be used.
    #[serde(with = "rfc3339")]
    pub expires_at: Timestamp,
}

/// `event: expiring` on a stream: it ends at `ends_at`; open a new one with a fresh ticket before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringEvent {
    /// When the relay ends the stream.
    #[serde(with = "rfc3339")]
    pub ends_at: Timestamp,
}
