//! The relay's error body, `{"error":{"code","message"}}`, and its closed set of codes.

use serde::{Deserialize, Serialize};

/// Every error code the relay answers with. The set is closed: clients may match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed JSON, missing fields or header (400).
    InvalidRequest,
    /// Missing, malformed, forged or expired credentials (401).
    Unauthorized,
    /// A CRM company that has not installed Sidechat, or is not admitted to this relay (403).
    NotInstalled,
    /// A user without the role the action needs: a member at an admin endpoint, at another's canned text (403).
    Forbidden,
    /// A CRM user who has not connected their own CRM account to Sidechat yet; `connect_url` says where (403).
    NotConnectedUser,
    /// No such thing, or not this company's (404).
    NotFound,
    /// An idempotency key reused with another body (409).
    IdempotencyConflict,
    /// A WhatsApp number that is already in a connection of this relay (409).
    NumberInUse,
    /// A file over the provider's limit for its kind (413).
    AttachmentTooLarge,
    /// Not a phone number Sidechat can send to (422).
    InvalidPhone,
    /// Nothing to send (422).
    EmptyMessage,
    /// More than 4096 characters (422).
    BodyTooLong,
    /// No connected sender with that id, or not one the user may send from (422).
    UnknownSender,
    /// The workspace has no WhatsApp connection to send from (422).
    NotConnected,
    /// The provider refused the credentials of a new connection; `field` names the one at fault (422).
    ConnectionRejected,
    /// Free text outside the 24-hour window (422).
    WindowClosed,
    /// A file type the provider does not send (422).
    UnsupportedAttachment,
    /// A canned text with a malformed or foreign merge field (422).
    InvalidMergeField,
    /// An edit that moves a canned text to another module (422).
    ModuleImmutable,
    /// A setting with a value it cannot take; `field` names it (422).
    InvalidSetting,
    /// Too many requests (429).
    RateLimited,
    /// The user already has as many live event streams open as the relay allows (429).
    TooManyStreams,
    /// The provider did not answer a synchronous call (502).
    ProviderUnavailable,
    /// The relay is at its limit of uploads in flight; `Retry-After` says when to try again (503).
    Busy,
    /// The request took longer than the relay allows (`SIDECHAT_REQUEST_TIMEOUT_MS`) (503).
    Timeout,
}

impl ErrorCode {
    /// The HTTP status the code is answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::Unauthorized => 401,
            Self::NotInstalled | Self::Forbidden | Self::NotConnectedUser => 403,
            Self::NotFound => 404,
            Self::IdempotencyConflict | Self::NumberInUse => 409,
            Self::AttachmentTooLarge => 413,
            Self::InvalidPhone
            | Self::EmptyMessage
            | Self::BodyTooLong
            | Self::UnknownSender
            | Self::NotConnected
            | Self::ConnectionRejected
            | Self::WindowClosed
            | Self::UnsupportedAttachment
            | Self::InvalidMergeField
            | Self::ModuleImmutable
            | Self::InvalidSetting => 422,
            Self::RateLimited | Self::TooManyStreams => 429,
            Self::ProviderUnavailable => 502,
            Self::Busy | Self::Timeout => 503,
        }
    }
}

/// The inside of an error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
    /// With `invalid_setting`, `connection_rejected` and `number_in_use`: the field at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `not_connected_user`: where the user connects their CRM account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_url: Option<String>,
}

/// `{"error":{"code","message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

impl ErrorBody {
    /// An error body with a code and a message for people.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { error: ErrorDetail { code, message: message.into(), field: None, connect_url: None } }
    }
}
