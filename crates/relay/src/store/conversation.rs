//! The conversation with a customer number as the panel reads it: the newest messages with their files, from one
//! query that answers one row.
//!
//! Why one row: sqlx hands rows over one at a time from SQLite's connection thread, and its `Any` driver converts
//! every column of every row, with the columns' descriptions. A page of 20 messages was 20 hand-offs between
//! threads (most of them a thread wake-up) and hundreds of conversions. Instead the database builds the page as
//! one JSON array (SQLite `json_group_array`, PostgreSQL `json_agg`), which serde reads. On a SQLite file the
//! query runs in place, without sqlx (see `inline`).

use serde::Deserialize;
use sidechat_domain::E164;
use sidechat_domain::wire::{Author, DeliveryStatus, Direction};
use sqlx::Row;

use super::attachments::AttachmentMeta;
use super::messages::MessageRow;
use super::workspaces::WorkspaceId;
use super::{Backend, Store};

/// SQLite: the page, oldest first; each message an array of its columns and then its files. `$4`, `$5`: the
/// created time and id the page's messages come before, in the variant with `before`.
macro_rules! sqlite_page {
    ($before:expr) => {
        concat!(
            "SELECT json_group_array(json_array(id, direction, sender_id, business_phone, contact, body, template,
                   status, error_code, error_message, provider_id, created_at, attempts, author_id,
                   (SELECT u.name FROM users u WHERE u.id = m.author_id),
                   json((SELECT json_group_array(json_array(a.id, a.name, a.size, a.mime) ORDER BY ma.position)
                         FROM message_attachments ma
                         JOIN attachments a ON a.workspace_id = ma.workspace_id AND a.id = ma.attachment_id
                         WHERE ma.workspace_id = m.workspace_id AND ma.message_id = m.id)))
               ORDER BY created_at, id) AS page
             FROM (SELECT * FROM messages WHERE workspace_id = $1 AND contact = $2 ",
            $before,
            " ORDER BY created_at DESC, id DESC LIMIT $3) AS m"
        )
    };
}

/// PostgreSQL: the same page.
macro_rules! postgres_page {
    ($before:expr) => {
        concat!(
            "SELECT COALESCE(json_agg(json_build_array(id, direction, sender_id, business_phone, contact, body,
                   template, status, error_code, error_message, provider_id, created_at, attempts, author_id,
                   (SELECT u.name FROM users u WHERE u.id = m.author_id),
                   (SELECT COALESCE(json_agg(json_build_array(a.id, a.name, a.size, a.mime) ORDER BY ma.position),
                                    '[]'::json)
                    FROM message_attachments ma
                    JOIN attachments a ON a.workspace_id = ma.workspace_id AND a.id = ma.attachment_id
                    WHERE ma.workspace_id = m.workspace_id AND ma.message_id = m.id))
               ORDER BY created_at, id), '[]'::json)::text AS page
             FROM (SELECT * FROM messages WHERE workspace_id = $1 AND contact = $2 ",
            $before,
            " ORDER BY created_at DESC, id DESC LIMIT $3) AS m"
        )
    };
}

/// The condition of a page of older messages: those before a message, in the page's order.
macro_rules! before {
    () => {
        "AND (created_at, id) < ($4, $5)"
    };
}

const SQLITE_PAGE: &str = sqlite_page!("");
const SQLITE_PAGE_BEFORE: &str = sqlite_page!(before!());
const POSTGRES_PAGE: &str = postgres_page!("");
const POSTGRES_PAGE_BEFORE: &str = postgres_page!(before!());

/// Where a page of older messages ends: the created time and id of the oldest message of the page before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Before {
    /// Its created time (ms).
    pub created_at: i64,
    /// Its id.
    pub id: String,
}

/// A message as the page's JSON has it: its columns in this order, then its files.
#[derive(Deserialize)]
struct PageMessage {
    id: String,
    direction: Direction,
    sender_id: String,
    business_phone: String,
    contact: String,
    body: String,
    template: Option<String>,
    status: String,
    error_code: Option<String>,
    error_message: Option<String>,
    provider_id: Option<String>,
    created_at: i64,
    attempts: i64,
    author_id: Option<String>,
    author_name: Option<String>,
    files: Vec<PageFile>,
}

/// A file as the page's JSON has it.
#[derive(Deserialize)]
struct PageFile {
    id: String,
    name: String,
    size: i64,
    mime: String,
}

impl Store {
    /// The most recent `limit` messages with a customer number (before `before`, when given), oldest first, with
    /// their files.
    pub async fn recent_messages(
        &self,
        workspace: &WorkspaceId,
        contact: &str,
        limit: i64,
        before: Option<&Before>,
    ) -> Result<Vec<MessageRow>, sqlx::Error> {
        let sql = match (self.backend, before.is_some()) {
            (Backend::Sqlite, false) => SQLITE_PAGE,
            (Backend::Sqlite, true) => SQLITE_PAGE_BEFORE,
            (Backend::Postgres, false) => POSTGRES_PAGE,
            (Backend::Postgres, true) => POSTGRES_PAGE_BEFORE,
        };
        let page: String = match &self.inline {
            Some(inline) => inline.read(|connection| {
                // By name: SQLite numbers `$N` parameters in the order they appear, not by their N.
                let mut statement = connection.prepare_cached(sql)?;
                match before {
                    None => statement.query_row(
                        rusqlite::named_params! {"$1": workspace.as_str(), "$2": contact, "$3": limit},
                        |row| row.get(0),
                    ),
                    Some(before) => statement.query_row(
                        rusqlite::named_params! {
                            "$1": workspace.as_str(), "$2": contact, "$3": limit,
                            "$4": before.created_at, "$5": before.id.as_str(),
                        },
                        |row| row.get(0),
                    ),
                }
            })?,
            None => {
                let mut query = sqlx::query(sql).bind(workspace.as_str()).bind(contact).bind(limit);
                if let Some(before) = before {
                    query = query.bind(before.created_at).bind(before.id.as_str());
                }
                query.fetch_one(&mut *self.read().await?).await?.try_get("page")?
            }
        };
        let page: Vec<PageMessage> = serde_json::from_str(&page).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        page.into_iter().map(|message| message.into_row(workspace)).collect()
    }
}

impl PageMessage {
    fn into_row(self, workspace: &WorkspaceId) -> Result<MessageRow, sqlx::Error> {
        let decode = |error: Box<dyn std::error::Error + Send + Sync>| sqlx::Error::Decode(error);
        Ok(MessageRow {
            workspace: workspace.clone(),
            author: self.author_id.map(|id| Author { id, name: self.author_name.unwrap_or_default() }),
            business_phone: E164::parse(&self.business_phone).map_err(|e| decode(Box::new(e)))?,
            contact: E164::parse(&self.contact).map_err(|e| decode(Box::new(e)))?,
            status: DeliveryStatus::parse(&self.status)
                .ok_or_else(|| decode(format!("unknown status `{}`", self.status).into()))?,
            id: self.id,
            direction: self.direction,
            sender_id: self.sender_id,
            body: self.body,
            template: self.template,
            error_code: self.error_code,
            error_message: self.error_message,
            provider_id: self.provider_id,
            created_at: self.created_at,
            attempts: self.attempts,
            attachments: self
                .files
                .into_iter()
                .map(|file| AttachmentMeta { id: file.id, name: file.name, size: file.size, mime: file.mime })
                .collect(),
        })
    }
}
