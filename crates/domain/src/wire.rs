//! The relay API's wire types, shared by the widget and the relay so both sides agree on every field name.
//!
//! Field names are fixed: outside tests read them. Timestamps travel as RFC 3339 in UTC; numbers as E.164.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::country::Country;
use crate::e164::E164;
use crate::provider::Provider;
use crate::window::ServiceWindow;

mod account;
mod admin;
mod error;
pub mod rfc3339;
mod status;

pub use account::{
    Author, ExpiringEvent, MeResponse, MeUser, MeWorkspace, Role, TicketRequest, TicketResponse, WorkspaceSettings,
};
pub use admin::{
    AdminLog, AdminLogEntry, ConnectRequest, ConnectionResponse, ConnectionUpdate, WhatsAppConnection,
    WhatsAppConnections, WorkspaceUser, WorkspaceUsers,
};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use status::DeliveryStatus;

/// The most characters (Unicode code points) a message body may have: WhatsApp's limit for text.
pub const MAX_BODY_CHARS: usize = 4096;

/// A phone number of a record, as stored and as Sidechat reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// The CRM's label for it (`work`, `mobile`, `Phone`, `Mobile`…).
    pub label: String,
    /// What the CRM stores, untouched.
    pub raw: String,
    /// The number in E.164; `null` for junk and for a number without country code when none was chosen.
    pub e164: Option<E164>,
    /// Whether the stored number lacks a country code, so the user must choose one.
    pub needs_country_code: bool,
    /// Whether the CRM marks it as the record's main number.
    pub primary: bool,
}

/// A stored phone number sent to be normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneInput {
    /// The CRM's label for it.
    pub label: String,
    /// What the CRM stores.
    pub raw: String,
    /// Whether it is the record's main number.
    #[serde(default)]
    pub primary: bool,
}

/// `POST /api/v1/phones/normalize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizeRequest {
    /// The numbers as stored.
    pub phones: Vec<PhoneInput>,
    /// The country to read numbers without country code in; none is assumed when absent.
    #[serde(default)]
    pub country: Option<Country>,
}

/// The answer to [`NormalizeRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizeResponse {
    /// The numbers, in the order asked.
    pub phones: Vec<Phone>,
}

/// What kind of CRM record the panel sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A Pipedrive person.
    Person,
    /// A Pipedrive deal: its phones are its person's.
    Deal,
}

impl RecordKind {
    /// The kind's wire name (also in the relay's record paths, and Pipedrive's `resource`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Deal => "deal",
        }
    }

    /// Reads a wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Person, Self::Deal].into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// A file attached to a CRM record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFile {
    /// The CRM's id for it.
    pub id: String,
    /// The file name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its MIME type (inferred from the name where the CRM gives none).
    pub mime: String,
}

/// A CRM record, with what the panel needs of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The CRM's id for it.
    pub id: String,
    /// Person or deal.
    pub kind: RecordKind,
    /// The person's name, or the deal's title.
    pub name: String,
    /// Its phone numbers (a deal's are its person's).
    pub phones: Vec<Phone>,
    /// Its files.
    pub files: Vec<RecordFile>,
    /// Field values keyed `Module.Field label`, as merge fields name them (a deal's hold its person's too).
    pub fields: BTreeMap<String, String>,
}

/// A connected WhatsApp number messages are sent from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// The provider's id for it (a Cloud API sender's `phone_number_id`).
    pub id: String,
    /// Its number.
    pub phone: E164,
    /// Its name for people.
    pub label: String,
    /// Which service carries it.
    pub provider: Provider,
}

/// `GET /api/v1/senders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendersResponse {
    /// Every connected sender number.
    pub senders: Vec<Sender>,
}

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the customer.
    In,
    /// To the customer.
    Out,
}

impl Direction {
    /// The direction's wire name (also the log's).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
        }
    }

    /// Reads a wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::In, Self::Out].into_iter().find(|d| d.as_str() == raw)
    }
}

/// Why a message failed: the provider's own code (as a string, e.g. `"131047"`) and its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageError {
    /// The provider's code.
    pub code: String,
    /// The provider's explanation.
    pub message: String,
}

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The relay's id for it.
    pub id: String,
    /// The file name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its MIME type.
    pub mime: String,
    /// A short-lived signed URL for its bytes.
    pub url: String,
}

/// A WhatsApp message in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The relay's id for it.
    pub id: String,
    /// In from the customer or out to them.
    pub direction: Direction,
    /// The sending number.
    pub from: E164,
    /// The receiving number.
    pub to: E164,
    /// The text (may be empty when attachments carry the message).
    pub body: String,
    /// The files it carries.
    pub attachments: Vec<Attachment>,
    /// Where it is on its way.
    pub status: DeliveryStatus,
    /// Why it failed, for a failed message.
    pub error: Option<MessageError>,
    /// When it was sent or received.
    #[serde(with = "rfc3339")]
    pub timestamp: Timestamp,
    /// The Sidechat user who sent it; `null` for inbound messages, messages sent outside Sidechat and those
    /// older than workspaces.
    #[serde(default)]
    pub author: Option<Author>,
}

