//! The message log: inbound messages, single messages, statuses. Accepting a send is in `store::accept`, the
//! outbox's claims and outcomes in `store::outbox`, the panel's page in `store::conversation`.

use sidechat_domain::E164;
use sidechat_domain::wire::{Author, DeliveryStatus, Direction};
use sqlx::any::AnyRow;
use sqlx::{Any, Connection, Row, Transaction};

use super::attachments::AttachmentMeta;
use super::workspaces::WorkspaceId;
use super::{Store, named};

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    /// The workspace whose conversation it is part of.
    pub workspace: WorkspaceId,
    /// The relay's id.
    pub id: String,
    /// `in` or `out`.
    pub direction: Direction,
    /// The business sender's id.
    pub sender_id: String,
    /// The business number.
    pub business_phone: E164,
    /// The customer's number.
    pub contact: E164,
    /// The text.
    pub body: String,
    /// For a template send: its JSON.
    pub template: Option<String>,
    /// The delivery status.
    pub status: DeliveryStatus,
    /// The provider's failure code.
    pub error_code: Option<String>,
    /// The provider's failure message.
    pub error_message: Option<String>,
    /// The provider's id for the message.
    pub provider_id: Option<String>,
    /// When (ms).
    pub created_at: i64,
    /// How many send attempts were started.
    pub attempts: i64,
    /// The Sidechat user who sent it, for an outbound message sent through Sidechat.
    pub author: Option<Author>,
    /// Its files.
    pub attachments: Vec<AttachmentMeta>,
}

/// An inbound message to log.
#[derive(Debug, Clone)]
pub struct InboundMessage {
    /// The relay's id for it.
    pub id: String,
    /// The provider's id (deduplicates webhook deliveries).
    pub provider_id: String,
    /// The business sender's id.
    pub sender_id: String,
    /// The business number.
    pub business_phone: E164,
    /// The customer's number.
    pub contact: E164,
    /// The text.
    pub body: String,
    /// Stored attachments, in order.
    pub attachment_ids: Vec<String>,
    /// When the customer sent it (ms).
    pub at: i64,
}

/// How long a status report for a provider id the log does not hold is kept (ms): a day.
pub const EARLY_STATUS_KEPT_MS: i64 = 24 * 3_600_000;

/// What a status report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusApplied {
    /// No outbound message has this provider id (yet).
    Unknown,
    /// The message was already there or further.
    Unchanged,
    /// The message moved to `status`.
    Changed {
        /// The message's id.
        id: String,
        /// Its new status.
        status: DeliveryStatus,
    },
}

/// A status report kept until its message's provider id is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlyStatus {
    /// The status reported.
    pub status: DeliveryStatus,
    /// The error's code and words, for a failure.
    pub error: Option<(String, String)>,
}

/// The columns [`message`] reads (the author's name from the users table).
pub(super) const COLUMNS: &str = "workspace_id, id, direction, sender_id, business_phone, contact, body, template, \
     status, error_code, error_message, provider_id, created_at, attempts, author_id, \
     (SELECT u.name FROM users u WHERE u.id = messages.author_id) AS author_name";

/// A message row read with [`COLUMNS`], without its attachments.
pub(super) fn message(row: &AnyRow) -> Result<MessageRow, sqlx::Error> {
    let author_id: Option<String> = row.try_get("author_id")?;
    let author_name: Option<String> = row.try_get("author_name")?;
    Ok(MessageRow {
        workspace: WorkspaceId::from_row(row, "workspace_id")?,
        id: row.try_get("id")?,
        direction: named(row, "direction", Direction::parse)?,
        sender_id: row.try_get("sender_id")?,
        business_phone: e164(row, "business_phone")?,
        contact: e164(row, "contact")?,
        body: row.try_get("body")?,
        template: row.try_get("template")?,
        status: named(row, "status", DeliveryStatus::parse)?,
        error_code: row.try_get("error_code")?,
        error_message: row.try_get("error_message")?,
        provider_id: row.try_get("provider_id")?,
        created_at: row.try_get("created_at")?,
        attempts: row.try_get("attempts")?,
        author: author_id.map(|id| Author { id, name: author_name.unwrap_or_default() }),
        attachments: Vec::new(),
    })
}

