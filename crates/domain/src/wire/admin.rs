//! What admins manage: the workspace's WhatsApp connections (`/api/v1/admin/whatsapp`), its users, and the log
//! of what admins did (`/api/v1/admin/log`). The settings view and the relay share these shapes.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Author, Role, Sender, rfc3339};
use crate::provider::Provider;

/// A WhatsApp connection as admins see it: never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsAppConnection {
    /// The connection's id.
    pub id: String,
    /// Which service carries its numbers.
    pub provider: Provider,
    /// Its name for people.
    pub label: String,
    /// Its numbers.
    pub senders: Vec<Sender>,
    /// Where the provider must send its webhooks: `{public}/webhooks/whatsapp` for the Cloud API, the
    /// connection's own secret path for TimelinesAI, `null` for the sandbox.
    pub webhook_url: Option<String>,
    /// The token's last 4 characters (`null` where there is no token).
    pub secret_hint: Option<String>,
    /// The users who may send from its numbers; `null`: every user of the workspace.
    pub allowed_users: Option<Vec<String>>,
    /// Who connected it (`null` for the connection the relay's settings configure).
    pub created_by: Option<Author>,
    /// When.
    #[serde(with = "rfc3339")]
    pub created_at: Timestamp,
}

/// `GET /api/v1/admin/whatsapp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsAppConnections {
    /// The workspace's connections, oldest first.
    pub connections: Vec<WhatsAppConnection>,
}

/// `POST /api/v1/admin/whatsapp`: the credentials of a connection, checked with the provider before it is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum ConnectRequest {
    /// Meta's Cloud API: a system user's access token, the business account and its numbers.
    Cloud {
        /// The access token.
        access_token: String,
        /// The WhatsApp Business Account id.
        waba_id: String,
        /// The numbers' `phone_number_id`s.
        phone_number_ids: Vec<String>,
        /// A name for people (default: the first number's verified name).
        #[serde(default)]
        label: Option<String>,
    },
    /// TimelinesAI: a workspace's public API token; its connected accounts are the numbers.
    Timelines {
        /// The API token.
        api_token: String,
        /// A name for people (default `TimelinesAI`).
        #[serde(default)]
        label: Option<String>,
    },
    /// The built-in counterpart, with a new number (demo mode only).
    Sandbox {
        /// A name for people (default `Sandbox`).
        #[serde(default)]
        label: Option<String>,
    },
}

/// `201` to `POST /api/v1/admin/whatsapp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionResponse {
    /// The new connection.
    pub connection: WhatsAppConnection,
}

/// `PATCH /api/v1/admin/whatsapp/{id}`: what is given changes; `allowed_users: null` lets every user send.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConnectionUpdate {
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Who may send: absent leaves it, `null` opens it to everyone, a list restricts it.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "present_or_null")]
    pub allowed_users: Option<Option<Vec<String>>>,
}

/// A user of the workspace, for admins (`GET /api/v1/admin/users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceUser {
    /// The user's id in Sidechat.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their email, when the CRM told it.
    pub email: Option<String>,
    /// Their role.
    pub role: Role,
}

/// `GET /api/v1/admin/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceUsers {
    /// Every user who has used Sidechat in the workspace, by name.
    pub users: Vec<WorkspaceUser>,
}

/// One thing an admin did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminLogEntry {
    /// When.
    #[serde(with = "rfc3339")]
    pub at: Timestamp,
    /// Who (`null` for the operator's command line).
    pub user: Option<Author>,
    /// `connect`, `disconnect`, `restrict`, `rename`, `erase`, `settings`.
    pub action: String,
    /// What it was about: a connection's id, an erased number.
    pub subject: Option<String>,
    /// What changed, never a secret.
    pub details: serde_json::Value,
}

/// `GET /api/v1/admin/log`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminLog {
    /// The newest entries first.
    pub entries: Vec<AdminLogEntry>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
mod present_or_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}