impl Message {
    /// The customer's number: who wrote an inbound message, who receives an outbound one.
    pub fn contact(&self) -> &E164 {
        match self.direction {
            Direction::In => &self.from,
            Direction::Out => &self.to,
        }
    }
}

/// `GET /api/v1/messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagesResponse {
    /// The most recent messages with the number, oldest first.
    pub messages: Vec<Message>,
    /// The 24-hour window for the sender and number.
    pub window: ServiceWindow,
    /// The sender that last talked with the number.
    pub last_sender: Option<String>,
    /// The cursor of the page of older messages (`before`): `None` when this page starts the conversation.
    #[serde(default)]
    pub next_before: Option<String>,
}

/// A file to send, chosen from the record or uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttachmentRef {
    /// A file of the CRM record, which the relay fetches.
    RecordFile {
        /// The CRM's id of the file.
        record_file: String,
    },
    /// A file uploaded through `POST /api/v1/uploads`.
    Upload {
        /// The upload's id.
        upload: String,
    },
}

/// An approved template to send outside the window, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSend {
    /// The template's name.
    pub name: String,
    /// Its language code (`en_US`).
    pub language: String,
    /// The body parameters, in order.
    #[serde(default)]
    pub params: Vec<String>,
}

/// `POST /api/v1/messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRequest {
    /// The sender's id.
    pub from: String,
    /// The recipient, in E.164 or as stored.
    pub to: String,
    /// The country to read `to` in, only when it lacks a country code.
    #[serde(default)]
    pub country: Option<Country>,
    /// The text.
    #[serde(default)]
    pub body: String,
    /// Files to send.
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    /// An approved template, instead of free text.
    #[serde(default)]
    pub template: Option<TemplateSend>,
    /// The CRM record whose files are attached; required with any `record_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordRef>,
}

/// A CRM record a send names: the one whose files it attaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    /// A person or a deal.
    pub kind: RecordKind,
    /// Its id in the CRM.
    pub id: String,
}

/// Why a send request's content cannot be sent, before anything about sender or recipient is looked up.
pub fn check_body(request: &SendRequest) -> Result<(), ErrorCode> {
    let length = request.body.chars().count();
    if length > MAX_BODY_CHARS {
        return Err(ErrorCode::BodyTooLong);
    }
    if request.body.trim().is_empty() && request.attachments.is_empty() && request.template.is_none() {
        return Err(ErrorCode::EmptyMessage);
    }
    Ok(())
}

/// The answer to a send: the message as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResponse {
    /// The message, `queued` when first accepted.
    pub message: Message,
}

/// A file uploaded for a later send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// The upload's id, for [`AttachmentRef::Upload`].
    pub id: String,
    /// The file name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its MIME type.
    pub mime: String,
}

/// `POST /api/v1/uploads` answers `{"upload": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadResponse {
    /// The stored upload.
    pub upload: Upload,
}

/// An approved message template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// The template's name.
    pub name: String,
    /// Its language code.
    pub language: String,
    /// Its body text, with `{{1}}`-style placeholders.
    pub body: String,
    /// The placeholders' names, in order (`["1", "2"]`).
    pub params: Vec<String>,
}

/// `GET /api/v1/templates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatesResponse {
    /// The provider's approved templates; empty for providers without templates.
    pub templates: Vec<Template>,
}

/// A canned text as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedText {
    /// The relay's id for it.
    pub id: String,
    /// The name users pick it by.
    pub name: String,
    /// The module whose records fill it.
    pub module: String,
    /// The body with merge fields.
    pub body: String,
    /// Who created it; `null` for texts older than workspaces (only admins change those).
    #[serde(default)]
    pub owner: Option<Author>,
    /// Whether the calling user may change or delete it: its owner or an admin.
    #[serde(default)]
    pub editable: bool,
}

/// `POST` and `PUT /api/v1/canned-texts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedTextInput {
    /// The name.
    pub name: String,
    /// The module.
    pub module: String,
    /// The body.
    pub body: String,
}

/// `GET /api/v1/canned-texts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedTextsResponse {
    /// The company's canned texts.
    pub canned_texts: Vec<CannedText>,
}

/// `event: status` on `GET /api/v1/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEvent {
    /// The message's id.
    pub id: String,
    /// Its new status.
    pub status: DeliveryStatus,
    /// Why it failed, for a failure.
    pub error: Option<MessageError>,
}

#[cfg(test)]
mod tests;