fn e164(row: &AnyRow, column: &str) -> Result<E164, sqlx::Error> {
    let raw: String = row.try_get(column)?;
    E164::parse(&raw).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Links stored attachments to a message, in order.
async fn link_attachments(
    tx: &mut Transaction<'_, Any>,
    workspace: &WorkspaceId,
    message_id: &str,
    ids: &[String],
) -> Result<(), sqlx::Error> {
    for (position, attachment_id) in ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO message_attachments (workspace_id, message_id, position, attachment_id)
             SELECT $1, $2, $3, id FROM attachments WHERE workspace_id = $1 AND id = $4",
        )
        .bind(workspace.as_str())
        .bind(message_id)
        .bind(position as i64)
        .bind(attachment_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Logs an inbound message in a workspace; false if its provider id was logged before (a repeated webhook).
    pub async fn insert_inbound(&self, workspace: &WorkspaceId, inbound: &InboundMessage) -> Result<bool, sqlx::Error> {
        let mut writer = self.write().await?;
        let mut tx = writer.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO messages (workspace_id, id, direction, sender_id, business_phone, contact, body, status,
                 provider_id, created_at, updated_at, attempts)
             VALUES ($1, $2, 'in', $3, $4, $5, $6, 'delivered', $7, $8, $8, 0) ON CONFLICT DO NOTHING",
        )
        .bind(workspace.as_str())
        .bind(&inbound.id)
        .bind(&inbound.sender_id)
        .bind(inbound.business_phone.as_str())
        .bind(inbound.contact.as_str())
        .bind(&inbound.body)
        .bind(&inbound.provider_id)
        .bind(inbound.at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            link_attachments(&mut tx, workspace, &inbound.id, &inbound.attachment_ids).await?;
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// A workspace's message by the provider's id.
    pub async fn message_by_provider_id(
        &self,
        workspace: &WorkspaceId,
        provider_id: &str,
    ) -> Result<Option<MessageRow>, sqlx::Error> {
        let row = sqlx::query("SELECT id FROM messages WHERE workspace_id = $1 AND provider_id = $2")
            .bind(workspace.as_str())
            .bind(provider_id)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        match row {
            Some(row) => self.message(workspace, &row.try_get::<String, _>("id")?).await,
            None => Ok(None),
        }
    }

    /// Which of these provider ids the workspace's log already holds.
    pub async fn known_provider_ids(
        &self,
        workspace: &WorkspaceId,
        provider_ids: &[String],
    ) -> Result<std::collections::HashSet<String>, sqlx::Error> {
        let mut known = std::collections::HashSet::new();
        for chunk in provider_ids.chunks(100) {
            let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT provider_id FROM messages WHERE workspace_id = $1 AND provider_id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(workspace.as_str());
            for id in chunk {
                query = query.bind(id);
            }
            for row in query.fetch_all(&mut *self.read().await?).await? {
                known.insert(row.try_get("provider_id")?);
            }
        }
        Ok(known)
    }

    /// One of a workspace's messages with its attachments.
    pub async fn message(&self, workspace: &WorkspaceId, id: &str) -> Result<Option<MessageRow>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM messages WHERE workspace_id = $1 AND id = $2"))
            .bind(workspace.as_str())
            .bind(id)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut messages = vec![message(&row)?];
        self.fill_attachments(workspace, &mut messages).await?;
        Ok(messages.pop())
    }

    /// When the customer last wrote to a sender in a workspace (ms), if ever.
    pub async fn last_inbound_at(
        &self,
        workspace: &WorkspaceId,
        contact: &str,
        sender_id: &str,
    ) -> Result<Option<i64>, sqlx::Error> {
        const SQL: &str = "SELECT created_at FROM messages
             WHERE workspace_id = $1 AND contact = $2 AND sender_id = $3 AND direction = 'in'
             ORDER BY created_at DESC LIMIT 1";
        if let Some(inline) = &self.inline {
            return inline.read(|connection| {
                use rusqlite::OptionalExtension;
                connection
                    .prepare_cached(SQL)?
                    .query_row(
                        rusqlite::named_params! {"$1": workspace.as_str(), "$2": contact, "$3": sender_id},
                        |row| row.get(0),
                    )
                    .optional()
            });
        }
        let row = sqlx::query(SQL)
            .bind(workspace.as_str())
            .bind(contact)
            .bind(sender_id)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        row.map(|row| row.try_get("created_at")).transpose()
    }

    /// Applies a status report for the provider's message id, never moving the status backwards.
    pub async fn apply_status(
        &self,
        workspace: &WorkspaceId,
        provider_id: &str,
        reported: DeliveryStatus,
        error: Option<(&str, &str)>,
        now: i64,
    ) -> Result<StatusApplied, sqlx::Error> {
        // Compare-and-set: a concurrent report between the read and the write makes the write miss; read again.
        for _ in 0..8 {
            let Some(row) = sqlx::query(
                "SELECT id, status FROM messages WHERE workspace_id = $1 AND provider_id = $2 AND direction = 'out'",
            )
            .bind(workspace.as_str())
            .bind(provider_id)
            .fetch_optional(&mut *self.read().await?)
            .await?
            else {
                return Ok(StatusApplied::Unknown);
            };
            let (id, current): (String, String) = (row.try_get("id")?, row.try_get("status")?);
            let current = DeliveryStatus::parse(&current).unwrap_or(DeliveryStatus::Queued);
            let next = current.merge(reported);
            if next == current {
                return Ok(StatusApplied::Unchanged);
            }
            let (code, message) = match (next, error) {
                (DeliveryStatus::Failed, Some((code, message))) => (Some(code), Some(message)),
                _ => (None, None),
            };
            let done = sqlx::query(
                "UPDATE messages SET status = $1, error_code = $2, error_message = $3, updated_at = $4
                 WHERE workspace_id = $5 AND id = $6 AND status = $7",
            )
            .bind(next.as_str())
            .bind(code)
            .bind(message)
            .bind(now)
            .bind(workspace.as_str())
            .bind(&id)
            .bind(current.as_str())
            .execute(&mut *self.write().await?)
            .await?;
            if done.rows_affected() == 1 {
                return Ok(StatusApplied::Changed { id, status: next });
            }
        }
        Err(sqlx::Error::Protocol("status kept changing under concurrent reports".into()))
    }

    /// Keeps a status report for a provider id the log does not hold yet, to apply when the id is recorded.
    /// Reports older than [`EARLY_STATUS_KEPT_MS`] are dropped as this one is kept.
    pub async fn keep_early_status(
        &self,
        workspace: &WorkspaceId,
        provider_id: &str,
        status: DeliveryStatus,
        error: Option<(&str, &str)>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let mut writer = self.write().await?;
        sqlx::query("DELETE FROM early_statuses WHERE received_at < $1")
            .bind(now - EARLY_STATUS_KEPT_MS)
            .execute(&mut *writer)
            .await?;
        sqlx::query(
            "INSERT INTO early_statuses (workspace_id, provider_id, status, error_code, error_message, received_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(workspace.as_str())
        .bind(provider_id)
        .bind(status.as_str())
        .bind(error.map(|(code, _)| code))
        .bind(error.map(|(_, message)| message))
        .bind(now)
        .execute(&mut *writer)
        .await?;
        Ok(())
    }

    /// Takes (reads and deletes) the status reports kept for a provider id.
    pub async fn take_early_statuses(
        &self,
        workspace: &WorkspaceId,
        provider_id: &str,
    ) -> Result<Vec<EarlyStatus>, sqlx::Error> {
        // Almost every send has none: a read (beside the writer, on SQLite) settles that without a write.
        let any =
            sqlx::query("SELECT 1 AS found FROM early_statuses WHERE workspace_id = $1 AND provider_id = $2 LIMIT 1")
                .bind(workspace.as_str())
                .bind(provider_id)
                .fetch_optional(&mut *self.read().await?)
                .await?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "DELETE FROM early_statuses WHERE workspace_id = $1 AND provider_id = $2
             RETURNING status, error_code, error_message",
        )
        .bind(workspace.as_str())
        .bind(provider_id)
        .fetch_all(&mut *self.write().await?)
        .await?;
        let mut reports = Vec::with_capacity(rows.len());
        for row in rows {
            let status: String = row.try_get("status")?;
            let Some(status) = DeliveryStatus::parse(&status) else { continue };
            let code: Option<String> = row.try_get("error_code")?;
            let message: Option<String> = row.try_get("error_message")?;
            reports.push(EarlyStatus { status, error: code.zip(message) });
        }
        Ok(reports)
    }

    /// Claims the workspace's messages whose status is to be asked for next, from `sender_ids`: sent but not yet
    /// read, accepted since `since`, and not `delivered` since before `delivered_since` (a customer who turned
    /// read receipts off would be asked for ever); least recently asked first, none asked since `asked_before`.
    /// Each is stamped as asked `now`, so a poll goes round-robin, and two relays do not ask for the same one.
    /// Returns (message id, provider id) pairs.
    #[allow(clippy::too_many_arguments)]
    pub async fn claim_polls(
        &self,
        workspace: &WorkspaceId,
        sender_ids: &[String],
        since: i64,
        delivered_since: i64,
        asked_before: i64,
        now: i64,
        limit: i64,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        if sender_ids.is_empty() {
            return Ok(Vec::new());
        }
        let senders: Vec<String> = (0..sender_ids.len()).map(|i| format!("${}", i + 7)).collect();
        let skip_locked = self.skip_locked();
        let sql = format!(
            "UPDATE messages SET polled_at = $1
             WHERE id IN (SELECT id FROM messages
                 WHERE workspace_id = $2 AND direction = 'out' AND provider_id IS NOT NULL
                   AND (status = 'sent' OR (status = 'delivered' AND updated_at >= $3))
                   AND created_at >= $4 AND (polled_at IS NULL OR polled_at <= $5)
                   AND sender_id IN ({})
                 ORDER BY COALESCE(polled_at, 0), created_at LIMIT $6 {skip_locked})
             RETURNING id, provider_id",
            senders.join(", ")
        );
        let mut query =
            sqlx::query(&sql).bind(now).bind(workspace.as_str()).bind(delivered_since).bind(since).bind(asked_before);
        query = query.bind(limit);
        for sender in sender_ids {
            query = query.bind(sender);
        }
        let rows = query.fetch_all(&mut *self.write().await?).await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("provider_id")?))).collect()
    }

    /// Fills each message's attachments.
    async fn fill_attachments(&self, workspace: &WorkspaceId, messages: &mut [MessageRow]) -> Result<(), sqlx::Error> {
        if messages.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
        let mut by_message = self.attachments_of(workspace, &ids).await?;
        for message in messages {
            if let Some(attachments) = by_message.remove(&message.id) {
                message.attachments = attachments;
            }
        }
        Ok(())
    }
}
